"""A deterministic synthetic dataset for every State, clearly labelled as such.

Shape (so the portal has something realistic to show, not to say anything about real States):
3 to 6 approved editions per State between 2006 and 2025; coverage grows from edition to edition,
differs by regional group, and is lower for chemical and biological cells and for the securing of
related materials (as the 2016 comprehensive review found in general terms). Every document title
starts with "[Synthetic]". Context indicators for the prioritisation aid are synthetic too (source
"[Synthetic] ..."), and so are the assistance requests, offers, projects and funding
(`demo_assistance.py`). The same seed gives the same data on every machine.

Plausible, though synthetic: no report on the resolution is dated before it was adopted
(28 April 2004; the document service refuses one), and only the States that
reference/nuclear-profile.csv lists get nuclear facilities, only those holding weapons-usable
material a nuclear-material figure.

The OP1 treaty fields (NPT, CWC, BWC, ...) marked X carry a synthetic treaty status: ratified
(with a date of signature) or acceded, dated after the instrument opened for signature and no
later than the first edition that marks the field X, the same in every later edition, asserted
by the State's report or an organisation's information. Drawn from their own random stream, so
the marks and remarks are those the generator drew before it recorded treaty statuses.
"""

from __future__ import annotations

import hashlib
import random
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date, timedelta

from babel.languages import get_official_languages
from sqlalchemy import select
from sqlalchemy.orm import Session

from un1540.errors import Conflict
from un1540.io.demo_action_plans import load_demo_action_plans
from un1540.io.demo_activities import load_demo_activities
from un1540.io.demo_assistance import load_demo_assistance
from un1540.io.demo_commitments import load_demo_commitments
from un1540.io.demo_contacts import load_demo_contacts
from un1540.io.demo_events import load_demo_events
from un1540.io.demo_incidents import load_demo_incidents
from un1540.io.demo_library import load_demo_library
from un1540.io.demo_reporting import load_demo_reporting
from un1540.io.demo_visits import load_demo_visits
from un1540.models import Document, MatrixEdition, Origin, State
from un1540.reference.crosswalks import treaty_fields
from un1540.reference.languages import UN_LANGUAGES
from un1540.reference.nuclear import load_nuclear_profile
from un1540.schemas.matrix import TreatyStatusInput
from un1540.services.coverage.actions import import_indicators
from un1540.services.documents.actions import (
    RESOLUTION_ADOPTED,
    DocumentInput,
    register_document,
)
from un1540.services.kernel.access import system_viewer
from un1540.services.kernel.audit import record_event
from un1540.services.kernel.instance import has_synthetic_data, mark_synthetic
from un1540.services.kernel.unit_of_work import action
from un1540.services.matrix.actions.recorded_editions import record_approved_edition
from un1540.services.matrix.inputs import CellInput, EvidenceInput
from un1540.services.matrix.layout import FrameworkLayout, framework_layout
from un1540.services.matrix.reads.frameworks import default_framework

GENERATOR = "un1540-demo/1"
ACTOR = "demo-generator"
FIRST_YEAR, LAST_YEAR = 2006, 2025

# Starting level of recorded measures by regional group, and how far it grows by 2025.
GROUP_LEVEL = {
    "western_european_others": 0.50,
    "eastern_european": 0.42,
    "latin_american_caribbean": 0.30,
    "asia_pacific": 0.28,
    "african": 0.18,
}
WEAPON_FACTOR = {"nw": 1.0, "cw": 0.78, "bw": 0.68}
SECTION_FACTOR = {"op1": 1.45, "op2": 1.1, "op3ab": 0.8, "op3cd": 0.95}
# Securing CW/BW-related materials lagged most (fewer measures than for nuclear material).
OP3AB_SECURING_FACTOR = {"cw": 0.8, "bw": 0.75}
ENFORCEMENT_FACTOR = 0.85
UNCERTAIN_BAND = 0.05

LAW_TOPICS = {
    "nw": "Nuclear Energy and Radiation Protection Act",
    "cw": "Chemical Weapons Convention Implementation Act",
    "bw": "Biological Safety and Security Act",
    "export": "Strategic Goods Export Control Act",
    "penal": "Penal Code (amendments on weapons of mass destruction)",
}


def _rng(*parts: str) -> random.Random:
    digest = hashlib.sha256(":".join((GENERATOR, *parts)).encode()).digest()
    return random.Random(int.from_bytes(digest[:8], "big"))


def _report_language(iso2: str) -> str:
    for language in get_official_languages(iso2, de_facto=True):
        base = language.split("_")[0]
        if base in UN_LANGUAGES:
            return base
    return "en"


# The first reports came after the resolution; a drawn date before this moves past it.
FIRST_REPORTS_FROM = RESOLUTION_ADOPTED + timedelta(days=30)


def first_report_date(drawn: date, first_edition: date) -> date:
    """A plausible date for a State's first report: not before the resolution (a date drawn
    early in 2004 moves forward by as many days from the adoption plus a month), and before
    the State's first approved matrix."""
    if drawn < FIRST_REPORTS_FROM:
        drawn = FIRST_REPORTS_FROM + (drawn - date(drawn.year, 1, 1))
    if drawn >= first_edition:
        drawn = date(first_edition.year - 1, 6, 1)
    return drawn


def _edition_dates(rng: random.Random) -> list[date]:
    count = rng.randint(3, 6)
    years = sorted(rng.sample(range(FIRST_YEAR, LAST_YEAR + 1), count))
    return [date(year, rng.randint(1, 12), rng.randint(1, 28)) for year in years]


@dataclass
class _Documents:
    reports: list[Document]
    laws: dict[str, Document]

    def available(self, on: date) -> list[Document]:
        return [d for d in self.reports if d.issued_on is not None and d.issued_on <= on]


def _register_documents(
    session: Session, state: State, rng: random.Random, first_edition: date
) -> _Documents:
    language = _report_language(state.iso2)
    drawn = date(rng.choice([2004, 2005]), rng.randint(1, 12), rng.randint(1, 28))
    first_report = first_report_date(drawn, first_edition)
    documents = [
        DocumentInput(
            kind="national_report",
            title=f"[Synthetic] First national report of {state.short_name} on resolution 1540",
            language=language,
            issued_on=first_report,
            iso3=state.iso3,
            symbol=f"SYNTHETIC/NR/{state.iso3}/{first_report.year}",
        )
    ]
    for number, year in enumerate(
        sorted(rng.sample(range(2007, 2025), rng.randint(1, 3))), start=1
    ):
        issued = date(year, rng.randint(1, 12), rng.randint(1, 28))
        documents.append(
            DocumentInput(
                kind="addendum",
                title=f"[Synthetic] Addendum {number} to the national report of {state.short_name}",
                language=language,
                issued_on=issued,
                iso3=state.iso3,
                symbol=f"SYNTHETIC/NR/{state.iso3}/{year}/Add.{number}",
            )
        )
    reports = [
        register_document(session, document=d, origin=Origin.demo, actor=ACTOR) for d in documents
    ]
    laws = {
        topic: register_document(
            session,
            document=DocumentInput(
                kind="legislation",
                title=f"[Synthetic] {state.short_name}: {title}",
                language=language,
                issued_on=date(rng.randint(1995, 2005), rng.randint(1, 12), rng.randint(1, 28)),
                iso3=state.iso3,
            ),
            origin=Origin.demo,
            actor=ACTOR,
        )
        for topic, title in LAW_TOPICS.items()
    }
    return _Documents(reports=reports, laws=laws)


def _probability(section: str, field: str, weapon: str, column: str, level: float) -> float:
    factor = SECTION_FACTOR.get(section, 1.0)
    if weapon in WEAPON_FACTOR:
        factor *= WEAPON_FACTOR[weapon]
    if section == "op3ab" and (".secure_" in field or field.endswith("physical_protection")):
        factor *= OP3AB_SECURING_FACTOR.get(weapon, 1.0)
    if column == "enforcement":
        factor *= ENFORCEMENT_FACTOR
    return min(0.97, level * factor)


def _not_applicable(field: str, state: State) -> bool:
    # Synthetic rule of thumb: no nuclear-weapon-free zone covers Europe or Northern America.
    return field == "op1.nwfz" and state.m49_region_code == "europe"


def _evidence(
    cell_key: str, section: str, weapon: str, docs: _Documents, on: date, rng: random.Random
) -> list[EvidenceInput]:
    if rng.random() > 0.75:
        return []
    reports = docs.available(on)
    if section == "op1" or not reports or rng.random() < 0.4:
        if not reports:
            return []
        report = rng.choice(reports)
        return [
            EvidenceInput(
                document_id=report.id,
                page=str(rng.randint(2, 40)),
                quotation="[Synthetic] excerpt of the report.",
            )
        ]
    topic = weapon if weapon in LAW_TOPICS else "penal"
    if section == "op3cd" and rng.random() < 0.7:
        topic = "export"
    law = docs.laws[topic]
    return [
        EvidenceInput(
            document_id=law.id,
            article=str(rng.randint(1, 60)),
            paragraph=str(rng.randint(1, 5)) if rng.random() < 0.5 else "",
            quotation="[Synthetic] provision text for demonstration only.",
        )
    ]


def _edition_cells(
    layout: FrameworkLayout,
    state: State,
    thresholds: dict[str, float],
    level: float,
    docs: _Documents,
    on: date,
    rng: random.Random,
) -> list[CellInput]:
    cells = []
    for cell in layout.cells:
        if _not_applicable(cell.field_code, state):
            cells.append(CellInput(key=cell.key, mark="NA"))
            continue
        weapon = cell.weapon if cell.weapon in WEAPON_FACTOR else cell.weapons[0]
        p = _probability(cell.section_code, cell.field_code, weapon, cell.column, level)
        u = thresholds[cell.key]
        if u < p:
            remark = "[Synthetic] reference recorded for demonstration"
            cells.append(
                CellInput(
                    key=cell.key,
                    mark="X",
                    remark=remark,
                    evidence=_evidence(cell.key, cell.section_code, weapon, docs, on, rng),
                )
            )
        elif u < p + UNCERTAIN_BAND:
            remark = "[Synthetic] reference incomplete"
            cells.append(
                CellInput(
                    key=cell.key,
                    mark="?",
                    remark=remark,
                    evidence=_evidence(cell.key, cell.section_code, weapon, docs, on, rng),
                )
            )
    return cells


@dataclass(frozen=True)
class _TreatyDraw:
    """One State's fixed draw for one treaty field (dates follow from the first X edition)."""

    acceded: bool
    at: float  # where the ratification or accession falls between opening and the first X
    signed_at: float  # where the signature falls between opening and the ratification
    asserted_by: str


def _treaty_draws(state: State, layout: FrameworkLayout) -> dict[str, _TreatyDraw]:
    rng = _rng(state.iso3, "treaties")
    return {
        code: _TreatyDraw(
            acceded=rng.random() < 0.3,
            at=rng.uniform(0.05, 1.0),
            signed_at=rng.uniform(0.0, 0.6),
            asserted_by="state_report" if rng.random() < 0.7 else "organisation_information",
        )
        for code in sorted(treaty_fields(layout.slug))
    }


def _treaty_status(opened: date, first_x: date, draw: _TreatyDraw) -> TreatyStatusInput | None:
    """A plausible synthetic status: dated between the opening and the first X edition."""
    window = (first_x - opened).days
    if window < 1:
        return None
    status_on = opened + timedelta(days=max(1, round(window * draw.at)))
    signed_on = None
    if not draw.acceded:
        signed_on = opened + timedelta(days=round((status_on - opened).days * draw.signed_at))
    return TreatyStatusInput(
        status="acceded" if draw.acceded else "ratified",
        signed_on=signed_on,
        status_on=status_on,
        asserted_by=draw.asserted_by,
    )


def _with_treaties(
    cells: list[CellInput],
    layout: FrameworkLayout,
    draws: dict[str, _TreatyDraw],
    first_x: dict[str, date],
    on: date,
) -> list[CellInput]:
    """The edition's cells, each OP1 treaty cell marked X with its synthetic treaty status."""
    instruments = treaty_fields(layout.slug)
    result = []
    for cell in cells:
        field_code, _, rest = cell.key.partition(":")
        instrument = instruments.get(field_code)
        if instrument is not None and rest == "any:adherence" and cell.mark == "X":
            first = first_x.setdefault(field_code, on)
            treaty = _treaty_status(instrument.opened, first, draws[field_code])
            if treaty is not None:
                cell = replace(cell, treaty=treaty)
        result.append(cell)
    return result


def generate_state(session: Session, state: State, layout: FrameworkLayout) -> int:
    """All demo documents and editions of one State; returns the number of editions."""
    rng = _rng(state.iso3)
    base = GROUP_LEVEL.get(state.electoral_group_code or "", 0.3) + rng.uniform(-0.1, 0.1)
    growth = rng.uniform(0.15, 0.4)
    dates = _edition_dates(rng)
    docs = _register_documents(session, state, rng, dates[0])
    # One fixed draw per cell: as the level rises, a cell once marked X stays X (coverage grows).
    thresholds = {cell.key: rng.random() for cell in layout.cells}
    framework = default_framework(session)
    draws, first_x = _treaty_draws(state, layout), dict[str, date]()
    for on in dates:
        progress = (on.year - FIRST_YEAR) / (LAST_YEAR - FIRST_YEAR)
        level = max(0.05, base + growth * progress)
        cells = _edition_cells(layout, state, thresholds, level, docs, on, rng)
        cells = _with_treaties(cells, layout, draws, first_x, on)
        record_approved_edition(
            session,
            iso3=state.iso3,
            framework=framework,
            approved_on=on,
            cells=cells,
            origin=Origin.demo,
            actor=ACTOR,
            note="[Synthetic] demo edition",
        )
    return len(dates)


INDICATOR_SOURCE = "[Synthetic] generated for demonstration"


def _indicator_lines(state: State) -> list[str]:
    """Synthetic context indicators (own random stream, so the matrices stay as they were)."""
    rng = _rng(state.iso3, "indicators")
    values: dict[str, float] = {
        "chemical_industry": round(rng.lognormvariate(2.5, 1.2)) if rng.random() < 0.7 else 0,
        "high_containment_laboratories": rng.randint(1, 40) if rng.random() < 0.45 else 0,
        "transit_hub": 1 if rng.random() < 0.15 else 0,
    }
    # The `incidents` factor is now counted from incident records (demo_incidents.py); its old
    # hand-typed value is still drawn, unused, so that the values drawn after it stay the same.
    _ = rng.randint(0, 25) if rng.random() < 0.5 else 0
    profile = load_nuclear_profile().get(state.iso3)
    if profile is not None:  # none for a State without power reactors or nuclear material
        facilities = rng.randint(2, 60) if profile.power_reactors else rng.randint(1, 5)
        values["nuclear_facilities"] = facilities
        if profile.weapons_usable_material:
            values["nuclear_material"] = round(rng.lognormvariate(5, 2), 1)
    return [
        f"{state.iso3},{code},{value},2024,{INDICATOR_SOURCE}" for code, value in values.items()
    ]


def _load_demo_indicators(session: Session, states: list[State]) -> None:
    lines = ["iso3,indicator,value,year,source"]
    for state in states:
        lines += _indicator_lines(state)
    import_indicators(
        session,
        content="\n".join(lines).encode(),
        file_name="synthetic-demo-indicators.csv",
        viewer=system_viewer(ACTOR),
        origin=Origin.demo,
    )


@action  # one unit of work: the assistance actions it calls join it
def load_demo(
    session: Session,
    *,
    only: list[str] | None = None,
    progress: Callable[[str], None] | None = None,
) -> int:
    """Generate the demo dataset as one action (all of it or nothing); returns the editions
    written.

    Refuses to mix demo data into a database that already holds real editions, and does nothing
    if the demo is already loaded.
    """
    if has_synthetic_data(session):
        return 0
    if session.scalar(select(MatrixEdition.id).limit(1)) is not None:
        raise Conflict(
            "the database already holds matrix editions; "
            "demo data is only added to a database without any"
        )
    layout = framework_layout(session, default_framework(session))
    statement = select(State).order_by(State.iso3)
    if only is not None:
        statement = statement.where(State.iso3.in_([code.upper() for code in only]))
    written = 0
    states = list(session.scalars(statement).all())
    for state in states:
        written += generate_state(session, state, layout)
        if progress is not None:
            progress(state.iso3)
    _load_demo_indicators(session, states)
    load_demo_assistance(session)
    load_demo_reporting(session, states)
    load_demo_contacts(session, states)
    load_demo_action_plans(session)
    load_demo_visits(session)
    load_demo_library(session, states)
    load_demo_incidents(session, states)
    load_demo_activities(session, states)
    load_demo_events(session)
    load_demo_commitments(session)  # after the events: attached to the first open debate
    mark_synthetic(session, generator=GENERATOR)
    record_event(
        session,
        actor=ACTOR,
        action="demo.load",
        entity_type="instance",
        entity_id="synthetic_data",
        after={"generator": GENERATOR, "editions": written},
    )
    return written
