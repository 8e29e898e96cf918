"""Model-level decoding that sits above the schemas: BARs and problem collection."""
