"""Experts' decisions on evidence suggestions: confirm puts the provision on the draft's cells
as evidence; reject is kept as a hard negative, and a retrain learns from it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from tests.analytics.test_evidence_suggest import small_train_split
from tests.conftest import DatabaseFactory
from tests.factories import make_document, make_user
from tests.services.test_jobs import wait_until
from un1540.analytics.evidence import store
from un1540.analytics.evidence.devset import load_devset
from un1540.analytics.evidence.lexicon import load_lexicon
from un1540.analytics.evidence.model import suggest
from un1540.db.engine import make_session_factory
from un1540.errors import Forbidden, InvalidData
from un1540.models import Evidence, Mark, SuggestionDecision, SuggestionVerdict
from un1540.services.evidence import actions as evidence_actions
from un1540.services.evidence.actions import (
    RETRAIN_DELAY_SECONDS,
    RETRAIN_TASK,
    DecisionInput,
    ProvisionRef,
    decide_suggestion,
    retrain,
)
from un1540.services.evidence.reads import decision_examples, held_out
from un1540.services.kernel.jobs import JOBS_KEY, JobRun, MemoryJobs, configure_jobs, run_task
from un1540.services.kernel.workers import BackgroundWorker, WorkerOptions
from un1540.services.matrix.actions.editions import open_draft
from un1540.services.matrix.reads.editions import entry_for, find_edition
from un1540.settings import get_settings

TEXT = (
    "Article 4. Quiconque fabrique, acquiert ou détient des armes chimiques est puni de "
    "vingt ans de réclusion criminelle."
)


def _input(document_id: int, verdict: SuggestionVerdict, **fields: object) -> DecisionInput:
    return DecisionInput(
        provision=ProvisionRef(document_id=document_id, article="4", text=TEXT, page="12"),
        field=str(fields.pop("field", "op2.manufacture")),
        verdict=verdict,
        suggested_weapons=("cw",),
        suggested_columns=("legal_framework", "enforcement"),
        score=0.8,
        model_version="test",
        **fields,  # type: ignore[arg-type]
    )


def _document(session: Session, *, trained: bool) -> int:
    """A document of TCD whose decisions are (or are not) held out from training."""
    for index in range(40):
        document = make_document(session, title=f"Loi {index}", kind="legislation")
        if held_out(document.id) != trained:
            return document.id
    raise AssertionError("no document of the wanted kind")  # pragma: no cover


def test_confirm_puts_the_provision_on_the_draft_cells(session: Session) -> None:
    with session.begin():
        expert = make_user(session, role="expert")
        number = open_draft(session, viewer=expert, iso3="TCD").number
        document_id = _document(session, trained=True)
    decision = decide_suggestion(
        session,
        viewer=expert,
        data=_input(document_id, SuggestionVerdict.confirmed, iso3="TCD", edition_number=number),
    )
    assert decision.lexicon_version == load_lexicon().version
    assert decision.model_version == "test"
    _, edition = find_edition(session, viewer=expert, iso3="TCD", number=number)
    for column in ("legal_framework", "enforcement"):
        entry = entry_for(session, edition, f"op2.manufacture:cw:{column}")
        assert entry.mark is Mark.measure  # proposed on a blank cell
        cited = session.scalars(select(Evidence).where(Evidence.cell_entry_id == entry.id)).one()
        assert (cited.document_id, cited.article, cited.page) == (document_id, "4", "12")
        assert cited.quotation == TEXT
    assert entry_for(session, edition, "op2.manufacture:bw:legal_framework").mark is Mark.blank


def test_wrong_decisions_are_refused(session: Session) -> None:
    with session.begin():
        expert = make_user(session, role="expert")
        poc = make_user(session, role="state_poc", iso3="TCD")
        document_id = _document(session, trained=True)
    with pytest.raises(Forbidden):
        decide_suggestion(session, viewer=poc, data=_input(document_id, SuggestionVerdict.rejected))
    with pytest.raises(InvalidData) as refused:
        decide_suggestion(
            session,
            viewer=expert,
            data=_input(document_id, SuggestionVerdict.confirmed, field="op1.npt"),
        )
    assert {p.where for p in refused.value.problems} >= {"field", "edition"}
    assert session.scalars(select(SuggestionDecision)).all() == []


def test_a_rejection_lowers_the_score_after_a_retrain(
    session: Session, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    base = [e for e in load_devset() if e.split == "train"][::5]
    monkeypatch.setattr(store, "train_split", lambda directories=None: base)
    lexicon = load_lexicon()
    with session.begin():
        expert = make_user(session, role="expert")
        trained_id = _document(session, trained=True)
    before_model = retrain(session, directory=tmp_path)
    [before] = suggest(before_model, lexicon, [("p", TEXT, "fr")], every_candidate=True)
    scores = {s.field: s.score for s in before.suggestions}
    assert "op2.possess" in scores
    session.rollback()  # the retrain's read
    decide_suggestion(
        session,
        viewer=expert,
        data=_input(trained_id, SuggestionVerdict.rejected, field="op2.possess"),
    )
    after_model = retrain(session, directory=tmp_path)
    assert after_model.trained_on["decisions"] == 1
    [after] = suggest(after_model, lexicon, [("p", TEXT, "fr")], every_candidate=True)
    after_scores = {s.field: s.score for s in after.suggestions}
    assert after_scores.get("op2.possess", 0.0) < scores["op2.possess"]


def test_an_edit_may_move_the_evidence_to_another_field(session: Session) -> None:
    """Issue 10, item 5: the chosen field's cells receive the evidence; retraining learns the
    suggested field as a negative and the chosen one as a positive for that provision."""
    with session.begin():
        expert = make_user(session, role="expert")
        number = open_draft(session, viewer=expert, iso3="TCD").number
        document_id = _document(session, trained=True)
    for chosen in ("op1.npt", "op9.nothing"):
        with pytest.raises(InvalidData) as refused:
            decide_suggestion(
                session,
                viewer=expert,
                data=_input(
                    document_id,
                    SuggestionVerdict.edited,
                    chosen_field=chosen,
                    iso3="TCD",
                    edition_number=number,
                ),
            )
        # the field alone, not also "weapons" (review of session 28)
        assert {p.where for p in refused.value.problems} == {"chosen_field"}
    with pytest.raises(InvalidData) as refused:  # only an edit chooses another field
        decide_suggestion(
            session,
            viewer=expert,
            data=_input(
                document_id, SuggestionVerdict.confirmed, chosen_field="op2.possess", iso3="TCD"
            ),
        )
    assert "chosen_field" in {p.where for p in refused.value.problems}
    decision = decide_suggestion(
        session,
        viewer=expert,
        data=_input(
            document_id,
            SuggestionVerdict.edited,
            chosen_field="op2.possess",
            iso3="TCD",
            edition_number=number,
        ),
    )
    assert (decision.field_code, decision.chosen_field) == ("op2.manufacture", "op2.possess")
    assert decision.weapons == ["cw"]  # the suggested weapons the chosen field applies to
    _, edition = find_edition(session, viewer=expert, iso3="TCD", number=number)
    for column in ("legal_framework", "enforcement"):
        moved = entry_for(session, edition, f"op2.possess:cw:{column}")
        assert moved.mark is Mark.measure
        cited = session.scalars(select(Evidence).where(Evidence.cell_entry_id == moved.id)).one()
        assert (cited.document_id, cited.article) == (document_id, "4")
        suggested = entry_for(session, edition, f"op2.manufacture:cw:{column}")
        assert (
            session.scalars(select(Evidence).where(Evidence.cell_entry_id == suggested.id)).all()
            == []
        )
    [example] = decision_examples(session)
    assert set(example.labels) == {"op2.possess"}
    assert example.labels["op2.possess"].weapons == ("cw",)
    assert example.rejected == frozenset({"op2.manufacture"})
    assert example.partial  # the fields no one decided on are unknown, not "not evidence"


def _retrain_jobs(jobs: MemoryJobs) -> list[dict[str, Any]]:
    return [
        job
        for job in jobs.connector.jobs.values()
        if job["task_name"] == RETRAIN_TASK and job["status"] == "todo"
    ]


def test_decisions_queue_one_retrain_a_minute_later_which_updates_the_model(
    session: Session, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Item 5: later suggestions learn from the decisions without anyone running a command: a
    decision queues the retrain job (once for a burst), and the job updates the kept model."""
    jobs = MemoryJobs()
    session.info[JOBS_KEY] = jobs  # as the server's sessions queue (SQLite: in memory)
    with session.begin():
        expert = make_user(session, role="expert")
        trained_id = _document(session, trained=True)
        held_id = _document(session, trained=False)
    decide_suggestion(session, viewer=expert, data=_input(held_id, SuggestionVerdict.rejected))
    assert _retrain_jobs(jobs) == []  # a held-out document's decision teaches nothing
    asked = datetime.now(UTC)
    for field in ("op2.possess", "op2.manufacture"):
        decide_suggestion(
            session,
            viewer=expert,
            data=_input(trained_id, SuggestionVerdict.rejected, field=field),
        )
    [job] = _retrain_jobs(jobs)  # the second decision found it waiting
    assert job["lock"] == job["queueing_lock"] == "evidence-retrain"
    assert job["scheduled_at"] >= asked + timedelta(seconds=RETRAIN_DELAY_SECONDS - 5)
    monkeypatch.setattr(store, "train_split", lambda directories=None: small_train_split())
    settings = get_settings().model_copy(update={"evidence_model_dir": tmp_path})
    run = JobRun(sessions=sessionmaker(bind=session.get_bind()), settings=settings)
    run_task(RETRAIN_TASK, run, job["args"])  # as a worker runs it
    model = store.current_model(tmp_path)
    assert model.trained_on == {"examples": len(small_train_split()) + 1, "decisions": 1}
    [learnt] = [e for e in model.examples if e.id.startswith("decision-")]
    assert learnt.rejected == {"op2.possess", "op2.manufacture"}


def test_the_servers_worker_runs_the_retrain_a_decision_queued(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """End to end as `un1540 serve` on SQLite does it: the decision queues the job in memory,
    the server's worker thread runs it, and the kept model has learnt the decision."""
    monkeypatch.setattr(evidence_actions, "RETRAIN_DELAY_SECONDS", 0.0)  # not a minute here
    monkeypatch.setattr(store, "train_split", lambda directories=None: small_train_split())
    engine = DatabaseFactory("sqlite", None, tmp_path).create(demo=False)
    jobs = MemoryJobs()
    sessions = make_session_factory(engine)
    configure_jobs(sessions, jobs)  # as the server's sessions queue
    models = tmp_path / "models"
    settings = get_settings().model_copy(update={"evidence_model_dir": models})
    worker = BackgroundWorker(
        engine=engine, settings=settings, memory=jobs, options=WorkerOptions(stalled_seconds=2)
    )
    worker.start()
    try:
        with sessions() as session:
            with session.begin():
                expert = make_user(session, role="expert")
                trained_id = _document(session, trained=True)
            decision = _input(trained_id, SuggestionVerdict.rejected)
            decide_suggestion(session, viewer=expert, data=decision)
        wait_until(lambda: (models / store.CURRENT).exists(), "the retrain job", timeout=180)
    finally:
        worker.stop()
        engine.dispose()
    assert store.current_model(models).trained_on["decisions"] == 1


def test_a_field_an_edit_moved_evidence_to_says_so_until_it_is_decided() -> None:
    """Session 27's audit: after an edit moved "attempt" to "use", the "use" suggestion of the
    same article still looked undecided."""
    from un1540.analytics.evidence.model import Suggestion
    from un1540.models import Document, Provision
    from un1540.services.evidence.review import DecisionView, _review

    def decision(field: str, verdict: str, chosen: str | None) -> DecisionView:
        return DecisionView(
            id=1,
            field=field,
            verdict=verdict,
            weapons=["cw"],
            columns=["legal_framework"],
            edition_number=7,
            reason="",
            actor="expert@un.org",
            decided_at=datetime(2026, 12, 7, tzinfo=UTC),
            model_version="m",
            chosen_field=chosen,
        )

    def suggested(field: str) -> Suggestion:
        return Suggestion(field, ["cw"], ["legal_framework"], 0.8, {})

    fields = ["op2.attempt", "op2.use", "op2.transport"]
    edited = decision("op2.attempt", "edited", "op2.use")
    review = _review(Document(), Provision(), [suggested(f) for f in fields], [edited], ("m", "l"))
    by_field = {s.field: s for s in review.suggestions}
    assert by_field["op2.use"].moved_here == edited
    assert by_field["op2.transport"].moved_here is None
    assert by_field["op2.attempt"].decision == edited
    assert by_field["op2.attempt"].moved_here is None
    # Once "use" is decided on its own, its own decision shows; a rejected edit moves nothing.
    own = decision("op2.use", "rejected", None)
    review = _review(
        Document(), Provision(), [suggested(f) for f in fields], [own, edited], ("m", "l")
    )
    assert {s.field: s.moved_here for s in review.suggestions}["op2.use"] is None
    rejected = decision("op2.attempt", "rejected", "op2.transport")
    review = _review(
        Document(), Provision(), [suggested(f) for f in fields], [rejected], ("m", "l")
    )
    assert all(s.moved_here is None for s in review.suggestions)
