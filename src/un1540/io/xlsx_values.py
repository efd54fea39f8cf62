"""A sheet's values as openpyxl's read-only `iter_rows(values_only=True)` gives them, faster.

openpyxl builds a rich-text object (`Text.from_tree`, a dozen descriptor calls) for every
inline string only to join its pieces: in a matrix export every cell is an inline string, and
that was half the time of reading the workbook of all 193 States (benchmarks/matrix_io.py). This
reader is openpyxl's own (its worksheet parser, its row filler) with one method replaced: an
inline string's text is joined straight from the XML, exactly as `Text.content` joins it (the
plain `t`, then each run's `t`; phonetic runs left out). Every other kind of cell (numbers,
dates by their style, shared strings, booleans, errors, formulas' cached values) goes through
openpyxl unchanged. tests/io/test_xlsx_values.py compares the two on every kind of cell.

It relies on openpyxl's read-only worksheet internals (pinned in constraints.txt).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from openpyxl.utils.cell import coordinate_to_tuple
from openpyxl.worksheet._read_only import ReadOnlyWorksheet
from openpyxl.worksheet._reader import INLINE_STRING, WorkSheetParser

_PLAIN = INLINE_STRING.replace("}is", "}t")


def _local(tag: object) -> str:
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def _element_text(element: Any) -> str | None:
    """`Text.from_tree` keeps the last `t` of an element, by its local name."""
    text = None
    found = False
    for child in element:
        if _local(child.tag) == "t":
            text, found = child.text, True
    return text if found else None


def inline_text(element: Any) -> str:
    """The text of an <is> element as openpyxl's `Text.from_tree(element).content` gives it."""
    if len(element) == 1 and element[0].tag == _PLAIN:  # <is><t>text</t></is>: nearly always
        return element[0].text or ""
    snippets = []
    plain = _element_text(element)
    if plain is not None:
        snippets.append(plain)
    for child in element:
        if _local(child.tag) == "r":
            run = _element_text(child)
            if run is not None:
                snippets.append(run)
    return "".join(snippets)


class _Parser(WorkSheetParser):
    def parse_cell(self, element: Any) -> dict[str, Any]:
        if element.get("t") != "inlineStr" or self.rich_text or not self.data_only:
            return super().parse_cell(element)
        # openpyxl's parse_cell for an inline string with data_only, but the text joined here.
        coordinate = element.get("r")
        style_id = element.get("s", 0)
        if style_id:
            style_id = int(style_id)
        if coordinate:
            row, column = coordinate_to_tuple(coordinate)
            self.col_counter = column
        else:
            self.col_counter += 1
            row, column = self.row_counter, self.col_counter
        value, data_type = None, "inlineStr"
        child = element.find(INLINE_STRING)
        if child is not None:
            value, data_type = inline_text(child), "s"
        return {
            "row": row,
            "column": column,
            "value": value,
            "data_type": data_type,
            "style_id": style_id,
        }


def sheet_values(sheet: ReadOnlyWorksheet, *, max_col: int) -> Iterator[tuple[object, ...]]:
    """The rows of a read-only, data-only sheet from the first, `max_col` values each: what
    `sheet.iter_rows(max_col=max_col, values_only=True)` yields (ReadOnlyWorksheet._cells_by_row
    with min_row=min_col=1, the sheet's own last row, and this module's parser)."""
    internals: Any = sheet  # openpyxl's private attributes, not in its type stubs
    max_row = sheet.max_row
    empty_row = (None,) * max_col
    counter, index = 1, 1
    workbook = internals.parent
    with internals._get_source() as source:
        parser = _Parser(
            source,
            internals._shared_strings,
            data_only=workbook.data_only,
            epoch=workbook.epoch,
            date_formats=workbook._date_formats,
            timedelta_formats=workbook._timedelta_formats,
        )
        for index, row in parser.parse():
            if max_row is not None and index > max_row:
                break
            for _ in range(counter, index):  # rows missing from the file
                counter += 1
                yield empty_row
            if counter <= index:
                counter += 1
                yield tuple(internals._get_row(row, 1, max_col, True))
    if max_row is not None and max_row < index:
        for _ in range(counter, max_row + 1):
            yield empty_row
