"""The evidence rules (evidence-rules.yml): what a mark must carry before an edition is public."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from un1540.errors import InvalidData, Problem
from un1540.reference.files import read_yaml, reference_path

EVIDENCE_RULES_FILE = "evidence-rules.yml"
MARKS = ("X", "?", "NA", "")
REQUIREMENTS = ("evidence", "remark")
_CODE = re.compile(r"^[a-z][a-z_]{1,39}$")


@dataclass(frozen=True)
class EvidenceRule:
    code: str
    mark: str
    requires: str  # one of REQUIREMENTS
    message: str
    fix: str


@dataclass(frozen=True)
class EvidenceRules:
    version: str
    rules: tuple[EvidenceRule, ...]

    def by_code(self, code: str) -> EvidenceRule | None:
        return next((rule for rule in self.rules if rule.code == code), None)


def parse_evidence_rules(raw: Any, source: str = EVIDENCE_RULES_FILE) -> EvidenceRules:
    """The rules of a parsed file, or InvalidData naming every problem (file, rule, field)."""
    problems: list[Problem] = []
    if not isinstance(raw, dict):
        raise InvalidData(f"{source} is not valid", problems=[Problem(source, "not a mapping")])
    version = raw.get("rules_version")
    if not isinstance(version, str) or not version:
        problems.append(Problem(f"{source}: rules_version", "missing (a quoted string)"))
    items = raw.get("rules")
    if not isinstance(items, list) or not items:
        problems.append(Problem(f"{source}: rules", "missing or empty (a list of rules)"))
        items = []
    rules: list[EvidenceRule] = []
    seen: set[str] = set()
    for index, item in enumerate(items, start=1):
        where = f"{source}: rules[{index}]"
        if not isinstance(item, dict):
            problems.append(Problem(where, "not a mapping"))
            continue
        values = {key: item.get(key) for key in ("code", "mark", "requires", "message", "fix")}
        for key, value in values.items():
            if not isinstance(value, str) or (key != "mark" and not value.strip()):
                problems.append(Problem(f"{where}.{key}", "missing (a string)"))
        unknown = sorted(set(item) - set(values))
        if unknown:
            problems.append(Problem(where, f"unknown key(s): {', '.join(map(str, unknown))}"))
        code, mark, requires = values["code"], values["mark"], values["requires"]
        if isinstance(code, str) and code:
            if not _CODE.match(code):
                problems.append(Problem(f"{where}.code", f"{code!r}: lower case a-z and _ only"))
            elif code in seen:
                problems.append(Problem(f"{where}.code", f"{code!r} is given twice"))
            seen.add(code)
        if isinstance(mark, str) and mark not in MARKS:
            problems.append(Problem(f"{where}.mark", f'{mark!r} is not one of X, ?, NA or ""'))
        if isinstance(requires, str) and requires and requires not in REQUIREMENTS:
            problems.append(
                Problem(
                    f"{where}.requires", f"{requires!r} is not one of {', '.join(REQUIREMENTS)}"
                )
            )
        if not problems:
            rules.append(EvidenceRule(**{key: str(value) for key, value in values.items()}))
    if problems:
        raise InvalidData(f"{source} is not valid", problems=problems)
    return EvidenceRules(version=str(version), rules=tuple(rules))


@lru_cache(maxsize=1)
def load_evidence_rules() -> EvidenceRules:
    return parse_evidence_rules(read_yaml(reference_path(EVIDENCE_RULES_FILE)))
