"""Benchmark of `un1540 evidence retrain` (issue 10, item 5: a retrain takes seconds).

The experts' decisions are simulated by the train lines of one law in K of the development set
(a hash of the law, --every K, default 7), with the weight decisions have (2); the base model is
trained on the other train lines, as `retrain` keeps it. Prints, for the first N decisions
(--decisions N, repeatable, default 20 and all), the wall time of a retrain as the command runs
it (the base kept, updated: `model.update`) against the baseline, the same retrain trained as a
whole (`retrain --full`, which every retrain was before), and their ratio. With --score, the
micro-F1 on the test split (each provision alone) of the base model, the update and the full
retrain with every decision: what the update gives up for its speed.

    python benchmarks/evidence_retrain.py [--every K] [--decisions N ...] [--score]
        [--embeddings FILE.npz]

The boosted trees use both cores, as `un1540 evidence retrain` does (unlike
benchmarks/evidence.py, which pins one thread for steady per-provision figures).
"""

from __future__ import annotations

import argparse
import hashlib
import time
from dataclasses import replace
from pathlib import Path

import numpy as np

from un1540.analytics.evidence.devset import Example, law_of, load_devset
from un1540.analytics.evidence.lexicon import load_lexicon
from un1540.analytics.evidence.model import shared_embedder, suggest, train, train_with_rows, update


def _decided(example: Example, every: int) -> bool:
    return int(hashlib.sha1(law_of(example).encode("utf-8")).hexdigest(), 16) % every == 0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--every", type=int, default=7, help="one law in K gives the decisions")
    parser.add_argument("--decisions", type=int, action="append", help="how many decisions")
    parser.add_argument("--score", action="store_true", help="score the test split (minutes)")
    parser.add_argument("--embeddings", type=Path, help="a .npz of sentence embeddings (cache)")
    args = parser.parse_args()
    lexicon = load_lexicon()
    examples = load_devset()
    train_set = [e for e in examples if e.split == "train"]
    base = [e for e in train_set if not _decided(e, args.every)]
    decisions = [
        replace(e, id=f"decision-{e.id}", weight=2.0) for e in train_set if _decided(e, args.every)
    ]
    embedder = shared_embedder()
    if args.embeddings is not None and args.embeddings.exists():
        with np.load(args.embeddings) as stored:
            embedder.cache.update({key: stored[key] for key in stored.files})
    known = len(embedder.cache)
    embedder.encode([e.text for e in examples])  # apart: a retrain reuses the kept ones
    if args.embeddings is not None and len(embedder.cache) > known:
        np.savez(args.embeddings, **embedder.cache)
    print(
        f"lexicon {lexicon.version}; base model on {len(base)} train provisions, "
        f"{len(decisions)} decisions (the train lines of one law in {args.every})"
    )
    started = time.perf_counter()
    base_model, base_rows = train_with_rows(lexicon, base, embedder=embedder)
    print(f"training the base model (once, kept): {time.perf_counter() - started:.1f} s")
    counts = sorted({min(n, len(decisions)) for n in args.decisions or [20, len(decisions)]})
    models = {}
    for count in counts:
        chosen = decisions[:count]
        started = time.perf_counter()
        updated = update(base_model, base_rows, lexicon, chosen, embedder=embedder)
        fast = time.perf_counter() - started
        started = time.perf_counter()
        whole = train(lexicon, [*base, *chosen], embedder=embedder)
        slow = time.perf_counter() - started
        models[count] = (updated, whole)
        print(
            f"retrain with {count} decisions: {fast:.1f} s (the base kept, updated) against "
            f"{slow:.1f} s (trained as a whole, --full): {slow / fast:.1f}x faster"
        )
    if args.score:
        import sys

        sys.path.insert(0, str(Path(__file__).parent))
        from evidence import report, score

        test_set = [e for e in examples if e.split == "test"]
        items = [(e.id, e.text, e.language) for e in test_set]
        updated, whole = models[counts[-1]]
        for title, model in (
            ("base model alone", base_model),
            (f"updated with {counts[-1]} decisions", updated),
            (f"trained as a whole with {counts[-1]} decisions (--full)", whole),
        ):
            report(f"TEST split, {title}", score(test_set, suggest(model, lexicon, items)))


if __name__ == "__main__":
    main()
