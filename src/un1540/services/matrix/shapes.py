"""Matrix rows -> wire shapes (schemas/): the only place that maps them."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any, NamedTuple

from un1540.analytics.coverage import BLANK, MEASURE, NOT_APPLICABLE, UNCERTAIN, Tally
from un1540.models import CellComment, CellEntry, CellProposal, MatrixEdition, Origin, State
from un1540.schemas.matrix import (
    MATRIX_DISCLAIMER,
    CellRead,
    EditionSummary,
    EvidenceRead,
    MatrixFieldRead,
    MatrixSectionRead,
    StateRef,
    TreatyStatusRead,
)
from un1540.schemas.workflow import (
    CellState,
    CitedEvidence,
    CommentRead,
    EditionDetail,
    ProposalRead,
)
from un1540.services.kernel.access import Viewer
from un1540.services.kernel.actors import account_actor, shown_actor
from un1540.services.kernel.envelope import envelope
from un1540.services.matrix.counting import tally_read
from un1540.services.matrix.layout import FrameworkLayout


def state_ref(state: State) -> StateRef:
    return StateRef(iso3=state.iso3, name=state.short_name)


def edition_summary(edition: MatrixEdition, framework_slug: str, tally: Tally) -> EditionSummary:
    return EditionSummary(
        number=edition.number,
        status=edition.status.value,
        approved_on=edition.approved_on,
        framework=framework_slug,
        origin=edition.origin.value,
        tally=tally_read(tally),
    )


def edition_detail(
    edition: MatrixEdition,
    *,
    state: State,
    framework_slug: str,
    tally: Tally,
    based_on: MatrixEdition | None,
    pending_proposals: int,
    comments: int,
    allowed_actions: list[str],
    actor: Callable[[str], str],
) -> EditionDetail:
    """`actor` shows an actor to the reader (kernel/actors.py: `actor_names`)."""
    return EditionDetail(
        **envelope(edition.origin is Origin.demo),
        state=state_ref(state),
        edition=edition_summary(edition, framework_slug, tally),
        based_on=based_on.number if based_on else None,
        created_by=actor(edition.created_by),
        created_at=edition.created_at,
        shared_at=edition.shared_at,
        agreed_at=edition.agreed_at,
        approved_at=edition.approved_at,
        approved_by=actor(edition.approved_by),
        revision=edition.revision,
        pending_proposals=pending_proposals,
        comments=comments,
        response_due_on=edition.response_due_on,
        approval_basis=edition.approval_basis or None,
        approval_basis_reason=edition.approval_basis_reason,
        allowed_actions=allowed_actions,
    )


def comment_read(
    comment: CellComment, cell_key: Callable[[int], str], viewer: Viewer
) -> CommentRead:
    return CommentRead(
        id=comment.id,
        cell=cell_key(comment.cell_entry.cell_id),
        author=shown_actor(account_actor(comment.author), viewer),
        body=comment.body,
        created_at=comment.created_at,
    )


def proposal_read(
    proposal: CellProposal,
    cell_key: Callable[[int], str],
    allowed_actions: list[str],
    viewer: Viewer,
) -> ProposalRead:
    decided_by = proposal.decided_by
    return ProposalRead(
        id=proposal.id,
        cell=cell_key(proposal.cell_entry.cell_id),
        author=shown_actor(account_actor(proposal.author), viewer),
        mark=proposal.mark.value,
        remark=proposal.remark,
        reason=proposal.reason,
        evidence=[CitedEvidence(**item) for item in proposal.evidence or []],
        base_version=proposal.base_revision,
        status=proposal.status.value,
        decided_by=shown_actor(account_actor(decided_by), viewer) if decided_by else None,
        decided_at=proposal.decided_at,
        decision_note=proposal.decision_note,
        created_at=proposal.created_at,
        allowed_actions=allowed_actions,
    )


def cell_state(
    state: State,
    edition: MatrixEdition,
    layout: FrameworkLayout,
    cell_key: str,
    entry: CellEntry,
    evidence: list[EvidenceRead],
    instrument: str | None = None,
) -> CellState:
    """One cell of an edition with where it sits in the framework and its version (and, on an
    OP1 treaty cell, the instrument it stands for and the recorded treaty status)."""
    cell = layout.by_key[cell_key]
    section = next(s for s in layout.sections if s.code == cell.section_code)
    return CellState(
        **envelope(edition.origin is Origin.demo),
        state=state_ref(state),
        edition=edition.number,
        edition_status=edition.status.value,
        cell=cell_key,
        field=cell.field_code,
        field_name=layout.fields[cell.field_code].name,
        section=section.code,
        section_title=section.title,
        weapon=cell.weapon,
        weapon_name=layout.weapon_names.get(cell.weapon, "any weapon category"),
        column=cell.column,
        column_name=layout.column_names.get(cell.column, "adherence"),
        mark=entry.mark.value,
        remark=entry.remark,
        version=entry.revision,
        evidence=evidence,
        instrument=instrument,
        treaty=treaty_of(
            instrument, entry.treaty_status, entry.signed_on, entry.status_on, entry.asserted_by
        ),
    )


@dataclass(frozen=True)
class MatrixEntry:
    """A cell entry's values as the matrix shows them."""

    id: int
    mark: str
    remark: str
    treaty: TreatyStatusRead | None = None


def treaty_of(
    instrument: str | None,
    status: str | None,
    signed_on: date | None,
    status_on: date | None,
    asserted_by: str | None,
) -> TreatyStatusRead | None:
    """The treaty status of an OP1 treaty cell, if one is recorded."""
    if instrument is None or status is None or asserted_by is None:
        return None
    return TreatyStatusRead.model_validate(
        {
            "instrument": instrument,
            "status": status,
            "signed_on": signed_on,
            "status_on": status_on,
            "asserted_by": asserted_by,
        }
    )


def matrix_sections(
    layout: FrameworkLayout,
    entries: dict[int, MatrixEntry],
    evidence: dict[int, list[EvidenceRead]],
) -> tuple[list[MatrixSectionRead], Tally]:
    total = Tally()
    sections = []
    for section in layout.sections:
        tally = Tally()
        fields = []
        for field in section.fields:
            cells = []
            for cell in field.cells:
                entry = entries.get(cell.id)
                treaty = None
                if entry is None:  # hidden from this caller: shown as no information
                    mark, remark, cited = "", "", []
                else:
                    mark, remark, cited = entry.mark, entry.remark, evidence.get(entry.id, [])
                    treaty = entry.treaty
                tally.add(mark)
                # model_construct: the values come from our own database, already validated.
                cells.append(
                    CellRead.model_construct(
                        id=cell.key,
                        weapon=cell.weapon,
                        column=cell.column,
                        mark=mark,
                        remark=remark,
                        evidence=cited,
                        treaty=treaty,
                    )
                )
            fields.append(
                MatrixFieldRead.model_construct(
                    code=field.code,
                    number=field.number,
                    name=field.name,
                    verified=field.verified,
                    reconstructed=not field.verified,
                    applies_to=list(field.applies_to),
                    cells=cells,
                )
            )
        total.merge(tally)
        sections.append(
            MatrixSectionRead(
                code=section.code,
                title=section.title,
                layout=list(section.layout),
                fields=fields,
                tally=tally_read(tally),
            )
        )
    return sections, total


def _tally_of(marks: list[str]) -> Tally:
    """`Tally.add` over every mark, counted at C speed (an unknown mark is refused alike)."""
    tally = Tally(
        measures=marks.count(MEASURE),
        uncertain=marks.count(UNCERTAIN),
        not_applicable=marks.count(NOT_APPLICABLE),
        blank=marks.count(BLANK),
    )
    if tally.cells != len(marks):
        for mark in marks:
            Tally().add(mark)  # raises its ValueError on the unknown mark
    return tally


def tally_document(tally: Tally) -> dict[str, Any]:
    """A tally as plain JSON values, in `TallyRead`'s key order."""
    return {
        "cells": tally.cells,
        "measures": tally.measures,
        "uncertain": tally.uncertain,
        "not_applicable": tally.not_applicable,
        "blank": tally.blank,
        "applicable": tally.applicable,
        "coverage": tally.coverage,
    }


class EditionHead(NamedTuple):
    """What `matrix_document` shows of an edition besides its tally (`EditionSummary`)."""

    number: int
    status: str
    approved_on: date | None
    origin: str


def matrix_document(
    layout: FrameworkLayout,
    *,
    header: Mapping[str, Any],
    state: dict[str, str],
    edition: EditionHead,
    entries: Mapping[int, tuple[int, str, str, dict[str, Any] | None]],
    evidence: Mapping[int, list[dict[str, Any]]],
) -> dict[str, Any]:
    """`MatrixRead` as plain JSON values, key for key (reads/matrix.py: `matrix_document`):
    `entries` maps a cell id to (entry id, mark, remark, treaty), `evidence` an entry id to
    its evidence. A cell without an entry is hidden from the caller: shown as no information."""
    total = Tally()
    sections = []
    no_evidence: list[dict[str, Any]] = []
    hidden = (-1, "", "", None)  # no entry: no id (ids are positive), so no evidence
    for section in layout.sections:
        marks: list[str] = []
        fields = []
        for field in section.fields:
            cells = []
            for cell in field.cells:
                entry_id, mark, remark, treaty = entries.get(cell.id, hidden)
                marks.append(mark)
                cells.append(
                    {
                        "id": cell.key,
                        "weapon": cell.weapon,
                        "column": cell.column,
                        "mark": mark,
                        "remark": remark,
                        "evidence": evidence.get(entry_id, no_evidence),
                        "treaty": treaty,
                    }
                )
            fields.append(
                {
                    "code": field.code,
                    "number": field.number,
                    "name": field.name,
                    "verified": field.verified,
                    "reconstructed": not field.verified,
                    "applies_to": list(field.applies_to),
                    "cells": cells,
                }
            )
        tally = _tally_of(marks)
        total.merge(tally)
        sections.append(
            {
                "code": section.code,
                "title": section.title,
                "layout": list(section.layout),
                "fields": fields,
                "tally": tally_document(tally),
            }
        )
    return {
        **header,
        "state": state,
        "edition": {
            "number": edition.number,
            "status": edition.status,
            "approved_on": edition.approved_on,
            "framework": layout.slug,
            "origin": edition.origin,
            "tally": tally_document(total),
        },
        "disclaimer": MATRIX_DISCLAIMER,
        "weapon_categories": layout.weapon_names,
        "column_kinds": layout.column_names,
        "sections": sections,
    }
