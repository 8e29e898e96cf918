"""The README's tour is real output: docs/make_tour.py regenerates it and must find nothing to change."""
from __future__ import annotations

import importlib.util
import re

import pytest

from .conftest import ROOT


def _make_tour():
    spec = importlib.util.spec_from_file_location("make_tour", ROOT / "docs" / "make_tour.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_readme_tour_is_current():
    make_tour = _make_tour()
    readme = (ROOT / "README.md").read_text()
    recorded = re.search(r"<!-- tour:begin (.*?) -->", readme)
    assert recorded, "README.md has no tour markers"
    if recorded.group(1) != make_tour.name_databases():
        pytest.skip(f"the tour was made with other name databases ({recorded.group(1)}; "
                    f"here {make_tour.name_databases()}): names would differ")
    start, end = make_tour.current_block(readme)
    assert readme[start:end] == make_tour.tour(), "README.md: the tour is stale; run python3 docs/make_tour.py"
