"""The importer's sheet reader (io/xlsx_values.py) gives exactly what openpyxl gives.

It replaces only openpyxl's reading of inline strings (the cost of reading a matrix export); the
workbook below holds every kind of cell and inline string a file may bring, written by hand
where openpyxl would not write them (rich-text runs, phonetic runs, empty and missing text,
cells without a reference, missing rows), and both readers must agree on every value.
"""

from __future__ import annotations

import io
import re
import zipfile
from datetime import date, datetime

from openpyxl import Workbook, load_workbook

from un1540.io.xlsx_values import sheet_values

NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"


def _workbook() -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "op1"
    sheet["A1"] = date(2004, 4, 28)  # gives the workbook a date style
    sheet["B1"] = "placeholder"
    buffer = io.BytesIO()
    book.save(buffer)
    source = zipfile.ZipFile(io.BytesIO(buffer.getvalue()))
    original = source.read("xl/worksheets/sheet1.xml").decode()
    found = re.search(r'<c r="A1"[^>]* s="(\d+)"', original)
    assert found is not None
    date_style = found.group(1)
    rows = "".join(
        [
            f'<row r="1"><c r="A1" s="{date_style}" t="n"><v>38105</v></c>',
            '<c r="B1" t="inlineStr"><is><t>AFG</t></is></c>',
            '<c r="C1" t="n"><v>4</v></c><c r="D1" t="n"><v>2.5</v></c>',
            '<c r="E1" t="b"><v>1</v></c></row>',
            '<row r="2"><c r="A2" t="inlineStr"><is><t/></is></c>',
            '<c r="B2" t="inlineStr"><is></is></c><c r="C2" t="inlineStr"/>',
            '<c r="E2" t="inlineStr"><is><t xml:space="preserve">  spaced  </t></is></c></row>',
            '<row r="4"><c r="A4" t="inlineStr"><is><r><t>Act </t></r>',
            '<r><rPr><b val="1"/></rPr><t>2004</t></r></is></c>',
            '<c r="B4" t="inlineStr"><is><t>plain </t><r><t>then run</t></r></is></c>',
            '<c r="C4" t="inlineStr"><is><t>kanji</t><rPh sb="0" eb="1"><t>KANA</t></rPh></is></c>',
            '<c r="D4" t="inlineStr"><is><t>first</t><t>last</t></is></c>',
            '<c r="E4" t="str"><f>1+1</f><v>2</v></c></row>',
            '<row r="5"><c t="inlineStr"><is><t>no reference</t></is></c><c t="n"><v>7</v></c>',
            '<c r="F5" t="e"><v>#N/A</v></c>',
            '<c r="G5" t="inlineStr"><is><t>past the columns read</t></is></c></row>',
            '<row r="7"><c r="B7" t="inlineStr"><is><t>X</t></is></c>',
            '<c r="C7" t="inlineStr"><is><t>— é ü 中文 العربية</t></is></c></row>',
        ]
    )
    sheet_xml = re.sub(
        r"<sheetData>.*</sheetData>",
        lambda _: f"<sheetData>{rows}</sheetData>",
        original,
        flags=re.S,
    )
    sheet_xml = re.sub(r'<dimension ref="[^"]*"/>', '<dimension ref="A1:G7"/>', sheet_xml)
    target = io.BytesIO()
    with zipfile.ZipFile(target, "w") as copy:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                data = sheet_xml.encode()
            copy.writestr(item, data)
    return target.getvalue()


def test_the_fast_reader_gives_every_value_openpyxl_gives() -> None:
    content = _workbook()
    workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    for width in (5, 6, 8):
        expected = list(workbook["op1"].iter_rows(max_col=width, values_only=True))
        assert list(sheet_values(workbook["op1"], max_col=width)) == expected
    rows = list(sheet_values(workbook["op1"], max_col=6))
    # The kinds the importer relies on, spelled out (not only "the same as openpyxl").
    first = rows[0][0]
    assert isinstance(first, datetime)  # a number, read as a date by its style
    assert first.date() == date(2004, 4, 28)
    assert rows[0][1:5] == ("AFG", 4, 2.5, True)
    assert rows[1][:5] == ("", "", None, None, "  spaced  ")
    assert rows[2] == (None,) * 6  # a row missing from the file
    assert rows[3][:4] == ("Act 2004", "plain then run", "kanji", "last")
    assert rows[4][:2] == ("no reference", 7)
    assert rows[6][1:3] == ("X", "— é ü 中文 العربية")
    workbook.close()
