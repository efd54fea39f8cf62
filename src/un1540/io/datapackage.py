"""The open dataset as a Frictionless Data Package (datapackage.json + CSVs, zipped) and as JSON.

Written reproducibly: the same data gives the same bytes (files in a fixed order, fixed zip
timestamps, the data version instead of the clock), so a download can be cited and checked.

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
import io
import json
import zipfile
from datetime import date
from typing import Any

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


def table_csv(table: Table, *, synthetic: bool) -> bytes:
    """The table as CSV; when `synthetic`, a leading data_notice column on every row."""
    notice = [SYNTHETIC_NOTICE] if synthetic else []
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow([name for name, _, _ in _columns(table, synthetic)])
    writer.writerows(notice + [_cell(value) for value in row] for row in table.rows)
    return buffer.getvalue().encode("utf-8")


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


def _write(archive: zipfile.ZipFile, name: str, content: bytes) -> None:
    info = zipfile.ZipInfo(name, date_time=ZIP_TIME)
    info.compress_type = zipfile.ZIP_DEFLATED
    info.external_attr = 0o644 << 16  # readable by all once unpacked
    archive.writestr(info, content)


def package_zip(dataset: Dataset, *, as_of: date) -> bytes:
    """datapackage.json, README.txt and data/*.csv in one zip."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        package = descriptor(dataset, as_of=as_of)
        _write(archive, "datapackage.json", json.dumps(package, indent=2).encode("utf-8"))
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
        _write(archive, "README.txt", "\n".join(readme).encode("utf-8"))
        for table in dataset.tables:
            _write(archive, f"data/{table.name}.csv", table_csv(table, synthetic=dataset.synthetic))
    return buffer.getvalue()


def dataset_json(dataset: Dataset, *, as_of: date) -> bytes:
    """Every table as a list of objects, with the package's metadata, in one JSON document."""
    package = descriptor(dataset, as_of=as_of)
    body = {
        "synthetic": dataset.synthetic,
        "notice": SYNTHETIC_NOTICE if dataset.synthetic else None,
        "metadata": {key: value for key, value in package.items() if key != "resources"},
        "tables": {
            table.name: [
                {
                    name: _json_value(value)
                    for (name, _, _), value in zip(table.columns, row, strict=True)
                }
                for row in table.rows
            ]
            for table in dataset.tables
        },
    }
    return json.dumps(body, ensure_ascii=False).encode("utf-8")
