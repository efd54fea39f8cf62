"""The technology and emerging risk notes (reference/risks.yml): versioned, stable ids, every
field code in the bundled framework, six languages, every note citing a source."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from un1540.errors import InvalidData
from un1540.reference.files import read_yaml, reference_path
from un1540.reference.risks import (
    RISKS_FILE,
    known_field_codes,
    load_risk_notes,
    parse_risk_notes,
)

# Ids once published never change or go: a URL /risks/{id} must keep working. Add new ones here.
PUBLISHED_IDS = {
    "intangible_transfers",
    "online_payments",
    "logistics",
    "additive_manufacturing",
    "synthetic_biology",
}


def test_the_notes_are_versioned_stable_and_tied_to_existing_fields() -> None:
    notes = load_risk_notes()
    assert notes.version.strip()
    ids = [note.id for note in notes.notes]
    assert len(ids) == len(set(ids))
    assert set(ids) >= PUBLISHED_IDS
    known = known_field_codes()
    for note in notes.notes:
        assert note.fields, note.id
        assert set(note.fields) <= known, note.id
        assert note.source, note.id
        assert all(item.strip() for item in note.source), note.id
        assert set(note.titles) == set(note.texts) == {"ar", "zh", "fr", "ru", "es"}, note.id
        assert note.basis in ("seed", "general_knowledge")
    # The seed's three new risks are tied to the fields that answer them.
    assert "op3cd.intangible_transfers" in notes.get("intangible_transfers").fields  # type: ignore[union-attr]
    assert {"op2.finance", "op3cd.financing"} <= set(notes.get("online_payments").fields)  # type: ignore[union-attr]
    assert "op3cd.transshipment" in notes.get("logistics").fields  # type: ignore[union-attr]
    assert set(notes.caveats) == {"ar", "zh", "fr", "ru", "es"}
    assert 0 < notes.thin_below <= 1
    assert notes.get("synthetic_biology").title_in("fr") == "Biologie de synthèse"  # type: ignore[union-attr]


def _problems(raw: Any) -> dict[str, str]:
    with pytest.raises(InvalidData) as raised:
        parse_risk_notes(raw, "bad.yml")
    return {problem.where: problem.message for problem in raised.value.problems}


def test_a_bad_list_is_refused_naming_each_place() -> None:
    raw = copy.deepcopy(read_yaml(reference_path(RISKS_FILE)))
    del raw["version"]
    raw["notes"][0]["fields"].append("op9.nothing")
    raw["notes"][1]["id"] = raw["notes"][0]["id"]
    del raw["notes"][2]["texts"]["zh"]
    raw["notes"][3]["source"] = []
    raw["notes"][4]["basis"] = "rumour"
    raw["notes"][4]["id"] = "Not An Id"
    problems = _problems(raw)
    assert problems["bad.yml: version"].startswith("missing")
    assert "op9.nothing" in problems["bad.yml: notes.intangible_transfers.fields"]
    assert problems["bad.yml: notes.intangible_transfers.id"] == "used twice"
    assert problems["bad.yml: notes.logistics.texts"] == "lacks zh"
    assert "source" in problems["bad.yml: notes.additive_manufacturing.source"]
    assert "lowercase" in problems["bad.yml: notes[4].id"]
    assert "must be one of" in problems["bad.yml: notes[4].basis"]
