"""Text the matrix documents share: the legend of marks, dates, remarks with their sources."""

from __future__ import annotations

from collections.abc import Iterable

from un1540.io.language import ENGLISH, DocumentLanguage
from un1540.reference.languages import N_
from un1540.schemas.matrix import CellRead, MatrixRead, TreatyStatusRead

# Every word a matrix document prints is a msgid (the portal's catalogues, io/language.py):
# `tr` is the reader's language, English by default.
MARK_LEGEND = N_(
    "X: the Committee has information on a measure (a reference to the legal basis or executive "
    "practice); ?: the reference may not be relevant or is incomplete; NA: not applicable; "
    "blank: no information before the Committee; —: the field does not apply to that weapon "
    "category."
)

RECONSTRUCTED_MARK = N_("[reconstructed]")


def reconstructed_rows(matrix: MatrixRead) -> tuple[int, int]:
    """(rows reconstructed, rows in all) of a matrix."""
    fields = [field for section in matrix.sections for field in section.fields]
    return sum(1 for field in fields if field.reconstructed), len(fields)


def reconstructed_note(
    matrix: MatrixRead, *, marked: str | None = None, tr: DocumentLanguage = ENGLISH
) -> str:
    """What a document titled "1540 Committee matrix" must say when some of its rows are not
    the Committee's own wording (`marked`: how the document marks them, already in the
    reader's language); empty when every row was verified."""
    count, total = reconstructed_rows(matrix)
    if not count:
        return ""
    if marked is None:
        marked = tr.gettext(N_("Each of them is marked %(mark)s.")) % {
            "mark": tr.gettext(RECONSTRUCTED_MARK)
        }
    note = tr.gettext(
        N_(
            "%(count)s of the %(total)s rows of this matrix are reconstructed: their number and "
            "wording come from resolution 1540 and published matrices and were not verified "
            "against the Committee's own template."
        )
    ) % {"count": count, "total": total}
    return f"{note} {marked}"


def row_name(name: str, reconstructed: bool, tr: DocumentLanguage = ENGLISH) -> str:
    """A row's name as a document prints it: with the reconstructed mark when it applies."""
    return f"{name} {tr.gettext(RECONSTRUCTED_MARK)}" if reconstructed else name


def date_text(dates: Iterable[object]) -> str:
    values = [str(d) for d in dates if d is not None]
    return ", ".join(values) if values else "–"


# An OP1 treaty cell's status as columns of the CSV and XLSX exports (read back by the import).
TREATY_COLUMNS = ("treaty_status", "signed_on", "status_on", "asserted_by")
TREATY_WORDS = {
    "signed": N_("Signed"),
    "ratified": N_("Ratified"),
    "acceded": N_("Acceded"),
    "succeeded": N_("Succeeded"),
    "not_party": N_("Not party"),
    "state_report": N_("State report"),
    "committee_finding": N_("Committee finding"),
    "organisation_information": N_("Organisation information"),
}


def treaty_values(treaty: TreatyStatusRead | None) -> list[str]:
    """The TREATY_COLUMNS of a cell: codes and ISO dates, empty when nothing is recorded."""
    if treaty is None:
        return ["", "", "", ""]
    return [
        treaty.status,
        treaty.signed_on.isoformat() if treaty.signed_on else "",
        treaty.status_on.isoformat() if treaty.status_on else "",
        treaty.asserted_by,
    ]


def treaty_text(treaty: TreatyStatusRead, tr: DocumentLanguage = ENGLISH) -> str:
    """A treaty status as the documents print it, e.g. "Ratified 2004-02-13; signed 1993-01-13
    (asserted by: State report)"."""
    text = tr.gettext(TREATY_WORDS[treaty.status])
    if treaty.status_on:
        text += f" {treaty.status_on.isoformat()}"
    if treaty.signed_on:
        signed = tr.gettext(N_("signed"))
        text += (
            f"; {signed} " if treaty.status != "signed" else " "
        ) + treaty.signed_on.isoformat()
    asserted = tr.gettext(N_("asserted by: %(who)s")) % {
        "who": tr.gettext(TREATY_WORDS[treaty.asserted_by])
    }
    return f"{text} ({asserted})"


def evidence_text(cell: CellRead, tr: DocumentLanguage = ENGLISH) -> str:
    sources = []
    for item in cell.evidence:
        where = ", ".join(
            f"{tr.gettext(label)} {value}"
            for label, value in (
                (N_("p."), item.page),
                (N_("art."), item.article),
                (N_("para."), item.paragraph),
            )
            if value
        )
        sources.append(item.document.title + (f", {where}" if where else ""))
    return "; ".join(sources)


def remarks_text(
    cells: list[CellRead],
    *,
    with_labels: bool,
    tr: DocumentLanguage = ENGLISH,
    column_names: dict[str, str] | None = None,
) -> str:
    """Each cell's treaty status, remark and sources, one line a cell; with `with_labels`, each
    line names its weapon category and column (`column_names`: the columns' names as printed)."""
    lines = []
    for cell in cells:
        sources = (
            tr.gettext(N_("Sources: %(sources)s")) % {"sources": evidence_text(cell, tr)}
            if cell.evidence
            else ""
        )
        treaty = treaty_text(cell.treaty, tr) if cell.treaty is not None else ""
        text = " — ".join(part for part in (treaty, cell.remark, sources) if part)
        if text:
            column = (column_names or {}).get(cell.column, cell.column.replace("_", " "))
            label = f"{cell.weapon.upper()} {column}: " if with_labels else ""
            lines.append(label + text)
    return "\n".join(lines)
