"""Synthetic events and statements for the demo: an open debate (public) with statements in
several of the six languages, most published, one written statement waiting to be published; a
regional workshop for States and providers; a Committee consultation seen by the Committee side
only. Every title and text starts with "[Synthetic]"; every record has origin `demo`. The real
debate of 15 December 2016 is not demo data: it is sourced reference data
(reference/events_sourced.yml, io/sourced_events.py). Deterministic: the dates are fixed and the
States are the first demo States in alphabetical order.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from un1540.models import MatrixEdition, Organisation, Origin, State
from un1540.schemas.events import EventCreate, EventParticipantInput, StatementCreate
from un1540.services.events.actions import create_event, publish_statement, submit_statement
from un1540.services.events.reads import known_fields
from un1540.services.kernel.access import system_viewer

ACTOR = "demo-generator"
# (language, topics, text): what each demo State says, in its statement's language.
STATEMENTS = [
    (
        "en",
        ["national_implementation", "export_controls"],
        "[Synthetic] Our delegation reports progress on export control legislation and on the "
        "licensing of dual-use items, and welcomes the Committee's country visits.",
    ),
    (
        "fr",
        ["legislation", "assistance"],
        "[Synthetic] Notre délégation a adopté une nouvelle loi pénale sur les armes chimiques et "
        "sollicite une assistance pour former les agents des douanes.",
    ),
    (
        "es",
        ["border_controls", "assistance"],
        "[Synthetic] Mi delegación refuerza los controles fronterizos y ofrece cooperación "
        "regional en la detección del tráfico ilícito.",
    ),
    (
        "ru",
        ["physical_protection"],
        "[Synthetic] Наша делегация укрепляет физическую защиту ядерных материалов и учет "
        "источников излучения.",
    ),
    (
        "zh",
        ["reporting", "national_implementation"],
        "[Synthetic] 我国代表团已提交最新国家报告，并正在制定自愿国家行动计划。",
    ),
    (
        "ar",
        ["outreach", "emerging_risks"],
        "[Synthetic] يعمل وفدنا مع الصناعة والأوساط الأكاديمية على التوعية بالمخاطر الناشئة.",
    ),
]


def load_demo_events(session: Session) -> None:
    viewer = system_viewer(ACTOR)
    speakers = list(
        session.scalars(
            select(State)
            .where(State.id.in_(select(MatrixEdition.state_id)))
            .order_by(State.iso3)
            .limit(len(STATEMENTS))
        )
    )
    organisations = list(session.scalars(select(Organisation).order_by(Organisation.code)))
    fields = list(known_fields(session))
    debate = create_event(
        session,
        viewer=viewer,
        data=EventCreate(
            kind="open_debate",
            title="[Synthetic] Open debate on preventing the proliferation of weapons of mass "
            "destruction to non-State actors",
            starts_on=date(2025, 6, 12),
            place="[Synthetic] Security Council Chamber",
            organisers=["[Synthetic] Council presidency"],
            audiences=["states", "organisations", "civil_society"],
            summary="[Synthetic] A demonstration debate: its statements show publishing and "
            "search at work, not what any State said.",
            visibility="public",
            participants=[
                EventParticipantInput(kind="state", state=state.iso3) for state in speakers
            ]
            + [
                EventParticipantInput(kind="organisation", organisation=o.code)
                for o in organisations[:2]
            ],
        ),
        origin=Origin.demo,
    )
    for number, (state, (language, topics, text)) in enumerate(
        zip(speakers, STATEMENTS, strict=False)
    ):
        statement = submit_statement(
            session,
            viewer=viewer,
            data=StatementCreate(
                event=debate.id,
                speaker=f"[Synthetic] Permanent Representative of {state.short_name}",
                on_behalf_state=state.iso3,
                language=language,
                mode="delivered" if number % 2 == 0 else "written",
                text=text,
                topics=topics,
                fields=fields[number * 3 : number * 3 + 2],
            ),
            origin=Origin.demo,
        )
        if number < len(speakers) - 1:  # the last one waits to be published
            publish_statement(session, viewer=viewer, statement_id=statement.id)
    if organisations:
        statement = submit_statement(
            session,
            viewer=viewer,
            data=StatementCreate(
                event=debate.id,
                speaker=f"[Synthetic] Representative of {organisations[0].name}",
                on_behalf_organisation=organisations[0].code,
                language="en",
                mode="written",
                text="[Synthetic] Our organisation offers training on nuclear security and "
                "legislative assistance to States that request it.",
                topics=["assistance", "physical_protection"],
            ),
            origin=Origin.demo,
        )
        publish_statement(session, viewer=viewer, statement_id=statement.id)
    create_event(
        session,
        viewer=viewer,
        data=EventCreate(
            kind="workshop",
            title="[Synthetic] Regional workshop on export and border controls",
            starts_on=date(2025, 3, 4),
            ends_on=date(2025, 3, 6),
            place="[Synthetic] A regional capital",
            organisers=["[Synthetic] Group of Experts"],
            audiences=["states", "industry"],
            visibility="states_and_providers",
        ),
        origin=Origin.demo,
    )
    create_event(
        session,
        viewer=viewer,
        data=EventCreate(
            kind="consultation",
            title="[Synthetic] Informal consultation of the Committee on the programme of work",
            starts_on=date(2025, 2, 10),
            place="[Synthetic] Conference room",
            organisers=["[Synthetic] Chair of the Committee"],
            audiences=["states"],
            visibility="committee",
        ),
        origin=Origin.demo,
    )
