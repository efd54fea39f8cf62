"""The services' refusals in the reader's language (issue 13, item 1): the services raise English
messages marked N_ (errors.Text when they carry values); the portal translates them at the door,
each field by its label; the API keeps the English message and the code."""

from __future__ import annotations

import html
import re
from pathlib import Path

from babel.messages.extract import extract_from_dir
from fastapi.testclient import TestClient

from tests.portal.test_treaty_form import CELL_PATH, TREATY_PATH, _expert_with_draft
from tests.portal.test_workflow_pages import (
    Portal,
    csrf,
    portal,  # noqa: F401  (the fixture)
)
from un1540.errors import InvalidData, Problem, Text, text
from un1540.reference.languages import N_, UN_LANGUAGES
from un1540.web.i18n import CURRENT_LANGUAGE, catalogue, translated
from un1540.web.portal.forms import PYDANTIC_MESSAGES
from un1540.web.portal.messages import refusal, where_label

ROOT = Path(__file__).resolve().parents[2]
TRANSLATED = [code for code in UN_LANGUAGES if code != "en"]
PLACEHOLDER = re.compile(r"%\(\w+\)s|%%")
CELL = "op2.manufacture:nw:legal_framework"


# The readers of files a portal page imports (their refusals are shown on the import page).
IMPORT_READERS = ("matrix_import.py", "xlsx_guard.py")


def service_messages() -> set[str]:
    """Every message the services, schemas, the error tree and the import readers mark N_ (as
    pybabel finds them)."""
    found: set[str] = set()
    for folder in ("services", "schemas"):
        for _, _, message, _, _ in extract_from_dir(
            str(ROOT / "src/un1540" / folder), [("**.py", "python")], keywords={"N_": None}
        ):
            found.add(message)
    for _, _, message, _, _ in extract_from_dir(
        str(ROOT / "src/un1540/io"),
        [(name, "python") for name in IMPORT_READERS],
        keywords={"N_": None},
    ):
        found.add(message)
    for _, _, message, _, _ in extract_from_dir(
        str(ROOT / "src/un1540"), [("errors.py", "python")], keywords={"N_": None}
    ):
        found.add(message)
    return found


def test_every_marked_service_message_is_translated_in_every_catalogue() -> None:
    messages = service_messages() | set(PYDANTIC_MESSAGES.values())
    assert len(messages) > 400  # the services' refusals, not a handful
    for language in TRANSLATED:
        translations = catalogue(language)
        missing = sorted(message for message in messages if not translations.get(message))
        assert missing == [], f"{language}.po lacks {len(missing)}: {missing[:5]}"
        for message in messages:
            assert sorted(PLACEHOLDER.findall(translations[message])) == sorted(
                PLACEHOLDER.findall(message)
            ), (language, message)


def _in(language: str, message: str) -> str:
    token = CURRENT_LANGUAGE.set(language)
    try:
        return translated(message)
    finally:
        CURRENT_LANGUAGE.reset(token)


def test_a_message_is_english_for_the_api_and_translated_at_the_door() -> None:
    inner = text(N_("unknown State %(code)s"), code="'XXX'")
    outer = text(N_("invalid parameter %(names)s: %(message)s"), names="state", message=inner)
    # Whatever reads it as text (the API's error body, the CLI) reads the English.
    assert outer == "invalid parameter state: unknown State 'XXX'"
    assert isinstance(outer, Text)
    assert isinstance(outer, str)
    assert _in("en", outer) == outer
    french = _in("fr", outer)
    assert french == catalogue("fr")[outer.msgid] % {
        "names": "state",
        "message": catalogue("fr")[inner.msgid] % {"code": "'XXX'"},
    }
    assert "unknown State" not in french
    assert "'XXX'" in french
    # A plain N_ message is translated by its English words; an unknown one stays as it is.
    assert _in("ar", N_("the form is not complete")) == catalogue("ar")["the form is not complete"]
    assert _in("ar", "not a catalogue message") == "not a catalogue message"


def test_a_place_no_form_labels_is_named_in_the_readers_words() -> None:
    """Places the services or pydantic name by path ("evidence.0.page", "participants[1].kind")
    read as words in French: each part by its label, each index counted from 1; a place that
    is not such a path stays as it is."""
    fr = catalogue("fr")
    error = InvalidData(
        N_("the cell is not valid; nothing was saved"),
        problems=[
            Problem("evidence.0.page", N_("expected a non-empty text")),
            Problem("participants[1].kind", N_("expected a non-empty text")),
        ],
    )
    token = CURRENT_LANGUAGE.set("fr")
    try:
        said = refusal(error)
        kept = [where_label("report.pdf"), where_label("evidence.0.unknown_part")]
    finally:
        CURRENT_LANGUAGE.reset(token)
    page = f"{fr['Evidence']} 1, {fr['Page']}"
    kind = f"{fr['Participant']} 2, {fr['Kind']}"
    assert f"{page}: {fr['expected a non-empty text']}" in said
    assert f"{kind}: {fr['expected a non-empty text']}" in said
    assert "evidence.0.page" not in said
    assert "participants[1]" not in said
    assert kept == ["report.pdf", "evidence.0.unknown_part"]


def test_a_refusal_names_the_field_by_its_label() -> None:
    error = InvalidData(
        N_("the incident is not valid; nothing was saved"),
        problems=[Problem("occurred_on", N_("is in the future"))],
    )
    token = CURRENT_LANGUAGE.set("fr")
    try:
        said = refusal(error)
        label = where_label("occurred_on")
    finally:
        CURRENT_LANGUAGE.reset(token)
    fr = catalogue("fr")
    assert label == fr["Date of the incident"]
    assert said == (
        f"{fr['the incident is not valid; nothing was saved']} ({label}: {fr['is in the future']})"
    )
    assert error.message == "the incident is not valid; nothing was saved"  # the API's words


def _page_text(page: str) -> str:
    return html.unescape(re.sub(r"<[^>]+>", " ", page))


def _speak(client: TestClient, language: str) -> None:
    client.get(f"/?lang={language}")  # remembered in the cookie, as a reader's choice is


def test_bad_input_to_portal_forms_is_refused_in_the_readers_language(
    portal: Portal,  # noqa: F811
) -> None:
    expert = _expert_with_draft(portal)
    for language in ("fr", "ar"):  # one reader, who changes language (one sign-in for both)
        _refused_in(expert, language)


def _refused_in(expert: TestClient, language: str) -> None:
    _speak(expert, language)
    messages = catalogue(language)

    # 1. The treaty form (a service's rule, shown on the form's page, the field by its label).
    page = expert.get(CELL_PATH)
    response = expert.post(
        TREATY_PATH,
        data={
            "csrf_token": csrf(page.text),
            "status": "not_party",
            "signed_on": "1993-01-14",
            "asserted_by": "state_report",
        },
    )
    assert response.status_code == 422
    shown = _page_text(response.text)
    english = "a State that is not party has no treaty dates"
    assert f"{messages['Status']}: {messages[english]}" in shown
    assert english not in shown

    # 2. pydantic's refusal of the same form, by its type (a date that is not one).
    response = expert.post(
        TREATY_PATH,
        data={
            "csrf_token": csrf(page.text),
            "status": "signed",
            "signed_on": "not a date",
            "asserted_by": "state_report",
        },
    )
    shown = _page_text(response.text)
    assert f"{messages['Date of signature']}: {messages['is not a date (YYYY-MM-DD)']}" in shown
    assert "Input should be" not in shown
    assert "is not a date (YYYY-MM-DD)" not in shown

    # 3. The cell form: a text too long (a message with values, put in after translation).
    cell_path = f"/states/GHA/editions/1/cells/{CELL}"
    page = expert.get(cell_path)
    version = re.search(r'name="version" value="(\d+)"', page.text)
    assert version
    response = expert.post(
        cell_path,
        data={
            "csrf_token": csrf(page.text),
            "mark": "X",
            "remark": "r" * 10001,
            "version": version[1],
        },
    )
    assert response.status_code == 422
    too_long = messages["is longer than %(limit)s characters (%(length)s)"] % {
        "limit": "10,000",
        "length": "10,001",
    }
    shown = _page_text(response.text)
    assert f"{messages['Remark']}: {too_long}" in shown
    assert "is longer than" not in shown

    # 4. A flash after a redirect (forms.act): a second draft while one is open (a Conflict).
    page = expert.get("/states/GHA")
    response = expert.post(
        "/states/GHA/editions", data={"csrf_token": csrf(page.text), "reason": "again"}
    )
    assert response.status_code == 200
    shown = _page_text(response.text)
    conflict = messages[
        "%(iso3)s already has an open edition (%(number)s, %(value)s); finish or discard it first"
    ]
    # The translation with its values put in: GHA, and whatever edition and status it names.
    pattern = re.sub(r"%\\\(\w+\\\)s", ".+?", re.escape(conflict.replace("%(iso3)s", "GHA")))
    assert re.search(pattern, shown), pattern
    assert "already has an open edition" not in shown

    # 5. A file imported from the edition's page: each problem's place (line and column, the
    #    column's name as in the file) and what is wrong, in the reader's language.
    page = expert.get("/states/GHA/editions/1")
    bad = (f"iso3,cell,mark,remark\nGHA,{CELL},Y,\nXXX,{CELL},X,\n").encode()
    response = expert.post(
        "/states/GHA/editions/1/import",
        data={"csrf_token": csrf(page.text), "dry_run": "1"},
        files={"file": ("bad.csv", bad, "text/csv")},
    )
    assert response.status_code == 422
    shown = _page_text(response.text)
    where = messages["line %(line)s, column %(column)s"]
    assert messages["%(file)s was not imported; nothing was written"] % {"file": "bad.csv"} in shown
    assert where % {"line": 2, "column": "mark"} in shown
    assert messages["mark %(mark)s is not X, ?, NA or empty"] % {"mark": "'Y'"} in shown
    assert where % {"line": 3, "column": "iso3"} in shown
    unknown = messages["unknown State %(code)s (use an ISO 3166-1 alpha-3 code, e.g. FRA)"]
    assert unknown % {"code": "'XXX'"} in shown
    for english in ("was not imported", "line 2", "is not X, ?, NA", "unknown State"):
        assert english not in shown, english
    # (The API and the command line keep the English: tests/api/test_import_export_api.py,
    # tests/cli/test_users_and_files.py.)

    # The API answers in English with its code, whatever the reader's language.
    api = expert.get("/api/v1/states/XXX/matrix", headers={"Accept": "application/json"})
    assert api.status_code == 404
    body = api.json()["error"]
    assert body["code"] == "not_found"
    assert body["message"].startswith("no State with code 'XXX'")
