"""The lexicon of concepts (reference/evidence/lexicon.yml): loading, validation, matching."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from typing import Any

import yaml

from un1540.analytics.evidence.text import LANGUAGES, Normalised, fold, normalise
from un1540.reference.frameworks import bundled_frameworks

LEXICON_FILE = "lexicon.yml"
KINDS = ("weapon", "delivery", "dual_use", "activity", "penalty", "negative")
NEGATIVE_KINDS = (
    "hoax",
    "radioactive_waste",
    "conventional_arms",
    "drug_precursors",
    "other_cbrn_words",
    "unrelated",
)
WEAPONS = ("nw", "cw", "bw")
_GAP_WORDS = 4
_GAP_CHARS = 8


class LexiconError(ValueError):
    """The lexicon file is wrong: the message names the concept or field and what is wrong."""


@dataclass(frozen=True)
class Concept:
    id: str
    kind: str
    weapons: tuple[str, ...]
    strength: str
    negative_kind: str | None
    terms: dict[str, tuple[str, ...]]
    patterns: dict[str, re.Pattern[str]] = field(repr=False, compare=False)
    # per language, the first word of each term: every match of the pattern contains one, so a
    # text holding none of them is skipped without running the pattern (most concepts, most texts)
    literals: dict[str, tuple[str, ...]] = field(default_factory=dict, repr=False, compare=False)


@dataclass(frozen=True)
class FieldRule:
    code: str
    section: str
    all: tuple[str, ...]
    none: tuple[str, ...]
    weapons: tuple[str, ...]


@dataclass(frozen=True)
class Hit:
    concept: str
    term: str
    start: int  # in the original text
    end: int
    phrase: str  # the original words that matched


@dataclass(frozen=True)
class Lexicon:
    version: str
    checksum: str
    concepts: dict[str, Concept]
    fields: dict[str, FieldRule]

    def match(self, text: str, language: str) -> dict[str, list[Hit]]:
        """Every concept's hits in `text`, by concept id, in the order they occur."""
        folded = normalise(text)
        found: dict[str, list[Hit]] = {}
        for concept in self.concepts.values():
            pattern = concept.patterns.get(language)
            if pattern is None:
                continue
            literals = concept.literals.get(language)
            if literals is not None and not any(word in folded.text for word in literals):
                continue
            hits = [_hit(concept.id, folded, text, m) for m in pattern.finditer(folded.text)]
            if hits:
                found[concept.id] = hits
        return found


def _hit(concept: str, folded: Normalised, text: str, found: re.Match[str]) -> Hit:
    start, end = folded.span(found.start(), found.end())
    return Hit(concept, found.group(0), start, end, text[start:end])


# The pronouns Arabic attaches to a noun, folded, longest first (not ي, "my": it would read
# a doubled ya, شرايين, as one).
_AR_PRONOUNS = "|".join(["هما", "هم", "هن", "ها", "كما", "كم", "كن", "نا", "ه", "ك"])
_AR_PRONOUNS_AFTER_YA = "|".join(["هما", "هم", "هن", "ها", "كما", "كم", "كن", "نا", "ك"])


def _word_pattern(word: str, language: str) -> str:
    exact = word.endswith("$") and len(word) > 1
    word = word.removesuffix("$") if exact else word
    body = re.escape(word)
    if language == "zh":
        return body
    if language == "ar":
        if word.endswith("\u0621") and not exact:
            # A hamza on the line sits on waw or ya once a pronoun is attached (اقتناء,
            # اقتناؤها, اقتنائها), and those fold to plain و and ي: the term matches them too,
            # before a pronoun only (شراء -> شرائها, not شرايين, arteries).
            # On ya, not before a bare ه: a folded ta marbuta reads the same (الغاية, "the aim",
            # is no الغاء, "cancellation").
            body = (
                re.escape(word[:-1])
                + "(?:\u0621|\u0648(?:"
                + _AR_PRONOUNS
                + ")|\u064a(?:"
                + _AR_PRONOUNS_AFTER_YA
                + "))"
            )
        return r"\w*" + body + ("" if exact else r"\w*")
    return body + (r"(?!\w)" if exact else r"\w*")


def term_literal(term: str) -> str:
    """The first word of a folded term as its pattern spells it: every match contains it (an
    Arabic word without its final hamza, which a pronoun moves onto waw or ya)."""
    word = term.split("~")[0].split()[0]
    if word.endswith("$") and len(word) > 1:
        return word.removesuffix("$")
    return word.removesuffix("\u0621") if len(word) > 1 else word


def term_pattern(term: str, language: str) -> str:
    """The regular expression of one folded term (see the syntax in lexicon.yml); outside Chinese
    it matches at a word start only under `_compile`'s word-start check."""
    pieces = [piece.strip() for piece in term.split("~")]
    compiled = []
    for piece in pieces:
        words = piece.split()
        if language == "zh":
            compiled.append("".join(_word_pattern(word, language) for word in words))
        else:
            compiled.append(r"\W+".join(_word_pattern(word, language) for word in words))
    if language == "zh":
        gap = ".{0," + str(_GAP_CHARS) + "}?"
    else:
        gap = r"\W+(?:\w+\W+){0," + str(_GAP_WORDS) + "}?"
    return gap.join(compiled)


def _compile(terms: tuple[str, ...], language: str) -> re.Pattern[str]:
    """One pattern for a concept's terms in a language, the longest first. Outside Chinese every
    match starts at a word start, so the word-start check comes once, before the alternatives:
    the engine leaves a position inside a word at once instead of trying every term there (four
    times faster on the development set, the same matches: round 18 of docs/evidence.md)."""
    ordered = sorted(terms, key=len, reverse=True)
    alternatives = "|".join(f"(?:{term_pattern(term, language)})" for term in ordered)
    return re.compile(alternatives if language == "zh" else rf"(?<!\w)(?:{alternatives})")


def _problem(where: str, message: str) -> LexiconError:
    return LexiconError(f"{LEXICON_FILE}: {where}: {message}")


def parse_lexicon(data: Any, *, checksum: str = "") -> Lexicon:
    """A validated Lexicon from the parsed YAML; LexiconError names what is wrong and where."""
    if not isinstance(data, dict):
        raise _problem("top level", "expected a mapping")
    version = data.get("version")
    if not isinstance(version, str) or not version:
        raise _problem("version", "expected a non-empty string")
    if list(data.get("languages") or []) != list(LANGUAGES):
        raise _problem("languages", f"expected {list(LANGUAGES)}")
    raw_concepts = data.get("concepts")
    if not isinstance(raw_concepts, dict) or not raw_concepts:
        raise _problem("concepts", "expected a mapping of concepts")
    concepts: dict[str, Concept] = {}
    for concept_id, raw in raw_concepts.items():
        where = f"concepts.{concept_id}"
        if not isinstance(raw, dict):
            raise _problem(where, "expected a mapping")
        kind = raw.get("kind")
        if kind not in KINDS:
            raise _problem(f"{where}.kind", f"{kind!r} is not one of {', '.join(KINDS)}")
        weapons = tuple(raw.get("weapons") or ())
        if kind in ("weapon", "delivery", "dual_use") and not weapons:
            raise _problem(f"{where}.weapons", "a weapon concept names its categories")
        for weapon in weapons:
            if weapon not in WEAPONS:
                raise _problem(f"{where}.weapons", f"{weapon!r} is not one of nw, cw, bw")
        strength = raw.get("strength", "strong")
        if strength not in ("strong", "weak"):
            raise _problem(f"{where}.strength", "expected strong or weak")
        negative_kind = raw.get("negative_kind")
        if kind == "negative" and negative_kind not in NEGATIVE_KINDS:
            raise _problem(f"{where}.negative_kind", f"{negative_kind!r} is not a negative kind")
        raw_terms = raw.get("terms")
        if not isinstance(raw_terms, dict):
            raise _problem(f"{where}.terms", "expected terms by language")
        terms: dict[str, tuple[str, ...]] = {}
        patterns: dict[str, re.Pattern[str]] = {}
        for language in LANGUAGES:
            items = raw_terms.get(language)
            if not isinstance(items, list) or not items:
                raise _problem(f"{where}.terms.{language}", "expected a non-empty list of terms")
            folded_terms = []
            for index, item in enumerate(items):
                if not isinstance(item, str) or not item.strip() or item.strip() in ("~", "$"):
                    raise _problem(f"{where}.terms.{language}[{index}]", "expected a term")
                folded_terms.append(fold(item.strip()))
            if len(set(folded_terms)) != len(folded_terms):
                duplicate = next(t for t in folded_terms if folded_terms.count(t) > 1)
                raise _problem(f"{where}.terms.{language}", f"term {duplicate!r} is repeated")
            terms[language] = tuple(folded_terms)
            try:
                patterns[language] = _compile(terms[language], language)
            except re.error as error:  # pragma: no cover - escaped terms always compile
                raise _problem(f"{where}.terms.{language}", str(error)) from error
        unknown = set(raw_terms) - set(LANGUAGES)
        if unknown:
            raise _problem(f"{where}.terms", f"unknown language {sorted(unknown)[0]!r}")
        literals = {
            language: tuple(sorted({term_literal(term) for term in language_terms}))
            for language, language_terms in terms.items()
        }
        concepts[concept_id] = Concept(
            concept_id, kind, weapons, strength, negative_kind, terms, patterns, literals
        )
    known = framework_fields()
    raw_fields = data.get("fields")
    if not isinstance(raw_fields, dict) or not raw_fields:
        raise _problem("fields", "expected a mapping of field codes")
    fields: dict[str, FieldRule] = {}
    for code, raw in raw_fields.items():
        where = f"fields.{code}"
        if code not in known:
            raise _problem(where, "not a field of the matrix framework")
        section, applies_to = known[code]
        if section == "op1":
            raise _problem(where, "OP1 fields are treaties, never evidenced by a domestic law")
        if not isinstance(raw, dict) or not raw.get("all"):
            raise _problem(f"{where}.all", "expected a non-empty list of concepts")
        for key in ("all", "none"):
            for concept_id in raw.get(key) or ():
                if concept_id not in concepts:
                    raise _problem(f"{where}.{key}", f"unknown concept {concept_id!r}")
        weapons = tuple(raw.get("weapons") or applies_to)
        if not set(weapons) <= set(applies_to):
            raise _problem(f"{where}.weapons", f"the field applies to {list(applies_to)} only")
        fields[code] = FieldRule(
            code, section, tuple(raw["all"]), tuple(raw.get("none") or ()), weapons
        )
    return Lexicon(version, checksum, concepts, fields)


@cache
def framework_fields() -> dict[str, tuple[str, tuple[str, ...]]]:
    """Each field code of the default framework: (its section, the categories it applies to)."""
    spec = bundled_frameworks()[0].spec
    return {
        item.code: (section.code, tuple(item.applies_to))
        for section in spec.sections
        for item in section.fields
    }


def lexicon_text() -> str:
    return (
        resources.files("un1540.reference")
        .joinpath("evidence", LEXICON_FILE)
        .read_text(encoding="utf-8")
    )


@cache
def load_lexicon() -> Lexicon:
    """The shipped lexicon, validated (cached)."""
    text = lexicon_text()
    checksum = hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]
    return parse_lexicon(yaml.safe_load(text), checksum=checksum)
