"""/api/v1/reports/review: the figures of a comprehensive review, and the report as a file."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query
from starlette.responses import Response

from un1540.io.review_report import MEDIA_TYPES, ReviewFormat, review_file
from un1540.schemas.review_statistics import ReviewStatistics
from un1540.services.coverage.reads.review_statistics import review_statistics
from un1540.services.kernel.access import PUBLIC
from un1540.web.api.common import ERRORS
from un1540.web.api.coverage import FromQuery, ToQuery
from un1540.web.deps import SessionDep
from un1540.web.responses import json_model, synthetic_headers

router = APIRouter(tags=["Coverage"])


@router.get(
    "/reports/review",
    summary="Comprehensive review figures",
    response_model=ReviewStatistics,
    responses=ERRORS,
)
def review(session: SessionDep, date_from: FromQuery, date_to: ToQuery) -> Response:
    """Every figure of the review of a period, from the public, approved editions."""
    return json_model(review_statistics(session, viewer=PUBLIC, start=date_from, end=date_to))


LanguageQuery = Annotated[
    Literal["ar", "zh", "en", "fr", "ru", "es"],
    Query(
        alias="lang",
        description="The report's language (HTML, PDF and Word; Arabic reads right to left).",
    ),
]


def _register(fmt: ReviewFormat) -> None:
    def review_as_file(
        session: SessionDep, date_from: FromQuery, date_to: ToQuery, lang: LanguageQuery = "en"
    ) -> Response:
        content, synthetic = review_file(
            session, start=date_from, end=date_to, fmt=fmt.value, language=lang
        )
        prefix = "synthetic-demo-" if synthetic else ""
        suffix = "" if lang == "en" else f"-{lang}"
        name = f"{prefix}review-{date_from}-{date_to}{suffix}.{fmt.value}"
        return Response(
            content,
            media_type=MEDIA_TYPES[fmt.value],
            headers={
                "Content-Disposition": f'attachment; filename="{name}"',
                **synthetic_headers(synthetic),
            },
        )

    review_as_file.__name__ = f"review_{fmt.value}"
    router.add_api_route(
        f"/reports/review.{fmt.value}",
        review_as_file,
        methods=["GET"],
        summary=f"Comprehensive review as {fmt.value.upper()}",
        response_class=Response,
        responses={200: {"content": {MEDIA_TYPES[fmt.value]: {}}}, **ERRORS},
    )


for _format in ReviewFormat:
    _register(_format)
