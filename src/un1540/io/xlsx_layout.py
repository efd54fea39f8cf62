"""The XLSX layout of the matrix, shared by the exporter and the importer so they always agree.

An "About" sheet, then one sheet per section, laid out like the Committee's tables:

    row 1   section title
    row 2   State | | Edition | No. | Field code | Field | NW ... | CW ... | BW ... | Remarks ...
    row 3   (the column kinds under each weapon category; the cell each remark column belongs to)
    row 4+  one row per State and field: marks (X, ?, NA or empty), then one remark per cell,
            then the field's wording: "verified" or "reconstructed" (read by people, not by the
            importer, which reads the columns before it)

OP1-style sheets then have the treaty status of the OP1 treaty fields in four more columns
(headed, in row 2, treaty_status, signed_on, status_on, asserted_by: codes and ISO dates, empty
for other fields), which the importer reads back when their headers are there.

OP1-style sections have a single "Yes" column and one remark column. A cell the field does not
have (e.g. genetic engineering for nuclear) shows an em dash. The importer checks rows 2 and 3
against the framework, so a moved or renamed column is reported, never misread.
"""

from __future__ import annotations

from dataclasses import dataclass

from un1540.io.matrix_text import TREATY_COLUMNS
from un1540.reference.frameworks import ADHERENCE
from un1540.services.matrix.layout import FrameworkLayout, SectionInfo

ABOUT_SHEET = "About"
FIXED_COLUMNS = ("ISO3", "State", "Edition", "No.", "Field code", "Field")
FIRST_DATA_ROW = 4
NOT_IN_FIELD = "—"
WORDING_HEADER = "Field wording"


@dataclass(frozen=True)
class CellColumn:
    """One (weapon, column kind) slot of a section: where its mark and its remark go."""

    weapon: str
    column: str
    group_header: str  # row 2 above the mark
    kind_header: str  # row 3 above the mark
    remark_header: str  # row 3 above the remark

    def key(self, field_code: str) -> str:
        return f"{field_code}:{self.weapon}:{self.column}"


@dataclass(frozen=True)
class SectionSheet:
    section: SectionInfo
    slots: tuple[CellColumn, ...]

    @property
    def name(self) -> str:
        return self.section.code

    @property
    def mark_start(self) -> int:
        """1-based column of the first mark."""
        return len(FIXED_COLUMNS) + 1

    @property
    def remark_start(self) -> int:
        return self.mark_start + len(self.slots)

    @property
    def width(self) -> int:
        """The columns the importer reads."""
        return len(FIXED_COLUMNS) + 2 * len(self.slots)

    @property
    def wording_column(self) -> int:
        """1-based column saying whether the row's wording is verified or reconstructed."""
        return self.width + 1

    @property
    def adherence(self) -> bool:
        """An OP1-style sheet: one "Yes" column; it carries the treaty status columns."""
        return len(self.slots) == 1 and self.slots[0].weapon == "any"

    @property
    def treaty_start(self) -> int:
        """1-based column of treaty_status on an OP1-style sheet (after the wording)."""
        return self.wording_column + 1

    @property
    def read_width(self) -> int:
        """The columns the importer reads: with the treaty status on an OP1-style sheet."""
        return self.treaty_start + len(TREATY_COLUMNS) - 1 if self.adherence else self.width

    def header_rows(self) -> tuple[list[str], list[str]]:
        """Rows 2 and 3 as the importer expects them."""
        row2 = (
            list(FIXED_COLUMNS)
            + [s.group_header for s in self.slots]
            + ["Remarks"] * len(self.slots)
        )
        row3 = (
            [""] * len(FIXED_COLUMNS)
            + [s.kind_header for s in self.slots]
            + [s.remark_header for s in self.slots]
        )
        return row2, row3


def section_sheets(layout: FrameworkLayout) -> list[SectionSheet]:
    sheets = []
    for section in layout.sections:
        if list(section.layout) == [ADHERENCE]:
            slots: tuple[CellColumn, ...] = (
                CellColumn("any", ADHERENCE, "Yes", "", "Relevant information and remarks"),
            )
        else:
            slots = tuple(
                CellColumn(
                    weapon=weapon,
                    column=column,
                    group_header=weapon.upper(),
                    kind_header=layout.column_names[column],
                    remark_header=f"{weapon.upper()}: {layout.column_names[column]}",
                )
                for weapon in layout.weapon_names
                for column in section.layout
            )
        sheets.append(SectionSheet(section=section, slots=slots))
    return sheets
