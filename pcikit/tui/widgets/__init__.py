"""The inspector's widgets, one per module."""
