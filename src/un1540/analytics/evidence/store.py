"""The trained model on disk: the BASE model, trained on the development set's train split at
first use (about three minutes), with the pair model's training rows in a file beside it, and the
CURRENT model, the base updated with the experts' decisions by a retrain (seconds: `update`;
absent while there are none: the base is the current model). Each is reused while the model
code, the lexicon and its examples are the same.

A process keeps the model it loaded (`current_model`) while the files it came from, the lexicon
and the development set's files are unchanged: reading the model from disk costs about a second
(a 150 MB pickle and the 9,000 lines of the development set), which every law page of an expert
used to pay. Building it is single-flight: one thread of a process builds while the others wait,
and a lock file makes the other processes (a server's workers, the queue's worker, a command)
wait for the first instead of training the same model beside it."""

from __future__ import annotations

import fcntl
import os
import pickle
import tempfile
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from un1540.analytics.evidence.devset import Example, load_devset, shipped_devset_dir
from un1540.analytics.evidence.lexicon import Lexicon, load_lexicon
from un1540.analytics.evidence.model import (
    MODEL_CODE_VERSION,
    Embedder,
    Model,
    PairRows,
    examples_hash,
    reading_text,
    shared_embedder,
    train,
    train_with_rows,
    update,
)

CURRENT = "current.pkl"
BASE = "base.pkl"
BASE_ROWS = "base-rows.pkl"  # the base model's pair rows (`PairRows`), for `update`
LOCK = ".building.lock"  # held while a process checks, builds or retrains the model of a directory

# The model each directory's files last gave this process, with what it depended on (`_signature`).
_kept: dict[Path, tuple[tuple[object, ...], Model]] = {}
_building = threading.Lock()  # one thread of the process checks or builds at a time


def train_split(directories: Sequence[Path] | None = None) -> list[Example]:
    """The examples the shipped model learns from: the TRAIN split of the development set."""
    return [e for e in load_devset(directories) if e.split == "train"]


def _key(lexicon: Lexicon, examples: Sequence[Example]) -> str:
    return f"{MODEL_CODE_VERSION}:{lexicon.checksum}:{examples_hash(examples)}"


def _save(path: Path, data: dict[str, Any]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
    with os.fdopen(handle, "wb") as output:
        pickle.dump(data, output, protocol=pickle.HIGHEST_PROTOCOL)
    os.replace(temporary, path)


def _read(path: Path) -> dict[str, Any] | None:
    if not path.exists():
        return None
    try:
        with path.open("rb") as stored:
            data = pickle.load(stored)  # our own file, written by _save
        return data if isinstance(data, dict) and "key" in data and "model" in data else None
    except Exception:  # an unreadable or older file: rebuilt
        return None


def _load(directory: Path) -> tuple[str, Model] | None:
    """The current model: the one a retrain with decisions kept, else the base model."""
    data = _read(directory / CURRENT) or _read(directory / BASE)
    return None if data is None else (str(data["key"]), data["model"])


def _reuse_embeddings(embedder: Embedder, model: Model) -> None:
    for example, vector in zip(model.examples, model.embeddings, strict=False):
        text = reading_text(example.text, example.language, model.read_without_heading)
        embedder.cache.setdefault(embedder.key(text), vector)


def _base(
    directory: Path, lexicon: Lexicon, base: Sequence[Example], embedder: Embedder
) -> tuple[Model, PairRows]:
    """The base model of `directory` and its pair rows, trained now (and kept) unless the kept
    one was trained with this model code, lexicon and train split."""
    key = _key(lexicon, base)
    stored = _read(directory / BASE)
    if stored is not None and stored["key"] == key:
        kept_rows = _read(directory / BASE_ROWS)
        if (
            kept_rows is not None
            and kept_rows["key"] == key
            and isinstance(kept_rows["model"], PairRows)
        ):
            return stored["model"], kept_rows["model"]
    for kept in (stored, _read(directory / CURRENT)):
        if kept is not None and isinstance(kept["model"], Model):
            _reuse_embeddings(embedder, kept["model"])  # the sentence encoder is the slow part
    model, rows = train_with_rows(lexicon, base, embedder=embedder)
    # apart from the model: a suggestion loads the model alone (the rows are a third as big)
    _save(directory / BASE_ROWS, {"key": key, "model": rows})
    _save(directory / BASE, {"key": key, "model": model})
    return model, rows


def build_model(
    directory: Path,
    decisions: Sequence[Example] = (),
    *,
    lexicon: Lexicon | None = None,
    base: Sequence[Example] | None = None,
    full: bool = False,
) -> Model:
    """The base model (the train split's: kept, or trained now) updated with `decisions`, kept
    as the current model: seconds with the base kept (docs/cli.md). `full`: the whole model
    trained again on the train split and the decisions instead (about a minute and a half; the
    n-gram regression and every training row then see the decisions too). Alone on the
    directory (`_exclusive`); the process's next `current_model` reads the new files."""
    with _exclusive(directory):
        _kept.pop(directory, None)
        return _train_and_keep(directory, decisions, lexicon, base, full)


def _train_and_keep(
    directory: Path,
    decisions: Sequence[Example],
    lexicon: Lexicon | None,
    base: Sequence[Example] | None,
    full: bool,
) -> Model:
    lexicon = lexicon or load_lexicon()
    base = train_split() if base is None else list(base)
    embedder = shared_embedder()
    base_model, base_rows = _base(directory, lexicon, base, embedder)
    if not decisions:  # the base model is the current one
        (directory / CURRENT).unlink(missing_ok=True)
        return base_model
    if full:
        model = train(lexicon, [*base, *decisions], embedder=embedder)
    else:
        model = update(base_model, base_rows, lexicon, decisions, embedder=embedder)
    _save(directory / CURRENT, {"key": _key(lexicon, [*base, *decisions]), "model": model})
    return model


def _file_state(path: Path) -> tuple[str, int, int] | None:
    try:
        status = path.stat()
    except FileNotFoundError:
        return None
    return (path.name, status.st_mtime_ns, status.st_size)


def _signature(directory: Path, lexicon: Lexicon) -> tuple[object, ...]:
    """What the model of `directory` depends on, cheaply (a few milliseconds of `stat`): its two
    files as they are on disk (a retrain by another process replaces one), the lexicon and the
    files of the shipped development set (the train split)."""
    devset = tuple(_file_state(path) for path in sorted(shipped_devset_dir().glob("*.jsonl")))
    return (
        MODEL_CODE_VERSION,
        lexicon.checksum,
        _file_state(directory / CURRENT),
        _file_state(directory / BASE),
        devset,
    )


@contextmanager
def _exclusive(directory: Path) -> Iterator[None]:
    """This thread alone in this process, and this process alone on this directory (an
    advisory lock file: another process waits for the model being built, then reads it)."""
    with _building:
        try:
            directory.mkdir(parents=True, exist_ok=True)
            lock = (directory / LOCK).open("a")
        except OSError:  # a read-only directory: nothing can be built there to wait for
            yield
            return
        with lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(lock, fcntl.LOCK_UN)


class ModelNotBuilt(Exception):
    """The model kept in a directory is missing or stale, and the caller asked not to build it
    (a reader's request: the build, minutes of CPU, is queued as a background job instead)."""


def current_model(directory: Path, *, lexicon: Lexicon | None = None, build: bool = True) -> Model:
    """The model to suggest with: the one this process keeps while nothing it came from has
    changed, else the one kept in `directory` when it was trained with this lexicon and this
    train split (and maybe decisions since), else one built now from the train split and the
    decisions it had (and kept); with `build=False`, ModelNotBuilt instead of building."""
    lexicon = lexicon or load_lexicon()
    kept = _kept.get(directory)
    signature = _signature(directory, lexicon)
    if kept is not None and kept[0] == signature:
        return kept[1]
    model, decisions = _on_disk(directory, lexicon)
    if model is None:
        if not build:
            raise ModelNotBuilt(str(directory))
        with _exclusive(directory):
            model, decisions = _on_disk(directory, lexicon)  # another may have built it meanwhile
            if model is None:
                model = _train_and_keep(directory, decisions, lexicon, None, False)
        signature = _signature(directory, lexicon)
    _kept[directory] = (signature, model)
    return model


def _on_disk(directory: Path, lexicon: Lexicon) -> tuple[Model | None, list[Example]]:
    """The model kept in `directory` when it was trained with this model code, lexicon and
    train split, else None with the decisions it had learnt (a build learns them again)."""
    stored = _load(directory)
    if stored is None:
        return None, []
    key, model = stored
    decisions = [e for e in model.examples if e.id.startswith("decision-")]
    others = [e for e in model.examples if not e.id.startswith("decision-")]
    if (
        model.lexicon_checksum == lexicon.checksum
        and key.startswith(f"{MODEL_CODE_VERSION}:")
        and examples_hash(others) == examples_hash(train_split())
        and len(decisions) + len(others) == len(model.examples)
    ):
        return model, decisions
    return None, decisions
