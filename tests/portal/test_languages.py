"""The portal in the six UN languages: complete catalogues, no untranslated interface string on
the key pages, right-to-left Arabic, the choice remembered, numbers and dates per locale."""

from __future__ import annotations

import html
import re
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po
from fastapi.testclient import TestClient

from un1540.reference.languages import UN_LANGUAGES
from un1540.web.i18n import CATALOGUE_DIR, CURRENT_LANGUAGE, catalogue, choose_language
from un1540.web.portal.templating import number, percent

ROOT = Path(__file__).resolve().parents[2]
TRANSLATED = [code for code in UN_LANGUAGES if code != "en"]
KEY_PAGES = [
    "/",
    "/states",
    "/states/FRA",
    "/fields",
    "/fields/op2.manufacture",
    "/dashboard",
    "/trends",
    "/compare?states=FRA,NGA",
    "/priorities",
    "/downloads",
    "/reports/review",
    "/assistance",
    "/funding",
    "/who-what-where",
]
PLACEHOLDER = re.compile(r"%\(\w+\)s|%%")


def interface_messages() -> set[str]:
    """Every interface string in the code and templates, as `pybabel extract` finds them."""
    method_map = [
        ("src/un1540/**.py", "python"),
        ("src/un1540/web/templates/**.html", "jinja2"),
        ("src/un1540/io/templates/**.html", "jinja2"),
    ]
    options = {
        "src/un1540/web/templates/**.html": {"extensions": "jinja2.ext.i18n,jinja2.ext.do"},
        "src/un1540/io/templates/**.html": {"extensions": "jinja2.ext.i18n"},
    }
    keywords = {"_": None, "gettext": None, "ngettext": (1, 2), "N_": None}
    found = set()
    for _, _, message, _, _ in extract_from_dir(str(ROOT), method_map, options, keywords=keywords):
        found.update([message] if isinstance(message, str) else message)
    return found


@pytest.mark.parametrize("language", TRANSLATED)
def test_every_interface_string_is_translated(language: str) -> None:
    messages = interface_messages()
    translations = catalogue(language)
    missing = sorted(message for message in messages if message not in translations)
    assert missing == [], f"{language}.po lacks {len(missing)}: {missing[:5]}"
    for message in messages:
        assert sorted(PLACEHOLDER.findall(translations[message])) == sorted(
            PLACEHOLDER.findall(message)
        ), (language, message)


def test_the_template_file_matches_the_code() -> None:
    """messages.pot lists exactly the code's strings (docs/development.md: how to update it)."""
    with (CATALOGUE_DIR / "messages.pot").open("rb") as handle:
        listed = {message.id for message in read_po(handle) if message.id}
    assert listed == interface_messages()


def _visible_text(page: str) -> str:
    page = re.sub(r"<(script|style)\b.*?</\1>", " ", page, flags=re.DOTALL)
    attributes = " ".join(re.findall(r'(?:aria-label|title|placeholder)="([^"]*)"', page))
    return html.unescape(re.sub(r"<[^>]+>", " ", page) + " " + attributes)


@pytest.mark.parametrize("language", TRANSLATED)
def test_key_pages_show_no_untranslated_interface_string(client: TestClient, language: str) -> None:
    translations = catalogue(language)
    # Strings of three words or more whose translation differs: their English must not show.
    english = [
        message
        for message, translated in translations.items()
        if len(message.split()) >= 3 and translated != message and "%(" not in message
    ]
    for path in KEY_PAGES:
        separator = "&" if "?" in path else "?"
        response = client.get(f"{path}{separator}lang={language}")
        assert response.status_code == 200, (path, response.text[:300])
        text = " ".join(_visible_text(response.text).split())
        leftovers = [message for message in english if " ".join(message.split()) in text]
        assert leftovers == [], (language, path, leftovers[:5])
        assert f'<html lang="{language}" dir="{"rtl" if language == "ar" else "ltr"}">' in (
            response.text
        )


def test_the_choice_is_remembered_and_the_browser_is_heard(client: TestClient) -> None:
    first = client.get("/states?lang=fr")
    assert "un1540_lang=fr" in first.headers["set-cookie"]
    assert '<html lang="fr" dir="ltr">' in client.get("/fields").text
    client.cookies.clear()
    spanish = client.get("/", headers={"Accept-Language": "de-DE, es;q=0.8, en;q=0.5"})
    assert '<html lang="es" dir="ltr">' in spanish.text
    assert choose_language("lang=xx", "", "") == ("en", False)
    assert choose_language("", "un1540_lang=zh", "fr") == ("zh", False)
    assert choose_language("lang=ru", "un1540_lang=zh", "") == ("ru", True)


def test_numbers_dates_and_names_follow_the_language(client: TestClient) -> None:
    french = client.get("/states/FRA?lang=fr").text
    assert "<h1>France " in french
    arabic = client.get("/states/FRA?lang=ar").text
    assert "فرنسا" in arabic
    chinese = client.get("/states?lang=zh").text
    assert "法国" in chinese
    russian_dates = client.get("/states/FRA?lang=ru").text
    assert re.search(
        r"\d{1,2} (января|февраля|марта|апреля|мая|июня|июля|августа|сентября|"
        r"октября|ноября|декабря) \d{4}",
        russian_dates,
    )
    home = client.get("/?lang=fr").text
    assert re.search("\\d\u00a0%", home)  # French: a no-break space before the percent sign
    token = CURRENT_LANGUAGE.set("fr")
    try:
        assert number(1556) == "1\u202f556"  # a narrow no-break space between thousands
        assert percent(0.4123, 1) == "41,2\u00a0%"
    finally:
        CURRENT_LANGUAGE.reset(token)
    # The language switcher offers every language, keeping the page.
    for code in UN_LANGUAGES:
        assert f'href="?lang={code}"' in home
