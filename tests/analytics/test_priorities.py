"""The prioritisation arithmetic, on small cases worked out by hand."""

from __future__ import annotations

import math

import pytest

from un1540.analytics.priorities import (
    FactorValue,
    Sensitivity,
    normalise,
    parse_weights,
    rank_states,
)

SENSITIVITY = Sensitivity(runs=200, spread=0.5, seed=7, band=0)


def values(table: dict[str, tuple[float, float]]) -> dict[str, dict[str, FactorValue]]:
    return {
        state: {"a": FactorValue(a, a), "b": FactorValue(b, b)} for state, (a, b) in table.items()
    }


def test_minmax_scales_between_the_states_with_data_and_fills_the_rest() -> None:
    result = normalise({"A": 10, "B": 20, "C": 30, "D": None}, transform="minmax", missing=0)
    assert {k: v.value for k, v in result.items()} == {"A": 0.0, "B": 0.5, "C": 1.0, "D": 0.0}
    assert result["D"].raw is None
    assert result["B"].raw == 20


def test_log_minmax_damps_a_long_tail() -> None:
    result = normalise({"A": 0, "B": 9, "C": 99}, transform="log_minmax", missing=0)
    assert result["B"].value == pytest.approx(math.log(10) / math.log(100))
    assert result["C"].value == 1.0


def test_binary_and_a_single_known_value() -> None:
    binary = normalise({"A": 0, "B": 1, "C": None}, transform="binary", missing=0.5)
    assert [binary[k].value for k in "ABC"] == [0.0, 1.0, 0.5]
    single = normalise({"A": 4, "B": None}, transform="minmax", missing=0)
    assert single["A"].value == 1.0


def test_scores_are_weighted_averages_and_explain_themselves() -> None:
    data = values({"A": (1.0, 0.0), "B": (0.0, 1.0), "C": (0.5, 0.5)})
    ranked = rank_states(data, {"a": 3.0, "b": 1.0}, SENSITIVITY)
    assert [(r.state, r.rank) for r in ranked] == [("A", 1), ("C", 2), ("B", 3)]
    assert [r.score for r in ranked] == [0.75, 0.5, 0.25]
    first = ranked[0]
    assert [(p.factor, p.points) for p in first.contributions] == [("a", 0.75), ("b", 0.0)]
    assert sum(p.points for p in first.contributions) == pytest.approx(first.score)


def test_changing_a_weight_changes_the_ranking() -> None:
    data = values({"A": (1.0, 0.0), "B": (0.0, 1.0)})
    assert rank_states(data, {"a": 2, "b": 1}, SENSITIVITY)[0].state == "A"
    assert rank_states(data, {"a": 1, "b": 2}, SENSITIVITY)[0].state == "B"


def test_a_zero_weight_leaves_the_factor_out_and_ties_go_alphabetically() -> None:
    data = values({"B": (0.5, 1.0), "A": (0.5, 0.0)})
    ranked = rank_states(data, {"a": 1, "b": 0}, SENSITIVITY)
    assert [r.state for r in ranked] == ["A", "B"]
    assert [p.factor for p in ranked[0].contributions] == ["a"]


def test_sensitivity_is_reproducible_and_tells_stable_from_fragile_ranks() -> None:
    # A leads on every factor (stable); B and C trade places when the weights move (fragile).
    data = values({"A": (1.0, 1.0), "B": (0.6, 0.4), "C": (0.4, 0.6)})
    first = rank_states(data, {"a": 1, "b": 1}, SENSITIVITY)
    again = rank_states(data, {"a": 1, "b": 1}, SENSITIVITY)
    assert first == again
    by_state = {r.state: r for r in first}
    assert by_state["A"].stability == 1.0
    assert (by_state["A"].rank_low, by_state["A"].rank_high) == (1, 1)
    assert 0.2 < by_state["B"].stability < 0.8
    assert (by_state["B"].rank_low, by_state["B"].rank_high) == (2, 3)


def test_weights_parse_over_the_defaults_and_every_problem_is_named() -> None:
    defaults = {"a": 1.0, "b": 0.5}
    assert parse_weights("a:2", defaults) == ({"a": 2.0, "b": 0.5}, [])
    assert parse_weights(" a : 0 , b:3 ", defaults)[0] == {"a": 0.0, "b": 3.0}
    _, problems = parse_weights("c:1,a:x,b", defaults)
    assert len(problems) == 3
    assert "unknown factor 'c'" in problems[0]
    assert "not a number" in problems[1]
    assert "not factor:weight" in problems[2]
    assert parse_weights("a:1,a:2", defaults)[1] == ["factor 'a' is given twice"]
    assert "sum to zero" in parse_weights("a:0,b:0", defaults)[1][0]
    assert "0 or more" in parse_weights("a:nan", defaults)[1][0]
