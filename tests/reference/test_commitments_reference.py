"""reference/commitments.yml and the `commitment` lifecycle: loaded, consistent, and a broken
file refused naming the kind and field."""

from __future__ import annotations

from pathlib import Path

import pytest

import un1540.reference.commitments as reference
from un1540.errors import InvalidData
from un1540.reference.commitments import FULFILMENT_KINDS, commitment_kinds
from un1540.reference.lifecycles import lifecycle
from un1540.schemas.vocabularies import vocabulary


def test_the_kinds_and_the_lifecycle_load() -> None:
    kinds = commitment_kinds()
    assert set(kinds) >= {
        "legislation",
        "action_plan",
        "assistance_programme",
        "voluntary_contribution",
        "financial_pledge",
        "hosting_training",
        "other",
    }
    assert all(kind in FULFILMENT_KINDS for k in kinds.values() for kind in k.fulfilled_by)
    machine = lifecycle("commitment")
    assert machine.initial == "announced"
    assert machine.final == {"delivered", "withdrawn"}
    assert machine.targets_from("announced") == (
        "in_progress",
        "partly_delivered",
        "delivered",
        "withdrawn",
    )
    assert vocabulary("commitment_kind") == tuple(kinds)
    assert vocabulary("commitment_status") == tuple(machine.statuses)


def test_a_broken_file_is_refused_naming_where(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    broken = tmp_path / "commitments.yml"
    broken.write_text(
        "kinds:\n  pledge:\n    name: Pledge\n    fulfilled_by: [cheque]\n  Bad:\n    name: ''\n",
        encoding="utf-8",
    )
    monkeypatch.setattr(reference, "reference_path", lambda name: broken)
    commitment_kinds.cache_clear()
    try:
        with pytest.raises(InvalidData) as error:
            commitment_kinds()
        where = {problem.where for problem in error.value.problems}
        assert "commitments.yml: kinds.pledge.fulfilled_by" in where
        assert "commitments.yml: kinds.Bad.name" in where
    finally:
        monkeypatch.undo()
        commitment_kinds.cache_clear()
    assert "legislation" in commitment_kinds()
