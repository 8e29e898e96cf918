"""The DOE mailbox's control side (PCIe 6.0 6.30, 7.9.24): Abort and Go, without a responder.

DOE Abort and DOE Go always read 0. An Abort ends any exchange: Busy, Error and Data Object
Ready clear and both mailboxes empty. A Go with no responder modelled completes nothing (no
data object becomes ready). A write to the Read Data Mailbox takes the next response dword;
with no response queued the mailbox reads 0.
"""
from __future__ import annotations

from ..model import Capability
from ..schema.ecaps import doe as doe_schema
from .config import MockConfig
from .registers import bit, locate

_ABORT = bit(doe_schema.DOE_CONTROL, "doe_abort")
_GO = bit(doe_schema.DOE_CONTROL, "doe_go")
_ENDED_BY_ABORT = (bit(doe_schema.DOE_STATUS, "doe_busy") | bit(doe_schema.DOE_STATUS, "doe_error")
                   | bit(doe_schema.DOE_STATUS, "data_object_ready"))


class DoeMailbox:
    """The DOE capability ``cap`` of a mock function."""

    def __init__(self, config: MockConfig, cap: Capability) -> None:
        self._config = config
        where = locate(cap)
        self._control, self._status = where["doe_control"], where["doe_status"]
        self._write_mailbox, self._read_mailbox = where["doe_write_data_mailbox"], where["doe_read_data_mailbox"]
        config.watch(self._control, 4, self._control_written)
        config.watch(self._read_mailbox, 4, lambda old, new: config.poke(self._read_mailbox, 4, 0))

    def _control_written(self, old: int, new: int) -> None:
        if new & _ABORT:
            self._config.poke(self._status, 4, self._config.peek(self._status, 4) & ~_ENDED_BY_ABORT)
            self._config.poke(self._write_mailbox, 4, 0)
            self._config.poke(self._read_mailbox, 4, 0)
        self._config.poke(self._control, 4, new & ~(_ABORT | _GO))
