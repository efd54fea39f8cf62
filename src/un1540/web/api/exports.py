"""/api/v1: matrices as files (XLSX, DOCX, PDF; and every State at once), and importing a file."""

from __future__ import annotations

from typing import Annotated, Any, Literal

import anyio.to_thread
from fastapi import APIRouter, File, Form, Query, UploadFile
from starlette.responses import FileResponse, Response

from un1540.io.builds import every_matrix_build, ready_file
from un1540.io.matrix_export import MEDIA_TYPES, ExportedFile, ExportFormat, export_matrices
from un1540.io.matrix_import import import_matrix_file
from un1540.schemas.common import ErrorResponse
from un1540.schemas.text import REASON
from un1540.schemas.workflow import ImportReport
from un1540.web.api.build_responses import BUILD_RESPONSES, not_ready, version_headers
from un1540.web.api.common import (
    ERRORS,
    PAYLOAD_TOO_LARGE,
    WRITE_ERRORS,
    Iso3Path,
    NumberPath,
)
from un1540.web.deps import SessionDep, SettingsDep, ViewerDep, WriterDep
from un1540.web.guards import GuardedRoute, guarded, may_import
from un1540.web.params import EditionQuery
from un1540.web.responses import json_model, synthetic_headers
from un1540.web.uploads import read_limited

router = APIRouter(tags=["Import and export"], route_class=GuardedRoute)


def file_responses(fmt: ExportFormat) -> dict[int | str, dict[str, Any]]:
    """The file in this format (its real media type), or an error."""
    media_type = MEDIA_TYPES[fmt].split(";")[0]
    return {200: {"content": {media_type: {}}, "description": "The file."}, **ERRORS}


def _file(exported: ExportedFile) -> Response:
    headers = {"Content-Disposition": f'attachment; filename="{exported.file_name}"'}
    return Response(
        exported.content,
        media_type=exported.media_type,
        headers=headers | synthetic_headers(exported.synthetic),
    )


ExportLanguageQuery = Annotated[
    Literal["ar", "zh", "en", "fr", "ru", "es"],
    Query(
        alias="lang",
        description="The file's language: headings, column headers, status words and notes, "
        "and the framework's own titles of fields and sections where it has them (the "
        "official English titles otherwise). Arabic reads right to left.",
    ),
]


def _one_state_route(fmt: ExportFormat, summary: str) -> None:
    def route(
        session: SessionDep,
        viewer: ViewerDep,
        iso3: Iso3Path,
        edition: EditionQuery = None,
        lang: ExportLanguageQuery = "en",
    ) -> Response:
        return _file(
            export_matrices(
                session, viewer=viewer, iso3=iso3, fmt=fmt, edition=edition, language=lang
            )
        )

    route.__name__ = f"state_matrix_{fmt.value}"
    router.add_api_route(
        f"/states/{{iso3}}/matrix.{fmt.value}",
        route,
        methods=["GET"],
        summary=summary,
        response_class=Response,
        responses=file_responses(fmt),
    )


def all_states_responses(fmt: ExportFormat) -> dict[int | str, dict[str, Any]]:
    """The file (as for one State), a build under way, or the errors of a signed-in export."""
    return {**file_responses(fmt), **BUILD_RESPONSES, **SIGNED_IN_EXPORT_ERRORS}


SIGNED_IN_EXPORT_ERRORS: dict[int | str, dict[str, Any]] = {
    401: {"model": ErrorResponse, "description": "Sign in or send an API token."},
    429: {
        "model": ErrorResponse,
        "description": "Asked too often this hour (UN1540_EXPORT_REQUESTS_PER_HOUR); see "
        "`Retry-After`.",
    },
}


def _all_states_route(fmt: ExportFormat) -> None:
    def route(
        session: SessionDep,
        viewer: ViewerDep,
        settings: SettingsDep,
        lang: ExportLanguageQuery = "en",
    ) -> Response:
        state = every_matrix_build(
            session, viewer=viewer, fmt=fmt, settings=settings, language=lang
        )
        if state.ready is None:
            return not_ready(state, viewer)
        path, name, media_type = ready_file(settings, state.ready)
        synthetic = bool(state.ready.details.get("synthetic"))
        return FileResponse(
            path,
            media_type=media_type,
            filename=name,
            headers=synthetic_headers(synthetic) | version_headers(state),
        )

    route.__name__ = f"all_matrices_{fmt.value}"
    router.add_api_route(
        f"/matrices.{fmt.value}",
        route,
        methods=["GET"],
        summary=f"Every State's latest approved matrix as {fmt.value.upper()} (signed in)",
        description=(
            "Signed-in accounts only, a limited number of times an hour. Built in the "
            "background once per data version and language (`lang`: XLSX, DOCX and PDF; CSV "
            "and JSON are the same in every language): the newest build is served at once "
            "(its data version in `X-Data-Version`; `X-Newer-Build` names a newer build under "
            "way); before the first build is ready, 202 with the build's progress."
        ),
        response_class=Response,
        responses=all_states_responses(fmt),
    )


_one_state_route(ExportFormat.xlsx, "A State's matrix as XLSX (a sheet per section)")
_one_state_route(ExportFormat.docx, "A State's matrix as a Word document, like the Committee's")
_one_state_route(ExportFormat.pdf, "A State's matrix as PDF")
for _format in ExportFormat:
    _all_states_route(_format)


@router.post(
    "/states/{iso3}/editions/{number}/import",
    summary="Import a CSV or XLSX file into a draft",
    response_model=ImportReport,
    responses=WRITE_ERRORS | PAYLOAD_TOO_LARGE,
)
@guarded(may_import)
async def import_into_draft(
    session: SessionDep,
    viewer: WriterDep,
    settings: SettingsDep,
    iso3: Iso3Path,
    number: NumberPath,
    file: Annotated[
        UploadFile,
        File(description="XLSX in the export's layout, or CSV with iso3, cell, mark[, remark]."),
    ],
    dry_run: Annotated[bool, Form(description="Check and show the changes; write nothing.")] = True,
    reason: Annotated[str, REASON, Form()] = "",
) -> Response:
    """Experts. Every problem is reported with its sheet, row and column (or CSV line), and nothing
    is written unless the whole file is valid. The dry run (the default) shows what would change."""
    limit = settings.max_upload_mb * 1_000_000
    content = await read_limited(file, limit)

    def run() -> ImportReport:
        return import_matrix_file(
            session,
            viewer=viewer,
            content=content,
            file_name=file.filename or "upload",
            only=iso3,
            dry_run=dry_run,
            max_bytes=limit,
            edition=number,
            reason=reason,
        )

    return json_model(await anyio.to_thread.run_sync(run))
