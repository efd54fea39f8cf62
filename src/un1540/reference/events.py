"""The event and statement vocabularies (events.yml), and the sourced records of real events
(events_sourced.yml), each validated with every problem named by its place in the file."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from typing import Any

from un1540.errors import InvalidData, Problem
from un1540.reference.files import read_yaml, reference_path
from un1540.reference.languages import UN_LANGUAGES

EVENTS_FILE = "events.yml"
SOURCED_EVENTS_FILE = "events_sourced.yml"
OTHER_LANGUAGES = tuple(code for code in UN_LANGUAGES if code != "en")
VOCABULARIES = ("kinds", "audiences", "modes", "topics", "document_roles")


@dataclass(frozen=True)
class Term:
    code: str
    name: str
    names: dict[str, str]

    def in_language(self, language: str) -> str:
        return self.names.get(language, self.name)


@dataclass(frozen=True)
class EventVocabulary:
    kinds: dict[str, Term]
    audiences: dict[str, Term]
    modes: dict[str, Term]
    topics: dict[str, Term]
    document_roles: dict[str, Term]

    def terms(self, vocabulary: str) -> dict[str, Term]:
        found: dict[str, Term] = getattr(self, vocabulary)
        return found

    def name(self, vocabulary: str, code: str, language: str = "en") -> str:
        """A code's name in `language` (the code itself when it is unknown)."""
        term = self.terms(vocabulary).get(code)
        return term.in_language(language) if term is not None else code

    def names(self, vocabulary: str, language: str = "en") -> dict[str, str]:
        return {code: term.in_language(language) for code, term in self.terms(vocabulary).items()}


def _term(where: str, code: str, item: Any, problems: list[Problem]) -> Term:
    if not isinstance(item, dict) or not str(item.get("name") or "").strip():
        problems.append(Problem(where, "no name"))
        return Term(code, code, {})
    names = item.get("names")
    if not isinstance(names, dict):
        problems.append(Problem(where, "no names"))
        names = {}
    missing = [lang for lang in OTHER_LANGUAGES if not str(names.get(lang) or "").strip()]
    if missing:
        problems.append(Problem(where, f"names lacks {', '.join(missing)}"))
    return Term(code, str(item["name"]), {str(k): str(v) for k, v in names.items()})


def parse_vocabulary(raw: Any, source: str = EVENTS_FILE) -> EventVocabulary:
    if not isinstance(raw, dict):
        raise InvalidData(f"{source} is not a vocabulary", problems=[Problem(source, "not a map")])
    problems: list[Problem] = []
    blocks: dict[str, dict[str, Term]] = {}
    for key in VOCABULARIES:
        block = raw.get(key)
        if not isinstance(block, dict) or not block:
            problems.append(Problem(f"{source}: {key}", "missing or empty"))
            block = {}
        blocks[key] = {
            str(code): _term(f"{source}: {key}.{code}", str(code), item, problems)
            for code, item in block.items()
        }
    if set(blocks["modes"]) != {"delivered", "written"}:
        problems.append(Problem(f"{source}: modes", "must be delivered and written"))
    if problems:
        raise InvalidData(f"{source} is not a valid event vocabulary", problems=problems)
    return EventVocabulary(**blocks)


@lru_cache(maxsize=1)
def load_event_vocabulary() -> EventVocabulary:
    return parse_vocabulary(read_yaml(reference_path(EVENTS_FILE)))


# Sourced records of real events: every fact with the source it comes from.


@dataclass(frozen=True)
class Sourced:
    """One fact and where it was seen."""

    value: Any
    source: str


@dataclass(frozen=True)
class SourcedParticipant:
    name: str
    role: str
    source: str


@dataclass(frozen=True)
class SourcedDocument:
    symbol: str
    title: str
    role: str
    issued_on: date | None
    url: str
    source: str


@dataclass(frozen=True)
class SourcedEvent:
    key: str
    kind: Sourced
    title: Sourced
    starts_on: Sourced
    place: Sourced
    organisers: Sourced
    audiences: Sourced
    summary: Sourced
    participants: tuple[SourcedParticipant, ...]
    documents: tuple[SourcedDocument, ...]

    def sources(self) -> list[str]:
        """Every distinct source, in the order the facts name them."""
        found = [
            fact.source
            for fact in (
                self.kind,
                self.title,
                self.starts_on,
                self.place,
                self.organisers,
                self.audiences,
                self.summary,
            )
        ]
        found += [p.source for p in self.participants] + [d.source for d in self.documents]
        return list(dict.fromkeys(found))


FACTS = ("kind", "title", "starts_on", "place", "organisers", "audiences", "summary")


def _fact(where: str, item: Any, problems: list[Problem]) -> Sourced:
    if not isinstance(item, dict) or "value" not in item:
        problems.append(Problem(where, "needs a value and its source"))
        return Sourced(None, "")
    source = str(item.get("source") or "").strip()
    if not source:
        problems.append(Problem(f"{where}.source", "missing: every fact names its source"))
    return Sourced(item["value"], source)


def parse_sourced_events(
    raw: Any, vocabulary: EventVocabulary, source: str = SOURCED_EVENTS_FILE
) -> list[SourcedEvent]:
    """The sourced events; every fact must carry its source and every code its vocabulary."""
    if not isinstance(raw, dict) or not isinstance(raw.get("events"), dict):
        raise InvalidData(f"{source} has no events", problems=[Problem(source, "no events map")])
    problems: list[Problem] = []
    events: list[SourcedEvent] = []
    for key, item in raw["events"].items():
        where = f"{source}: events.{key}"
        if not isinstance(item, dict):
            problems.append(Problem(where, "not a map"))
            continue
        facts = {name: _fact(f"{where}.{name}", item.get(name), problems) for name in FACTS}
        if facts["kind"].value not in vocabulary.kinds:
            problems.append(Problem(f"{where}.kind", f"unknown kind {facts['kind'].value!r}"))
        if not isinstance(facts["starts_on"].value, date):
            problems.append(Problem(f"{where}.starts_on", "must be a date (YYYY-MM-DD)"))
        for name in ("organisers", "audiences"):
            if not isinstance(facts[name].value, list):
                problems.append(Problem(f"{where}.{name}", "must be a list"))
        unknown = [a for a in facts["audiences"].value or [] if a not in vocabulary.audiences]
        if unknown:
            problems.append(Problem(f"{where}.audiences", f"unknown {', '.join(unknown)}"))
        participants = []
        for number, person in enumerate(item.get("participants") or []):
            place = f"{where}.participants[{number}]"
            if not isinstance(person, dict) or not person.get("name") or not person.get("source"):
                problems.append(Problem(place, "needs a name and its source"))
                continue
            participants.append(
                SourcedParticipant(
                    str(person["name"]), str(person.get("role") or ""), str(person["source"])
                )
            )
        documents = []
        for number, document in enumerate(item.get("documents") or []):
            place = f"{where}.documents[{number}]"
            if not isinstance(document, dict) or not document.get("source"):
                problems.append(Problem(place, "needs its source"))
                continue
            if document.get("role") not in vocabulary.document_roles:
                problems.append(Problem(f"{place}.role", f"unknown role {document.get('role')!r}"))
            issued = document.get("issued_on")
            if issued is not None and not isinstance(issued, date):
                problems.append(Problem(f"{place}.issued_on", "must be a date (YYYY-MM-DD)"))
            documents.append(
                SourcedDocument(
                    symbol=str(document.get("symbol") or ""),
                    title=str(document.get("title") or ""),
                    role=str(document.get("role") or ""),
                    issued_on=issued if isinstance(issued, date) else None,
                    url=str(document.get("url") or ""),
                    source=str(document["source"]),
                )
            )
        events.append(
            SourcedEvent(
                str(key), participants=tuple(participants), documents=tuple(documents), **facts
            )
        )
    if problems:
        raise InvalidData(f"{source} is not a valid record of sourced events", problems=problems)
    return events


@lru_cache(maxsize=1)
def load_sourced_events() -> tuple[SourcedEvent, ...]:
    return tuple(
        parse_sourced_events(
            read_yaml(reference_path(SOURCED_EVENTS_FILE)), load_event_vocabulary()
        )
    )
