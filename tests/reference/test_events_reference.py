"""reference/events.yml and events_sourced.yml: every vocabulary in the six languages, every
sourced fact with its source, every code in its vocabulary; a broken file names the place."""

from __future__ import annotations

from datetime import date

import pytest

from un1540.errors import InvalidData
from un1540.reference.events import (
    load_event_vocabulary,
    load_sourced_events,
    parse_sourced_events,
    parse_vocabulary,
)


def test_the_vocabularies_are_complete_in_six_languages() -> None:
    vocabulary = load_event_vocabulary()
    assert set(vocabulary.kinds) >= {"open_debate", "committee_meeting", "workshop", "training"}
    assert set(vocabulary.audiences) == {
        "states",
        "organisations",
        "industry",
        "academia",
        "civil_society",
        "parliaments",
    }
    assert vocabulary.name("modes", "written", "fr") == "Présentée par écrit"
    for name in ("kinds", "audiences", "modes", "topics", "document_roles"):
        for term in vocabulary.terms(name).values():
            assert set(term.names) >= {"ar", "zh", "fr", "ru", "es"}, term.code


def test_the_2016_debate_is_recorded_only_from_its_sources() -> None:
    (debate,) = load_sourced_events()
    assert debate.starts_on.value == date(2016, 12, 15)
    assert debate.kind.value == "open_debate"
    assert "7837th meeting" in debate.place.value
    assert [d.symbol for d in debate.documents] == ["S/2016/1013", "S/2016/1038"]
    assert {p.name for p in debate.participants} == {"Jan Eliasson", "Brian Finlay", "James Min"}
    assert all(source.strip() for source in debate.sources())
    assert any("securitycouncilreport.org" in source for source in debate.sources())


def test_a_fact_without_its_source_or_an_unknown_code_is_named() -> None:
    raw = {
        "events": {
            "x": {
                "kind": {"value": "picnic", "source": "S/1"},
                "title": {"value": "T"},
                "starts_on": {"value": "soon", "source": "S/1"},
                "place": {"value": "", "source": "S/1"},
                "organisers": {"value": [], "source": "S/1"},
                "audiences": {"value": ["martians"], "source": "S/1"},
                "summary": {"value": "", "source": "S/1"},
                "documents": [{"symbol": "S/2", "role": "menu", "source": "S/1"}],
            }
        }
    }
    with pytest.raises(InvalidData) as error:
        parse_sourced_events(raw, load_event_vocabulary())
    where = {problem.where for problem in error.value.problems}
    assert where == {
        "events_sourced.yml: events.x.kind",
        "events_sourced.yml: events.x.title.source",
        "events_sourced.yml: events.x.starts_on",
        "events_sourced.yml: events.x.audiences",
        "events_sourced.yml: events.x.documents[0].role",
    }
    with pytest.raises(InvalidData) as error:
        parse_vocabulary({"kinds": {"a": {"name": "A"}}})
    assert "events.yml: kinds.a" in {problem.where for problem in error.value.problems}
