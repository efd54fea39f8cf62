"""The services' refusals in the reader's language: translated at the door, never in the services.

A service raises its error in English with a stable code (`errors.py`), its message and each
problem's message either a plain msgid marked `N_` or a `Text` (msgid plus parameters). The API
answers those unchanged; the portal shows them here: each message through `translated`, and each
problem's `where` (a form field's name) as that field's label on the portal's own forms, so the
reader sees "Date de l'incident : est dans le futur", not "occurred_on: is in the future".
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

from jinja2 import pass_context
from jinja2.runtime import Context

from un1540.errors import Problem, Un1540Error
from un1540.web.i18n import gettext, translated

TEMPLATES_DIR = Path(__file__).resolve().parents[1] / "templates"

# <label for="id">{{ _("Label") }}</label> ... <input id="id" name="name">, and a label around
# its field: <label>{{ _("Label") }} <input name="name"></label>.
_LABEL_FOR = re.compile(r'<label[^>]*\bfor="([\w.-]+)"[^>]*>\s*\{\{ _\("([^"]+)"\)')
_CONTROL = re.compile(r"<(?:input|select|textarea)\b[^>]*>")
_ATTRIBUTE = re.compile(r'\b(id|name)="([\w.-]+)"')
_WRAPPING = re.compile(
    r'<label\b[^>]*>\s*\{\{ _\("([^"]+)"\) \}\}[^<]*'
    r'<(?:input|select|textarea)\b[^>]*\bname="([\w.-]+)"'
)


@lru_cache(maxsize=1)
def labels_by_template() -> dict[str, dict[str, str]]:
    """Each portal template's form fields: name -> the English msgid of its label, read from the
    templates themselves (new forms need no list kept by hand)."""
    found: dict[str, dict[str, str]] = {}
    for path in sorted(TEMPLATES_DIR.rglob("*.html")):
        page = path.read_text(encoding="utf-8")
        by_id = dict(_LABEL_FOR.findall(page))
        labels: dict[str, str] = {}
        for control in _CONTROL.findall(page):
            attributes = dict(_ATTRIBUTE.findall(control))
            name, ident = attributes.get("name"), attributes.get("id")
            if name and ident in by_id:
                labels.setdefault(name, by_id[ident])
        for label, name in _WRAPPING.findall(page):
            labels.setdefault(name, label)
        found[path.relative_to(TEMPLATES_DIR).as_posix()] = labels
    return found


@lru_cache(maxsize=1)
def form_labels() -> dict[str, str]:
    """A field name -> its label, for names every form labels alike (a flash does not know the
    form it came from: "status" is labelled differently on different forms, so it stays as is)."""
    seen: dict[str, set[str]] = {}
    for labels in labels_by_template().values():
        for name, label in labels.items():
            seen.setdefault(name, set()).add(label)
    return {name: next(iter(labels)) for name, labels in seen.items() if len(labels) == 1}


def where_label(where: str, template: str | None = None) -> str:
    """Where a problem is, in the reader's words: a form field by its translated label (that
    template's own, when the problem is shown on the form's page; "participants[0].kind" by each
    known part); a file, row or column as the service named it."""
    labels = {**form_labels(), **labels_by_template().get(template or "", {})}
    if where in labels:
        return gettext(labels[where])
    parts = where.split(".")
    if len(parts) > 1 and any(part in labels for part in parts):
        return ".".join(gettext(labels[part]) if part in labels else part for part in parts)
    return where


@pass_context
def where_label_filter(context: Context, where: str) -> str:
    """`{{ problem.where|where_label }}`: labelled as on the page's own form."""
    return where_label(where, context.name)


def problem_text(problem: Problem) -> str:
    return f"{where_label(problem.where)}: {translated(problem.message)}"


def refusal(error: Un1540Error, *, with_where: bool = True) -> str:
    """The error's message and its problems in one line, in the reader's language."""
    if with_where:
        details = "; ".join(problem_text(problem) for problem in error.problems)
    else:
        details = "; ".join(translated(problem.message) for problem in error.problems)
    return translated(error.message) + (f" ({details})" if details else "")
