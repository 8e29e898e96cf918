"""lspci renderers for extended capabilities (see ``caps/__init__.py`` for the contract)."""
