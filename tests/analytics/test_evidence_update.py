"""Issue 10, item 5: a retrain learns from the experts' decisions in seconds. The base model (the
train split's, about three minutes) is kept with its pair rows; a retrain updates it with the
decisions (`model.update`) instead of training everything again. A process keeps the model it
read until its files change, and builds it once however many readers ask at the same time."""

from __future__ import annotations

import fcntl
import threading
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from tests.analytics.test_evidence_suggest import small_train_split
from un1540.analytics.evidence import model as evidence_model
from un1540.analytics.evidence import store
from un1540.analytics.evidence.devset import Example, Label, load_devset
from un1540.analytics.evidence.lexicon import load_lexicon
from un1540.analytics.evidence.model import suggest, train_with_rows, update

TEXT = (
    "Toute personne qui transfère à l'étranger, sans l'autorisation du ministre, des "
    "équipements spécialement conçus pour la production d'agents toxiques est punie."
)


def _decision(
    number: int, *, labels: dict[str, Label], rejected: frozenset[str] = frozenset()
) -> Example:
    return Example(
        id=f"decision-{number}-{number:012d}",
        text=TEXT,
        language="fr",
        source=f"document:{number}",
        labels=labels,
        rejected=rejected,
        weight=2.0,
    )


def _scores(trained: evidence_model.Model) -> dict[str, float]:
    """Every candidate field's score of TEXT under `trained`."""
    [result] = suggest(trained, load_lexicon(), [("p", TEXT, "fr")], every_candidate=True)
    return {s.field: s.score for s in result.suggestions}


@pytest.fixture(scope="module")
def base() -> tuple[evidence_model.Model, evidence_model.PairRows]:
    return train_with_rows(load_lexicon(), small_train_split())


def test_the_update_adds_the_decisions_and_refits_what_it_says(
    base: tuple[evidence_model.Model, evidence_model.PairRows],
) -> None:
    model, rows = base
    lexicon = load_lexicon()
    decision = _decision(1, labels={"op2.transfer": Label(("cw",), ("legal_framework",))})
    updated = update(model, rows, lexicon, [decision])
    assert updated.examples == [*model.examples, decision]
    assert updated.trained_on == {"examples": len(model.examples) + 1, "decisions": 1}
    assert updated.embeddings.shape == (len(model.examples) + 1, model.embeddings.shape[1])
    assert updated.char_matrix.shape[0] == len(model.examples) + 1
    assert updated.char_postings.shape == updated.char_matrix.T.shape
    assert model.sources is not None
    assert updated.sources is not None
    assert list(updated.sources) == [*model.sources, "document:1"]
    # the embedding regression is fitted again, the n-gram regression and vocabulary are kept
    assert updated.field_linear is not None
    assert model.field_linear is not None
    assert not np.array_equal(updated.field_linear[1], model.field_linear[1])
    assert updated.char_linear is model.char_linear
    assert updated.vectoriser is model.vectoriser
    assert updated.version != model.version
    # the base model itself is untouched
    assert len(model.examples) == len(small_train_split())
    assert model.trained_on["decisions"] == 0


def test_the_update_learns_a_confirmation_and_a_rejection(
    base: tuple[evidence_model.Model, evidence_model.PairRows],
) -> None:
    model, rows = base
    lexicon = load_lexicon()

    before = _scores(model)
    confirmed = [
        _decision(n, labels={"op3cd.extraterritorial": Label(("cw",), ("legal_framework",))})
        for n in range(1, 4)
    ]
    after = _scores(update(model, rows, lexicon, confirmed))
    assert after["op3cd.extraterritorial"] > before.get("op3cd.extraterritorial", 0.0)
    strongest = max(before, key=lambda code: before[code])
    rejected = [_decision(n, labels={}, rejected=frozenset({strongest})) for n in range(1, 4)]
    assert _scores(update(model, rows, lexicon, rejected)).get(strongest, 0.0) < before[strongest]


def test_a_decision_on_one_field_teaches_nothing_of_the_others(
    base: tuple[evidence_model.Model, evidence_model.PairRows],
) -> None:
    """An expert's decisions are partial (Example.partial): confirming one field says nothing
    of the provision's other fields. Before session 26 they were learnt as "not evidence", so
    one edit made the article's other suggestions vanish after the next retrain (seen in the
    portal: stockpile edited to use, and develop and manufacture gone, undecided)."""
    model, rows = base
    lexicon = load_lexicon()

    before = _scores(model)
    confirmed = "op3cd.extraterritorial"
    full = [
        _decision(n, labels={confirmed: Label(("cw",), ("legal_framework",))}) for n in range(1, 4)
    ]
    partial = [replace(decision, partial=True) for decision in full]
    as_full, as_partial = (
        _scores(update(model, rows, lexicon, full)),
        _scores(update(model, rows, lexicon, partial)),
    )
    others = sorted((code for code in before if code != confirmed), key=lambda c: -before[c])
    assert others, before
    assert all(as_partial.get(code, 0.0) >= as_full.get(code, 0.0) for code in others)
    assert as_partial.get(others[0], 0.0) > 3 * as_full.get(others[0], 0.0)
    assert as_partial[confirmed] > before[confirmed]  # what was confirmed is still learnt


def test_the_update_refuses_the_test_split_and_another_lexicon(
    base: tuple[evidence_model.Model, evidence_model.PairRows],
) -> None:
    model, rows = base
    lexicon = load_lexicon()
    test_line = next(e for e in load_devset() if e.split == "test")
    with pytest.raises(ValueError, match="test split"):
        update(model, rows, lexicon, [test_line])
    other = replace(lexicon, checksum="another")
    with pytest.raises(ValueError, match="another lexicon"):
        update(model, rows, other, [])


def test_a_retrain_updates_the_kept_base_without_training_it_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    small = small_train_split()
    monkeypatch.setattr(store, "train_split", lambda directories=None: small)
    first = store.build_model(tmp_path)
    assert (tmp_path / store.BASE).exists()
    assert not (tmp_path / store.CURRENT).exists()  # no decisions: the base is the current model
    assert store.current_model(tmp_path).version == first.version

    def no_training(*args: object, **kwargs: object) -> None:
        raise AssertionError("the kept base model was trained again")

    monkeypatch.setattr(store, "train_with_rows", no_training)
    decision = _decision(1, labels={"op2.transfer": Label(("cw",), ("legal_framework",))})
    retrained = store.build_model(tmp_path, [decision])
    assert retrained.trained_on["decisions"] == 1
    assert (tmp_path / store.CURRENT).exists()
    assert store.current_model(tmp_path).version == retrained.version  # kept for the next reader
    assert store.build_model(tmp_path).version == first.version  # every decision withdrawn
    assert not (tmp_path / store.CURRENT).exists()
    assert store.current_model(tmp_path).trained_on["decisions"] == 0


def _kept_base(
    directory: Path, monkeypatch: pytest.MonkeyPatch, base: tuple[evidence_model.Model, Any]
) -> None:
    """The module's small base model written to `directory` as a build would keep it."""
    small = small_train_split()
    monkeypatch.setattr(store, "train_split", lambda directories=None: small)
    key = store._key(load_lexicon(), small)
    store._save(directory / store.BASE_ROWS, {"key": key, "model": base[1]})
    store._save(directory / store.BASE, {"key": key, "model": base[0]})


def test_a_process_keeps_the_model_it_read_until_its_files_change(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    base: tuple[evidence_model.Model, evidence_model.PairRows],
) -> None:
    _kept_base(tmp_path, monkeypatch, base)
    read = store._read
    reads: list[str] = []

    def counted(path: Path) -> dict[str, Any] | None:
        reads.append(path.name)
        return read(path)

    monkeypatch.setattr(store, "_read", counted)
    first = store.current_model(tmp_path)
    assert store.BASE in reads  # read from disk once
    reads.clear()
    assert store.current_model(tmp_path) is first
    assert reads == []  # kept: not read again (it cost every expert's law page about a second)

    def no_training(*args: object, **kwargs: object) -> None:
        raise AssertionError("the kept base model was trained again")

    monkeypatch.setattr(store, "train_with_rows", no_training)
    decision = _decision(1, labels={"op2.transfer": Label(("cw",), ("legal_framework",))})
    retrained = store.build_model(tmp_path, [decision])  # a retrain replaces a file
    reads.clear()
    after = store.current_model(tmp_path)
    assert store.CURRENT in reads  # the new file is read
    assert after is not first
    assert after.version == retrained.version
    assert after.trained_on["decisions"] == 1


def test_readers_at_the_same_time_wait_for_one_build(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    base: tuple[evidence_model.Model, evidence_model.PairRows],
) -> None:
    small = small_train_split()
    monkeypatch.setattr(store, "train_split", lambda directories=None: small)
    builds: list[Path] = []

    def slow_build(directory: Path, *args: object, **kwargs: object) -> evidence_model.Model:
        builds.append(directory)
        time.sleep(0.3)  # the others arrive while it builds
        _kept_base(directory, monkeypatch, base)  # kept, as a build keeps it
        return base[0]

    monkeypatch.setattr(store, "_train_and_keep", slow_build)
    found: list[evidence_model.Model] = []
    readers = [
        threading.Thread(target=lambda: found.append(store.current_model(tmp_path)))
        for _ in range(3)
    ]
    for reader in readers:
        reader.start()
    for reader in readers:
        reader.join(30)
    assert builds == [tmp_path]  # one build; the others read what it kept
    assert [model.version for model in found] == [base[0].version] * 3


def test_a_build_waits_for_another_process_building_the_same_model(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    base: tuple[evidence_model.Model, evidence_model.PairRows],
) -> None:
    monkeypatch.setattr(store, "train_split", lambda directories=None: small_train_split())

    def trained_twice(*args: object, **kwargs: object) -> None:
        raise AssertionError("built beside the other process instead of reading its model")

    monkeypatch.setattr(store, "_train_and_keep", trained_twice)
    found: list[evidence_model.Model] = []
    with (tmp_path / store.LOCK).open("a") as other_process:
        fcntl.flock(other_process, fcntl.LOCK_EX)  # another process is building the model
        reader = threading.Thread(target=lambda: found.append(store.current_model(tmp_path)))
        reader.start()
        reader.join(0.5)
        assert reader.is_alive()  # waits for the other process's model
        assert found == []
        _kept_base(tmp_path, monkeypatch, base)  # the other process keeps its model
        fcntl.flock(other_process, fcntl.LOCK_UN)
    reader.join(30)
    assert not reader.is_alive()
    assert [model.version for model in found] == [base[0].version]


def test_a_reader_does_not_build_when_asked_not_to(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(store, "train_split", lambda directories=None: small_train_split())
    with pytest.raises(store.ModelNotBuilt):
        store.current_model(tmp_path, build=False)
    assert not (tmp_path / store.BASE).exists()
