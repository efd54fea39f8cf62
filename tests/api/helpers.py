"""Assertions every API test shares."""

from __future__ import annotations

import csv
import io
from typing import Any

from httpx2 import Response

from un1540.services.kernel.instance import SYNTHETIC_NOTICE


def assert_synthetic_json(response: Response) -> dict[str, Any]:
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    assert body["synthetic"] is True
    assert body["notice"] == SYNTHETIC_NOTICE
    assert response.headers["X-Synthetic-Data"] == "true"
    return body


def assert_page(body: dict[str, Any], *, page: int = 1, page_size: int = 50) -> None:
    assert set(body) >= {"items", "total", "page", "page_size"}
    assert (body["page"], body["page_size"]) == (page, page_size)
    assert len(body["items"]) == min(page_size, max(0, body["total"] - (page - 1) * page_size))


def read_csv(response: Response) -> list[dict[str, str]]:
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/csv")
    return list(csv.DictReader(io.StringIO(response.text)))


def assert_error(
    response: Response, status: int, code: str, where: str | None = None
) -> dict[str, Any]:
    assert response.status_code == status, response.text
    error: dict[str, Any] = response.json()["error"]
    assert error["code"] == code
    assert error["message"]
    if where is not None:
        assert where in {p["where"] for p in error["problems"]}, error
    return error
