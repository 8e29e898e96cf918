"""argparse that reports a bad command line in one line naming the (sub)command: exit 2."""
from __future__ import annotations

import argparse
import re
from typing import NoReturn, Optional, Sequence

_PROG = "_command_prog"  # the deepest (sub)command parsed, for the message
_CLUSTER = re.compile(r"argument (-\w+)(?:/\S+)?: ignored explicit argument '(.)")


class CommandParser(argparse.ArgumentParser):
    """An ArgumentParser whose errors are ``PROG SUBCOMMAND: what is wrong`` and exit status 2."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.set_defaults(**{_PROG: self.prog})

    def error(self, message: str) -> NoReturn:
        """One line on stderr, no usage text; exit 2."""
        cluster = _CLUSTER.match(message)
        if cluster:  # "-vmz": argparse blames -m for the z it cannot take
            message = f"unknown option -{cluster.group(2)} (after {cluster.group(1)})"
        self.exit(2, f"{self.prog}: {message} (see {self.prog} --help)\n")

    def parse_args(self, args: Optional[Sequence[str]] = None, namespace=None) -> argparse.Namespace:  # type: ignore[override]
        """Parse; an argument nobody takes is reported by the subcommand it was given to."""
        parsed, extras = self.parse_known_args(args, namespace)
        prog = vars(parsed).pop(_PROG, self.prog)
        if extras:
            what = "option" if extras[0].startswith("-") else "argument"
            self.exit(2, f"{prog}: unknown {what} {extras[0]} (see {prog} --help)\n")
        return parsed
