"""reference/nuclear-profile.csv: which States the demo may give nuclear facilities and material."""

from __future__ import annotations

from pathlib import Path

import pytest

from un1540.errors import InvalidData
from un1540.reference.files import reference_path
from un1540.reference.nuclear import (
    NUCLEAR_PROFILE_FILE,
    load_nuclear_profile,
    parse_nuclear_profile,
)
from un1540.reference.states import load_states


def test_the_profile_lists_the_22_holders_of_weapons_usable_material() -> None:
    profile = load_nuclear_profile()
    holders = {iso3 for iso3, p in profile.items() if p.weapons_usable_material}
    assert len(holders) == 22  # NTI Nuclear Security Index 2023
    assert {"USA", "RUS", "CHN", "FRA", "GBR", "JPN"} <= holders
    assert not holders & {"NGA", "FJI", "KIR", "BRA", "ARG", "POL"}
    assert {"BRA", "ARG", "KOR"} <= {iso3 for iso3, p in profile.items() if p.power_reactors}
    assert set(profile) <= {state.iso3 for state in load_states()}
    header = reference_path(NUCLEAR_PROFILE_FILE).read_text(encoding="utf-8").splitlines()
    assert any("ntiindex.org" in line for line in header if line.startswith("#"))


def test_a_bad_profile_names_line_and_column(tmp_path: Path) -> None:
    path = tmp_path / "nuclear-profile.csv"
    path.write_text(
        "# header\n"
        "iso3,weapons_usable_material,power_reactors,note\n"
        "FRA,yes,yes,\n"
        "XXX,yes,no,\n"
        "FRA,no,yes,\n"
        "NGA,maybe,no,\n"
        "KEN,no,no,\n",
        encoding="utf-8",
    )
    with pytest.raises(InvalidData) as raised:
        parse_nuclear_profile(path, {"FRA", "NGA", "KEN"})
    problems = {(p.where, p.message) for p in raised.value.problems}
    assert ("nuclear-profile.csv, line 4, column iso3", "'XXX' is not a Member State") in problems
    assert ("nuclear-profile.csv, line 5, column iso3", "FRA is listed twice") in problems
    assert (
        "nuclear-profile.csv, line 6, column weapons_usable_material",
        "must be yes or no",
    ) in problems
    assert any(where == "nuclear-profile.csv, line 7" for where, _ in problems)
