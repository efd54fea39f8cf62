# ruff: noqa: E501
"""The library on SQLite and PostgreSQL: ingest (and what it refuses), search in each
language, visibility of documents and provisions, "laws like this", OCR of a scanned page."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from tests.analytics.test_provisions import ARABIC, CHINESE, ENGLISH, FRENCH, RUSSIAN, SPANISH
from un1540.analytics.text import ocr
from un1540.errors import InvalidData, NotFound
from un1540.models import Document, DocumentText, Origin, Provision, Role, Visibility
from un1540.services.documents.actions import DocumentInput, UploadedFile
from un1540.services.kernel.access import PUBLIC, Viewer
from un1540.services.kernel.paging import PageRequest
from un1540.services.library.actions import ingest_document, ocr_document
from un1540.services.library.reads import (
    SearchFilters,
    document_provisions,
    search,
    similar_provisions,
    visible_provision,
)

EXPERT = Viewer(role=Role.expert, actor="expert@un.org", user_id=0)
MAX = 2_000_000
PAGE = PageRequest(page=1, page_size=20)


def ingest(
    session: Session,
    tmp_path: Path,
    content: bytes,
    name: str,
    *,
    iso3: str = "FRA",
    language: str = "",
    visibility: Visibility | None = Visibility.public,
    kind: str = "legislation",
    viewer: Viewer = EXPERT,
) -> Document:
    return ingest_document(
        session,
        viewer=viewer,
        document=DocumentInput(
            kind=kind, title=f"Law {name}", language=language, iso3=iso3, visibility=visibility
        ),
        upload=UploadedFile(name=name, content=content),
        files_dir=tmp_path,
        max_bytes=MAX,
    )


def docx(text: str) -> bytes:
    import docx as python_docx

    document = python_docx.Document()
    for line in text.splitlines():
        document.add_paragraph(line)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def pdf(pages: list[str], *, password: str | None = None, rtl: bool = False) -> bytes:
    """A PDF with a text layer, one page per text (WeasyPrint, as the exports)."""
    from weasyprint import HTML

    body = "".join(
        f'<div style="page-break-after: always">{"<br>".join(page.splitlines())}</div>'
        for page in pages
    )
    direction = ' lang="ar" dir="rtl"' if rtl else ""
    content = HTML(string=f"<html{direction}><body>{body}</body></html>").write_pdf()
    assert content is not None
    if password is None:
        return bytes(content)
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(content)))
    writer.encrypt(password)
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


@pytest.fixture
def library(session: Session, tmp_path: Path) -> dict[str, Document]:
    """One law per language, of different States, all public but one restricted."""
    return {
        "zh": ingest(session, tmp_path, CHINESE.encode(), "zh.txt", iso3="CHN"),
        "ru": ingest(session, tmp_path, docx(RUSSIAN), "ru.docx", iso3="POL"),
        "fr": ingest(session, tmp_path, FRENCH.encode(), "fr.html", iso3="FRA"),
        "es": ingest(session, tmp_path, SPANISH.encode(), "es.txt", iso3="BRA"),
        "ar": ingest(session, tmp_path, ARABIC.encode(), "ar.txt", iso3="NGA"),
        "en": ingest(
            session,
            tmp_path,
            ENGLISH.encode(),
            "en.txt",
            iso3="USA",
            visibility=Visibility.owning_state_and_committee,
        ),
    }


def _found(session: Session, query: str, viewer: Viewer = EXPERT, **filters: str) -> list[str]:
    page = search(
        session, viewer=viewer, filters=SearchFilters(query=query, **filters), paging=PAGE
    )  # type: ignore[arg-type]
    # The demo database holds synthetic laws too (io/demo_library.py): rank among this test's.
    return [
        f"{hit.document.language}:{hit.provision.number if hit.provision else hit.passage.kind}"
        for hit in page.hits
        if hit.document.origin is not Origin.demo
    ]


def _ingest_keeps_the_original_text_pages_and_provisions(
    session: Session, tmp_path: Path, library: dict[str, Document]
) -> None:
    law = library["zh"]
    assert law.language == "zh"  # detected
    stored = session.get(DocumentText, law.id)
    assert stored is not None
    assert stored.pages == 1
    assert (tmp_path / law.file_sha256[:2] / law.file_sha256).read_bytes() == CHINESE.encode()
    _, provisions = document_provisions(session, viewer=EXPERT, document_id=law.id)
    article = next(v for v in provisions if v.provision.number == "34")
    assert [(kind, label) for kind, _, label in article.links] == [("penalty_for", "第十二条")]
    assert article.provision.text == CHINESE[article.provision.start : article.provision.end]
    assert library["ru"].language == "ru"


def test_a_pdf_page_map_cites_the_page(session: Session, tmp_path: Path) -> None:
    law = ingest(
        session,
        tmp_path,
        pdf(
            [
                "Section 1. Definitions\nIn this Act, goods means strategic goods.",
                "Section 2. Export licences\nNo person shall export strategic goods without a licence.",
            ]
        ),
        "act.pdf",
    )
    _, provisions = document_provisions(session, viewer=EXPERT, document_id=law.id)
    assert [(v.provision.number, v.provision.page) for v in provisions] == [("1", 1), ("2", 2)]
    page = search(session, viewer=EXPERT, filters=SearchFilters(query="licence"), paging=PAGE)
    # The demo's synthetic laws speak of licences too: this law's best passage is what counts.
    hit = next(hit for hit in page.hits if hit.document.id == law.id)
    assert hit.provision is not None
    assert hit.passage.page == 2


SEARCHES = [
    ("许可制度", "zh:12"),  # a Chinese query finds a Chinese provision
    ("許可制度", "zh:12"),  # in traditional characters too (reference/chinese.py)
    ("有期徒刑", "zh:120-1"),
    ("يحظر تصدير السلع", "ar:2"),  # without diacritics
    ("يُحْظَرُ تَصْدِيرُ", "ar:2"),  # with diacritics
    ("оружия массового поражения", "ru:355"),
    ("оружие", "ru:355"),  # another form of the word (lemma)
    ("armes chimiques", "fr:L.2342-3"),
    ("arme chimique", "fr:L.2342-3"),  # singular finds plural
    ("organización criminal", "es:570 bis"),
    ("strategic goods permit", "en:5"),
]


def _search_in_each_language(session: Session, library: dict[str, Document]) -> None:
    for query, expected in SEARCHES:
        found = _found(session, query)
        assert expected in found[:3], (query, found)


def _search_filters(session: Session, library: dict[str, Document]) -> None:
    assert _found(session, "许可", iso3="FRA") == []
    assert _found(session, "许可", iso3="CHN", kind="legislation", language="zh")
    assert _found(session, "许可", language="fr") == []
    # The words inside a longer Chinese word (before session 26: 恐怖 found nothing, the law
    # writes 恐怖活动; 有期 nothing, it writes 有期徒刑).
    assert "zh:120-1" in _found(session, "恐怖")
    assert "zh:120-1" in _found(session, "徒刑")
    page = search(session, viewer=EXPERT, filters=SearchFilters(query="恐怖"), paging=PAGE)
    assert any(segment.match and "恐怖" in segment.text for segment in page.hits[0].snippet)
    page = search(session, viewer=EXPERT, filters=SearchFilters(query="许可制度"), paging=PAGE)
    assert any(segment.match and segment.text == "许可" for segment in page.hits[0].snippet)
    # Other spellings of a word, and an Arabic singular for its broken plural (session 27:
    # "offense" found nothing, the law writes "Offences"; سلعة nothing, it writes السلع).
    assert "en:6" in _found(session, "offense")
    assert "ar:2" in _found(session, "سلعة")
    assert "ar:86 bis" in _found(session, "حكم الثانية")  # أحكام
    page = search(session, viewer=EXPERT, filters=SearchFilters(query="offense"), paging=PAGE)
    offences = [hit for hit in page.hits if hit.document.id == library["en"].id]
    assert any(s.match and s.text == "Offences" for hit in offences for s in hit.snippet)
    with pytest.raises(InvalidData):
        search(session, viewer=EXPERT, filters=SearchFilters(query="x", language="de"), paging=PAGE)


VIEWERS = [
    (PUBLIC, False),
    (Viewer(role=Role.provider, actor="p@x.org", user_id=3), False),
    (Viewer(role=Role.state_poc, actor="poc@x.org", user_id=4, state_id=None), False),
    (EXPERT, True),
    (Viewer(role=Role.committee, actor="c@un.org", user_id=5), True),
]


def _restricted_documents_and_provisions_stay_hidden(
    session: Session, library: dict[str, Document]
) -> None:
    restricted = library["en"]
    provision = session.scalars(
        select(Provision).where(Provision.document_id == restricted.id)
    ).first()
    public = session.scalars(
        select(Provision).where(Provision.document_id == library["fr"].id, Provision.level == 2)
    ).first()
    assert provision is not None
    assert public is not None
    for viewer, sees_restricted in VIEWERS:
        assert bool(_found(session, "strategic goods", viewer)) is sees_restricted
        similar = similar_provisions(session, viewer=viewer, provision_id=public.id, limit=50)
        assert any(s.document.id == restricted.id for s in similar) is sees_restricted
        if sees_restricted:
            assert visible_provision(session, viewer=viewer, provision_id=provision.id)
            continue
        with pytest.raises(NotFound):
            visible_provision(session, viewer=viewer, provision_id=provision.id)
        with pytest.raises(NotFound):
            document_provisions(session, viewer=viewer, document_id=restricted.id)


def _the_own_state_sees_its_restricted_law(session: Session, library: dict[str, Document]) -> None:
    usa = library["en"].state_id
    poc = Viewer(role=Role.state_poc, actor="poc@usa.gov", user_id=6, state_id=usa)
    assert "en:5" in _found(session, "strategic goods", poc)
    # Laws like this, across languages, in the same visit.
    french = session.scalars(
        select(Provision).where(
            Provision.document_id == library["fr"].id, Provision.number == "L.2342-3"
        )
    ).one()
    similar = similar_provisions(session, viewer=EXPERT, provision_id=french.id)
    assert similar
    assert all(s.document.state_id != library["fr"].state_id for s in similar)
    # The Russian article on weapons of mass destruction is among the closest.
    assert "355" in [s.provision.number for s in similar[:3]]


def test_ingest_and_search_in_each_language(
    session: Session, tmp_path: Path, library: dict[str, Document]
) -> None:
    """One library of six laws (ingesting costs): what is stored, then the searches."""
    _ingest_keeps_the_original_text_pages_and_provisions(session, tmp_path, library)
    _search_in_each_language(session, library)
    _search_filters(session, library)


def test_visibility_and_laws_like_this(session: Session, library: dict[str, Document]) -> None:
    _restricted_documents_and_provisions_stay_hidden(session, library)
    _the_own_state_sees_its_restricted_law(session, library)


@pytest.mark.parametrize(
    ("content", "name", "message"),
    [
        (b"", "empty.pdf", "empty"),
        (b"%PDF-1.4\n%%EOF\n", "broken.pdf", "damaged"),
        (b"PK\x03\x04 not really a zip", "law.docx", "not a Word document"),
        (b"%PDF-1.4", "law.docx", "not a Word document"),
        (b"\xd0\xcf\x11\xe0", "law.doc", "cannot be read for its text"),
        (b"x" * (MAX + 1), "big.txt", "the limit is"),
        (
            b"Der Export von Waffen ohne Genehmigung ist verboten und wird bestraft.",
            "de.txt",
            "none of the supported languages (العربية, 中文, English",
        ),
    ],
)
def test_bad_files_are_refused_and_nothing_is_stored(
    session: Session, tmp_path: Path, content: bytes, name: str, message: str
) -> None:
    before = session.scalar(select(Document.id).order_by(Document.id.desc()).limit(1))
    with pytest.raises(InvalidData) as error:
        ingest(session, tmp_path, content, name)
    assert any(message in p.message for p in error.value.problems), error.value.problems
    assert session.scalar(select(Document.id).order_by(Document.id.desc()).limit(1)) == before
    assert not list(tmp_path.rglob("*")) or all(p.is_dir() for p in tmp_path.rglob("*"))


def test_an_arabic_pdf_keeps_its_article_numbers_in_reading_order(
    session: Session, tmp_path: Path
) -> None:
    """pypdf lays out the runs of a line that mixes Arabic and digits left to right ("1 المادة");
    the library puts them back in reading order (session 27: such a law had no articles)."""
    law = ingest(
        session,
        tmp_path,
        pdf(
            [
                "المادة 1\nيحظر على أي شخص إنتاج الأسلحة الكيميائية أو تخزينها.\n"
                "المادة (2)\nيعاقب بالسجن مدة لا تقل عن 10 سنوات كل من خالف أحكام المادة 1 من "
                "هذا القانون."
            ],
            rtl=True,
        ),
        "law.pdf",
        iso3="EGY",
    )
    _, views = document_provisions(session, viewer=EXPERT, document_id=law.id)
    articles = [view for view in views if view.provision.level == 2]
    assert [(v.provision.number, v.provision.label) for v in articles] == [
        ("1", "المادة 1"),
        ("2", "المادة (2)"),
    ]
    penalty = articles[1]
    assert "عن 10 سنوات كل من خالف أحكام المادة 1 من هذا القانون." in penalty.provision.text
    assert [label for _, _, label in penalty.links] == ["المادة 1"]  # its link to article 1


def test_an_encrypted_pdf_is_refused(session: Session, tmp_path: Path) -> None:
    with pytest.raises(InvalidData, match="not read") as error:
        ingest(session, tmp_path, pdf(["Article 1. Secret"], password="secret"), "locked.pdf")
    assert "encrypted" in error.value.problems[0].message


@pytest.mark.skipif(not ocr.available(), reason="tesseract-ocr and poppler-utils are not installed")
def test_a_scanned_page_is_read_by_ocr(session: Session, tmp_path: Path) -> None:
    from PIL import Image, ImageDraw, ImageFont

    image = Image.new("L", (1400, 500), 255)
    draw = ImageDraw.Draw(image)
    font = ImageFont.load_default(size=40)
    draw.text((60, 60), "Section 1. Export licences", fill=0, font=font)
    draw.text((60, 160), "No person shall export nuclear material", fill=0, font=font)
    draw.text((60, 240), "without a licence.", fill=0, font=font)
    buffer = io.BytesIO()
    image.save(buffer, format="PDF", resolution=150)
    law = ingest(session, tmp_path, buffer.getvalue(), "scan.pdf", language="en")
    stored = session.get(DocumentText, law.id)
    assert stored is not None
    assert stored.ocr_pages == [1]
    ocr_document(session, document_id=law.id, files_dir=tmp_path)  # the job's work
    stored = session.get(DocumentText, law.id)
    assert stored is not None
    assert stored.status.value == "ready"
    assert stored.progress == 100
    assert "nuclear" in stored.text.lower()
    assert "en:1" in _found(session, "nuclear material")


DEJAVU = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")  # Debian's fonts-dejavu-core


@pytest.mark.skipif(not ocr.available(), reason="tesseract-ocr and poppler-utils are not installed")
@pytest.mark.skipif(not DEJAVU.exists(), reason="no font with Cyrillic letters to draw the scan")
def test_a_scan_uploaded_without_its_language_is_read_in_it(
    session: Session, tmp_path: Path
) -> None:
    """Session 28's trial: a Russian law of scanned pages uploaded with the language left to be
    detected was stored as English and read by OCR as English (`®EDEPAJIBHbIM 3AKOH`), with no
    provision. OCR now reads the six languages and the language is detected from its text."""
    from PIL import Image, ImageDraw, ImageFont

    image = Image.new("L", (1600, 500), 255)
    draw = ImageDraw.Draw(image)
    font = ImageFont.truetype(str(DEJAVU), 40)
    draw.text((60, 60), "Статья 1. Запрещение химического оружия", fill=0, font=font)
    draw.text((60, 160), "Запрещается производство и хранение", fill=0, font=font)
    draw.text((60, 240), "химического оружия.", fill=0, font=font)
    buffer = io.BytesIO()
    image.save(buffer, format="PDF", resolution=150)
    law = ingest(session, tmp_path, buffer.getvalue(), "scan-ru.pdf")  # no language given
    stored = ocr_document(session, document_id=law.id, files_dir=tmp_path)
    assert stored.status.value == "ready"
    assert "химического" in stored.text
    assert law.language == "ru"
    assert "ru:1" in _found(session, "химического оружия")


def test_ocr_of_several_languages_keeps_chinese_words_together() -> None:
    spaced = "第 一 条 为 了 加 强 对 化 学 武器 的 管理 ， 制定 本 条例 。 See Article 1 of it."
    assert ocr.without_spaces_between_chinese(spaced) == (
        "第一条为了加强对化学武器的管理，制定本条例。 See Article 1 of it."
    )


def test_the_confidence_of_what_ocr_read_is_the_mean_of_its_words() -> None:
    header = "level\tpage_num\tblock_num\tpar_num\tline_num\tword_num\tleft\ttop\twidth\theight\tconf\ttext"
    lines = [
        "1\t1\t0\t0\t0\t0\t0\t0\t100\t100\t-1\t",  # the page: no word
        "5\t1\t1\t1\t1\t1\t0\t0\t10\t10\t10.5\teA",
        "5\t1\t1\t1\t1\t2\t0\t0\t10\t10\t16.5\taS",
        "5\t1\t1\t1\t1\t3\t0\t0\t10\t10\t95\t ",  # a blank: no word
    ]
    assert ocr.mean_confidence("\n".join([header, *lines])) == 13.5
    assert ocr.mean_confidence(header) == 0.0


@pytest.mark.skipif(not ocr.available(), reason="tesseract-ocr and poppler-utils are not installed")
def test_a_page_of_specks_is_not_read_as_text(session: Session, tmp_path: Path) -> None:
    """Session 28's trial: a page of specks (a poor scan) was read as "eA aS" … eines", which
    went into an article's text and a confirmed quotation. What OCR reads with little confidence
    is noted and left out."""
    import random

    from PIL import Image

    speckled = Image.new("L", (620, 400), 255)  # small: OCR of specks is slow
    pixels = speckled.load()
    assert pixels is not None
    scatter = random.Random(1)
    for _ in range(25_000):  # dense enough that OCR reads "words" in them
        pixels[scatter.randrange(620), scatter.randrange(400)] = 0
    buffer = io.BytesIO()
    speckled.save(buffer, format="PDF", resolution=150)
    law = ingest(session, tmp_path, buffer.getvalue(), "specks.pdf", language="en")
    stored = ocr_document(session, document_id=law.id, files_dir=tmp_path)
    assert stored.text.strip() == ""
    assert "page 1: OCR was not confident of what it read" in stored.ocr_notes["1"]


@pytest.mark.skipif(not ocr.available(), reason="tesseract-ocr and poppler-utils are not installed")
def test_an_ocr_failure_is_noted_per_page_not_fatal(session: Session, tmp_path: Path) -> None:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("L", (300, 300), 255).save(buffer, format="PDF", resolution=72)
    law = ingest(session, tmp_path, buffer.getvalue(), "blank.pdf", language="fr")
    (tmp_path / law.file_sha256[:2] / law.file_sha256).unlink()  # the page cannot be rendered
    stored = ocr_document(session, document_id=law.id, files_dir=tmp_path)
    assert "page 1: OCR failed" in stored.ocr_notes["1"]
    assert stored.status.value == "failed"
    assert stored.progress == 100


def test_a_document_is_read_again_by_the_committee_side_only(
    session: Session, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`read_again`: a law stored before today's reading (here: split with no provisions) is
    split and indexed again from its stored text, audited; the other roles are refused and
    nothing changes; an unknown document is not found."""
    from tests.analytics.test_provisions import TRADITIONAL_CHINESE
    from un1540.errors import Forbidden, Unauthenticated
    from un1540.models import AuditEvent
    from un1540.services.library import reading
    from un1540.services.library.actions import read_again

    monkeypatch.setattr(reading, "split_provisions", lambda text, language: [])  # an old reading
    law = ingest(session, tmp_path, TRADITIONAL_CHINESE.encode(), "tw.txt", iso3="CHN")
    monkeypatch.undo()
    assert document_provisions(session, viewer=EXPERT, document_id=law.id)[1] == []
    for viewer in (PUBLIC, Viewer(role=Role.provider, actor="p@x.org", user_id=3)):
        with pytest.raises((Forbidden, Unauthenticated)):
            read_again(session, viewer=viewer, document_id=law.id)
    assert document_provisions(session, viewer=EXPERT, document_id=law.id)[1] == []
    read_again(session, viewer=EXPERT, document_id=law.id)
    _, provisions = document_provisions(session, viewer=EXPERT, document_id=law.id)
    assert [v.provision.label for v in provisions] == ["第四章", "第十三條", "第二十七條之一"]
    assert "zh:13" in _found(session, "许可")  # simplified query, traditional law
    event = session.scalars(
        select(AuditEvent).where(AuditEvent.action == "document.read_again")
    ).one()
    assert event.before == {"provisions": 0}
    assert event.after is not None
    assert event.after["provisions"] == 3  # the chapter and its two articles
    with pytest.raises(NotFound):
        read_again(session, viewer=EXPERT, document_id=999_999)


def test_the_same_file_twice_is_refused_only_where_the_uploader_sees_the_first(
    session: Session, tmp_path: Path
) -> None:
    law = ENGLISH.encode()
    first = ingest(session, tmp_path, law, "act.txt", visibility=Visibility.committee)
    with pytest.raises(InvalidData, match="not saved") as error:
        ingest(session, tmp_path, law, "act-again.txt")
    (problem,) = error.value.problems
    assert problem.where == "file"
    assert f"document {first.id} " in problem.message
    assert first.title in problem.message
    assert error.value.details == {"duplicate_of": first.id}  # for a page or a client to link
    assert session.scalar(select(Document.id).order_by(Document.id.desc()).limit(1)) == first.id
    # Another State's copy is its own record (a regional regulation in force in several States).
    assert ingest(session, tmp_path, law, "act.txt", iso3="USA").id != first.id
    # A point of contact who may not see the committee's copy is not told of it: accepted.
    fra = session.scalar(select(Document.state_id).where(Document.id == first.id))
    poc = Viewer(role=Role.state_poc, actor="poc@fra.gouv.fr", user_id=7, state_id=fra)
    theirs = ingest(session, tmp_path, law, "act.txt", viewer=poc, visibility=None)
    assert theirs.id != first.id
    assert len(list(p for p in tmp_path.rglob("*") if p.is_file())) == 1  # one stored original
