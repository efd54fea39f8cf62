"""CSV twins of the API's lists: one flat row per item, the synthetic notice on every row.

Every text goes through `neutralised` (schemas/text.py): safe to open in a spreadsheet (a text a
spreadsheet would run as a formula, starting with = + - @ tab or CR, gets a leading single quote,
as OWASP advises) and free of control characters. Numbers and dates are written as they are.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from typing import Any

from un1540.io.matrix_text import TREATY_COLUMNS, evidence_text, treaty_values
from un1540.schemas.coverage import CompareRead, CoverageRead, TrendRead
from un1540.schemas.documents import DocumentRead
from un1540.schemas.frameworks import CrosswalkList, FrameworkList
from un1540.schemas.matrix import EditionList, FieldAcrossStates, MatrixRead
from un1540.schemas.priorities import PrioritiesRead
from un1540.schemas.reporting import ReportingList
from un1540.schemas.states import StateSummary
from un1540.schemas.tallies import TallyRead
from un1540.schemas.text import neutralised
from un1540.schemas.workflow import EditionDiff
from un1540.services.kernel.instance import SYNTHETIC_NOTICE

TALLY_COLUMNS = [
    "cells",
    "measures",
    "uncertain",
    "not_applicable",
    "blank",
    "applicable",
    "coverage",
]


def write_csv(header: Sequence[str], rows: Iterable[Sequence[Any]], *, synthetic: bool) -> str:
    """CSV text; when the data is synthetic, a leading data_notice column says so on every row."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow((["data_notice"] if synthetic else []) + list(header))
    for row in rows:
        values = [_value(value) for value in row]
        writer.writerow(([SYNTHETIC_NOTICE] if synthetic else []) + values)
    return buffer.getvalue()


def _value(value: Any) -> Any:
    if value is None:
        return ""
    return neutralised(value) if isinstance(value, str) else value


def _tally(tally: TallyRead) -> list[Any]:
    coverage = None if tally.coverage is None else round(tally.coverage, 4)
    return [
        tally.cells,
        tally.measures,
        tally.uncertain,
        tally.not_applicable,
        tally.blank,
        tally.applicable,
        coverage,
    ]


def states_csv(states: list[StateSummary], *, synthetic: bool) -> str:
    header = [
        "iso3",
        "iso2",
        "m49",
        "name",
        "group",
        "region",
        "subregion",
        "editions",
        "latest_edition",
        "latest_approved_on",
        "measures",
        "coverage",
    ]
    rows = (
        [
            s.iso3,
            s.iso2,
            s.m49,
            s.name,
            s.group,
            s.region,
            s.subregion,
            s.editions,
            s.latest_edition,
            s.latest_approved_on,
            s.measures,
            None if s.coverage is None else round(s.coverage, 4),
        ]
        for s in states
    )
    return write_csv(header, rows, synthetic=synthetic)


def matrix_csv(matrix: MatrixRead) -> str:
    header = [
        "iso3",
        "edition",
        "approved_on",
        "framework",
        "section",
        "field",
        "field_number",
        "field_name",
        "reconstructed",
        "cell",
        "weapon",
        "column",
        "mark",
        "remark",
        "evidence",
        *TREATY_COLUMNS,
    ]
    edition = matrix.edition

    rows = (
        [
            matrix.state.iso3,
            edition.number,
            edition.approved_on,
            edition.framework,
            section.code,
            field.code,
            field.number,
            field.name,
            "true" if field.reconstructed else "false",
            cell.id,
            cell.weapon,
            cell.column,
            cell.mark,
            cell.remark,
            evidence_text(cell),
            *treaty_values(cell.treaty),
        ]
        for section in matrix.sections
        for field in section.fields
        for cell in field.cells
    )
    return write_csv(header, rows, synthetic=matrix.synthetic)


def editions_csv(editions: EditionList) -> str:
    header = ["iso3", "edition", "status", "approved_on", "framework", "origin", *TALLY_COLUMNS]
    rows = (
        [
            editions.state.iso3,
            e.number,
            e.status,
            e.approved_on,
            e.framework,
            e.origin,
            *_tally(e.tally),
        ]
        for e in editions.items
    )
    return write_csv(header, rows, synthetic=editions.synthetic)


def field_csv(field: FieldAcrossStates) -> str:
    """One row per State; OP1 treaty fields add the recorded treaty status and its dates."""
    treaty = bool(field.treaty_counts)
    header = [
        "iso3",
        "name",
        "group",
        "edition",
        "approved_on",
        "reconstructed",
        *field.cells,
        *TALLY_COLUMNS,
    ]
    if treaty:
        header += list(TREATY_COLUMNS)
    rows = (
        [
            row.state.iso3,
            row.state.name,
            row.group,
            row.edition,
            row.approved_on,
            "false" if field.field.verified else "true",
            *[row.marks[cell] for cell in field.cells],
            *_tally(row.tally),
            *(treaty_values(row.treaty) if treaty else []),
        ]
        for row in field.items
    )
    return write_csv(header, rows, synthetic=field.synthetic)


def crosswalk_csv(crosswalk: CrosswalkList) -> str:
    header = [
        "framework",
        "field",
        "article",
        "instrument",
        "instrument_short",
        "citation",
        "subject",
        "source",
        "confidence",
        "crosswalk",
        "note",
    ]
    rows = (
        [
            crosswalk.framework,
            link.field,
            link.article,
            link.instrument,
            link.instrument_short,
            link.citation,
            link.subject,
            link.source,
            link.confidence,
            link.crosswalk,
            link.note,
        ]
        for link in crosswalk.items
    )
    return write_csv(header, rows, synthetic=crosswalk.synthetic)


def frameworks_csv(frameworks: FrameworkList) -> str:
    header = [
        "code",
        "version",
        "slug",
        "title",
        "default",
        "loaded_at",
        "sections",
        "fields",
        "cells",
    ]
    rows = (
        [
            f.code,
            f.version,
            f.slug,
            f.title,
            f.default,
            f.loaded_at.isoformat(),
            f.sections,
            f.fields,
            f.cells,
        ]
        for f in frameworks.items
    )
    return write_csv(header, rows, synthetic=frameworks.synthetic)


def _average(value: float | None) -> float | None:
    return None if value is None else round(value, 2)


def coverage_csv(coverage: CoverageRead) -> str:
    header = ["by", "as_of", "key", "label", "states", "average_measures_per_state", *TALLY_COLUMNS]
    rows = (
        [
            coverage.by,
            coverage.as_of.isoformat() if coverage.as_of else "latest approved",
            row.key,
            row.label,
            row.states,
            _average(row.average_measures_per_state),
            *_tally(row.tally),
        ]
        for row in coverage.items
    )
    return write_csv(header, rows, synthetic=coverage.synthetic)


def trends_csv(trends: TrendRead) -> str:
    """One row per key and date of the series."""
    header = ["by", "key", "label", "on", "states", "average_measures_per_state", *TALLY_COLUMNS]
    rows = (
        [
            trends.by,
            row.key,
            row.label,
            point.on.isoformat(),
            point.states,
            _average(point.average_measures_per_state),
            *_tally(point.tally),
        ]
        for row in trends.items
        for point in row.series
    )
    return write_csv(header, rows, synthetic=trends.synthetic)


def diff_csv(diff: EditionDiff) -> str:
    header = [
        "iso3",
        "from_edition",
        "to_edition",
        "cell",
        "section",
        "field",
        "field_name",
        "weapon",
        "column",
        "change",
        "reconstructed",
        "mark_before",
        "mark_after",
        "remark_before",
        "remark_after",
    ]
    rows = (
        [
            diff.state.iso3,
            diff.before.number,
            diff.after.number,
            c.cell,
            c.section,
            c.field,
            c.field_name,
            c.weapon,
            c.column,
            c.change,
            "true" if c.reconstructed else "false",
            c.before.mark if c.before else None,
            c.after.mark if c.after else None,
            c.before.remark if c.before else None,
            c.after.remark if c.after else None,
        ]
        for c in diff.cells
    )
    return write_csv(header, rows, synthetic=diff.synthetic)


def documents_csv(documents: list[DocumentRead], *, synthetic: bool) -> str:
    header = [
        "id",
        "state",
        "kind",
        "title",
        "symbol",
        "issued_on",
        "language",
        "url",
        "visibility",
        "file_name",
        "file_sha256",
        "file_url",
    ]
    rows = (
        [
            d.id,
            d.state,
            d.kind,
            d.title,
            d.symbol,
            d.issued_on,
            d.language,
            d.url,
            d.visibility,
            d.file.name if d.file else None,
            d.file.sha256 if d.file else None,
            d.file.url if d.file else None,
        ]
        for d in documents
    )
    return write_csv(header, rows, synthetic=synthetic)


def priorities_csv(result: PrioritiesRead) -> str:
    """One row per State; for each factor its raw value, 0..1 value and points."""
    codes = [factor.code for factor in result.factors if result.weights[factor.code] > 0]
    header = ["method", "rank", "iso3", "name", "score", "rank_low", "rank_high", "stability"]
    for code in codes:
        header += [f"{code}_raw", f"{code}_value", f"{code}_points"]
    rows = []
    for row in result.items:
        parts = {part.factor: part for part in row.contributions}
        values: list[Any] = [
            result.method,
            row.rank,
            row.iso3,
            row.name,
            round(row.score, 4),
            row.rank_low,
            row.rank_high,
            round(row.stability, 3),
        ]
        for code in codes:
            part = parts[code]
            raw = None if part.raw is None else round(part.raw, 4)
            values += [raw, round(part.value, 4), round(part.points, 4)]
        rows.append(values)
    return write_csv(header, rows, synthetic=result.synthetic)


def compare_csv(result: CompareRead) -> str:
    """One row per State and key of the breakdown."""
    header = ["iso3", "name", "edition", "approved_on", "by", "key", "label", *TALLY_COLUMNS]
    rows = (
        [
            state.iso3,
            state.name,
            state.edition,
            state.approved_on.isoformat() if state.approved_on else None,
            result.by,
            row.key,
            row.label,
            *_tally(row.tally),
        ]
        for state in result.states
        for row in state.items
    )
    return write_csv(header, rows, synthetic=result.synthetic)


def reporting_csv(result: ReportingList) -> str:
    """Every State's reporting status on the date of `result`, one row per State."""
    header = [
        "iso3",
        "name",
        "group",
        "region",
        "as_of",
        "status",
        "first_report_on",
        "last_report_on",
        "years_since_last_report",
        "reports",
    ]
    rows = [
        [
            item.iso3,
            item.name,
            item.group,
            item.region,
            result.as_of.isoformat(),
            item.status,
            item.first_report_on.isoformat() if item.first_report_on else None,
            item.last_report_on.isoformat() if item.last_report_on else None,
            item.years_since_last_report,
            item.reports,
        ]
        for item in result.items
    ]
    return write_csv(header, rows, synthetic=result.synthetic)
