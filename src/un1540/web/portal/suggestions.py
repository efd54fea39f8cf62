"""The expert review of a law's evidence suggestions on its document page: confirm (into an
open draft of the document's State), edit (another field, other weapons or columns) or
reject."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Path, Request
from starlette.responses import Response

from un1540.schemas.text import CODE
from un1540.services.evidence.review import ReviewDecision, decide_on_provision
from un1540.web.deps import SessionDep, SettingsDep, ViewerDep
from un1540.web.i18n import gettext
from un1540.web.params import RecordIdPath
from un1540.web.portal.forms import CsrfChecked, act
from un1540.web.portal.labels import cell_name

router = APIRouter(include_in_schema=False)

SuggestionIdPath = Annotated[str, Path(min_length=3, max_length=80, pattern=r"^op[0-9a-z_.]+$")]


@router.post("/documents/{document_id}/provisions/{provision_id}/suggestions/{suggestion_id}")
def suggestion_decision(
    request: Request,
    session: SessionDep,
    viewer: ViewerDep,
    settings: SettingsDep,
    _: CsrfChecked,
    document_id: RecordIdPath,
    provision_id: RecordIdPath,
    suggestion_id: SuggestionIdPath,
    verdict: Annotated[str, Form(max_length=10)],
    edition: Annotated[str, Form(max_length=9)] = "",
    weapons: Annotated[list[str] | None, Form(max_length=3)] = None,
    columns: Annotated[list[str] | None, Form(max_length=2)] = None,
    field: Annotated[str, Form(max_length=80), CODE] = "",
    reason: Annotated[str, Form()] = "",
) -> Response:
    back = f"/documents/{document_id}?provision={provision_id}#provision-{provision_id}"

    def action() -> str:
        decision = decide_on_provision(
            session,
            viewer=viewer,
            document_id=document_id,
            provision_id=provision_id,
            suggestion_id=suggestion_id,
            decision=ReviewDecision(
                verdict=verdict,
                edition=int(edition) if edition.isdigit() else None,
                # An edit takes the boxes as ticked: none ticked is refused, never read as
                # "as suggested" (session 28's trial: an unticked weapon was recorded).
                weapons=tuple(weapons or ()) if verdict == "edit" else None,
                columns=tuple(columns or ()) if verdict == "edit" else None,
                reason=reason,
                # The field picker holds the suggested field until another is chosen.
                field=field if verdict == "edit" and field and field != suggestion_id else None,
            ),
            directory=settings.evidence_model_dir,
        )
        if decision.verdict.value == "rejected" and decision.held_out:
            # A held-out law measures the suggestions: its decisions never teach the model.
            return gettext(
                "Suggestion rejected. This law is held out to measure the suggestions: the "
                "decision is kept, never trained on."
            )
        if decision.verdict.value == "rejected":
            return gettext("Suggestion rejected: it is kept to improve later suggestions.")
        field_code = decision.chosen_field or decision.field_code
        cells = [
            cell_name(f"{field_code}:{weapon}:{column}")
            for weapon in decision.weapons
            for column in decision.columns
        ]
        return gettext(
            "Suggestion confirmed: the provision is now evidence on %(count)s cell(s) of draft "
            "%(number)s: %(cells)s."
        ) % {"count": len(cells), "number": edition, "cells": gettext("; ").join(cells)}

    return act(request, back, action)
