"""The labelled development set (reference/evidence/devset/<lang>.jsonl, docs/evidence.md)."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

from un1540.analytics.evidence.lexicon import NEGATIVE_KINDS, WEAPONS, framework_fields
from un1540.analytics.evidence.text import LANGUAGES

COLUMNS = ("legal_framework", "enforcement")


class DevsetError(ValueError):
    """A development-set line is wrong: the message names the file, the line and the field."""


@dataclass(frozen=True)
class Label:
    weapons: tuple[str, ...]
    columns: tuple[str, ...]


@dataclass(frozen=True)
class Example:
    """A provision with the fields it is evidence for (and those an expert rejected)."""

    id: str
    text: str
    language: str
    source: str
    labels: dict[str, Label]
    rejected: frozenset[str] = frozenset()
    split: str = "train"
    negative_kind: str | None = None
    weight: float = 1.0
    # An expert's decisions on some of a provision's suggestions, not a full reading: the fields
    # neither confirmed nor rejected are unknown, so they teach nothing (not "not evidence").
    partial: bool = False
    extra: dict[str, str] = field(default_factory=dict, compare=False)
    # The law the provision comes from, the same for every language version of that law (so that a
    # cross-validation can hold out a law with all its translations); "" when the line names none.
    law: str = ""


def _check_label(raw: object, where: str) -> tuple[str, Label]:
    if not isinstance(raw, dict):
        raise DevsetError(f"{where}: expected an object")
    code = raw.get("field")
    known = framework_fields()
    if code not in known:
        raise DevsetError(f"{where}.field: {code!r} is not a field of the matrix framework")
    section, applies_to = known[code]
    if section == "op1":
        raise DevsetError(f"{where}.field: OP1 fields are never evidenced by a domestic law")
    weapons = raw.get("weapons")
    if not isinstance(weapons, list) or not weapons or not set(weapons) <= set(WEAPONS):
        raise DevsetError(f"{where}.weapons: expected a non-empty list of nw, cw, bw")
    if not set(weapons) <= set(applies_to):
        raise DevsetError(f"{where}.weapons: {code} applies to {list(applies_to)} only")
    columns = raw.get("columns")
    if not isinstance(columns, list) or not columns or not set(columns) <= set(COLUMNS):
        raise DevsetError(f"{where}.columns: expected legal_framework and/or enforcement")
    return str(code), Label(tuple(sorted(set(weapons))), tuple(c for c in COLUMNS if c in columns))


def _json_object(line: str, where: str, strings: tuple[str, ...]) -> dict[str, Any]:
    """A line's JSON object, with the keys `strings` holding non-empty strings."""
    try:
        raw = json.loads(line)
    except json.JSONDecodeError as error:
        raise DevsetError(f"{where}: not JSON ({error.msg})") from error
    if not isinstance(raw, dict):
        raise DevsetError(f"{where}: expected an object")
    for key in strings:
        if not isinstance(raw.get(key), str) or not raw[key].strip():
            raise DevsetError(f"{where}.{key}: expected a non-empty string")
    return raw


def _labels_list(raw: dict[str, Any], where: str) -> list[object]:
    labels = raw.get("labels")
    if not isinstance(labels, list):
        raise DevsetError(f"{where}.labels: expected a list")
    return labels


def parse_line(line: str, where: str) -> Example:
    """One development-set line, checked; DevsetError names where and what is wrong."""
    raw = _json_object(line, where, ("id", "language", "split", "source", "article", "text"))
    if raw["language"] not in LANGUAGES:
        raise DevsetError(f"{where}.language: {raw['language']!r} is not one of the six")
    if raw["split"] not in ("train", "test"):
        raise DevsetError(f"{where}.split: expected train or test")
    labels: dict[str, Label] = {}
    for index, item in enumerate(_labels_list(raw, where)):
        code, label = _check_label(item, f"{where}.labels[{index}]")
        if code in labels:  # the same field twice: the union of what both say
            old = labels[code]
            label = Label(
                tuple(sorted(set(old.weapons) | set(label.weapons))),
                tuple(c for c in COLUMNS if c in set(old.columns) | set(label.columns)),
            )
        labels[code] = label
    law = raw.get("law", "")
    if "law" in raw and (not isinstance(law, str) or not law.strip()):
        raise DevsetError(f"{where}.law: expected a non-empty string naming the law")
    negative_kind = raw.get("negative_kind")
    if negative_kind is not None and negative_kind not in NEGATIVE_KINDS:
        raise DevsetError(f"{where}.negative_kind: {negative_kind!r} is not a negative kind")
    if negative_kind is not None and labels:
        raise DevsetError(f"{where}.negative_kind: set only when labels is []")
    return Example(
        id=raw["id"],
        text=raw["text"],
        language=raw["language"],
        source=raw["source"],
        labels=labels,
        split=raw["split"],
        negative_kind=negative_kind,
        extra={"article": raw["article"], "state": str(raw.get("state") or ""), "law": law},
        law=law,
    )


def law_of(example: Example) -> str:
    """The law a provision belongs to, across its language versions: the line's `law` key when it
    has one (parallel versions of one law, e.g. the Canadian Human Pathogens and Toxins Act in
    English and in French, share it), else its `source`. Cross-validation groups by it, so no
    version of a law is trained on while another is validated."""
    return example.extra.get("law") or example.source


def law_folds(examples: Iterable[Example], folds: int, salt: str = "") -> dict[str, int]:
    """The cross-validation fold of each law (`law_of`): one fold per law when `folds` is 0, else
    `folds` groups by an MD5 hash of the salted law name (another salt, another grouping; the
    empty salt and a devset without `law` keys give the grouping of earlier rounds)."""
    laws = sorted({law_of(example) for example in examples})
    if not folds:
        return {law: index for index, law in enumerate(laws)}
    return {law: int(hashlib.md5((salt + law).encode()).hexdigest(), 16) % folds for law in laws}


def read_devset_file(path: Path) -> list[Example]:
    examples = []
    with path.open(encoding="utf-8") as lines:
        for number, line in enumerate(lines, start=1):
            if line.strip():
                examples.append(parse_line(line, f"{path.name}:{number}"))
    return examples


def shipped_devset_dir() -> Path:
    return Path(str(resources.files("un1540.reference").joinpath("evidence", "devset")))


def load_devset(directories: Iterable[Path] | None = None) -> list[Example]:
    """Every example of the development set (both splits), ids checked unique: every `*.jsonl`
    file of each directory, the `<lang>.more.jsonl` files added later included. A `law` is in one
    split only (all its provisions and language versions in train, or all in test)."""
    examples: list[Example] = []
    for directory in directories or [shipped_devset_dir()]:
        if directory.is_dir():
            for path in sorted(directory.glob("*.jsonl")):
                examples.extend(read_devset_file(path))
    seen: set[str] = set()
    for example in examples:
        if example.id in seen:
            raise DevsetError(f"{example.id}: the id is used twice in the development set")
        seen.add(example.id)
    splits: dict[str, str] = {}
    for example in examples:
        if example.law and splits.setdefault(example.law, example.split) != example.split:
            raise DevsetError(
                f"{example.id}: the law {example.law!r} has provisions in both train and test"
            )
    return examples


@dataclass(frozen=True)
class Reading:
    """A second reader's labels for one test-split provision, given without seeing its labels
    (reference/evidence/devset/agreement/): how far two readers of the written conventions agree,
    the ceiling of any model scored against them (benchmarks/evidence_agreement.py)."""

    id: str
    reader: str
    labels: dict[str, Label]
    negative_kind: str | None = None


def parse_reading(line: str, where: str, test_ids: set[str]) -> Reading:
    """One line of a second reading, checked like a development-set line; its `id` must be a
    provision of the test split (a reading of a train provision would measure nothing unseen)."""
    raw = _json_object(line, where, ("id", "reader"))
    if raw["id"] not in test_ids:
        raise DevsetError(f"{where}.id: {raw['id']!r} is not a provision of the test split")
    labels: dict[str, Label] = {}
    for index, item in enumerate(_labels_list(raw, where)):
        code, label = _check_label(item, f"{where}.labels[{index}]")
        if code in labels:
            raise DevsetError(f"{where}.labels[{index}].field: {code} is given twice")
        labels[code] = label
    negative_kind = raw.get("negative_kind")
    if (negative_kind is None) != bool(labels):
        raise DevsetError(f"{where}.negative_kind: set exactly when labels is []")
    if negative_kind is not None and negative_kind not in NEGATIVE_KINDS:
        raise DevsetError(f"{where}.negative_kind: {negative_kind!r} is not a negative kind")
    return Reading(raw["id"], raw["reader"], labels, negative_kind)


def load_readings(examples: Iterable[Example], directory: Path | None = None) -> list[Reading]:
    """Every second reading of the `agreement` directory beside the development set (one
    `<lang>.jsonl` per language), each provision read once, checked against `examples`."""
    test_ids = {example.id for example in examples if example.split == "test"}
    folder = directory or shipped_devset_dir() / "agreement"
    readings: list[Reading] = []
    seen: set[str] = set()
    for path in sorted(folder.glob("*.jsonl")):
        with path.open(encoding="utf-8") as lines:
            for number, line in enumerate(lines, start=1):
                if not line.strip():
                    continue
                reading = parse_reading(line, f"{path.name}:{number}", test_ids)
                if reading.id in seen:
                    raise DevsetError(f"{path.name}:{number}.id: {reading.id} is read twice")
                seen.add(reading.id)
                readings.append(reading)
    return readings
