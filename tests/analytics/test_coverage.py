"""The counting arithmetic, on small cases worked out by hand."""

from __future__ import annotations

import pytest

from un1540.analytics.coverage import CellFact, Tally, tally_by, tally_marks


def fact(
    state: str,
    mark: str,
    *,
    section: str = "op2",
    weapons: tuple[str, ...] = ("nw",),
    column: str = "legal_framework",
    group: str | None = "african",
) -> CellFact:
    return CellFact(
        state=state,
        group=group,
        region="africa",
        section=section,
        field=f"{section}.f",
        column=column,
        weapons=weapons,
        mark=mark,
    )


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
    facts = [
        fact("A", "X", section="op1", weapons=("cw", "bw"), column="adherence"),
        fact("A", "", weapons=("cw",)),
        fact("A", "X", weapons=("nw",)),
    ]
    breakdown = tally_by(facts, "weapon")
    assert {key: (t.measures, t.cells) for key, t in breakdown.tallies.items()} == {
        "cw": (1, 2),
        "bw": (1, 1),
        "nw": (1, 1),
    }


def test_average_measures_per_state_divides_by_states_seen() -> None:
    facts = [
        fact("A", "X"),
        fact("A", "X"),
        fact("B", "X"),
        fact("B", "?"),
        fact("C", "X", group="asia_pacific"),
    ]
    breakdown = tally_by(facts, "group")
    assert breakdown.average_measures_per_state("african") == 1.5  # (2 + 1) / 2 States
    assert breakdown.average_measures_per_state("asia_pacific") == 1.0
    assert breakdown.tallies["african"].coverage == 0.75


def test_states_without_group_are_kept_under_none() -> None:
    assert set(tally_by([fact("A", "X", group=None)], "group").tallies) == {"none"}
