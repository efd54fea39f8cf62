"""A short Hypothesis run over the import parsers: random bytes, random CSV rows, random workbook
cells and random JSON bodies never raise anything but InvalidData (or a problem in the result, or
pydantic's validation error for a JSON body), and a valid file round-trips.

Derandomized (the same examples on every run) and bounded: the whole module takes a few seconds.
The parsing is pure: the database only supplies the framework, so it runs on SQLite only.
"""

from __future__ import annotations

import contextlib
import csv
import io
from dataclasses import dataclass

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from openpyxl import Workbook
from pydantic import ValidationError
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from un1540.errors import InvalidData
from un1540.io.matrix_import import ParsedMatrix, parse_matrix_file
from un1540.io.xlsx_layout import FIRST_DATA_ROW, section_sheets
from un1540.models import State
from un1540.schemas.text import REMARK, neutralised, printable
from un1540.schemas.workflow import CellUpdate, CommentCreate
from un1540.services.coverage.indicators import parse_indicators
from un1540.services.matrix.layout import FrameworkLayout, framework_layout
from un1540.services.matrix.reads.frameworks import default_framework

FUZZ = settings(
    derandomize=True,
    max_examples=60,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
MARKS = ["X", "?", "NA", ""]


@dataclass(frozen=True)
class World:
    layout: FrameworkLayout
    states: set[str]

    def parse(self, content: bytes, name: str) -> ParsedMatrix:
        return parse_matrix_file(
            content, name, layout=self.layout, states=self.states, max_bytes=2_000_000
        )


@pytest.fixture(scope="module")
def world(backend: str, request: pytest.FixtureRequest) -> World:
    if backend != "sqlite":
        pytest.skip("pure parsing: the database only supplies the framework; run once")
    engine: Engine = request.getfixturevalue("empty_engine")
    with Session(engine) as session:
        return World(
            framework_layout(session, default_framework(session)),
            set(session.scalars(select(State.iso3))),
        )


# Any text at all, control characters and lone surrogates included, some formula-like.
ANY_TEXT = st.text(max_size=40) | st.sampled_from(["=1+1", "'=x", "@SUM(A1)", "-", "\x00", "\x0c"])
# A remark as the importers store it: through the policy, without surrounding spaces.
REMARKS = st.text(
    alphabet=st.characters(blacklist_categories=("Cs", "Cc")) | st.sampled_from("\t\n=+-@'"),
    max_size=30,
)


def _checked(parsed: ParsedMatrix) -> None:
    assert parsed.problems or parsed.cells
    assert all(problem.where and problem.message for problem in parsed.problems)
    assert len(parsed.problems) <= 102


@FUZZ
@given(
    content=st.binary(max_size=3_000)
    | st.binary(max_size=3_000).map(lambda tail: b"PK\x03\x04" + tail),
    name=st.sampled_from(["m.csv", "m.xlsx", "m.txt", "M.CSV"]),
)
def test_random_bytes_are_problems_never_errors(world: World, content: bytes, name: str) -> None:
    _checked(world.parse(content, name))


@FUZZ
@given(rows=st.lists(st.lists(ANY_TEXT, min_size=0, max_size=6), max_size=12), data=st.data())
def test_random_csv_rows_are_problems_never_errors(
    world: World, rows: list[list[str]], data: st.DataObject
) -> None:
    header = data.draw(
        st.sampled_from(
            [
                ["iso3", "cell", "mark", "remark"],
                ["iso3", "field", "weapon", "column", "mark"],
                ["mark"],
                [],
            ]
        )
    )
    keys = sorted(world.layout.by_key)[:40]
    rows = [
        [data.draw(st.sampled_from(["FRA", "TCD", "ZZZ"])), data.draw(st.sampled_from(keys)), *row]
        for row in rows
    ]
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    writer.writerows(rows)
    _checked(world.parse(buffer.getvalue().encode("utf-8", "surrogatepass"), "m.csv"))


@settings(FUZZ, max_examples=8)
@given(values=st.lists(ANY_TEXT | st.integers() | st.floats() | st.none(), max_size=30))
def test_random_workbook_cells_are_problems_never_errors(
    world: World, values: list[object]
) -> None:
    workbook = Workbook()
    for sheet_layout in section_sheets(world.layout):
        sheet = workbook.create_sheet(sheet_layout.name)
        for row_number, rows in enumerate(sheet_layout.header_rows(), start=2):
            for column, text in enumerate(rows, start=1):
                sheet.cell(row=row_number, column=column, value=text)
        for index, value in enumerate(values):
            cell = sheet.cell(row=FIRST_DATA_ROW + index // 7, column=1 + index % 7)
            if isinstance(value, str):  # what openpyxl can write at all
                cell.value, cell.data_type = printable(value).replace("\ufffd", ""), "s"
            else:
                cell.value = value  # type: ignore[assignment]
    buffer = io.BytesIO()
    workbook.save(buffer)
    content = buffer.getvalue()
    _checked(world.parse(content, "m.xlsx"))
    # And the same workbook with bytes flipped inside it: still only problems.
    for offset in (len(content) // 2, len(content) - 30):
        damaged = content[:offset] + bytes([content[offset] ^ 0xFF]) + content[offset + 1 :]
        _checked(world.parse(damaged, "m.xlsx"))


@FUZZ
@given(body=st.binary(max_size=300) | st.text(max_size=200).map(str.encode))
def test_random_json_bodies_are_validation_errors_never_others(body: bytes) -> None:
    for shape in (CellUpdate, CommentCreate):
        with contextlib.suppress(ValidationError):
            shape.model_validate_json(body)


@FUZZ
@given(
    rows=st.lists(st.lists(ANY_TEXT, max_size=6), max_size=10),
    header=st.sampled_from(["iso3,indicator,value", "iso3,indicator,value,year,source", "x"]),
)
def test_random_indicator_files_are_invalid_data_never_others(
    world: World, rows: list[list[str]], header: str
) -> None:
    buffer = io.StringIO()
    buffer.write(header + "\n")
    csv.writer(buffer).writerows(rows)
    content = buffer.getvalue().encode("utf-8", "surrogatepass")
    problems = []
    try:
        parse_indicators(content, file_name="i.csv", states=world.states)
    except InvalidData as error:
        problems = error.problems
    assert problems or header != "x"  # a file without the columns is always refused


@settings(FUZZ, max_examples=20)
@given(data=st.data())
def test_a_valid_file_round_trips(world: World, data: st.DataObject) -> None:
    keys = data.draw(
        st.lists(st.sampled_from(sorted(world.layout.by_key)), min_size=1, max_size=8, unique=True)
    )
    cells = {}
    for key in keys:
        remark = REMARK.clean(data.draw(REMARKS)).strip()
        assume(REMARK.clean(remark) == remark)
        cells[key] = (data.draw(st.sampled_from(MARKS)), remark)
    # CSV, written as the CSV export writes text.
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["iso3", "cell", "mark", "remark"])
    writer.writerows(
        ["FRA", key, mark, neutralised(remark)] for key, (mark, remark) in cells.items()
    )
    parsed = world.parse(buffer.getvalue().encode(), "m.csv")
    assert not parsed.problems
    assert {c.key: (c.mark, c.remark) for c in parsed.cells} == cells
    # XLSX, laid out and written as the XLSX export writes it (text cells never formulas).
    workbook = Workbook()
    for sheet_layout in section_sheets(world.layout):
        sheet = workbook.create_sheet(sheet_layout.name)
        for row_number, header in enumerate(sheet_layout.header_rows(), start=2):
            for column, text in enumerate(header, start=1):
                sheet.cell(row=row_number, column=column, value=text or None)
        row = FIRST_DATA_ROW
        for found in sheet_layout.section.fields:
            wanted = [
                (i, s) for i, s in enumerate(sheet_layout.slots) if s.key(found.code) in cells
            ]
            if not wanted:
                continue
            for column, value in enumerate(["FRA", "France", 1, found.number, found.code], start=1):
                sheet.cell(row=row, column=column, value=value)
            for index, slot in wanted:
                mark, remark = cells[slot.key(found.code)]
                sheet.cell(row=row, column=sheet_layout.mark_start + index, value=mark or None)
                target = sheet.cell(row=row, column=sheet_layout.remark_start + index)
                target.value, target.data_type = remark or None, "s"
            row += 1
    stream = io.BytesIO()
    workbook.save(stream)
    parsed = world.parse(stream.getvalue(), "m.xlsx")
    assert not parsed.problems, parsed.problems[:3]
    got = {c.key: (c.mark, c.remark) for c in parsed.cells if c.key in cells}
    assert got == cells
    assert all(c.key in cells or (c.mark, c.remark) == ("", "") for c in parsed.cells)
