"""`un1540 notify reminders`: the State's review period, reminded by a daily timer."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import date, timedelta
from pathlib import Path

import pytest

from tests.conftest import DatabaseFactory, Inbox
from tests.factories import make_user
from un1540.db.engine import make_session_factory
from un1540.services.matrix.actions.editions import open_draft, share_edition


def run(*args: str, database: Path, port: int) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "UN1540_DATABASE_URL": f"sqlite:///{database}",
        "UN1540_SMTP_HOST": "127.0.0.1",
        "UN1540_SMTP_PORT": str(port),
        "UN1540_REVIEW_REMINDER_DAYS": "10",
    }
    return subprocess.run(
        [sys.executable, "-m", "un1540", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=180,
        check=False,
    )


@pytest.fixture
def shared(tmp_path: Path) -> tuple[Path, date]:
    """A database where Chad's draft 1 is shared with its point of contact; its deadline."""
    engine = DatabaseFactory("sqlite", None, tmp_path).create(demo=False)
    with make_session_factory(engine)() as session, session.begin():
        expert = make_user(session, role="expert", email="expert@example.org")
        make_user(session, role="state_poc", email="poc@example.org", iso3="TCD")
        make_user(session, role="state_poc", email="other@example.org", iso3="NER")
        draft = open_draft(session, viewer=expert, iso3="TCD")
        share_edition(session, viewer=expert, iso3="TCD", number=draft.number, review_days=30)
        due = draft.response_due_on
    engine.dispose()
    assert due is not None
    return tmp_path / "test-1.sqlite3", due


def test_reminders_are_sent_once_before_and_once_after_the_deadline(
    shared: tuple[Path, date], inbox: tuple[Inbox, int]
) -> None:
    database, due = shared
    received, port = inbox
    early = run(
        "notify", "reminders", "--on", str(due - timedelta(days=11)), database=database, port=port
    )
    assert early.returncode == 0, early.stderr
    assert "0 edition(s) reminded about." in early.stdout
    soon = run(
        "notify", "reminders", "--on", str(due - timedelta(days=10)), database=database, port=port
    )
    assert "1 edition(s) reminded about." in soon.stdout, soon.stderr
    late = run(
        "notify", "reminders", "--on", str(due + timedelta(days=1)), database=database, port=port
    )
    assert "1 edition(s) reminded about." in late.stdout, late.stderr
    subjects = [
        " ".join(str(message["Subject"]).split()) for message in received.to("poc@example.org")
    ]
    assert subjects == [
        # Told when the draft was shared (written then; sent with the first delivery).
        "[un1540] Edition 1 of the matrix of Chad is shared with you for review",
        f"[un1540] Your response on edition 1 of the matrix of Chad is due by {due}",
        "[un1540] The review period of edition 1 of the matrix of Chad has ended",
    ]
    assert received.to("other@example.org") == []
    body = received.to("poc@example.org")[1].get_payload()
    assert "/states/TCD/editions/1" in str(body)


def test_a_bad_day_is_named(shared: tuple[Path, date], inbox: tuple[Inbox, int]) -> None:
    database, _ = shared
    result = run("notify", "reminders", "--on", "31/12/2026", database=database, port=inbox[1])
    assert result.returncode == 4
    assert "--on" in result.stderr
