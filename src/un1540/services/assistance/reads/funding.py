"""Funding: the pledges and contributions this viewer may see, and their totals.

Amounts are kept in their own currency and never converted: totals are per currency.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date

from sqlalchemy import ColumnElement, select
from sqlalchemy.orm import Session

from un1540.errors import InvalidParameter, Problem, text
from un1540.models import AssistanceProject, AssistanceRequest, FundingEntry, State
from un1540.reference.languages import N_
from un1540.schemas.assistance import FundingTotals
from un1540.services.assistance.reads.projects import project_visible
from un1540.services.kernel.access import Viewer, visible
from un1540.services.kernel.facets import FacetCounts, tally

FUNDING_KINDS = ("pledge", "contribution")
FUNDING_FACETS = ("kind", "currency", "year")


@dataclass(frozen=True)
class FundingFilter:
    """The funding list's filters: a pledge or a contribution, the currency, the year made."""

    kind: str | None = None
    currency: str | None = None
    year: int | None = None

    def check(self) -> None:
        """A bad filter is named (InvalidParameter)."""
        problems = []
        if self.kind is not None and self.kind not in FUNDING_KINDS:
            problems.append(Problem("kind", N_("must be pledge or contribution")))
        if self.currency is not None and not (
            len(self.currency) == 3 and self.currency.isascii() and self.currency.isalpha()
        ):
            problems.append(
                Problem(
                    "currency",
                    text(N_("%(currency)s is not an ISO 4217 currency"), currency=self.currency),
                )
            )
        if problems:
            raise InvalidParameter.naming(problems)

    def conditions(self) -> list[ColumnElement[bool]]:
        conditions: list[ColumnElement[bool]] = []
        if self.kind is not None:
            conditions.append(FundingEntry.kind == self.kind)
        if self.currency is not None:
            conditions.append(FundingEntry.currency == self.currency.upper())
        if self.year is not None:
            conditions.append(
                FundingEntry.made_on.between(date(self.year, 1, 1), date(self.year, 12, 31))
            )
        return conditions


def funding_entries(
    session: Session, *, viewer: Viewer, filters: FundingFilter | None = None
) -> list[FundingEntry]:
    """The entries this viewer may see (filtered), newest first."""
    filters = filters or FundingFilter()
    filters.check()
    return list(
        session.scalars(
            select(FundingEntry)
            .where(visible(FundingEntry.visibility, viewer), *filters.conditions())
            .order_by(FundingEntry.made_on.desc(), FundingEntry.id.desc())
        )
    )


def funding_facets(
    session: Session, *, viewer: Viewer, filters: FundingFilter | None = None
) -> FacetCounts:
    """The funding list's facets, as Datasette shows them: for the kind (pledge or
    contribution), the currency and the year, each value with the number of entries the list
    would show with that value chosen (the other filters kept, this one replaced); counted
    under the entries' visibility, as `funding_entries` lists them."""
    filters = filters or FundingFilter()
    filters.check()
    rows = session.execute(
        select(FundingEntry.kind, FundingEntry.currency, FundingEntry.made_on).where(
            visible(FundingEntry.visibility, viewer)
        )
    ).all()
    chosen = {
        "kind": filters.kind,
        "currency": None if filters.currency is None else filters.currency.upper(),
        "year": None if filters.year is None else str(filters.year),
    }
    return tally(
        (
            {"kind": [kind], "currency": [currency], "year": [str(made_on.year)]}
            for kind, currency, made_on in rows
        ),
        chosen,
        FUNDING_FACETS,
    )


def _totals(groups: dict[tuple[str, str, str], dict[str, float]]) -> list[FundingTotals]:
    return [
        FundingTotals(
            key=key,
            name=name,
            currency=currency,
            pledged=round(sums["pledge"], 2),
            contributed=round(sums["contribution"], 2),
            outstanding=round(max(0.0, sums["pledge"] - sums["contribution"]), 2),
        )
        for (key, name, currency), sums in sorted(groups.items())
    ]


def visible_project_ids(session: Session, viewer: Viewer) -> set[int]:
    """The projects this viewer may see. A funding entry may be public while the project it is
    earmarked to serves a confidential request: to anyone else the entry shows no project and
    counts towards no recipient, so it never reveals that State's request."""
    return set(session.scalars(select(AssistanceProject.id).where(project_visible(viewer))))


@dataclass(frozen=True)
class ProjectChoice:
    """A project a donor may earmark to, as the funding form names it."""

    id: int
    title: str
    recipient: str  # the requesting State's ISO3 code, or the requester's key


def project_choices(session: Session, viewer: Viewer) -> list[ProjectChoice]:
    """The projects this viewer may see, in one query (the funding form's choices)."""
    rows = session.execute(
        select(
            AssistanceProject.id,
            AssistanceProject.title,
            State.iso3,
            AssistanceRequest.requester_key,
        )
        .join(AssistanceRequest, AssistanceRequest.id == AssistanceProject.request_id)
        .outerjoin(State, State.id == AssistanceRequest.state_id)
        .where(project_visible(viewer))
        .order_by(AssistanceProject.id)
    ).all()
    return [
        ProjectChoice(id=project_id, title=title, recipient=iso3 or key.split(":")[-1])
        for project_id, title, iso3, key in rows
    ]


def shown_project(entry: FundingEntry, shown: set[int]) -> int | None:
    return entry.project_id if entry.project_id in shown else None


def funding_totals(
    entries: list[FundingEntry], shown: set[int]
) -> tuple[list[FundingTotals], list[FundingTotals]]:
    """Pledged versus paid per donor, and per recipient State (through earmarked projects in
    `shown`, those the reader may see: see `visible_project_ids`)."""
    by_donor: dict[tuple[str, str, str], dict[str, float]] = defaultdict(
        lambda: {"pledge": 0.0, "contribution": 0.0}
    )
    by_recipient: dict[tuple[str, str, str], dict[str, float]] = defaultdict(
        lambda: {"pledge": 0.0, "contribution": 0.0}
    )
    for entry in entries:
        by_donor[(entry.donor_key, entry.donor_name, entry.currency)][entry.kind] += entry.amount
        project = entry.project if shown_project(entry, shown) is not None else None
        if project is not None and project.request.state is not None:
            state = project.request.state
            by_recipient[(state.iso3, state.short_name, entry.currency)][entry.kind] += entry.amount
    return _totals(by_donor), _totals(by_recipient)
