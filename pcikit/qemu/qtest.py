"""One QEMU process driven over the qtest protocol: start, exchange lines, always stop.

QEMU runs with its CPU paused (``-S``) and ``-qtest stdio``: each line written to
its standard input is one command (``readl 0xb0000000``, ``outl 0xcf8 0x80000000``),
answered by one line (``OK``, ``OK 0x...``, ``FAIL ...``). Every exchange has a
deadline. QEMU does not exit when its input closes, so :meth:`QtestProcess.close`
sends SIGTERM, then SIGKILL; on Linux the child also gets SIGKILL when the
process that started it dies (``PR_SET_PDEATHSIG``).
"""
from __future__ import annotations

import ctypes
import os
import selectors
import shlex
import shutil
import signal
import subprocess
import tempfile
import time
from typing import Optional, Sequence

from ..errors import PcikitError

DEFAULT_BINARY = "qemu-system-x86_64"
DEFAULT_TIMEOUT = 10.0  # seconds for one exchange (a batch counts as one)
START_TIMEOUT = 30.0  # seconds for QEMU to answer its first command
STOP_GRACE = 2.0  # seconds between SIGTERM and SIGKILL
BASE_ARGS = ("-machine", "q35", "-S", "-display", "none", "-nodefaults", "-qtest", "stdio", "-qtest-log", "/dev/null")
_PR_SET_PDEATHSIG = 1
_PIPE_CHUNK = 1 << 16
BATCH = 512  # commands per write: their answers (about 20 bytes each) stay well inside a 64 KiB pipe


class QemuError(PcikitError):
    """QEMU is missing, refused its arguments, stopped answering or answered nonsense."""


def _die_with_parent() -> None:  # runs in the child between fork and exec
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    except (OSError, AttributeError):
        pass  # not Linux: close() and the context managers still stop QEMU


def binary() -> str:
    """The QEMU binary to run: ``$PCIKIT_QEMU`` or ``qemu-system-x86_64``."""
    return os.environ.get("PCIKIT_QEMU", DEFAULT_BINARY)


def available() -> bool:
    """True when the QEMU binary can be found."""
    return shutil.which(binary()) is not None


def split_arguments(text: str) -> list[str]:
    """The user's QEMU arguments as a shell would split them; a QemuError when unbalanced."""
    try:
        return shlex.split(text)
    except ValueError as exc:
        raise QemuError(f"cannot split the QEMU arguments {text!r}: {exc}") from None


class QtestProcess:
    """A running ``qemu-system-x86_64 -qtest stdio`` and its command channel."""

    def __init__(
        self, extra_args: Sequence[str] = (), timeout: float = DEFAULT_TIMEOUT, start_timeout: float = START_TIMEOUT,
    ) -> None:
        self.timeout = timeout
        self.args = [binary(), *BASE_ARGS, *extra_args]
        self._stderr = tempfile.TemporaryFile()
        self._buffer = b""
        try:
            self._proc = subprocess.Popen(
                self.args, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=self._stderr,
                preexec_fn=_die_with_parent, close_fds=True,
            )
        except FileNotFoundError:
            self._stderr.close()
            raise QemuError(f"{self.args[0]} not found (install qemu-system-x86, or set PCIKIT_QEMU)") from None
        except OSError as exc:
            self._stderr.close()
            raise QemuError(f"cannot run {self.args[0]}: {exc.strerror}") from None
        os.set_blocking(self._proc.stdout.fileno(), False)
        self._selector = selectors.DefaultSelector()
        self._selector.register(self._proc.stdout, selectors.EVENT_READ)
        try:
            self.exchange("outl 0xcf8 0x80000000", timeout=start_timeout)
        except QemuError:
            self.close()
            raise

    # -- the channel ---------------------------------------------------------------------------
    def exchange(self, command: str, timeout: Optional[float] = None) -> str:
        """Send one command, return its answer after ``OK`` ('' for a bare OK)."""
        return self.exchange_many([command], timeout)[0]

    def exchange_many(self, commands: Sequence[str], timeout: Optional[float] = None) -> list[str]:
        """Send commands in batches, return their answers in order (QEMU answers in order).

        A batch's answers fit in a pipe buffer, so QEMU never blocks writing them while
        this side is still writing commands."""
        answers: list[str] = []
        for start in range(0, len(commands), BATCH):
            batch = commands[start : start + BATCH]
            self._send(("\n".join(batch) + "\n").encode("ascii"))
            deadline = time.monotonic() + (self.timeout if timeout is None else timeout)
            answers.extend(self._answer(command, deadline) for command in batch)
        return answers

    def _send(self, data: bytes) -> None:
        if self._proc.poll() is not None:
            raise QemuError(self._exit_reason())
        try:
            self._proc.stdin.write(data)
            self._proc.stdin.flush()
        except (BrokenPipeError, ValueError):
            raise QemuError(self._exit_reason()) from None

    def _answer(self, command: str, deadline: float) -> str:
        line = self._line(deadline)
        if line == "OK":
            return ""
        if line.startswith("OK "):
            return line[3:]
        raise QemuError(f"QEMU answered {line!r} to {command!r}")

    def _line(self, deadline: float) -> str:
        while True:
            end = self._buffer.find(b"\n")
            if end >= 0:
                line, self._buffer = self._buffer[:end], self._buffer[end + 1 :]
                return line.decode("ascii", "replace").strip()
            left = deadline - time.monotonic()
            if left <= 0 or not self._selector.select(left):
                self.close()
                raise QemuError("QEMU did not answer in time: stopped it")
            try:
                chunk = os.read(self._proc.stdout.fileno(), _PIPE_CHUNK)
            except BlockingIOError:
                continue
            self._buffer += chunk
            if not chunk:
                try:
                    self._proc.wait(STOP_GRACE)
                except subprocess.TimeoutExpired:
                    pass
                raise QemuError(self._exit_reason())

    def _exit_reason(self) -> str:
        """One line saying why QEMU stopped: its last error message, or its exit status."""
        status = self._proc.poll()
        self._stderr.seek(0)
        lines = [line.strip() for line in self._stderr.read().decode("utf-8", "replace").splitlines()]
        messages = [line for line in lines if line and "warning:" not in line]
        if messages:
            message = messages[-1]
            prefix = os.path.basename(self.args[0]) + ":"
            message = message[len(prefix) :].strip() if message.startswith(prefix) else message
            return f"QEMU refused to start: {message}"
        return f"QEMU exited (status {status})" if status is not None else "QEMU closed its output"

    # -- lifetime ------------------------------------------------------------------------------
    @property
    def pid(self) -> int:
        """QEMU's process ID."""
        return self._proc.pid

    @property
    def running(self) -> bool:
        """True while the process is alive."""
        return self._proc.poll() is None

    def close(self) -> None:
        """Stop QEMU: SIGTERM, then SIGKILL after a grace period; idempotent."""
        proc = self._proc
        if proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(STOP_GRACE)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        for stream in (proc.stdin, proc.stdout):
            try:
                stream.close()
            except (OSError, ValueError):
                pass
        if not self._stderr.closed:
            self._selector.close()
            self._stderr.close()

    def __enter__(self) -> "QtestProcess":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __del__(self) -> None:
        proc = getattr(self, "_proc", None)
        if proc is not None and proc.poll() is None:
            proc.kill()
