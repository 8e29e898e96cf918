"""Addresses and lspci-style -s / -d filters."""
from __future__ import annotations

import pytest

from pcikit.address import Address

from pcikit.filters import IdFilter, SlotFilter


def test_parse_and_format():
    assert str(Address.parse("00:1f.3")) == "0000:00:1f.3"
    assert Address.parse("0001:02:03.4") == Address(1, 2, 3, 4)


@pytest.mark.parametrize("bad", ["../../etc", "00:20.0", "0:0:0:0.0", "00:01.8", "00:01", ""])
def test_bad_addresses_are_refused(bad):
    with pytest.raises(ValueError):
        Address.parse(bad)


@pytest.mark.parametrize(
    "spec, address, expected",
    [
        ("00:1f.3", Address(0, 0, 0x1F, 3), True),
        ("1f", Address(0, 0, 0x1F, 3), True),
        (".3", Address(0, 5, 1, 3), True),
        ("02:", Address(0, 2, 9, 0), True),
        ("1:", Address(0, 1, 0, 0), True),
        ("0001::", Address(1, 7, 0, 0), True),
        ("0001::", Address(0, 7, 0, 0), False),
        ("00:1f.2", Address(0, 0, 0x1F, 3), False),
    ],
)
def test_slot_filter(spec, address, expected):
    assert SlotFilter.parse(spec).matches(address) is expected


def test_id_filter():
    assert IdFilter.parse("8086:").matches(0x8086, 0x1234, 0x0200)
    assert not IdFilter.parse(":1234").matches(0x8086, 0x1235, 0x0200)
    assert IdFilter.parse("::0200").matches(0x10EC, 0x8168, 0x0200)
    with pytest.raises(ValueError):
        IdFilter.parse("zz")
    with pytest.raises(ValueError):
        SlotFilter.parse("00;rm")
