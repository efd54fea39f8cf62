"""Points of contact in the portal: the list (public summaries for everyone, the details for
those who may see them, stale ones highlighted), designating, correcting and confirming in one
step; and the training courses (reference data)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Form, Query, Request
from markupsafe import Markup, escape
from starlette.responses import HTMLResponse, Response

from un1540.errors import InvalidData, Problem, Unauthenticated
from un1540.models.base import today
from un1540.reference.languages import LANGUAGE_NAMES, N_
from un1540.reference.states import load_regional_groups
from un1540.reference.training import load_training_courses
from un1540.schemas.contacts import ContactConfirm, ContactCreate, ContactUpdate
from un1540.schemas.text import CODE
from un1540.services.contacts.actions import confirm_contact, create_contact, update_contact
from un1540.services.contacts.reads import (
    TrainingFilter,
    contact_facets,
    contact_filters,
    contact_page,
    summary_reads,
    training_courses,
    training_facets,
)
from un1540.services.contacts.rules import PARTY_RULES, Party
from un1540.services.kernel.paging import MAX_PAGE, PageRequest
from un1540.web.deps import SessionDep, SettingsDep, ViewerDep
from un1540.web.i18n import gettext
from un1540.web.params import RecordIdPath
from un1540.web.portal.facets import facet_links, state_label
from un1540.web.portal.forms import CsrfChecked, act, build
from un1540.web.portal.labels import label
from un1540.web.portal.templating import render

router = APIRouter(include_in_schema=False)
PAGE_SIZE = 50
ROLES = ("capital", "mission", "organisation")
ROLE_NAMES = {
    "capital": N_("Capital"),
    "mission": N_("Permanent mission"),
    "organisation": N_("Organisation"),
}


def _date(value: str, field: str) -> date | None:
    if not value.strip():
        return None
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        raise InvalidData(
            "the form is not complete", problems=[Problem(field, "is not a date (YYYY-MM-DD)")]
        ) from None


def _boxes(name: str, choices: Iterable[tuple[str, str]]) -> Callable[[Iterable[str]], Markup]:
    """Checkboxes named `name`, one per (code, label), those in the given codes checked: built
    once per page, each form's set at the cost of a join (a page lists up to 50 forms)."""
    parts = [
        (
            code,
            f'<label class="inline-choice"><input type="checkbox" name="{escape(name)}" '
            f'value="{escape(code)}"',
            f"> {escape(label)}</label>",
        )
        for code, label in choices
    ]

    def boxes(checked: Iterable[str]) -> Markup:
        chosen = set(checked)
        return Markup(
            "".join(
                f"{head}{' checked' if code in chosen else ''}{tail}" for code, head, tail in parts
            )
        )

    return boxes


def _form_labels() -> dict[str, str]:
    """The contact form's labels in the page's language, once per page (each contact listed
    has its own form)."""
    return {
        "name": gettext("Name"),
        "role": gettext("Role"),
        "position": gettext("Position"),
        "agency": gettext("Agency"),
        "languages": gettext("Languages"),
        "email": gettext("E-mail"),
        "phone": gettext("Telephone"),
        "channels": gettext("Other contact channels"),
        "designated_on": gettext("Designated on"),
        "trainings": gettext("Training courses attended"),
    }


@router.get("/contacts", response_class=HTMLResponse)
def contacts_page(
    request: Request,
    session: SessionDep,
    viewer: ViewerDep,
    settings: SettingsDep,
    state: Annotated[str, Query(max_length=3)] = "",
    role: Annotated[str, Query(max_length=20)] = "",
    stale: Annotated[str, Query(max_length=5)] = "",
    page: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 1,
) -> HTMLResponse:
    months = settings.contact_stale_months
    only_stale = {"1": True, "0": False}.get(stale)
    filters = contact_filters(session, state=state or None, role=role or None, stale=only_stale)
    paging = PageRequest(page=page, page_size=PAGE_SIZE)
    day = today()
    contacts, total = contact_page(
        session, viewer=viewer, paging=paging, filters=filters, on=day, stale_months=months
    )
    summaries, synthetic = summary_reads(session, filters=filters, on=day, stale_months=months)
    own = Party(viewer.state_id, None) if viewer.state_id else Party(None, viewer.organisation_id)
    may_designate_any = viewer.is_committee_side and viewer.can_write
    may_designate_own = (own.state_id or own.organisation_id) is not None and (
        "designate" in PARTY_RULES.allowed(viewer, own)
    )
    given = {"state": state.upper(), "role": role, "stale": stale}
    counts = contact_facets(session, viewer=viewer, filters=filters, on=day, stale_months=months)
    freshness = {"1": gettext("Stale only"), "0": gettext("Confirmed recently")}
    context: dict[str, Any] = {
        # Each filter's values with their counts, as links (web/portal/facets.py); none for a
        # reader who may see no contact's details.
        "facets": facet_links(
            "/contacts",
            given,
            counts,
            {"state": gettext("State"), "role": gettext("Role"), "stale": gettext("Freshness")},
            lambda facet, code: (
                state_label(code)
                if facet == "state"
                else gettext(ROLE_NAMES.get(code, code))
                if facet == "role"
                else freshness.get(code, code)
            ),
        )
        if any(counts.values())
        else [],
        "contacts": contacts,
        "summaries": summaries,
        "stale_months": months,
        "filters": {"state": state.upper(), "role": role, "stale": stale},
        "roles": ROLES,
        "role_names": ROLE_NAMES,
        "role_labels": {code: gettext(name) for code, name in ROLE_NAMES.items()},
        "form_labels": _form_labels(),
        "languages": LANGUAGE_NAMES,
        "language_boxes": _boxes("language", LANGUAGE_NAMES.items()),
        "training_boxes": _boxes(
            "training",
            [(c.code, f"{c.place} ({c.when})") for c in load_training_courses().values()],
        ),
        "may_designate": may_designate_any or may_designate_own,
        "designate_any": may_designate_any,
        "own_organisation": viewer.organisation_id is not None and not viewer.state_id,
        "page": paging.page,
        "pages": -(-total // PAGE_SIZE),
        "total": total,
    }
    return render(
        request,
        "contacts/list.html",
        context,
        synthetic=synthetic,
    )


def _fields(
    *,
    name: str,
    role: str,
    position: str,
    agency: str,
    languages: list[str] | None,
    email: str,
    phone: str,
    channels: str,
    trainings: list[str] | None,
) -> dict[str, Any]:
    return {
        "name": name,
        "role": role,
        "position": position,
        "agency": agency,
        "languages": languages or [],
        "email": email,
        "phone": phone,
        "channels": channels,
        "trainings": trainings or [],
    }


@router.post("/contacts")
def contact_create(
    request: Request,
    session: SessionDep,
    viewer: ViewerDep,
    _: CsrfChecked,
    state: Annotated[str, Form(max_length=3)] = "",
    organisation: Annotated[str, Form(max_length=40)] = "",
    name: Annotated[str, Form()] = "",
    role: Annotated[str, Form(max_length=20)] = "",
    position: Annotated[str, Form()] = "",
    agency: Annotated[str, Form()] = "",
    language: Annotated[list[str] | None, Form()] = None,
    email: Annotated[str, Form()] = "",
    phone: Annotated[str, Form()] = "",
    channels: Annotated[str, Form()] = "",
    designated_on: Annotated[str, Form(max_length=10)] = "",
    confirmed_on: Annotated[str, Form(max_length=10)] = "",
    account: Annotated[str, Form()] = "",
    training: Annotated[list[str] | None, Form()] = None,
) -> Response:
    def action() -> str:
        if viewer.user_id is None:
            raise Unauthenticated("sign in to designate a point of contact")
        data = build(
            ContactCreate,
            state=state or None,
            organisation=organisation or None,
            designated_on=_date(designated_on, "designated_on"),
            confirmed_on=_date(confirmed_on, "confirmed_on"),
            account=account or None,
            **_fields(
                name=name,
                role=role,
                position=position,
                agency=agency,
                languages=language,
                email=email,
                phone=phone,
                channels=channels,
                trainings=training,
            ),
        )
        contact = create_contact(session, viewer=viewer, data=data)
        return gettext("Point of contact %(id)s designated.") % {"id": contact.id}

    return act(request, "/contacts", action)


@router.post("/contacts/{contact_id}")
def contact_update(
    request: Request,
    session: SessionDep,
    viewer: ViewerDep,
    _: CsrfChecked,
    contact_id: RecordIdPath,
    name: Annotated[str, Form()] = "",
    role: Annotated[str, Form(max_length=20)] = "",
    position: Annotated[str, Form()] = "",
    agency: Annotated[str, Form()] = "",
    language: Annotated[list[str] | None, Form()] = None,
    email: Annotated[str, Form()] = "",
    phone: Annotated[str, Form()] = "",
    channels: Annotated[str, Form()] = "",
    designated_on: Annotated[str, Form(max_length=10)] = "",
    account: Annotated[str | None, Form()] = None,
    training: Annotated[list[str] | None, Form()] = None,
    revision: Annotated[int | None, Form(ge=1, le=2_147_483_647)] = None,
) -> Response:
    def action() -> str:
        if viewer.user_id is None:
            raise Unauthenticated("sign in to edit a point of contact")
        data = build(
            ContactUpdate,
            designated_on=_date(designated_on, "designated_on"),
            account=account,
            revision=revision,
            **_fields(
                name=name,
                role=role,
                position=position,
                agency=agency,
                languages=language,
                email=email,
                phone=phone,
                channels=channels,
                trainings=training,
            ),
        )
        update_contact(session, viewer=viewer, contact_id=contact_id, data=data)
        return gettext("Point of contact %(id)s saved.") % {"id": contact_id}

    return act(request, f"/contacts#contact-{contact_id}", action)


@router.post("/contacts/{contact_id}/confirm")
def contact_confirm(
    request: Request,
    session: SessionDep,
    viewer: ViewerDep,
    _: CsrfChecked,
    contact_id: RecordIdPath,
) -> Response:
    def action() -> str:
        if viewer.user_id is None:
            raise Unauthenticated("sign in to confirm a point of contact")
        confirm_contact(session, viewer=viewer, contact_id=contact_id, data=ContactConfirm())
        return gettext("Point of contact %(id)s confirmed: the details are up to date.") % {
            "id": contact_id
        }

    return act(request, f"/contacts#contact-{contact_id}", action)


@router.get("/trainings", response_class=HTMLResponse)
def trainings_page(
    request: Request,
    session: SessionDep,
    viewer: ViewerDep,
    year: Annotated[int | None, Query(ge=1900, le=2100)] = None,
    region: Annotated[str, Query(max_length=40), CODE] = "",
    country: Annotated[str, Query(max_length=3), CODE] = "",
) -> HTMLResponse:
    filters = TrainingFilter(year=year, region=region or None, country=country.upper() or None)
    courses = training_courses(session, viewer=viewer, filters=filters)
    groups, _ = load_regional_groups()
    facets = facet_links(
        "/trainings",
        {key: value for key, value in filters.values().items() if value is not None},
        training_facets(filters),
        {"year": gettext("Year"), "region": gettext("Region"), "country": gettext("Host State")},
        lambda facet, code: (
            state_label(code)
            if facet == "country"
            else label("group", code, groups[code].name)
            if facet == "region" and code in groups
            else code.upper()
            if facet == "region"
            else code
        ),
        chronological={"year"},
    )
    return render(
        request,
        "contacts/trainings.html",
        {"courses": courses, "facets": facets},
        synthetic=any(course.synthetic for course in courses),
    )
