"""A State's documents: the list, and registering a national report or another document."""

from __future__ import annotations

from datetime import date
from typing import Annotated

import anyio.to_thread
from fastapi import APIRouter, File, Form, Request, UploadFile
from starlette.responses import HTMLResponse, Response

from un1540.models import DocumentKind, Origin, Role, Visibility
from un1540.reference.languages import LANGUAGE_NAMES
from un1540.services.access import speaks_for
from un1540.services.documents import DocumentInput, UploadedFile, attach_document, state_documents
from un1540.services.lookups import state_by_iso3
from un1540.web.deps import SessionDep, SettingsDep, ViewerDep
from un1540.web.portal.forms import CsrfChecked, act
from un1540.web.portal.templating import render
from un1540.web.uploads import read_limited

router = APIRouter(include_in_schema=False)


@router.get("/states/{iso3}/documents", response_class=HTMLResponse)
def documents_page(
    request: Request, session: SessionDep, viewer: ViewerDep, iso3: str
) -> HTMLResponse:
    state = state_by_iso3(session, iso3)
    documents = state_documents(session, viewer=viewer, iso3=iso3)
    context = {
        "state": state,
        "documents": documents,
        "can_register": viewer.role in (Role.expert, Role.committee, Role.admin)
        or speaks_for(viewer, state.id),
        "kinds": [kind.value for kind in DocumentKind],
        "languages": LANGUAGE_NAMES,
        "visibilities": [Visibility.public.value, Visibility.owning_state_and_committee.value],
    }
    return render(
        request,
        "documents/list.html",
        context,
        synthetic=any(d.origin is Origin.demo for d in documents),
    )


@router.post("/states/{iso3}/documents")
async def documents_register(
    request: Request,
    session: SessionDep,
    viewer: ViewerDep,
    settings: SettingsDep,
    _: CsrfChecked,
    iso3: str,
    kind: Annotated[str, Form()],
    title: Annotated[str, Form(max_length=1000)],
    language: Annotated[str, Form(max_length=8)],
    issued_on: Annotated[date | None, Form()] = None,
    symbol: Annotated[str, Form(max_length=100)] = "",
    url: Annotated[str, Form(max_length=1000)] = "",
    visibility: Annotated[Visibility, Form()] = Visibility.public,
    file: Annotated[UploadFile | None, File()] = None,
) -> Response:
    limit = settings.max_upload_mb * 1_000_000
    upload = None
    if file is not None and file.filename:
        upload = UploadedFile(name=file.filename, content=await read_limited(file, limit))
    document = DocumentInput(
        kind=kind,
        title=title,
        language=language,
        issued_on=issued_on,
        iso3=iso3,
        symbol=symbol,
        url=url,
        visibility=visibility,
    )

    def action() -> str:
        record = attach_document(
            session,
            viewer=viewer,
            document=document,
            upload=upload,
            files_dir=settings.files_dir,
            max_bytes=limit,
        )
        session.commit()
        return f"Registered \u201c{record.title}\u201d (document {record.id}): cite it as evidence."

    return await anyio.to_thread.run_sync(act, request, f"/states/{iso3.upper()}/documents", action)
