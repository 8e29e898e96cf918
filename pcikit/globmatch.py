"""fnmatch(3) with flags 0 on bytes in the C locale, as udev calls it to match hwdb.bin patterns.

glibc's answers, down to unterminated brackets and unknown character classes (tests compare
with the C library). :mod:`pcikit.hwdb` needs it only below a ``[`` or a backslash in a pattern.
"""
from __future__ import annotations

TYPE_CHECKING = False  # typing is imported by type checkers only: start-up cost
if TYPE_CHECKING:
    from typing import Callable, Optional

_CLASSES: dict[bytes, Callable[[int], bool]] = {
    b"alnum": lambda c: chr(c).isalnum() and c < 128,
    b"alpha": lambda c: chr(c).isalpha() and c < 128,
    b"blank": lambda c: c in (0x20, 0x09),
    b"cntrl": lambda c: c < 0x20 or c == 0x7F,
    b"digit": lambda c: 0x30 <= c <= 0x39,
    b"graph": lambda c: 0x21 <= c <= 0x7E,
    b"lower": lambda c: 0x61 <= c <= 0x7A,
    b"print": lambda c: 0x20 <= c <= 0x7E,
    b"punct": lambda c: 0x21 <= c <= 0x7E and not chr(c).isalnum(),
    b"space": lambda c: c in (0x20, 0x09, 0x0A, 0x0B, 0x0C, 0x0D),
    b"upper": lambda c: 0x41 <= c <= 0x5A,
    b"xdigit": lambda c: chr(c) in "0123456789abcdefABCDEF",
}

_STAR = -1  # the token for "*"; every other token is the frozenset of bytes it matches
_ALL = frozenset(range(1, 256))


def _bracket_items(pattern: bytes, i: int) -> tuple[list, int]:
    """The members of ``[...]`` from ``i`` (after any ``!``/``^``) in order, and the index after
    the closing ``]`` (-1 when there is none). A member is a set of bytes, or None for an unknown
    class (glibc gives up there); a range or escape the pattern's end cuts off ends the list
    with ``...`` (glibc gives up on the whole pattern)."""
    end = len(pattern)
    items: list = []
    first = True
    while i < end:
        c = pattern[i]
        if c == 0x5D and not first:  # ']'
            return items, i + 1
        first = False
        if c == 0x5B and i + 1 < end and pattern[i + 1] in b":=.":  # [:class:], [=c=], [.c.]
            kind = pattern[i + 1]
            j = i + 2
            while j < end and 0x61 <= pattern[j] < 0x7A and kind == 0x3A:  # glibc: class names in a..y
                j += 1
            name = pattern[i + 2 : j]
            if kind == 0x3A and j + 1 < end and pattern[j] == 0x3A and pattern[j + 1] == 0x5D:
                test = _CLASSES.get(name)
                items.append(frozenset(b for b in range(1, 256) if test(b)) if test else None)
                i = j + 2
                continue
            if kind != 0x3A and i + 5 <= end and pattern[i + 3 : i + 5] == bytes((kind, 0x5D)):
                items.append(frozenset((pattern[i + 2],)))
                i += 5
                continue
            # not a class after all: '[' is an ordinary member
        if c == 0x5C:  # backslash quotes the next byte, inside brackets too
            if i + 1 >= end:
                items.append(...)
                return items, -1
            i += 1
            c = pattern[i]
        i += 1
        if i + 1 < end and pattern[i] == 0x2D and pattern[i + 1] != 0x5D:  # a range c-x
            high_at = i + 1
            if pattern[high_at] == 0x5C:
                high_at += 1
            if high_at >= end:
                items.append(...)
                return items, -1
            items.append(frozenset(range(c, pattern[high_at] + 1)))
            i = high_at + 1
        elif i + 1 == end and pattern[i] == 0x2D:  # "c-" at the very end: a range without its end
            items.append(frozenset((c,)))
            items.append(...)
            return items, -1
        else:
            items.append(frozenset((c,)))
    return items, -1


def _bracket(pattern: bytes, start: int) -> tuple[frozenset, int]:
    """``[...]`` at ``start`` as glibc evaluates it (lazily, member by member): (the bytes it
    matches, the index after it). glibc stops at the first member that matches or gives up,
    so a member it gives up on hides the members after it. Unterminated, the ``[`` is an
    ordinary byte (what follows is read again as pattern), unless the pattern's end cut off a
    range or an escape in it: then it never matches."""
    i = start + 1
    negate = i < len(pattern) and pattern[i] in b"!^"
    items, after = _bracket_items(pattern, i + negate)
    if after < 0:
        return (frozenset() if items and items[-1] is ... else frozenset((0x5B,))), start + 1
    reached: set[int] = set()
    gave_up = False
    for item in items:
        if item is None:
            gave_up = True
            break
        reached.update(item)
    if negate:
        return (frozenset() if gave_up else frozenset(_ALL - reached)), after
    return frozenset(reached), after


def compile_glob(pattern: bytes) -> Optional[list]:
    """Tokens of an fnmatch pattern (flags 0); None when the pattern can never match."""
    tokens: list = []
    i, end = 0, len(pattern)
    while i < end:
        c = pattern[i]
        if c == 0x2A:  # '*'
            if not tokens or tokens[-1] != _STAR:
                tokens.append(_STAR)
            i += 1
        elif c == 0x3F:  # '?'
            tokens.append(_ALL)
            i += 1
        elif c == 0x5B:  # '['
            members, i = _bracket(pattern, i)
            tokens.append(members)
        elif c == 0x5C:  # backslash quotes the next byte; a trailing one never matches
            if i + 1 >= end:
                return None
            tokens.append(frozenset((pattern[i + 1],)))
            i += 2
        else:
            tokens.append(frozenset((c,)))
            i += 1
    return tokens


def glob_match(tokens: Optional[list], text: bytes) -> bool:
    """Whether compiled ``tokens`` match all of ``text`` (one backtrack point: O(len*len))."""
    if tokens is None:
        return False
    t = s = 0
    star_t = star_s = -1
    while s < len(text):
        if t < len(tokens) and tokens[t] == _STAR:
            star_t, star_s = t, s
            t += 1
        elif t < len(tokens) and text[s] in tokens[t]:
            t += 1
            s += 1
        elif star_t >= 0:
            star_s += 1
            s, t = star_s, star_t + 1
        else:
            return False
    while t < len(tokens) and tokens[t] == _STAR:
        t += 1
    return t == len(tokens)


def fnmatch(pattern: bytes, text: bytes) -> bool:
    """fnmatch(3) with flags 0 on bytes in the C locale, as udev calls it (glibc's answers,
    down to unterminated brackets and unknown classes; malformed ``[=`` and ``[.`` elements
    inside a bracket are read as ordinary bytes, where glibc sometimes gives up)."""
    return glob_match(compile_glob(pattern), text)
