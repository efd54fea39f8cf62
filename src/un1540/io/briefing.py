"""A visit's briefing as a Word document or a PDF, written from the briefing read
(services/profiles/briefing.py): the visit, then the State's profile section by section.

Sections the profile does not gather yet (contacts, reporting status, action plans: None) are
left out, never shown as empty: a missing section says nothing about the State. With synthetic
data, the notice heads the document and every page's header. Every text passes `printable`."""

from __future__ import annotations

import io
from collections.abc import Sequence
from datetime import date
from html import escape
from typing import Any

from un1540.schemas.profiles import StateProfile
from un1540.schemas.text import printable
from un1540.schemas.visits import VisitRead
from un1540.services.kernel.instance import SYNTHETIC_NOTICE

RED = (0xB4, 0x23, 0x18)  # the notice's colour (a docx.shared.RGBColor once written)
MEDIA_TYPES = {
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "pdf": "application/pdf",
}
# The profile's sections wired in by other domains, shown only when gathered (not None).
LATER_SECTIONS = (
    ("contacts", "Points of contact"),
    ("reporting", "Reporting status"),
    ("action_plans", "National action plans"),
)


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float):
        return f"{value:,.2f}"
    if isinstance(value, list | tuple):
        return ", ".join(_text(item) for item in value)
    return printable(str(value))


def file_name(visit: VisitRead, fmt: str, *, synthetic: bool) -> str:
    name = f"briefing-visit-{visit.id}-{visit.state.iso3}.{fmt}"
    return f"synthetic-demo-{name}" if synthetic else name


def _generic_rows(value: Any) -> tuple[list[str], list[list[str]]]:
    """A wired section's rows, whatever its shape: a list of records, a record, or a value."""
    if hasattr(value, "model_dump"):
        value = value.model_dump(mode="json")
    if isinstance(value, dict):
        return ["item", "value"], [[str(k), _text(v)] for k, v in value.items()]
    if isinstance(value, list):
        records = [v.model_dump(mode="json") if hasattr(v, "model_dump") else v for v in value]
        if records and all(isinstance(r, dict) for r in records):
            header = list(dict.fromkeys(k for r in records for k in r))
            return header, [[_text(r.get(k)) for k in header] for r in records]
        return ["item"], [[_text(r)] for r in records]
    return ["value"], [[_text(value)]]


def briefing_tables(
    visit: VisitRead, profile: StateProfile
) -> list[tuple[str, list[str], list[list[str]]]]:
    """The briefing as titled tables (heading, header, rows), shared by both formats."""
    tables: list[tuple[str, list[str], list[list[str]]]] = []
    tables.append(
        (
            "The visit",
            ["item", "value"],
            [
                ["State", f"{visit.state.name} ({visit.state.iso3})"],
                ["Status", visit.status_name],
                ["Invitation", _text(visit.invitation)],
                ["Invited on", _text(visit.invited_on)],
                ["Accepted on", _text(visit.accepted_on)],
                [
                    "Conducted",
                    " to ".join(
                        filter(None, [_text(visit.conducted_from), _text(visit.conducted_to)])
                    ),
                ],
                ["Purpose", _text(visit.purpose)],
            ],
        )
    )
    tables.append(
        (
            "Who takes part",
            ["kind", "name", "organisation"],
            [
                [p.kind.replace("_", " "), _text(p.name), _text(p.organisation)]
                for p in visit.participants
            ],
        )
    )
    matrix = profile.matrix
    if matrix is not None:
        tables.append(
            (
                f"Matrix: edition {matrix.edition}, approved {_text(matrix.approved_on)}",
                ["cells marked X", "applicable", "blank", "coverage"],
                [
                    [
                        str(matrix.measures),
                        str(matrix.applicable),
                        str(matrix.blank),
                        f"{matrix.coverage:.0%}" if matrix.coverage is not None else "",
                    ]
                ],
            )
        )
        weapons = sorted({w for gap in matrix.gaps for w in gap.by_weapon})
        tables.append(
            (
                "Gaps by section and weapon (blank cells)",
                ["section", "blank", *weapons, "fields with gaps"],
                [
                    [
                        f"{gap.section} {gap.title}",
                        str(gap.blank),
                        *[str(gap.by_weapon.get(w, 0)) for w in weapons],
                        _text(gap.fields),
                    ]
                    for gap in matrix.gaps
                ],
            )
        )
    else:
        tables.append(("Matrix", ["note"], [["No approved edition of this State's matrix."]]))
    tables.append(
        (
            "Edition timeline",
            ["edition", "status", "approved on", "cells marked X"],
            [
                [str(e.number), e.status, _text(e.approved_on), str(e.measures)]
                for e in profile.editions
            ],
        )
    )
    for title, is_open in (("Open assistance requests", True), ("Past assistance requests", False)):
        tables.append(
            (
                title,
                ["request", "title", "status", "received on", "fields"],
                [
                    [str(r.id), _text(r.title), r.status, _text(r.received_on), _text(r.fields)]
                    for r in profile.requests
                    if r.open is is_open
                ],
            )
        )
    tables.append(
        (
            "Assistance projects",
            ["project", "title", "status", "provider", "from", "to"],
            [
                [
                    str(p.id),
                    _text(p.title),
                    p.status,
                    _text(p.provider),
                    _text(p.start_on),
                    _text(p.end_on),
                ]
                for p in profile.projects
            ],
        )
    )
    tables.append(
        (
            "Funding received",
            ["kind", "donor", "amount", "currency", "on", "project"],
            [
                [
                    f.kind,
                    _text(f.donor),
                    _text(f.amount),
                    f.currency,
                    _text(f.made_on),
                    str(f.project),
                ]
                for f in profile.funding_received
            ],
        )
    )
    tables.append(
        (
            "Other visits",
            ["visit", "status", "invited on", "conducted from"],
            [
                [str(v.id), v.status_name, _text(v.invited_on), _text(v.conducted_from)]
                for v in profile.visits
                if v.id != visit.id
            ],
        )
    )
    for key, title in LATER_SECTIONS:
        value = getattr(profile, key)
        if value is not None:
            header, rows = _generic_rows(value)
            tables.append((title, header, rows))
    if visit.findings:
        tables.append(
            (
                "Findings",
                ["field", "weapon", "finding"],
                [[f"{f.field} {f.field_name}", f.weapon, _text(f.text)] for f in visit.findings],
            )
        )
    return tables


def briefing_docx(visit: VisitRead, profile: StateProfile, *, synthetic: bool) -> bytes:
    import docx  # where a document is written: a server that writes none does not hold it
    from docx.shared import Pt, RGBColor

    document = docx.Document()
    if synthetic:
        header = document.sections[0].header.paragraphs[0]
        run = header.add_run(SYNTHETIC_NOTICE)
        run.font.color.rgb = RGBColor(*RED)
        run.font.size = Pt(8)
    document.add_heading(f"Briefing: visit {visit.id} to {printable(visit.state.name)}", level=0)
    if synthetic:
        note = document.add_paragraph().add_run(SYNTHETIC_NOTICE)
        note.bold = True
        note.font.color.rgb = RGBColor(*RED)
    document.add_paragraph(
        "Prepared from the records of the information system, as its reader may see them."
    )
    for title, header, rows in briefing_tables(visit, profile):
        document.add_heading(title, level=1)
        if not rows:
            document.add_paragraph("None recorded.")
            continue
        table = document.add_table(rows=1, cols=len(header))
        table.style = "Table Grid"
        for cell, text in zip(table.rows[0].cells, header, strict=True):
            cell.text = text
            for run in cell.paragraphs[0].runs:
                run.bold = True
        for row in rows:
            cells = table.add_row().cells
            for cell, text in zip(cells, row, strict=True):
                cell.text = text
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def _html_table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    head = "".join(f"<th>{escape(h)}</th>" for h in header)
    body = "".join(
        "<tr>" + "".join(f"<td>{escape(value)}</td>" for value in row) + "</tr>" for row in rows
    )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def briefing_html(visit: VisitRead, profile: StateProfile, *, synthetic: bool) -> str:
    notice = f'<p class="notice">{escape(SYNTHETIC_NOTICE)}</p>' if synthetic else ""
    page_notice = (
        "@page { @top-center { content: '" + SYNTHETIC_NOTICE.replace("'", "\\'") + "'; "
        "color: #b42318; font-size: 7pt; } }"
        if synthetic
        else ""
    )
    parts = [
        "<!doctype html><html lang='en'><head><meta charset='utf-8'><style>",
        "@page { size: A4; margin: 1.5cm; } " + page_notice,
        "body { font-family: sans-serif; font-size: 9pt; } table { border-collapse: collapse; "
        "width: 100%; margin-bottom: 1em; } th, td { border: 1px solid #999; padding: 2px 4px; "
        "text-align: left; vertical-align: top; } .notice { color: #b42318; font-weight: bold; }",
        "</style></head><body>",
        f"<h1>Briefing: visit {visit.id} to {escape(printable(visit.state.name))}</h1>",
        notice,
    ]
    for title, header, rows in briefing_tables(visit, profile):
        parts.append(f"<h2>{escape(title)}</h2>")
        parts.append(_html_table(header, rows) if rows else "<p>None recorded.</p>")
    parts.append("</body></html>")
    return "".join(parts)


def briefing_pdf(visit: VisitRead, profile: StateProfile, *, synthetic: bool) -> bytes:
    from weasyprint import HTML

    pdf: bytes = HTML(string=briefing_html(visit, profile, synthetic=synthetic)).write_pdf()
    return pdf


def briefing_file(
    visit: VisitRead, profile: StateProfile, fmt: str, *, synthetic: bool
) -> tuple[bytes, str, str]:
    """(content, file name, media type) of the briefing as `fmt` (docx or pdf)."""
    writer = briefing_docx if fmt == "docx" else briefing_pdf
    content = writer(visit, profile, synthetic=synthetic)
    return content, file_name(visit, fmt, synthetic=synthetic), MEDIA_TYPES[fmt]
