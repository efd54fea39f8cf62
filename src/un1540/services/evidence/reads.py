"""Suggestions for provisions (no database needed) and the record of decisions."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from un1540.analytics.evidence.devset import COLUMNS, Example, Label
from un1540.analytics.evidence.lexicon import load_lexicon
from un1540.analytics.evidence.model import Model, Suggested, suggest
from un1540.analytics.evidence.store import current_model
from un1540.errors import InvalidData, Problem
from un1540.errors import text as text_message
from un1540.models import SuggestionDecision, SuggestionVerdict
from un1540.reference.languages import N_
from un1540.settings import get_settings

MAX_PROVISIONS = 500
MAX_TEXT = 20_000
HELD_OUT_SHARE = 5  # one document in five: its decisions are never trained on


@dataclass(frozen=True)
class ProvisionText:
    id: Any
    text: str
    language: str | None = None
    # the texts of the provisions of the same law it cites (the library's provision links):
    # the document context of the model (docs/evidence.md, "Document context")
    cited: tuple[str, ...] = ()
    # the title of its document: the weapons a provision that names and cites none is about
    scope: str = ""


def model_dir(directory: Path | None = None) -> Path:
    return directory or get_settings().evidence_model_dir


def held_out(document_id: int) -> bool:
    """Whether a document's decisions are held out from training (a fixed one in five,
    chosen by a hash of its id, so the same documents stay held out)."""
    digest = hashlib.sha256(f"document:{document_id}".encode()).digest()
    return digest[0] % HELD_OUT_SHARE == 0


def check_provisions(items: Sequence[ProvisionText], where: str = "provisions") -> None:
    problems = []
    if len(items) > MAX_PROVISIONS:
        problems.append(
            Problem(
                where,
                text_message(
                    N_("at most %(max_provisions)s provisions at once"),
                    max_provisions=MAX_PROVISIONS,
                ),
            )
        )
    for index, item in enumerate(items):
        if not isinstance(item.text, str) or not item.text.strip():
            problems.append(Problem(f"{where}[{index}].text", N_("expected a non-empty text")))
        elif len(item.text) > MAX_TEXT:
            problems.append(
                Problem(
                    f"{where}[{index}].text",
                    text_message(
                        N_("at most %(max_text)s characters"),
                        max_text=MAX_TEXT,
                    ),
                )
            )
        if item.language is not None and item.language not in ("en", "fr", "es", "zh", "ru", "ar"):
            problems.append(
                Problem(f"{where}[{index}].language", N_("expected one of en, fr, es, zh, ru, ar"))
            )
    if problems:
        raise InvalidData(N_("no suggestion was made"), problems=problems)


def suggestion_model(directory: Path | None = None, *, build: bool = True) -> Model:
    """The current model (kept by the process; analytics/evidence/store.py). `build=False`:
    ModelNotBuilt where it would have to be trained first."""
    return current_model(model_dir(directory), build=build)


def suggest_provisions(
    items: Sequence[ProvisionText], *, directory: Path | None = None, model: Model | None = None
) -> list[Suggested]:
    """The suggestions the portal shows by default for each provision, in order."""
    check_provisions(items)
    model = model or suggestion_model(directory)
    return suggest(
        model,
        load_lexicon(),
        [(i.id, i.text, i.language) for i in items],
        cited=[list(i.cited) for i in items],
        scopes=[i.scope for i in items],
    )


def decision_examples(session: Session, *, include_held_out: bool = False) -> list[Example]:
    """The decisions as training examples: per provision, the fields confirmed (with the
    weapons and columns the expert chose) and the fields rejected (hard negatives); an edit
    that chose another field counts as the suggested field rejected and the chosen confirmed."""
    statement = select(SuggestionDecision).order_by(SuggestionDecision.id)
    if not include_held_out:
        statement = statement.where(SuggestionDecision.held_out.is_(False))
    grouped: dict[tuple[int, str], dict[str, Any]] = {}
    for decision in session.scalars(statement):
        key = (decision.document_id, decision.text_sha256)
        entry = grouped.setdefault(
            key,
            {"text": decision.text, "language": decision.language, "labels": {}, "rejected": set()},
        )
        code = decision.field_code
        if decision.verdict is SuggestionVerdict.rejected:
            entry["labels"].pop(code, None)
            entry["rejected"].add(code)
        else:
            if decision.chosen_field and decision.chosen_field != code:
                # An edit to another field: the suggested one is a negative, the chosen positive.
                entry["labels"].pop(code, None)
                entry["rejected"].add(code)
                code = decision.chosen_field
            entry["rejected"].discard(code)
            entry["labels"][code] = Label(
                tuple(sorted(decision.weapons)),
                tuple(c for c in COLUMNS if c in decision.columns),
            )
    return [
        Example(
            id=f"decision-{document_id}-{sha[:12]}",
            text=entry["text"],
            language=entry["language"],
            source=f"document:{document_id}",
            labels=entry["labels"],
            rejected=frozenset(entry["rejected"]),
            weight=2.0,
            partial=True,  # the fields no one decided on stay unknown, not "not evidence"
        )
        for (document_id, sha), entry in grouped.items()
    ]
