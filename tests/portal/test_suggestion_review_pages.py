"""The expert's review of a law's suggestions in the portal: the draft workspace lists the
State's laws, the document page shows each article's suggested fields with the reasons, and a
confirmation puts the article on the draft's cell as evidence."""

from __future__ import annotations

import html
import re
from pathlib import Path

from httpx import Response
from sqlalchemy.orm import Session, sessionmaker

from tests.api.test_provision_suggestions_api import law_with_suggestions
from tests.factories import make_user
from tests.portal.test_workflow_pages import Portal, browser, csrf, portal, sign_in  # noqa: F401
from un1540.services.matrix.actions.editions import open_draft


def _open_draft(sessions: sessionmaker[Session]) -> int:
    """A draft of Ghana's matrix, opened by another expert: the number to confirm into."""
    with sessions() as session, session.begin():
        expert = make_user(session, role="expert", email="opener@example.org")
        return open_draft(session, viewer=expert, iso3="GHA").number


def test_an_expert_confirms_a_suggestion_into_a_draft(
    evidence_model_dir: Path,
    portal: Portal,  # noqa: F811
    empty_sessions: sessionmaker[Session],
    tmp_path: Path,
) -> None:
    document_id, articles = law_with_suggestions(empty_sessions, tmp_path, iso3="GHA")
    prohibition = articles[1]
    number = _open_draft(empty_sessions)

    poc = browser(portal)
    sign_in(poc, "poc@example.org")
    page = poc.get(f"/documents/{document_id}")
    assert page.status_code == 200
    assert "Suggested fields" not in page.text  # the State sees its law, not the review
    assert "Suggestions from the library" not in poc.get(f"/states/GHA/editions/{number}").text

    client = browser(portal)
    sign_in(client, "expert@example.org")
    workspace = client.get(f"/states/GHA/editions/{number}")
    assert "Suggestions from the library" in workspace.text
    assert f'href="/documents/{document_id}"' in workspace.text
    page = client.get(f"/documents/{document_id}")
    assert page.status_code == 200
    section = page.text.split(f'id="suggestions-{prohibition}"', 1)[1].split("</section>", 1)[0]
    action = re.search(
        rf'action="(/documents/{document_id}/provisions/{prohibition}/suggestions/([^"]+))"',
        section,
    )
    assert action, "a suggestion with its form for the prohibition"
    field = action.group(2)
    assert "Why: these words matched" in section
    assert "Wording that weighed for this field:" in section  # the char regression's words
    assert f'<option value="{number}">' in section
    done = client.post(
        action.group(1),
        data={"csrf_token": csrf(page.text), "verdict": "confirm", "edition": str(number)},
    )
    assert done.status_code == 200
    assert f"of draft {number}" in html.unescape(done.text)  # the result, on the page
    assert f'id="decision-{prohibition}-{field.replace(".", "-")}"' in done.text
    weapon = re.search(r'name="weapons" value="([a-z]+)" checked', section)
    column = re.search(r'name="columns" value="([a-z_]+)" checked', section)
    assert weapon
    assert column
    cell_path = f"/states/GHA/editions/{number}/cells/{field}:{weapon.group(1)}:{column.group(1)}"
    cell = client.get(cell_path)
    assert cell.status_code == 200
    assert "Chemical Weapons (Prohibition) Act" in cell.text
    assert "liable on conviction" in html.unescape(cell.text)  # the quotation
    # Where the evidence lands, in the reader's language (session 26: English names before).
    from un1540.reference.names import localized_name

    russian = client.get(f"{cell_path}?lang=ru")
    assert f"<h1>{localized_name('field', field, 'ru', field)}</h1>" in html.unescape(russian.text)
    # The "Why" line names each matched concept, not its code, in the reader's language too.
    from un1540.reference.concepts import load_concept_names

    concept = re.search(r'<span title="([a-z_]+\.[a-z_]+)">([^<]+)</span>', section)
    assert concept, "a concept named in the Why line"
    named = load_concept_names()[concept.group(1)]
    assert html.unescape(concept.group(2)) == named.name
    russian_page = html.unescape(client.get(f"/documents/{document_id}?lang=ru").text)
    assert f'<span title="{named.code}">{named.names["ru"]}</span>' in russian_page
    client.get(f"{cell_path}?lang=en")  # the language chosen stays with the session: back

    # An edit may move the evidence to another field, chosen with the field picker (issue 10).
    other = "op2.possess" if field != "op2.possess" else "op2.manufacture"
    assert f'name="field" value="{field}" checked' in section
    assert f'name="field" value="{other}"' in section
    assert 'name="field" value="op1.' not in section  # never an OP1 field

    def edit(page: str, **choices: str) -> Response:
        """The review form sent with "Confirm with these changes" and the boxes `choices`."""
        form = {"csrf_token": csrf(page), "verdict": "edit", "edition": str(number)}
        return client.post(action.group(1), data={**form, **choices})

    moved = edit(done.text, field=other, weapons=weapon.group(1), columns=column.group(1))
    assert moved.status_code == 200
    assert "moved to" in moved.text
    other_cell = client.get(
        f"/states/GHA/editions/{number}/cells/{other}:{weapon.group(1)}:{column.group(1)}"
    )
    assert "liable on conviction" in html.unescape(other_cell.text)
    # An edit with every weapon unticked is refused, not recorded with the suggested ones
    # (session 28's trial: the unticked weapon's cell got the evidence).
    before = client.get(f"/documents/{document_id}").text.count("Confirmed with changes")
    unticked = edit(moved.text, columns=column.group(1))
    assert "expected one or more of nw, cw, bw" in html.unescape(unticked.text)
    assert unticked.text.count("Confirmed with changes") == before


def test_the_arabic_page_reads_right_to_left(
    evidence_model_dir: Path,
    portal: Portal,  # noqa: F811
    empty_sessions: sessionmaker[Session],
    tmp_path: Path,
) -> None:
    document_id, _ = law_with_suggestions(empty_sessions, tmp_path, iso3="GHA")
    client = browser(portal)
    sign_in(client, "expert@example.org")
    page = client.get(f"/documents/{document_id}?lang=ar")
    assert 'dir="rtl"' in page.text
    assert "Suggested fields" not in page.text
    assert "الحقول المقترحة" in page.text  # "Suggested fields", in Arabic


ORDER_WITHOUT_HEADINGS = """The Chemical Weapons (Prohibition) Order.

Any person who develops, produces, manufactures, acquires, stockpiles, retains or uses chemical
weapons commits an offence and is liable on conviction to imprisonment for life.

No person shall export a toxic chemical or its precursor listed in the Schedule without a licence
issued by the Minister; whoever contravenes this order is liable to a fine.
"""


def test_a_law_without_headings_is_reviewed_by_its_paragraphs(
    evidence_model_dir: Path,
    portal: Portal,  # noqa: F811
    empty_sessions: sessionmaker[Session],
    tmp_path: Path,
) -> None:
    """Before: a law without article headings had no provisions, so the expert saw "not
    divided into provisions" and no suggestion. Now its paragraphs are reviewed (¶ 1, ¶ 2),
    the page says the library numbered them, and a confirmation cites "¶ 1"."""
    from un1540.models import Provision

    document_id, paragraph_ids = law_with_suggestions(
        empty_sessions,
        tmp_path,
        iso3="GHA",
        text=ORDER_WITHOUT_HEADINGS,
        title="Chemical Weapons (Prohibition) Order",
    )
    with empty_sessions() as session, session.begin():
        paragraphs = [session.get(Provision, i) for i in paragraph_ids]
        assert [(p.kind, p.level, p.label) for p in paragraphs if p] == [
            ("paragraph", 2, "¶ 1"),
            ("paragraph", 2, "¶ 2"),
        ]
    prohibition = paragraph_ids[0]
    number = _open_draft(empty_sessions)

    client = browser(portal)
    sign_in(client, "expert@example.org")
    page = client.get(f"/documents/{document_id}")
    assert page.status_code == 200
    assert "numbered by the library, not by the law" in page.text
    assert "not divided into provisions" not in page.text
    section = page.text.split(f'id="suggestions-{prohibition}"', 1)[1].split("</section>", 1)[0]
    action = re.search(
        rf'action="(/documents/{document_id}/provisions/{prohibition}/suggestions/([^"]+))"',
        section,
    )
    assert action, "the prohibition's paragraph gets a suggestion with its form"
    done = client.post(
        action.group(1),
        data={"csrf_token": csrf(page.text), "verdict": "confirm", "edition": str(number)},
    )
    assert done.status_code == 200
    weapon = re.search(r'name="weapons" value="([a-z]+)" checked', section)
    column = re.search(r'name="columns" value="([a-z_]+)" checked', section)
    assert weapon
    assert column
    cell = client.get(
        f"/states/GHA/editions/{number}/cells/{action.group(2)}:{weapon.group(1)}:{column.group(1)}"
    )
    assert "¶ 1" in html.unescape(cell.text)  # the citation names the library's paragraph
    assert "imprisonment for life" in html.unescape(cell.text)
    arabic = client.get(f"/documents/{document_id}?lang=ar")
    assert "مرقَّمة من المكتبة" in arabic.text  # the notice, in Arabic
