"""Moving the matrices to a new framework version by a mapping file (`framework migrate`)."""

from __future__ import annotations

import copy
from datetime import date

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tests.factories import make_document, make_edition
from un1540.errors import InvalidData, Unauthenticated
from un1540.models import (
    AuditEvent,
    CellDefinition,
    CellEntry,
    EditionStatus,
    Evidence,
    Framework,
    MatrixEdition,
    State,
)
from un1540.reference.framework_mappings import FrameworkMapping, parse_mapping
from un1540.reference.frameworks import bundled_frameworks, parse_framework
from un1540.services.kernel.access import PUBLIC, system_viewer
from un1540.services.matrix.actions.editions import open_draft
from un1540.services.matrix.actions.frameworks import store_framework
from un1540.services.matrix.actions.migrations import migrate_framework
from un1540.services.matrix.inputs import CellInput, EvidenceInput

OLD = "un1540-matrix/reconstructed-2016"
NEW = "un1540-matrix/official-2027"
OPERATOR = system_viewer("cli:tests")


def _store_next_version(session: Session) -> Framework:
    """The next version: op2.finance renamed op2.financing, op2.attempt withdrawn, a field added."""
    raw = copy.deepcopy(bundled_frameworks()[0].spec.model_dump(mode="json"))
    raw["version"] = "official-2027"
    op2 = next(section for section in raw["sections"] if section["code"] == "op2")
    op2["fields"] = [f for f in op2["fields"] if f["code"] != "op2.attempt"]
    for field in op2["fields"]:
        if field["code"] == "op2.finance":
            field["code"] = "op2.financing"
    op2["fields"].append(
        {"code": "op2.new_activity", "number": 99, "name": "A new activity", "applies_to": ["nw"]}
    )
    definition = parse_framework(raw, source_name="official-2027.yml", sha256="e" * 64)
    return store_framework(session, definition=definition, actor="tests")[0]


def _mapping_text() -> str:
    codes = [f.code for s in bundled_frameworks()[0].spec.sections for f in s.fields]
    lines = ["# Mapping reconstructed-2016 -> official-2027 (test)", "from,to,note"]
    for code in codes:
        if code == "op2.finance":
            lines.append("op2.finance,op2.financing,renamed")
        elif code == "op2.attempt":
            lines.append("op2.attempt,,withdrawn")
        else:
            lines.append(f"{code},{code},")
    return "\n".join(lines) + "\n"


def _mapping(text: str | None = None, name: str = "mapping.csv") -> FrameworkMapping:
    return parse_mapping((text or _mapping_text()).encode(), source_name=name)


def _new_key(old_key: str) -> str:
    return old_key.replace("op2.finance:", "op2.financing:")


def _edition_count(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(MatrixEdition)) or 0


def _latest_approved(session: Session) -> dict[str, MatrixEdition]:
    latest: dict[str, MatrixEdition] = {}
    for edition, iso3 in session.execute(
        select(MatrixEdition, State.iso3)
        .join(State, State.id == MatrixEdition.state_id)
        .where(MatrixEdition.status == EditionStatus.approved)
        .order_by(MatrixEdition.number)
    ):
        latest[iso3] = edition
    return latest


def _marks(session: Session, edition_id: int) -> dict[str, tuple[str, str]]:
    return {
        key: (mark.value, remark)
        for key, mark, remark in session.execute(
            select(CellDefinition.key, CellEntry.mark, CellEntry.remark)
            .join(CellEntry, CellEntry.cell_id == CellDefinition.id)
            .where(CellEntry.edition_id == edition_id)
        )
    }


def _chad_edition(session: Session) -> MatrixEdition:
    document = make_document(session, iso3="TCD")
    cells = [
        CellInput(
            key="op1.npt:any:adherence",
            mark="X",
            remark="Ratified 1971",
            evidence=[EvidenceInput(document_id=document.id, page="3")],
        ),
        CellInput(
            key="op2.finance:nw:legal_framework",
            mark="X",
            remark="Penal code art. 12",
            evidence=[EvidenceInput(document_id=document.id, page="7")],
        ),
        CellInput(key="op2.attempt:cw:enforcement", mark="?", remark="Unclear"),
    ]
    return make_edition(session, iso3="TCD", approved_on=date(2015, 1, 1), cells=cells)


def test_migration_opens_a_draft_per_state_with_cells_carried_over(session: Session) -> None:
    old_chad = _chad_edition(session)
    npt = session.scalars(
        select(CellEntry)
        .join(CellDefinition, CellDefinition.id == CellEntry.cell_id)
        .where(CellEntry.edition_id == old_chad.id, CellDefinition.key == "op1.npt:any:adherence")
    ).one()
    npt.treaty_status, npt.status_on, npt.asserted_by = "acceded", date(1971, 3, 10), "state_report"
    session.flush()
    target = _store_next_version(session)
    before = _latest_approved(session)
    report = migrate_framework(
        session, viewer=OPERATOR, from_slug=OLD, to_slug=NEW, mapping=_mapping(), reason="test"
    )
    assert report.to_framework == NEW
    assert not report.dry_run
    opened = {item.iso3: item for item in report.states if item.outcome == "opened"}
    skipped = {item.iso3 for item in report.states if item.outcome == "skipped"}
    assert set(opened) | skipped == set(before)
    assert "TCD" in opened
    # New cells nothing fills start blank; the withdrawn field is listed as dropped on purpose.
    assert report.unmapped_to == [
        "op2.new_activity:nw:legal_framework",
        "op2.new_activity:nw:enforcement",
    ]
    assert set(report.dropped_on_purpose) == set(report.unmapped_from)
    assert {key.split(":")[0] for key in report.unmapped_from} == {"op2.attempt"}
    for iso3, item in opened.items():
        draft = session.scalars(
            select(MatrixEdition)
            .join(State, State.id == MatrixEdition.state_id)
            .where(State.iso3 == iso3, MatrixEdition.number == item.new_edition)
        ).one()
        assert draft.status is EditionStatus.draft
        assert draft.framework_id == target.id
        assert draft.based_on_id == before[iso3].id
        old_marks = _marks(session, before[iso3].id)
        new_marks = _marks(session, draft.id)
        assert len(new_marks) == len(target_cells := new_marks)  # one entry per new cell
        for old_key, value in old_marks.items():
            if old_key.startswith("op2.attempt:"):
                continue
            assert new_marks[_new_key(old_key)] == value, (iso3, old_key)
        assert new_marks["op2.new_activity:nw:legal_framework"] == ("", "")
        lost = sorted(k for k, (m, _) in old_marks.items() if k.startswith("op2.attempt:") and m)
        assert item.dropped == lost
        assert item.carried == len(target_cells) - 2
    chad = opened["TCD"]
    assert chad.dropped == ["op2.attempt:cw:enforcement"]
    draft = session.scalars(
        select(MatrixEdition).where(
            MatrixEdition.state_id == old_chad.state_id, MatrixEdition.number == chad.new_edition
        )
    ).one()
    pages = session.execute(
        select(Evidence.page)
        .join(CellEntry, CellEntry.id == Evidence.cell_entry_id)
        .where(CellEntry.edition_id == draft.id)
        .order_by(Evidence.page)
    ).scalars()
    assert list(pages) == ["3", "7"]
    carried = session.execute(
        select(CellEntry.treaty_status, CellEntry.status_on, CellEntry.asserted_by)
        .join(CellDefinition, CellDefinition.id == CellEntry.cell_id)
        .where(CellEntry.edition_id == draft.id, CellDefinition.key == "op1.npt:any:adherence")
    ).one()
    assert tuple(carried) == ("acceded", date(1971, 3, 10), "state_report")
    events = session.scalars(
        select(AuditEvent.action).where(AuditEvent.entity_id.in_([NEW, f"TCD/{chad.new_edition}"]))
    ).all()
    assert sorted(events) == ["edition.open_draft", "framework.created", "framework.migrate"]


def test_dry_run_reports_the_same_and_writes_nothing(session: Session) -> None:
    _store_next_version(session)
    count = _edition_count(session)
    dry = migrate_framework(
        session,
        viewer=OPERATOR,
        from_slug=OLD,
        to_slug=NEW,
        mapping=_mapping(),
        dry_run=True,
        reason="test",
    )
    assert _edition_count(session) == count
    assert dry.dry_run
    assert all(item.outcome in ("would_open", "skipped") for item in dry.states)
    assert (
        session.scalar(
            select(func.count())
            .select_from(AuditEvent)
            .where(AuditEvent.action == "framework.migrate")
        )
        == 0
    )
    real = migrate_framework(
        session, viewer=OPERATOR, from_slug=OLD, to_slug=NEW, mapping=_mapping(), reason="test"
    )
    assert [(s.iso3, s.carried, s.dropped) for s in real.states] == [
        (s.iso3, s.carried, s.dropped) for s in dry.states
    ]


def test_a_state_with_an_open_edition_is_skipped_and_listed(session: Session) -> None:
    _store_next_version(session)
    latest = _latest_approved(session)
    iso3 = sorted(latest)[0]
    draft = open_draft(session, viewer=OPERATOR, iso3=iso3, reason="work in progress")
    report = migrate_framework(
        session, viewer=OPERATOR, from_slug=OLD, to_slug=NEW, mapping=_mapping(), reason="test"
    )
    item = next(s for s in report.states if s.iso3 == iso3)
    assert item.outcome == "skipped"
    assert item.reason == f"edition {draft.number} is still draft"
    assert item.new_edition is None


def test_a_mapping_naming_unknown_fields_is_an_error_and_nothing_is_written(
    session: Session,
) -> None:
    _store_next_version(session)
    count = _edition_count(session)
    text = (
        _mapping_text()
        .replace("op2.use,op2.use,", "op2.misuse,op2.use,\nop2.use,op2.abuse,")
        .replace("op2.develop:", "op2.develop:")
    )
    with pytest.raises(InvalidData) as caught:
        migrate_framework(
            session,
            viewer=OPERATOR,
            from_slug=OLD,
            to_slug=NEW,
            mapping=_mapping(text, name="next.csv"),
            reason="test",
        )
    lines = text.splitlines()
    row_misuse = lines.index("op2.misuse,op2.use,") + 1
    problems = {(p.where, p.message) for p in caught.value.problems}
    assert (f"next.csv: row {row_misuse}, from", f"unknown field 'op2.misuse' in {OLD}") in problems
    assert (
        f"next.csv: row {row_misuse + 1}, to",
        f"unknown field 'op2.abuse' in {NEW}",
    ) in problems
    assert "nothing was written" in caught.value.message
    assert _edition_count(session) == count


def test_an_unknown_cell_and_two_rows_filling_one_cell_are_errors(session: Session) -> None:
    _store_next_version(session)
    text = _mapping_text() + (
        "op2.use:bw:legal_framework,op2.use:xx:legal_framework,\n"
        "op2.develop:nw:enforcement,op2.use:nw:enforcement,\n"
    )
    with pytest.raises(InvalidData) as caught:
        migrate_framework(
            session,
            viewer=OPERATOR,
            from_slug=OLD,
            to_slug=NEW,
            mapping=_mapping(text),
            reason="test",
        )
    messages = [p.message for p in caught.value.problems]
    assert f"unknown cell 'op2.use:xx:legal_framework' in {NEW}" in messages
    assert any("'op2.use:nw:enforcement' would be filled from" in m for m in messages)


def test_a_cell_row_overrides_its_field_row(session: Session) -> None:
    _chad_edition(session)
    _store_next_version(session)
    text = _mapping_text() + "op2.attempt:cw:enforcement,op2.new_activity:nw:enforcement,kept\n"
    report = migrate_framework(
        session,
        viewer=OPERATOR,
        from_slug=OLD,
        to_slug=NEW,
        mapping=_mapping(text),
        reason="test",
    )
    chad = next(s for s in report.states if s.iso3 == "TCD")
    assert chad.dropped == []
    assert "op2.attempt:cw:enforcement" not in report.unmapped_from
    assert report.unmapped_to == ["op2.new_activity:nw:legal_framework"]
    draft = session.scalars(
        select(MatrixEdition)
        .join(State, State.id == MatrixEdition.state_id)
        .where(State.iso3 == "TCD", MatrixEdition.number == chad.new_edition)
    ).one()
    assert _marks(session, draft.id)["op2.new_activity:nw:enforcement"] == ("?", "Unclear")


def test_only_experts_migrate(session: Session) -> None:
    _store_next_version(session)
    with pytest.raises(Unauthenticated):
        migrate_framework(
            session, viewer=PUBLIC, from_slug=OLD, to_slug=NEW, mapping=_mapping(), reason="x"
        )


@pytest.mark.parametrize(
    ("text", "where", "needle"),
    [
        ("a,b,c\n", "row 1", "the header must be from,to,note"),
        ("# head\nfrom,to,note\nop2.use,op2.use:nw:enforcement,\n", "row 3, to", "map a field"),
        ("from,to\nOP2 use,op2.use\n", "row 2, from", "is not a field code or cell key"),
        ("from,to\nop2.use,\nop2.use,op2.use\n", "row 3, from", "is dropped and mapped"),
        ("from,to\nop2.use,op2.use,x,y\n", "row 2", "4 columns; expected 2"),
    ],
)
def test_the_shape_of_a_mapping_file_is_checked_with_row_and_column(
    text: str, where: str, needle: str
) -> None:
    with pytest.raises(InvalidData) as caught:
        parse_mapping(text.encode(), source_name="m.csv")
    assert any(
        p.where == f"m.csv: {where}" and needle in p.message for p in caught.value.problems
    ), caught.value.problems
