"""reference/training-courses.csv: the Committee's regional courses for points of contact, real
and sourced; every row checked, every problem named by line and column."""

from __future__ import annotations

from pathlib import Path

import pytest

from un1540.errors import InvalidData
from un1540.models.base import today
from un1540.reference.files import reference_path
from un1540.reference.training import COLUMNS, COURSES_FILE, load_training_courses, parse_courses


def test_the_shipped_courses_are_valid_and_sourced() -> None:
    courses = load_training_courses()
    assert len(courses) == 9  # FACTS.md section 5.2
    first = courses["2015-qingdao"]
    assert (first.when, first.place, first.ordinal) == ("2015-09", "Qingdao", 1)
    assert courses["2017-xian"].when == "2017-08-07/2017-08-11"
    assert courses["2019-addis-ababa"].funders == ("European Union",)
    assert courses["2024-beijing"].funders == ("China", "European Union")
    assert all(course.source for course in courses.values())
    assert all(c.source_url.startswith("https://") for c in courses.values())
    starts = [course.starts_on for course in courses.values()]
    years = [start.year for start in starts]  # the file is in the order of the record
    assert years == sorted(years)
    assert starts[-1] <= today()
    header = reference_path(COURSES_FILE).read_text(encoding="utf-8").split("\ncode,")[0]
    for column in COLUMNS:  # the header documents every column
        assert f"#   {column} " in header, column
    assert "FACTS.md section 5.2" in header
    assert "not demo data" in header


def test_bad_rows_are_named_by_line_and_column(tmp_path: Path) -> None:
    source = reference_path(COURSES_FILE).read_text(encoding="utf-8")
    header, _, _ = source.partition("\n2015-qingdao")
    bad = tmp_path / "courses.csv"
    bad.write_text(
        header
        + "\n2015-qingdao,2015-09-03,,month,Qingdao,CHN,asia_pacific,A,,1,,S,https://x.org"
        + "\n2015-qingdao,2016-02-01,2016-01-01,day,,XXX,nowhere,A,,x,,,http://x.org\n",
        encoding="utf-8",
    )
    with pytest.raises(InvalidData) as raised:
        parse_courses(bad, {"CHN"}, {"asia_pacific"})
    where = {problem.where.split(", ", 1)[1] for problem in raised.value.problems}
    line = header.count("\n") + 2
    assert where == {
        f"line {line}, column starts_on",  # not the first day of its month
        f"line {line + 1}, column code",  # listed twice
        f"line {line + 1}, column ends_on",  # before it starts
        f"line {line + 1}, column place",
        f"line {line + 1}, column country",
        f"line {line + 1}, column region",
        f"line {line + 1}, column ordinal",
        f"line {line + 1}, column source",
        f"line {line + 1}, column source_url",
    }
