"""Importing a CSV or XLSX file into a draft from its page: check (dry run), see, then apply.

The caller is checked before the upload is read (web/guards.py). The checked file is kept for
the "apply" step only when the dry run accepted it, under files/imports/ for at most a day,
and removed once applied (whatever the outcome): a refused or failed upload leaves nothing.
"""

from __future__ import annotations

import hashlib
import re
import time
from typing import Annotated

import anyio.to_thread
from fastapi import APIRouter, File, Form, Request, UploadFile
from starlette.responses import HTMLResponse, RedirectResponse, Response

from un1540.errors import Conflict, Forbidden, InvalidData, NotFound
from un1540.io.matrix_import import import_matrix_file
from un1540.services.matrix.reads.editions import find_edition
from un1540.settings import Settings
from un1540.web.auth import flash
from un1540.web.deps import SessionDep, SettingsDep, ViewerDep
from un1540.web.guards import GuardedRoute, guarded, may_import
from un1540.web.i18n import gettext as _
from un1540.web.params import NumberPath
from un1540.web.portal.forms import CsrfChecked
from un1540.web.portal.templating import render
from un1540.web.uploads import read_limited

router = APIRouter(include_in_schema=False, route_class=GuardedRoute)
CHECKSUM = re.compile(r"^[0-9a-f]{64}$")
KEPT_FOR = 24 * 3600  # seconds a checked file waits for its "apply"


def _keep(settings: Settings, content: bytes) -> str:
    """Keep the checked file for the "apply" step, under its SHA-256 (written whole, then
    renamed); files kept longer than a day are removed."""
    digest = hashlib.sha256(content).hexdigest()
    folder = settings.files_dir / "imports"
    folder.mkdir(parents=True, exist_ok=True)
    limit = time.time() - KEPT_FOR
    for old in folder.iterdir():
        if old.stat().st_mtime < limit:
            old.unlink(missing_ok=True)
    temporary = folder / f".{digest}.part"
    temporary.write_bytes(content)
    temporary.replace(folder / digest)
    return digest


def _run(
    request: Request,
    session: SessionDep,
    viewer: ViewerDep,
    settings: Settings,
    iso3: str,
    number: int,
    content: bytes,
    file_name: str,
    dry_run: bool,
    keep: bool,
) -> Response:
    find_edition(session, viewer=viewer, iso3=iso3, number=number)  # 404 before anything else
    back = f"/states/{iso3.upper()}/editions/{number}"
    try:
        report = import_matrix_file(
            session,
            viewer=viewer,
            content=content,
            file_name=file_name,
            only=iso3,
            dry_run=dry_run,
            max_bytes=settings.max_upload_mb * 1_000_000,
            edition=number,
        )
    except (InvalidData, Conflict, Forbidden) as error:
        context: dict[str, object] = {"back": back, "file_name": file_name, "error": error}
        return render(
            request, "editions/import.html", context, synthetic=False, status_code=error.status
        )
    if dry_run:
        digest = _keep(settings, content) if keep else ""
        context = {"back": back, "file_name": file_name, "report": report, "digest": digest}
        return render(request, "editions/import.html", context, synthetic=False)
    flash(
        request,
        _("Imported %(file)s: %(count)s cell(s) changed.")
        % {"file": file_name, "count": report.changed},
    )
    return RedirectResponse(back, status_code=303)


@router.post("/states/{iso3}/editions/{number}/import", response_class=HTMLResponse)
@guarded(may_import, portal=True)
async def import_check(
    request: Request,
    session: SessionDep,
    viewer: ViewerDep,
    settings: SettingsDep,
    _: CsrfChecked,
    iso3: str,
    number: NumberPath,
    file: Annotated[UploadFile, File()],
    dry_run: Annotated[str, Form()] = "",
) -> Response:
    content = await read_limited(file, settings.max_upload_mb * 1_000_000)
    name = file.filename or "upload"
    keep = bool(content)
    return await anyio.to_thread.run_sync(
        _run, request, session, viewer, settings, iso3, number, content, name, bool(dry_run), keep
    )


@router.post("/states/{iso3}/editions/{number}/import/apply", response_class=HTMLResponse)
@guarded(may_import, portal=True)
def import_apply(
    request: Request,
    session: SessionDep,
    viewer: ViewerDep,
    settings: SettingsDep,
    _: CsrfChecked,
    iso3: str,
    number: NumberPath,
    digest: Annotated[str, Form()],
    file_name: Annotated[str, Form(max_length=300)],
) -> Response:
    path = settings.files_dir / "imports" / digest
    if not CHECKSUM.match(digest) or not path.exists():
        raise NotFound("the checked file is no longer here; upload it again")
    content = path.read_bytes()
    try:
        return _run(
            request, session, viewer, settings, iso3, number, content, file_name, False, False
        )
    finally:
        path.unlink(missing_ok=True)
