"""/api/v1/evidence: suggestions of the matrix fields provisions of national law evidence."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path
from starlette.responses import Response

from un1540.models import Origin
from un1540.schemas.evidence import (
    DecisionRead,
    DecisionRequest,
    DecisionResult,
    ProvisionReviewRead,
    ReviewedSuggestionRead,
    SuggestRequest,
    SuggestResponse,
)
from un1540.services.evidence.actions import model_for_reader
from un1540.services.evidence.reads import ProvisionText, suggest_provisions
from un1540.services.evidence.review import (
    DecisionView,
    ReviewDecision,
    decide_on_provision,
    decision_view,
    document_is_synthetic,
    provision_review,
)
from un1540.services.evidence.rules import check_may_suggest
from un1540.services.kernel.envelope import envelope
from un1540.web.api.common import ERRORS, WRITE_ERRORS, RecordIdPath
from un1540.web.deps import SessionDep, SettingsDep, ViewerDep
from un1540.web.guards import (
    GuardedRoute,
    guarded,
    may_ask_for_suggestions,
    may_decide_on_suggestion,
)
from un1540.web.responses import json_model

router = APIRouter(tags=["Evidence suggestions"], route_class=GuardedRoute)


@router.post(
    "/evidence/suggest",
    summary="Suggest the matrix fields provisions are evidence for",
    response_model=SuggestResponse,
    responses=WRITE_ERRORS,
)
@guarded(may_ask_for_suggestions)
def evidence_suggest(
    viewer: ViewerDep, session: SessionDep, settings: SettingsDep, body: SuggestRequest
) -> Response:
    """Experts and the Committee. Up to 100 provisions (text, optional language) a call; for
    each, the fields the portal suggests by default, with weapons, columns, a calibrated score
    and the words that triggered them. Nothing is written. 503 `model_not_ready` (with
    `Retry-After`) while the model is being trained after an install or an upgrade."""
    check_may_suggest(viewer)  # also checked by the guard, before the body is read
    model = model_for_reader(session, directory=settings.evidence_model_dir)
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


SuggestionIdPath = Annotated[
    str,
    Path(
        min_length=3,
        max_length=80,
        pattern=r"^op[0-9a-z_.]+$",
        description="A suggestion's id in its provision: its field code, e.g. op2.manufacture.",
    ),
]


def _decision_read(view: DecisionView) -> DecisionRead:
    return DecisionRead(
        id=view.id,
        field=view.field,
        chosen_field=view.chosen_field,
        verdict=view.verdict,
        weapons=view.weapons,
        columns=view.columns,
        edition=view.edition_number,
        reason=view.reason,
        decided_by=view.actor,
        decided_at=view.decided_at,
        model_version=view.model_version,
        lexicon_version=view.lexicon_version,
        held_out=view.held_out,
    )


@router.get(
    "/documents/{document_id}/provisions/{provision_id}/suggestions",
    summary="A provision's evidence suggestions and the decisions taken on them",
    response_model=ProvisionReviewRead,
    responses=ERRORS,
)
def provision_suggestions(
    session: SessionDep,
    viewer: ViewerDep,
    settings: SettingsDep,
    document_id: RecordIdPath,
    provision_id: RecordIdPath,
) -> Response:
    """Experts and the Committee, on a document they may see (404 otherwise, before the
    role). The suggestions the portal shows by default (score at least the model's threshold),
    each with its id (the field code) and the latest decision on it; and every decision taken
    on the provision. Computed on demand, cached per provision and model version."""
    review = provision_review(
        session,
        viewer=viewer,
        document_id=document_id,
        provision_id=provision_id,
        directory=settings.evidence_model_dir,
    )
    provision = review.provision
    return json_model(
        ProvisionReviewRead(
            **envelope(review.document.origin is Origin.demo),
            document_id=review.document.id,
            provision_id=provision.id,
            article=provision.label,
            page=provision.page,
            language=provision.language,
            model_version=review.model_version,
            lexicon_version=review.lexicon_version,
            suggestions=[
                ReviewedSuggestionRead(
                    id=s.id,
                    field=s.field,
                    weapons=s.weapons,
                    columns=s.columns,
                    score=s.score,
                    explanation=s.explanation,
                    decision=_decision_read(s.decision) if s.decision else None,
                )
                for s in review.suggestions
            ],
            decisions=[_decision_read(d) for d in review.decisions],
        )
    )


@router.post(
    "/documents/{document_id}/provisions/{provision_id}/suggestions/{suggestion_id}/decision",
    summary="Confirm, edit or reject a provision's suggestion",
    response_model=DecisionResult,
    status_code=201,
    responses=WRITE_ERRORS,
)
@guarded(may_decide_on_suggestion)
def provision_suggestion_decision(
    session: SessionDep,
    viewer: ViewerDep,
    settings: SettingsDep,
    document_id: RecordIdPath,
    provision_id: RecordIdPath,
    suggestion_id: SuggestionIdPath,
    body: DecisionRequest,
) -> Response:
    """Experts and the Committee (only experts write on drafts). confirm: the provision becomes
    evidence (document, page, article, quotation) on the field's suggested cells of draft
    `edition` of the document's State, a blank cell marked X; edit: the same with the
    `weapons` and/or `columns` chosen instead; reject: kept as a hard negative for retraining.
    404 for a suggestion the model does not make now; 409 if the edition is not open for
    editing; 422 without an edition to confirm into."""
    decision = decide_on_provision(
        session,
        viewer=viewer,
        document_id=document_id,
        provision_id=provision_id,
        suggestion_id=suggestion_id,
        decision=ReviewDecision(
            verdict=body.verdict,
            edition=body.edition,
            weapons=tuple(body.weapons) if body.weapons is not None else None,
            columns=tuple(body.columns) if body.columns is not None else None,
            reason=body.reason,
            field=body.field,
        ),
        directory=settings.evidence_model_dir,
    )
    view = decision_view(session, decision)
    cells = [
        f"{decision.chosen_field or decision.field_code}:{weapon}:{column}"
        for weapon in decision.weapons
        for column in decision.columns
    ]
    return json_model(
        DecisionResult(
            **envelope(document_is_synthetic(session, document_id)),
            decision=_decision_read(view),
            evidence_cells=cells,
        ),
        status_code=201,
    )
