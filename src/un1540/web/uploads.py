"""Reading uploaded files without holding more than the limit in memory."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Annotated

from fastapi import Depends, File, Form, Request, UploadFile

from un1540.errors import InvalidData, Problem, text
from un1540.models import Visibility
from un1540.reference.languages import N_
from un1540.schemas.text import DOCUMENT_TITLE, SYMBOL, URL
from un1540.services.documents.actions import DocumentInput, UploadedFile
from un1540.settings import Settings

CHUNK = 1024 * 1024

# The portal form's first choice, and the API's word for it: the language is detected from the
# file's text (services/library/reading.py), and a file in another script than a chosen language
# is refused.
DETECT_LANGUAGE = "auto"


async def read_limited(upload: UploadFile, max_bytes: int, *, field: str = "file") -> bytes:
    """The whole upload, or InvalidData as soon as it passes max_bytes."""
    chunks: list[bytes] = []
    size = 0
    while chunk := await upload.read(CHUNK):
        size += len(chunk)
        if size > max_bytes:
            raise InvalidData(
                N_("the file was not accepted; nothing was written"),
                problems=[
                    Problem(
                        field,
                        text(
                            N_("%(name)s is larger than %(max_mb)s MB"),
                            name=upload.filename or "",
                            max_mb=max_bytes // 1_000_000,
                        ),
                    )
                ],
            )
        chunks.append(chunk)
    return b"".join(chunks)


@dataclass(frozen=True)
class DocumentForm:
    """A document described in a multipart form, with its file if one was sent."""

    document: DocumentInput
    upload: UploadedFile | None
    # the file's refusal (over the size limit), raised by the route: the portal then shows the
    # form again as it was filled in, as for any other refusal (review of session 28)
    refused: InvalidData | None = None


async def document_form(
    request: Request,
    iso3: str,
    kind: Annotated[
        str,
        Form(
            description="national_report, addendum, additional_information, action_plan, "
            "legislation, official_website or organisation_information"
        ),
    ],
    title: Annotated[str, DOCUMENT_TITLE, Form()],
    language: Annotated[
        str,
        Form(
            max_length=8,
            description="Language code, e.g. en, fr, ar; or auto: detected from the file's text.",
        ),
    ],
    issued_on: Annotated[date | None, Form()] = None,
    symbol: Annotated[str, SYMBOL, Form()] = "",
    url: Annotated[str, URL, Form()] = "",
    visibility: Annotated[
        Visibility | None,
        Form(
            description="Who may see it. Default: owning_state_and_committee (the State and "
            "the Committee); widen it later with POST /documents/{id}/visibility."
        ),
    ] = None,
    file: Annotated[UploadFile | None, File(description="The document (PDF, Word, ...).")] = None,
) -> DocumentForm:
    """The same form for the API and the portal; the file is read up to the upload limit."""
    settings: Settings = request.app.state.settings
    upload = None
    refused = None
    if file is not None and file.filename:
        try:
            content = await read_limited(file, settings.max_upload_mb * 1_000_000)
            upload = UploadedFile(name=file.filename, content=content)
        except InvalidData as error:
            refused = error
    document = DocumentInput(
        kind=kind,
        title=title,
        language="" if language.strip().lower() == DETECT_LANGUAGE else language,
        issued_on=issued_on,
        iso3=iso3,
        symbol=symbol,
        url=url,
        visibility=visibility,
    )
    return DocumentForm(document=document, upload=upload, refused=refused)


DocumentFormDep = Annotated[DocumentForm, Depends(document_form)]
