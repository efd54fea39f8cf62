"""The import parsers are bounded and never a server error: whatever a file holds, the answer is a
clear InvalidData naming the file (and the row and column where there is one), nothing is written,
and a zip bomb is refused before it is unpacked."""

from __future__ import annotations

import csv
import io
import struct
import time
import zipfile
from collections.abc import Iterator

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tests.factories import make_user
from un1540.errors import InvalidData
from un1540.io.matrix_export import ExportFormat, export_matrices
from un1540.io.matrix_import import import_matrix_file
from un1540.models import AuditEvent, ContextIndicator, MatrixEdition
from un1540.services.coverage.actions import import_indicators
from un1540.services.kernel.access import PUBLIC, Viewer

LIMIT = 25_000_000
CELL = "op2.use:nw:legal_framework"
HEADER = "iso3,cell,mark,remark\n"


@pytest.fixture
def default_csv_limit() -> Iterator[None]:
    """The csv module's field limit is process-wide, and frictionless (imported by the open-data
    tests) raises it; the server runs with the default, which these tests are about."""
    previous = csv.field_size_limit(131_072)
    yield
    csv.field_size_limit(previous)


def _refused(session: Session, viewer: Viewer, content: bytes, name: str) -> InvalidData:
    writes = session.scalar(select(func.count()).select_from(AuditEvent))
    with pytest.raises(InvalidData) as refused:
        import_matrix_file(
            session,
            viewer=viewer,
            content=content,
            file_name=name,
            only="FRA",
            dry_run=False,
            max_bytes=LIMIT,
        )
    # Nothing was written: no draft opened, no cell changed, no event recorded.
    assert session.scalar(select(func.count()).select_from(AuditEvent)) == writes
    return refused.value


def _problems(error: InvalidData) -> dict[str, str]:
    return {problem.where: problem.message for problem in error.problems}


def test_remarks_in_a_file_follow_the_text_policy_with_their_place(session: Session) -> None:
    expert = make_user(session, role="expert")
    drafts = session.scalar(select(func.count()).select_from(MatrixEdition))
    rows = [
        f"FRA,{CELL},X,fine",
        "FRA,op2.use:cw:legal_framework,X," + "r" * 10_001,
        "FRA,op2.use:bw:legal_framework,X,Act\x00 12",
        'FRA,op2.manufacture:nw:legal_framework,?,"line\x0cbreak"',
    ]
    error = _refused(session, expert, (HEADER + "\n".join(rows) + "\n").encode(), "fra.csv")
    problems = _problems(error)
    assert problems["line 3, column remark"] == (
        "the remark is longer than 10,000 characters (10,001)"
    )
    assert problems["line 4, column remark"].startswith(
        "the remark contains the control character U+0000 (NUL) at character 4"
    )
    assert len(problems) == 2  # the form feed is a line break, not a problem
    assert session.scalar(select(func.count()).select_from(MatrixEdition)) == drafts


@pytest.mark.usefixtures("default_csv_limit")
def test_a_csv_field_past_the_csv_modules_limit_is_named_not_a_server_error(
    session: Session,
) -> None:
    expert = make_user(session, role="expert")
    content = f'{HEADER}FRA,{CELL},X,"{"r" * 200_000}"\n'.encode()
    problems = _problems(_refused(session, expert, content, "long.csv"))
    assert problems == {
        "long.csv, line 2": "a field is longer than 131,072 characters (a remark takes at most "
        "10,000)"
    }


def test_problems_stop_at_a_hundred_and_say_how_many_more(session: Session) -> None:
    expert = make_user(session, role="expert")
    content = (HEADER + "".join(f"FRA,{CELL},Q{n},\n" for n in range(250))).encode()
    error = _refused(session, expert, content, "bad.csv")
    assert len(error.problems) == 101
    assert error.problems[-1].where == "bad.csv"
    assert error.problems[-1].message.startswith("150 more problem(s) not listed")


def test_a_csv_longer_than_any_matrix_stops_being_read(session: Session) -> None:
    expert = make_user(session, role="expert")
    content = (HEADER + f"FRA,{CELL},X,\n" * 70_000).encode()
    started = time.perf_counter()
    error = _refused(session, expert, content, "huge.csv")
    assert time.perf_counter() - started < 20
    # The first hundred problems, the reason reading stopped, and how many more were found.
    assert len(error.problems) == 102
    assert "reading stopped there" in error.problems[100].message
    assert "more problem(s) not listed" in error.problems[101].message


def _sheet_replaced(session: Session, sheet_xml: bytes) -> bytes:
    """FRA's XLSX export with its first section sheet replaced."""
    content = export_matrices(session, viewer=PUBLIC, iso3="FRA", fmt=ExportFormat.xlsx).content
    source = zipfile.ZipFile(io.BytesIO(content))
    output = io.BytesIO()
    with zipfile.ZipFile(output, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            data = source.read(item.filename)
            target.writestr(
                item.filename, sheet_xml if item.filename.endswith("sheet2.xml") else data
            )
    return output.getvalue()


SHEET = b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'


def test_broken_workbooks_are_named_not_a_server_error(session: Session) -> None:
    expert = make_user(session, role="expert")
    not_a_zip = _refused(session, expert, b"PK\x03\x04 not really a zip", "fake.xlsx")
    assert not_a_zip.problems[0].where == "fake.xlsx"
    assert "not a readable XLSX workbook" in not_a_zip.problems[0].message
    broken = _refused(session, expert, _sheet_replaced(session, SHEET + b"<row><c>"), "cut.xlsx")
    assert broken.problems[0].where == "cut.xlsx"
    assert "broken XML" in broken.problems[0].message
    entity = b'<?xml version="1.0"?><!DOCTYPE w [<!ENTITY a "aaaaaaaaaa">]>' + SHEET
    doctype = _refused(session, expert, _sheet_replaced(session, entity), "dtd.xlsx")
    assert "DOCTYPE" in doctype.problems[0].message


def test_a_zip_bomb_is_refused_before_it_is_unpacked(session: Session) -> None:
    """A 5 MB row of empty cells (200 KB zipped) made openpyxl hold a million cells at once."""
    expert = make_user(session, role="expert")
    row = SHEET + b"<row>" + b"<c/>" * 1_250_000 + b"</row></sheetData></worksheet>"
    bomb = _sheet_replaced(session, row)
    assert len(bomb) < 300_000
    started = time.perf_counter()
    error = _refused(session, expert, bomb, "bomb.xlsx")
    assert time.perf_counter() - started < 10
    assert [p.message for p in error.problems] == [
        "xl/worksheets/sheet2.xml has more cells than a matrix sheet can (211,310 in all, "
        "16,384 in a row)"
    ]
    # A zip that declares gigabytes is refused from its directory alone.
    declared = bytearray(_sheet_replaced(session, SHEET + b"</sheetData></worksheet>"))
    entry = declared.index(b"PK\x01\x02")
    while b"sheet2.xml" not in declared[entry + 46 : entry + 46 + 40]:
        entry = declared.index(b"PK\x01\x02", entry + 4)
    declared[entry + 24 : entry + 28] = struct.pack("<I", 3_000_000_000)
    huge = _refused(session, expert, bytes(declared), "huge.xlsx")
    assert huge.problems[0].message.startswith("would unpack to 3,000 MB")


@pytest.mark.usefixtures("default_csv_limit")
def test_the_indicator_import_is_bounded_too(session: Session) -> None:
    expert = make_user(session, role="expert")
    before = session.scalar(select(func.count()).select_from(ContextIndicator))

    def refused(content: str) -> InvalidData:
        with pytest.raises(InvalidData) as error:
            import_indicators(session, content=content.encode(), file_name="ind.csv", viewer=expert)
        return error.value

    header = "iso3,indicator,value,source\n"
    long_field = refused(header + f'FRA,transit_hub,1,"{"s" * 200_000}"\n')
    assert _problems(long_field) == {"ind.csv, row 2": "a field is longer than 131,072 characters"}
    control = refused(header + "FRA,transit_hub,1,World Bank\x1b\n")
    assert "ind.csv, row 2, column source" in _problems(control)
    many = refused(header + "".join(f"Z{n:03d},transit_hub,1,\n" for n in range(150)))
    assert len(many.problems) == 101
    assert many.problems[-1].message.startswith("50 more problem(s) not listed")
    assert session.scalar(select(func.count()).select_from(ContextIndicator)) == before


def test_a_formula_neutralised_by_the_csv_export_imports_as_it_was(session: Session) -> None:
    expert = make_user(session, role="expert")
    content = f"{HEADER}FRA,{CELL},X,'=SUM(1+1)\n".encode()
    report = import_matrix_file(
        session,
        viewer=expert,
        content=content,
        file_name="fra.csv",
        only="FRA",
        dry_run=True,
        max_bytes=LIMIT,
    )
    after = report.states[0].changes[0].after
    assert after is not None
    assert after.remark == "=SUM(1+1)"
