"""A read-scoped API token reads and never writes: every write route of the API, found in the
application itself (not listed by hand), answers it 403 before doing anything."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tests.factories import make_user
from un1540.models import AuditEvent, Notification
from un1540.services.accounts.actions import issue_token
from un1540.services.accounts.reads import find_user
from un1540.web.auth import SAFE_METHODS

VALUES = {
    "iso3": "FRA",
    "cell": "op1.npt:any:adherence",
    "email": "reader@example.org",
    "suggestion_id": "op1.npt",
}


def write_routes(client: TestClient) -> list[tuple[str, str]]:
    """(method, path) of every API route that is not a read, however routers are nested."""
    found = set()
    for route in client.app.routes:  # type: ignore[attr-defined]
        contexts = (
            route.effective_route_contexts()
            if hasattr(route, "effective_route_contexts")
            else [route]
        )
        for context in contexts:
            path = getattr(context, "path", "")
            for method in getattr(context, "methods", None) or ():
                if method not in SAFE_METHODS and path.startswith("/api/"):
                    found.add((method, path))
    return sorted(found)


def test_a_read_token_can_do_no_write(client: TestClient, session: Session) -> None:
    """Old behaviour: marking a notification read worked with a read token (its route asked the
    viewer only for a CSRF check; the scope was checked by some rules and not others)."""
    make_user(session, role="admin", email="reader@example.org")
    _, read = issue_token(session, email="reader@example.org", scope="read", actor="t")
    notification = Notification(
        user_id=find_user(session, "reader@example.org").id,
        kind="match",
        entity_type="assistance_request",
        entity_id=1,
    )
    session.add(notification)
    session.commit()
    values = {**VALUES, "notification_id": str(notification.id)}
    headers = {"Authorization": f"Bearer {read}"}
    assert client.get("/api/v1/me", headers=headers).json()["token_scope"] == "read"
    events = session.scalar(select(func.count()).select_from(AuditEvent))
    routes = write_routes(client)
    assert len(routes) >= 20  # the API's writes: editions, cells, documents, assistance, ...
    wrong = []
    for method, path in routes:
        url = re.sub(r"\{(\w+)[^}]*\}", lambda m: values.get(m.group(1), "1"), path)
        response = client.request(method, url, headers=headers, json={})
        if response.status_code != 403 or "read-only" not in response.text:
            wrong.append(f"{method} {url}: {response.status_code} {response.text[:120]}")
    assert wrong == []
    assert session.scalar(select(func.count()).select_from(AuditEvent)) == events
    session.refresh(notification)
    assert notification.read_at is None
