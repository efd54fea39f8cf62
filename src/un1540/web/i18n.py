"""The portal in the six UN languages: which language a request uses, and its translations.

- `?lang=ar|zh|en|fr|ru|es` switches and is remembered in a cookie; otherwise the cookie, then the
  browser's Accept-Language, then English.
- Interface strings are gettext messages: catalogues in `src/un1540/locale/<lang>.po`, read with
  Babel when first needed (no compile step). English is the source language.
- The language of the request being served is a context variable, so templates, filters and
  route code all read the same one without passing it around.
"""

from __future__ import annotations

from contextvars import ContextVar
from functools import lru_cache
from http.cookies import SimpleCookie
from pathlib import Path

from babel import Locale
from babel.messages.pofile import read_po
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from un1540.errors import Text
from un1540.reference.languages import N_, UN_LANGUAGES

DEFAULT_LANGUAGE = "en"
LANGUAGE_COOKIE = "un1540_lang"
CATALOGUE_DIR = Path(__file__).resolve().parents[1] / "locale"
CURRENT_LANGUAGE: ContextVar[str] = ContextVar("un1540_language", default=DEFAULT_LANGUAGE)
__all__ = ["N_", "gettext", "language", "ngettext", "translated"]


@lru_cache(maxsize=len(UN_LANGUAGES))
def catalogue(language: str) -> dict[str, str]:
    """msgid -> translation for one language (empty for English and for missing entries)."""
    path = CATALOGUE_DIR / f"{language}.po"
    if language == DEFAULT_LANGUAGE or not path.exists():
        return {}
    with path.open("rb") as handle:
        messages = read_po(handle, locale=language)
    return {
        str(message.id): str(message.string)
        for message in messages
        if message.id and message.string and not message.fuzzy and isinstance(message.id, str)
    }


def language() -> str:
    return CURRENT_LANGUAGE.get()


def gettext(message: str) -> str:
    return catalogue(language()).get(message, message)


def ngettext(singular: str, plural: str, count: int) -> str:
    # Catalogue entries are keyed by the singular; languages with several plural forms get the
    # form for "many", which reads correctly with the number shown beside it.
    return gettext(singular) if count == 1 else gettext(plural)


def translated(message: str) -> str:
    """A service's message in the request's language: a `Text` by its msgid, its parameters put
    in after translation (a parameter that is itself a message translated first); a plain message
    by its English words (those the services marked `N_`). What the catalogue lacks, or a
    translation whose placeholders do not fit, stays English rather than failing the page."""
    if isinstance(message, Text):
        # A parameter that is itself a message (a Text, or words the services marked N_, such
        # as what was refused) is translated too; a name or a number is not in the catalogue.
        params = {
            name: translated(value) if isinstance(value, str) else value
            for name, value in message.params.items()
        }
        if not params:
            return gettext(message.msgid)
        try:
            return gettext(message.msgid) % params
        except (KeyError, TypeError, ValueError):
            return str(message)
    return gettext(message)


class CurrentTranslations:
    """The request's translations in the shape Jinja's `install_gettext_translations` wants."""

    gettext = staticmethod(gettext)
    ngettext = staticmethod(ngettext)


def direction(code: str | None = None) -> str:
    return "rtl" if Locale.parse(code or language()).character_order == "right-to-left" else "ltr"


def babel_locale(code: str | None = None) -> str:
    """The CLDR locale for numbers and dates (Chinese: simplified script)."""
    chosen = code or language()
    return "zh_Hans" if chosen == "zh" else chosen


def _from_accept_language(header: str) -> str | None:
    weighted = []
    for part in header.split(","):
        tag, _, quality = part.strip().partition(";q=")
        try:
            weight = float(quality) if quality else 1.0
        except ValueError:
            continue
        code = tag.strip().split("-")[0].lower()
        if code in UN_LANGUAGES:
            weighted.append((weight, code))
    return max(weighted)[1] if weighted else None


def choose_language(query: str, cookie_header: str, accept_language: str) -> tuple[str, bool]:
    """The request's language, and whether it was asked for explicitly (to remember it)."""
    for pair in query.split("&"):
        name, _, value = pair.partition("=")
        if name == "lang" and value in UN_LANGUAGES:
            return value, True
    cookies = SimpleCookie()
    try:
        cookies.load(cookie_header)
    except Exception:  # a malformed cookie header is ignored, as browsers do
        cookies = SimpleCookie()
    remembered = cookies.get(LANGUAGE_COOKIE)
    if remembered is not None and remembered.value in UN_LANGUAGES:
        return remembered.value, False
    return _from_accept_language(accept_language) or DEFAULT_LANGUAGE, False


class LanguageMiddleware:
    """Sets the request's language and remembers an explicit choice in a cookie."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = {
            key.decode("latin-1"): value.decode("latin-1") for key, value in scope["headers"]
        }
        chosen, explicit = choose_language(
            scope.get("query_string", b"").decode("latin-1"),
            headers.get("cookie", ""),
            headers.get("accept-language", ""),
        )
        token = CURRENT_LANGUAGE.set(chosen)

        async def remember(message: Message) -> None:
            if message["type"] == "http.response.start" and explicit:
                cookie = f"{LANGUAGE_COOKIE}={chosen}; Path=/; Max-Age=31536000; SameSite=Lax"
                message["headers"] = [*message.get("headers", []), (b"set-cookie", cookie.encode())]
            await send(message)

        try:
            await self.app(scope, receive, remember)
        finally:
            CURRENT_LANGUAGE.reset(token)
