"""The clearinghouse's lists filtered by what help, on what and where, with their facets.

One set of filters narrows both the requests and the offers (/assistance): the kind of help
(`help`, a request item's or an offer's help types), the matrix section (`section`, a request
item's fields' sections; an offer's sections and its fields' sections) and the region (`region`:
a regional group or an M49 region; a request is in its requesting State's M49 region and
regional groups, an offer in those it names, or in every one when it names none); `status`
narrows the requests only. The help types, sections and regions are JSON lists: the lists are
filtered and counted in Python over the records the viewer may see (`request_visible`,
`offer_visible`), so a facet never counts a record its reader may not see."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload, selectinload

from un1540.errors import InvalidParameter, Problem
from un1540.errors import text as text_message
from un1540.models import (
    AssistanceOffer,
    AssistanceRequest,
    GroupMembership,
    M49Area,
    RegionalGroup,
    State,
)
from un1540.reference.assistance import load_assistance_vocabulary
from un1540.reference.languages import N_
from un1540.reference.lifecycles import lifecycle
from un1540.services.assistance.reads.offers import list_offers, offer_visible
from un1540.services.assistance.reads.requests import list_requests, request_visible
from un1540.services.kernel.access import Viewer
from un1540.services.kernel.paging import PageRequest
from un1540.services.matrix.layout import framework_layout
from un1540.services.matrix.reads.frameworks import default_framework

REQUEST_FACETS = ("status", "help", "section", "region")
OFFER_FACETS = ("help", "section", "region")
Values = dict[str, list[str]]


@dataclass(frozen=True)
class ClearinghouseFilter:
    status: str | None = None
    help: str | None = None
    section: str | None = None
    region: str | None = None

    def given(self) -> dict[str, str]:
        return {key: value for key, value in self.__dict__.items() if value is not None}

    def check(self, session: Session) -> None:
        """Each code against its vocabulary (in Python: a parameter may hold what PostgreSQL
        refuses); an unknown one is an invalid parameter naming it."""
        problems: list[Problem] = []
        statuses = lifecycle("assistance_request").statuses
        if self.status is not None and self.status not in statuses:
            problems.append(
                Problem(
                    "status",
                    text_message(N_("must be one of %(statuses)s"), statuses=", ".join(statuses)),
                )
            )
        help_types = load_assistance_vocabulary().help_types
        if self.help is not None and self.help not in help_types:
            problems.append(
                Problem(
                    "help",
                    text_message(
                        N_("must be one of %(help_types)s"), help_types=", ".join(help_types)
                    ),
                )
            )
        if self.section is not None and self.section not in _sections(session):
            problems.append(
                Problem(
                    "section",
                    text_message(
                        N_("unknown matrix section %(section)s"), section=repr(self.section[:40])
                    ),
                )
            )
        if self.region is not None and self.region not in _regions(session):
            problems.append(
                Problem(
                    "region",
                    text_message(N_("unknown region %(region)s"), region=repr(self.region[:40])),
                )
            )
        if problems:
            raise InvalidParameter.naming(problems)


def _sections(session: Session) -> dict[str, str]:
    """Field code -> section code, and each section code to itself."""
    layout = framework_layout(session, default_framework(session))
    found = {code: field.section_code for code, field in layout.fields.items()}
    return found | {section.code: section.code for section in layout.sections}


def _regions(session: Session) -> list[str]:
    """The regional groups and the M49 regions (an offer may name either)."""
    groups = list(session.scalars(select(RegionalGroup.code)))
    return groups + list(session.scalars(select(M49Area.code).where(M49Area.level == "region")))


def _request_values(session: Session, viewer: Viewer) -> list[tuple[int, Values]]:
    """The requests the viewer may see, newest first (as `list_requests` orders them), each with
    its values of the facets."""
    sections = _sections(session)
    groups: dict[int, list[str]] = {}
    for state_id, code in session.execute(
        select(GroupMembership.state_id, GroupMembership.group_code)
    ):
        groups.setdefault(state_id, []).append(code)
    requests = session.scalars(
        select(AssistanceRequest)
        .options(selectinload(AssistanceRequest.items), joinedload(AssistanceRequest.state))
        .where(request_visible(viewer))
        .order_by(AssistanceRequest.received_on.desc(), AssistanceRequest.id.desc())
    ).all()
    found = []
    for request in requests:
        state: State | None = request.state
        regions = [state.m49_region_code, *groups.get(state.id, [])] if state is not None else []
        items = request.items
        values: Values = {
            "status": [request.status],
            "help": [code for item in items for code in item.help_types or []],
            "section": [sections[f] for item in items for f in item.fields or [] if f in sections],
            "region": [code for code in regions if code],
        }
        found.append((request.id, {key: list(dict.fromkeys(v)) for key, v in values.items()}))
    return found


def _offer_values(session: Session, viewer: Viewer) -> list[tuple[int, Values]]:
    """The offers the viewer may see, newest first (as `list_offers` orders them), each with its
    values of the facets (an offer naming no region is in every one)."""
    sections = _sections(session)
    everywhere = _regions(session)
    offers = session.execute(
        select(
            AssistanceOffer.id,
            AssistanceOffer.help_types,
            AssistanceOffer.sections,
            AssistanceOffer.fields,
            AssistanceOffer.regions,
        )
        .where(offer_visible(viewer))
        .order_by(AssistanceOffer.created_at.desc(), AssistanceOffer.id.desc())
    ).all()
    found = []
    for ident, help_types, named_sections, fields, regions in offers:
        values: Values = {
            "help": list(help_types or []),
            "section": [
                *(sections.get(code, code) for code in named_sections or []),
                *(sections[f] for f in fields or [] if f in sections),
            ],
            "region": list(regions or []) or everywhere,
        }
        found.append((ident, {key: list(dict.fromkeys(v)) for key, v in values.items()}))
    return found


def _keep(values: Values, chosen: Mapping[str, str], names: tuple[str, ...]) -> bool:
    return all(chosen[name] in values[name] for name in names if name in chosen)


def filtered_requests(
    session: Session,
    *,
    viewer: Viewer,
    filters: ClearinghouseFilter,
    paging: PageRequest | None = None,
) -> tuple[list[AssistanceRequest], int]:
    """The requests the viewer may see that the filters keep, newest first, and how many."""
    filters.check(session)
    paging = paging or PageRequest()
    chosen = filters.given()
    if set(chosen) <= {"status"}:  # all in SQL
        return list_requests(session, viewer=viewer, status=filters.status, paging=paging)
    kept = [
        i for i, values in _request_values(session, viewer) if _keep(values, chosen, REQUEST_FACETS)
    ]
    page = paging.cut(kept)
    rows = {
        row.id: row
        for row in session.scalars(
            select(AssistanceRequest)
            .options(selectinload(AssistanceRequest.items))
            .where(AssistanceRequest.id.in_(page))
        )
    }
    return [rows[i] for i in page], len(kept)


def filtered_offers(
    session: Session,
    *,
    viewer: Viewer,
    filters: ClearinghouseFilter,
    paging: PageRequest | None = None,
) -> tuple[list[AssistanceOffer], int]:
    """The offers the viewer may see that the filters keep (not `status`: a request's), newest
    first, and how many."""
    filters.check(session)
    paging = paging or PageRequest()
    chosen = {key: value for key, value in filters.given().items() if key != "status"}
    if not chosen:
        return list_offers(session, viewer=viewer, paging=paging)
    kept = [
        i for i, values in _offer_values(session, viewer) if _keep(values, chosen, OFFER_FACETS)
    ]
    page = paging.cut(kept)
    rows = {
        row.id: row
        for row in session.scalars(
            select(AssistanceOffer)
            .options(joinedload(AssistanceOffer.state), joinedload(AssistanceOffer.organisation))
            .where(AssistanceOffer.id.in_(page))
        )
    }
    return [rows[i] for i in page], len(kept)


def _count(
    records: list[tuple[int, Values]], chosen: Mapping[str, str], names: tuple[str, ...]
) -> dict[str, list[tuple[str, int]]]:
    found: dict[str, dict[str, int]] = {name: {} for name in names}
    for _, values in records:
        for name in names:
            if _keep(values, chosen, tuple(other for other in names if other != name)):
                for value in values[name]:
                    found[name][value] = found[name].get(value, 0) + 1
    return {name: list(counts.items()) for name, counts in found.items()}


def clearinghouse_facets(
    session: Session, *, viewer: Viewer, filters: ClearinghouseFilter
) -> tuple[dict[str, list[tuple[str, int]]], dict[str, list[tuple[str, int]]]]:
    """The facets of the requests and of the offers, as Datasette shows them: for each filter,
    each value with the number of records the list would show with that value chosen (the other
    filters kept, this one replaced), among those the viewer may see."""
    filters.check(session)
    chosen = filters.given()
    return (
        _count(_request_values(session, viewer), chosen, REQUEST_FACETS),
        _count(_offer_values(session, viewer), chosen, OFFER_FACETS),
    )
