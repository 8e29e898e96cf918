"""``python -m pcikit``."""
from .cli import run

run()
