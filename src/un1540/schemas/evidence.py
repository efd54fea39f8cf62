"""Evidence-suggestion shapes: provisions in, suggested fields with explanations out."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from un1540.schemas.common import Envelope
from un1540.schemas.text import PROVISION_ID, PROVISION_TEXT

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
        description="summary; triggers: the phrases and the concept each matched; similar: "
        "labelled provisions of the development set that were evidence for the same field."
    )


class ProvisionSuggestions(BaseModel):
    id: str
    language: Language
    suggestions: list[SuggestionRead]


class SuggestResponse(Envelope):
    model_version: str
    lexicon_version: str
    provisions: list[ProvisionSuggestions]
