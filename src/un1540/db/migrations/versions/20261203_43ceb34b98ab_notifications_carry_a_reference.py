"""notifications carry a reference to their record, not a copy of its text

A notification now stores the record it is about (entity_type, entity_id) and small parameters
(a project's new status); its subject, body and link are rendered for each reader when read or
e-mailed, through the record's own visibility rule. Existing rows are converted from their link
(and, for a project's change of status, the status named in their subject); a row that names
no record it can be about is deleted, as it could not be checked against any rule. Pending
e-mails stay pending: they are worded, or withheld, when sent. `email_withheld_at` marks those
never sent because the recipient could not see the record.

Downgrading writes the old English texts back from the records' current titles.

Revision ID: 43ceb34b98ab
Revises: 253b48b1e647
Create Date: 2026-12-03 10:00:00
"""

import re
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "43ceb34b98ab"
down_revision: str | None = "253b48b1e647"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

REQUEST_LINK = re.compile(r"^/api/v1/assistance/requests/(\d+)$")
PROJECT_LINK = re.compile(r"^/api/v1/assistance/projects/(\d+)(?:/feedback)?$")
NEW_STATUS = re.compile(r" is now ([a-z ]+)$")

notification = sa.table(
    "notification",
    sa.column("id", sa.Integer()),
    sa.column("kind", sa.String()),
    sa.column("subject", sa.String()),
    sa.column("body", sa.Text()),
    sa.column("link", sa.String()),
    sa.column("entity_type", sa.String()),
    sa.column("entity_id", sa.Integer()),
    sa.column("params", sa.JSON()),
)


def _reference(kind: str, subject: str, link: str) -> tuple[str, int, dict[str, str]] | None:
    """What an old notification was about, from its link and subject; None if it names nothing."""
    request = REQUEST_LINK.match(link)
    project = PROJECT_LINK.match(link)
    if kind == "match" and request:
        return "assistance_request", int(request.group(1)), {}
    if kind == "feedback_due" and project:
        return "assistance_project", int(project.group(1)), {}
    if kind == "project" and project:
        status = NEW_STATUS.search(subject)
        if status:
            return (
                "assistance_project",
                int(project.group(1)),
                {"status": status.group(1).replace(" ", "_")},
            )
    return None


def upgrade() -> None:
    with op.batch_alter_table("notification", schema=None) as batch_op:
        batch_op.add_column(sa.Column("entity_type", sa.String(length=60), nullable=True))
        batch_op.add_column(sa.Column("entity_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("params", sa.JSON(), nullable=True))
        batch_op.add_column(
            sa.Column("email_withheld_at", sa.DateTime(timezone=True), nullable=True)
        )
    bind = op.get_bind()
    rows = bind.execute(
        sa.select(
            notification.c.id, notification.c.kind, notification.c.subject, notification.c.link
        )
    ).all()
    unknown = []
    for id_, kind, subject, link in rows:
        reference = _reference(kind, subject, link)
        if reference is None:
            unknown.append(id_)
            continue
        entity_type, entity_id, params = reference
        bind.execute(
            notification.update()
            .where(notification.c.id == id_)
            .values(entity_type=entity_type, entity_id=entity_id, params=params)
        )
    if unknown:
        bind.execute(notification.delete().where(notification.c.id.in_(unknown)))
    with op.batch_alter_table("notification", schema=None) as batch_op:
        batch_op.alter_column("entity_type", existing_type=sa.String(length=60), nullable=False)
        batch_op.alter_column("entity_id", existing_type=sa.Integer(), nullable=False)
        batch_op.alter_column("params", existing_type=sa.JSON(), nullable=False)
        batch_op.drop_column("subject")
        batch_op.drop_column("body")
        batch_op.drop_column("link")


def _old_text(
    kind: str, entity_id: int, title: str, params: dict[str, str]
) -> tuple[str, str, str]:
    """The English subject, body and link the notification had before this revision."""
    if kind == "match":
        return (
            f"A request matches your offer: {title}",
            f"Request {entity_id}, {title}, has been circulated, and one of your offers "
            "is among the best suggestions for it.",
            f"/api/v1/assistance/requests/{entity_id}",
        )
    if kind == "feedback_due":
        return (
            f"Your feedback on project {entity_id} is due",
            f"Project {entity_id}, {title}, has been delivered. The recipient and "
            "the provider are each asked for a rating and a comment.",
            f"/api/v1/assistance/projects/{entity_id}/feedback",
        )
    status = params.get("status", "").replace("_", " ")
    return (
        f"Project {entity_id} is now {status}",
        f"Project {entity_id}, {title}, is now {status}.",
        f"/api/v1/assistance/projects/{entity_id}",
    )


def downgrade() -> None:
    with op.batch_alter_table("notification", schema=None) as batch_op:
        batch_op.add_column(sa.Column("subject", sa.String(length=300), nullable=True))
        batch_op.add_column(sa.Column("body", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("link", sa.String(length=500), nullable=True))
    bind = op.get_bind()
    titles: dict[str, dict[int, str]] = {
        entity_type: dict(bind.execute(sa.text(f"SELECT id, title FROM {table}")).all())
        for entity_type, table in (
            ("assistance_request", "assistance_request"),
            ("assistance_project", "assistance_project"),
        )
    }
    rows = bind.execute(
        sa.select(
            notification.c.id,
            notification.c.kind,
            notification.c.entity_type,
            notification.c.entity_id,
            notification.c.params,
        )
    ).all()
    for id_, kind, entity_type, entity_id, params in rows:
        title = titles.get(entity_type, {}).get(entity_id, "")
        subject, body, link = _old_text(kind, entity_id, title, params or {})
        bind.execute(
            notification.update()
            .where(notification.c.id == id_)
            .values(subject=subject[:300], body=body, link=link)
        )
    with op.batch_alter_table("notification", schema=None) as batch_op:
        batch_op.alter_column("subject", existing_type=sa.String(length=300), nullable=False)
        batch_op.alter_column("body", existing_type=sa.Text(), nullable=False)
        batch_op.alter_column("link", existing_type=sa.String(length=500), nullable=False)
        batch_op.drop_column("email_withheld_at")
        batch_op.drop_column("params")
        batch_op.drop_column("entity_id")
        batch_op.drop_column("entity_type")
