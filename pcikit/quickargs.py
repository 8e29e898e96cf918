"""The everyday command lines (``pcikit list -nn``, ``pcikit show -s 00:02.0 -vvv``) without argparse.

Importing argparse (with gettext and locale) and building a parser costs more than the rest of
``pcikit list``. :func:`quick_parse` reads the very ``add_argument`` declarations the CLI gives
argparse (recorded by :class:`Recorder`, so each option is declared once) and handles the plain
forms only: exact option names, ``-s VALUE``/``-sVALUE``/``--opt=VALUE``, clusters of flags
(``-vvv``, ``-nnk``). Anything else (help, abbreviations, unknown options, odd values) returns
None and the caller lets argparse parse it, so errors and help read exactly as before.
"""
from __future__ import annotations

TYPE_CHECKING = False  # typing is imported by type checkers only: start-up cost
if TYPE_CHECKING:
    from typing import Any, Callable, Optional, Sequence

_KNOWN_KEYWORDS = frozenset({"dest", "action", "default", "help", "metavar", "choices", "const"})
_WITHOUT_VALUE = frozenset({"count", "store_true", "store_const"})


class Recorder:
    """Stands in for an ArgumentParser (and its groups) and records what is declared."""

    def __init__(self) -> None:
        self.declared: list[tuple[tuple[str, ...], dict]] = []

    def add_argument(self, *flags: str, **kwargs: Any) -> None:
        """Record one option as argparse would be given it."""
        self.declared.append((flags, kwargs))

    def add_argument_group(self, *args: Any, **kwargs: Any) -> "Recorder":
        """Groups only change help output: options go to the same record."""
        return self


def _dest(flags: tuple[str, ...], kwargs: dict) -> str:
    """argparse's dest: given, else the first long flag, else the first short one."""
    if kwargs.get("dest"):
        return kwargs["dest"]
    name = next((flag for flag in flags if flag.startswith("--")), flags[0])
    return name.lstrip("-").replace("-", "_")


def quick_parse(declare: Callable[[Any], None], argv: Sequence[str]) -> Optional[dict[str, Any]]:
    """The option values argparse would give for ``argv`` (options only), or None when unsure.

    ``declare`` adds the subcommand's options to the parser it is handed.
    """
    recorder = Recorder()
    declare(recorder)
    actions: dict[str, tuple[str, str, dict]] = {}
    values: dict[str, Any] = {}
    for flags, kwargs in recorder.declared:
        action = kwargs.get("action", "store")
        if action not in ("store", "append") and action not in _WITHOUT_VALUE or set(kwargs) - _KNOWN_KEYWORDS:
            return None
        if not all(flag.startswith("-") for flag in flags):
            return None  # positional arguments: argparse's business
        dest = _dest(flags, kwargs)
        default = kwargs.get("default", False if action == "store_true" else None)
        values.setdefault(dest, list(default) if isinstance(default, list) else default)
        for flag in flags:
            actions[flag] = (dest, action, kwargs)
    index = 0
    while index < len(argv):
        arg = argv[index]
        index += 1
        if arg in actions:
            if actions[arg][1] in _WITHOUT_VALUE:
                _apply(values, actions[arg], None)
                continue
            if index >= len(argv) or argv[index].startswith("-"):
                return None
            if not _apply(values, actions[arg], argv[index]):
                return None
            index += 1
        elif arg.startswith("--") and "=" in arg:
            name, _, value = arg.partition("=")
            if name not in actions or actions[name][1] in _WITHOUT_VALUE or not _apply(values, actions[name], value):
                return None
        elif len(arg) > 2 and arg[0] == "-" and arg[1] != "-" and "=" not in arg:
            if not _cluster(values, actions, arg):
                return None
        else:
            return None
    return values


def _cluster(values: dict, actions: dict, arg: str) -> bool:
    """``-vvv``, ``-nnk`` (flags only) or ``-s00:02.0`` (one short option and its value)."""
    first = actions.get(arg[:2])
    if first is not None and first[1] not in _WITHOUT_VALUE:
        return _apply(values, first, arg[2:])
    found = [actions.get("-" + letter) for letter in arg[1:]]
    if not all(action is not None and action[1] in _WITHOUT_VALUE for action in found):
        return False
    for action in found:
        _apply(values, action, None)
    return True


def _apply(values: dict, action: tuple[str, str, dict], value: Optional[str]) -> bool:
    """Store one occurrence as argparse's action would; False for a value outside ``choices``."""
    dest, kind, kwargs = action
    if kind == "count":
        values[dest] = (values[dest] or 0) + 1
    elif kind == "store_true":
        values[dest] = True
    elif kind == "store_const":
        values[dest] = kwargs.get("const")
    else:
        if "choices" in kwargs and value not in kwargs["choices"]:
            return False
        if kind == "append":
            values[dest] = (values[dest] or []) + [value]
        else:
            values[dest] = value
    return True
