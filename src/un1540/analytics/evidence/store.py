"""The trained model on disk: built from the development set at first use, rebuilt by a
retrain with the experts' decisions, reused while the lexicon and the examples are the same."""

from __future__ import annotations

import os
import pickle
import tempfile
from collections.abc import Sequence
from pathlib import Path

from un1540.analytics.evidence.devset import Example, load_devset
from un1540.analytics.evidence.lexicon import Lexicon, load_lexicon
from un1540.analytics.evidence.model import (
    MODEL_CODE_VERSION,
    Model,
    examples_hash,
    shared_embedder,
    train,
)

CURRENT = "current.pkl"


def train_split(directories: Sequence[Path] | None = None) -> list[Example]:
    """The examples the shipped model learns from: the TRAIN split of the development set."""
    return [e for e in load_devset(directories) if e.split == "train"]


def _key(lexicon: Lexicon, examples: Sequence[Example]) -> str:
    return f"{MODEL_CODE_VERSION}:{lexicon.checksum}:{examples_hash(examples)}"


def _save(directory: Path, model: Model, key: str) -> None:
    directory.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=directory, suffix=".tmp")
    with os.fdopen(handle, "wb") as output:
        pickle.dump({"key": key, "model": model}, output, protocol=pickle.HIGHEST_PROTOCOL)
    os.replace(temporary, directory / CURRENT)


def _load(directory: Path) -> tuple[str, Model] | None:
    path = directory / CURRENT
    if not path.exists():
        return None
    try:
        with path.open("rb") as stored:
            data = pickle.load(stored)  # our own file, written by _save
        return str(data["key"]), data["model"]
    except Exception:  # an unreadable or older file: rebuilt
        return None


def build_model(
    directory: Path,
    decisions: Sequence[Example] = (),
    *,
    lexicon: Lexicon | None = None,
    base: Sequence[Example] | None = None,
) -> Model:
    """Train on the train split plus `decisions` and keep the model as the current one.

    Embeddings already computed by the current model are reused, so a retrain is the training
    alone (under a minute for the development set's train split: docs/cli.md)."""
    lexicon = lexicon or load_lexicon()
    examples = [*(train_split() if base is None else base), *decisions]
    embedder = shared_embedder()
    stored = _load(directory)
    if stored is not None:
        previous = stored[1]
        for example, vector in zip(previous.examples, previous.embeddings, strict=False):
            embedder.cache.setdefault(embedder.key(example.text), vector)
    model = train(lexicon, examples, embedder=embedder)
    _save(directory, model, _key(lexicon, examples))
    return model


def current_model(directory: Path, *, lexicon: Lexicon | None = None) -> Model:
    """The model to suggest with: the one kept in `directory` when it was trained with this
    lexicon and this train split (and maybe decisions since), else one trained now from the
    train split alone (and kept)."""
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
