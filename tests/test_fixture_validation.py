"""Spec validation: every error names the spec file, the item and the field, and says what is wrong."""
from __future__ import annotations

import pytest

from pcikit.fixture import SpecError, build, loads_spec

PATH = "specs/example.toml"
BASE = """
vendor_id = 0x1af4
device_id = 0x1041
class_code = 0x020000
"""
MSIX_BAR = """
[[bars]]
index = 1
address = 0xfebd1000
size = 0x1000
"""
EXPRESS = """
[[capabilities]]
name = "PCI Express"
fields.pcie_capabilities = { version = 2, device_port_type = 0 }
"""


def problems(text: str) -> list[str]:
    """Every problem line of a spec that must not build."""
    with pytest.raises(SpecError) as info:
        build(loads_spec(BASE + text, PATH))
    lines = str(info.value).splitlines()
    assert all(line.startswith(f"{PATH}: ") for line in lines)
    return lines


def one(text: str) -> str:
    found = problems(text)
    assert len(found) == 1, found
    return found[0]


def test_a_good_spec_builds():
    fixture = build(loads_spec(BASE, PATH))
    assert len(fixture.config) == 256
    assert fixture.config[:4] == bytes.fromhex("f41a4110")


def test_toml_syntax_errors_name_the_file():
    with pytest.raises(SpecError) as info:
        loads_spec("vendor_id = = 1\n", PATH)
    assert str(info.value).startswith(f"{PATH}: TOML: ")


def test_missing_and_unknown_top_level_keys():
    with pytest.raises(SpecError) as info:
        loads_spec("device_id = 1\nclass_code = 0\nvendor = 1\n", PATH)
    text = str(info.value)
    assert f"{PATH}: device: vendor_id: missing (required)" in text
    assert f"{PATH}: device: vendor: unknown key" in text


def test_values_out_of_range_and_of_the_wrong_type():
    assert one("revision = 0x100\n") == f"{PATH}: device: revision: 0x100 is out of range (0x0..0xff)"
    with pytest.raises(SpecError) as info:
        loads_spec(BASE.replace("0x1041", '"1041"'), PATH)
    assert f"{PATH}: device: device_id: expected an integer, not a string" in str(info.value)


def test_64bit_bar_in_the_last_slot():
    line = one("[[bars]]\nindex = 5\nbits = 64\n")
    assert line == f"{PATH}: bars[1]: bits: a 64-bit BAR needs two slots; BAR 5 is the last one"


def test_bar_alignment_size_and_overlap():
    assert one("[[bars]]\nindex = 0\naddress = 0x1800\nsize = 0x1000\n") == (
        f"{PATH}: bars[1]: address: 0x1800 is not aligned to the BAR size 0x1000"
    )
    assert one("[[bars]]\nindex = 0\nsize = 0x1800\n") == (
        f"{PATH}: bars[1]: size: 0x1800 is not a power of two of at least 16 bytes"
    )
    line = one("[[bars]]\nindex = 0\nbits = 64\n[[bars]]\nindex = 1\n")
    assert line == f"{PATH}: bars[2]: index: BAR register 1 is already used by bars[1]"
    assert one("[[bars]]\nindex = 2\nspace = \"io\"\nprefetchable = true\n") == (
        f"{PATH}: bars[1]: space: an I/O BAR is 32-bit and not prefetchable"
    )


def test_bridge_has_two_bars_only():
    line = one("header_type = 1\n[[bars]]\nindex = 2\n")
    assert line == f"{PATH}: bars[1]: index: a header of this type has BARs 0..1 only"


def test_overlapping_capabilities():
    line = one(MSIX_BAR + """
[[capabilities]]
name = "MSI-X"
offset = 0x40
fields = { table = { bir = 1 }, pba = { bir = 1, offset = 0x800 } }
[[capabilities]]
name = "Power Management"
offset = 0x48
""")
    assert line == (
        f"{PATH}: capability 2 (Power Management at 0x048): offset: overlaps capability 1 (MSI-X at 0x040), "
        "which takes 0x040-0x04b"
    )


def test_pointer_outside_config_space_and_into_the_header():
    line = one("[[capabilities]]\nname = \"MSI\"\noffset = 0xf8\nfields.message_control = { address_64bit = true }\n")
    assert line.startswith(f"{PATH}: capability 1 (MSI at 0x0f8): offset: its ")
    assert line.endswith(" bytes run past the end of the standard capability area (0x0ff)")
    line = one("[[capabilities]]\nname = \"Power Management\"\noffset = 0x20\n")
    assert line == f"{PATH}: capability 1 (Power Management at 0x020): offset: overlaps the header (0x000-0x03f)"
    line = one("[[capabilities]]\nname = \"Power Management\"\noffset = 0x42\n")
    assert line == f"{PATH}: capability 1 (Power Management at 0x042): offset: 0x42 is not dword-aligned"


def test_msix_table_that_does_not_fit_its_bar():
    line = one(MSIX_BAR + """
[[capabilities]]
name = "MSI-X"
fields.message_control = { table_size = 512 }
fields.table = { bir = 1, offset = 0x800 }
fields.pba = { bir = 1, offset = 0x0 }
""")
    assert line == f"{PATH}: capability 1 (MSI-X at 0x040): fields.table.bir: the table (0x800-0x27ff) does not fit BAR 1 (size 0x1000)"


def test_msix_bir_naming_a_missing_bar_or_an_upper_half():
    found = problems("""
[[bars]]
index = 0
bits = 64
[[capabilities]]
name = "MSI-X"
fields.table = { bir = 1 }
fields.pba = { bir = 2 }
""")
    assert f"{PATH}: capability 1 (MSI-X at 0x040): fields.table.bir: the table names BAR 1, the upper half of 64-bit BAR 0" in found
    assert f"{PATH}: capability 1 (MSI-X at 0x040): fields.pba.bir: the PBA names BAR 2, which the spec does not declare" in found


def test_msix_bir_reserved_or_naming_an_io_bar():
    # PCIe Base Spec 7.7.2.4: BIR values 6 and 7 are reserved; the table and PBA live in memory space
    found = problems("""
[[bars]]
index = 0
space = "io"
size = 0x100
[[capabilities]]
name = "MSI-X"
fields.table = { bir = 0 }
fields.pba = { bir = 6 }
""")
    assert f"{PATH}: capability 1 (MSI-X at 0x040): fields.table.bir: the table names BAR 0, an I/O BAR" in found
    assert f"{PATH}: capability 1 (MSI-X at 0x040): fields.pba.bir: BIR 6 is reserved (BARs are 0-5)" in found


def test_msix_table_and_pba_overlapping():
    line = one(MSIX_BAR + """
[[capabilities]]
name = "MSI-X"
fields.message_control = { table_size = 4 }
fields.table = { bir = 1 }
fields.pba = { bir = 1, offset = 0x20 }
""")
    assert line == f"{PATH}: capability 1 (MSI-X at 0x040): fields.pba.offset: the PBA (0x20-0x27) overlaps the table (0x0-0x3f)"


def test_msix_structures_too_far_into_a_bar_of_unknown_size():
    line = one("""
[[bars]]
index = 0
[[capabilities]]
name = "MSI-X"
fields.table = { bir = 0, offset = 0x4000000 }
fields.pba = { bir = 0, offset = 0x0 }
""")
    assert line == f"{PATH}: capability 1 (MSI-X at 0x040): fields.table.bir: the table ends at 0x4000010, beyond the 16 MiB a BAR image holds"


def test_vectors_beyond_the_table():
    line = one(MSIX_BAR + """
[[capabilities]]
name = "MSI-X"
fields.message_control = { table_size = 2 }
fields.table = { bir = 1 }
fields.pba = { bir = 1, offset = 0x800 }
vectors = [{ vector = 2, address = 0xfee00000 }]
""")
    assert line == f"{PATH}: capability 1 (MSI-X at 0x040): vectors[0].vector: vector 2 is beyond the table's 2 entries"


def test_unknown_field_names_the_known_ones():
    line = one("[[capabilities]]\nname = \"MSI\"\nfields.message_control = { enabled = true }\n")
    assert line.startswith(f"{PATH}: capability 1 (MSI at 0x040): fields.message_control.enabled: unknown field (known here: raw, enable,")


def test_field_values_that_do_not_fit():
    line = one(MSIX_BAR + "[[capabilities]]\nname = \"MSI-X\"\nfields.message_control = { table_size = 4096 }\n")
    assert line == f"{PATH}: capability 1 (MSI-X): fields.message_control.table_size: 4096 does not fit this 11-bit field (1..2048)"
    line = one("[[capabilities]]\nname = \"MSI\"\noffset = 0x40\nfields.message_control = { enable = 1 }\n")
    assert line == f"{PATH}: capability 1 (MSI at 0x040): fields.message_control.enable: expected true or false, not an integer"


def test_summary_keys_must_agree_with_the_registers():
    line = one("[[capabilities]]\nname = \"MSI\"\nfields = { enable = true }\n")
    assert line == (
        f"{PATH}: capability 1 (MSI at 0x040): fields.enable: the spec says true, but the built bytes decode to false"
        " (enable is derived from the registers: set those instead)"
    )


def test_conflicting_fields_of_one_register():
    line = one(MSIX_BAR + """
[[capabilities]]
name = "MSI-X"
fields.message_control = { table_size_raw = 3, table_size = 8 }
fields.table = { bir = 1 }
fields.pba = { bir = 1, offset = 0x800 }
""")
    assert line == f"{PATH}: capability 1 (MSI-X at 0x040): fields.message_control.table_size_raw: the spec says 3, but the built bytes decode to 7"


def test_registers_the_function_does_not_have():
    line = one(EXPRESS.replace("device_port_type = 0 }", "device_port_type = 0 }\nfields.slot_capabilities = { hot_plug_capable = true }"))
    assert line.startswith(f"{PATH}: capability 1 (PCI Express at 0x040): fields.slot_capabilities: this register or block is not present here")


def test_capability_names_and_ids():
    with pytest.raises(SpecError) as info:
        loads_spec(BASE + "[[capabilities]]\nname = \"MSIX\"\n[[capabilities]]\nid = 0x05\nname = \"MSI-X\"\n", PATH)
    text = str(info.value)
    assert f"{PATH}: capabilities[1]: name: no capability is called 'MSIX'" in text
    assert f"{PATH}: capabilities[2]: name: 'MSI-X' is ID 0x11, but id says 0x5" in text


def test_extended_capabilities_need_pcie_and_start_at_0x100():
    line = one("[[extended_capabilities]]\nname = \"Device Serial Number\"\n")
    assert line == (
        f"{PATH}: extended capability 1 (Device Serial Number): extended capabilities are walked only when a PCI Express"
        " or PCI-X capability exists"
    )
    line = one(EXPRESS + "[[extended_capabilities]]\nname = \"Device Serial Number\"\noffset = 0x140\n")
    assert line == (
        f"{PATH}: extended capability 1 (Device Serial Number at 0x140): offset: the extended list starts at 0x100:"
        " the first extended capability must be there"
    )
    line = one("config_size = 256\n" + EXPRESS + "[[extended_capabilities]]\nname = \"Device Serial Number\"\n")
    assert "extended capabilities need config_size 4096 (it is 256)" in line


def test_fields_for_a_capability_pcikit_cannot_build():
    line = one("[[capabilities]]\nname = \"CompactPCI Hot Swap\"\nfields = { x = 1 }\n")
    assert line == (
        f"{PATH}: capability 1 (CompactPCI Hot Swap): fields: pcikit has no schema to build this capability"
        " from fields; give its bytes as hex"
    )


def test_raw_runs_past_config_size_and_conflicting_with_fields():
    assert one("[[raw]]\noffset = 0xfe\nhex = \"010203\"\n") == (
        f"{PATH}: raw[1]: hex: 0x0fe-0x100 runs past config_size (256)"
    )
    line = one("[[raw]]\noffset = 0x00\nhex = \"8680\"\n")
    assert line.startswith(f"{PATH}: device: vendor_id: the spec says 0x1af4, but the built image has 0x8086")


def test_bridge_subsystem_needs_its_capability():
    line = one("header_type = 1\nsubsystem_vendor_id = 0x8086\nsubsystem_id = 1\n")
    assert line.startswith(f"{PATH}: device: subsystem_vendor_id: a bridge (header type 1) reports subsystem IDs")


def test_header_overrides_are_checked_by_name():
    line = one("[header.body]\nmin_grant = 1\n")
    assert line.startswith(f"{PATH}: header: header.body.min_grant: unknown field (known here:")


def test_all_problems_are_reported_at_once():
    found = problems("""
[[bars]]
index = 5
bits = 64
[[bars]]
index = 0
size = 3
""")
    assert len(found) == 2


def _leaves(document, path=()):
    if isinstance(document, dict):
        for key, value in document.items():
            yield from _leaves(value, path + (key,))
    elif isinstance(document, list):
        for index, value in enumerate(document):
            yield from _leaves(value, path + (index,))
    if path:
        yield path


def test_hostile_values_anywhere_in_a_spec_give_spec_errors_only():
    """Every key of every shipped spec set to values of the wrong type or size: a SpecError, never a crash."""
    import copy
    import random
    from pathlib import Path

    from pcikit.fixture import parse_spec
    from pcikit.fixture.tomlio import loads

    hostile = [True, -1, "x", [], {}, 2**70, 0, 0xFFFF, [1, 2], {"a": 1}, 4096]
    rng = random.Random(6)
    for spec in sorted((Path(__file__).resolve().parent.parent / "specs").glob("*.toml")):
        document = loads(spec.read_text())
        paths = list(_leaves(document))
        for path in rng.sample(paths, min(len(paths), 40)):
            for value in hostile:
                mutated = copy.deepcopy(document)
                target = mutated
                for key in path[:-1]:
                    target = target[key]
                target[path[-1]] = value
                try:
                    build(parse_spec(mutated, str(spec)))
                except SpecError:
                    pass
