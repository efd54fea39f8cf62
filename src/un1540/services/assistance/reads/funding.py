"""Funding: the pledges and contributions this viewer may see, and their totals.

Amounts are kept in their own currency and never converted: totals are per currency.
"""

from __future__ import annotations

from collections import defaultdict

from sqlalchemy import select
from sqlalchemy.orm import Session

from un1540.models import AssistanceProject, FundingEntry
from un1540.schemas.assistance import FundingTotals
from un1540.services.assistance.reads.projects import project_visible
from un1540.services.kernel.access import Viewer, visible


def funding_entries(session: Session, *, viewer: Viewer) -> list[FundingEntry]:
    return list(
        session.scalars(
            select(FundingEntry)
            .where(visible(FundingEntry.visibility, viewer))
            .order_by(FundingEntry.made_on.desc(), FundingEntry.id.desc())
        )
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
