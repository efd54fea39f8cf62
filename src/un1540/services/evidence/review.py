"""Suggestions for the library's provisions, and the experts' decisions on them
(docs/evidence.md, "Reviewing a law's suggestions").

A provision's suggestions are computed on demand by the current model and kept in a small
process cache keyed by (provision id, SHA-256 of its text and of the texts of the provisions of
the same law it cites, model version): the caller's right to see the document is checked in SQL
before the cache is looked at, and the cached value holds nothing but what the model made of the
provision's own text and its own document's cited provisions, so nothing leaks across readers.

A decision is linked to its provision by (document_id, SHA-256 of the provision's text), the
key `suggestion_decision` already has (no migration): the same text in the same document is the
same evidence, and decisions survive a document being read again (its provisions get new ids).
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from un1540.analytics.evidence.lexicon import framework_fields
from un1540.analytics.evidence.model import Suggestion
from un1540.errors import InvalidData, NotFound, Problem, Un1540Error
from un1540.errors import text as text_message
from un1540.models import (
    Document,
    DocumentKind,
    MatrixEdition,
    Origin,
    Provision,
    ProvisionLink,
    State,
    SuggestionDecision,
    SuggestionVerdict,
)
from un1540.reference.languages import N_
from un1540.services.kernel.access import Viewer, visible
from un1540.services.kernel.unit_of_work import action
from un1540.services.library.reads import visible_provision
from un1540.services.matrix.reads.editions import edition_state
from un1540.services.matrix.rules import EDITION_RULES

from .actions import DecisionInput, ProvisionRef, decide_suggestion, model_for_reader
from .reads import ProvisionText, suggest_provisions
from .rules import check_may_decide, check_may_suggest

CACHE_SIZE = 4_000  # provisions' suggestions kept per process
REVIEWED_LEVEL = 2  # articles and sections (the level the library embeds and indexes)
VERDICTS = {
    "confirm": SuggestionVerdict.confirmed,
    "edit": SuggestionVerdict.edited,
    "reject": SuggestionVerdict.rejected,
}

_cache: OrderedDict[tuple[int, str, str], list[Suggestion]] = OrderedDict()
_lock = threading.Lock()


def text_sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class DecisionView:
    id: int
    field: str
    verdict: str
    weapons: list[str]
    columns: list[str]
    edition_number: int | None
    reason: str
    actor: str
    decided_at: datetime
    model_version: str
    chosen_field: str | None = None  # an edit to another field: the one chosen
    lexicon_version: str = ""
    held_out: bool = False  # its document measures the suggestions: never trained on

    @property
    def evidenced_field(self) -> str:
        return self.chosen_field or self.field


@dataclass(frozen=True)
class SuggestionView:
    id: str  # the field code: suggestions are recomputed, not stored
    field: str
    weapons: list[str]
    columns: list[str]
    score: float
    explanation: dict[str, Any]
    decision: DecisionView | None
    # undecided, but another suggestion's edit already moved its evidence to this field: the
    # page says so, lest the expert think the field still waits (confirming adds nothing twice)
    moved_here: DecisionView | None = None


@dataclass(frozen=True)
class ProvisionReview:
    document: Document
    provision: Provision
    model_version: str
    lexicon_version: str
    suggestions: list[SuggestionView]
    decisions: list[DecisionView]  # every decision on the provision, latest first

    @property
    def earlier(self) -> list[DecisionView]:
        """The latest decision on each field that is no longer suggested (a retrain learnt
        from it: an edit moved the evidence to another field, a rejection): still shown, so that
        the expert sees what was decided."""
        shown = {s.field for s in self.suggestions}
        latest: dict[str, DecisionView] = {}
        for decision in self.decisions:  # latest first
            latest.setdefault(decision.field, decision)
        return [d for field, d in latest.items() if field not in shown]


def _provision_of(
    session: Session, *, viewer: Viewer, document_id: int, provision_id: int
) -> Provision:
    """The provision, if it is of that document and the caller may see the document (404
    otherwise, before any question of role)."""
    provision = visible_provision(session, viewer=viewer, provision_id=provision_id)
    if provision.document_id != document_id:
        raise NotFound(
            text_message(
                N_("no provision %(provision_id)s in document %(document_id)s"),
                provision_id=provision_id,
                document_id=document_id,
            )
        )
    return provision


def _cited(session: Session, provisions: list[Provision]) -> dict[int, tuple[str, ...]]:
    """The document context of each provision: the texts of the provisions of the same law it
    cites (the links the library found when it read the law), in the law's order."""
    cited: dict[int, list[str]] = {}
    rows = session.execute(
        select(ProvisionLink.source_id, Provision.text)
        .join(Provision, Provision.id == ProvisionLink.target_id)
        .where(ProvisionLink.source_id.in_([p.id for p in provisions]))
        .order_by(ProvisionLink.source_id, Provision.position)
    )
    for source_id, text in rows:
        cited.setdefault(source_id, []).append(text)
    return {key: tuple(texts) for key, texts in cited.items()}


def _key(
    provision: Provision, cited: tuple[str, ...], scope: str, version: str
) -> tuple[int, str, str]:
    """The cache key: the provision, its text, the texts it cites and its document's title (its
    context), the model."""
    return (provision.id, text_sha256("\0".join((provision.text, *cited, scope))), version)


def _scopes(session: Session, provisions: list[Provision]) -> dict[int, str]:
    """Each provision's document title (the law's scope: docs/evidence.md, "Weapons")."""
    titles = dict(
        session.execute(
            select(Document.id, Document.title).where(
                Document.id.in_({p.document_id for p in provisions})
            )
        ).all()
    )
    return {p.id: titles.get(p.document_id, "") for p in provisions}


def _suggestions(
    session: Session, provisions: list[Provision], *, directory: Path | None
) -> tuple[dict[int, list[Suggestion]], str, str]:
    model = model_for_reader(session, directory=directory)
    cited = _cited(session, provisions)
    scopes = _scopes(session, provisions)
    found: dict[int, list[Suggestion]] = {}
    missing: list[Provision] = []
    with _lock:
        for provision in provisions:
            key = _key(provision, cited.get(provision.id, ()), scopes[provision.id], model.version)
            if key in _cache:
                _cache.move_to_end(key)
                found[provision.id] = _cache[key]
            else:
                missing.append(provision)
    if missing:
        computed = suggest_provisions(
            [
                ProvisionText(p.id, p.text, p.language or None, cited.get(p.id, ()), scopes[p.id])
                for p in missing
            ],
            model=model,
        )
        with _lock:
            for provision, result in zip(missing, computed, strict=True):
                found[provision.id] = result.suggestions
                key = _key(
                    provision, cited.get(provision.id, ()), scopes[provision.id], model.version
                )
                _cache[key] = result.suggestions
            while len(_cache) > CACHE_SIZE:
                _cache.popitem(last=False)
    return found, model.version, model.lexicon_version


def _view(decision: SuggestionDecision, edition_number: int | None) -> DecisionView:
    return DecisionView(
        id=decision.id,
        field=decision.field_code,
        verdict=decision.verdict.value,
        weapons=list(decision.weapons),
        columns=list(decision.columns),
        edition_number=edition_number,
        reason=decision.reason,
        actor=decision.actor,
        decided_at=decision.decided_at,
        model_version=decision.model_version,
        chosen_field=decision.chosen_field,
        lexicon_version=decision.lexicon_version,
        held_out=decision.held_out,
    )


def document_is_synthetic(session: Session, document_id: int) -> bool:
    """Whether a decision's document is demo data (the API's envelope says so)."""
    document = session.get(Document, document_id)
    return document is not None and document.origin is Origin.demo


def decision_view(session: Session, decision: SuggestionDecision) -> DecisionView:
    edition = (
        session.get(MatrixEdition, decision.edition_id) if decision.edition_id is not None else None
    )
    return _view(decision, edition.number if edition is not None else None)


def _decisions(session: Session, provisions: list[Provision]) -> dict[int, list[DecisionView]]:
    if not provisions:
        return {}
    by_key: dict[tuple[int, str], list[int]] = {}
    for provision in provisions:
        by_key.setdefault((provision.document_id, text_sha256(provision.text)), []).append(
            provision.id
        )
    rows = session.execute(
        select(SuggestionDecision, MatrixEdition.number)
        .outerjoin(MatrixEdition, MatrixEdition.id == SuggestionDecision.edition_id)
        .where(
            SuggestionDecision.document_id.in_({p.document_id for p in provisions}),
            SuggestionDecision.text_sha256.in_({k[1] for k in by_key}),
        )
        .order_by(SuggestionDecision.id.desc())
    ).all()
    found: dict[int, list[DecisionView]] = {}
    for decision, number in rows:
        view = _view(decision, number)
        for provision_id in by_key.get((decision.document_id, decision.text_sha256), []):
            found.setdefault(provision_id, []).append(view)
    return found


def _review(
    document: Document,
    provision: Provision,
    suggestions: list[Suggestion],
    decisions: list[DecisionView],
    versions: tuple[str, str],
) -> ProvisionReview:
    latest: dict[str, DecisionView] = {}
    moved: dict[str, DecisionView] = {}
    for decision in decisions:  # latest first
        latest.setdefault(decision.field, decision)
    for decision in latest.values():
        if decision.chosen_field and decision.verdict != "rejected":
            moved.setdefault(decision.chosen_field, decision)
    return ProvisionReview(
        document=document,
        provision=provision,
        model_version=versions[0],
        lexicon_version=versions[1],
        suggestions=[
            SuggestionView(
                id=s.field,
                field=s.field,
                weapons=list(s.weapons),
                columns=list(s.columns),
                score=float(s.score),
                explanation=s.explanation,
                decision=latest.get(s.field),
                moved_here=None if s.field in latest else moved.get(s.field),
            )
            for s in suggestions
        ],
        decisions=decisions,
    )


def provision_review(
    session: Session,
    *,
    viewer: Viewer,
    document_id: int,
    provision_id: int,
    directory: Path | None = None,
) -> ProvisionReview:
    """The suggestions the portal shows by default for one provision, each with the decision
    already taken on it, and every decision on the provision. Experts and the Committee, on a
    document they may see (404 for a document one may not see, before the role)."""
    provision = _provision_of(
        session, viewer=viewer, document_id=document_id, provision_id=provision_id
    )
    check_may_suggest(viewer)
    document = session.get(Document, document_id)
    assert document is not None
    found, *versions = _suggestions(session, [provision], directory=directory)
    decisions = _decisions(session, [provision]).get(provision.id, [])
    return _review(document, provision, found[provision.id], decisions, (versions[0], versions[1]))


def check_may_decide_on(
    session: Session, viewer: Viewer, *, document_id: int, provision_id: int
) -> None:
    """The decision route's guard, before its body is read: the provision (404 unless the
    caller may see its document), then the role."""
    _provision_of(session, viewer=viewer, document_id=document_id, provision_id=provision_id)
    check_may_decide(viewer)


def may_review(viewer: Viewer) -> bool:
    try:
        check_may_suggest(viewer)
    except Un1540Error:
        return False
    return True


def document_reviews(
    session: Session,
    *,
    viewer: Viewer,
    document: Document,
    provisions: list[Provision],
    directory: Path | None = None,
) -> dict[int, ProvisionReview]:
    """The review of each article or section of a document already read for the caller (the
    document page): empty for those who may not ask for suggestions."""
    if not may_review(viewer) or document.kind is not DocumentKind.legislation:
        return {}
    chosen = [p for p in provisions if p.level == REVIEWED_LEVEL and p.text.strip()]
    if not chosen:
        return {}
    found, *versions = _suggestions(session, chosen, directory=directory)
    decisions = _decisions(session, chosen)
    return {
        p.id: _review(document, p, found[p.id], decisions.get(p.id, []), (versions[0], versions[1]))
        for p in chosen
    }


def open_drafts(session: Session, *, viewer: Viewer, document: Document) -> list[int]:
    """The numbers of the editions of the document's State the caller may edit now (the drafts
    a confirmation can put evidence on)."""
    if document.state_id is None:
        return []
    state = session.get(State, document.state_id)
    assert state is not None
    numbers = []
    for edition in session.scalars(
        select(MatrixEdition)
        .where(MatrixEdition.state_id == state.id)
        .order_by(MatrixEdition.number.desc())
    ):
        if EDITION_RULES.refusal(viewer, edition_state(session, state, edition), "edit_cells"):
            continue
        numbers.append(edition.number)
    return numbers


@dataclass(frozen=True)
class ReviewDecision:
    verdict: str  # confirm | edit | reject
    edition: int | None = None
    weapons: tuple[str, ...] | None = None
    columns: tuple[str, ...] | None = None
    reason: str = ""
    field: str | None = None  # edit: another field (op2/op3) the evidence goes on instead


@action
def decide_on_provision(
    session: Session,
    *,
    viewer: Viewer,
    document_id: int,
    provision_id: int,
    suggestion_id: str,
    decision: ReviewDecision,
    directory: Path | None = None,
) -> SuggestionDecision:
    """Confirm, edit or reject one of a provision's current suggestions: confirmed or edited,
    the provision becomes evidence (document, page, article, quotation) on the field's cells of
    the named draft of the document's State (409 if that edition is not open for editing);
    rejected, a hard negative. Experts and the Committee (only experts write on drafts)."""
    provision = _provision_of(
        session, viewer=viewer, document_id=document_id, provision_id=provision_id
    )
    check_may_decide(viewer)
    problems: list[Problem] = []
    verdict = VERDICTS.get(decision.verdict)
    if verdict is None:
        problems.append(Problem("verdict", N_("expected confirm, edit or reject")))
    document = session.get(Document, document_id)
    assert document is not None
    state = session.get(State, document.state_id) if document.state_id is not None else None
    if verdict is not None and verdict is not SuggestionVerdict.rejected:
        if decision.edition is None:
            problems.append(Problem("edition", N_("a confirmation names the draft's number")))
        if state is None:
            problems.append(Problem("document", N_("the document is about no State: no draft")))
    if verdict is not SuggestionVerdict.edited:
        # Only an edit chooses: a confirmation or a rejection that names other weapons, columns
        # or field would be recorded without them (session 28's trial: silently dropped).
        if decision.field is not None:
            problems.append(Problem("field", N_("only an edit chooses another field")))
        if decision.weapons is not None:
            problems.append(Problem("weapons", N_("only an edit chooses the weapons")))
        if decision.columns is not None:
            problems.append(Problem("columns", N_("only an edit chooses the columns")))
    elif decision.field is not None and decision.field not in framework_fields():
        problems.append(
            Problem(
                "field",
                text_message(
                    N_("%(field)s is not a field of the matrix framework"),
                    field=repr(decision.field),
                ),
            )
        )
    elif decision.field is not None and framework_fields()[decision.field][0] == "op1":
        problems.append(
            Problem("field", N_("OP1 fields are never evidenced by a domestic provision"))
        )
    if problems:
        raise InvalidData(N_("the decision was not recorded"), problems=problems)
    assert verdict is not None
    found, version, _ = _suggestions(session, [provision], directory=directory)
    suggestion = next((s for s in found[provision.id] if s.field == suggestion_id), None)
    if suggestion is None:
        raise NotFound(
            text_message(
                N_("no suggestion %(suggestion_id)s for provision %(provision_id)s"),
                suggestion_id=repr(suggestion_id),
                provision_id=provision_id,
            )
        )
    edited = verdict is SuggestionVerdict.edited
    article = provision.number or provision.label
    return decide_suggestion(
        session,
        viewer=viewer,
        data=DecisionInput(
            provision=ProvisionRef(
                document_id=document.id,
                article=article[:100],
                text=provision.text,
                # the pages it runs over, as the document page shows them ("1-2")
                page=(
                    f"{provision.page}-{provision.page_end}"
                    if provision.page and provision.page_end and provision.page_end > provision.page
                    else str(provision.page or "")
                ),
                language=provision.language or None,
            ),
            field=suggestion.field,
            verdict=verdict,
            suggested_weapons=tuple(suggestion.weapons),
            suggested_columns=tuple(suggestion.columns),
            score=float(suggestion.score),
            model_version=version,
            iso3=state.iso3
            if state is not None and verdict is not SuggestionVerdict.rejected
            else None,
            edition_number=decision.edition if verdict is not SuggestionVerdict.rejected else None,
            weapons=decision.weapons if edited else None,
            columns=decision.columns if edited else None,
            reason=decision.reason,
            chosen_field=decision.field if edited else None,
        ),
    )


def legislation_of_state(session: Session, *, viewer: Viewer, iso3: str) -> list[Document]:
    """The State's laws read into the library that the caller may see (the draft workspace's
    "Suggestions from the library" panel), newest first."""
    with_provisions = select(Provision.document_id).where(Provision.level == REVIEWED_LEVEL)
    return list(
        session.scalars(
            select(Document)
            .join(State, State.id == Document.state_id)
            .where(
                State.iso3 == iso3.upper(),
                Document.kind == DocumentKind.legislation,
                Document.id.in_(with_provisions),
                visible(Document.visibility, viewer, Document.state_id),
            )
            .order_by(Document.issued_on.desc().nulls_last(), Document.id.desc())
        )
    )
