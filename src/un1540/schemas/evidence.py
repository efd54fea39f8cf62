"""Evidence-suggestion shapes: provisions in, suggested fields with explanations out."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from un1540.schemas.common import Envelope
from un1540.schemas.text import PROVISION_ID, PROVISION_TEXT, REASON, Code
from un1540.schemas.vocabularies import vocabulary

Language = Literal["en", "fr", "es", "zh", "ru", "ar"]


class ProvisionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: Annotated[str, PROVISION_ID] = Field(
        min_length=1, description="The caller's id, echoed back."
    )
    text: Annotated[str, PROVISION_TEXT] = Field(min_length=1, description="The provision's text.")
    language: Language | None = Field(default=None, description="Detected when absent.")


class SuggestRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    provisions: list[ProvisionIn] = Field(min_length=1, max_length=100)


class SuggestionRead(BaseModel):
    field: str = Field(description="A field code of the matrix framework (never op1.*).")
    weapons: list[str] = Field(description="nw, cw, bw")
    columns: list[str] = Field(description="legal_framework, enforcement")
    score: float = Field(ge=0, le=1, description="Calibrated probability that the field is right.")
    explanation: dict[str, Any] = Field(
        description="summary; triggers: the phrases and the concept each matched (`cited`: "
        "true for a phrase of an article the provision cites, in a document); wording: up to "
        "three words of the provision whose character n-grams weighed most for the field, each "
        "with its weight; similar: labelled provisions of the development set that were evidence "
        "for the same field."
    )


class ProvisionSuggestions(BaseModel):
    id: str
    language: Language
    suggestions: list[SuggestionRead]


class SuggestResponse(Envelope):
    model_version: str
    lexicon_version: str
    provisions: list[ProvisionSuggestions]


# Reviewing a law's provisions (GET/POST /documents/{id}/provisions/{pid}/suggestions...) ------


class DecisionRead(BaseModel):
    id: int
    field: str = Field(description="The suggested field the decision is on.")
    chosen_field: str | None = Field(
        default=None,
        description="An edit to another field: the field chosen instead, whose cells the "
        "evidence went on (null: the suggested field).",
    )
    verdict: Literal["confirmed", "edited", "rejected"]
    weapons: list[str] = Field(description="What the expert chose (empty for a rejection).")
    columns: list[str]
    edition: int | None = Field(description="The draft's number the evidence went on.")
    reason: str
    decided_by: str
    decided_at: datetime
    model_version: str
    lexicon_version: str = Field(description="The lexicon's version the decision was made against.")
    held_out: bool = Field(
        description="Its document is held out to measure the suggestions: the decision is "
        "kept, never trained on (one document in five, fixed by its id)."
    )


class ReviewedSuggestionRead(SuggestionRead):
    id: str = Field(description="The suggestion's id in its provision (its field code).")
    decision: DecisionRead | None = Field(description="The latest decision on this field.")


class ProvisionReviewRead(Envelope):
    document_id: int
    provision_id: int
    article: str
    page: int | None
    language: str
    model_version: str
    lexicon_version: str
    suggestions: list[ReviewedSuggestionRead]
    decisions: list[DecisionRead] = Field(
        description="Every decision taken on this provision (its document and text), latest "
        "first, including those on fields no longer suggested."
    )


class DecisionRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    verdict: Literal["confirm", "edit", "reject"]
    edition: int | None = Field(
        default=None, ge=1, le=1_000_000, description="The draft of the document's State."
    )
    weapons: list[Literal["nw", "cw", "bw"]] | None = Field(
        default=None, max_length=3, description="For edit: the weapons chosen instead."
    )
    columns: list[Literal["legal_framework", "enforcement"]] | None = Field(
        default=None, max_length=2, description="For edit: the columns chosen instead."
    )
    field: Code | None = Field(
        default=None,
        description="For edit: another field (an OP2 or OP3 field code) the evidence goes on "
        "instead of the suggested one; its weapons default to the suggested ones it applies to.",
        json_schema_extra={"enum": [f for f in vocabulary("field") if not f.startswith("op1")]},
    )
    reason: Annotated[str, REASON] = ""


class DecisionResult(Envelope):
    decision: DecisionRead
    evidence_cells: list[str] = Field(description="The cells the provision now evidences.")
