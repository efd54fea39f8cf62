"""The migrations create exactly what the models describe, on both backends (`alembic check`)."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import DateTime, Engine, column, select, table, text

from tests.conftest import DatabaseFactory
from tests.factories import make_user
from un1540.db.engine import make_session_factory
from un1540.db.migrate import (
    alembic_config,
    current_revision,
    downgrade,
    head_revision,
    include_name,
    upgrade,
)
from un1540.models import Base, Notification


def test_models_and_migrations_agree(engine: Engine) -> None:
    with engine.connect() as connection:
        context = MigrationContext.configure(
            connection, opts={"compare_type": True, "include_name": include_name}
        )
        assert compare_metadata(context, Base.metadata) == []
    assert current_revision(engine) == head_revision()


def test_the_revisions_read_without_alembic_are_alembics(
    database_factory: DatabaseFactory,
) -> None:
    """The health check reads the scripts' head and the database's revision without Alembic
    (db/migrate.py; mem10): the same answers as Alembic's ScriptDirectory and MigrationContext,
    at the head, one revision down, and before any migration."""
    engine = database_factory.create(demo=False)
    script = ScriptDirectory.from_config(alembic_config(engine))
    assert head_revision() is not None
    assert head_revision() == script.get_current_head()

    def alembics(engine: Engine) -> str | None:
        with engine.connect() as connection:
            return MigrationContext.configure(connection).get_current_revision()

    assert current_revision(engine) == alembics(engine) == head_revision()
    parent = script.get_revision(head_revision()).down_revision
    assert isinstance(parent, str)
    downgrade(engine, parent)
    assert current_revision(engine) == alembics(engine) == parent
    downgrade(engine, "base")
    assert current_revision(engine) is None
    assert alembics(engine) is None


def test_a_server_reads_its_revisions_without_importing_alembic(
    database_factory: DatabaseFactory,
) -> None:
    engine = database_factory.create(demo=False)
    url = engine.url.render_as_string(hide_password=False)
    probe = (
        "import json, sys\n"
        "from sqlalchemy import create_engine\n"
        "from un1540.db.migrate import current_revision, head_revision\n"
        f"print(json.dumps([current_revision(create_engine({url!r})), head_revision(),"
        " 'alembic' in sys.modules]))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, timeout=120
    )
    assert json.loads(done.stdout.splitlines()[-1]) == [head_revision(), head_revision(), False]


TABLES_THAT_MUST_KEEP_THEIR_ROWS = (
    "state",
    "framework",
    "cell",
    "matrix_edition",
    "cell_entry",
    "document",
    "evidence",
    "audit_event",
)


def _counts(engine: Engine) -> dict[str, int]:
    with engine.connect() as connection:
        return {
            table: connection.execute(text(f"SELECT count(*) FROM {table}")).scalar_one()
            for table in TABLES_THAT_MUST_KEEP_THEIR_ROWS
        }


def test_migrating_down_and_up_keeps_every_row(database_factory: DatabaseFactory) -> None:
    """SQLite rebuilds tables to alter them; that must never cascade into dependent rows."""
    engine = database_factory.create(demo=True)
    try:
        before = _counts(engine)
        assert before["cell_entry"] > 0
        assert before["evidence"] > 0
        previous = (
            ScriptDirectory.from_config(alembic_config(engine))
            .get_revision(head_revision())
            .down_revision
        )
        assert isinstance(previous, str)
        downgrade(engine, previous)
        assert _counts(engine) == before
        upgrade(engine)
        assert _counts(engine) == before
        assert current_revision(engine) == head_revision()
    finally:
        engine.dispose()


def test_old_notifications_become_references_to_their_records(
    database_factory: DatabaseFactory,
) -> None:
    """Revision 43ceb34b98ab: a notification's text becomes a reference (from its link, and a
    project's new status from its subject); one naming no record is deleted; downgrading writes
    the English text back."""
    engine = database_factory.create(demo=False)
    try:
        with make_session_factory(engine)() as session, session.begin():
            user_id = make_user(session, role="provider", email="p@example.org", org="iaea").user_id
        downgrade(engine, "253b48b1e647")
        old = table(
            "notification",
            *(column(name) for name in ("user_id", "kind", "subject", "body", "link")),
            column("created_at", DateTime(timezone=True)),
        )
        rows = [
            ("match", "A request matches your offer: X", "/api/v1/assistance/requests/4"),
            ("project", "Project 3 is now in delivery", "/api/v1/assistance/projects/3"),
            (
                "feedback_due",
                "Your feedback on project 3 is due",
                "/api/v1/assistance/projects/3/feedback",
            ),
            ("match", "Something else", "/elsewhere"),
        ]
        with engine.begin() as connection:
            connection.execute(
                old.insert(),
                [
                    {
                        "user_id": user_id,
                        "kind": kind,
                        "subject": subject,
                        "body": "b",
                        "link": link,
                        "created_at": datetime.now(UTC),
                    }
                    for kind, subject, link in rows
                ],
            )
        upgrade(engine)
        with make_session_factory(engine)() as session:
            converted = [
                (n.kind, n.entity_type, n.entity_id, n.params, n.emailed_at, n.email_withheld_at)
                for n in session.scalars(select(Notification).order_by(Notification.id))
            ]
        assert converted == [
            ("match", "assistance_request", 4, {}, None, None),
            ("project", "assistance_project", 3, {"status": "in_delivery"}, None, None),
            ("feedback_due", "assistance_project", 3, {}, None, None),
        ]
        downgrade(engine, "253b48b1e647")
        with engine.connect() as connection:
            subjects = connection.execute(text("SELECT subject FROM notification ORDER BY id"))
            # Titles come from the records (none here: request 4 and project 3 do not exist).
            assert [subject for (subject,) in subjects] == [
                "A request matches your offer: ",
                "Project 3 is now in delivery",
                "Your feedback on project 3 is due",
            ]
    finally:
        engine.dispose()


def test_passages_in_traditional_chinese_get_the_terms_of_their_simplified_reading(
    database_factory: DatabaseFactory, tmp_path: Path
) -> None:
    """Revision 7c4d2e9a1f36: a passage indexed before traditional characters were read as
    simplified (its terms as written) is indexed again, so a simplified query finds it; the FTS5
    copy of the terms on SQLite too. Failed before the revision: 许可 found nothing."""
    from tests.services.test_library import EXPERT, PAGE, ingest
    from un1540.analytics.text.tokenise import index_terms
    from un1540.services.library.reads import SearchFilters, search

    engine = database_factory.create(demo=False)
    law = (
        "第十二條　輸出戰略性高科技貨品，應向主管機關申請許可。\n"
        "第十三條　違反前條規定者，處新臺幣罰鍰。\n"
    )
    try:
        sessions = make_session_factory(engine)
        with sessions() as session:
            document_id = ingest(session, tmp_path, law.encode(), "tw.txt", iso3="CHN").id
        downgrade(engine, "5b7e2c9d4a18")
        old_terms = "輸出 戰略性 高科技 貨品 應向 主管機關 申請 許可"  # as the old index held them
        with engine.begin() as connection:
            ids = [
                row_id
                for (row_id,) in connection.execute(
                    text("SELECT id FROM search_passage WHERE document_id = :d"), {"d": document_id}
                )
            ]
            rows = [{"id": row_id, "terms": old_terms} for row_id in ids]
            update = text("UPDATE search_passage SET terms = :terms WHERE id = :id")
            connection.execute(update, rows)
            if engine.dialect.name == "sqlite":
                connection.execute(text("DELETE FROM search_fts WHERE rowid = :id"), rows)
                connection.execute(
                    text("INSERT INTO search_fts(rowid, terms) VALUES (:id, :terms)"), rows
                )
        with sessions() as session:
            filters = SearchFilters(query="许可")
            assert search(session, viewer=EXPERT, filters=filters, paging=PAGE).hits == []
        upgrade(engine)
        with sessions() as session:
            page = search(session, viewer=EXPERT, filters=SearchFilters(query="许可"), paging=PAGE)
            assert {hit.document.id for hit in page.hits} == {document_id}
            passages = session.execute(
                text("SELECT kind, text, terms FROM search_passage WHERE document_id = :d"),
                {"d": document_id},
            ).all()
        assert {kind for kind, _, _ in passages} >= {"provision", "title"}
        for kind, passage, terms in passages:
            if kind != "title":
                assert terms == index_terms(passage, "zh")
                assert "輸出" not in terms.split()
        assert any("许可" in terms.split() for _, _, terms in passages)
    finally:
        engine.dispose()
