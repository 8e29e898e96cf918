"""Views over the model: lspci-compatible text, pcikit's own text, JSON, tree, hex dumps.

Renderers only read :class:`pcikit.model.Device`; they never parse bytes.
"""
