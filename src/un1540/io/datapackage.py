"""The open dataset as a Frictionless Data Package (datapackage.json + CSVs, zipped) and as JSON.

Written reproducibly: the same data gives the same bytes (files in a fixed order, fixed zip
timestamps, the data version instead of the clock), so a download can be cited and checked.

Written as a stream (`write_open_data_files`): each table's rows are read once, one at a time,
and written at once both into its CSV inside the zip and into the gzip-compressed JSON, so the
memory a build takes does not grow with the data (issue 14: it was about 20 times the data's
size when the whole dataset, the zip and the JSON were built in memory first).

When the data is synthetic, every CSV starts with a `data_notice` column that carries the
synthetic-data notice on every row (declared in each table's schema), as every CSV twin of the
API does; the JSON says it once, at the top.

The CSV files are safe to open in a spreadsheet: a text starting with = + - @ tab or CR gets a
leading single quote (OWASP's advice; `neutralised` in schemas/text.py), and control characters
become U+FFFD. The JSON keeps every text exactly as stored: JSON is read by programs, which see
no formulas, and it can hold any character.
"""

from __future__ import annotations

import csv
import gzip
import io
import json
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import IO, Any

from un1540 import __version__
from un1540.reference.languages import N_
from un1540.schemas.text import neutralised
from un1540.services.kernel.instance import SYNTHETIC_NOTICE
from un1540.services.open_data.tables import Dataset, Table

PACKAGE_NAME = "un1540-open-data"
LICENCE = {
    "name": "CC-BY-4.0",
    "path": "https://creativecommons.org/licenses/by/4.0/",
    "title": "Creative Commons Attribution 4.0",
}
CAVEATS = N_(
    "The 1540 matrix is a reference tool for dialogue and assistance, not a measure of "
    "compliance. Coverage figures describe the information recorded, never a verdict. Fields "
    "marked verified=false in fields.csv were reconstructed from public sources and their wording "
    "is not the Committee's. The boundaries and names on maps imply no endorsement by the UN."
)
CITATION = (
    "un1540 open data: the resolution 1540 matrix and related records, version {version}, "
    "https://github.com/un1540 (accessed {day})."
)
CSV_TEXT_NOTE = (
    "In the CSV files, a text that starts with =, +, -, @, a tab or a carriage return is written "
    "with a leading single quote (') so that spreadsheets show it as text and never run it as a "
    "formula; the JSON keeps every text exactly as recorded."
)
DATA_NOTICE_COLUMN = (
    "data_notice",
    "string",
    "The synthetic-data notice: this row was generated for demonstration",
)
ZIP_TIME = (2004, 4, 28, 0, 0, 0)  # resolution 1540's adoption: any fixed time will do


def _cell(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, str):
        return neutralised(value)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, date):
        return value.isoformat()
    return value


def _json_value(value: Any) -> Any:
    return value.isoformat() if isinstance(value, date) else value


def _columns(table: Table, synthetic: bool) -> list[tuple[str, str, str]]:
    return ([DATA_NOTICE_COLUMN] if synthetic else []) + table.columns


def _resource(table: Table, synthetic: bool) -> dict[str, Any]:
    schema: dict[str, Any] = {
        "fields": [
            {"name": name, "type": kind, "description": description}
            for name, kind, description in _columns(table, synthetic)
        ],
        "missingValues": [""],
    }
    if table.primary_key:
        schema["primaryKey"] = table.primary_key
    return {
        "name": table.name.replace("_", "-"),
        "title": table.title,
        "description": table.description,
        "path": f"data/{table.name}.csv",
        "format": "csv",
        "mediatype": "text/csv",
        "encoding": "utf-8",
        "profile": "tabular-data-resource",
        "schema": schema,
    }


def descriptor(dataset: Dataset, *, as_of: date) -> dict[str, Any]:
    """The datapackage.json content."""
    description = CAVEATS
    if dataset.synthetic:
        description = f"{SYNTHETIC_NOTICE} {CAVEATS}"
    package: dict[str, Any] = {
        "profile": "tabular-data-package",
        "name": PACKAGE_NAME,
        "title": "Resolution 1540 information system: open data",
        "description": description,
        "version": __version__,
        "created": f"{as_of.isoformat()}T00:00:00Z",
        "licenses": [LICENCE],
        "citation": CITATION.format(version=__version__, day=as_of.isoformat()),
        "caveats": CAVEATS,
        "csv_text_cells": CSV_TEXT_NOTE,
        "synthetic": dataset.synthetic,
        "resources": [_resource(table, dataset.synthetic) for table in dataset.tables],
    }
    if dataset.synthetic:
        package["notice"] = SYNTHETIC_NOTICE
    return package


def _info(name: str) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name, date_time=ZIP_TIME)
    info.compress_type = zipfile.ZIP_DEFLATED
    info.external_attr = 0o644 << 16  # readable by all once unpacked
    return info


def _dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)


@dataclass(frozen=True)
class WrittenTable:
    name: str
    description: str
    csv_bytes: int  # the size of its CSV, unpacked
    rows: int


def write_open_data_files(
    dataset: Dataset,
    *,
    as_of: date,
    package: IO[bytes] | None = None,
    bulk: IO[bytes] | None = None,
    progress: Callable[[float], None] = lambda _fraction: None,
) -> list[WrittenTable]:
    """The data package (a zip: datapackage.json, README.txt, data/*.csv) into `package` and the
    bulk JSON (gzip-compressed) into `bulk`, in one pass over each table's rows, row by row.

    The JSON has the bytes `json.dumps` would give for the whole document: the metadata, then
    every table as a list of objects. `progress` is told the fraction of tables done, and is
    called every few thousand rows (so that a worker asked to stop can stop there).
    """
    descriptor_ = descriptor(dataset, as_of=as_of)
    archive = zipfile.ZipFile(package, "w") if package is not None else None
    json_out = (
        io.TextIOWrapper(
            gzip.GzipFile(filename="", mode="wb", fileobj=bulk, mtime=0),
            encoding="utf-8",
            newline="",
        )
        if bulk is not None
        else None
    )
    written: list[WrittenTable] = []
    try:
        if archive is not None:
            _package_head(archive, descriptor_)
        if json_out is not None:
            metadata = {key: value for key, value in descriptor_.items() if key != "resources"}
            json_out.write(
                f'{{"synthetic": {_dumps(dataset.synthetic)}, "notice": '
                f"{_dumps(SYNTHETIC_NOTICE if dataset.synthetic else None)}, "
                f'"metadata": {_dumps(metadata)}, "tables": {{'
            )
        for number, table in enumerate(dataset.tables):

            def step(rows: int, number: int = number) -> None:
                progress(number / len(dataset.tables))

            if json_out is not None:
                json_out.write(f"{', ' if number else ''}{_dumps(table.name)}: [")
            written.append(_write_table(table, dataset.synthetic, archive, json_out, step))
            if json_out is not None:
                json_out.write("]")
            progress((number + 1) / len(dataset.tables))
        if json_out is not None:
            json_out.write("}}")
    finally:
        if json_out is not None:
            json_out.close()  # ends the gzip stream (the file object given stays open)
        if archive is not None:
            archive.close()
    return written


def _package_head(archive: zipfile.ZipFile, package: dict[str, Any]) -> None:
    archive.writestr(_info("datapackage.json"), json.dumps(package, indent=2).encode("utf-8"))
    readme = [
        package["title"],
        "",
        package["description"],
        "",
        CSV_TEXT_NOTE,
        "",
        package["citation"],
        "",
    ]
    archive.writestr(_info("README.txt"), "\n".join(readme).encode("utf-8"))


STEP_ROWS = 5000  # rows between two calls of `progress`


def _write_table(
    table: Table,
    synthetic: bool,
    archive: zipfile.ZipFile | None,
    json_out: io.TextIOWrapper | None,
    step: Callable[[int], None],
) -> WrittenTable:
    """One table, row by row: its CSV into the zip and its objects into the JSON."""
    notice = [SYNTHETIC_NOTICE] if synthetic else []
    names = [name for name, _, _ in table.columns]
    entry = (
        archive.open(_info(f"data/{table.name}.csv"), "w", force_zip64=True)
        if archive is not None
        else None
    )
    text = io.TextIOWrapper(entry, encoding="utf-8", newline="") if entry is not None else None
    writer = csv.writer(text, lineterminator="\n") if text is not None else None
    count = 0
    try:
        if writer is not None:
            writer.writerow([name for name, _, _ in _columns(table, synthetic)])
        for row in table.stream():
            if writer is not None:
                writer.writerow(notice + [_cell(value) for value in row])
            if json_out is not None:
                item = {name: _json_value(value) for name, value in zip(names, row, strict=True)}
                json_out.write(f"{', ' if count else ''}{_dumps(item)}")
            count += 1
            if count % STEP_ROWS == 0:
                step(count)
    finally:
        if text is not None:
            text.close()  # closes the zip entry: its size and checksum are written
    size = archive.getinfo(f"data/{table.name}.csv").file_size if archive is not None else 0
    return WrittenTable(table.name, table.description, size, count)


def package_zip(dataset: Dataset, *, as_of: date) -> bytes:
    """datapackage.json, README.txt and data/*.csv in one zip, in memory (small datasets and
    tests; a build writes it into a file with `write_open_data_files`)."""
    buffer = io.BytesIO()
    write_open_data_files(dataset, as_of=as_of, package=buffer)
    return buffer.getvalue()


def dataset_json(dataset: Dataset, *, as_of: date) -> bytes:
    """Every table as a list of objects, with the package's metadata, in one JSON document."""
    buffer = io.BytesIO()
    write_open_data_files(dataset, as_of=as_of, bulk=buffer)
    return gzip.decompress(buffer.getvalue())
