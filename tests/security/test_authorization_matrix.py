"""Every API route and portal page, for every role, against one table of expectations.

API cases expect an HTTP status. Portal forms redirect back with a message, so their outcome is
read from where they lead: "done" (a confirmation), "forbidden" (the role may not), "refused"
(allowed, but the data says no: a conflict or invalid input), "login", or a status code.
Requests that would change what later cases depend on are chosen to be refused by the data
(a stale version, an edition in the wrong state) for the roles that may make them.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.conftest import DatabaseFactory
from tests.security.scenario import (
    CELL,
    ROLES,
    SECRETS,
    World,
    api_client,
    build_world,
    csrf_of,
    portal_client,
)
from un1540.web.app import create_app

# An activity every role that may record one is refused by the data (an unknown State), for
# the provider's own organisation, so the provider meets the data's refusal too.
ACTIVITY_REFUSED_BY_DATA: dict[str, Any] = {
    "organisation": "iaea",
    "state": "XXX",
    "programme": "Refused by the data",
    "fields": ["op3cd.border_detection"],
    "start_on": "2030-01-01",
}
DRAFT_READERS = ("poc", "expert", "committee", "admin")
HIDDEN = ("public", "other_poc", "provider")
EXPERTS = ("expert", "admin")
T2 = "/states/TCD/editions/2"
# An incident every role that may record one is refused by the data (an unknown State); a
# provider's own organisation as the source, so the provider meets the data's refusal too.
INCIDENT_REFUSED_BY_DATA: dict[str, Any] = {
    "occurred_on": "2020-01-01",
    "states": ["XXX"],
    "category": "radioactive",
    "material_class": "sealed_source",
    "kind": "theft",
    "source": "organisation",
    "organisation": "iaea",
}


def expect(default: int | str, **by_role: int | str) -> dict[str, int | str]:
    return {role: by_role.get(role, default) for role in ROLES}


# A Committee-only request of Chad's and its projects: Chad's point of contact and the Committee
# side, not the provider serving it.
REQUESTER_SIDE = expect(404, poc=200, expert=200, committee=200, admin=200)


# Chad's unpublished action plan: written by Chad's points of contact and the experts (and
# administrators); read by the Committee's members; unseen by anyone else.
PLAN_WRITERS_REFUSED = expect(
    404, public=401, provider=403, committee=403, poc=422, expert=422, admin=422
)


def action_plan_api_cases(world: World) -> list[Case]:
    api = "/api/v1"
    plans = f"{api}/states/{{iso3}}/action-plans"
    plan = f"{api}/states/TCD/action-plans/{world.private_plan}"
    refused_409 = {**PLAN_WRITERS_REFUSED, "poc": 409, "expert": 409, "admin": 409}
    return [
        Case("GET", f"{api}/action-plans", f"{api}/action-plans", expect(200)),
        Case(
            "GET",
            f"{api}/action-plans/{{plan_id}}",
            f"{api}/action-plans/{world.private_plan}",
            REQUESTER_SIDE,
        ),
        Case(
            "GET",
            f"{api}/action-plans/{{plan_id}}",
            f"{api}/action-plans/{world.public_plan}",
            expect(200),
        ),
        Case("GET", plans, f"{api}/states/TCD/action-plans", expect(200)),
        Case(
            "POST",
            plans,
            f"{api}/states/TCD/action-plans",
            expect(403, public=401, poc=422, expert=422, admin=422),
            {
                "json": {
                    "title": "t",
                    "submitted_on": "2016-01-01",
                    "period_from": "2016-01-01",
                    "period_to": "2015-01-01",
                }
            },
        ),
        Case("GET", f"{plans}/{{plan_id}}", plan, REQUESTER_SIDE),
        Case(
            "PATCH",
            f"{plans}/{{plan_id}}",
            plan,
            refused_409,
            {"json": {"title": "changed", "revision": 999}},
        ),
        Case(
            "POST",
            f"{plans}/{{plan_id}}/measures",
            f"{plan}/measures",
            PLAN_WRITERS_REFUSED,
            {"json": {"title": "m", "fields": ["op9.nothing"]}},
        ),
        Case(
            "POST",
            f"{plans}/{{plan_id}}/measures/{{measure_id}}/transitions",
            f"{plan}/measures/{world.private_measure}/transitions",
            refused_409,
            {"json": {"to": "done"}},  # planned -> done: out of order
        ),
        Case(
            "POST",
            f"{plans}/{{plan_id}}/measures/{{measure_id}}/milestones",
            f"{plan}/measures/{world.private_measure}/milestones",
            PLAN_WRITERS_REFUSED,
            {"json": {"title": "early", "due_on": "2000-01-01"}},
        ),
        Case(
            "POST",
            f"{plans}/{{plan_id}}/milestones/{{milestone_id}}/transitions",
            f"{plan}/milestones/{world.private_milestone}/transitions",
            refused_409,
            {"json": {"to": "pending"}},
        ),
    ]


def action_plan_portal_cases(world: World) -> list[Case]:
    page = f"/action-plans/{world.private_plan}"
    refused = expect(
        404,
        public="login",
        provider="forbidden",
        committee="forbidden",
        poc="refused",
        expert="refused",
        admin="refused",
    )
    return [
        Case("GET", "/action-plans", "/action-plans", expect(200)),
        Case("GET", "/action-plans/new", "/action-plans/new", expect(200, public=303)),
        Case("GET", "/action-plans/{plan_id}", page, REQUESTER_SIDE),
        Case("GET", "/action-plans/{plan_id}", f"/action-plans/{world.public_plan}", expect(200)),
        Case(
            "GET", "/action-plans/{plan_id}/edit", f"{page}/edit", {**REQUESTER_SIDE, "public": 303}
        ),
        Case(
            "POST",
            "/action-plans",
            "/action-plans",
            expect("forbidden", public="login", poc="refused", expert="refused", admin="refused"),
            {
                "data": {
                    "state": "TCD",
                    "title": "t",
                    "submitted_on": "2016-01-01",
                    "period_from": "2016-01-01",
                    "period_to": "2015-01-01",
                }
            },
        ),
        Case(
            "POST",
            "/action-plans/{plan_id}",
            page,
            refused,
            {"data": {"title": "changed", "revision": "999"}},
        ),
        Case(
            "POST",
            "/action-plans/{plan_id}/measures",
            f"{page}/measures",
            refused,
            {"data": {"title": "m", "fields": "op9.nothing"}},
        ),
        Case(
            "POST",
            "/action-plans/{plan_id}/measures/{measure_id}/transitions",
            f"{page}/measures/{world.private_measure}/transitions",
            refused,
            {"data": {"to": "done"}},
        ),
        Case(
            "POST",
            "/action-plans/{plan_id}/measures/{measure_id}/milestones",
            f"{page}/measures/{world.private_measure}/milestones",
            refused,
            {"data": {"title": "early", "due_on": "2000-01-01"}},
        ),
        Case(
            "POST",
            "/action-plans/{plan_id}/milestones/{milestone_id}/transitions",
            f"{page}/milestones/{world.private_milestone}/transitions",
            refused,
            {"data": {"to": "pending"}},
        ),
    ]


# Commitments: Chad's for the Committee side (and Chad's points of contact); Niger's public one.
# A commitment of Chad's refused by the data (a target date before its announcement): the roles
# that may record one for Chad meet the data's refusal, the others the rule's.
COMMITMENT_REFUSED_BY_DATA = {
    "state": "TCD",
    "kind": "legislation",
    "title": "t",
    "announced_on": "2020-01-01",
    "target_date": "2019-01-01",
}


def commitment_api_cases(world: World) -> list[Case]:
    api = "/api/v1"
    item = f"{api}/commitments/{{commitment_id}}"
    private = f"{api}/commitments/{world.private_commitment}"
    outcome = f"{api}/events/{{event_id}}/outcome"
    event = f"{api}/events/{world.commitment_event}/outcome"
    return [
        Case("GET", f"{api}/commitments", f"{api}/commitments", expect(200)),
        Case(
            "POST",
            f"{api}/commitments",
            f"{api}/commitments",
            expect(403, public=401, poc=422, expert=422, committee=422, admin=422),
            {"json": COMMITMENT_REFUSED_BY_DATA},
        ),
        Case("GET", item, private, REQUESTER_SIDE),
        Case("GET", item, f"{api}/commitments/{world.public_commitment}", expect(200)),
        Case(
            "POST",
            item + "/transitions",
            private + "/transitions",
            {
                **REQUESTER_SIDE,
                "public": 401,
                "poc": 409,
                "expert": 409,
                "committee": 409,
                "admin": 409,
            },
            {"json": {"to": "announced"}},  # announced -> announced: not a step
        ),
        Case(
            "POST",
            item + "/transitions",
            f"{api}/commitments/{world.public_commitment}/transitions",
            expect(403, public=401, other_poc=409, expert=409, committee=409, admin=409),
            {"json": {"to": "announced"}},
        ),
        *[Case("GET", outcome + ext, event + ext, expect(200)) for ext in ("", ".docx", ".pdf")],
    ]


def commitment_portal_cases(world: World) -> list[Case]:
    page = f"/commitments/{world.private_commitment}"
    return [
        Case("GET", "/commitments", "/commitments", expect(200)),
        Case("GET", "/commitments/new", "/commitments/new", expect(200, public=303)),
        Case("GET", "/commitments/{commitment_id}", page, REQUESTER_SIDE),
        Case(
            "GET",
            "/commitments/{commitment_id}",
            f"/commitments/{world.public_commitment}",
            expect(200),
        ),
        Case(
            "POST",
            "/commitments",
            "/commitments",
            expect(
                "forbidden",
                public="login",
                poc="refused",
                expert="refused",
                committee="refused",
                admin="refused",
            ),
            {"data": {**COMMITMENT_REFUSED_BY_DATA, "owner": "state:TCD"}},
        ),
        Case(
            "POST",
            "/commitments/{commitment_id}/transitions",
            f"{page}/transitions",
            expect(
                404,
                public="login",
                poc="refused",
                expert="refused",
                committee="refused",
                admin="refused",
            ),
            {"data": {"to": "announced"}},
        ),
        Case(
            "GET",
            "/events/{event_id}/outcome",
            f"/events/{world.commitment_event}/outcome",
            expect(200),
        ),
    ]


def on_shared_draft(**by_role: int | str) -> dict[str, int | str]:
    """Something on Chad's shared draft: hidden roles get 404, the rest as given."""
    return expect(404, **{role: by_role.get(role, 404) for role in DRAFT_READERS})


@dataclass
class Case:
    method: str
    route: str
    url: str
    expected: dict[str, int | str]
    kwargs: dict[str, Any] = field(default_factory=dict)


def api_cases(world: World) -> list[Case]:
    api = "/api/v1"
    reads = [
        "/states",
        "/states.csv",
        "/states/{iso3}",
        "/states/{iso3}/matrix",
        "/states/{iso3}/matrix.json",
        "/states/{iso3}/matrix.csv",
        "/states/{iso3}/matrix.xlsx",
        "/states/{iso3}/matrix.docx",
        "/states/{iso3}/matrix.pdf",
        "/states/{iso3}/editions",
        "/states/{iso3}/editions.csv",
        "/states/{iso3}/documents",
        "/states/{iso3}/documents.csv",
        "/states/{iso3}/reports",
        "/states/{iso3}/cells/{cell}/history",
    ]
    cases = [
        Case("GET", api + r, api + r.replace("{iso3}", "TCD").replace("{cell}", CELL), expect(200))
        for r in reads
    ]
    cases += [
        Case("GET", f"{api}{p}", f"{api}{p}", expect(200))
        for p in (
            "/frameworks",
            "/frameworks.csv",
            "/crosswalk",
            "/crosswalk.csv",
            "/coverage",
            "/coverage.csv",
            "/priorities",
            "/priorities.csv",
            "/downloads",
            # Reporting status: everyone, each counting the reports it may see.
            "/reporting",
            "/reporting.csv",
            "/reporting/timeline",
        )
    ]
    # Every State's matrices at once: signed-in accounts only (built in the background).
    cases += [
        Case("GET", f"{api}/matrices.{fmt}", f"{api}/matrices.{fmt}", expect(200, public=401))
        for fmt in ("csv", "json", "xlsx", "docx", "pdf")
    ]
    cases += [
        Case("GET", f"{api}{p}", f"{api}{p}?from=2010-01-01&to=2020-01-01", expect(200))
        for p in ("/trends", "/trends.csv")
    ]
    cases += [
        Case("GET", f"{api}{p}", f"{api}{p}?from=2010-01-01&to=2020-01-01", expect(200))
        for p in (
            "/reports/review",
            "/reports/review.html",
            "/reports/review.docx",
            "/reports/review.pdf",
        )
    ]
    cases += [
        Case("GET", f"{api}{p}", f"{api}{p}?states=FRA,TCD", expect(200))
        for p in ("/compare", "/compare.csv")
    ]
    cases += [
        Case(
            "GET",
            f"{api}/frameworks/{{framework}}/{{version}}",
            f"{api}/frameworks/un1540-matrix/reconstructed-2016",
            expect(200),
        ),
        Case("GET", f"{api}/fields/{{code}}", f"{api}/fields/op2.use", expect(200)),
        Case("GET", f"{api}/downloads/{{name}}", f"{api}/downloads/cells.csv", expect(200)),
        Case("GET", f"{api}/builds/{{build_id}}", f"{api}/builds/999999", expect(404)),
        Case(
            "GET",
            f"{api}/builds/{{build_id}}",
            f"{api}/builds/{world.niger_build}",
            expect(404, other_poc=200),
        ),
        Case("GET", f"{api}/fields/{{code}}.csv", f"{api}/fields/op2.use.csv", expect(200)),
        Case("GET", f"{api}/me", f"{api}/me", expect(200, public=401)),
        Case(
            "POST",
            f"{api}/accounts/sign-out-everywhere",
            f"{api}/accounts/sign-out-everywhere",
            expect(403, public=401, admin=404),  # nobody's: refused before it is looked up
            {"json": {"email": "nobody@example.org"}},
        ),
        # Administrators manage accounts (docs/api.md); every account its own tokens.
        Case("GET", f"{api}/accounts", f"{api}/accounts", expect(403, public=401, admin=200)),
        Case(
            "POST",
            f"{api}/accounts",
            f"{api}/accounts",
            expect(403, public=401, admin=409),  # no e-mail server for the invitation here
            {"json": {"email": "new@example.org", "role": "expert"}},
        ),
        Case(
            "GET",
            f"{api}/accounts/{{account_id:int}}",
            f"{api}/accounts/{world.quiet_account}",
            expect(403, public=401, admin=200),
        ),
        Case(
            "PATCH",
            f"{api}/accounts/{{account_id:int}}",
            f"{api}/accounts/{world.quiet_account}",
            expect(403, public=401, admin=200),  # enabling an active account: nothing changes
            {"json": {"active": True}},
        ),
        Case(
            "POST",
            f"{api}/accounts/{{account_id:int}}/sign-out-everywhere",
            f"{api}/accounts/{world.quiet_account}/sign-out-everywhere",
            expect(403, public=401, admin=200),
        ),
        Case("GET", f"{api}/account/tokens", f"{api}/account/tokens", expect(200, public=401)),
        Case(
            "POST",
            f"{api}/account/tokens",
            f"{api}/account/tokens",
            expect(422, public=401),  # refused by the data: no such scope
            {"json": {"label": "t", "scope": "admin"}},
        ),
        Case(
            "DELETE",
            f"{api}/account/tokens/{{token_id}}",
            f"{api}/account/tokens/999999",
            expect(404, public=401),  # nobody's (another's token is not found either)
        ),
        Case("GET", f"{api}/assistance/requests", f"{api}/assistance/requests", expect(200)),
        Case("GET", f"{api}/assistance/offers", f"{api}/assistance/offers", expect(200)),
        Case(
            "POST",
            f"{api}/assistance/requests",
            f"{api}/assistance/requests",
            expect(422, public=401),
            {
                "json": {
                    "title": "t",
                    "consent": "nobody",
                    "items": [{"description": "d", "help_types": ["training"]}],
                }
            },
        ),
        Case(
            "GET",
            f"{api}/assistance/requests/{{request_id}}",
            f"{api}/assistance/requests/{world.private_request}",
            expect(404, poc=200, expert=200, committee=200, admin=200),
        ),
        Case(
            "PATCH",
            f"{api}/assistance/requests/{{request_id}}",
            f"{api}/assistance/requests/{world.private_request}",
            expect(404, public=401, poc=409, expert=409, committee=409, admin=409),
            {"json": {"title": "changed", "revision": 999}},
        ),
        Case(  # widening who may see it, from a stale revision: refused by the data
            "POST",
            f"{api}/assistance/requests/{{request_id}}/consent",
            f"{api}/assistance/requests/{world.private_request}/consent",
            expect(404, public=401, poc=409, expert=409, committee=409, admin=409),
            {"json": {"consent": "public", "revision": 999, "confirm": True}},
        ),
        Case(
            "POST",
            f"{api}/assistance/requests/{{request_id}}/transitions",
            f"{api}/assistance/requests/{world.private_request}/transitions",
            expect(403, public=401, expert=409, committee=409, admin=409),
            {"json": {"to": "circulated"}},
        ),
        Case(
            "GET",
            f"{api}/assistance/requests/{{request_id}}/suggestions",
            f"{api}/assistance/requests/{world.private_request}/suggestions",
            expect(404, poc=200, expert=200, committee=200, admin=200),
        ),
        Case(
            "POST",
            f"{api}/assistance/judgements",
            f"{api}/assistance/judgements",
            expect(403, public=401, expert=422, committee=422, admin=422),
            {"json": {"item_id": 1, "offer_id": 1, "verdict": "maybe"}},
        ),
        Case(
            "POST",
            f"{api}/assistance/assignment",
            f"{api}/assistance/assignment",
            expect(403, public=401, expert=200, committee=200, admin=200),
        ),
        Case("GET", f"{api}/assistance/projects", f"{api}/assistance/projects", expect(200)),
        Case("GET", f"{api}/notifications", f"{api}/notifications", expect(200, public=401)),
        Case("GET", f"{api}/inbox", f"{api}/inbox", expect(200, public=401)),
        Case(
            "POST",
            f"{api}/notifications/{{notification_id}}/read",
            f"{api}/notifications/999999/read",
            expect(404, public=401),
        ),
        # Its own notification, about a request it may see: only the provider may mark it.
        Case(
            "POST",
            f"{api}/notifications/{{notification_id}}/read",
            f"{api}/notifications/{world.provider_match}/read",
            expect(404, public=401, provider=200),
        ),
        # Its own, but about a request restricted to the Committee since: nobody's to read.
        Case(
            "POST",
            f"{api}/notifications/{{notification_id}}/read",
            f"{api}/notifications/{world.provider_withdrawn_match}/read",
            expect(404, public=401),
        ),
        *[
            Case("GET", f"{api}/assistance/requests/{{request_id}}", url, expected)
            for url, expected in (
                (f"{api}/assistance/requests/{world.circulated_request}", REQUESTER_SIDE),
                (f"{api}/assistance/requests/{world.withdrawn_request}", REQUESTER_SIDE),
                (f"{api}/assistance/requests/{world.providers_request}", expect(200, public=404)),
            )
        ],
        *[
            Case("GET", f"{api}/assistance/projects/{{project_id}}", url, expected)
            for url, expected in (
                (f"{api}/assistance/projects/{world.private_project}", REQUESTER_SIDE),
                (f"{api}/assistance/projects/{world.providers_project}", expect(200, public=404)),
            )
        ],
        Case(
            "POST",
            f"{api}/assistance/projects",
            f"{api}/assistance/projects",
            expect(403, public=401, expert=404, committee=404, admin=404),
            {"json": {"item_id": 999999, "offer_id": 999999}},
        ),
        Case(
            "GET",
            f"{api}/assistance/projects/{{project_id}}",
            f"{api}/assistance/projects/999999",
            expect(404),
        ),
        *[
            Case(
                "POST",
                f"{api}/assistance/projects/{{project_id}}{tail}",
                f"{api}/assistance/projects/999999{tail.replace('{milestone_id}', '1')}",
                expect(404, public=401, poc=403, other_poc=403),
                {"json": body},
            )
            for tail, body in (
                ("/transitions", {"to": "in_delivery"}),
                ("/milestones", {"title": "t"}),
                ("/milestones/{milestone_id}/done", {}),
            )
        ],
        Case(
            "POST",
            f"{api}/assistance/projects/{{project_id}}/feedback",
            f"{api}/assistance/projects/999999/feedback",
            expect(404, public=401),
            {"json": {"side": "recipient", "rating": 3}},
        ),
        Case("GET", f"{api}/funding/pledges", f"{api}/funding/pledges", expect(200)),
        Case(
            "POST",
            f"{api}/funding/pledges",
            f"{api}/funding/pledges",
            expect(422, public=401),
            {"json": {"kind": "gift", "amount": 1, "currency": "EUR"}},  # no such kind
        ),
        Case(
            "GET",
            f"{api}/assistance/who-what-where",
            f"{api}/assistance/who-what-where",
            expect(200),
        ),
        Case(
            "GET",
            f"{api}/assistance/who-what-where.csv",
            f"{api}/assistance/who-what-where.csv",
            expect(200),
        ),
        Case(
            "GET",
            f"{api}/states/{{iso3}}/fields/{{code}}/loop",
            f"{api}/states/TCD/fields/op2.finance/loop",
            expect(200),
        ),
        Case(
            "POST",
            f"{api}/assistance/offers",
            f"{api}/assistance/offers",
            expect(422, public=401),
            {"json": {"title": "t", "help_types": ["training"], "capacity": 1, "visibility": "x"}},
        ),
        # Points of contact: the list and the courses are everyone's (details filtered); Chad's
        # contact is seen by Chad's point of contact (its own account) and the Committee side.
        Case("GET", f"{api}/contacts", f"{api}/contacts", expect(200)),
        Case("GET", f"{api}/trainings", f"{api}/trainings", expect(200)),
        Case(
            "GET",
            f"{api}/contacts/{{contact_id}}",
            f"{api}/contacts/{world.contacts['chad']}",
            REQUESTER_SIDE,
        ),
        Case(
            "GET",
            f"{api}/contacts/{{contact_id}}",
            f"{api}/contacts/{world.contacts['niger']}",
            expect(404, other_poc=200, expert=200, committee=200, admin=200),
        ),
        Case(
            "POST",
            f"{api}/contacts",
            f"{api}/contacts",
            expect(422, public=401, other_poc=403, provider=403),
            {
                "json": {
                    "state": "TCD",
                    "name": "n",
                    "role": "capital",
                    "designated_on": "2000-01-01",
                }
            },
        ),
        Case(
            "PATCH",
            f"{api}/contacts/{{contact_id}}",
            f"{api}/contacts/{world.contacts['chad']}",
            expect(404, poc=422, expert=422, committee=422, admin=422),
            {"json": {"confirmed_on": "2000-01-01"}},
        ),
        Case(
            "POST",
            f"{api}/contacts/{{contact_id}}/confirm",
            f"{api}/contacts/{world.contacts['chad']}/confirm",
            expect(404, poc=422, expert=422, committee=422, admin=422),
            {"json": {"email": "not an address"}},
        ),
        Case(
            "GET",
            f"{api}/documents/{{document_id}}",
            f"{api}/documents/{world.public_document}",
            expect(200),
        ),
        Case(
            "GET",
            f"{api}/documents/{{document_id}}",
            f"{api}/documents/{world.restricted_document}",
            expect(404, poc=200, expert=200, committee=200, admin=200),
        ),
        Case(
            "GET",
            f"{api}/documents/{{document_id}}/file",
            f"{api}/documents/{world.public_document}/file",
            expect(200),
        ),
        Case(
            "GET",
            f"{api}/documents/{{document_id}}/file",
            f"{api}/documents/{world.restricted_document}/file",
            expect(404, poc=200, expert=200, committee=200, admin=200),
        ),
        # The library: a law's provisions, laws like this, search (visibility of the law).
        Case(
            "GET",
            f"{api}/documents/{{document_id}}/provisions",
            f"{api}/documents/{world.public_law}/provisions",
            expect(200),
        ),
        Case(
            "GET",
            f"{api}/documents/{{document_id}}/provisions",
            f"{api}/documents/{world.restricted_law}/provisions",
            expect(404, poc=200, expert=200, committee=200, admin=200),
        ),
        Case(
            "GET",
            f"{api}/provisions/{{provision_id}}/similar",
            f"{api}/provisions/{world.public_provision}/similar",
            expect(200),
        ),
        Case(
            "GET",
            f"{api}/provisions/{{provision_id}}/similar",
            f"{api}/provisions/{world.restricted_provision}/similar",
            expect(404, poc=200, expert=200, committee=200, admin=200),
        ),
        # A provision's evidence suggestions: the Committee side, on a law it may see (hidden:
        # 404 first); a decision without the draft to confirm into is refused by the data.
        Case(
            "GET",
            f"{api}/documents/{{document_id}}/provisions/{{provision_id}}/suggestions",
            f"{api}/documents/{world.public_law}/provisions/{world.public_provision}/suggestions",
            expect(403, public=401, expert=200, committee=200, admin=200),
        ),
        Case(
            "GET",
            f"{api}/documents/{{document_id}}/provisions/{{provision_id}}/suggestions",
            f"{api}/documents/{world.restricted_law}/provisions/"
            f"{world.restricted_provision}/suggestions",
            expect(404, poc=403, expert=200, committee=200, admin=200),
        ),
        Case(
            "POST",
            f"{api}/documents/{{document_id}}/provisions/{{provision_id}}/suggestions/"
            "{suggestion_id}/decision",
            f"{api}/documents/{world.public_law}/provisions/{world.public_provision}/"
            "suggestions/op3cd.export_control_law/decision",
            expect(403, public=401, expert=422, committee=422, admin=422),
            {"json": {"verdict": "confirm"}},
        ),
        Case(
            "POST",
            f"{api}/documents/{{document_id}}/provisions/{{provision_id}}/suggestions/"
            "{suggestion_id}/decision",
            f"{api}/documents/{world.restricted_law}/provisions/{world.restricted_provision}/"
            "suggestions/op3cd.export_control_law/decision",
            expect(404, poc=403, expert=422, committee=422, admin=422),
            {"json": {"verdict": "confirm"}},
        ),
        Case("GET", f"{api}/search", f"{api}/search?q=licence", expect(200)),
        Case("GET", f"{api}/search", f"{api}/search?q=licence&language=de", expect(422)),
        Case(  # widening without confirm: refused by the data, for those who may
            "POST",
            f"{api}/documents/{{document_id}}/visibility",
            f"{api}/documents/{world.restricted_document}/visibility",
            expect(404, poc=422, expert=422, committee=422, admin=422),  # hidden: 404 first
            {"json": {"visibility": "public"}},
        ),
        Case(  # to what it already is: nothing changes, for those who may
            "POST",
            f"{api}/documents/{{document_id}}/visibility",
            f"{api}/documents/{world.public_document}/visibility",
            expect(403, public=401, poc=200, expert=200, committee=200, admin=200),
            {"json": {"visibility": "public"}},
        ),
        Case(
            "POST",
            f"{api}/states/{{iso3}}/documents",
            f"{api}/states/TCD/documents",
            expect(403, public=401, poc=422, expert=422, committee=422, admin=422),
            {"data": {"kind": "national_report", "title": "t", "language": "en"}},
        ),
        Case(
            "POST",
            f"{api}/states/{{iso3}}/editions",
            f"{api}/states/TCD/editions",
            expect(403, public=401, expert=409, admin=409),
        ),
    ]
    edition = f"{api}/states/{{iso3}}/editions/{{number}}"
    t2 = f"{api}/states/TCD/editions/2"
    cases += [
        Case("GET", edition, t2, on_shared_draft(poc=200, expert=200, committee=200, admin=200)),
        Case(
            "GET",
            edition,
            f"{api}/states/NER/editions/2",
            expect(404, expert=200, committee=200, admin=200),
        ),
        Case("DELETE", edition, t2, on_shared_draft(poc=403, committee=403, expert=409, admin=409)),
        Case(
            "GET",
            f"{edition}/cells/{{cell}}",
            f"{t2}/cells/{CELL}",
            on_shared_draft(poc=200, expert=200, committee=200, admin=200),
        ),
        Case(
            "PATCH",
            f"{edition}/cells/{{cell}}",
            f"{t2}/cells/{CELL}",
            on_shared_draft(poc=403, committee=403, expert=409, admin=409),
            {"json": {"mark": "X", "remark": "", "version": 999}},
        ),
        Case(
            "PUT",
            f"{edition}/treaties/{{field}}",
            f"{t2}/treaties/op1.cwc",
            on_shared_draft(poc=403, committee=403, expert=422, admin=422),
            {
                "json": {
                    "status": "ratified",
                    "status_on": "1990-01-01",
                    "asserted_by": "state_report",
                    "reason": "before the CWC opened for signature",
                }
            },
        ),
        Case(
            "POST",
            f"{edition}/share",
            f"{t2}/share",
            on_shared_draft(poc=403, committee=403, expert=409, admin=409),
        ),
        Case(
            "POST",
            f"{edition}/agree",
            f"{t2}/agree",
            on_shared_draft(poc=409, committee=403, expert=409, admin=409),
        ),
        Case(
            "POST",
            f"{edition}/reopen",
            f"{t2}/reopen",
            on_shared_draft(poc=403, committee=403, expert=409, admin=409),
        ),
        Case(
            "POST",
            f"{edition}/approve",
            f"{t2}/approve",
            on_shared_draft(poc=403, expert=403, committee=409, admin=409),
        ),
        Case(
            "GET",
            f"{edition}/evidence",
            f"{t2}/evidence",
            on_shared_draft(poc=200, expert=200, committee=200, admin=200),
        ),
        Case(
            "POST",
            f"{edition}/waivers",
            f"{t2}/waivers",
            on_shared_draft(poc=403, expert=422, committee=422, admin=422),
            {"json": {"reason": ""}},
        ),
        Case(
            "POST",
            f"{edition}/cells/{{cell}}/waivers",
            f"{t2}/cells/{CELL}/waivers",
            on_shared_draft(poc=403, expert=422, committee=422, admin=422),
            {"json": {"rule": "x_requires_evidence", "reason": ""}},
        ),
        Case(  # an empty list of provisions: refused by the data for those who may ask
            "POST",
            "/api/v1/evidence/suggest",
            "/api/v1/evidence/suggest",
            expect(403, public=401, expert=422, committee=422, admin=422),
            {"json": {"provisions": []}},
        ),
        Case(
            "GET",
            f"{edition}/comments",
            f"{t2}/comments",
            on_shared_draft(poc=200, expert=200, committee=200, admin=200),
        ),
        Case(
            "POST",
            f"{edition}/comments",
            f"{t2}/comments",
            on_shared_draft(poc=201, expert=201, committee=201, admin=201),
            {"json": {"cell": CELL, "body": "ok"}},
        ),
        Case(
            "GET",
            f"{edition}/proposals",
            f"{t2}/proposals",
            on_shared_draft(poc=200, expert=200, committee=200, admin=200),
        ),
        Case(
            "POST",
            f"{edition}/proposals",
            f"{t2}/proposals",
            on_shared_draft(poc=201, expert=403, committee=403, admin=403),
            {"json": {"cell": CELL, "mark": "", "remark": "another idea", "reason": ""}},
        ),
        Case(
            "POST",
            f"{edition}/proposals/{{proposal_id}}/decision",
            f"{t2}/proposals/{world.decided_proposal}/decision",
            on_shared_draft(poc=403, committee=403, expert=409, admin=409),
            {"json": {"accept": True}},
        ),
        Case(
            "POST",
            f"{edition}/import",
            f"{t2}/import",
            on_shared_draft(poc=403, committee=403, expert=422, admin=422),
            {
                "files": {"file": ("empty.xlsx", b"", "application/octet-stream")},
                "data": {"dry_run": "true"},
            },
        ),
        Case(
            "GET",
            f"{api}/states/{{iso3}}/editions/{{before}}/diff/{{after}}",
            f"{api}/states/TCD/editions/1/diff/2",
            on_shared_draft(poc=200, expert=200, committee=200, admin=200),
        ),
        Case(
            "GET",
            f"{api}/states/{{iso3}}/editions/{{before}}/diff/{{after}}.csv",
            f"{api}/states/TCD/editions/1/diff/2.csv",
            on_shared_draft(poc=200, expert=200, committee=200, admin=200),
        ),
        Case(
            "GET",
            f"{api}/states/{{iso3}}/editions/{{before}}/diff/{{after}}",
            f"{api}/states/TCD/editions/1/diff/1",
            expect(200),
        ),
        *[
            Case("GET", f"{api}{path}", f"{api}{path}", expect(200))
            for path in ("/incidents", "/incidents/trends", "/incidents/trends.csv")
        ],
        # Restricted (Niger's, not shared), shared with Chad, the provider's own, unconfirmed
        # (Chad's), public: each seen record by record only by those entitled (404 otherwise).
        *[
            Case("GET", f"{api}/incidents/{{incident_id}}", f"{api}/incidents/{ident}", expected)
            for ident, expected in zip(
                world.incidents,
                (
                    expect(404, expert=200, committee=200, admin=200),
                    expect(404, poc=200, expert=200, committee=200, admin=200),
                    expect(404, provider=200, expert=200, committee=200, admin=200),
                    expect(404, poc=200, expert=200, committee=200, admin=200),
                    expect(200),
                ),
                strict=True,
            )
        ],
        Case(
            "POST",
            f"{api}/incidents",
            f"{api}/incidents",
            expect(422, public=401, poc=403, other_poc=403),
            {"json": INCIDENT_REFUSED_BY_DATA},
        ),
        Case("GET", f"{api}/activities", f"{api}/activities", expect(200)),
        # The OPCW's in Chad (the default: Chad and the Committee side), the IAEA's in Niger
        # for the Committee only (the IAEA's provider sees its own), a public one.
        *[
            Case("GET", f"{api}/activities/{{activity_id}}", f"{api}/activities/{ident}", seen)
            for ident, seen in zip(
                world.activities,
                (
                    expect(404, poc=200, expert=200, committee=200, admin=200),
                    expect(404, provider=200, expert=200, committee=200, admin=200),
                    expect(200),
                ),
                strict=True,
            )
        ],
        Case(
            "POST",
            f"{api}/activities",
            f"{api}/activities",
            expect(422, public=401, poc=403, other_poc=403),
            {"json": ACTIVITY_REFUSED_BY_DATA},
        ),
        # Risk notes: coverage figures for everyone (each counts the cells its reader may see).
        Case("GET", f"{api}/risks", f"{api}/risks?as_of=2020-01-01", expect(200)),
        Case("GET", f"{api}/risks/{{risk_id}}", f"{api}/risks/logistics", expect(200)),
        Case("GET", f"{api}/risks/{{risk_id}}", f"{api}/risks/no_such_note", expect(404)),
    ]
    cases += action_plan_api_cases(world)
    cases += commitment_api_cases(world)
    cases += visit_api_cases(world, api)
    cases += event_api_cases(world, api)
    return cases


# Events: a public event with Chad's unpublished statement and Niger's published one, and an
# event for the Committee side only. Writes are refused by the data for those who may make them.
COMMITTEE_READERS = expect(404, expert=200, committee=200, admin=200)
BAD_EVENT = {"kind": "workshop", "title": "t", "starts_on": "2026-05-02", "ends_on": "2026-05-01"}


def bad_statement(world: World) -> dict[str, Any]:
    return {
        "event": world.event,
        "speaker": "s",
        "on_behalf_state": "TCD",
        "language": "en",
        "mode": "written",
        "text": "t",
        "topics": ["weather"],
    }


def event_api_cases(world: World, api: str) -> list[Case]:
    statement = f"{api}/statements/{{statement_id}}"
    return [
        Case("GET", f"{api}/events", f"{api}/events", expect(200)),
        Case(
            "POST",
            f"{api}/events",
            f"{api}/events",
            expect(403, public=401, expert=422, committee=422, admin=422),
            {"json": BAD_EVENT},
        ),
        Case("GET", f"{api}/events/{{event_id}}", f"{api}/events/{world.event}", expect(200)),
        Case(
            "GET",
            f"{api}/events/{{event_id}}",
            f"{api}/events/{world.committee_event}",
            COMMITTEE_READERS,
        ),
        Case("GET", f"{api}/statements", f"{api}/statements", expect(200)),
        Case(
            "POST",
            f"{api}/statements",
            f"{api}/statements",
            expect(422, public=401, other_poc=403, provider=403),
            {"json": bad_statement(world)},
        ),
        Case("GET", statement, f"{api}/statements/{world.statement}", REQUESTER_SIDE),
        Case("GET", statement, f"{api}/statements/{world.published_statement}", expect(200)),
        Case(  # published already: a conflict for those who publish
            "POST",
            statement + "/publish",
            f"{api}/statements/{world.published_statement}/publish",
            expect(403, public=401, expert=409, committee=409, admin=409),
        ),
    ]


def event_portal_cases(world: World) -> list[Case]:
    page = f"/events/{world.event}"
    return [
        Case("GET", "/events", "/events", expect(200)),
        Case(
            "POST",
            "/events",
            "/events",
            expect(
                "forbidden", public="login", expert="refused", committee="refused", admin="refused"
            ),
            {"data": BAD_EVENT},
        ),
        Case("GET", "/events/{event_id}", page, expect(200)),
        Case("GET", "/events/{event_id}", f"/events/{world.committee_event}", COMMITTEE_READERS),
        Case(
            "POST",
            "/events/{event_id}/statements",
            f"{page}/statements",
            expect("refused", public="login", other_poc="forbidden", provider="forbidden"),
            {"data": {**bad_statement(world), "on_behalf": "state:TCD", "topics": "weather"}},
        ),
        Case(
            "POST",
            "/events/{event_id}/statements/{statement_id}/publish",
            f"{page}/statements/{world.published_statement}/publish",
            expect(
                "forbidden", public="login", expert="refused", committee="refused", admin="refused"
            ),
        ),
    ]


# Country visits: Chad's visit (findings recorded, summary not agreed) is the Committee side's
# and Chad's; the visit whose summary Chad agreed to is read by everyone, its briefing not.
VISIT_READERS = expect(404, poc=200, expert=200, committee=200, admin=200)


# Writes on Chad's visit: hidden roles 404, the signed-in as the rule says.
def on_visit(**by_role: int | str) -> dict[str, int | str]:
    return expect(404, **by_role)


def visit_api_cases(world: World, api: str) -> list[Case]:
    visit, consented = f"{api}/visits/{world.visit}", f"{api}/visits/{world.consented_visit}"
    item = f"{api}/visits/{{visit_id}}"
    writes = [
        ("/transitions", {"to": "accepted"}, dict(expert=403, committee=409, admin=409)),
        ("/participants", {"kind": "nobody", "name": "x"}, dict(expert=422, admin=422)),
        ("/findings", {"field": "op9.nothing", "text": "x"}, dict(expert=422, admin=422)),
        ("/follow-ups", {"kind": "nothing", "title": "t"}, dict(expert=422, admin=422)),
        ("/follow-ups/999999/close", None, dict(expert=422, admin=422)),
    ]
    cases = [
        Case("GET", f"{api}/visits", f"{api}/visits", expect(200)),
        Case(
            "POST",
            f"{api}/visits",
            f"{api}/visits",
            expect(422, public=401, other_poc=403, provider=403),
            {"json": {"state": "TCD", "invited_on": "2999-01-01"}},
        ),
        Case("GET", item, visit, VISIT_READERS),
        Case("GET", item, consented, expect(200)),
        *[
            Case(
                "POST",
                item + tail.replace("999999", "{follow_up_id}"),
                visit + tail,
                on_visit(**{"poc": 403, "committee": 403, **by_role}),
                {"json": body} if body is not None else {},
            )
            for tail, body, by_role in writes
        ],
        Case(  # the text it already has: nothing changes
            "POST",
            item + "/summary",
            visit + "/summary",
            on_visit(poc=403, expert=200, committee=200, admin=200),
            {"json": {"text": SECRETS["visit_summary"]}},
        ),
        Case(  # what it already is (not agreed): nothing changes
            "POST",
            item + "/consent",
            visit + "/consent",
            on_visit(poc=200, expert=403, committee=403, admin=403),
            {"json": {"consent": False}},
        ),
        *[
            Case("GET", item + f"/briefing{ext}", visit + f"/briefing{ext}", VISIT_READERS)
            for ext in ("", ".docx", ".pdf")
        ],
        Case(
            "GET",
            item + "/briefing",
            consented + "/briefing",
            expect(200, public=401, other_poc=403, provider=403),
        ),
        Case(
            "GET", f"{api}/organisations/{{organisation}}", f"{api}/organisations/iaea", expect(200)
        ),
    ]
    cases += [
        Case(
            "GET",
            f"{api}/states/{{iso3}}/profile{ext}",
            f"{api}/states/TCD/profile{ext}",
            expect(200),
        )
        for ext in ("", ".csv")
    ]
    return cases


def visit_portal_cases(world: World) -> list[Case]:
    visit, consented = f"/visits/{world.visit}", f"/visits/{world.consented_visit}"
    item = "/visits/{visit_id}"
    hidden = {"other_poc": 404, "provider": 404}
    writes = [
        ("/transitions", {"to": "accepted"}, dict(committee="refused", admin="refused")),
        ("/participants", {"kind": "nobody", "name": "x"}, dict(expert="refused", admin="refused")),
        (
            "/findings",
            {"field": "op9.nothing", "text": "x"},
            dict(expert="refused", admin="refused"),
        ),
        ("/follow-ups", {"kind": "nothing", "title": "t"}, dict(expert="refused", admin="refused")),
        ("/follow-ups/999999/close", {}, dict(expert="refused", admin="refused")),
    ]
    return [
        Case("GET", "/visits", "/visits", expect(200)),
        Case("GET", item, visit, VISIT_READERS),
        Case("GET", item, consented, expect(200)),
        Case("GET", item + "/briefing", visit + "/briefing", VISIT_READERS),
        Case("GET", "/states/{iso3}/matrix", "/states/TCD/matrix", expect(200)),
        Case("GET", "/organisations/{organisation}", "/organisations/iaea", expect(200)),
        Case(
            "POST",
            "/visits",
            "/visits",
            expect("refused", public="login", other_poc="forbidden", provider="forbidden"),
            {"data": {"state": "TCD", "invited_on": "2999-01-01"}},
        ),
        *[
            Case(
                "POST",
                item + tail.replace("999999", "{follow_up_id}"),
                visit + tail,
                expect("forbidden", **{"public": 404, **hidden, **by_role}),
                {"data": body},
            )
            for tail, body, by_role in writes
        ],
        Case(
            "POST",
            item + "/summary",
            visit + "/summary",
            expect("done", public=404, poc="forbidden", **hidden),
            {"data": {"text": SECRETS["visit_summary"]}},
        ),
        Case(
            "POST",
            item + "/consent",
            visit + "/consent",
            expect("forbidden", public=404, poc="done", **hidden),
            {"data": {"consent": "0"}},
        ),
    ]


def portal_cases(world: World, digest: str) -> list[Case]:
    pages = [
        "/",
        "/states",
        "/fields",
        "/priorities",
        "/downloads",
        "/dashboard",
        "/reporting",
        "/trends",
        "/compare",
        "/embed/coverage",  # charts to embed: public data only, whoever asks (portal/embed.py)
        "/embed/trends",
        "/reports/review",
        "/reports/review.css",
        "/healthz",
        "/api/docs",
        "/api/docs/console",
        "/api/v1/openapi.json",
    ]
    cases = [Case("GET", page, page, expect(200)) for page in pages]
    cases += visit_portal_cases(world)  # before the cases that end the session
    cases += event_portal_cases(world)
    cases += [
        Case("GET", "/states/{iso3}", "/states/TCD", expect(200)),
        Case("GET", "/fields/{code}", "/fields/op2.finance", expect(200)),
        Case("GET", "/states/{iso3}/documents", "/states/TCD/documents", expect(200)),
        Case("GET", "/search", "/search?q=licence", expect(200)),
        Case("GET", "/documents/{document_id}", f"/documents/{world.public_law}", expect(200)),
        Case(
            "GET",
            "/documents/{document_id}",
            f"/documents/{world.restricted_law}?provision={world.restricted_provision}",
            expect(404, poc=200, expert=200, committee=200, admin=200),
        ),
        # Deciding on a suggestion from the document page: the Committee side, on a law it
        # may see (hidden: 404 first); a confirmation without a draft is refused by the data.
        Case(
            "POST",
            "/documents/{document_id}/provisions/{provision_id}/suggestions/{suggestion_id}",
            f"/documents/{world.public_law}/provisions/{world.public_provision}/suggestions/"
            "op3cd.export_control_law",
            expect(
                "forbidden", public="login", expert="refused", committee="refused", admin="refused"
            ),
            {"data": {"verdict": "confirm"}},
        ),
        Case(
            "POST",
            "/documents/{document_id}/provisions/{provision_id}/suggestions/{suggestion_id}",
            f"/documents/{world.restricted_law}/provisions/{world.restricted_provision}/"
            "suggestions/op3cd.export_control_law",
            expect(404, poc="forbidden", expert="refused", committee="refused", admin="refused"),
            {"data": {"verdict": "confirm"}},
        ),
        Case("GET", "/states/{iso3}/cells/{cell}", f"/states/TCD/cells/{CELL}", expect(200)),
        Case("GET", "/login", "/login", expect(303, public=200)),
        Case("GET", "/account", "/account", expect(200, public=303)),
        Case(
            "GET",
            "/states/{iso3}/editions/{number}",
            T2,
            on_shared_draft(poc=200, expert=200, committee=200, admin=200),
        ),
        Case(
            "GET",
            "/states/{iso3}/editions/{number}",
            "/states/NER/editions/2",
            expect(404, expert=200, committee=200, admin=200),
        ),
        Case(
            "GET",
            "/states/{iso3}/editions/{number}/cells/{cell}",
            f"{T2}/cells/{CELL}",
            on_shared_draft(poc=200, expert=200, committee=200, admin=200),
        ),
        Case(
            "GET",
            "/states/{iso3}/editions/{before}/diff/{after}",
            "/states/TCD/editions/1/diff/2",
            on_shared_draft(poc=200, expert=200, committee=200, admin=200),
        ),
        Case("GET", "/assistance", "/assistance", expect(200)),
        Case(
            "GET", "/assistance/requests/new", "/assistance/requests/new", expect(200, public=303)
        ),
        Case(
            "GET",
            "/assistance/requests/{request_id}",
            f"/assistance/requests/{world.private_request}",
            expect(404, poc=200, expert=200, committee=200, admin=200),
        ),
        Case(
            "GET", "/assistance/projects/{project_id}", "/assistance/projects/999999", expect(404)
        ),
        Case(
            "GET",
            "/assistance/projects/{project_id}",
            f"/assistance/projects/{world.private_project}",
            REQUESTER_SIDE,
        ),
        Case(
            "GET",
            "/assistance/projects/{project_id}",
            f"/assistance/projects/{world.providers_project}",
            expect(200, public=404),
        ),
        Case(
            "GET",
            "/assistance/requests/{request_id}",
            f"/assistance/requests/{world.withdrawn_request}",
            REQUESTER_SIDE,
        ),
        Case("GET", "/funding", "/funding", expect(200)),
        Case("GET", "/who-what-where", "/who-what-where", expect(200)),
        Case(
            "GET",
            "/states/{iso3}/fields/{code}/loop",
            "/states/TCD/fields/op2.finance/loop",
            expect(200),
        ),
        Case("GET", "/notifications", "/notifications", expect(200, public=303)),
        Case("GET", "/inbox", "/inbox", expect(200, public=303)),
        Case("GET", "/builds/{build_id}", "/builds/999999", expect(404)),
        Case(
            "GET",
            "/builds/{build_id}",
            f"/builds/{world.niger_build}",
            expect(404, other_poc=200),
        ),
        Case("GET", "/account/notifications", "/account/notifications", expect(200, public=303)),
        Case("POST", "/notifications/read", "/notifications/read", expect("done", public="login")),
        Case(
            "POST",
            "/account/notifications",
            "/account/notifications",
            expect("done", public="login"),
            {"data": {"by_email": "matrix_edition"}},
        ),
        Case(
            "POST",
            "/assistance/requests",
            "/assistance/requests",
            expect("refused", public="login"),
            {"data": {"description": "d", "help_type": "training", "consent": "nobody"}},
        ),
        Case(
            "POST",
            "/assistance/requests/{request_id}/consent",
            f"/assistance/requests/{world.private_request}/consent",
            expect(
                404,
                public="login",
                poc="refused",
                expert="refused",
                committee="refused",
                admin="refused",
            ),
            {"data": {"consent": "public", "revision": "999", "confirm": "1"}},
        ),
        Case(
            "POST",
            "/assistance/requests/{request_id}/transitions",
            f"/assistance/requests/{world.private_request}/transitions",
            expect(
                "forbidden", public="login", expert="refused", committee="refused", admin="refused"
            ),
            {"data": {"to": "circulated"}},
        ),
        *[
            Case(
                "POST",
                path,
                path,
                expect("forbidden", public="login", expert=404, committee=404, admin=404),
                {
                    "data": {
                        "request_id": world.private_request,
                        "item_id": 999999,
                        "offer_id": 999999,
                        "verdict": "accept",
                    }
                },
            )
            for path in ("/assistance/judgements", "/assistance/projects")
        ],
        Case("GET", "/assistance/offers/new", "/assistance/offers/new", expect(200, public=303)),
        Case("GET", "/contacts", "/contacts", expect(200)),
        Case("GET", "/trainings", "/trainings", expect(200)),
        Case(
            "POST",
            "/contacts",
            "/contacts",
            expect("refused", public="login", other_poc="forbidden", provider="forbidden"),
            {
                "data": {
                    "state": "TCD",
                    "name": "n",
                    "role": "capital",
                    "designated_on": "2000-01-01",
                }
            },
        ),
        Case(
            "POST",
            "/contacts/{contact_id}",
            f"/contacts/{world.contacts['chad']}",
            expect(
                404,
                public="login",
                poc="refused",
                expert="refused",
                committee="refused",
                admin="refused",
            ),
            {"data": {"name": "n", "role": "capital", "designated_on": "2999-01-01"}},
        ),
        Case(
            "POST",
            "/contacts/{contact_id}/confirm",
            f"/contacts/{world.contacts['chad']}/confirm",
            expect(404, public="login", poc="done", expert="done", committee="done", admin="done"),
        ),
        Case(
            "POST",
            "/assistance/offers",
            "/assistance/offers",
            expect("refused", public="login"),
            {"data": {"title": "t", "capacity": "-1"}},
        ),
        *[
            Case(
                "POST",
                f"/assistance/projects/{{project_id}}{tail}",
                f"/assistance/projects/999999{tail.replace('{milestone_id}', '1')}",
                expect(404, public="login", poc="forbidden", other_poc="forbidden"),
                {"data": {"title": "t"}},
            )
            for tail in ("/milestones", "/milestones/{milestone_id}/done")
        ],
        Case(
            "POST",
            "/assistance/projects/{project_id}/feedback",
            "/assistance/projects/999999/feedback",
            expect(404, public="login"),
            {"data": {"side": "recipient", "rating": "3"}},
        ),
        Case(
            "POST",
            "/funding",
            "/funding",
            expect("refused", public="login"),
            {"data": {"kind": "gift", "amount": "-1", "currency": "EUR"}},
        ),
        Case(
            "POST",
            "/assistance/projects/{project_id}/transitions",
            "/assistance/projects/999999/transitions",
            expect(404, public="login", poc="forbidden", other_poc="forbidden"),
            {"data": {"to": "delivered"}},
        ),
        Case(
            "POST",
            "/login",
            "/login",
            expect(401),
            {"data": {"email": "poc@example.org", "password": "wrong"}},
        ),
        Case(
            "POST",
            "/account/password",
            "/account/password",
            expect("refused", public="login"),
            {
                "data": {
                    "current_password": "wrong",
                    "new_password": "x" * 12,
                    "repeat_password": "x" * 12,
                }
            },
        ),
        Case(
            "POST",
            "/states/{iso3}/editions",
            "/states/TCD/editions",
            expect("forbidden", public="login", expert="refused", admin="refused"),
        ),
        Case(  # to what it already is: nothing changes, for those who may
            "POST",
            "/states/{iso3}/documents/{document_id}/visibility",
            f"/states/TCD/documents/{world.public_document}/visibility",
            expect(
                "forbidden",
                public="login",
                poc="done",
                expert="done",
                committee="done",
                admin="done",
            ),
            {"data": {"visibility": "public"}},
        ),
        Case(
            "POST",
            "/states/{iso3}/documents",
            "/states/TCD/documents",
            expect(
                "forbidden",
                public="login",
                poc="refused",
                expert="refused",
                committee="refused",
                admin="refused",
            ),
            {"data": {"kind": "national_report", "title": "t", "language": "en"}},
        ),
        Case(
            "POST",
            "/states/{iso3}/editions/{number}/{transition}",
            f"{T2}/share",
            on_shared_draft(
                poc="forbidden", committee="forbidden", expert="refused", admin="refused"
            ),
        ),
        Case(
            "POST",
            "/states/{iso3}/editions/{number}/{transition}",
            f"{T2}/agree",
            on_shared_draft(
                poc="refused", committee="forbidden", expert="refused", admin="refused"
            ),
        ),
        Case(
            "POST",
            "/states/{iso3}/editions/{number}/{transition}",
            f"{T2}/reopen",
            on_shared_draft(
                poc="forbidden", committee="forbidden", expert="refused", admin="refused"
            ),
        ),
        Case(
            "POST",
            "/states/{iso3}/editions/{number}/{transition}",
            f"{T2}/approve",
            on_shared_draft(
                poc="forbidden", expert="forbidden", committee="refused", admin="refused"
            ),
        ),
        Case(
            "POST",
            "/states/{iso3}/editions/{number}/{transition}",
            f"{T2}/discard",
            on_shared_draft(
                poc="forbidden", committee="forbidden", expert="refused", admin="refused"
            ),
        ),
        Case(
            "POST", "/states/{iso3}/editions/{number}/{transition}", f"{T2}/teleport", expect(404)
        ),
        Case(
            "POST",
            "/states/{iso3}/editions/{number}/cells/{cell}",
            f"{T2}/cells/{CELL}",
            on_shared_draft(
                poc="forbidden", committee="forbidden", expert="refused", admin="refused"
            ),
            {"data": {"mark": "X", "remark": "", "version": "999"}},
        ),
        Case(
            "POST",
            "/states/{iso3}/editions/{number}/cells/{cell}/treaty",
            f"{T2}/cells/op1.cwc:any:adherence/treaty",
            on_shared_draft(
                poc="forbidden", committee="forbidden", expert="refused", admin="refused"
            ),
            {
                "data": {
                    "status": "ratified",
                    "status_on": "1990-01-01",
                    "asserted_by": "state_report",
                    "reason": "before the CWC opened for signature",
                }
            },
        ),
        Case(
            "POST",
            "/states/{iso3}/editions/{number}/waivers",
            f"{T2}/waivers",
            on_shared_draft(
                poc="forbidden", expert="refused", committee="refused", admin="refused"
            ),
            {"data": {"reason": ""}},
        ),
        Case(
            "POST",
            "/states/{iso3}/editions/{number}/cells/{cell}/waivers",
            f"{T2}/cells/{CELL}/waivers",
            on_shared_draft(
                poc="forbidden", expert="refused", committee="refused", admin="refused"
            ),
            {"data": {"rule": "x_requires_evidence", "reason": ""}},
        ),
        Case(
            "POST",
            "/states/{iso3}/editions/{number}/cells/{cell}/comments",
            f"{T2}/cells/{CELL}/comments",
            on_shared_draft(poc="done", expert="done", committee="done", admin="done"),
            {"data": {"body": "fine"}},
        ),
        Case(
            "POST",
            "/states/{iso3}/editions/{number}/cells/{cell}/proposals",
            f"{T2}/cells/{CELL}/proposals",
            on_shared_draft(
                poc="done", expert="forbidden", committee="forbidden", admin="forbidden"
            ),
            {"data": {"mark": "?", "remark": "yet another", "reason": ""}},
        ),
        Case(
            "POST",
            "/states/{iso3}/editions/{number}/proposals/{proposal_id}/decision",
            f"{T2}/proposals/{world.decided_proposal}/decision",
            on_shared_draft(
                poc="forbidden", committee="forbidden", expert="refused", admin="refused"
            ),
            {"data": {"decision": "accept"}},
        ),
        Case(
            "POST",
            "/states/{iso3}/editions/{number}/import",
            f"{T2}/import",
            on_shared_draft(poc=403, committee=403, expert=422, admin=422),
            {"files": {"file": ("bad.csv", b"nothing here", "text/csv")}, "data": {"dry_run": "1"}},
        ),
        Case(
            "POST",
            "/states/{iso3}/editions/{number}/import/apply",
            f"{T2}/import/apply",
            on_shared_draft(poc=403, committee=403, expert=422, admin=422),
            {"data": {"digest": digest, "file_name": "bad.csv"}},
        ),
        Case(
            "POST",
            "/account/tokens",
            "/account/tokens",
            expect("refused", public="login"),  # without a label; the test of tokens issues one
            {"data": {"label": " ", "scope": "read"}},
        ),
        Case(
            "POST",
            "/account/tokens/{token_id}/revoke",
            "/account/tokens/999999/revoke",
            expect(404, public="login"),  # only one's own tokens are found
            {"data": {"confirm": "1"}},
        ),
        Case(
            "POST",
            "/account/sign-out-everywhere",
            "/account/sign-out-everywhere",
            expect("done", public="login"),  # ends the others; this browser stays signed in
        ),
        Case(
            "POST",
            "/downloads/matrices/{fmt}",
            "/downloads/matrices/csv",
            expect("done", public="login"),
        ),
        Case("GET", "/incidents", "/incidents", expect(200)),
        Case("GET", "/risks", "/risks", expect(200)),
        Case("GET", "/risks/{risk_id}", "/risks/synthetic_biology", expect(200)),
        Case(
            "POST",
            "/incidents",
            "/incidents",
            expect("refused", public="login", poc="forbidden", other_poc="forbidden"),
            {"data": {**INCIDENT_REFUSED_BY_DATA, "states": "XXX"}},
        ),
        Case("GET", "/activities", "/activities", expect(200)),
        Case(
            "POST",
            "/activities",
            "/activities",
            expect("refused", public="login", poc="forbidden", other_poc="forbidden"),
            {"data": ACTIVITY_REFUSED_BY_DATA},
        ),
        # Administrators' accounts pages (docs/accounts.md); the refused are sent to /account.
        Case("GET", "/admin/accounts", "/admin/accounts", expect(403, public=303, admin=200)),
        Case(
            "GET",
            "/admin/accounts/{account_id}",
            f"/admin/accounts/{world.quiet_account}",
            expect(403, public=303, admin=200),
        ),
        Case(
            "POST",
            "/admin/accounts",
            "/admin/accounts",
            expect("forbidden", public="login", admin="refused"),
            {"data": {"email": "not an e-mail", "role": "expert"}},
        ),
        Case(
            "POST",
            "/admin/accounts/{account_id}/role",
            f"/admin/accounts/{world.quiet_account}/role",
            expect("forbidden", public="login", admin="refused"),
            {"data": {"role": "king"}},
        ),
        Case(
            "POST",
            "/admin/accounts/{account_id}/active",
            f"/admin/accounts/{world.quiet_account}/active",
            expect("forbidden", public="login", admin="done"),  # enabling an active account
            {"data": {"active": "1"}},
        ),
        Case(
            "POST",
            "/admin/accounts/{account_id}/sign-out",
            f"/admin/accounts/{world.quiet_account}/sign-out",
            expect("forbidden", public="login", admin="done"),
        ),
        Case(
            "POST",
            "/admin/accounts/{account_id}/reset-link",
            f"/admin/accounts/{world.quiet_account}/reset-link",
            expect("forbidden", public="login", admin="refused"),  # no e-mail server here
        ),
        Case(
            "POST",
            "/account/language",
            "/account/language",
            expect("refused", public="login"),
            {"data": {"language": "xx"}},
        ),
        # Forgotten passwords: for everyone; the answer never says whether an account exists.
        Case("GET", "/password/forgot", "/password/forgot", expect(200)),
        Case(
            "POST",
            "/password/forgot",
            "/password/forgot",
            expect(422),  # not an e-mail address: refused before anything is counted
            {"data": {"email": "nobody"}},
        ),
        Case(
            "GET",
            "/password/reset/{token}",
            f"/password/reset/{world.reset_token}",
            expect(200),
        ),
        Case(
            "POST",
            "/password/reset/{token}",
            "/password/reset/not-a-link",
            expect(404),
            {"data": {"new_password": "x" * 12, "repeat_password": "x" * 12}},
        ),
        Case("POST", "/logout", "/logout", expect(303)),  # last: it ends the session
    ]
    cases[-1:-1] = action_plan_portal_cases(world)  # before the last: /logout ends the session
    cases[-1:-1] = commitment_portal_cases(world)
    return cases


def app_routes(world: World) -> set[tuple[str, str]]:
    """Every (method, path) the app answers, however its routers are nested."""
    found: set[tuple[str, str]] = set()
    for route in create_app(world.app_settings(), engine=world.engine).routes:
        contexts = (
            route.effective_route_contexts()
            if hasattr(route, "effective_route_contexts")
            else [route]
        )
        for context in contexts:
            for method in getattr(context, "methods", None) or ():
                if method != "HEAD":
                    found.add((method, context.path))
    return found


@pytest.fixture(scope="module")
def world(
    database_factory: DatabaseFactory,
    tmp_path_factory: pytest.TempPathFactory,
    evidence_model_dir: Path,
) -> Iterator[World]:
    engine = database_factory.create(demo=False)
    built = build_world(engine, tmp_path_factory.mktemp("files"))
    yield built
    engine.dispose()


def _refusal(page: str) -> str:
    message = page.split("flash-error", 1)[1].split("</p>", 1)[0]
    # The refusal's own words, without its problems in parentheses at the end: a problem names
    # its field by the form's label ("Who may see the request: ..."), which may say "may" too.
    own = re.sub(r" \((?:[^()]|\([^()]*\))*: (?:[^()]|\([^()]*\))*\)$", "", message)
    return "forbidden" if " may " in own else "refused"


def portal_outcome(client: TestClient, response: Any) -> int | str:
    if response.status_code in (403, 409, 422) and (
        'id="cell-error"' in response.text
        or 'id="treaty-error"' in response.text
        or 'id="form-errors"' in response.text  # the clearinghouse's request and offer forms
    ):
        return _refusal(response.text)  # the cell or treaty form, shown again with its refusal
    if response.status_code != 303 or (
        response.request.url.path in ("/logout", "/login") and response.request.method == "GET"
    ):
        return int(response.status_code)
    location = response.headers["location"]
    if location.startswith("/login"):
        return "login"
    page = client.get(location).text
    if "flash-error" in page:
        return _refusal(page)
    return "done" if "flash-info" in page else 303


def test_every_route_is_in_the_table(world: World) -> None:
    covered = {
        (case.method, case.route) for case in api_cases(world) + portal_cases(world, "0" * 64)
    }
    assert app_routes(world) - covered == set(), "routes missing from the authorisation table"
    assert covered - app_routes(world) == set(), "the table names routes the app does not have"


@pytest.mark.parametrize("role", ROLES)
def test_api_access(world: World, role: str) -> None:
    client = api_client(world, role)
    wrong = []
    for case in api_cases(world):
        response = client.request(case.method, case.url, **case.kwargs)
        if response.status_code != case.expected[role]:
            wrong.append(
                f"{case.method} {case.url}: {response.status_code}, expected {case.expected[role]}"
            )
    assert wrong == []


@pytest.mark.parametrize("role", ROLES)
def test_portal_access(world: World, role: str) -> None:
    bad = b"iso3,cell,mark\nZZZ,nothing,Q\n"
    digest = hashlib.sha256(bad).hexdigest()
    (Path(world.files_dir) / "imports").mkdir(parents=True, exist_ok=True)
    (Path(world.files_dir) / "imports" / digest).write_bytes(bad)
    client = portal_client(world, role)
    wrong = []
    # The form's token is the session's (or the visitor's cookie one): it changes only with the
    # cookies, so a page is asked for it again only when they changed (not before every POST).
    token: tuple[dict[str, str], str] = ({}, "")
    for case in portal_cases(world, digest):
        kwargs = dict(case.kwargs)
        if case.method == "POST":
            if token[0] != dict(client.cookies) or not token[1]:
                page = client.get("/login" if role == "public" else "/account").text
                token = (dict(client.cookies), csrf_of(page))
            kwargs["data"] = {**kwargs.get("data", {}), "csrf_token": token[1]}
        response = client.request(case.method, case.url, **kwargs)
        outcome = (
            portal_outcome(client, response) if case.method == "POST" else response.status_code
        )
        if outcome != case.expected[role]:
            wrong.append(f"{case.method} {case.url}: {outcome}, expected {case.expected[role]}")
    assert wrong == []
