"""lspci-compatible text: byte for byte what ``lspci`` (pciutils 3.9) prints for the same input."""
from .core import LspciOptions, render_devices

__all__ = ["LspciOptions", "render_devices"]
