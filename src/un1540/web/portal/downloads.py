"""The open-data download page, and every State's matrices for signed-in accounts.

The files are built in the background (io/builds.py): the page lists the newest build at once,
with its data version, and says when a newer one is being built; it never waits for a build.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from starlette.responses import HTMLResponse, RedirectResponse, Response

from un1540 import __version__
from un1540.errors import NotFound, RateLimited
from un1540.io.builds import every_matrix_build, every_matrix_builds
from un1540.io.datapackage import CAVEATS, CITATION, LICENCE
from un1540.io.downloads import current_downloads
from un1540.io.matrix_export import ExportFormat
from un1540.services.kernel.builds import build_read, visible_build
from un1540.web.auth import flash
from un1540.web.deps import SessionDep, SettingsDep, ViewerDep
from un1540.web.i18n import gettext as _
from un1540.web.i18n import language, translated
from un1540.web.params import RecordIdPath
from un1540.web.portal.forms import CsrfChecked, act
from un1540.web.portal.templating import render

router = APIRouter(include_in_schema=False)
REFRESH_SECONDS = 15
BUILD_REFRESH_SECONDS = 5  # a build's own page, while it is queued or running


@router.get("/downloads", response_class=HTMLResponse)
def downloads_page(
    request: Request, session: SessionDep, viewer: ViewerDep, settings: SettingsDep
) -> HTMLResponse:
    built, state = current_downloads(session, settings=settings)
    every = (
        every_matrix_builds(session, viewer=viewer, language=language())
        if viewer.user_id is not None
        else {}
    )
    building = (state.pending is not None and not state.up_to_date) or any(
        item.pending is not None for item in every.values()
    )
    as_of = built.as_of if built is not None else ""
    context = {
        "files": built.listing() if built is not None else [],
        "built": built,
        "state": state,
        "as_of": as_of,
        "licence": LICENCE,
        "caveats": CAVEATS,
        "citation": CITATION.format(version=__version__, day=as_of),
        "every": every,
        "refresh": REFRESH_SECONDS if building else None,
    }
    synthetic = built.synthetic if built is not None else False
    return render(request, "downloads/list.html", context, synthetic=synthetic)


@router.post("/downloads/matrices/{fmt}")
def prepare_every_matrix(
    request: Request,
    session: SessionDep,
    viewer: ViewerDep,
    settings: SettingsDep,
    _csrf: CsrfChecked,
    fmt: str,
) -> Response:
    """Ask for every State's matrices in one format, in the page's language (signed in;
    counted like a download)."""
    try:
        chosen = ExportFormat(fmt)
    except ValueError:
        raise NotFound(f"no export format {fmt!r}") from None

    started: list[int] = []

    def action() -> str:
        state = every_matrix_build(
            session, viewer=viewer, fmt=chosen, settings=settings, language=language()
        )
        shown = state.pending or state.ready or state.failed  # the build to follow
        if shown is not None:
            started.append(shown.id)
        if state.up_to_date:
            return _("Every State's matrices as %(format)s are ready below.") % {
                "format": chosen.value.upper()
            }
        return _(
            "Every State's matrices as %(format)s are being prepared; this page shows them "
            "when they are ready."
        ) % {"format": chosen.value.upper()}

    back = "/downloads#every-state"
    try:
        response = act(request, back, action)
    except RateLimited as error:
        flash(request, translated(error.message), kind="error")
        return RedirectResponse(back, status_code=303)
    if started:  # the build's own page: its progress, then its download
        return RedirectResponse(f"/builds/{started[0]}", status_code=303)
    return response


@router.get("/builds/{build_id}", response_class=HTMLResponse)
def build_page(
    request: Request, session: SessionDep, viewer: ViewerDep, build_id: RecordIdPath
) -> HTMLResponse:
    """Where one background build stands: queued, running (with its progress), ready (with
    its download) or failed; refreshes itself while it runs. Seen by whoever may see what it
    holds (the open data: everyone; every State's matrices: the accounts it was built for)."""
    found = build_read(visible_build(session, viewer=viewer, build_id=build_id), viewer=viewer)
    pending = found.status in ("queued", "running")
    context = {"build": found, "refresh": BUILD_REFRESH_SECONDS if pending else None}
    return render(request, "builds/detail.html", context, synthetic=False)
