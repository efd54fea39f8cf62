"""Registering a law through the portal, as an expert does (issue 10, "done when": an expert
uploads a law in any of the six languages and sees its provisions). Found by trying it in
session 26: the form's language started on English, so a Chinese law uploaded without changing
it was stored as English, read as one paragraph, and its evidence would have cited "¶ 1"; and
the upload ended on the list of documents, whose titles led to the raw file, with no way to the
law's page and its suggestions."""

from __future__ import annotations

import html
from pathlib import Path

from fastapi.testclient import TestClient
from httpx import Response
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from tests.portal.test_workflow_pages import Portal, browser, csrf, portal, sign_in  # noqa: F401
from un1540.models import Document

CHINESE_LAW = """中华人民共和国化学品管理条例（测试样本）
第一条　任何单位和个人不得非法生产、储存、使用、运输化学武器。
第二条　出口管制化学品，应当取得许可证。
第三条　违反本条例第一条规定的，依法追究刑事责任。
"""


def _count(sessions: sessionmaker[Session]) -> int:
    with sessions() as session:
        return session.scalar(select(func.count()).select_from(Document)) or 0


def _register(
    client: TestClient, page: str, language: str, file: tuple[str, bytes], *, lang: str = "en"
) -> Response:
    """The form of the State's documents page, sent as a browser sends it."""
    return client.post(
        f"/states/CHN/documents?lang={lang}",
        data={
            "csrf_token": csrf(page),
            "kind": "legislation",
            "title": "Chemicals regulation",
            "language": language,
        },
        files={"file": (file[0], file[1], "text/plain")},
    )


def test_a_law_is_registered_with_its_language_detected_and_opened(
    evidence_model_dir: Path,  # the small model of the tests: the law's page shows suggestions
    portal: Portal,  # noqa: F811
) -> None:
    client = browser(portal)
    sign_in(client, "expert@example.org")
    page = client.get("/states/CHN/documents")
    assert '<option value="auto" selected>Detected from the text</option>' in page.text
    before = _count(portal.sessions)

    # Declared English, written in Chinese: refused, naming the file; nothing is stored.
    refused = _register(client, page.text, "en", ("cw.txt", CHINESE_LAW.encode()))
    assert refused.url.path == "/states/CHN/documents"
    assert "cw.txt is written in 中文, not in English" in html.unescape(refused.text)
    assert _count(portal.sessions) == before
    # The form comes back as it was filled in, but for the file (session 27's audit: it came
    # back empty, the title and the choices to enter again).
    assert refused.status_code == 422
    assert 'value="Chemicals regulation"' in refused.text
    assert '<option value="legislation" selected>' in refused.text
    assert '<option value="en" selected>English</option>' in refused.text
    assert '<option value="auto" selected>' not in refused.text
    assert "Choose the file again" in refused.text

    # Left to be detected: stored as Chinese, split into its articles, and the expert lands
    # on the law's page.
    opened = _register(client, refused.text, "auto", ("cw.txt", CHINESE_LAW.encode()))
    assert opened.status_code == 200
    assert opened.url.path.startswith("/documents/")
    document_id = int(opened.url.path.rsplit("/", 1)[1])
    assert "Registered" in html.unescape(opened.text)  # the message, on the law's page
    for article in ("第一条", "第二条", "第三条"):
        assert article in opened.text
    assert "numbered by the library" not in opened.text
    with portal.sessions() as session:
        document = session.get(Document, document_id)
        assert document is not None
        assert document.language == "zh"

    # The list leads to the law's page; the original file is a link of its own.
    listing = client.get("/states/CHN/documents").text
    assert f'<a href="/documents/{document_id}">Chemicals regulation</a>' in listing
    assert f'href="/api/v1/documents/{document_id}/file"' in listing
    assert "<td>中文</td>" in listing  # the language by its name, not "zh"

    # In Arabic, the same refusal reads in Arabic, the file still named.
    page = client.get("/states/CHN/documents?lang=ar")
    refused = _register(client, page.text, "ru", ("empty.txt", b""), lang="ar")
    assert "empty.txt: الملف فارغ" in html.unescape(refused.text)

    # The same file again: refused in the reader's language, naming the law already there, the
    # field by its label on the form (session 27: "file", in English).
    page = client.get("/states/CHN/documents?lang=fr")
    again = _register(client, page.text, "auto", ("copie.txt", CHINESE_LAW.encode()), lang="fr")
    client.get("/states/CHN/documents?lang=en")  # the language stays with the session: back
    text = html.unescape(again.text)
    assert "Fichier (PDF, Word, OpenDocument, Excel, texte ou HTML): ce fichier est déjà" in text
    assert f"comme document {document_id} (\u2068Chemicals regulation\u2069)" in text
    # ... with a link to it (session 27's audit: named, with no way to it).
    assert (
        f'<a href="/documents/{document_id}">Ouvrir le document déjà dans la bibliothèque</a>'
        in text
    )
    assert _count(portal.sessions) == before + 1
