"""The incident vocabularies (reference/incidents.yml): complete, translated, and checked."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from un1540.errors import InvalidData
from un1540.reference.files import read_yaml, reference_path
from un1540.reference.incidents import (
    INCIDENTS_FILE,
    load_incident_vocabulary,
    parse_vocabulary,
)


def test_the_vocabularies_load_complete_and_in_six_languages() -> None:
    vocabulary = load_incident_vocabulary()
    assert list(vocabulary.categories) == ["nuclear", "radioactive", "chemical", "biological"]
    assert set(vocabulary.kinds) == {
        "theft",
        "loss",
        "illicit_trafficking",
        "unauthorised_possession",
        "attempted_acquisition",
        "use",
        "scam",
        "hoax",
    }
    assert set(vocabulary.groupings) == {"trafficking_or_malicious", "undetermined", "unrelated"}
    assert set(vocabulary.sources) == {"state_reported", "organisation", "open_source"}
    assert vocabulary.public_confirmation == frozenset({"confirmed"})
    # The examples of the default mapping kind -> matrix fields.
    assert "op3cd.border_control" in vocabulary.default_fields("illicit_trafficking")
    assert "op3ab.secure_transport" in vocabulary.default_fields("theft")
    assert vocabulary.name("kinds", "theft", "fr") == "Vol"
    assert "reporting practice" in vocabulary.caveat.name
    assert set(vocabulary.caveat.names) == {"ar", "zh", "fr", "ru", "es"}


def _raw() -> dict[str, Any]:
    return copy.deepcopy(read_yaml(reference_path(INCIDENTS_FILE)))


def _problems(raw: dict[str, Any]) -> dict[str, str]:
    with pytest.raises(InvalidData) as raised:
        parse_vocabulary(raw, "bad.yml")
    return {problem.where: problem.message for problem in raised.value.problems}


def test_a_bad_vocabulary_is_refused_naming_the_place() -> None:
    raw = _raw()
    raw["kinds"]["theft"]["fields"].append("op9.nothing")
    del raw["categories"]["chemical"]["names"]["zh"]
    raw["categories"]["biological"]["weapon"] = "xw"
    raw["confirmation"]["refuted"]["confirmed"] = True
    del raw["caveat"]
    problems = _problems(raw)
    assert problems["bad.yml: kinds.theft.fields"] == "unknown fields op9.nothing"
    assert problems["bad.yml: categories.chemical"] == "names lacks zh"
    assert "must be one of" in problems["bad.yml: categories.biological.weapon"]
    assert problems["bad.yml: confirmation"] == "exactly one status is confirmed"
    assert problems["bad.yml: caveat"] == "missing"


def test_the_sources_are_the_three_the_register_knows() -> None:
    raw = _raw()
    raw["sources"]["rumour"] = {
        "name": "Rumour",
        "names": dict.fromkeys(["ar", "zh", "fr", "ru", "es"], "x"),
    }
    assert "must be state_reported" in _problems(raw)["bad.yml: sources"]
