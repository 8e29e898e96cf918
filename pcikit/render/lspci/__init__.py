"""lspci-compatible text: byte for byte what ``lspci`` prints for the same input, per release (3.9 ... 3.14).

The renderers (:mod:`.core`) are imported on first use: pcikit's native and JSON views load this
package only for its names and dialects.
"""
from .dialect import NEWEST, SUPPORTED, LspciVersion, choose_version, parse_version

TYPE_CHECKING = False
if TYPE_CHECKING:
    from .core import LspciOptions, render_devices

__all__ = ["LspciOptions", "LspciVersion", "NEWEST", "SUPPORTED", "choose_version", "parse_version", "render_devices"]


def __getattr__(name: str):
    if name in ("LspciOptions", "render_devices"):
        from . import core

        return getattr(core, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
