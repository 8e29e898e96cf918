"""Sub-commands beyond the listing: show, tree and dump take the namespace :mod:`pcikit.cli` parsed
(``run(args) -> int``); the others parse their own arguments (``main(argv) -> int``)."""
