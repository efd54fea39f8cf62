"""reference/evidence-rules.yml: valid, documented, and refused with every problem named."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from un1540.errors import InvalidData
from un1540.reference.evidence import (
    EVIDENCE_RULES_FILE,
    REQUIREMENTS,
    load_evidence_rules,
    parse_evidence_rules,
)
from un1540.reference.files import read_yaml, reference_path


def test_the_bundled_rules_ask_evidence_of_x_and_a_reason_of_na() -> None:
    rules = load_evidence_rules()
    assert rules.version == "1"
    assert [(rule.code, rule.mark, rule.requires) for rule in rules.rules] == [
        ("x_requires_evidence", "X", "evidence"),
        ("na_requires_reason", "NA", "remark"),
    ]
    assert all(rule.message and rule.fix for rule in rules.rules)
    assert rules.by_code("na_requires_reason") is rules.rules[1]
    assert rules.by_code("nothing") is None


def test_the_header_documents_every_field_and_requirement() -> None:
    header = [
        line
        for line in reference_path(EVIDENCE_RULES_FILE).read_text(encoding="utf-8").splitlines()
        if line.startswith("#")
    ]
    text = "\n".join(header)
    for word in ("code", "mark", "requires", "message", "fix", *REQUIREMENTS):
        assert f"#   {word}" in text or f"#               {word}" in text, word


def _raw() -> dict[str, Any]:
    return copy.deepcopy(read_yaml(reference_path(EVIDENCE_RULES_FILE)))


@pytest.mark.parametrize(
    ("change", "where", "fragment"),
    [
        (lambda raw: raw["rules"][0].update(mark="Y"), "rules[1].mark", "is not one of"),
        (lambda raw: raw["rules"][1].update(requires="proof"), "rules[2].requires", "proof"),
        (lambda raw: raw["rules"][1].update(code="x_requires_evidence"), "rules[2].code", "twice"),
        (lambda raw: raw["rules"][0].update(code="X-Rule"), "rules[1].code", "lower case"),
        (lambda raw: raw["rules"][0].pop("message"), "rules[1].message", "missing"),
        (lambda raw: raw["rules"][0].update(colour="red"), "rules[1]", "unknown key"),
        (lambda raw: raw.pop("rules_version"), "rules_version", "missing"),
        (lambda raw: raw.update(rules=[]), "rules", "missing or empty"),
    ],
)
def test_a_damaged_file_is_refused_naming_the_rule_and_field(
    change: Any, where: str, fragment: str
) -> None:
    raw = _raw()
    change(raw)
    with pytest.raises(InvalidData, match=r"evidence-rules\.yml is not valid") as refused:
        parse_evidence_rules(raw)
    assert any(
        problem.where == f"{EVIDENCE_RULES_FILE}: {where}" and fragment in problem.message
        for problem in refused.value.problems
    ), refused.value.problems
