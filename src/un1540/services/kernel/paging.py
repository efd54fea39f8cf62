"""Cutting lists into pages: the one way every list is paged, with a bounded page size.

Lists of records are paged in SQL (`offset`/`limit` from `PageRequest`); a summary computed in
memory (coverage by State, field or group; priorities; a State's editions) is cut with `cut`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TypeVar

from un1540.errors import InvalidParameter, Problem, text
from un1540.reference.languages import N_

T = TypeVar("T")

MAX_PAGE_SIZE = 500
MAX_PAGE = 1_000_000  # beyond any list we hold; keeps offsets far from integer overflow


@dataclass(frozen=True)
class PageRequest:
    page: int = 1
    page_size: int = 50

    def __post_init__(self) -> None:
        problems = []
        if not 1 <= self.page <= MAX_PAGE:
            problems.append(
                Problem(
                    "page",
                    text(
                        N_("must be between 1 and %(max_page)s"),
                        max_page=MAX_PAGE,
                    ),
                )
            )
        if not 1 <= self.page_size <= MAX_PAGE_SIZE:
            problems.append(
                Problem(
                    "page_size",
                    text(
                        N_("must be between 1 and %(max_page_size)s"),
                        max_page_size=MAX_PAGE_SIZE,
                    ),
                )
            )
        if problems:
            raise InvalidParameter.naming(problems)

    @property
    def offset(self) -> int:
        return (self.page - 1) * self.page_size

    def cut(self, items: Sequence[T]) -> list[T]:
        start = (self.page - 1) * self.page_size
        return list(items[start : start + self.page_size])


# The whole of a summary whose rows are bounded by the reference data (193 States, the
# framework's fields, the regional groups, a State's editions), all far below MAX_PAGE_SIZE;
# tests/services/test_paging.py checks that the largest of them fits.
SUMMARY = PageRequest(page=1, page_size=MAX_PAGE_SIZE)
