"""The portal's forms start at the most restrictive choice, and widening who may see a request or
a document asks for confirmation on a page of its own before anything is written."""

from __future__ import annotations

import re

from sqlalchemy import select

from tests.portal.test_workflow_pages import Portal, browser, csrf, portal, sign_in
from un1540.models import AssistanceRequest, AuditEvent, Document, Visibility

__all__ = ["portal"]  # the fixture, shared with the workflow pages

PDF = b"%PDF-1.4\n%%EOF\n"


def _selected(html: str, select_id: str) -> str:
    element = html.split(f'id="{select_id}"', 1)[1].split("</select>", 1)[0]
    match = re.search(r'<option value="([^"]*)" selected', element)
    assert match, f"nothing selected in {select_id}"
    return match.group(1)


def test_a_request_is_filed_for_the_committee_unless_widened_with_confirmation(
    portal: Portal,
) -> None:
    client = browser(portal)
    sign_in(client, "poc@example.org")
    form = client.get("/assistance/requests/new").text
    assert _selected(form, "consent") == "committee"
    filed = client.post(
        "/assistance/requests",
        data={
            "csrf_token": csrf(form),
            "title": "Export controls",
            "description": "Advice on a control list",
            "item-0-help_type": "regulatory_advice",
        },  # no consent sent: the most restrictive
    )
    assert "filed" in filed.text
    request_id = int(str(filed.url).rsplit("/", 1)[1])
    assert _selected(filed.text, "consent") == "committee"
    asked = client.post(
        f"/assistance/requests/{request_id}/consent",
        data={"csrf_token": csrf(filed.text), "consent": "public", "revision": "1"},
    )
    assert asked.status_code == 200
    assert 'id="confirm-form"' in asked.text
    assert "Committee only" in asked.text
    with portal.sessions() as session:
        record = session.get(AssistanceRequest, request_id)
        assert record is not None
        assert record.consent == "committee"  # nothing written before the confirmation
    in_french = client.post(
        f"/assistance/requests/{request_id}/consent?lang=fr",
        data={"csrf_token": csrf(filed.text), "consent": "public", "revision": "1"},
    )
    assert "Élargir qui peut le voir ?" in in_french.text
    confirmed = client.post(
        f"/assistance/requests/{request_id}/consent?lang=en",
        data={
            "csrf_token": csrf(asked.text),
            "consent": "public",
            "revision": "1",
            "reason": "agreed",
            "confirm": "1",
        },
    )
    assert "Who may see the request: Public." in confirmed.text
    with portal.sessions() as session:
        record = session.get(AssistanceRequest, request_id)
        assert record is not None
        assert record.consent == "public"
        event = session.scalars(
            select(AuditEvent).where(AuditEvent.action == "assistance_request.widen_consent")
        ).one()
        assert (event.before, event.after, event.reason) == (
            {"consent": "committee"},
            {"consent": "public"},
            "agreed",
        )


def test_an_uploaded_document_is_for_the_state_and_the_committee_until_widened(
    portal: Portal,
) -> None:
    client = browser(portal)
    sign_in(client, "poc@example.org")
    page = client.get("/states/GHA/documents").text
    assert _selected(page, "visibility") == Visibility.owning_state_and_committee.value
    registered = client.post(
        "/states/GHA/documents",
        data={
            "csrf_token": csrf(page),
            "kind": "action_plan",
            "title": "Draft action plan",
            "language": "en",
        },  # no visibility sent: the State and the Committee
        files={"file": ("plan.pdf", PDF, "application/pdf")},
    )
    assert "Registered" in registered.text
    assert "Draft action plan" not in browser(portal).get("/states/GHA/documents").text
    with portal.sessions() as session:
        document = session.scalars(select(Document).where(Document.title == "Draft action plan"))
        document_id = document.one().id
    action = f"/states/GHA/documents/{document_id}/visibility"
    asked = client.post(action, data={"csrf_token": csrf(registered.text), "visibility": "public"})
    assert 'id="confirm-form"' in asked.text
    assert "Draft action plan" not in browser(portal).get("/states/GHA/documents").text
    done = client.post(
        action, data={"csrf_token": csrf(asked.text), "visibility": "public", "confirm": "1"}
    )
    assert "everyone" in done.text
    assert "Draft action plan" in browser(portal).get("/states/GHA/documents").text
