"""Text the matrix documents share: the legend of marks, dates, remarks with their sources."""

from __future__ import annotations

from collections.abc import Iterable

from un1540.schemas.matrix import CellRead, MatrixRead, TreatyStatusRead

MARK_LEGEND = (
    "X: the Committee has information on a measure (a reference to the legal basis or executive "
    "practice); ?: the reference may not be relevant or is incomplete; NA: not applicable; "
    "blank: no information before the Committee; —: the field does not apply to that weapon "
    "category."
)

RECONSTRUCTED_MARK = "[reconstructed]"


def reconstructed_rows(matrix: MatrixRead) -> tuple[int, int]:
    """(rows reconstructed, rows in all) of a matrix."""
    fields = [field for section in matrix.sections for field in section.fields]
    return sum(1 for field in fields if field.reconstructed), len(fields)


def reconstructed_note(
    matrix: MatrixRead, *, marked: str = f"Each of them is marked {RECONSTRUCTED_MARK}."
) -> str:
    """What a document titled "1540 Committee matrix" must say when some of its rows are not
    the Committee's own wording (`marked`: how the document marks them); empty when every row
    was verified."""
    count, total = reconstructed_rows(matrix)
    if not count:
        return ""
    return (
        f"{count} of the {total} rows of this matrix are reconstructed: their number and wording "
        "come from resolution 1540 and published matrices and were not verified against the "
        f"Committee's own template. {marked}"
    )


def row_name(name: str, reconstructed: bool) -> str:
    """A row's name as a document prints it: with the reconstructed mark when it applies."""
    return f"{name} {RECONSTRUCTED_MARK}" if reconstructed else name


def date_text(dates: Iterable[object]) -> str:
    values = [str(d) for d in dates if d is not None]
    return ", ".join(values) if values else "–"


# An OP1 treaty cell's status as columns of the CSV and XLSX exports (read back by the import).
TREATY_COLUMNS = ("treaty_status", "signed_on", "status_on", "asserted_by")
TREATY_WORDS = {
    "signed": "Signed",
    "ratified": "Ratified",
    "acceded": "Acceded",
    "succeeded": "Succeeded",
    "not_party": "Not party",
    "state_report": "State report",
    "committee_finding": "Committee finding",
    "organisation_information": "Organisation information",
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


def treaty_text(treaty: TreatyStatusRead) -> str:
    """A treaty status as the documents print it, e.g. "Ratified 2004-02-13; signed 1993-01-13
    (asserted by: State report)"."""
    text = TREATY_WORDS[treaty.status]
    if treaty.status_on:
        text += f" {treaty.status_on.isoformat()}"
    if treaty.signed_on:
        text += ("; signed " if treaty.status != "signed" else " ") + treaty.signed_on.isoformat()
    return f"{text} (asserted by: {TREATY_WORDS[treaty.asserted_by]})"


def evidence_text(cell: CellRead) -> str:
    sources = []
    for item in cell.evidence:
        where = ", ".join(
            f"{label} {value}"
            for label, value in (
                ("p.", item.page),
                ("art.", item.article),
                ("para.", item.paragraph),
            )
            if value
        )
        sources.append(item.document.title + (f", {where}" if where else ""))
    return "; ".join(sources)


def remarks_text(cells: list[CellRead], *, with_labels: bool) -> str:
    lines = []
    for cell in cells:
        sources = f"Sources: {evidence_text(cell)}" if cell.evidence else ""
        treaty = treaty_text(cell.treaty) if cell.treaty is not None else ""
        text = " — ".join(part for part in (treaty, cell.remark, sources) if part)
        if text:
            label = (
                f"{cell.weapon.upper()} {cell.column.replace('_', ' ')}: " if with_labels else ""
            )
            lines.append(label + text)
    return "\n".join(lines)
