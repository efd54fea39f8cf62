"""What a page offers its readers beyond itself: the card a link to it shows when shared (Open
Graph and Twitter meta tags), a ready citation ("Cite this page") and the code that embeds one
of its charts in another site (docs/transparency.md, "Sharing, citing, embedding, printing").

A share card is built for the public only: the page an anonymous visitor gets is the page a link
preview fetches, and it holds nothing restricted. A signed-in reader's page may show what the
public cannot see, so its tags name the instance only (its generic title and description),
never the page's own title or content.
"""

from __future__ import annotations

from html import escape
from typing import Any
from urllib.parse import urlencode

from babel.dates import format_date
from markupsafe import Markup
from starlette.requests import Request

from un1540 import __version__
from un1540.models.base import today
from un1540.services.kernel.data_version import fingerprint
from un1540.web.auth import current_viewer
from un1540.web.i18n import DEFAULT_LANGUAGE, N_, babel_locale, gettext, language

SITE_NAME = N_("Resolution 1540 information system")
SITE_DESCRIPTION = N_(
    "The resolution 1540 matrix of every State, with reporting, assistance, events and open "
    "data, for every reader."
)
SYNTHETIC_PREFIX = N_("Synthetic demo data.")
DESCRIPTION_LIMIT = 300  # characters: what link previews show at most


def _text(value: Any) -> str:
    """A block's rendered text (escaped Markup from a template) as plain, single-spaced text."""
    return " ".join(Markup(str(value or "")).striptags().split())


def _clip(text: str) -> str:
    return text if len(text) <= DESCRIPTION_LIMIT else text[: DESCRIPTION_LIMIT - 1] + "…"


def share_card(
    request: Request, title: Any, description: Any, synthetic: bool, canonical: str | None = None
) -> list[tuple[str, str, str]]:
    """The meta tags of a page's share card, (attribute, name, content), in the reader's
    language. The page's own title and description for an anonymous visitor; the instance's
    name and description for a signed-in reader (see the module's docstring)."""
    public = current_viewer(request).user_id is None and not getattr(
        request.state, "error_page", False
    )
    site = gettext(SITE_NAME)
    if public:
        page_title = _text(title) or site
        text = _text(description) or gettext(SITE_DESCRIPTION)
        url = canonical or str(request.url)
    else:
        page_title, text, url = site, gettext(SITE_DESCRIPTION), str(request.base_url)
    if synthetic:
        text = f"{gettext(SYNTHETIC_PREFIX)} {text}"
    text = _clip(text)
    return [
        ("property", "og:title", page_title),
        ("property", "og:description", text),
        ("property", "og:url", url),
        ("property", "og:type", "website"),
        ("property", "og:site_name", site),
        ("name", "twitter:card", "summary"),
        ("name", "twitter:title", page_title),
        ("name", "twitter:description", text),
        ("name", "description", text),
    ]


def canonical_url(request: Request, path: str, **params: object) -> str:
    """This instance's address of a page, with only the parameters that choose what it shows
    and the reader's language (a cached page names the page, not its first visitor's URL)."""
    query = [(key, str(value)) for key, value in params.items() if value is not None]
    if language() != DEFAULT_LANGUAGE:
        query.append(("lang", language()))
    base = str(request.base_url).rstrip("/")
    return base + path + ("?" + urlencode(query) if query else "")


def embed_snippet(request: Request, path: str, title: str) -> str:
    """The HTML a reader pastes into another site to show a chart (web/portal/embed.py)."""
    url = str(request.base_url).rstrip("/") + path
    return (
        f'<iframe src="{escape(url)}" title="{escape(title)}" width="100%" height="480" '
        'loading="lazy"></iframe>'
    )


def citation(request: Request, title: Any, canonical: str | None = None) -> dict[str, str]:
    """A ready citation of this page: its title, the publisher (this un1540 instance, with its
    version), the URL, the data version it was rendered from and the date of access."""
    session = getattr(request.state, "db_session", None)
    version = fingerprint(session) if session is not None else ""
    page_title = _text(title)
    accessed = today()
    fields = {
        "title": page_title,
        "publisher": gettext("Resolution 1540 information system (un1540 %(version)s)")
        % {"version": __version__},
        "host": request.url.netloc,
        "url": canonical or str(request.url),
        "data_version": version,
        "accessed": format_date(accessed, format="long", locale=babel_locale()),
        "accessed_iso": accessed.isoformat(),
    }
    sentence = gettext("%(title)s. %(publisher)s, %(host)s. %(url)s.") % fields
    if version:
        sentence += " " + gettext("Data version %(version)s.") % {"version": version}
    sentence += " " + gettext("Accessed on %(date)s.") % {"date": fields["accessed"]}
    fields["text"] = sentence
    return fields
