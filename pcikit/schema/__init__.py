"""Declarative construct schemas for config headers and capabilities.

Each capability family has its own module under ``caps/`` (standard list) or
``ecaps/`` (extended list); :mod:`pcikit.schema.registry` maps capability IDs to
them. Fields are named as the PCIe spec names them, in snake_case.
"""
