"""the library's search terms of passages in Chinese characters, again: traditional characters
are now read as simplified (reference/chinese.py), in the segmentation and the terms, so a
query in either script finds a law written in the other. No schema change.

Revision ID: 7c4d2e9a1f36
Revises: 5b7e2c9d4a18
Create Date: 2026-12-05 16:00:00.000000
"""

import re
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "7c4d2e9a1f36"
down_revision: str | None = "5b7e2c9d4a18"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")


def upgrade() -> None:
    # The terms are the tokeniser's (analytics/text/tokenise.py, as the index and the queries
    # use it now): only passages with a Han character change, so only they are read again.
    from un1540.analytics.text.tokenise import index_terms

    bind = op.get_bind()
    rows = bind.execute(
        sa.text(
            "SELECT p.id, p.kind, p.language, p.text, p.terms, d.title, d.symbol "
            "FROM search_passage p JOIN document d ON d.id = p.document_id"
        )
    ).all()
    changed = []
    for row in rows:
        # A title passage holds the document's title; its terms, the title's and symbol's.
        source = f"{row.title} {row.symbol}" if row.kind == "title" else row.text
        if not HAN.search(source):
            continue
        terms = index_terms(source, row.language)
        if terms != row.terms:
            changed.append({"id": row.id, "terms": terms})
    if not changed:
        return
    bind.execute(sa.text("UPDATE search_passage SET terms = :terms WHERE id = :id"), changed)
    if bind.dialect.name == "sqlite":  # the FTS5 table holds its own copy of the terms
        bind.execute(sa.text("DELETE FROM search_fts WHERE rowid = :id"), changed)
        bind.execute(sa.text("INSERT INTO search_fts(rowid, terms) VALUES (:id, :terms)"), changed)


def downgrade() -> None:
    # The terms stay as upgrade() left them: the older tokeniser would write them otherwise,
    # and its code is gone; search still works, traditional and simplified alike.
    pass
