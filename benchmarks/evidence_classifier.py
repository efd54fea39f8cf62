"""The pair classifier's settings by grouped cross-validation (docs/evidence.md, "Round 12").

Runs the context-free grouped cross-validation of benchmarks/evidence.py ONCE per salt, keeping
for each fold the classifier's training rows (features, targets, weights) and the held-out
provisions' candidate rows, then refits only the classifier (the blend of gradient boosting and
logistic regression) with each setting of a grid and prints its micro-F1, per section and per
language, and the hard negatives left clean. The candidates and features do not depend on the
classifier, so each setting costs one classifier fit per fold, not a whole cross-validation.
Train split only: the test split is never read here.

    python benchmarks/evidence_classifier.py --folds 5 --salt '' --salt b --embeddings E.npz
        [--set NAME=VALUE ...] [--grid NAME]
"""

from __future__ import annotations

import argparse
import os
import pickle

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import time
from collections import defaultdict
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from evidence import set_switches
from un1540.analytics.evidence import model as evidence_model
from un1540.analytics.evidence.devset import Example, law_folds, law_of, load_devset
from un1540.analytics.evidence.lexicon import framework_fields, load_lexicon
from un1540.analytics.evidence.model import shared_embedder, suggest, train


class Recorder:
    """Stands in for the classifier: keeps what it is fitted on and asked about."""

    def __init__(self, linear_width: int | None = None) -> None:
        self.linear_width = linear_width
        self.fitted: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None
        self.asked: list[np.ndarray] = []

    def fit(self, rows: Any, targets: Any, sample_weight: Any = None) -> Recorder:
        self.fitted = (np.asarray(rows), np.asarray(targets), np.asarray(sample_weight))
        return self

    def predict_proba(self, rows: Any) -> Any:
        rows = np.asarray(rows)
        self.asked.append(rows)
        return np.zeros((len(rows), 2))


Fold = dict[str, Any]


def collect(lexicon: Any, train_set: Sequence[Example], group: dict[str, int]) -> list[Fold]:
    recorders: list[Recorder] = []
    candidates: list[list[str]] = []
    original_classifier = evidence_model._classifier
    original_candidates = evidence_model._candidates

    def classifier(width: int | None = None) -> Recorder:
        recorders.append(Recorder(width))
        return recorders[-1]

    def record_candidates(*args: Any, **kwargs: Any) -> list[str]:
        codes = original_candidates(*args, **kwargs)
        candidates.append(codes)
        return codes

    evidence_model._classifier = classifier  # type: ignore[assignment]
    evidence_model._candidates = record_candidates  # type: ignore[assignment]
    folds: list[Fold] = []
    try:
        for fold in sorted(set(group.values())):
            held = [e for e in train_set if group[law_of(e)] == fold]
            if not held:
                continue
            fold_model = train(lexicon, [e for e in train_set if group[law_of(e)] != fold])
            recorder = fold_model.classifier
            assert isinstance(recorder, Recorder)
            assert recorder.fitted is not None
            candidates.clear()
            suggest(fold_model, lexicon, [(e.id, e.text, e.language) for e in held])
            asked = iter(recorder.asked)
            held_rows = []
            for codes in candidates:
                held_rows.append((codes, next(asked) if codes else np.zeros((0, 1))))
            folds.append(
                {"fit": recorder.fitted, "width": recorder.linear_width, "held": held}
                | {"rows": held_rows}
            )
    finally:
        evidence_model._classifier = original_classifier  # type: ignore[assignment]
        evidence_model._candidates = original_candidates  # type: ignore[assignment]
    return folds


def evaluate(folds: list[Fold], cuts: dict[str, float]) -> dict[str, Any]:
    tallies: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])
    clean = negatives = 0
    for fold in folds:
        rows, targets, weights = fold["fit"]
        classifier = evidence_model._classifier(fold["width"])
        classifier.fit(rows, targets, sample_weight=weights)
        for example, (codes, asked) in zip(fold["held"], fold["rows"], strict=True):
            scores = list(classifier.predict_proba(asked)[:, 1]) if codes else []
            floor = evidence_model.relative_floor(scores)  # RELATIVE_CUT, as suggest
            predicted = {
                c
                for c, s in zip(codes, scores, strict=True)
                if framework_fields()[c][0] != "op1"
                and s >= max(cuts[framework_fields()[c][0]], floor)
            }
            if not example.labels:
                negatives += 1
                clean += not predicted
            for code in predicted | set(example.labels):
                keys = ("all", framework_fields()[code][0], example.language)
                slot = (
                    0
                    if code in predicted and code in example.labels
                    else (1 if code in predicted else 2)
                )
                for key in keys:
                    tallies[key][slot] += 1
    return {"tallies": tallies, "clean": (clean, negatives)}


def f1(t: list[int]) -> float:
    tp, fp, fn = t
    return 2 * tp / (2 * tp + fp + fn) if tp else 0.0


def line(name: str, figures: dict[str, Any]) -> str:
    t = figures["tallies"]
    keys = ("op2", "op3ab", "op3cd", "en", "fr", "es", "zh", "ru", "ar")
    parts = " ".join(f"{k} {f1(t[k]):.3f}" for k in keys)
    clean, total = figures["clean"]
    return f"  {name:<46} F1 {f1(t['all']):.3f} | {parts} | clean {clean}/{total}"


GRIDS: dict[str, list[tuple[str, dict[str, Any], float]]] = {
    "base": [("as set", {}, 0.5)],
    "blend": [("as set", {}, 0.5), ("blend boosted 0.3", {}, 0.3), ("blend boosted 0.7", {}, 0.7)],
    "boosted": [
        ("as set", {}, 0.5),
        ("lr 0.03", {"learning_rate": 0.03}, 0.5),
        ("leaves 7", {"max_leaf_nodes": 7}, 0.5),
        ("min leaf 20", {"min_samples_leaf": 20}, 0.5),
        ("l2 5", {"l2_regularization": 5.0}, 0.5),
        ("blend boosted 0.3", {}, 0.3),
        ("blend boosted 0.7", {}, 0.7),
    ],
    "l2": [
        ("l2 5", {"l2_regularization": 5.0}, 0.5),
        ("l2 10", {"l2_regularization": 10.0}, 0.5),
        ("l2 20", {"l2_regularization": 20.0}, 0.5),
    ],
    "size": [  # round 17: the train split is four times round 12's
        ("as set", {}, 0.5),
        ("iter 400", {"max_iter": 400}, 0.5),
        ("lr 0.03 iter 400", {"learning_rate": 0.03, "max_iter": 400}, 0.5),
        ("leaves 31", {"max_leaf_nodes": 31}, 0.5),
        ("leaves 31 min leaf 20", {"max_leaf_nodes": 31, "min_samples_leaf": 20}, 0.5),
        ("l2 5", {"l2_regularization": 5.0}, 0.5),
        ("blend boosted 0.3", {}, 0.3),
        ("blend boosted 0.7", {}, 0.7),
    ],
    "boosted2": [
        ("lr 0.1", {"learning_rate": 0.1}, 0.5),
        ("iter 100", {"max_iter": 100}, 0.5),
        ("leaves 31", {"max_leaf_nodes": 31}, 0.5),
        ("min leaf 5", {"min_samples_leaf": 5}, 0.5),
        ("min leaf 40", {"min_samples_leaf": 40}, 0.5),
        ("l2 0", {"l2_regularization": 0.0}, 0.5),
        ("class balanced", {"class_weight": "balanced"}, 0.5),
        ("boosted only", {}, 1.0),
        ("linear only", {}, 0.0),
    ],
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--devset", type=Path, action="append")
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--salt", action="append")
    parser.add_argument("--embeddings", type=Path)
    parser.add_argument("--set", action="append", default=[], metavar="NAME=VALUE")
    parser.add_argument("--grid", default="boosted", choices=sorted(GRIDS))
    parser.add_argument(
        "--cache",
        type=Path,
        help="keep the collected rows in this pickle per salt (FILE.SALT), reused when present",
    )
    parser.add_argument(
        "--cuts", action="store_true", help="also the F1 at one cut-off for all sections"
    )
    args = parser.parse_args()
    set_switches(parser, args.set)
    lexicon = load_lexicon()
    train_set = [e for e in load_devset(args.devset) if e.split == "train"]
    embedder = shared_embedder()
    if args.embeddings is not None and args.embeddings.exists():
        with np.load(args.embeddings) as stored:
            embedder.cache.update({key: stored[key] for key in stored.files})
    embedder.encode([e.text for e in train_set])
    base_cuts = dict(evidence_model.SECTION_THRESHOLDS)
    for salt in args.salt or [""]:
        started, cpu = time.perf_counter(), time.process_time()
        cache = None if args.cache is None else args.cache.with_suffix(f".{salt or 'empty'}.pkl")
        if cache is not None and cache.exists():
            with cache.open("rb") as stored:
                folds = pickle.load(stored)
        else:
            folds = collect(lexicon, train_set, law_folds(train_set, args.folds, salt))
            if cache is not None:
                with cache.open("wb") as out:
                    pickle.dump(folds, out)
        print(
            f"salt {salt!r}: {len(train_set)} train provisions, features collected in "
            f"{time.perf_counter() - started:.0f} s ({time.process_time() - cpu:.0f} s CPU)"
        )
        saved = (dict(evidence_model.BOOSTED), evidence_model.BLEND_BOOSTED)
        for name, settings, blend in GRIDS[args.grid]:
            evidence_model.BOOSTED = saved[0] | settings
            evidence_model.BLEND_BOOSTED = blend
            print(line(name, evaluate(folds, base_cuts)), flush=True)
        evidence_model.BOOSTED, evidence_model.BLEND_BOOSTED = saved
        if args.cuts:
            for value in (0.25, 0.3, 0.35, 0.4):
                cuts = dict.fromkeys(base_cuts, value)
                print(line(f"cut-off {value}", evaluate(folds, cuts)), flush=True)


if __name__ == "__main__":
    main()
