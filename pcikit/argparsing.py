"""argparse that reports a bad command line in one line naming the (sub)command: exit 2."""
from __future__ import annotations

import argparse
import os
import re
import sys

TYPE_CHECKING = False  # typing is not imported at run time: start-up cost
if TYPE_CHECKING:
    from typing import NoReturn, Optional, Sequence

_PROG = "_command_prog"  # the deepest (sub)command parsed, for the message
_CLUSTER = re.compile(r"argument (-\w+)(?:/\S+)?: ignored explicit argument '(.)")


def _terminal_columns() -> int:
    """What ``shutil.get_terminal_size().columns`` answers ($COLUMNS, the terminal, else 80),
    without importing shutil (and its compression modules) into every command's start-up."""
    try:
        columns = int(os.environ["COLUMNS"])
    except (KeyError, ValueError):
        columns = 0
    if columns <= 0:
        try:
            columns = os.get_terminal_size(sys.__stdout__.fileno()).columns
        except (AttributeError, ValueError, OSError):
            columns = 0
    return columns or 80


class _HelpFormatter(argparse.HelpFormatter):
    """argparse's formatter, given the terminal width as argparse computes it (``columns - 2``)."""

    def __init__(self, prog: str, indent_increment: int = 2, max_help_position: int = 24, width=None) -> None:
        super().__init__(prog, indent_increment, max_help_position, _terminal_columns() - 2 if width is None else width)


class CommandParser(argparse.ArgumentParser):
    """An ArgumentParser whose errors are ``PROG SUBCOMMAND: what is wrong`` and exit status 2."""

    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("formatter_class", _HelpFormatter)
        super().__init__(*args, **kwargs)
        self.set_defaults(**{_PROG: self.prog})
        self._given: list[str] = []

    def parse_known_args(self, args=None, namespace=None):  # type: ignore[override]
        """Remember what this (sub)command was given, to name an unknown option in errors."""
        self._given = [str(arg) for arg in (args if args is not None else [])]
        return super().parse_known_args(args, namespace)

    def _before_subcommand(self) -> list[str]:
        """What this parser was given before its subcommand's name (all of it without subcommands)."""
        if self._subparsers is None:
            return self._given
        first = next((i for i, arg in enumerate(self._given) if not arg.startswith("-")), len(self._given))
        return self._given[:first]

    def _unknown_option(self) -> Optional[str]:
        """The first option this parser does not take (before ``--``; before the subcommand), if any."""
        for arg in self._given:
            if arg == "--" or (self._subparsers is not None and not arg.startswith("-")):
                break
            if not arg.startswith("-") or arg == "-" or arg.split("=", 1)[0] in self._option_string_actions:
                continue
            if arg.startswith("--") or f"-{arg[1:2]}" not in self._option_string_actions:
                return arg
        return None

    def error(self, message: str) -> NoReturn:
        """One line on stderr, no usage text; exit 2. An unknown option is named before anything else."""
        cluster = _CLUSTER.match(message)
        unknown = self._unknown_option()
        if cluster:  # "-vmz": argparse blames -m for the z it cannot take
            message = f"unknown option -{cluster.group(2)} (after {cluster.group(1)})"
        elif unknown is not None:
            message = f"unknown option {unknown}"
        self.exit(2, f"{self.prog}: {message} (see {self.prog} --help)\n")

    def parse_args(self, args: Optional[Sequence[str]] = None, namespace=None) -> argparse.Namespace:  # type: ignore[override]
        """Parse; an argument nobody takes is reported by the subcommand it was given to."""
        parsed, extras = self.parse_known_args(args, namespace)
        prog = vars(parsed).pop(_PROG, self.prog)
        if extras and extras[0] in self._before_subcommand():
            prog = self.prog  # given before the subcommand: this parser's
        if extras:
            what = "option" if extras[0].startswith("-") else "argument"
            self.exit(2, f"{prog}: unknown {what} {extras[0]} (see {prog} --help)\n")
        return parsed
