"""The prioritisation aid's arithmetic: normalise factors, weight them, rank, test stability.

Method (reference/priorities.yml says it to users): every factor becomes a value from 0 to 1 per
State; a State's score is the weighted average of its values (weights need not sum to 1); States
are ranked by score, ties by code. The sensitivity analysis multiplies each weight by a random
factor in [1 - spread, 1 + spread] (a fixed seed, so it is reproducible), re-ranks, and reports
for each State the range of ranks seen (5th to 95th percentile) and the share of runs in which
its rank moved by at most `band` places. An aid for focusing dialogue, never a compliance verdict.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

TRANSFORMS = ("minmax", "log_minmax", "binary")


@dataclass(frozen=True)
class FactorValue:
    raw: float | None  # the gap share or the indicator as imported; None when there is no data
    value: float  # 0..1, as used in the score


def normalise(
    raw: Mapping[str, float | None], *, transform: str, missing: float
) -> dict[str, FactorValue]:
    """Turn raw values into 0..1 across the States that have data; others get `missing`."""
    if transform not in TRANSFORMS:
        raise ValueError(f"unknown transform {transform!r}")
    known = {state: value for state, value in raw.items() if value is not None}
    if transform == "binary":
        scaled = {state: 1.0 if value > 0 else 0.0 for state, value in known.items()}
    else:
        shaped = {
            state: math.log1p(value) if transform == "log_minmax" else value
            for state, value in known.items()
        }
        low, high = min(shaped.values(), default=0.0), max(shaped.values(), default=0.0)
        span = high - low
        scaled = {
            state: (value - low) / span if span > 0 else (1.0 if value > 0 else 0.0)
            for state, value in shaped.items()
        }
    return {
        state: FactorValue(raw=raw[state], value=scaled.get(state, missing))
        if raw[state] is not None
        else FactorValue(raw=None, value=missing)
        for state in raw
    }


@dataclass(frozen=True)
class Contribution:
    factor: str
    weight: float
    raw: float | None
    value: float
    points: float  # weight * value / total weight: the part of the score this factor gives


@dataclass(frozen=True)
class Ranked:
    state: str
    rank: int
    score: float
    contributions: tuple[Contribution, ...]
    rank_low: int  # 5th percentile of the ranks seen under perturbed weights
    rank_high: int  # 95th percentile
    stability: float  # share of runs whose rank stayed within the band


@dataclass(frozen=True)
class Sensitivity:
    runs: int
    spread: float
    seed: int
    band: int


def _ranks(scores: npt.NDArray[np.float64]) -> npt.NDArray[np.int64]:
    """Rank 1 for the highest score in each row; ties keep the (alphabetical) column order."""
    order = np.argsort(-scores, axis=-1, kind="stable")
    ranks = np.empty_like(order)
    np.put_along_axis(ranks, order, np.arange(1, scores.shape[-1] + 1), axis=-1)
    return ranks


def rank_states(
    values: Mapping[str, Mapping[str, FactorValue]],
    weights: Mapping[str, float],
    sensitivity: Sensitivity,
) -> list[Ranked]:
    """Rank the States by weighted score, each explained and with its rank's stability."""
    states = sorted(values)
    factors = [code for code in weights if weights[code] > 0]
    total = sum(weights[code] for code in factors)
    if total <= 0:
        raise ValueError("the weights sum to zero")
    if not states:
        return []
    table = np.array([[values[state][code].value for code in factors] for state in states])
    base_weights = np.array([weights[code] for code in factors])
    scores = table @ base_weights / total
    ranks = _ranks(scores)
    generator = np.random.default_rng(sensitivity.seed)
    multipliers = generator.uniform(
        1 - sensitivity.spread, 1 + sensitivity.spread, size=(sensitivity.runs, len(factors))
    )
    perturbed = multipliers * base_weights
    run_scores = (perturbed @ table.T) / perturbed.sum(axis=1, keepdims=True)
    run_ranks = _ranks(run_scores)
    low = np.percentile(run_ranks, 5, axis=0, method="lower")
    high = np.percentile(run_ranks, 95, axis=0, method="higher")
    stable = (np.abs(run_ranks - ranks) <= sensitivity.band).mean(axis=0)
    results = []
    for index, state in enumerate(states):
        contributions = tuple(
            Contribution(
                factor=code,
                weight=weights[code],
                raw=values[state][code].raw,
                value=values[state][code].value,
                points=weights[code] * values[state][code].value / total,
            )
            for code in factors
        )
        results.append(
            Ranked(
                state=state,
                rank=int(ranks[index]),
                score=float(scores[index]),
                contributions=contributions,
                rank_low=int(low[index]),
                rank_high=int(high[index]),
                stability=float(stable[index]),
            )
        )
    return sorted(results, key=lambda result: result.rank)


def parse_weights(text: str, defaults: Mapping[str, float]) -> tuple[dict[str, float], list[str]]:
    """`factor:weight,...` over the defaults; returns the weights and every problem found."""
    weights = dict(defaults)
    problems = []
    seen: set[str] = set()
    for part in (piece.strip() for piece in text.split(",")):
        if not part:
            continue
        code, separator, number = part.partition(":")
        code = code.strip()
        if not separator:
            problems.append(f"{part!r} is not factor:weight")
            continue
        if code not in defaults:
            problems.append(f"unknown factor {code!r}; known: {', '.join(defaults)}")
            continue
        if code in seen:
            problems.append(f"factor {code!r} is given twice")
            continue
        seen.add(code)
        try:
            weight = float(number)
        except ValueError:
            problems.append(f"weight of {code!r} is not a number: {number.strip()!r}")
            continue
        if not math.isfinite(weight) or weight < 0:
            problems.append(f"weight of {code!r} must be a number of 0 or more")
            continue
        weights[code] = weight
    if not problems and sum(weights.values()) <= 0:
        problems.append("the weights sum to zero; give at least one factor a positive weight")
    return weights, problems


def spread_of(ranks: Sequence[Ranked]) -> float:
    """Mean width of the rank ranges: a one-number summary of how much the ranking moves."""
    return float(np.mean([r.rank_high - r.rank_low for r in ranks])) if ranks else 0.0
