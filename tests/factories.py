"""Small helpers that build valid inputs with defaults; override what a test is about."""

from __future__ import annotations

from datetime import date

from sqlalchemy.orm import Session

from un1540.models import Document, MatrixEdition, Origin, Visibility
from un1540.services.accounts.actions import create_user
from un1540.services.accounts.reads import viewer_for
from un1540.services.documents.actions import DocumentInput, register_document
from un1540.services.kernel.access import Viewer
from un1540.services.matrix.actions.recorded_editions import record_approved_edition
from un1540.services.matrix.inputs import CellInput, EvidenceInput
from un1540.services.matrix.reads.frameworks import default_framework


def make_document(
    session: Session, *, iso3: str = "TCD", title: str = "National report", **fields: object
) -> Document:
    document = DocumentInput(
        kind=str(fields.pop("kind", "national_report")),
        title=title,
        language=str(fields.pop("language", "en")),
        iso3=iso3,
        issued_on=fields.pop("issued_on", date(2010, 1, 1)),
        **fields,
    )  # type: ignore[arg-type]
    return register_document(session, document=document, origin=Origin.entry, actor="tests")


def make_edition(
    session: Session,
    *,
    iso3: str = "TCD",
    approved_on: date = date(2012, 5, 1),
    cells: list[CellInput] | None = None,
    actor: str = "tests",
    **fields: object,
) -> MatrixEdition:
    """An approved edition, recorded by `actor` (its created_by, approved_by and audit)."""
    if cells is None:
        document = make_document(session, iso3=iso3)
        cells = [
            CellInput(
                key="op1.npt:any:adherence",
                mark="X",
                remark="Ratified 1971",
                evidence=[EvidenceInput(document_id=document.id, page="3")],
            ),
            CellInput(key="op2.manufacture:cw:legal_framework", mark="?"),
            CellInput(key="op1.nwfz:any:adherence", mark="NA"),
        ]
    return record_approved_edition(
        session,
        iso3=iso3,
        framework=default_framework(session),
        approved_on=approved_on,
        cells=cells,
        origin=Origin.entry,
        actor=actor,
        **fields,  # type: ignore[arg-type]
    )


def make_chad_citing_a_restricted_document(session: Session, *, secret_title: str) -> MatrixEdition:
    """Chad's approved edition of 2014 with two cited cells: the NPT's adherence citing a public
    law, and op2.manufacture (cw, legal framework) citing a document titled `secret_title` that
    only Chad and the Committee may see (for tests that a cached page never leaks it)."""
    secret = make_document(
        session, iso3="TCD", title=secret_title, visibility=Visibility.owning_state_and_committee
    )
    public = make_document(session, iso3="TCD", title="Public law of Chad")
    return make_edition(
        session,
        iso3="TCD",
        approved_on=date(2014, 3, 1),
        cells=[
            CellInput(
                key="op1.npt:any:adherence",
                mark="X",
                remark="Ratified",
                evidence=[EvidenceInput(document_id=public.id, page="2")],
            ),
            CellInput(
                key="op2.manufacture:cw:legal_framework",
                mark="X",
                remark="Penal code",
                evidence=[EvidenceInput(document_id=secret.id, page="9")],
            ),
        ],
    )


PASSWORD = "correct horse battery"


def make_user(
    session: Session,
    *,
    role: str,
    email: str | None = None,
    iso3: str | None = None,
    org: str | None = None,
) -> Viewer:
    """An account with the standard test password, and the viewer it signs in as."""
    user = create_user(
        session,
        email=email or f"{role}-{iso3 or org or 'x'}@example.org".lower(),
        password=PASSWORD,
        role=role,
        actor="tests",
        state_iso3=iso3,
        organisation_code=org,
    )
    return viewer_for(user)


def waive_evidence_rules(session: Session, *, viewer: Viewer, iso3: str, number: int) -> int:
    """Waive every evidence rule an edition's cells break (drafts copied from the demo carry
    X marks without a locator), for tests about something else than the rules."""
    from un1540.services.matrix.actions.waivers import waive_rule
    from un1540.services.matrix.reads.evidence import evidence_check

    check = evidence_check(session, viewer=viewer, iso3=iso3, number=number)
    for problem in check.problems:
        if not problem.waived:
            waive_rule(
                session,
                viewer=viewer,
                iso3=iso3,
                number=number,
                cell_key=problem.cell,
                rule=problem.rule,
                reason="not what this test is about",
            )
    return check.unwaived
