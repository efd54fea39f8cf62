"""`un1540 contacts stale`: lists the stale points of contact; with --remind the States are
reminded (notification and e-mail), once per stale spell, on the day the test gives."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from tests.conftest import DatabaseFactory, Inbox
from tests.factories import make_user
from un1540.cli import app
from un1540.db.engine import make_session_factory
from un1540.schemas.contacts import ContactCreate
from un1540.services.contacts.actions import create_contact
from un1540.settings import get_settings


@pytest.fixture
def run(monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[..., Result]]:
    """The command in this process (a new interpreter per run costs seconds), with its
    settings from the environment as a shell would give them."""

    def invoke(*args: str, database: Path, port: int) -> Result:
        monkeypatch.setenv("UN1540_DATABASE_URL", f"sqlite:///{database}")
        monkeypatch.setenv("UN1540_SMTP_HOST", "127.0.0.1")
        monkeypatch.setenv("UN1540_SMTP_PORT", str(port))
        monkeypatch.setenv("UN1540_CONTACT_STALE_MONTHS", "6")
        get_settings.cache_clear()
        return CliRunner().invoke(app, list(args), env={"COLUMNS": "200"})

    yield invoke
    get_settings.cache_clear()


def test_stale_contacts_are_listed_and_their_states_reminded_once(
    tmp_path: Path, inbox: tuple[Inbox, int], run: Callable[..., Result]
) -> None:
    engine = DatabaseFactory("sqlite", None, tmp_path).create(demo=False)
    with make_session_factory(engine)() as session, session.begin():
        expert = make_user(session, role="expert", email="expert@example.org")
        make_user(session, role="state_poc", email="poc@example.org", iso3="TCD")
        make_user(session, role="state_poc", email="other@example.org", iso3="NER")
        create_contact(
            session,
            viewer=expert,
            data=ContactCreate(
                state="TCD",
                name="Amina Example",
                role="capital",
                designated_on=date(2024, 1, 10),
            ),
            on=date(2024, 1, 10),
        )
    engine.dispose()
    database = tmp_path / "test-1.sqlite3"
    received, port = inbox
    fresh = run("contacts", "stale", "--on", "2024-07-09", "--remind", database=database, port=port)
    assert fresh.exit_code == 0, fresh.output
    assert "0 stale point(s) of contact (not confirmed for 6 months)." in fresh.stdout
    assert "0 stale point(s) of contact reminded about." in fresh.stdout
    listed = run("contacts", "stale", "--on", "2024-07-10", database=database, port=port)
    assert "Amina Example" in listed.stdout, listed.stdout
    assert "TCD" in listed.stdout
    assert "1 stale point(s) of contact" in listed.stdout
    assert received.messages == []  # listing reminds nobody
    for expected in (1, 0):  # once per stale spell
        reminded = run(
            "contacts", "stale", "--on", "2024-08-01", "--remind", database=database, port=port
        )
        assert f"{expected} stale point(s) of contact reminded about." in reminded.stdout, (
            reminded.output
        )
    subjects = [" ".join(str(m["Subject"]).split()) for m in received.to("poc@example.org")]
    assert subjects == ["[un1540] Please confirm your point of contact Amina Example (Chad)"]
    assert received.to("other@example.org") == []
    bad = run("contacts", "stale", "--on", "2024-13-01", database=database, port=port)
    assert bad.exit_code != 0
    assert "--on" in str(bad.exception)
