"""Context indicators for the prioritisation aid: reading the files, and the values stored.

A file is a CSV with the columns iso3, indicator, value and optionally year and source; the
indicators are the `indicator` factors of reference/priorities.yml. An import replaces the values
it names (State x indicator) and leaves the others; it writes nothing unless every row is valid
(the import itself is coverage/actions.py).
"""

from __future__ import annotations

import csv
import io
import math
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from un1540.errors import InvalidData, Problem, listed
from un1540.errors import text as text_message
from un1540.models import ContextIndicator, Origin, State
from un1540.models.base import today
from un1540.reference.languages import N_
from un1540.reference.priorities import load_priority_method
from un1540.schemas.text import FILE_NAME, INDICATOR_SOURCE
from un1540.services.kernel.access import Viewer, visible

REQUIRED_COLUMNS = ("iso3", "indicator", "value")
OPTIONAL_COLUMNS = ("year", "source")
MAX_BYTES = 5 * 1024 * 1024


@dataclass(frozen=True)
class IndicatorRow:
    iso3: str
    indicator: str
    value: float
    year: int | None
    source: str


@dataclass(frozen=True)
class IndicatorImport:
    file_name: str
    rows: int
    states: int
    indicators: tuple[str, ...]
    replaced: int  # values that existed before and were replaced
    dry_run: bool


def _text(content: bytes, file_name: str) -> str:
    if not content.strip():
        raise InvalidData(
            text_message(
                N_("%(file_name)s is empty"),
                file_name=file_name,
            ),
            problems=[Problem(file_name, N_("the file is empty"))],
        )
    if len(content) > MAX_BYTES:
        raise InvalidData(
            text_message(
                N_("%(file_name)s is too large"),
                file_name=file_name,
            ),
            problems=[
                Problem(
                    file_name,
                    text_message(
                        N_("at most %(max_bytes)s MB"),
                        max_bytes=MAX_BYTES // (1024 * 1024),
                    ),
                )
            ],
        )
    try:
        return content.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise InvalidData(
            text_message(
                N_("%(file_name)s is not UTF-8 text"),
                file_name=file_name,
            ),
            problems=[Problem(file_name, N_("not a UTF-8 CSV file (is it a spreadsheet?)"))],
        ) from error


def parse_indicators(content: bytes, *, file_name: str, states: set[str]) -> list[IndicatorRow]:
    """Every row checked; raises InvalidData naming each problem's row and column (the first
    hundred problems, then how many more), and nothing else whatever the file holds."""
    file_name = FILE_NAME.require(
        file_name, "file name", message=N_("the file was not imported; nothing was written")
    )
    reader = csv.DictReader(io.StringIO(_text(content, file_name), newline=""))
    try:
        return _rows(reader, file_name, states)
    except csv.Error as error:
        where = f"{file_name}, row {reader.reader.line_num}"
        message = (
            f"a field is longer than {csv.field_size_limit():,} characters"
            if "field larger than field limit" in str(error)
            else f"cannot be read as CSV ({error})"
        )
        raise InvalidData(
            text_message(
                N_("%(file_name)s is not a readable CSV file; nothing was imported"),
                file_name=file_name,
            ),
            problems=[Problem(where, message)],
        ) from None


def _rows(reader: csv.DictReader[str], file_name: str, states: set[str]) -> list[IndicatorRow]:
    columns = [name.strip() for name in reader.fieldnames or [] if isinstance(name, str)]
    missing = [name for name in REQUIRED_COLUMNS if name not in columns]
    unknown = [name for name in columns if name not in REQUIRED_COLUMNS + OPTIONAL_COLUMNS]
    header_problems = [
        Problem(
            f"{file_name}, header",
            text_message(
                N_("missing column %(name)s"),
                name=name,
            ),
        )
        for name in missing
    ]
    header_problems += [
        Problem(
            f"{file_name}, header",
            text_message(
                N_("unknown column %(name)s"),
                name=name[:60],
            ),
        )
        for name in unknown
    ]
    if header_problems:
        raise InvalidData(
            text_message(
                N_("%(file_name)s has the wrong columns"),
                file_name=file_name,
            ),
            problems=header_problems,
        )
    reader.fieldnames = columns
    indicators = load_priority_method().indicator_codes
    rows: list[IndicatorRow] = []
    problems: list[Problem] = []
    first_seen: dict[tuple[str, str], int] = {}
    for line, record in enumerate(reader, start=2):
        where = f"{file_name}, row {line}"
        row_problems: list[Problem] = []
        iso3 = (record.get("iso3") or "").strip().upper()
        indicator = (record.get("indicator") or "").strip()
        if iso3 not in states:
            row_problems.append(
                Problem(
                    f"{where}, column iso3",
                    text_message(
                        N_("unknown State %(iso3)s"),
                        iso3=repr(iso3[:20]),
                    ),
                )
            )
        if indicator not in indicators:
            row_problems.append(
                Problem(
                    f"{where}, column indicator",
                    text_message(
                        N_("unknown indicator %(indicator)s; known: %(indicators)s"),
                        indicator=repr(indicator[:60]),
                        indicators=", ".join(indicators),
                    ),
                )
            )
        value = _number(record.get("value"), f"{where}, column value", row_problems)
        year = _year(record.get("year"), f"{where}, column year", row_problems)
        key = (iso3, indicator)
        if key in first_seen:
            row_problems.append(
                Problem(
                    where,
                    text_message(
                        N_("duplicate of row %(first_seen)s (%(iso3)s, %(indicator)s)"),
                        first_seen=first_seen[key],
                        iso3=iso3[:20],
                        indicator=indicator[:60],
                    ),
                )
            )
        else:
            first_seen[key] = line
        source = INDICATOR_SOURCE.check(
            (record.get("source") or "").strip(), f"{where}, column source", row_problems
        )
        problems += row_problems
        if not row_problems and value is not None:
            rows.append(IndicatorRow(iso3, indicator, value, year, source))
    if not rows and not problems:
        problems.append(Problem(file_name, N_("no data rows")))
    if problems:
        raise InvalidData(
            text_message(
                N_("%(file_name)s: %(count)s problem(s); nothing was imported"),
                file_name=file_name,
                count=len(problems),
            ),
            problems=listed(problems, file_name),
        )
    return rows


def _number(text: str | None, where: str, problems: list[Problem]) -> float | None:
    raw = (text or "").strip()
    try:
        value = float(raw)
    except ValueError:
        problems.append(
            Problem(
                where,
                text_message(
                    N_("%(raw)s is not a number"),
                    raw=repr(raw),
                ),
            )
        )
        return None
    if not math.isfinite(value) or value < 0:
        problems.append(
            Problem(
                where,
                text_message(
                    N_("%(raw)s must be a finite number of 0 or more"),
                    raw=repr(raw),
                ),
            )
        )
        return None
    return value


def _year(text: str | None, where: str, problems: list[Problem]) -> int | None:
    raw = (text or "").strip()
    if not raw:
        return None
    if not raw.isdigit() or not 1945 <= int(raw) <= today().year:
        problems.append(
            Problem(
                where,
                text_message(
                    N_("%(raw)s is not a year between 1945 and this year"),
                    raw=repr(raw),
                ),
            )
        )
        return None
    return int(raw)


def indicator_values(
    session: Session, *, viewer: Viewer
) -> tuple[dict[str, dict[str, float]], bool]:
    """Each indicator's values by State code, and whether any of them is synthetic."""
    values: dict[str, dict[str, float]] = {}
    synthetic = False
    rows = session.execute(
        select(
            ContextIndicator.indicator, State.iso3, ContextIndicator.value, ContextIndicator.origin
        )
        .join(State, State.id == ContextIndicator.state_id)
        .where(visible(ContextIndicator.visibility, viewer, ContextIndicator.state_id))
    )
    for indicator, iso3, value, origin in rows:
        values.setdefault(indicator, {})[iso3] = value
        synthetic = synthetic or origin is Origin.demo
    return values, synthetic
