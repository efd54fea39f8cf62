"""Mapping files: how the cells of one framework version carry over to the next.

A mapping file is a CSV (UTF-8) whose first lines are `#` comments (what it maps, from which
version to which, and why), then the header `from,to,note` and one row per mapping:

    # Mapping un1540-matrix/reconstructed-2016 -> un1540-matrix/official-2026
    from,to,note
    op2.manufacture,op2.manufacture,
    op2.finance,op2.financing,renamed in the official template
    op3cd.catch_all:nw:legal_framework,op3cd.catch_all_nuclear:nw:legal_framework,
    op1.statement_no_support,,withdrawn: not carried over

- `from` and `to` are both field codes (`op2.manufacture`) or both cell keys
  (`field:weapon:column`, as in the matrix files). A field row carries every cell of the old
  field to the cell of the new field with the same weapon category and column kind; a cell row
  carries one cell, and takes precedence over a field row for that cell.
- An empty `to` drops the field or cell on purpose; it is reported as unmapped, with the note.
- Every field and cell named must exist in its version; two rows may not fill the same new cell.
  Any such problem is an error naming the file, the row (line number) and the column, and
  nothing is written.

Parsing here checks the shape of the file; the service (services/matrix/actions/migrations.py)
checks the codes against the two stored framework versions.
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
from dataclasses import dataclass

from un1540.errors import InvalidData, Problem

HEADER = ("from", "to", "note")
FIELD_CODE = re.compile(r"^[a-z][a-z0-9_]*\.[a-z][a-z0-9_]*$")
CELL_KEY = re.compile(r"^[a-z][a-z0-9_]*\.[a-z][a-z0-9_]*:[a-z][a-z0-9_]*:[a-z][a-z0-9_]*$")
MAX_MAPPING_BYTES = 5_000_000


@dataclass(frozen=True)
class MappingRow:
    line: int
    source: str
    target: str  # "" when dropped on purpose
    note: str

    @property
    def is_cell(self) -> bool:
        return ":" in self.source


@dataclass(frozen=True)
class FrameworkMapping:
    source_name: str
    sha256: str
    rows: tuple[MappingRow, ...]

    def where(self, row: MappingRow, column: str) -> str:
        return f"{self.source_name}: row {row.line}, {column}"


def _kind(code: str) -> str | None:
    if CELL_KEY.match(code):
        return "cell"
    if FIELD_CODE.match(code):
        return "field"
    return None


def parse_mapping(content: bytes, *, source_name: str) -> FrameworkMapping:
    """Check the shape of a mapping file; InvalidData names file, row and column of each problem."""
    if len(content) > MAX_MAPPING_BYTES:
        raise InvalidData(
            f"{source_name} is larger than {MAX_MAPPING_BYTES:,} bytes; nothing was written"
        )
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise InvalidData(
            f"{source_name} is not UTF-8 text",
            problems=[Problem(source_name, f"byte {error.start} is not UTF-8")],
        ) from error
    numbered = [
        (number, line)
        for number, line in enumerate(text.splitlines(keepends=True), start=1)
        if not line.startswith("#") and line.strip()
    ]
    if not numbered:
        raise InvalidData(
            f"{source_name} holds no mapping",
            problems=[Problem(source_name, "expected the header from,to,note and rows")],
        )
    reader = csv.reader(io.StringIO("".join(line for _, line in numbered)))
    records = list(reader)
    header = tuple(cell.strip() for cell in records[0])
    if header not in (HEADER, HEADER[:2]):
        raise InvalidData(
            f"{source_name} is not a mapping file",
            problems=[
                Problem(
                    f"{source_name}: row {numbered[0][0]}",
                    f"the header must be {','.join(HEADER)} (found {','.join(header)})",
                )
            ],
        )
    problems: list[Problem] = []
    rows: list[MappingRow] = []
    seen_sources: dict[str, int] = {}
    for (line, _), record in zip(numbered[1:], records[1:], strict=True):
        where = f"{source_name}: row {line}"
        if len(record) > len(header):
            problems.append(Problem(where, f"{len(record)} columns; expected {len(header)}"))
            continue
        values = [cell.strip() for cell in record] + [""] * (len(header) - len(record))
        source, target = values[0], values[1]
        note = values[2] if len(values) > 2 else ""
        source_kind = _kind(source)
        if source_kind is None:
            problems.append(
                Problem(f"{where}, from", f"{source!r} is not a field code or cell key")
            )
            continue
        if target and _kind(target) is None:
            problems.append(Problem(f"{where}, to", f"{target!r} is not a field code or cell key"))
            continue
        if target and _kind(target) != source_kind:
            problems.append(
                Problem(f"{where}, to", f"map a {source_kind} to a {source_kind}, not {target!r}")
            )
            continue
        if source in seen_sources and (
            target == "" or any(r.source == source and r.target == "" for r in rows)
        ):
            problems.append(
                Problem(
                    f"{where}, from",
                    f"{source!r} is dropped and mapped (see row {seen_sources[source]})",
                )
            )
            continue
        seen_sources.setdefault(source, line)
        rows.append(MappingRow(line=line, source=source, target=target, note=note))
    if problems:
        raise InvalidData(f"{source_name} is not a valid mapping file", problems=problems)
    return FrameworkMapping(
        source_name=source_name, sha256=hashlib.sha256(content).hexdigest(), rows=tuple(rows)
    )
