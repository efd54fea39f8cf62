"""/api/v1/evidence: suggestions of the matrix fields provisions of national law evidence."""

from __future__ import annotations

from fastapi import APIRouter
from starlette.responses import Response

from un1540.schemas.evidence import SuggestRequest, SuggestResponse
from un1540.services.evidence.reads import ProvisionText, suggest_provisions, suggestion_model
from un1540.services.evidence.rules import check_may_suggest
from un1540.services.kernel.envelope import envelope
from un1540.web.api.common import WRITE_ERRORS
from un1540.web.deps import SettingsDep, ViewerDep
from un1540.web.guards import GuardedRoute, guarded, may_ask_for_suggestions
from un1540.web.responses import json_model

router = APIRouter(tags=["Evidence suggestions"], route_class=GuardedRoute)


@router.post(
    "/evidence/suggest",
    summary="Suggest the matrix fields provisions are evidence for",
    response_model=SuggestResponse,
    responses=WRITE_ERRORS,
)
@guarded(may_ask_for_suggestions)
def evidence_suggest(viewer: ViewerDep, settings: SettingsDep, body: SuggestRequest) -> Response:
    """Experts and the Committee. Up to 100 provisions (text, optional language) a call; for
    each, the fields the portal suggests by default, with weapons, columns, a calibrated score
    and the words that triggered them. Nothing is written."""
    check_may_suggest(viewer)  # also checked by the guard, before the body is read
    model = suggestion_model(settings.evidence_model_dir)
    results = suggest_provisions(
        [ProvisionText(p.id, p.text, p.language) for p in body.provisions], model=model
    )
    return json_model(
        SuggestResponse(
            **envelope(False),
            model_version=model.version,
            lexicon_version=model.lexicon_version,
            provisions=[r.as_dict() for r in results],
        )
    )
