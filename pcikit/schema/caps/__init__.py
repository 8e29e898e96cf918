"""Standard capability schemas, one module per family (see ``registry.STANDARD``).

Module contract: ``decode(ctx: DecodeContext) -> Container`` returns the fields,
nested by register as the spec names them (each register keeps ``raw``), plus
any summary keys the JSON contract promises at the top level. Modules may export
``SCHEMA`` (the construct) so fixtures can ``build()`` from fields.
"""
