"""systemd's binary hardware database (``hwdb.bin``), read the way libudev reads it.

The file is a trie: an 80-byte header (signature ``KSLPHHRH``, sizes of each record kind,
the root node's offset, the lengths of the node and string sections), then nodes, each
followed by its child entries (one byte of the key and the child's offset, sorted by that
byte) and its value entries (key and value string offsets; from format v2 on also the source
file, line and file priority that decide between duplicate keys), then NUL-terminated strings.
Keys of the stored patterns are globs (``pci:v00008086d*``); a lookup walks the trie by the
modalias' bytes and ``fnmatch()``-es every subtree hanging off a ``*``, ``?`` or ``[`` child,
as sd-hwdb does, so the same properties come back in the same precedence.

Bounded: the file is mapped read-only after its size is checked against the header, every
offset is checked against its section before it is read, strings and patterns are capped at
the length udev's line buffer allows, and every walk counts its steps and keeps a visited
set. A damaged or hostile file is "no hwdb": :attr:`Hwdb.problem` says why, lookups answer
nothing, nothing raises.
"""
from __future__ import annotations

import mmap
import os
import stat

TYPE_CHECKING = False  # typing is imported by type checkers only: start-up cost
if TYPE_CHECKING:
    from typing import Optional, Sequence

# libudev's search order (Debian's systemd also looks under /lib); the first file that exists
# is the database, even when it turns out to be unusable.
SEARCH_PATH: tuple[str, ...] = (
    "/etc/systemd/hwdb/hwdb.bin",
    "/etc/udev/hwdb.bin",
    "/usr/lib/systemd/hwdb/hwdb.bin",
    "/lib/systemd/hwdb/hwdb.bin",
    "/lib/udev/hwdb.bin",
    "/usr/lib/udev/hwdb.bin",
)

SIGNATURE = b"KSLPHHRH"
# The records, all little-endian (read with int.from_bytes: the struct module's extension costs a
# listing more start-up than its lookups would save):
HEADER_SIZE = 80  # signature, then u64s: tool version, file size, 4 record sizes, root, 2 lengths
NODE_SIZE = 24  # u64 prefix offset, u8 children count (7 pad bytes), u64 values count
CHILD_SIZE = 16  # u8 key byte (7 pad bytes), u64 child offset
VALUE_SIZE = 16  # u64 key offset, u64 value offset
VALUE2_SIZE = 32  # ... u64 filename offset, u32 line number, u16 file priority (v2/v3; 2 pad bytes)

MAX_FILE_SIZE = 1 << 30
LINE_MAX = 2048  # udev builds each pattern in a LINE_MAX buffer
MAX_VALUE = 1 << 16  # longest property value accepted
MAX_STEPS = 200_000  # nodes one lookup may visit (lspci's lookups visit a few hundred)


class HwdbDamaged(Exception):
    """The file contradicts its own header (internal: turned into :attr:`Hwdb.problem`)."""


def find_hwdb_file(paths: Sequence[str] = SEARCH_PATH) -> Optional[str]:
    """The first of ``paths`` that exists (libudev stops there, usable or not)."""
    return next((path for path in paths if os.path.lexists(path)), None)


# --- the trie ----------------------------------------------------------------------------------

class _Node:
    """One parsed trie node: its prefix, children (key byte -> offset, and in file order), values."""

    __slots__ = ("prefix", "children", "order", "values")

    def __init__(self, prefix: bytes, order: list[tuple[int, int]], values: list[tuple]) -> None:
        self.prefix = prefix
        self.order = order
        self.children: dict[int, int] = {}
        for key, child in order:
            self.children.setdefault(key, child)
        self.values = values  # (key offset, value offset, filename offset, line, priority)


class Hwdb:
    """One hwdb.bin, mapped; :meth:`properties` answers what ``systemd-hwdb query`` prints."""

    def __init__(self, path: str) -> None:
        self.path = path
        self.problem: Optional[str] = None
        self._map: Optional[mmap.mmap] = None
        self._nodes: dict[int, _Node] = {}
        self._steps = 0  # nodes visited by the current lookup
        try:
            self._open(path)
        except OSError as exc:
            self._fail(f"cannot read {path}: {exc.strerror or exc}")
        except HwdbDamaged as exc:
            self._fail(f"{path}: {exc}")

    def _fail(self, why: str) -> None:
        self.problem = why
        if self._map is not None:
            self._map.close()
        self._map = None
        self._nodes.clear()

    def _open(self, path: str) -> None:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)  # a FIFO must not block us
        try:
            info = os.fstat(fd)
            if not stat.S_ISREG(info.st_mode):
                raise HwdbDamaged("not a regular file")
            if info.st_size < HEADER_SIZE:
                raise HwdbDamaged(f"too short for a header ({info.st_size} bytes)")
            if info.st_size > MAX_FILE_SIZE:
                raise HwdbDamaged(f"too large ({info.st_size} bytes)")
            # systemd-hwdb replaces the file by renaming a new one over it, so the mapped inode
            # never shrinks under us (a shrinking mapping would be SIGBUS, as for udev itself)
            self._map = mmap.mmap(fd, info.st_size, access=mmap.ACCESS_READ)
        finally:
            os.close(fd)
        size = info.st_size
        header = self._map[:HEADER_SIZE]
        _tool, file_size, header_size, node_size, child_size, value_size, root, nodes_len, strings_len = (
            _u64(header, at) for at in range(8, HEADER_SIZE, 8))
        if header[:8] != SIGNATURE:
            raise HwdbDamaged("not a hwdb.bin (bad signature)")
        if file_size != size:
            raise HwdbDamaged(f"header says {file_size} bytes, file has {size}")
        if header_size < HEADER_SIZE or node_size < NODE_SIZE or child_size < CHILD_SIZE or value_size < VALUE_SIZE:
            raise HwdbDamaged("record sizes smaller than the format's")
        self._nodes_start, self._nodes_end = header_size, header_size + nodes_len
        self._strings_end = self._nodes_end + strings_len
        if self._strings_end > size:
            raise HwdbDamaged("node and string sections run past the end of the file")
        self._node_size, self._child_size, self._value_size = node_size, child_size, value_size
        self._root = root
        self._node(root)  # a root outside the node section means no database at all

    # -- bounded readers

    def _string(self, offset: int, limit: int = LINE_MAX) -> bytes:
        if not self._nodes_end <= offset < self._strings_end:
            raise HwdbDamaged(f"string offset {offset:#x} outside the string section")
        end = self._map.find(b"\0", offset, min(self._strings_end, offset + limit))
        if end < 0:
            raise HwdbDamaged(f"string at {offset:#x} is unterminated or longer than {limit - 1} bytes")
        return self._map[offset:end]

    def _node(self, offset: int) -> _Node:
        node = self._nodes.get(offset)
        if node is not None:
            return node
        if not self._nodes_start <= offset <= self._nodes_end - self._node_size:
            raise HwdbDamaged(f"node offset {offset:#x} outside the node section")
        record = self._map[offset : offset + NODE_SIZE]
        prefix_off, n_children, n_values = _u64(record, 0), record[8], _u64(record, 16)
        children_at = offset + self._node_size
        values_at = children_at + n_children * self._child_size
        if values_at + n_values * self._value_size > self._nodes_end:
            raise HwdbDamaged(f"node at {offset:#x} has entries past the node section")
        prefix = self._string(prefix_off) if prefix_off else b""
        entries = self._map[children_at : values_at + n_values * self._value_size]  # children, then values
        step = self._child_size
        order = [(entries[at], _u64(entries, at + 8)) for at in range(0, n_children * step, step)]
        step, start = self._value_size, n_children * step
        values = [self._value(entries, at) for at in range(start, start + n_values * step, step)]
        node = _Node(prefix, order, values)
        self._nodes[offset] = node
        return node

    def _value(self, entries: bytes, at: int) -> tuple:
        """(key offset, value offset, filename offset, line, priority): the last three 0 before v2."""
        if self._value_size < VALUE2_SIZE:
            return _u64(entries, at), _u64(entries, at + 8), 0, 0, 0
        line = int.from_bytes(entries[at + 24 : at + 28], "little")
        priority = int.from_bytes(entries[at + 28 : at + 30], "little")
        return _u64(entries, at), _u64(entries, at + 8), _u64(entries, at + 16), line, priority

    # -- the lookup (sd-hwdb's trie_search_f / trie_fnmatch_f / hwdb_add_property)

    def properties(self, modalias: str) -> dict[str, str]:
        """Every property the database gives ``modalias``, as ``systemd-hwdb query`` prints them."""
        if self._map is None:
            return {}
        try:
            self._steps = 0
            chosen = self._search(modalias.encode("utf-8", "surrogateescape"))
            return {key: self._string(entry[1], MAX_VALUE).decode("utf-8", "replace") for key, entry in chosen.items()}
        except HwdbDamaged as exc:
            self._fail(f"{self.path}: {exc}")
            return {}

    def get(self, modalias: str, key: str) -> Optional[str]:
        """One property of ``modalias`` (``ID_MODEL_FROM_DATABASE`` ...), or None."""
        return self.properties(modalias).get(key)

    def _add(self, chosen: dict[str, tuple], entries: list[tuple]) -> None:
        for entry in entries:
            key = self._string(entry[0])
            if not key.startswith(b" "):  # udev ignores keys without the leading space
                continue
            name = key[1:].decode("utf-8", "replace")
            old = chosen.get(name)
            if old is not None and self._value_size >= VALUE2_SIZE and self._lower(entry, old):
                continue
            chosen[name] = entry

    @staticmethod
    def _lower(new: tuple, old: tuple) -> bool:
        """sd-hwdb's precedence for a duplicate key: file priority (v3) or file order (v2), then line."""
        _, _, new_file, new_line, new_prio = new
        _, _, old_file, old_line, old_prio = old
        if new_prio == 0:
            return new_file < old_file or (new_file == old_file and new_line < old_line)
        return new_prio < old_prio or (new_prio == old_prio and new_line < old_line)

    def _search(self, search: bytes) -> dict[str, tuple]:
        chosen: dict[str, tuple] = {}
        offset, i = self._root, 0
        while True:  # bounded: every pass consumes at least one byte of ``search``
            node = self._node(offset)
            for p, c in enumerate(node.prefix):
                if c in b"*?[":
                    self._match_subtree(chosen, offset, p, b"", search[i + p :])
                    return chosen
                if i + p >= len(search) or c != search[i + p]:
                    return chosen
            i += len(node.prefix)
            for glob in b"*?[":
                child = node.children.get(glob)
                if child is not None:
                    self._match_subtree(chosen, child, 0, bytes((glob,)), search[i:])
            if i >= len(search):
                self._add(chosen, node.values)
                return chosen
            offset = node.children.get(search[i])
            if offset is None:
                return chosen
            i += 1

    def _match_subtree(self, chosen: dict, top: int, p: int, lead: bytes, rest: bytes) -> None:
        """Add, in udev's order (children in file order, then the node), the values of every
        pattern below the node at ``top`` (its prefix from byte ``p`` on, after ``lead``) that
        ``fnmatch()``-es ``rest``.

        Walked with the set of positions of ``rest`` the pattern so far can have consumed; a
        subtree whose set is empty cannot match and is skipped (what fnmatch would conclude
        for each of its patterns). Below a ``[`` or a backslash the full fnmatch decides.
        """
        root = self._node(top)
        text = lead + root.prefix[p:]
        states = _advance({0}, text, rest)
        if states is not None and not states:
            return
        visited = {top}
        stack: list[list] = [[root, text, states, 0]]  # node, pattern so far, positions, next child
        while stack:
            frame = stack[-1]
            node, text, states, index = frame
            if index == len(node.order):
                stack.pop()
                if node.values and (len(rest) in states if states is not None else _fnmatch(text, rest)):
                    self._add(chosen, node.values)
                continue
            frame[3] += 1
            key, child_off = node.order[index]
            if child_off in visited:
                raise HwdbDamaged(f"node {child_off:#x} is reached twice (a loop or shared subtree)")
            visited.add(child_off)
            self._steps += 1
            if self._steps > MAX_STEPS:
                raise HwdbDamaged(f"one lookup would visit more than {MAX_STEPS} nodes")
            child = self._node(child_off)
            piece = bytes((key,)) + child.prefix
            if len(text) + len(piece) >= LINE_MAX:
                raise HwdbDamaged(f"a pattern longer than {LINE_MAX - 1} bytes")
            child_states = _advance(states, piece, rest) if states is not None else None
            if child_states is None or child_states:
                stack.append([child, text + piece, child_states, 0])


def _fnmatch(pattern: bytes, text: bytes) -> bool:
    """:func:`pcikit.globmatch.fnmatch`, imported on the first pattern with ``[`` or a backslash
    (a PCI name's look-up meets none)."""
    from .globmatch import fnmatch

    return fnmatch(pattern, text)


def _u64(data: bytes, at: int) -> int:
    """The little-endian u64 at ``at``."""
    return int.from_bytes(data[at : at + 8], "little")


def _advance(states: set[int], piece: bytes, text: bytes) -> Optional[set[int]]:
    """Positions of ``text`` a pattern can have consumed after ``piece`` more of it, given
    ``states`` before; None once ``piece`` holds ``[`` or a backslash (no shortcut then)."""
    end = len(text)
    for c in piece:
        if c == 0x2A:  # '*'
            states = set(range(min(states), end + 1))
        elif c == 0x3F:  # '?'
            states = {j + 1 for j in states if j < end}
        elif c in (0x5B, 0x5C):  # '[' or backslash
            return None
        else:
            states = {j + 1 for j in states if j < end and text[j] == c}
        if not states:
            break
    return states


_OPENED: dict[tuple, Hwdb] = {}


def open_hwdb(path: Optional[str] = None) -> Optional[Hwdb]:
    """The database at ``path`` (default: libudev's search order), opened once per process
    (again when the file changes).

    None when no file exists; a :class:`Hwdb` whose ``problem`` is set when one exists but is
    unusable (then it answers nothing, as libudev would).
    """
    path = path or find_hwdb_file()
    if path is None:
        return None
    try:
        info = os.stat(path)
        key = (path, info.st_ino, info.st_size, info.st_mtime_ns)
    except OSError:
        key = (path,)
    db = _OPENED.get(key)
    if db is None:
        db = _OPENED[key] = Hwdb(path)
    return db
