"""The State consents to the summary it read, never to one changed meanwhile (forced race,
both backends: the consent's session read the summary; the Committee side's new text commits
before the consent writes)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import Engine

from tests.factories import make_user
from un1540.db.engine import make_session_factory
from un1540.errors import Conflict
from un1540.schemas.visits import ConsentInput, VisitCreate, VisitTransition
from un1540.services.kernel.access import system_viewer
from un1540.services.visits.actions import (
    consent_to_summary,
    invite,
    transition_visit,
    write_summary,
)
from un1540.services.visits.reads import get_visit


def test_a_summary_changed_meanwhile_is_not_published_on_the_states_word(
    fresh_engine: Engine,
) -> None:
    sessions = make_session_factory(fresh_engine)
    expert = system_viewer("tests")
    day = datetime.now(UTC).date()
    with sessions() as session:
        poc = make_user(session, role="state_poc", email="poc-race@example.org", iso3="TCD")
        session.commit()
        visit_id = invite(
            session, viewer=poc, data=VisitCreate(state="TCD", invited_on=day - timedelta(9))
        ).id
        for step in ("accepted", "preparation", "conducted", "findings"):
            transition_visit(
                session, viewer=expert, visit_id=visit_id, data=VisitTransition(to=step)
            )
        write_summary(session, viewer=expert, visit_id=visit_id, text="THE TEXT THE STATE READ")
    with sessions() as late:
        read = get_visit(late, viewer=poc, visit_id=visit_id)  # held, as read before the write
        assert read.public_summary == "THE TEXT THE STATE READ"
        with sessions() as committee:
            write_summary(committee, viewer=expert, visit_id=visit_id, text="A NEW TEXT")
        with pytest.raises(Conflict, match="changed since you read it") as refused:
            consent_to_summary(
                late,
                viewer=poc,
                visit_id=visit_id,
                data=ConsentInput(consent=True, summary="THE TEXT THE STATE READ"),
            )
        assert refused.value.details == {"current_summary": "A NEW TEXT"}
    with sessions() as session:
        stored = get_visit(session, viewer=poc, visit_id=visit_id)
        assert (stored.public_summary, stored.summary_consent) == ("A NEW TEXT", False)
