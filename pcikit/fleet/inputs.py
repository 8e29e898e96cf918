"""Which files belong to which host.

Layout (``docs/fleet.md``): every INPUT is a file or a folder.

* a file is one host's dump; its host is ``--host`` or the file name without extension;
* a folder's own files are one host named after the folder (``host-a/lspci.txt``);
* each sub-folder of a folder is a host (``fleet/host-a/``, ``fleet/host-b/`` ...), its files
  (not deeper folders) that host's dumps.

Each file is an lspci ``-x``/``-xxx``/``-xxxx`` dump (``-vvv`` text may surround it), a raw config
image, or a pcikit JSON document (``pcikit show --json``). Paths may be fsspec URLs
(``s3://bucket/fleet``) when fsspec is installed; plain paths need nothing.
"""
from __future__ import annotations

import os
from typing import Iterator, NamedTuple, Optional, Sequence


class HostInput(NamedTuple):
    """One host and the files that describe it."""

    host: str
    files: tuple[str, ...]


def _is_url(path: str) -> bool:
    return "://" in path


def _filesystem(path: str):
    import fsspec

    fs, _, (root,) = fsspec.get_fs_token_paths(path)
    return fs, root


def _listing(path: str) -> tuple[list[str], list[str]]:
    """(files, folders) directly inside ``path``, sorted; ([path], []) for a file."""
    if _is_url(path):
        fs, root = _filesystem(path)
        if not fs.isdir(root):
            return [path], []
        protocol = path.split("://", 1)[0]
        entries = sorted(fs.ls(root, detail=True), key=lambda e: e["name"])
        url = lambda name: f"{protocol}://{name}"  # noqa: E731
        return ([url(e["name"]) for e in entries if e["type"] != "directory"],
                [url(e["name"]) for e in entries if e["type"] == "directory"])
    if not os.path.isdir(path):
        return [path], []
    names = sorted(os.listdir(path))
    joined = [os.path.join(path, n) for n in names if not n.startswith(".")]
    return [p for p in joined if os.path.isfile(p)], [p for p in joined if os.path.isdir(p)]


def _stem(path: str) -> str:
    """A file's name without its extension."""
    return os.path.splitext(_name(path))[0] or _name(path)


def _name(path: str) -> str:
    return os.path.basename(path.rstrip("/"))


def discover(inputs: Sequence[str], host: Optional[str] = None) -> Iterator[HostInput]:
    """Every host of ``inputs`` with its files, in a stable order (lazy: folders are listed as reached)."""
    for path in inputs:
        files, folders = _listing(path)
        if files == [path] and not folders:
            yield HostInput(host or _stem(path), (path,))
            continue
        if files:
            yield HostInput(host or _name(path), tuple(files))
        for folder in folders:
            sub_files, _ = _listing(folder)
            if sub_files:
                yield HostInput(_name(folder) if host is None else f"{host}/{_name(folder)}", tuple(sub_files))


def read_bytes(path: str, limit: int) -> bytes:
    """At most ``limit`` + 1 bytes of ``path`` (local or fsspec URL); callers reject longer files."""
    if _is_url(path):
        import fsspec

        with fsspec.open(path, "rb") as handle:
            return handle.read(limit + 1)
    from ..access.files import open_regular  # non-blocking, regular files only: a FIFO never hangs

    fd = open_regular(path)
    try:
        return os.pread(fd, limit + 1, 0)
    finally:
        os.close(fd)
