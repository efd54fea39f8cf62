"""How far two readers agree, and how far the model is from them (issue 10; docs/evidence.md).

Two samples of the development set's TEST split (40 provisions per language each, drawn at
random) were labelled a second time by readers who never saw their labels, following the same
written conventions (reference/evidence/devset/agreement/, its README says how). This prints,
on those provisions, with the figures of benchmarks/evidence.py (micro-F1 over (provision,
field) pairs per language and section, weapons and columns of the fields both give, hard
negatives left clean):

1. the second reader against the labels: the agreement of two careful readers, the ceiling a
   model can be expected to reach against either;
2. the model (trained on the train split, each provision scored alone, as the held-out scorer
   sees it) against the labels, and its ratio to line 1;
3. the model against the second reader.

    python benchmarks/evidence_agreement.py [--no-model] [--embeddings FILE.npz]
"""

from __future__ import annotations

import argparse
import os

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import time
from dataclasses import replace
from pathlib import Path

from evidence import load_embeddings, report, score
from un1540.analytics.evidence.devset import Reading, load_devset, load_readings
from un1540.analytics.evidence.lexicon import load_lexicon
from un1540.analytics.evidence.model import Suggested, Suggestion, shared_embedder, suggest, train


def as_suggested(reading: Reading, language: str) -> Suggested:
    """A reading in the model's shape, so that one scorer compares both with the labels."""
    return Suggested(
        reading.id,
        language,
        [
            Suggestion(code, list(label.weapons), list(label.columns), 1.0, {})
            for code, label in reading.labels.items()
        ],
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--no-model", action="store_true", help="only the readers' agreement")
    parser.add_argument(
        "--embeddings", type=Path, help="a .npz file keeping the sentence embeddings between runs"
    )
    args = parser.parse_args()
    examples = load_devset()
    readings = load_readings(examples)
    by_id = {example.id: example for example in examples}
    read = [by_id[reading.id] for reading in readings]
    languages = sorted({example.language for example in read})
    print(
        f"{len(readings)} test provisions read a second time ("
        + ", ".join(f"{lang} {sum(e.language == lang for e in read)}" for lang in languages)
        + f"); {sum(len(e.labels) for e in read)} labelled (provision, field) pairs, "
        f"{sum(len(r.labels) for r in readings)} read"
    )
    second = [as_suggested(r, e.language) for r, e in zip(readings, read, strict=True)]
    reader_figures = score(read, second)
    report("1. the SECOND READER against the labels (agreement of two readers)", reader_figures)
    if args.no_model:
        return
    lexicon = load_lexicon()
    embedder = shared_embedder()
    load_embeddings(embedder, args.embeddings)
    train_set = [example for example in examples if example.split == "train"]
    started = time.perf_counter()
    model = train(lexicon, train_set, embedder=embedder)
    elapsed = time.perf_counter() - started
    print(f"model trained on the {len(train_set)} train provisions: {elapsed:.0f} s")
    alone = suggest(model, lexicon, [(e.id, e.text, None) for e in read])
    model_figures = score(read, alone)
    report("2. the MODEL against the labels (each provision alone)", model_figures)
    model_f1 = model_figures["overall"].f1()[2]  # type: ignore[attr-defined]
    reader_f1 = reader_figures["overall"].f1()[2]  # type: ignore[attr-defined]
    print(
        f"  the model's F1 is {model_f1 / reader_f1:.2f} of the second reader's "
        f"({model_f1:.3f} / {reader_f1:.3f})"
    )
    as_read = [
        replace(e, labels=r.labels, negative_kind=r.negative_kind)
        for r, e in zip(readings, read, strict=True)
    ]
    report("3. the MODEL against the second reader", score(as_read, alone))


if __name__ == "__main__":
    main()
