"""Benchmark of the evidence suggestions (issue 10, items 4 and 5; docs/evidence.md).

Trains the model on the TRAIN split of the development set (reference/evidence/devset/) and
prints, on the TEST split (never trained on):
- micro-F1 (precision, recall) over (provision, field) pairs: overall, per language and per
  section (op2, op3ab, op3cd);
- of the correct fields, the share whose weapons and whose columns are also exactly right;
- the share of hard negatives (labels []) that get no suggestion;
- the time per provision (model loaded; and a 30-article law including the model load).
Every figure twice: with the document context (the cited provisions of the same law, as the
library reads a law) and with each provision scored ALONE, as `un1540 evidence suggest` and the
held-out scorer see it (one provision per line, no context), and the latter once more without
the test provisions that repeat 120 normalised characters of a train provision (model laws
copied by several States, a code's successive versions: partly seen in training).
Then a cross-validation over the train split grouped by law (the `law` key of a devset line when
it has one, so parallel language versions of a law fall in one group, else its `source`; each
law held out, the model trained on the other laws; leave-one-law-out by default, --folds K for K
groups of laws by a hash of the law, --salt S for another grouping, repeatable) to estimate how
the model does on laws it has never seen, and the same figures for the lexicon alone (a field is
suggested when all its concepts and a weapon concept match) as a baseline. The
cross-validation uses the model's per-section cut-offs; with --thresholds, the F1
of each section at every cut-off of a grid and the best cut-off per section (how
model.SECTION_THRESHOLDS were chosen: on the cross-validation, never on the test split).

    python benchmarks/evidence.py [--devset DIR ...] [--no-cv] [--no-test] [--folds K]
        [--salt S ...] [--thresholds] [--embeddings FILE.npz] [--set NAME=VALUE ...]
        [--learning-curve 25,50,75]

--learning-curve trains on a share of the train split's laws (each share a subset of the next:
laws ranked by a hash of their name) and scores the whole test split with each model, each
provision alone, beside the model of the whole train split: how much more labelled law would
still buy (docs/evidence.md, round 22).

--set changes one of the model's switches (a module constant of analytics/evidence/model.py,
the value a Python literal) for this run only, to measure a variant without editing the code:
`--set MULTILABEL_BAG=0.25 --set PROTOTYPES=True`.
"""

from __future__ import annotations

import argparse
import ast
import json
import os
import re

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import time
from collections import defaultdict
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from un1540.analytics.evidence import model as evidence_model
from un1540.analytics.evidence.context import cited_texts
from un1540.analytics.evidence.devset import Example, law_folds, law_of, load_devset
from un1540.analytics.evidence.lexicon import Lexicon, framework_fields, load_lexicon
from un1540.analytics.evidence.model import (
    MODEL_CODE_VERSION,
    Embedder,
    Suggested,
    relative_floor,
    shared_embedder,
    suggest,
    train,
)
from un1540.analytics.evidence.text import LANGUAGES
from un1540.analytics.evidence.text import fold as fold_text


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


SHARED_SPAN = 120  # normalised characters a test provision must share with a train one to count


def _bare(text: str) -> str:
    """A text folded and stripped of everything but letters and digits (a heading written another
    way, punctuation or spacing does not hide that two provisions say the same)."""
    return re.sub(r"[\W_]+", "", fold_text(text))


def sharing_train_text(test_set: Sequence[Example], train_set: Sequence[Example]) -> set[str]:
    """The test provisions that repeat a span of a train provision: SHARED_SPAN characters taken
    after their first 40 (past a heading) or before their last 40 are found in a train text. Model
    laws copied by several States, one code's successive versions and bilateral agreements'
    standard clauses do that; such a provision is partly seen in training."""
    train_texts = "\n".join(_bare(e.text) for e in train_set)
    shared = set()
    for example in test_set:
        bare = _bare(example.text)
        if len(bare) < SHARED_SPAN + 40:
            continue
        spans = [bare[40 : 40 + SHARED_SPAN]]
        if len(bare) > 2 * (SHARED_SPAN + 40):
            spans.append(bare[-SHARED_SPAN - 40 : -40])
        if any(span in train_texts for span in spans):
            shared.add(example.id)
    return shared


def _cited(examples: Sequence[Example]) -> list[list[str]]:
    """The document context of each provision: the texts of the provisions of the same law (among
    those given) it cites by number, as the library links a law's provisions."""
    return cited_texts([(e.source, e.extra["article"], e.text, e.language) for e in examples])


def load_embeddings(embedder: Embedder, path: Path | None) -> None:
    if path is not None and path.exists():
        with np.load(path) as stored:
            embedder.cache.update({key: stored[key] for key in stored.files})


def _save_embeddings(embedder: Embedder, path: Path | None) -> None:
    if path is not None:
        np.savez(path, **embedder.cache)


def cross_validate(
    lexicon: Lexicon,
    train_set: Sequence[Example],
    embedder: Embedder,
    group: dict[str, int],
) -> tuple[dict[str, Suggested], dict[str, Suggested], float, float]:
    """Every candidate's score for each train provision, from a model trained on the other
    groups of laws: with its document context (the cited provisions of the same source, as the
    library reads a law) and alone (no context: as `un1540 evidence suggest` and the held-out
    scorer see it). Also the wall and CPU seconds."""
    with_context: dict[str, Suggested] = {}
    alone: dict[str, Suggested] = {}
    started, cpu = time.perf_counter(), time.process_time()
    for fold in sorted(set(group.values())):
        held = [e for e in train_set if group[law_of(e)] == fold]
        if not held:
            continue
        fold_model = train(
            lexicon, [e for e in train_set if group[law_of(e)] != fold], embedder=embedder
        )
        items = [(e.id, e.text, e.language) for e in held]
        for scores, cited in ((with_context, _cited(held)), (alone, None)):
            results = suggest(fold_model, lexicon, items, every_candidate=True, cited=cited)
            for example, result in zip(held, results, strict=True):
                scores[example.id] = result
    return with_context, alone, time.perf_counter() - started, time.process_time() - cpu


def _cut(
    train_set: Sequence[Example], all_scores: dict[str, Suggested], cuts: dict[str, float]
) -> list[Suggested]:
    cut = []
    for e in train_set:
        every = all_scores[e.id]
        floor = relative_floor([s.score for s in every.suggestions])  # RELATIVE_CUT, as suggest
        kept = [
            s
            for s in every.suggestions
            if s.score >= max(cuts[framework_fields()[s.field][0]], floor)
        ]
        cut.append(Suggested(every.id, every.language, kept))
    return cut


def _threshold_search(train_set: Sequence[Example], all_scores: dict[str, Suggested]) -> None:
    best: dict[str, float] = {}
    for section in ("op2", "op3ab", "op3cd"):
        line, top = [], (-1.0, 0.0)
        for value in (0.1, 0.15, 0.2, 0.25, 0.3, 0.35, 0.4, 0.5, 0.6):
            cuts = dict.fromkeys(("op2", "op3ab", "op3cd"), value)
            figures = score(train_set, _cut(train_set, all_scores, cuts))
            f1 = figures["section"][section].f1()[2]  # type: ignore[index]
            line.append(f"{value}: {f1:.3f}")
            top = max(top, (f1, value))
        best[section] = top[1]
        print(f"  {section} F1 by cut-off: " + ", ".join(line))
    figures = score(train_set, _cut(train_set, all_scores, best))
    report(f"  at the best cut-offs {best}", figures)


def learning_curve(
    lexicon: Lexicon,
    train_set: Sequence[Example],
    test_set: Sequence[Example],
    embedder: Embedder,
    shares: Sequence[int],
) -> None:
    """Test-split F1 (each provision alone) of models trained on growing shares of the train
    split's laws; the shares nest (a law in 25% is in 50%), so the curve compares like with like."""
    rank = law_folds(train_set, 100, "learning-curve")
    whole: float | None = None
    for share in sorted({*shares, 100}, reverse=True):
        subset = [e for e in train_set if rank[law_of(e)] < share]
        laws = len({law_of(e) for e in subset})
        started = time.perf_counter()
        model = train(lexicon, subset, embedder=embedder)
        results = suggest(model, lexicon, [(e.id, e.text, None) for e in test_set])
        figures = score(test_set, results)
        overall = figures["overall"]
        assert isinstance(overall, Tally)
        f1 = overall.f1()[2]
        whole = f1 if whole is None else whole
        report(
            f"LEARNING CURVE: {share}% of the train split's laws ({laws} laws, {len(subset)} "
            f"provisions; trained in {time.perf_counter() - started:.0f} s), test split, each "
            f"provision alone: F1 {f1:.3f}, {f1 / whole:.3f} of the whole train split's",
            figures,
        )


def learning_curve_shares(parser: argparse.ArgumentParser, text: str | None) -> list[int]:
    """`--learning-curve P,Q,...` as percentages, checked before any training starts."""
    if not text:
        return []
    try:
        shares = [int(share) for share in text.split(",")]
    except ValueError:
        parser.error(f"--learning-curve: whole percentages separated by commas, not {text!r}")
    if any(not 0 < share <= 100 for share in shares):
        parser.error("--learning-curve: percentages between 1 and 100")
    return shares


def set_switches(parser: argparse.ArgumentParser, assignments: list[str]) -> None:
    """`--set NAME=VALUE`: set a switch of the model (a module constant of model.py, the value
    a Python literal) for this run; an unknown name is refused through the parser."""
    for assignment in assignments:
        name, _, value = assignment.partition("=")
        if not name.isupper() or not hasattr(evidence_model, name):
            parser.error(f"--set {assignment}: model.py has no switch {name!r}")
        setattr(evidence_model, name, ast.literal_eval(value))
        print(f"model switch {name} = {getattr(evidence_model, name)!r}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--devset", type=Path, action="append", help="devset directory")
    parser.add_argument("--no-cv", action="store_true", help="skip the cross-validation")
    parser.add_argument("--no-test", action="store_true", help="skip the test split")
    parser.add_argument("--thresholds", action="store_true")
    parser.add_argument("--folds", type=int, default=0, help="K groups of laws (0: one per law)")
    parser.add_argument(
        "--salt",
        action="append",
        help="with --folds: prefix of the hash that groups the laws (repeat for several "
        "groupings; default the empty salt, the grouping of earlier rounds)",
    )
    parser.add_argument(
        "--embeddings", type=Path, help="a .npz file keeping the sentence embeddings between runs"
    )
    parser.add_argument(
        "--dump",
        type=Path,
        help="write each train provision's context-free cross-validation scores (every "
        "candidate) and labels to this JSON-lines file, for error analysis (every salt; the "
        "test split's, unless --no-test, to the same name with the suffix .test.jsonl)",
    )
    parser.add_argument(
        "--set",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="set a switch of the model (a module constant of model.py) for this run",
    )
    parser.add_argument(
        "--learning-curve",
        metavar="P,Q,...",
        help="also train on these percentages of the train split's laws and score the test split",
    )
    args = parser.parse_args()
    set_switches(parser, args.set)
    shares = learning_curve_shares(parser, args.learning_curve)
    lexicon = load_lexicon()
    examples = load_devset(args.devset)
    train_set = [e for e in examples if e.split == "train"]
    test_set = [e for e in examples if e.split == "test"]
    print(
        f"lexicon {lexicon.version}, model code {MODEL_CODE_VERSION}; development set: "
        f"{len(train_set)} train, {len(test_set)} test provisions; languages "
        + ", ".join(
            f"{lang} {sum(e.language == lang for e in train_set)}/"
            f"{sum(e.language == lang for e in test_set)}"
            for lang in LANGUAGES
        )
    )
    embedder = shared_embedder()
    load_embeddings(embedder, args.embeddings)
    known = len(embedder.cache)
    started = time.perf_counter()
    embedder.encode([e.text for e in examples])
    print(f"embedding every provision once: {time.perf_counter() - started:.1f} s")
    if len(embedder.cache) > known:
        _save_embeddings(embedder, args.embeddings)
    if not args.no_test:
        started, cpu = time.perf_counter(), time.process_time()
        model = train(lexicon, train_set, embedder=embedder)
        print(
            f"training on the train split: {time.perf_counter() - started:.1f} s "
            f"({time.process_time() - cpu:.1f} s CPU)"
        )
        cached = dict(embedder.cache)
        embedder.cache.clear()  # time the test split as new text
        started, cpu = time.perf_counter(), time.process_time()
        results = suggest(
            model, lexicon, [(e.id, e.text, None) for e in test_set], cited=_cited(test_set)
        )
        elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
        embedder.cache.update(cached)
        detected = sum(r.language == e.language for r, e in zip(results, test_set, strict=True))
        report(
            "TEST split, with document context (language detected, not given)",
            score(test_set, results),
        )
        print(
            f"  speed {1000 * elapsed / max(len(test_set), 1):.0f} ms per provision "
            f"({1000 * cpu / max(len(test_set), 1):.1f} ms CPU); "
            f"language detected right {detected}/{len(test_set)}"
        )
        alone = suggest(model, lexicon, [(e.id, e.text, None) for e in test_set])
        report(
            "TEST split, each provision ALONE (no document context: as `un1540 evidence "
            "suggest` and the held-out scorer see it)",
            score(test_set, alone),
        )
        shared = sharing_train_text(test_set, train_set)
        unshared = [(e, r) for e, r in zip(test_set, alone, strict=True) if e.id not in shared]
        report(
            f"TEST split, each provision ALONE, without the {len(shared)} provisions that repeat "
            f"{SHARED_SPAN} characters of a train provision",
            score([e for e, _ in unshared], [r for _, r in unshared]),
        )
        report(
            "TEST split, lexicon alone (baseline)", score(test_set, lexicon_only(lexicon, test_set))
        )
        if args.dump is not None:  # the test split's every candidate too, beside the CV's
            every = suggest(
                model, lexicon, [(e.id, e.text, None) for e in test_set], every_candidate=True
            )
            with args.dump.with_suffix(".test.jsonl").open("w", encoding="utf-8") as out:
                for e, result in zip(test_set, every, strict=True):
                    scores = {s.field: s.score for s in result.suggestions}
                    line = {"id": e.id, "language": e.language, "law": law_of(e)}
                    line |= {"labels": sorted(e.labels), "scores": scores}
                    out.write(json.dumps(line, ensure_ascii=False) + "\n")
    if shares:
        learning_curve(lexicon, train_set, test_set, embedder, shares)
    if args.no_cv:
        return
    for salt in args.salt or [""]:
        group = law_folds(train_set, args.folds, salt)
        with_context, alone_scores, wall, cpu = cross_validate(lexicon, train_set, embedder, group)
        print(
            f"cross-validation over {len(group)} laws in {len(set(group.values()))} folds"
            + (f" (salt {salt!r})" if args.folds else "")
            + f": {wall:.0f} s ({cpu:.0f} s CPU)"
        )
        if args.dump is not None:  # every grouping, one after the other (its salt on each line)
            first = salt == (args.salt or [""])[0]
            with args.dump.open("w" if first else "a", encoding="utf-8") as out:
                for e in train_set:
                    scores = {s.field: s.score for s in alone_scores[e.id].suggestions}
                    line = {"salt": salt, "id": e.id, "language": e.language, "law": law_of(e)}
                    line |= {"labels": sorted(e.labels), "scores": scores}
                    out.write(json.dumps(line, ensure_ascii=False) + "\n")
        cuts = dict(evidence_model.SECTION_THRESHOLDS)
        cut_text = ", ".join(f"{k} {v}" for k, v in cuts.items())
        for title, scores in (
            ("with document context", with_context),
            ("each provision ALONE (as the held-out scorer sees it)", alone_scores),
        ):
            report(
                f"CROSS-VALIDATION by law (train split), {title}, cut-offs {cut_text}",
                score(train_set, _cut(train_set, scores, cuts)),
            )
            if args.thresholds:
                _threshold_search(train_set, scores)


if __name__ == "__main__":
    main()
