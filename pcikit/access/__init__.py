"""Sources of config space bytes: everything above this layer sees only ConfigSpace."""
from .base import ConfigSpace, KernelInfo, Resource
from .memory import BytesConfig

__all__ = ["ConfigSpace", "BytesConfig", "KernelInfo", "Resource"]
