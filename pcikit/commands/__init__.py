"""Sub-commands with their own argument parsing: each module exposes ``main(argv) -> int``."""
