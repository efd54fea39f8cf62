"""The matrix laid out as the Committee's tables: one row per field, one column per cell kind.

Done here once, in Python, rather than by filtering cells in the template for every column.
"""

from __future__ import annotations

from dataclasses import dataclass

from un1540.schemas.matrix import CellRead, MatrixFieldRead, MatrixRead, MatrixSectionRead


@dataclass(frozen=True)
class GridColumn:
    weapon: str
    weapon_name: str
    column: str
    column_name: str


@dataclass(frozen=True)
class GridRow:
    field: MatrixFieldRead
    cells: list[CellRead | None]  # None where the field does not apply to that weapon category


@dataclass(frozen=True)
class GridSection:
    section: MatrixSectionRead
    is_adherence: bool
    columns: list[GridColumn]
    rows: list[GridRow]


def matrix_grid(matrix: MatrixRead) -> list[GridSection]:
    grids = []
    for section in matrix.sections:
        if section.layout == ["adherence"]:
            rows = [GridRow(field=field, cells=[field.cells[0]]) for field in section.fields]
            grids.append(GridSection(section=section, is_adherence=True, columns=[], rows=rows))
            continue
        columns = [
            GridColumn(weapon, weapon_name, column, matrix.column_kinds[column])
            for weapon, weapon_name in matrix.weapon_categories.items()
            for column in section.layout
        ]
        rows = []
        for field in section.fields:
            by_place = {(cell.weapon, cell.column): cell for cell in field.cells}
            rows.append(
                GridRow(field=field, cells=[by_place.get((c.weapon, c.column)) for c in columns])
            )
        grids.append(GridSection(section=section, is_adherence=False, columns=columns, rows=rows))
    return grids
