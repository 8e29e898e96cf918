"""The detail pane's tabs: (widget id, label), in key order 1-6."""

TABS = (
    ("tab-header", "Header"),
    ("tab-caps", "Capabilities"),
    ("tab-msix", "MSI-X"),
    ("tab-hex", "Hex"),
    ("tab-problems", "Problems"),
    ("tab-lspci", "lspci"),
)
