"""lspci-compatible text: byte for byte what ``lspci`` prints for the same input, per release (3.9 ... 3.14)."""
from .core import LspciOptions, render_devices
from .dialect import NEWEST, SUPPORTED, LspciVersion, choose_version, parse_version

__all__ = ["LspciOptions", "LspciVersion", "NEWEST", "SUPPORTED", "choose_version", "parse_version", "render_devices"]
