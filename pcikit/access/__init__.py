"""Sources of config space bytes: everything above this layer sees only ConfigSpace."""
from .base import ConfigSpace, KernelInfo, Resource


def __getattr__(name: str) -> type:
    if name == "BytesConfig":  # imported on first use: live reads do not need it
        from .memory import BytesConfig

        return BytesConfig
    raise AttributeError(f"module 'pcikit.access' has no attribute {name!r}")


__all__ = ["ConfigSpace", "BytesConfig", "KernelInfo", "Resource"]
