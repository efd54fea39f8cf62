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

from un1540.errors import Problem, Text, Un1540Error
from un1540.reference.languages import N_
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


# The parts of a problem's place that no form labels (the rows of a list in a form, the parts of
# a row, named by the services or by pydantic's location): "evidence.0.page" reads "Evidence 1,
# Page", "participants[1].kind" "Participant 2, Kind", each word in the reader's language.
PLACE_NAMES: dict[str, str] = {
    "evidence": N_("Evidence"),
    "page": N_("Page"),
    "article": N_("Article"),
    "paragraph": N_("Paragraph"),
    "quotation": N_("Quotation"),
    "document": N_("Document"),
    "document_id": N_("Document"),
    "documents": N_("Document"),
    "participants": N_("Participant"),
    "items": N_("Item"),
    "fulfilments": N_("Fulfilment"),
    "provision": N_("Provision"),
    "provisions": N_("Provision"),
    "cells": N_("Cell"),
    "cell": N_("Cell"),
    "text": N_("Text"),
    "language": N_("Language"),
    "languages": N_("Languages"),
    "name": N_("Name"),
    "kind": N_("Kind"),
    "field": N_("Field"),
    "treaty": N_("Treaty"),
    "mark": N_("Mark"),
    "remark": N_("Remark"),
    "help_type": N_("Kind of help"),
    "weapons": N_("Weapons"),
    "regions": N_("Regions"),
    "title": N_("Title"),
}
_PATH = re.compile(r"[a-z_]+(?:\[\d+\]|\.\d+|\.[a-z_]+)+")
_PATH_PART = re.compile(r"[a-z_]+|\d+")


def path_label(where: str, labels: dict[str, str]) -> str | None:
    """A place like "evidence.0.page" or "items[1].help_type" in the reader's words ("Preuve 1,
    Page"): each name by its form label or PLACE_NAMES, each index counted from 1; None if a
    name is known to neither (then the place is shown as it is)."""
    if not _PATH.fullmatch(where):
        return None
    words: list[str] = []
    for part in _PATH_PART.findall(where):
        if part.isdigit():
            if not words:
                return None
            words[-1] = f"{words[-1]} {int(part) + 1}"
            continue
        name = labels.get(part) or PLACE_NAMES.get(part)
        if name is None:
            return None
        words.append(gettext(name))
    return ", ".join(words)


def where_label(where: str, template: str | None = None) -> str:
    """Where a problem is, in the reader's words: a form field by its translated label (that
    template's own, when the problem is shown on the form's page; "participants[0].kind" and
    "evidence.0.page" by each part, PLACE_NAMES for the parts no form labels); a file's sheet,
    row, line or column as the reader (io/matrix_import.py) named it, translated (a `Text`);
    anything else as the service named it."""
    if isinstance(where, Text):
        return translated(where)
    labels = {**form_labels(), **labels_by_template().get(template or "", {})}
    if where in labels:
        return gettext(labels[where])
    named = path_label(where, labels)
    if named is not None:
        return named
    parts = where.split(".")
    if len(parts) > 1 and any(part in labels for part in parts):
        return ".".join(gettext(labels[part]) if part in labels else part for part in parts)
    return where


@pass_context
def where_label_filter(context: Context, where: str) -> str:
    """`{{ problem.where|where_label }}`: labelled as on the page's own form."""
    return where_label(where, context.name)


def problem_text(problem: Problem, template: str | None = None) -> str:
    return f"{where_label(problem.where, template)}: {translated(problem.message)}"


def refusal(error: Un1540Error, *, with_where: bool = True, template: str | None = None) -> str:
    """The error's message and its problems in one line, in the reader's language (each field
    by its label on `template`'s form, when given)."""
    if with_where:
        details = "; ".join(problem_text(problem, template) for problem in error.problems)
    else:
        details = "; ".join(translated(problem.message) for problem in error.problems)
    return translated(error.message) + (f" ({details})" if details else "")
