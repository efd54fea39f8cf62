"""The counting arithmetic, on small cases worked out by hand."""

from __future__ import annotations

from datetime import date

import pytest

from un1540.analytics.coverage import Tally, tally_marks
from un1540.analytics.timeline import (
    CellColumn,
    EditionRow,
    MarkMatrix,
    build_mark_matrix,
    tally_as_of,
)

# Two cells of OP2 (nuclear and chemical) and one OP1 cell that counts for chemical and biological.
CELLS = [
    CellColumn(1, "op2", "op2.f", "legal_framework", ("nw",)),
    CellColumn(2, "op2", "op2.f", "legal_framework", ("cw",)),
    CellColumn(3, "op1", "op1.cwc", "adherence", ("cw", "bw")),
]


def edition(
    number: int, state: str, *, group: str | None = "african", on: date | None = None
) -> EditionRow:
    return EditionRow(
        id=number, state=state, number=number, approved_on=on, group=group, region="africa"
    )


def matrix(editions: list[EditionRow], marks: dict[int, list[str]]) -> MarkMatrix:
    entries = [
        (edition_id, CELLS[index].id, mark)
        for edition_id, row in marks.items()
        for index, mark in enumerate(row)
    ]
    return build_mark_matrix(CELLS, editions, entries)


def test_coverage_excludes_not_applicable_and_counts_uncertain_apart() -> None:
    tally = tally_marks(["X", "X", "?", "NA", ""])
    assert (tally.cells, tally.measures, tally.uncertain, tally.not_applicable, tally.blank) == (
        5,
        2,
        1,
        1,
        1,
    )
    assert tally.applicable == 4
    assert tally.coverage == 0.5


def test_nothing_applicable_has_no_coverage_rather_than_zero() -> None:
    assert tally_marks(["NA", "NA"]).coverage is None
    assert Tally().coverage is None


def test_unknown_marks_are_refused() -> None:
    with pytest.raises(ValueError, match="unknown mark"):
        tally_marks(["Y"])


def test_op1_cells_count_towards_every_weapon_category_of_their_field() -> None:
    result = tally_as_of(matrix([edition(1, "A")], {1: ["X", "", "X"]}), "weapon")
    assert {key: (t.measures, t.cells) for key, t in result.tallies.items()} == {
        "nw": (1, 1),
        "cw": (1, 2),
        "bw": (1, 1),
    }


def test_average_measures_per_state_divides_by_states_seen() -> None:
    editions = [edition(1, "A"), edition(2, "B"), edition(3, "C", group="asia_pacific")]
    result = tally_as_of(
        matrix(editions, {1: ["X", "X", "NA"], 2: ["X", "?", "NA"], 3: ["X", "", "NA"]}), "group"
    )
    assert result.average_measures_per_state("african") == 1.5  # (2 + 1) / 2 States
    assert result.average_measures_per_state("asia_pacific") == 1.0
    assert result.tallies["african"].coverage == 0.75  # 3 X of 4 applicable cells
    assert result.tallies["african"].uncertain == 1


def test_states_without_group_are_kept_under_none() -> None:
    result = tally_as_of(matrix([edition(1, "A", group=None)], {1: ["X", "X", "X"]}), "group")
    assert set(result.tallies) == {"none"}


def test_the_edition_in_force_on_a_date_is_the_latest_approved_by_then() -> None:
    editions = [
        edition(1, "A", on=date(2008, 5, 1)),
        edition(2, "A", on=date(2012, 5, 1)),
        edition(3, "B", on=date(2013, 1, 1)),
    ]
    data = matrix(editions, {1: ["", "", ""], 2: ["X", "X", ""], 3: ["X", "X", "X"]})
    assert tally_as_of(data, "global", date(2007, 1, 1)).tallies == {}
    before = tally_as_of(data, "state", date(2012, 4, 30))
    assert {key: t.measures for key, t in before.tallies.items()} == {"A": 0}
    on_the_day = tally_as_of(data, "state", date(2012, 5, 1))
    assert {key: t.measures for key, t in on_the_day.tallies.items()} == {"A": 2}
    latest = tally_as_of(data, "global")
    assert (latest.tallies["all"].measures, latest.states["all"]) == (5, {"A", "B"})


def test_cells_outside_an_editions_framework_are_not_counted() -> None:
    data = matrix([edition(1, "A"), edition(2, "B")], {1: ["X", "X", "X"], 2: ["X"]})
    by_section = tally_as_of(data, "section")
    assert by_section.tallies["op1"].cells == 1
    assert by_section.states["op1"] == {"A"}
    assert tally_as_of(data, "global").tallies["all"].cells == 4


def test_an_entry_for_an_unknown_edition_or_cell_is_an_error() -> None:
    with pytest.raises(KeyError, match="unknown edition"):
        build_mark_matrix(CELLS, [edition(1, "A")], [(9, 1, "X")])
    with pytest.raises(KeyError, match="unknown cell"):
        build_mark_matrix(CELLS, [edition(1, "A")], [(1, 99, "X")])
