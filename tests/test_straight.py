"""Generated parsers (pcikit.schema.straight) give what construct's parse gives, field for field.

Construct is the reference: its ``schema.parse`` against the generated ``parse(data, pos)``,
compared value by value, key order and types included (``True`` is not ``1``), for every
schema the decoders parse over the whole corpus (each call of ``parse_at`` checked as it
happens), and for every schema declared in the registry's modules on images built here at
several offsets, up to the end of the data (where construct fails, the generated parser must
fail too: ``parse_at`` then lets construct parse, so the error is construct's own).
"""
from __future__ import annotations

import importlib
import pkgutil
import struct

import pytest
from construct import Construct, Container, ListContainer

from pcikit.schema import caps, context, ecaps, header, registry
from pcikit.schema.bits import Register
from pcikit.schema.straight import generate
from pcikit.sources import open_source

from . import oracle
from .conftest import need_corpus

_GENERATED: dict[int, object] = {}


def _same(expected, got) -> bool:
    """Equal values of the same types; Containers with the same keys (construct's ``_`` ones aside) in
    order, each read as an attribute (where construct reads it so) giving what its item gives."""
    if isinstance(expected, Container):
        keys = [key for key in expected if not key.startswith("_")]
        return (isinstance(got, Container) and keys == list(got) and all(_same(expected[k], got[k]) for k in keys)
                and got == expected and all(_same(getattr(expected, k), getattr(got, k)) for k in keys if _attribute(k)))
    if isinstance(expected, ListContainer):
        return type(got) is ListContainer and len(got) == len(expected) and all(map(_same, expected, got))
    return type(expected) is type(got) and expected == got


def _attribute(key: str) -> bool:
    """True when construct's Container answers ``key`` as an attribute with its item."""
    return key.isidentifier() and not hasattr(Container, key)


def _parser(schema: Construct):
    if id(schema) not in _GENERATED:
        _GENERATED[id(schema)] = (schema, generate(schema))  # the schema kept alive with its id
    return _GENERATED[id(schema)][1]


def _check(schema: Construct, data: bytes, offset: int) -> bool:
    """Both parses agree (or both fail, the generated one with a short read); False when not generated."""
    parser = _parser(schema)
    if parser is None:
        return False
    try:
        expected = schema.parse(data[offset:])
    except Exception:  # noqa: BLE001 - construct's error, whatever it is: the generated parser fails too
        with pytest.raises(Exception):  # noqa: B017 - parse_at then lets construct raise its own
            parser(data, offset)
        return True
    got = parser(data, offset)
    assert _same(expected, got), f"{schema} at {offset:#x}: {got} != {expected}"
    return True


def _registry_modules() -> list:
    names = {entry.module for table in (registry.STANDARD, registry.EXTENDED) for entry in table.values()} - {None}
    found = [importlib.import_module(f"{package.__name__}.{info.name}")
             for package in (caps, ecaps) for info in pkgutil.iter_modules(package.__path__)]
    assert names <= {module.__name__.rsplit(".", 1)[1] for module in found}
    return [header, *found]


def test_every_declared_schema_parses_as_construct_parses():
    image = bytes((index * 37 + 11) & 0xFF for index in range(4096))
    generated = declared = 0
    for module in _registry_modules():
        for schema in vars(module).values():
            if not isinstance(schema, Construct):
                continue
            declared += 1
            for offset in (0, 0x40, 0x100, 0xFF0, 4090):
                generated += _check(schema, image, offset)
            generated += _check(schema, bytes(4096), 0) + _check(schema, b"\xff" * 4096, 0x40)
    assert declared > 300 and generated > 7 * 0.95 * declared  # (a RepeatUntil or two stay construct's)


def test_every_parse_of_the_whole_corpus(monkeypatch):
    """Every schema the decoders parse, at the offsets and on the bytes the corpus gives them."""
    need_corpus()
    real = context.parse_at
    checked = []

    def parse_at(schema, image, offset):
        checked.append(_check(schema, image, offset))
        return real(schema, image, offset)

    monkeypatch.setattr(context, "parse_at", parse_at)
    devices = 0
    for path in oracle.corpus_files():
        for device in open_source(dump=str(path)).load():
            devices += 1
            device.header
            for cap in device.capabilities + device.extended_capabilities:
                cap.fields
    assert devices > 500 and len(checked) > 4 * devices and sum(checked) == len(checked)  # every one generated


def test_registers_decoded_often_decode_as_their_fields_do():
    """Past the generation threshold a register decodes by a generated function: the same
    Container (keys in order, values and types) as each field's own decode, attributes included."""
    registers = {id(value): value for module in _registry_modules() for value in vars(module).values()
                 if isinstance(value, Register)}
    assert len(registers) > 100
    for register in registers.values():
        for raw in (0, 0xFFFFFFFF, 0x5A5A5A5A, 0x12345678):
            raw &= (1 << 8 * register.subcon.sizeof()) - 1
            expected = Container(raw=raw, **{spec.name: spec.decode(raw) for spec in register.fields})
            for _ in range(context.GENERATE_AFTER + 1):
                got = register.decode(raw)
            assert register._decoder is not None and _same(expected, got), f"{register.fields}"  # noqa: SLF001


def test_a_short_image_falls_back_to_constructs_error():
    """At the very end of the data the generated parser fails and construct parses (and words the error)."""
    from pcikit.schema.caps import msix

    with pytest.raises(struct.error):
        generate(msix.SCHEMA)(bytes(4096), 4094)
    for _ in range(context.GENERATE_AFTER + 1):  # past the generation threshold
        with pytest.raises(Exception, match="stream read less than specified amount"):
            context.parse_at(msix.SCHEMA, bytes(4096), 4094)
    assert context._parsers.get(msix.SCHEMA) is not None  # noqa: SLF001 - the generated parser was used


def test_compiled_parsers_are_kept_between_runs(tmp_path, monkeypatch):
    """The second generation of a schema reads the compiled code the first one wrote; a damaged
    or unwritable cache is only slower."""
    from pcikit.schema import codecache
    from pcikit.schema.caps import msix

    monkeypatch.setenv(codecache.ENV, str(tmp_path / "cache"))
    image = bytes(range(256)) * 16
    first = generate(msix.SCHEMA)
    files = list((tmp_path / "cache" / "parsers").iterdir())
    assert len(files) == 1 and files[0].suffix == ".code"

    def no_compile(*args):
        raise AssertionError("compiled again")

    monkeypatch.setattr(codecache, "compile", no_compile, raising=False)
    assert _same(msix.SCHEMA.parse(image[0x40:]), generate(msix.SCHEMA)(image, 0x40))
    monkeypatch.delattr(codecache, "compile")
    files[0].write_bytes(b"not marshal data")
    assert generate(msix.SCHEMA)(image, 0x40) == first(image, 0x40)
    monkeypatch.setenv(codecache.ENV, str(files[0]))  # a file where the folder should be: nothing written
    assert generate(msix.SCHEMA)(image, 0x40) == first(image, 0x40)


@pytest.mark.parametrize("plant", ["fifo", "huge", "not code"])
def test_a_planted_cache_entry_is_skipped_not_followed(tmp_path, monkeypatch, plant):
    """A FIFO (which would block an open), a file past the read bound, or marshal data that is not
    a code object at an entry's name is skipped: the parser is compiled again and still right."""
    import marshal
    import os

    from pcikit.schema import codecache
    from pcikit.schema.caps import msix

    monkeypatch.setenv(codecache.ENV, str(tmp_path / "cache"))
    image = bytes(range(256)) * 16
    expected = generate(msix.SCHEMA)(image, 0x40)
    (entry,) = (tmp_path / "cache" / "parsers").iterdir()
    entry.unlink()
    if plant == "fifo":
        os.mkfifo(entry)
    elif plant == "huge":
        entry.write_bytes(bytes(codecache._LIMIT + 1))  # noqa: SLF001 - just past the bound
    else:
        entry.write_bytes(marshal.dumps(("a", "tuple")))
    assert generate(msix.SCHEMA)(image, 0x40) == expected
