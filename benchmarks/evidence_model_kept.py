"""Benchmark of the evidence-suggestion model a process keeps (analytics/evidence/store.py).

Every law page an expert opens, and every `POST /api/v1/evidence/suggest`, asks for the current
model before it looks up the suggestions (cached per provision). Until session 25 each ask read
the model from disk: the 150 MB pickle and the development set's 9,000 lines behind the check
that it is still the model of this train split. The process now keeps it while its files, the
lexicon and the development set's files are unchanged (a few `stat` calls). Prints the time of
one ask, the baseline (the files read each time, as before) against the model kept, and the ratio.

    python benchmarks/evidence_model_kept.py [--model-dir DIR] [--repeat N]

DIR defaults to UN1540_EVIDENCE_MODEL_DIR (settings); the first ask trains the model there if it
is missing or stale (about three minutes), which is not timed.
"""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

from un1540.analytics.evidence import store
from un1540.settings import get_settings


def _ask(directory: Path, *, forget: bool) -> float:
    if forget:
        store._kept.pop(directory, None)  # the baseline: the files read again, as before
    started = time.perf_counter()
    store.current_model(directory)
    return (time.perf_counter() - started) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--model-dir", type=Path, default=None)
    parser.add_argument("--repeat", type=int, default=7)
    arguments = parser.parse_args()
    directory = arguments.model_dir or get_settings().evidence_model_dir
    started = time.perf_counter()
    store.current_model(directory)  # read, or trained first when missing or stale
    print(f"model in {directory}: ready in {time.perf_counter() - started:.1f} s (not timed)")
    read = [_ask(directory, forget=True) for _ in range(arguments.repeat)]
    kept = [_ask(directory, forget=False) for _ in range(arguments.repeat)]
    baseline, now = statistics.median(read), statistics.median(kept)
    print(f"one ask for the current model, median of {arguments.repeat}:")
    print(f"  baseline, read from disk each time: {baseline:9.1f} ms")
    print(f"  kept by the process:                {now:9.2f} ms")
    print(f"  ratio: {baseline / now:.0f}x faster")


if __name__ == "__main__":
    main()
