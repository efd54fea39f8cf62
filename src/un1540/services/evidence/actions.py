"""Experts' decisions on suggestions (confirm, edit, reject) and retraining from them."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from un1540.analytics.evidence.devset import COLUMNS
from un1540.analytics.evidence.lexicon import WEAPONS, framework_fields, load_lexicon
from un1540.analytics.evidence.model import Model
from un1540.analytics.evidence.store import ModelNotBuilt, build_model
from un1540.analytics.evidence.text import LANGUAGES, detect_language
from un1540.errors import InvalidData, ModelNotReady, NotFound, Problem
from un1540.errors import text as text_message
from un1540.models import (
    Document,
    Evidence,
    Mark,
    SuggestionDecision,
    SuggestionVerdict,
)
from un1540.reference.languages import N_
from un1540.schemas.text import REASON
from un1540.services.kernel.access import Viewer
from un1540.services.kernel.audit import record_event
from un1540.services.kernel.jobs import JobRun, defer_job, job_task, jobs_of
from un1540.services.kernel.unit_of_work import action
from un1540.services.matrix.actions.cells import update_cell
from un1540.services.matrix.inputs import CellChange, EvidenceInput
from un1540.services.matrix.reads.editions import entry_for, find_edition

from .reads import decision_examples, held_out, model_dir, suggestion_model
from .rules import check_may_decide

QUOTATION_CHARS = 2000
RETRAIN_TASK = "un1540.evidence.retrain"
# A decision asks for a retrain this long after it, under a queueing lock: the decisions of a
# review session make one retrain (seconds: docs/evidence.md), not one each
RETRAIN_DELAY_SECONDS = 60.0


@dataclass(frozen=True)
class ProvisionRef:
    """A provision by (document, article, text): the library's provisions table attaches later."""

    document_id: int
    article: str
    text: str
    page: str = ""
    language: str | None = None


@dataclass(frozen=True)
class DecisionInput:
    provision: ProvisionRef
    field: str
    verdict: SuggestionVerdict
    suggested_weapons: tuple[str, ...]
    suggested_columns: tuple[str, ...]
    score: float
    model_version: str
    # For confirmed and edited: the draft whose cells receive the evidence, and (edited) the
    # weapons and columns the expert chose instead.
    iso3: str | None = None
    edition_number: int | None = None
    weapons: tuple[str, ...] | None = None
    columns: tuple[str, ...] | None = None
    reason: str = ""
    # For edited: another field the evidence goes on instead of the suggested one (op2/op3).
    chosen_field: str | None = None

    @property
    def target_field(self) -> str:
        """The field whose cells receive the evidence: the chosen one, else the suggested."""
        return self.chosen_field or self.field


def _check(session: Session, data: DecisionInput) -> tuple[Document, list[str], list[str]]:
    problems: list[Problem] = []
    fields = framework_fields()
    if data.field not in fields:
        problems.append(
            Problem(
                "field",
                text_message(
                    N_("%(field)s is not a field of the matrix framework"),
                    field=repr(data.field),
                ),
            )
        )
    elif fields[data.field][0] == "op1":
        problems.append(
            Problem("field", N_("OP1 fields are never evidenced by a domestic provision"))
        )
    if not data.provision.text.strip():
        problems.append(Problem("provision.text", N_("expected the provision's text")))
    if data.chosen_field is not None and data.chosen_field != data.field:
        if data.verdict is not SuggestionVerdict.edited:
            problems.append(Problem("chosen_field", N_("only an edit chooses another field")))
        elif data.chosen_field not in fields:
            problems.append(
                Problem(
                    "chosen_field",
                    text_message(
                        N_("%(field)s is not a field of the matrix framework"),
                        field=repr(data.chosen_field),
                    ),
                )
            )
        elif fields[data.chosen_field][0] == "op1":
            problems.append(
                Problem(
                    "chosen_field", N_("OP1 fields are never evidenced by a domestic provision")
                )
            )
    if data.provision.language is not None and data.provision.language not in LANGUAGES:
        problems.append(Problem("provision.language", N_("expected one of en, fr, es, zh, ru, ar")))
    document = session.get(Document, data.provision.document_id)
    if document is None:
        problems.append(
            Problem(
                "provision.document_id",
                text_message(
                    N_("no document %(document_id)s"),
                    document_id=data.provision.document_id,
                ),
            )
        )
    moved = data.chosen_field not in (None, data.field)
    # No field to check the weapons against: saying they do not apply would mislead.
    field_known = not any(p.where in ("field", "chosen_field") for p in problems)
    applies = set(fields.get(data.target_field, ("", ()))[1])
    weapons = list(data.weapons if data.weapons is not None else data.suggested_weapons)
    if moved and data.weapons is None and field_known:
        # Another field: the suggested weapons it applies to (else every one it applies to).
        weapons = [w for w in weapons if w in applies] or [w for w in WEAPONS if w in applies]
    columns = list(data.columns if data.columns is not None else data.suggested_columns)
    if data.verdict is not SuggestionVerdict.rejected:
        if not weapons or not set(weapons) <= set(WEAPONS):
            problems.append(Problem("weapons", N_("expected one or more of nw, cw, bw")))
        elif field_known and not set(weapons) <= applies:
            problems.append(
                Problem(
                    "weapons",
                    text_message(
                        N_("%(field)s applies to %(applies)s only"),
                        field=data.target_field,
                        applies=sorted(applies),
                    ),
                )
            )
        if not columns or not set(columns) <= set(COLUMNS):
            problems.append(Problem("columns", N_("expected legal_framework and/or enforcement")))
        if data.iso3 is None or data.edition_number is None:
            problems.append(
                Problem("edition", N_("a confirmation names the draft (State, number)"))
            )
        unchanged = (data.weapons is None or set(weapons) == set(data.suggested_weapons)) and (
            data.columns is None or set(columns) == set(data.suggested_columns)
        )
        if data.verdict is SuggestionVerdict.edited and unchanged and not moved:
            problems.append(
                Problem("weapons", N_("an edit changes the field, the weapons or the columns"))
            )
    if problems:
        raise InvalidData(N_("the decision was not recorded"), problems=problems)
    assert document is not None
    return document, weapons, columns


@action
def decide_suggestion(
    session: Session, *, viewer: Viewer, data: DecisionInput
) -> SuggestionDecision:
    """Record an expert's decision on one suggestion. Confirmed or edited: the provision becomes
    evidence (document, page, article, quotation) on the field's cells of the named draft,
    through the matrix's cell writer, and a blank cell is marked X (the expert's draft, which
    the Committee's workflow still reviews). Rejected: kept as a hard negative for retraining."""
    check_may_decide(viewer)
    document, weapons, columns = _check(session, data)
    problems: list[Problem] = []
    reason = REASON.check(data.reason, "reason", problems) if data.reason else ""
    if problems:
        raise InvalidData(N_("the decision was not recorded"), problems=problems)
    text = data.provision.text
    edition_id = None
    if data.verdict is not SuggestionVerdict.rejected:
        assert data.iso3 is not None
        assert data.edition_number is not None
        state, edition = find_edition(
            session, viewer=viewer, iso3=data.iso3, number=data.edition_number
        )
        if document.state_id not in (None, state.id):
            raise InvalidData(
                N_("the decision was not recorded"),
                problems=[
                    Problem("provision.document_id", N_("the document is about another State"))
                ],
            )
        edition_id = edition.id
        cited = EvidenceInput(
            document_id=document.id,
            page=data.provision.page,
            article=data.provision.article,
            quotation=text[:QUOTATION_CHARS],
        )
        for weapon in weapons:
            for column in columns:
                key = f"{data.target_field}:{weapon}:{column}"
                try:
                    entry = entry_for(session, edition, key)
                except NotFound as error:
                    raise InvalidData(
                        N_("the decision was not recorded"), problems=[Problem("field", str(error))]
                    ) from error
                existing = [
                    EvidenceInput(e.document_id, e.page, e.article, e.paragraph, e.quotation)
                    for e in session.scalars(
                        select(Evidence)
                        .where(Evidence.cell_entry_id == entry.id)
                        .order_by(Evidence.id)
                    )
                ]
                already = any(
                    e.document_id == cited.document_id and e.article == cited.article
                    for e in existing
                )
                mark = entry.mark.value if entry.mark is not Mark.blank else Mark.measure.value
                update_cell(
                    session,
                    viewer=viewer,
                    iso3=data.iso3,
                    number=data.edition_number,
                    cell_key=key,
                    change=CellChange(
                        mark=mark,
                        remark=entry.remark,
                        version=entry.revision,
                        evidence=existing if already else [*existing, cited],
                    ),
                    reason=reason or f"evidence suggestion confirmed: {data.target_field}",
                )
    decision = SuggestionDecision(
        document_id=document.id,
        article=data.provision.article,
        page=data.provision.page,
        text=text,
        text_sha256=hashlib.sha256(text.encode("utf-8")).hexdigest(),
        language=data.provision.language or detect_language(text),
        field_code=data.field,
        chosen_field=data.target_field if data.target_field != data.field else None,
        suggested_weapons=list(data.suggested_weapons),
        suggested_columns=list(data.suggested_columns),
        score=data.score,
        verdict=data.verdict,
        weapons=weapons if data.verdict is not SuggestionVerdict.rejected else [],
        columns=columns if data.verdict is not SuggestionVerdict.rejected else [],
        edition_id=edition_id,
        lexicon_version=load_lexicon().version,
        model_version=data.model_version,
        held_out=held_out(document.id),
        reason=reason,
        actor=viewer.actor,
    )
    session.add(decision)
    session.flush()
    if not decision.held_out:  # a held-out document's decisions are never trained on
        retrain_soon(session)
    record_event(
        session,
        actor=viewer.actor,
        action=f"evidence_suggestion.{data.verdict.value}",
        entity_type="suggestion_decision",
        entity_id=str(decision.id),
        after={
            "document_id": document.id,
            "article": data.provision.article,
            "field": data.field,
            **({"chosen_field": decision.chosen_field} if decision.chosen_field else {}),
            "weapons": decision.weapons,
            "columns": decision.columns,
            "model_version": data.model_version,
        },
        reason=reason,
    )
    return decision


def retrain(session: Session, *, directory: Path | None = None, full: bool = False) -> Model:
    """The model updated with every decision not held out, kept as the current model: seconds,
    from the base model kept since its first training (`store.build_model`); `full`: trained
    again as a whole (about a minute). Writes no row."""
    return build_model(model_dir(directory), decision_examples(session), full=full)


def retrain_soon(session: Session) -> None:
    """After this write commits, a worker updates the model with every decision a minute later
    (one job waits at a time). Nothing when this process has no queue (the command line on
    SQLite: `un1540 evidence retrain` there) or runs its jobs inline (the tests)."""
    defer_job(
        session,
        RETRAIN_TASK,
        lock="evidence-retrain",
        delay_seconds=RETRAIN_DELAY_SECONDS,
        when_inline="skip",
    )


MODEL_RETRY_SECONDS = 60  # what a reader is told to wait while the model is being trained


def model_for_reader(session: Session, *, directory: Path | None = None) -> Model:
    """The model for a reader's request (a law's page, the suggestion routes of the API): kept
    by the process, or read from disk (about a second). Where it must be trained first (about
    three minutes after an install, or an upgrade that changed the development set, the lexicon
    or the model code), the training is queued as the retrain job, which builds the base model
    first (one job waits at a time), and ModelNotReady is raised, so that no request waits
    minutes (a reverse proxy would give up). Without a queue (the command line on SQLite) the
    caller trains it here; with inline jobs (the tests) the job has trained it once this returns."""
    try:
        return suggestion_model(directory, build=False)
    except ModelNotBuilt:
        queued = defer_job(
            session, RETRAIN_TASK, lock="evidence-retrain", queueing_lock="evidence-build"
        )
        jobs = jobs_of(session)
        if queued and jobs is not None and not jobs.inline:
            raise ModelNotReady(
                text_message(
                    N_(
                        "the suggestion model is being trained (about three minutes after an "
                        "install or an upgrade); ask again in %(seconds)s seconds"
                    ),
                    seconds=MODEL_RETRY_SECONDS,
                ),
                details={"retry_after": MODEL_RETRY_SECONDS},
            ) from None
        return suggestion_model(directory)


@job_task(RETRAIN_TASK)
def retrain_task(run: JobRun) -> None:
    """The background job: the current model updated with every decision not held out."""
    with run.sessions() as session:
        retrain(session, directory=run.settings.evidence_model_dir)
