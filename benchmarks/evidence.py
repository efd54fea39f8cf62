"""Benchmark of the evidence suggestions (issue 10, items 4 and 5; docs/evidence.md).

Trains the model on the TRAIN split of the development set (reference/evidence/devset/) and
prints, on the TEST split (never trained on):
- micro-F1 (precision, recall) over (provision, field) pairs: overall, per language and per
  section (op2, op3ab, op3cd);
- of the correct fields, the share whose weapons and whose columns are also exactly right;
- the share of hard negatives (labels []) that get no suggestion;
- the time per provision (model loaded; and a 30-article law including the model load).
Then a cross-validation over the train split grouped by source (each law held out, the model
trained on the other laws; leave-one-source-out by default, --folds K for K groups of laws,
faster) to estimate how the model does on laws it has never seen, and the same figures for the
lexicon alone (a field is suggested when all its concepts and a weapon concept match) as a
baseline. The cross-validation uses the model's per-section cut-offs; with --thresholds, the F1
of each section at every cut-off of a grid and the best cut-off per section (how
model.SECTION_THRESHOLDS were chosen: on the cross-validation, never on the test split).

    python benchmarks/evidence.py [--devset DIR ...] [--no-cv] [--folds K] [--thresholds]
"""

from __future__ import annotations

import argparse
import hashlib
import os

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import time
from collections import defaultdict
from collections.abc import Sequence
from pathlib import Path

from un1540.analytics.evidence.context import cited_texts
from un1540.analytics.evidence.devset import Example, load_devset
from un1540.analytics.evidence.lexicon import Lexicon, framework_fields, load_lexicon
from un1540.analytics.evidence.model import Suggested, shared_embedder, suggest, train
from un1540.analytics.evidence.text import LANGUAGES


class Tally:
    def __init__(self) -> None:
        self.tp = self.fp = self.fn = 0

    def f1(self) -> tuple[float, float, float]:
        p = self.tp / (self.tp + self.fp) if self.tp + self.fp else 0.0
        r = self.tp / (self.tp + self.fn) if self.tp + self.fn else 0.0
        return p, r, (2 * p * r / (p + r) if p + r else 0.0)

    def line(self, name: str) -> str:
        p, r, f = self.f1()
        counts = f"(tp {self.tp}, fp {self.fp}, fn {self.fn})"
        return f"  {name:<10} F1 {f:.3f}  P {p:.3f}  R {r:.3f}  {counts}"


def score(examples: Sequence[Example], results: Sequence[Suggested]) -> dict[str, object]:
    overall, by_language, by_section = Tally(), defaultdict(Tally), defaultdict(Tally)
    weapons_right = columns_right = correct = 0
    negatives = negatives_clean = 0
    for example, result in zip(examples, results, strict=True):
        predicted = {s.field: s for s in result.suggestions}
        if not example.labels:
            negatives += 1
            negatives_clean += not predicted
        for code in set(predicted) | set(example.labels):
            section = framework_fields()[code][0]
            tallies = (overall, by_language[example.language], by_section[section])
            if code in predicted and code in example.labels:
                for t in tallies:
                    t.tp += 1
                correct += 1
                label, got = example.labels[code], predicted[code]
                weapons_right += tuple(sorted(got.weapons)) == tuple(sorted(label.weapons))
                columns_right += tuple(got.columns) == tuple(label.columns)
            elif code in predicted:
                for t in tallies:
                    t.fp += 1
            else:
                for t in tallies:
                    t.fn += 1
    return {
        "overall": overall,
        "language": by_language,
        "section": by_section,
        "weapons": weapons_right / correct if correct else 0.0,
        "columns": columns_right / correct if correct else 0.0,
        "negatives": (negatives_clean, negatives),
    }


def report(title: str, figures: dict[str, object]) -> None:
    print(title)
    print(figures["overall"].line("overall"))  # type: ignore[attr-defined]
    for language in LANGUAGES:
        tally = figures["language"].get(language)  # type: ignore[attr-defined]
        if tally is not None:
            print(tally.line(language))
    for section in ("op2", "op3ab", "op3cd"):
        tally = figures["section"].get(section)  # type: ignore[attr-defined]
        if tally is not None:
            print(tally.line(section))
    clean, total = figures["negatives"]  # type: ignore[misc]
    print(
        f"  of the correct fields: weapons right {figures['weapons']:.1%}, "
        f"columns right {figures['columns']:.1%}; hard negatives with no suggestion "
        f"{clean}/{total}"
    )


def lexicon_only(lexicon: Lexicon, examples: Sequence[Example]) -> list[Suggested]:
    from un1540.analytics.evidence.model import Suggestion, analyse

    results = []
    for example in examples:
        provision = analyse(lexicon, example.id, example.text, example.language)
        context = any(
            lexicon.concepts[c].kind in ("weapon", "delivery", "dual_use")
            and lexicon.concepts[c].strength == "strong"
            for c in provision.hits
        )
        found = [
            Suggestion(code, [], [], 1.0, {})
            for code, rule in lexicon.fields.items()
            if context and all(provision.hits.get(c) for c in rule.all)
        ]
        results.append(Suggested(example.id, provision.language, found))
    return results


def _cited(examples: Sequence[Example]) -> list[list[str]]:
    """The document context of each provision: the texts of the provisions of the same law (among
    those given) it cites by number, as the library links a law's provisions."""
    return cited_texts([(e.source, e.extra["article"], e.text, e.language) for e in examples])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--devset", type=Path, action="append", help="devset directory")
    parser.add_argument("--no-cv", action="store_true", help="skip the cross-validation")
    parser.add_argument("--thresholds", action="store_true")
    parser.add_argument("--folds", type=int, default=0, help="K groups of laws (0: one per law)")
    args = parser.parse_args()
    lexicon = load_lexicon()
    examples = load_devset(args.devset)
    train_set = [e for e in examples if e.split == "train"]
    test_set = [e for e in examples if e.split == "test"]
    print(
        f"lexicon {lexicon.version}; development set: {len(train_set)} train, "
        f"{len(test_set)} test provisions; languages "
        + ", ".join(
            f"{lang} {sum(e.language == lang for e in train_set)}/"
            f"{sum(e.language == lang for e in test_set)}"
            for lang in LANGUAGES
        )
    )
    embedder = shared_embedder()
    started = time.perf_counter()
    embedder.encode([e.text for e in examples])
    print(f"embedding every provision once: {time.perf_counter() - started:.1f} s")
    started = time.perf_counter()
    model = train(lexicon, train_set, embedder=embedder)
    print(f"training on the train split: {time.perf_counter() - started:.1f} s")
    embedder.cache.clear()  # time the test split as new text
    started = time.perf_counter()
    results = suggest(
        model, lexicon, [(e.id, e.text, None) for e in test_set], cited=_cited(test_set)
    )
    elapsed = time.perf_counter() - started
    detected = sum(r.language == e.language for r, e in zip(results, test_set, strict=True))
    report("TEST split (language detected, not given)", score(test_set, results))
    print(
        f"  speed {1000 * elapsed / max(len(test_set), 1):.0f} ms per provision; "
        f"language detected right {detected}/{len(test_set)}"
    )
    report("TEST split, lexicon alone (baseline)", score(test_set, lexicon_only(lexicon, test_set)))
    if args.no_cv:
        return
    sources = sorted({e.source for e in train_set})
    if args.folds:
        group = {
            source: int(hashlib.md5(source.encode()).hexdigest(), 16) % args.folds
            for source in sources
        }
    else:
        group = {source: index for index, source in enumerate(sources)}
    all_scores: dict[str, Suggested] = {}
    started = time.perf_counter()
    for fold in sorted(set(group.values())):
        held = [e for e in train_set if group[e.source] == fold]
        fold_model = train(
            lexicon, [e for e in train_set if group[e.source] != fold], embedder=embedder
        )
        for example, result in zip(
            held,
            suggest(
                fold_model,
                lexicon,
                [(e.id, e.text, e.language) for e in held],
                every_candidate=True,
                cited=_cited(held),
            ),
            strict=True,
        ):
            all_scores[example.id] = result
    print(
        f"cross-validation over {len(sources)} sources in {len(set(group.values()))} folds: "
        f"{time.perf_counter() - started:.0f} s"
    )

    def cut(cuts: dict[str, float]) -> list[Suggested]:
        return [
            Suggested(
                all_scores[e.id].id,
                all_scores[e.id].language,
                [
                    s
                    for s in all_scores[e.id].suggestions
                    if s.score >= cuts[framework_fields()[s.field][0]]
                ],
            )
            for e in train_set
        ]

    report(
        "CROSS-VALIDATION by source document (train split), cut-offs "
        + ", ".join(f"{k} {v}" for k, v in model.section_thresholds.items()),
        score(train_set, cut(model.section_thresholds)),
    )
    if args.thresholds:
        best: dict[str, float] = {}
        for section in ("op2", "op3ab", "op3cd"):
            line, top = [], (-1.0, 0.0)
            for value in (0.1, 0.15, 0.2, 0.25, 0.3, 0.35, 0.4, 0.5, 0.6):
                figures = score(train_set, cut(dict.fromkeys(("op2", "op3ab", "op3cd"), value)))
                f1 = figures["section"][section].f1()[2]  # type: ignore[index]
                line.append(f"{value}: {f1:.3f}")
                top = max(top, (f1, value))
            best[section] = top[1]
            print(f"  {section} F1 by cut-off: " + ", ".join(line))
        report(f"CROSS-VALIDATION at the best cut-offs {best}", score(train_set, cut(best)))


if __name__ == "__main__":
    main()
