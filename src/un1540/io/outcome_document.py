"""An event's outcome document as a Word document or a PDF, written from the outcome read
(services/commitments: the commitments announced at the event, each with its status as of a
date): the same libraries as the matrix exports (python-docx; WeasyPrint from HTML). With
synthetic data, the notice heads the document and every page's header. Every text passes
`printable`."""

from __future__ import annotations

import io
from html import escape

from un1540.reference.commitments import commitment_kinds
from un1540.reference.lifecycles import lifecycle
from un1540.schemas.commitments import OutcomeRead
from un1540.schemas.text import printable
from un1540.services.kernel.instance import SYNTHETIC_NOTICE

RED = (0xB4, 0x23, 0x18)  # the notice's colour (a docx.shared.RGBColor once written)
MEDIA_TYPES = {
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "pdf": "application/pdf",
}
HEADER = ("No.", "Commitment", "By", "Kind", "Announced", "Target date", "Status", "Since")


def file_name(outcome: OutcomeRead, fmt: str) -> str:
    name = f"outcome-event-{outcome.event.id}-{outcome.as_of.isoformat()}.{fmt}"
    return f"synthetic-demo-{name}" if outcome.synthetic else name


def title(outcome: OutcomeRead) -> str:
    return f"Outcome of {printable(outcome.event.title)}"


def subtitle(outcome: OutcomeRead) -> str:
    return (
        f"Held on {outcome.event.starts_on.isoformat()}. The commitments announced there, "
        f"with their status as of {outcome.as_of.isoformat()}."
    )


def rows(outcome: OutcomeRead) -> list[list[str]]:
    kinds = commitment_kinds()
    statuses = lifecycle("commitment").statuses
    return [
        [
            str(item.commitment),
            printable(item.title),
            printable(item.owner.name),
            kinds[item.kind].name if item.kind in kinds else item.kind,
            item.announced_on.isoformat(),
            item.target_date.isoformat() if item.target_date else "",
            statuses.get(item.status, item.status) + (" (overdue)" if item.overdue else ""),
            item.since.isoformat(),
        ]
        for item in outcome.items
    ]


def counts_line(outcome: OutcomeRead) -> str:
    statuses = lifecycle("commitment").statuses
    parts = [f"{statuses[code]}: {count}" for code, count in outcome.counts.items() if count]
    return "; ".join(parts) or "No commitment recorded."


def outcome_docx(outcome: OutcomeRead) -> bytes:
    import docx  # where a document is written: a server that writes none does not hold it
    from docx.shared import Pt, RGBColor

    document = docx.Document()
    if outcome.synthetic:
        header = document.sections[0].header.paragraphs[0]
        run = header.add_run(SYNTHETIC_NOTICE)
        run.font.color.rgb = RGBColor(*RED)
        run.font.size = Pt(8)
    document.add_heading(title(outcome), level=0)
    if outcome.synthetic:
        note = document.add_paragraph().add_run(SYNTHETIC_NOTICE)
        note.bold = True
        note.font.color.rgb = RGBColor(*RED)
    document.add_paragraph(subtitle(outcome))
    document.add_paragraph(counts_line(outcome))
    body = rows(outcome)
    if body:
        table = document.add_table(rows=1, cols=len(HEADER))
        table.style = "Table Grid"
        for cell, text in zip(table.rows[0].cells, HEADER, strict=True):
            cell.text = text
            for run in cell.paragraphs[0].runs:
                run.bold = True
        for row in body:
            for cell, text in zip(table.add_row().cells, row, strict=True):
                cell.text = text
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def outcome_html(outcome: OutcomeRead) -> str:
    notice = f'<p class="notice">{escape(SYNTHETIC_NOTICE)}</p>' if outcome.synthetic else ""
    page_notice = (
        "@page { @top-center { content: '" + SYNTHETIC_NOTICE.replace("'", "\\'") + "'; "
        "color: #b42318; font-size: 7pt; } }"
        if outcome.synthetic
        else ""
    )
    head = "".join(f"<th>{escape(h)}</th>" for h in HEADER)
    body = "".join(
        "<tr>" + "".join(f"<td>{escape(value)}</td>" for value in row) + "</tr>"
        for row in rows(outcome)
    )
    table = f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>" if body else ""
    return "".join(
        [
            "<!doctype html><html lang='en'><head><meta charset='utf-8'><style>",
            "@page { size: A4 landscape; margin: 1.5cm; } " + page_notice,
            "body { font-family: sans-serif; font-size: 9pt; } table { border-collapse: "
            "collapse; width: 100%; } th, td { border: 1px solid #999; padding: 2px 4px; "
            "text-align: left; vertical-align: top; } .notice { color: #b42318; "
            "font-weight: bold; }",
            "</style></head><body>",
            f"<h1>{escape(title(outcome))}</h1>",
            notice,
            f"<p>{escape(subtitle(outcome))}</p>",
            f"<p>{escape(counts_line(outcome))}</p>",
            table,
            "</body></html>",
        ]
    )


def outcome_pdf(outcome: OutcomeRead) -> bytes:
    from weasyprint import HTML

    pdf: bytes = HTML(string=outcome_html(outcome)).write_pdf()
    return pdf


def outcome_file(outcome: OutcomeRead, fmt: str) -> tuple[bytes, str, str]:
    """(content, file name, media type) of the outcome document as `fmt` (docx or pdf)."""
    content = outcome_docx(outcome) if fmt == "docx" else outcome_pdf(outcome)
    return content, file_name(outcome, fmt), MEDIA_TYPES[fmt]
