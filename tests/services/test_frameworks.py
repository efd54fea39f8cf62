"""Several framework versions side by side; a stored structure never changes."""

from __future__ import annotations

import copy

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from un1540.errors import Conflict, InvalidData, NotFound
from un1540.models import AuditEvent, Framework
from un1540.reference.frameworks import bundled_frameworks, parse_framework
from un1540.services.matrix.actions.frameworks import store_framework
from un1540.services.matrix.reads.frameworks import (
    default_framework,
    framework_detail,
    framework_list,
    resolve_framework,
)


def _raw_bundled() -> dict[str, object]:
    spec = bundled_frameworks()[0].spec
    raw: dict[str, object] = spec.model_dump(mode="json")
    return copy.deepcopy(raw)


def _second_version() -> dict[str, object]:
    raw = _raw_bundled()
    raw["version"] = "official-2026"
    raw["title"] = "A later template"
    sections = raw["sections"]
    assert isinstance(sections, list)
    sections[1]["fields"].append(
        {
            "code": "op2.new_activity",
            "number": 99,
            "name": "A new activity",
            "applies_to": ["nw"],
            "verified": True,
        }
    )
    return raw


def test_a_second_version_is_stored_beside_the_first(session: Session) -> None:
    definition = parse_framework(_second_version(), source_name="official.yml", sha256="a" * 64)
    framework, outcome = store_framework(session, definition=definition, actor="tests")
    assert outcome == "created"
    assert not framework.is_default
    slugs = {item.slug: item for item in framework_list(session).items}
    assert set(slugs) == {"un1540-matrix/reconstructed-2016", "un1540-matrix/official-2026"}
    assert (
        slugs["un1540-matrix/official-2026"].cells
        == slugs["un1540-matrix/reconstructed-2016"].cells + 2
    )
    detail = framework_detail(session, code="un1540-matrix", version="official-2026")
    op2 = next(s for s in detail.sections if s.code == "op2")
    assert op2.fields[-1].cells == [
        "op2.new_activity:nw:legal_framework",
        "op2.new_activity:nw:enforcement",
    ]
    events = session.scalars(
        select(AuditEvent).where(AuditEvent.entity_id == "un1540-matrix/official-2026")
    ).all()
    assert [e.action for e in events] == ["framework.created"]


def test_make_default_moves_the_default(session: Session) -> None:
    definition = parse_framework(_second_version(), source_name="official.yml", sha256="b" * 64)
    store_framework(session, definition=definition, actor="tests", make_default=True)
    assert default_framework(session).version == "official-2026"
    assert len(session.scalars(select(Framework).where(Framework.is_default)).all()) == 1


def test_same_version_with_other_cells_is_refused(session: Session) -> None:
    raw = _second_version()
    raw["version"] = "reconstructed-2016"
    definition = parse_framework(raw, source_name="changed.yml", sha256="c" * 64)
    with pytest.raises(Conflict, match="new version"):
        store_framework(session, definition=definition, actor="tests")


def test_same_version_with_corrected_labels_is_updated_in_place(session: Session) -> None:
    raw = _raw_bundled()
    sections = raw["sections"]
    assert isinstance(sections, list)
    sections[1]["fields"][0]["name"] = "Manufacture or produce"
    sections[1]["fields"][0]["verified"] = True
    definition = parse_framework(raw, source_name="fixed.yml", sha256="d" * 64)
    framework, outcome = store_framework(session, definition=definition, actor="tests")
    assert outcome == "updated"
    detail = framework_detail(session, code=framework.code, version=framework.version)
    field = detail.sections[1].fields[0]
    assert (field.name, field.verified) == ("Manufacture or produce", True)


def test_resolving_framework_names(session: Session) -> None:
    assert resolve_framework(session, None).is_default
    with pytest.raises(InvalidData):
        resolve_framework(session, "un1540-matrix")
    with pytest.raises(NotFound):
        resolve_framework(session, "un1540-matrix/nope")
