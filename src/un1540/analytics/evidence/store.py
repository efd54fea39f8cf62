"""The trained model on disk: the BASE model, trained on the development set's train split at
first use (about a minute), with the pair model's training rows in a file beside it, and the
CURRENT model, the base updated with the experts' decisions by a retrain (seconds: `update`;
absent while there are none: the base is the current model). Each is reused while the model
code, the lexicon and its examples are the same."""

from __future__ import annotations

import os
import pickle
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from un1540.analytics.evidence.devset import Example, load_devset
from un1540.analytics.evidence.lexicon import Lexicon, load_lexicon
from un1540.analytics.evidence.model import (
    MODEL_CODE_VERSION,
    Embedder,
    Model,
    PairRows,
    examples_hash,
    shared_embedder,
    train,
    train_with_rows,
    update,
)

CURRENT = "current.pkl"
BASE = "base.pkl"
BASE_ROWS = "base-rows.pkl"  # the base model's pair rows (`PairRows`), for `update`


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
        embedder.cache.setdefault(embedder.key(example.text), vector)


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
    trained again on the train split and the decisions instead (about a minute; the n-gram
    regression and every training row then see the decisions too)."""
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


def current_model(directory: Path, *, lexicon: Lexicon | None = None) -> Model:
    """The model to suggest with: the one kept in `directory` when it was trained with this
    lexicon and this train split (and maybe decisions since), else one built now from the train
    split and the decisions it had (and kept)."""
    lexicon = lexicon or load_lexicon()
    stored = _load(directory)
    base = train_split()
    base_hash = examples_hash(base)
    if stored is not None:
        key, model = stored
        decisions = [e for e in model.examples if e.id.startswith("decision-")]
        others = [e for e in model.examples if not e.id.startswith("decision-")]
        if (
            model.lexicon_checksum == lexicon.checksum
            and key.startswith(f"{MODEL_CODE_VERSION}:")
            and examples_hash(others) == base_hash
            and len(decisions) + len(others) == len(model.examples)
        ):
            return model
        return build_model(directory, decisions, lexicon=lexicon, base=base)
    return build_model(directory, (), lexicon=lexicon, base=base)
