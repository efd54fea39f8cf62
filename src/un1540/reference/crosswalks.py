"""Instruments and crosswalks: matrix fields -> the treaty articles on the same subject.

`instruments.yml` lists the instruments (BWC, CWC, CPPNM, its 2005 Amendment, ICSANT, the FATF
Recommendations) and the articles an id may name; `crosswalks/*.yml` map the fields of one
framework version to article ids. Both are versioned data: a new framework version gets its own
crosswalk file, and a corrected mapping a new crosswalk version. Every file is validated in
full when loaded: an unknown field, instrument or article is an error naming file, entry and id.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from functools import cache
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from un1540.errors import InvalidData, Problem
from un1540.reference.files import read_yaml, reference_path
from un1540.reference.frameworks import bundled_frameworks
from un1540.reference.languages import UN_LANGUAGES

INSTRUMENTS_FILE = "instruments.yml"
BUNDLED_CROSSWALKS = ("crosswalks/un1540-matrix_reconstructed-2016.yml",)
# instrument[:article[.paragraph][(letter)...]]
ARTICLE_ID = re.compile(
    r"^(?P<instrument>[a-z][a-z0-9_]*)"
    r"(?::(?P<article>[0-9A-Za-z]+)(?P<detail>(?:\.[0-9]+)?(?:\([a-z]+\))*))?$"
)


def roman(number: int) -> str:
    values = ((10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I"))
    text = ""
    for value, letters in values:
        while number >= value:
            text, number = text + letters, number - value
    return text


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class _Numbering(_Strict):
    style: Literal["roman", "arabic"] | None = None
    last: int | None = Field(default=None, ge=1, le=200)
    listed: list[str] | None = None


class _InstrumentSpec(_Strict):
    short: str = Field(min_length=1)
    name: str = Field(min_length=1)
    names: dict[str, str] = Field(default_factory=dict)
    kind: Literal["treaty", "amendment", "recommendation"]
    text: str = Field(min_length=1)
    opened: date
    articles: _Numbering
    prefix: str = ""
    subjects: dict[str, dict[str, str]] = Field(default_factory=dict)


class _InstrumentsFile(_Strict):
    instruments: dict[str, _InstrumentSpec] = Field(min_length=1)


class _LinkSpec(_Strict):
    field: str = Field(min_length=1)
    articles: list[str] = Field(min_length=1)
    confidence: Literal["V", "GK"] | None = None
    note: str = ""


class _CrosswalkFile(_Strict):
    crosswalk: str = Field(pattern=r"^[a-z0-9][a-z0-9-]*$")
    version: str = Field(pattern=r"^[a-z0-9][a-z0-9._-]*$")
    framework: str = Field(pattern=r"^[a-z0-9][a-z0-9-]*/[a-z0-9][a-z0-9._-]*$")
    confidence: Literal["V", "GK"]
    links: list[_LinkSpec] = Field(min_length=1)


@dataclass(frozen=True)
class Instrument:
    code: str
    short: str
    name: str
    names: dict[str, str]
    kind: Literal["treaty", "amendment", "recommendation"]
    text: str
    opened: date
    articles: tuple[str, ...]
    subjects: dict[str, dict[str, str]]

    def subject(self, article: str, language: str = "en") -> str:
        texts = self.subjects.get(article, {})
        return texts.get(language) or texts.get("en", "")


@dataclass(frozen=True)
class ArticleRef:
    """A parsed article id: `cwc:VII.1(a)` -> instrument cwc, article VII, detail `.1(a)`."""

    id: str
    instrument: str
    article: str = ""
    detail: str = ""

    @property
    def citation(self) -> str:
        """`VII.1(a)` (empty for the instrument as a whole)."""
        return f"{self.article}{self.detail}"


@dataclass(frozen=True)
class CrosswalkLink:
    field: str
    article: ArticleRef
    confidence: Literal["V", "GK"]
    note: str = ""


@dataclass(frozen=True)
class Crosswalk:
    code: str
    version: str
    framework: str
    source_name: str
    links: tuple[CrosswalkLink, ...] = field(default=())

    @property
    def slug(self) -> str:
        return f"{self.code}/{self.version}"


def _numbers(spec: _InstrumentSpec) -> tuple[str, ...]:
    numbering = spec.articles
    if numbering.listed is not None:
        return tuple(numbering.listed)
    assert numbering.last is not None
    if numbering.style == "roman":
        return tuple(roman(n) for n in range(1, numbering.last + 1))
    return tuple(f"{spec.prefix}{n}" for n in range(1, numbering.last + 1))


def _problems_of(error: ValidationError, source_name: str) -> list[Problem]:
    return [
        Problem(f"{source_name}: {'.'.join(str(p) for p in item['loc'])}", item["msg"])
        for item in error.errors()
    ]


def parse_instruments(raw: Any, *, source_name: str) -> dict[str, Instrument]:
    """Validate the instruments file; InvalidData lists every problem with its location."""
    try:
        parsed = _InstrumentsFile.model_validate(raw)
    except ValidationError as error:
        raise InvalidData(
            f"{source_name} is not a valid instruments file",
            problems=_problems_of(error, source_name),
        ) from error
    problems: list[Problem] = []
    instruments: dict[str, Instrument] = {}
    for code, spec in parsed.instruments.items():
        where = f"{source_name}: instruments.{code}"
        if not re.match(r"^[a-z][a-z0-9_]*$", code):
            problems.append(Problem(where, "the code must be a lowercase slug"))
        numbering = spec.articles
        if (numbering.listed is None) == (numbering.style is None or numbering.last is None):
            problems.append(
                Problem(f"{where}.articles", "give either {style, last} or {listed}, not both")
            )
            continue
        articles = _numbers(spec)
        problems += [
            Problem(f"{where}.names", f"{lang!r} is not a UN language")
            for lang in spec.names
            if lang not in UN_LANGUAGES
        ]
        for article, texts in spec.subjects.items():
            if article not in articles:
                problems.append(Problem(f"{where}.subjects", f"no article {article!r}"))
            missing = sorted(set(UN_LANGUAGES) - set(texts))
            if missing or set(texts) - set(UN_LANGUAGES):
                problems.append(
                    Problem(f"{where}.subjects.{article}", "give the subject in the six languages")
                )
        instruments[code] = Instrument(
            code=code,
            short=spec.short,
            name=spec.name,
            names=dict(spec.names),
            kind=spec.kind,
            text=spec.text,
            opened=spec.opened,
            articles=articles,
            subjects={k: dict(v) for k, v in spec.subjects.items()},
        )
    if problems:
        raise InvalidData(f"{source_name} is not a valid instruments file", problems=problems)
    return instruments


def parse_article_id(text: str, instruments: dict[str, Instrument]) -> ArticleRef:
    """An article id checked against the instruments; ValueError says what is wrong."""
    match = ARTICLE_ID.match(text)
    if match is None:
        raise ValueError(
            f"{text!r} is not an article id (instrument, or instrument:article.paragraph(letter))"
        )
    instrument = instruments.get(match["instrument"])
    if instrument is None:
        raise ValueError(f"{text!r} names no known instrument ({', '.join(sorted(instruments))})")
    article = match["article"] or ""
    if article and article not in instrument.articles:
        raise ValueError(f"{text!r}: {instrument.short} has no article {article!r}")
    return ArticleRef(
        id=text, instrument=instrument.code, article=article, detail=match["detail"] or ""
    )


def parse_crosswalk(
    raw: Any,
    *,
    source_name: str,
    instruments: dict[str, Instrument],
    framework_fields: dict[str, set[str]],
) -> Crosswalk:
    """Validate a crosswalk file against the instruments and the field codes of each framework
    version (slug -> codes); InvalidData lists every problem with its entry and id."""
    try:
        parsed = _CrosswalkFile.model_validate(raw)
    except ValidationError as error:
        raise InvalidData(
            f"{source_name} is not a valid crosswalk file",
            problems=_problems_of(error, source_name),
        ) from error
    fields = framework_fields.get(parsed.framework)
    if fields is None:
        raise InvalidData(
            f"{source_name} is not a valid crosswalk file",
            problems=[
                Problem(f"{source_name}: framework", f"no framework version {parsed.framework!r}")
            ],
        )
    problems: list[Problem] = []
    links: list[CrosswalkLink] = []
    seen_fields: set[str] = set()
    for index, spec in enumerate(parsed.links):
        where = f"{source_name}: links[{index}] ({spec.field})"
        if spec.field not in fields:
            problems.append(
                Problem(f"{where}.field", f"no field {spec.field!r} in {parsed.framework}")
            )
        if spec.field in seen_fields:
            problems.append(Problem(f"{where}.field", "the field is listed twice"))
        seen_fields.add(spec.field)
        if len(set(spec.articles)) != len(spec.articles):
            problems.append(Problem(f"{where}.articles", "an article is listed twice"))
        for article_id in spec.articles:
            try:
                article = parse_article_id(article_id, instruments)
            except ValueError as error:
                problems.append(Problem(f"{where}.articles", str(error)))
                continue
            links.append(
                CrosswalkLink(
                    field=spec.field,
                    article=article,
                    confidence=spec.confidence or parsed.confidence,
                    note=spec.note,
                )
            )
    if problems:
        raise InvalidData(f"{source_name} is not a valid crosswalk file", problems=problems)
    return Crosswalk(
        code=parsed.crosswalk,
        version=parsed.version,
        framework=parsed.framework,
        source_name=source_name,
        links=tuple(links),
    )


@cache
def load_instruments() -> dict[str, Instrument]:
    path = reference_path(INSTRUMENTS_FILE)
    return parse_instruments(read_yaml(path), source_name=path.name)


def bundled_framework_fields() -> dict[str, set[str]]:
    return {
        definition.slug: {f.code for s in definition.spec.sections for f in s.fields}
        for definition in bundled_frameworks()
    }


def read_crosswalk_file(path: Path) -> Crosswalk:
    return parse_crosswalk(
        read_yaml(path),
        source_name=path.name,
        instruments=load_instruments(),
        framework_fields=bundled_framework_fields(),
    )


@cache
def bundled_crosswalks() -> tuple[Crosswalk, ...]:
    return tuple(read_crosswalk_file(reference_path(name)) for name in BUNDLED_CROSSWALKS)


def crosswalks_for(framework_slug: str) -> tuple[Crosswalk, ...]:
    """The crosswalks of one framework version (none for a version nobody has mapped yet)."""
    return tuple(c for c in bundled_crosswalks() if c.framework == framework_slug)


# OP1 treaty status (services/matrix/actions/treaties.py): what a State's relation to a treaty
# is, and who asserted it. Codes only; the portal translates them.
TREATY_STATUSES = ("signed", "ratified", "acceded", "succeeded", "not_party")
ASSERTED_BY = ("state_report", "committee_finding", "organisation_information")


def treaty_fields(framework_slug: str) -> dict[str, Instrument]:
    """Fields that stand for one instrument as a whole (the OP1 treaty rows) -> instrument."""
    instruments = load_instruments()
    wholes: dict[str, list[str]] = {}
    for crosswalk in crosswalks_for(framework_slug):
        for link in crosswalk.links:
            if not link.article.article and instruments[link.article.instrument].kind != (
                "recommendation"
            ):
                wholes.setdefault(link.field, []).append(link.article.instrument)
    return {field: instruments[codes[0]] for field, codes in wholes.items() if len(codes) == 1}
