"""Regenerate the README's "A short tour" from real pcikit output.

Run: ``python3 docs/make_tour.py`` (rewrites README.md between the tour markers), or
``python3 docs/make_tour.py --check`` (exit 1 when the README's tour is stale). Every
command runs ``python -m pcikit`` from this checkout on ``docs/tour.lspci.txt``, an
``lspci -xxxx`` dump of a QEMU/KVM guest with five virtio devices (refresh it from a
machine with ``lspci -xxxx > docs/tour.lspci.txt``). Names come from the pci.ids and
hwdb of the machine that runs the script; the begin marker records their digests so
the test can tell a stale tour from one made with other name databases.
"""
from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from pathlib import Path
from typing import Optional

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"
DUMP = "docs/tour.lspci.txt"
BEGIN, END = "<!-- tour:begin", "<!-- tour:end -->"

# (command line as shown, lines of output kept (None: all), comment shown after the command)
TOUR: list[tuple[str, Optional[int], str]] = [
    (f"pcikit list -F {DUMP}", None, ""),
    (f"pcikit show -F {DUMP} -s 03", None, ""),
    (f"pcikit show -F {DUMP} -s 03 --format lspci -vv", 12, "what lspci 3.14 -vv prints; --lspci-version 3.9 for Debian 12's"),
    (f"pcikit show -F {DUMP} -s 03 --json", 14, ""),
    (f"pcikit msix -F {DUMP}", None, "a dump holds no BARs: the table needs --bar N=FILE"),
    (f"pcikit tree -F {DUMP} -v", None, ""),
    (f"pcikit diff fixtures/captured/qemu-virtio-net.toml {DUMP}@00:03.0", 8,
     "exit 0: that capture rebuilds this device"),
]


def _digest(path: Optional[str]) -> str:
    if not path:
        return "none"
    try:
        return hashlib.sha256(Path(path).read_bytes()).hexdigest()[:16]
    except OSError:
        return "none"


def name_databases() -> str:
    """``pci.ids=<digest> hwdb=<digest>`` of the name sources this machine would use."""
    sys.path.insert(0, str(ROOT))
    from pcikit.hwdb import find_hwdb_file
    from pcikit.ids import find_ids_file

    return f"pci.ids={_digest(find_ids_file())} hwdb={_digest(find_hwdb_file())}"


def run(command: str) -> str:
    """The output of one tour command (``pcikit`` run from this checkout, in ROOT)."""
    argv = command.split()
    env = dict(os.environ, PYTHONPATH=str(ROOT), COLUMNS="100")
    env.pop("PCIKIT_LSPCI_VERSION", None)
    result = subprocess.run([sys.executable, "-m", "pcikit", *argv[1:]], cwd=ROOT, env=env,
                            capture_output=True, text=True, timeout=120)
    return result.stdout


def tour() -> str:
    """The tour's markdown: one console block with every command and its (shortened) output."""
    parts = []
    for command, keep, comment in TOUR:
        lines = run(command).rstrip("\n").split("\n")
        if keep is not None and len(lines) > keep:
            lines = lines[:keep] + ["..."]
        shown = f"$ {command}" + (f"      # {comment}" if comment else "")
        parts.append("\n".join([shown, *lines]))
    body = "\n\n".join(parts)
    return f"{BEGIN} {name_databases()} -->\n```console\n{body}\n```\n{END}"


def current_block(text: str) -> tuple[int, int]:
    """(start, end) of the tour markers in the README text."""
    start = text.index(BEGIN)
    end = text.index(END, start) + len(END)
    return start, end


def main(argv: list[str]) -> int:
    text = README.read_text()
    start, end = current_block(text)
    fresh = text[:start] + tour() + text[end:]
    if "--check" in argv:
        if fresh != text:
            print("README.md: the tour is stale; run python3 docs/make_tour.py", file=sys.stderr)
            return 1
        return 0
    README.write_text(fresh)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
