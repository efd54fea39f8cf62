"""The Committee's regional training courses for points of contact (training-courses.csv).

Real, sourced reference data: the public record as far as we could establish it, each row with
its source. The file's header documents its columns and where it comes from; `parse_courses`
checks every row and names each problem by line and column.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from pathlib import Path

from un1540.errors import InvalidData, Problem
from un1540.reference.files import read_commented_csv, reference_path
from un1540.reference.states import load_regional_groups, load_states

COURSES_FILE = "training-courses.csv"
COLUMNS = (
    "code",
    "starts_on",
    "ends_on",
    "date_precision",
    "place",
    "country",
    "region",
    "audience",
    "funders",
    "ordinal",
    "note",
    "source",
    "source_url",
)
PRECISIONS = ("day", "month", "year")
EXTRA_REGIONS = ("osce",)  # audiences that are not a UN regional group
_CODE = re.compile(r"^[0-9]{4}-[a-z0-9-]{2,60}$")


@dataclass(frozen=True)
class TrainingCourse:
    code: str
    starts_on: date
    ends_on: date | None
    date_precision: str
    place: str
    country: str
    region: str
    audience: str
    funders: tuple[str, ...]
    ordinal: int | None
    note: str
    source: str
    source_url: str

    @property
    def when(self) -> str:
        """The date as precisely as the source gives it: 2017-08-07/2017-08-11, 2015-09, 2016."""
        if self.date_precision == "year":
            return f"{self.starts_on:%Y}"
        if self.date_precision == "month":
            return f"{self.starts_on:%Y-%m}"
        if self.ends_on is None or self.ends_on == self.starts_on:
            return self.starts_on.isoformat()
        return f"{self.starts_on.isoformat()}/{self.ends_on.isoformat()}"


def _date(value: str, where: str, problems: list[Problem]) -> date | None:
    try:
        return date.fromisoformat(value)
    except ValueError:
        problems.append(Problem(where, f"{value!r} is not a date (YYYY-MM-DD)"))
        return None


def parse_courses(
    path: Path, member_states: set[str], regions: set[str]
) -> dict[str, TrainingCourse]:
    """The file's courses by code, in the file's order; every problem named by line and column,
    nothing returned when there is one."""
    problems: list[Problem] = []
    courses: dict[str, TrainingCourse] = {}
    seen: set[str] = set()
    for line, row in read_commented_csv(path):
        where = f"{path.name}, line {line}"
        if tuple(row) != COLUMNS:
            problems.append(Problem(where, f"expected the columns {', '.join(COLUMNS)}"))
            break
        values = {name: (row[name] or "").strip() for name in COLUMNS}
        count = len(problems)
        code = values["code"]
        repeated = code in seen
        seen.add(code)
        if not _CODE.match(code):
            problems.append(Problem(f"{where}, column code", "must be YEAR-place (a-z, 0-9, -)"))
        elif repeated:
            problems.append(Problem(f"{where}, column code", f"{code} is listed twice"))
        precision = values["date_precision"]
        if precision not in PRECISIONS:
            problems.append(
                Problem(f"{where}, column date_precision", "must be day, month or year")
            )
        starts = _date(values["starts_on"], f"{where}, column starts_on", problems)
        ends = (
            _date(values["ends_on"], f"{where}, column ends_on", problems)
            if values["ends_on"]
            else None
        )
        if starts is not None:
            if precision in ("month", "year") and starts.day != 1:
                problems.append(
                    Problem(f"{where}, column starts_on", "must be the first day of the period")
                )
            if precision == "year" and starts.month != 1:
                problems.append(Problem(f"{where}, column starts_on", "must be 1 January"))
            if starts.year < 2004:
                problems.append(
                    Problem(f"{where}, column starts_on", "is before resolution 1540 (2004)")
                )
        if ends is not None and precision != "day":
            problems.append(Problem(f"{where}, column ends_on", "only with date_precision day"))
        if ends is not None and starts is not None and ends < starts:
            problems.append(Problem(f"{where}, column ends_on", "is before starts_on"))
        if values["country"] not in member_states:
            problems.append(
                Problem(f"{where}, column country", f"{values['country']!r} is not a Member State")
            )
        if values["region"] not in regions:
            problems.append(Problem(f"{where}, column region", f"unknown: {values['region']!r}"))
        for name in ("place", "audience", "source"):
            if not values[name]:
                problems.append(Problem(f"{where}, column {name}", "must not be empty"))
        url = values["source_url"]
        if url and not url.startswith("https://"):
            problems.append(Problem(f"{where}, column source_url", "must be an https:// address"))
        ordinal = values["ordinal"]
        if ordinal and not (ordinal.isdigit() and 0 < int(ordinal) < 1000):
            problems.append(Problem(f"{where}, column ordinal", "must be a number from 1"))
        if len(problems) > count or starts is None:
            continue
        courses[code] = TrainingCourse(
            code=code,
            starts_on=starts,
            ends_on=ends,
            date_precision=precision,
            place=values["place"],
            country=values["country"],
            region=values["region"],
            audience=values["audience"],
            funders=tuple(part.strip() for part in values["funders"].split(";") if part.strip()),
            ordinal=int(ordinal) if ordinal else None,
            note=values["note"],
            source=values["source"],
            source_url=url,
        )
    if problems:
        raise InvalidData(f"{path.name} is not valid", problems=problems)
    return courses


@lru_cache(maxsize=1)
def load_training_courses() -> dict[str, TrainingCourse]:
    """The courses by code, in the order of the file (oldest first)."""
    members = {state.iso3 for state in load_states()}
    regions = set(load_regional_groups()[0]) | set(EXTRA_REGIONS)
    return parse_courses(reference_path(COURSES_FILE), members, regions)
