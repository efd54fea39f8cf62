"""The demo's synthetic laws: read into the library through its services, labelled synthetic,
split into provisions, with suggestions to review on their pages."""

from __future__ import annotations

from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from tests.conftest import DEMO_STATES
from tests.factories import make_user
from un1540.io.demo_library import LAWS
from un1540.models import Document, DocumentKind, Origin, Provision, SearchPassage
from un1540.services.evidence.review import document_reviews


def _laws(session: Session) -> list[Document]:
    return list(
        session.scalars(
            select(Document)
            .where(
                Document.kind == DocumentKind.legislation, Document.symbol.like("SYNTHETIC/LAW/%")
            )
            .order_by(Document.id)
        )
    )


def test_the_demo_laws_are_synthetic_and_split(session: Session) -> None:
    laws = _laws(session)
    expected = [law for law in LAWS if law[0] in DEMO_STATES]
    assert len(laws) == len(expected) >= 3
    assert {law.language for law in laws} >= {"en", "fr", "zh"}
    assert {law[1] for law in LAWS} >= {"en", "fr", "es"}
    for law in laws:
        assert law.origin is Origin.demo
        assert law.title.startswith("[Synthetic]")
        articles = session.scalars(
            select(Provision).where(Provision.document_id == law.id, Provision.level == 2)
        ).all()
        assert len(articles) >= 4, law.title
        assert any("[Synth" in a.text or "【合成】" in a.text for a in articles), law.title
        assert session.scalars(
            select(SearchPassage.id).where(SearchPassage.document_id == law.id)
        ).first()


def test_the_demo_laws_have_suggestions(
    evidence_model_dir: Path, session: Session, client: TestClient
) -> None:
    law = next(law for law in _laws(session) if law.language == "fr")
    expert = make_user(session, role="expert")
    articles = list(
        session.scalars(
            select(Provision).where(Provision.document_id == law.id).order_by(Provision.position)
        )
    )
    reviews = document_reviews(
        session, viewer=expert, document=law, provisions=articles, directory=evidence_model_dir
    )
    assert sum(len(r.suggestions) for r in reviews.values()) >= 1
    page = client.get(f"/documents/{law.id}")
    assert page.status_code == 200
    assert "[Synthetic]" in page.text
