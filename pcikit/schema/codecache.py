"""Compiled generated code kept between runs, keyed by a hash of its source.

Compiling a generated parser costs far more than generating its source (about a millisecond
for the PCI Express capability's), so the code object is kept as a file named after the
SHA-256 of the source and the interpreter's bytecode tag, under ``$PCIKIT_CACHE`` (else
``$XDG_CACHE_HOME/pcikit``, else ``~/.cache/pcikit``), in ``parsers/``. Any schema change
changes the source, hence the name: a stale entry is never read. Files are written whole under
a temporary name and renamed; a cache that cannot be read or written is no cache (the source is
compiled as if it were absent), never an error. Entries are read as every file pcikit reads is:
regular files only, without blocking, bounded (a FIFO or a huge file planted there is skipped), and
what they hold must be a code object.
"""
from __future__ import annotations

import hashlib
import marshal
import os
import sys
import types

from ..access.files import read_bounded
from ..errors import PcikitError

ENV = "PCIKIT_CACHE"
_LIMIT = 1 << 20  # the largest generated parser compiles to about 25 KiB


def cache_dir() -> str:
    """Where the compiled parsers are kept."""
    base = os.environ.get(ENV) or os.path.join(
        os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache"), "pcikit")
    return os.path.join(base, "parsers")


def compiled(source: str, label: str):
    """The code object of ``source`` (compiled with the file name ``<label>``), from the cache when there."""
    key = hashlib.sha256(f"{sys.implementation.cache_tag}\0{label}\0{source}".encode()).hexdigest()
    path = os.path.join(cache_dir(), f"{key}.code")
    try:
        code = marshal.loads(read_bounded(path, _LIMIT))
        if isinstance(code, types.CodeType):
            return code
    except (PcikitError, ValueError, EOFError, TypeError):
        pass  # absent, unreadable, not a regular file, too large or damaged: compile it again
    code = compile(source, f"<{label}>", "exec")
    partial = f"{path}.{os.getpid()}.tmp"
    try:
        os.makedirs(os.path.dirname(path), mode=0o700, exist_ok=True)
        with open(partial, "wb") as handle:
            handle.write(marshal.dumps(code))
        os.replace(partial, path)
    except OSError:  # a read-only or full disk: the next run compiles again
        try:
            os.unlink(partial)
        except OSError:
            pass
    return code
