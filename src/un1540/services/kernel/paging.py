"""Cutting lists into pages."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TypeVar

from un1540.errors import InvalidParameter, Problem

T = TypeVar("T")


@dataclass(frozen=True)
class PageRequest:
    page: int = 1
    page_size: int = 50

    def __post_init__(self) -> None:
        problems = []
        if self.page < 1:
            problems.append(Problem("page", "must be 1 or more"))
        if self.page_size < 1:
            problems.append(Problem("page_size", "must be 1 or more"))
        if problems:
            raise InvalidParameter.naming(problems)

    def cut(self, items: Sequence[T]) -> list[T]:
        start = (self.page - 1) * self.page_size
        return list(items[start : start + self.page_size])


ALL = PageRequest(page=1, page_size=10**9)
