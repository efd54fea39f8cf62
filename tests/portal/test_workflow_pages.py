"""The workflow in the portal: signing in, forms with CSRF tokens, each role's part, messages."""

from __future__ import annotations

import html
import re
from dataclasses import dataclass

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session, sessionmaker

from tests.conftest import settings_for
from tests.factories import PASSWORD, make_user, waive_evidence_rules
from un1540.models import FundingEntry
from un1540.services.accounts.reads import find_user, viewer_for
from un1540.services.matrix.actions.cells import update_cell
from un1540.services.matrix.actions.editions import agree_edition, open_draft, share_edition
from un1540.services.matrix.inputs import CellChange
from un1540.web.app import create_app

CELL = "op2.transfer:cw:enforcement"


@dataclass(frozen=True)
class Portal:
    """The empty database, and the sessions joined to the test's rolled-back connection."""

    engine: Engine
    sessions: sessionmaker[Session]


@pytest.fixture
def portal(empty_engine: Engine, empty_sessions: sessionmaker[Session]) -> Portal:
    with empty_sessions() as session, session.begin():
        make_user(session, role="expert", email="expert@example.org")
        make_user(session, role="committee", email="chair@example.org")
        make_user(session, role="state_poc", email="poc@example.org", iso3="GHA")
    return Portal(empty_engine, empty_sessions)


def browser(portal: Portal) -> TestClient:
    """A client with its own cookie jar, like one person's browser."""
    app = create_app(settings_for(portal.engine), engine=portal.engine, sessions=portal.sessions)
    return TestClient(app, follow_redirects=True)


def csrf(html: str) -> str:
    match = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert match, "no CSRF field on the page"
    return match.group(1)


def sign_in(client: TestClient, email: str) -> None:
    page = client.get("/login")
    response = client.post(
        "/login", data={"email": email, "password": PASSWORD, "csrf_token": csrf(page.text)}
    )
    assert response.status_code == 200, response.text[:300]
    assert f"Signed in as {email}" in response.text


def post_form(client: TestClient, page_path: str, action: str, data: dict[str, str]) -> str:
    page = client.get(page_path)
    response = client.post(action, data={"csrf_token": csrf(page.text), **data})
    assert response.status_code == 200, response.text[:500]
    return response.text


def post_refused(client: TestClient, path: str, data: dict[str, str], status: int) -> str:
    """Post the form on `path` to itself, expecting it back with the refusal and `status`."""
    page = client.get(path)
    response = client.post(path, data={"csrf_token": csrf(page.text), **data})
    assert response.status_code == status, response.text[:500]
    return response.text


def test_sign_in_failures_and_throttle(portal: Portal) -> None:
    client = browser(portal)
    page = client.get("/login")
    assert 'autocomplete="current-password"' in page.text
    wrong = client.post(
        "/login",
        data={"email": "expert@example.org", "password": "not it", "csrf_token": csrf(page.text)},
    )
    assert wrong.status_code == 401
    assert "not right" in wrong.text
    for _ in range(4):
        client.post(
            "/login",
            data={"email": "expert@example.org", "password": "no", "csrf_token": csrf(page.text)},
        )
    locked = client.post(
        "/login",
        data={"email": "expert@example.org", "password": PASSWORD, "csrf_token": csrf(page.text)},
    )
    assert locked.status_code == 429
    assert "Too many failed attempts" in locked.text


def test_forms_without_the_csrf_token_are_refused(portal: Portal) -> None:
    client = browser(portal)
    sign_in(client, "expert@example.org")
    response = client.post("/states/GHA/editions", data={"reason": "x"})
    assert response.status_code == 403
    assert "form has expired" in response.text
    foreign = client.post("/states/GHA/editions", data={"reason": "x", "csrf_token": "made-up"})
    assert foreign.status_code == 403


def test_the_whole_workflow_in_the_portal(portal: Portal) -> None:
    expert, poc, chair, public = browser(portal), browser(portal), browser(portal), browser(portal)
    sign_in(expert, "expert@example.org")
    page = post_form(expert, "/states/GHA", "/states/GHA/editions", {"reason": "first matrix"})
    assert "Draft edition 1 opened" in page
    workspace = "/states/GHA/editions/1"
    cell_path = f"{workspace}/cells/{CELL}"
    cell_page = expert.get(cell_path).text
    version = re.search(r'name="version" value="(\d+)"', cell_page)
    assert version
    saved = post_form(
        expert,
        cell_path,
        cell_path,
        {
            "mark": "X",
            "remark": "Customs Act s. 40",
            "version": version.group(1),
            "reason": "new act",
        },
    )
    assert "Cell saved." in saved
    stale = post_refused(
        expert, cell_path, {"mark": "?", "remark": "old", "version": version.group(1)}, 409
    )
    assert "changed by someone else" in stale
    assert ">old</textarea>" in stale  # the form keeps what was typed

    assert poc.get(workspace).status_code in (200, 404)
    sign_in(poc, "poc@example.org")
    assert poc.get(workspace).status_code == 404  # not shared yet
    assert "Shared with the State" in post_form(
        expert, workspace, f"{workspace}/share", {"reason": ""}
    )
    assert "Edition 1" in poc.get("/states/GHA").text
    assert "Comment added." in post_form(
        poc, cell_path, f"{cell_path}/comments", {"body": "Also s. 41."}
    )
    assert "Change proposed" in post_form(
        poc,
        cell_path,
        f"{cell_path}/proposals",
        {"mark": "X", "remark": "Customs Act s. 40-41", "reason": "both apply"},
    )
    sign_in(chair, "chair@example.org")
    refused = post_form(chair, workspace, f"{workspace}/approve", {"reason": ""})
    assert "await a decision" in refused
    proposal = re.search(r"/proposals/(\d+)/decision", expert.get(cell_path).text)
    assert proposal
    accepted = post_form(
        expert,
        cell_path,
        f"{workspace}/proposals/{proposal.group(1)}/decision",
        {"decision": "accept", "note": "", "back": cell_path},
    )
    assert "accepted" in accepted
    assert "Customs Act s. 40-41" in accepted
    assert "Agreement recorded." in post_form(poc, workspace, f"{workspace}/agree", {"reason": ""})
    # The X cites no document: approval lists the cell until it is fixed or the rule waived.
    refused = post_form(chair, workspace, f"{workspace}/approve", {"reason": "meeting 121"})
    assert f"1 cell(s) break the evidence rules: {CELL} (x_requires_evidence)" in refused
    assert f'action="{workspace}/cells/{CELL}/waivers"' in refused
    no_reason = post_form(
        chair,
        workspace,
        f"{workspace}/cells/{CELL}/waivers",
        {"rule": "x_requires_evidence", "reason": " "},
    )
    assert "the rule was not waived (reason: is empty" in no_reason
    waived = post_form(
        chair,
        workspace,
        f"{workspace}/cells/{CELL}/waivers",
        {"rule": "x_requires_evidence", "reason": "the Act is quoted in the remark"},
    )
    assert f"Rule waived for cell {CELL}." in waived
    assert "“the Act is quoted in the remark”" in waived
    approved = post_form(chair, workspace, f"{workspace}/approve", {"reason": "meeting 121"})
    assert "Approved and published" in approved
    assert 'id="approval-basis"' in approved
    assert "the State agreed" in approved
    assert "Customs Act s. 40-41" in public.get("/states/GHA").text
    history = public.get(f"/states/GHA/cells/{CELL}").text
    assert "Customs Act s. 40-41" in history
    assert "Every recorded change" not in history  # the audit trail is not public
    assert "Every recorded change" in poc.get(f"/states/GHA/cells/{CELL}").text


def test_an_over_long_cell_field_is_a_named_error_never_cut(portal: Portal) -> None:
    """The cell form goes through the API's CellUpdate: a field too long is refused by name."""
    expert = browser(portal)
    sign_in(expert, "expert@example.org")
    post_form(expert, "/states/GHA", "/states/GHA/editions", {"reason": ""})
    cell_path = f"/states/GHA/editions/1/cells/{CELL}"
    version = re.search(r'name="version" value="(\d+)"', expert.get(cell_path).text)
    assert version
    too_long = post_refused(
        expert, cell_path, {"mark": "X", "remark": "r" * 10001, "version": version[1]}, 422
    )
    assert "Cell saved." not in too_long
    # The field by its label on the form (web/portal/messages.py).
    assert "Remark: is longer than 10,000 characters (10,001)" in too_long
    long_page = post_refused(
        expert,
        cell_path,
        {
            "mark": "X",
            "remark": "fits",
            "version": version[1],
            "evidence-0-document": "1",
            "evidence-0-page": "p" * 41,
        },
        422,
    )
    # A path named in words (where_label): the evidence counted from 1, then its field.
    assert "Evidence 1, Page: is longer than 40 characters (41)" in long_page
    assert 'value="' + "p" * 41 + '"' in long_page  # kept in the form, never cut
    cell = expert.get(f"/api/v1/states/GHA/editions/1/cells/{CELL}").json()
    assert (cell["mark"], cell["remark"], cell["version"]) == ("", "", int(version[1]))


def _draft_with(portal: Portal, remark: str) -> None:
    """GHA's draft 1 with CELL marked X and `remark` (version 2), written by the expert."""
    with portal.sessions() as session, session.begin():
        viewer = viewer_for(find_user(session, "expert@example.org"))
        open_draft(session, viewer=viewer, iso3="GHA")
        change = CellChange(mark="X", remark=remark, version=1)
        update_cell(session, viewer=viewer, iso3="GHA", number=1, cell_key=CELL, change=change)


def test_a_stale_edit_with_a_long_remark_comes_back_in_the_form_not_the_cookie(
    portal: Portal,
) -> None:
    """A 409 used to flash the whole remark into the signed session cookie: past 4 KB browsers
    drop the cookie, and the expert's text was lost without a word."""
    _draft_with(portal, "first")
    expert = browser(portal)
    sign_in(expert, "expert@example.org")
    cell_path = f"/states/GHA/editions/1/cells/{CELL}"
    remark = "Customs Act, s. 40: " + "long explanation " * 500  # 8,520 characters
    page = expert.get(cell_path)
    response = expert.post(
        cell_path,
        data={"csrf_token": csrf(page.text), "mark": "?", "remark": remark, "version": "1"},
    )
    assert response.status_code == 409
    assert "changed by someone else" in response.text
    assert f">{remark}</textarea>" in response.text
    assert 'name="version" value="2"' in response.text  # saving again applies it knowingly
    cookie = response.headers.get("set-cookie", "")
    assert len(cookie) < 4096, f"the session cookie grew to {len(cookie)} bytes"
    again = expert.post(
        cell_path,
        data={"csrf_token": csrf(response.text), "mark": "?", "remark": remark, "version": "2"},
    )
    assert "Cell saved." in again.text
    assert expert.get(f"/api/v1/states/GHA/editions/1/cells/{CELL}").json()["remark"] == remark


def test_a_control_character_in_a_portal_form_is_a_named_error_and_nothing_is_written(
    portal: Portal,
) -> None:
    _draft_with(portal, "")
    expert = browser(portal)
    sign_in(expert, "expert@example.org")
    cell_path = f"/states/GHA/editions/1/cells/{CELL}"
    refused = post_refused(
        expert, cell_path, {"mark": "?", "remark": "Act\x00 12", "version": "2"}, 422
    )
    assert 'name="mark" value="?" checked' in refused  # what was chosen is kept
    assert "Remark: contains the control character U+0000 (NUL) at character 4" in refused
    comment = post_form(expert, cell_path, f"{cell_path}/comments", {"body": "see page\x0b2 \x1b"})
    # Each field by its label on the form (web/portal/messages.py).
    assert "Add a comment: contains the control character U+001B (ESC)" in comment
    assert "Comment added." not in comment
    cell = expert.get(f"/api/v1/states/GHA/editions/1/cells/{CELL}").json()
    assert (cell["mark"], cell["remark"], cell["version"]) == ("X", "", 2)


def test_approval_warns_about_remarks_that_start_like_a_formula(portal: Portal) -> None:
    formula = '=HYPERLINK("http://evil.example","details")'
    _draft_with(portal, formula)
    with portal.sessions() as session, session.begin():
        expert = viewer_for(find_user(session, "expert@example.org"))
        share_edition(session, viewer=expert, iso3="GHA", number=1)
        poc = viewer_for(find_user(session, "poc@example.org"))
        agree_edition(session, viewer=poc, iso3="GHA", number=1)
    chair = browser(portal)
    sign_in(chair, "chair@example.org")
    workspace = "/states/GHA/editions/1"
    page = chair.get(workspace).text
    assert 'id="formula-remarks"' in page
    # the cell by its field, weapon and column, not its key (session 27: the key ran off phones)
    from un1540.web.portal.labels import cell_name

    assert f'{workspace}/cells/{CELL}">{html.escape(cell_name(CELL))}</a>' in page
    with portal.sessions() as session, session.begin():
        chair_viewer = viewer_for(find_user(session, "chair@example.org"))
        waive_evidence_rules(session, viewer=chair_viewer, iso3="GHA", number=1)
    approved = chair.post(f"{workspace}/approve", data={"csrf_token": csrf(page), "reason": ""})
    assert "Approved and published" in approved.text  # a warning, not a refusal
    assert (
        f"1 remark(s) start like a spreadsheet formula (=, +, -, @ or a tab): {CELL}"
        in approved.text
    )


def test_signing_out(portal: Portal) -> None:
    client = browser(portal)
    sign_in(client, "poc@example.org")
    assert "poc@example.org" in client.get("/account").text
    home = client.get("/")
    client.post("/logout", data={"csrf_token": csrf(home.text)})
    assert "Sign in" in client.get("/").text
    assert client.get("/account").url.path == "/login"


def test_changing_the_password_ends_other_sessions(portal: Portal) -> None:
    laptop, phone = browser(portal), browser(portal)
    sign_in(laptop, "expert@example.org")
    sign_in(phone, "expert@example.org")
    changed = post_form(
        laptop,
        "/account",
        "/account/password",
        {
            "current_password": PASSWORD,
            "new_password": "a brand new password",
            "repeat_password": "a brand new password",
        },
    )
    assert "Password changed" in changed
    assert "expert@example.org" in laptop.get("/account").text
    assert phone.get("/account").url.path == "/login"


def test_registering_a_national_report_in_the_portal(portal: Portal, tmp_path: object) -> None:
    client = browser(portal)
    sign_in(client, "poc@example.org")
    page = client.get("/states/GHA/documents")
    assert "Register a document" in page.text
    response = client.post(
        "/states/GHA/documents",
        data={
            "csrf_token": csrf(page.text),
            "kind": "national_report",
            "title": "Report of Ghana",
            "language": "en",
            "issued_on": "2006-02-01",
            "visibility": "public",
        },
        files={"file": ("report.pdf", b"%PDF-1.4 ...", "application/pdf")},
    )
    assert "Registered" in response.text
    assert "Report of Ghana" in browser(portal).get("/states/GHA").text
    bad = client.post(
        "/states/GHA/documents",
        data={
            "csrf_token": csrf(page.text),
            "kind": "national_report",
            "title": "Empty",
            "language": "en",
        },
        files={"file": ("empty.pdf", b"", "application/pdf")},
    )
    assert "is empty" in bad.text


def test_a_donor_records_a_pledge_in_the_portal(portal: Portal) -> None:
    with portal.sessions() as session, session.begin():
        make_user(session, role="provider", email="donor@example.org", org="eu")
    client = browser(portal)
    sign_in(client, "donor@example.org")
    page = client.get("/funding").text
    token = csrf(page)
    bad = client.post(
        "/funding",
        data={"csrf_token": token, "kind": "pledge", "amount": "lots", "currency": "EUR"},
    ).text
    assert "the funding entry is not valid" in bad
    assert "&#39;lots&#39; is not a number" in bad
    done = client.post(
        "/funding",
        data={"csrf_token": token, "kind": "pledge", "amount": "150,000", "currency": "eur"},
    ).text
    assert "Funding recorded." in done
    assert "European Union" in done
    assert "150,000" in done
    # The form offers the regions and matrix areas by name, and reports every bad entry at once.
    assert '<option value="african">African Group</option>' in page
    assert 'value="op3cd.transit"' in page
    wrong = client.post(
        "/funding",
        data={
            "csrf_token": token,
            "kind": "contribution",
            "amount": "x",
            "currency": "EUR",
            "made_on": "31/12/2026",
            "project_id": "seven",
        },
    ).text
    for message in ("is not a number", "is not a date (YYYY-MM-DD)", "is not a project number"):
        assert message in wrong
    unknown = client.post(
        "/funding",
        data={
            "csrf_token": token,
            "kind": "pledge",
            "amount": "10",
            "currency": "EUR",
            "project_id": "999",
        },
    ).text
    assert "no project 999" in unknown
    earmarked = client.post(
        "/funding",
        data={
            "csrf_token": token,
            "kind": "contribution",
            "amount": "2500",
            "currency": "EUR",
            "made_on": "2026-11-02",
            "earmark_region": "african",
            "earmark_area": "op3cd.transit",
        },
    ).text

    assert "Funding recorded." in earmarked
    assert "<td>2026-11-02</td>" in earmarked
    assert "african, op3cd.transit" in earmarked
    with portal.sessions() as session:
        entries = session.scalars(select(FundingEntry).order_by(FundingEntry.id)).all()
        assert [(e.kind, e.amount, e.earmark_area) for e in entries] == [
            ("pledge", 150000.0, ""),
            ("contribution", 2500.0, "op3cd.transit"),
        ]
    project = _a_project_the_donor_can_see(portal)
    listed = client.post(
        "/funding",
        data={
            "csrf_token": token,
            "kind": "pledge",
            "amount": "900",
            "currency": "EUR",
            "earmark_region": "africa",
            "project_id": str(project),
        },
    ).text
    assert f'<option value="{project}">' in listed
    assert f'africa, <a href="/assistance/projects/{project}">project {project}</a>' in listed


def _a_project_the_donor_can_see(portal: Portal) -> int:
    """A project on a circulated public request, which every provider may see."""
    from un1540.schemas.assistance import (
        AssistanceOfferCreate,
        AssistanceProjectCreate,
        AssistanceRequestCreate,
        JudgementCreate,
    )
    from un1540.services.assistance.actions.judgements import record_judgement
    from un1540.services.assistance.actions.offers import create_offer
    from un1540.services.assistance.actions.projects import open_project
    from un1540.services.assistance.actions.requests import submit_request, transition_request

    with portal.sessions() as session, session.begin():
        poc = make_user(session, role="state_poc", iso3="TCD")
        expert = make_user(session, role="expert")
        provider = make_user(session, role="provider", org="opcw")
        item = {
            "description": "Customs training",
            "fields": ["op3cd.transit"],
            "weapons": ["cw"],
            "help_types": ["training"],
        }
        request = submit_request(
            session,
            viewer=poc,
            data=AssistanceRequestCreate(title="Transit controls", consent="public", items=[item]),
        )
        for status in ("authenticated", "acknowledged", "circulated"):
            transition_request(session, viewer=expert, request_id=request.id, to=status)
        offer = create_offer(
            session,
            viewer=provider,
            data=AssistanceOfferCreate(
                title="Customs course",
                fields=["op3cd.transit"],
                weapons=["cw"],
                help_types=["training"],
                capacity=1,
            ),
        )
        pair = {"item_id": request.items[0].id, "offer_id": offer.id}
        record_judgement(session, viewer=expert, data=JudgementCreate(**pair, verdict="accept"))
        return open_project(session, viewer=expert, data=AssistanceProjectCreate(**pair)).id


def test_waiving_every_open_break_with_one_reason(portal: Portal) -> None:
    """A draft with several breaks offers one form that waives them all (confirmed first), each
    cell keeping its own waiver."""
    expert = browser(portal)
    sign_in(expert, "expert@example.org")
    post_form(expert, "/states/GHA", "/states/GHA/editions", {"reason": ""})
    workspace = "/states/GHA/editions/1"
    for cell in (CELL, "op2.use:nw:legal_framework"):
        path = f"{workspace}/cells/{cell}"
        version = re.search(r'name="version" value="(\d+)"', expert.get(path).text)
        assert version
        post_form(expert, path, path, {"mark": "X", "remark": "orally", "version": version[1]})
    page = expert.get(workspace).text
    assert 'id="waive-all"' in page
    assert "data-confirm=" in page
    assert "Waive all 2 cells not yet waived, with one reason" in page
    empty = post_form(expert, workspace, f"{workspace}/waivers", {"reason": ""})
    assert "the rule was not waived (reason: is empty" in empty
    done = post_form(
        expert, workspace, f"{workspace}/waivers", {"reason": "recorded before the rules"}
    )
    assert "Evidence rules waived for 2 cell(s)." in done
    assert done.count("“recorded before the rules”") == 2
    assert 'id="waive-all"' not in done
