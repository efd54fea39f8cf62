"""Loading the bundled reference data into a database."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from un1540.models import AuditEvent, GroupMembership, Organisation, State, StateName
from un1540.services.kernel.access import PUBLIC
from un1540.services.matrix.actions.frameworks import load_reference_data
from un1540.services.matrix.reads.states import list_states


def _counts(session: Session) -> tuple[int, ...]:
    return tuple(
        session.scalar(select(func.count()).select_from(model)) or 0
        for model in (State, StateName, GroupMembership, Organisation)
    )


def test_loading_twice_changes_nothing_but_records_each_run(empty_session: Session) -> None:
    before = _counts(empty_session)
    audits = empty_session.scalar(select(func.count()).select_from(AuditEvent))
    load_reference_data(empty_session, actor="tests")
    empty_session.commit()
    assert _counts(empty_session) == before
    assert before[0] == 193
    assert empty_session.scalar(select(func.count()).select_from(AuditEvent)) == (audits or 0) + 1


def test_states_are_found_by_name_in_each_un_language(session: Session) -> None:
    for query in ("Nigeria", "nigéria", "Нигерия", "尼日利亚", "نيجيريا", "NGA", "ng"):
        found = [s.iso3 for s in list_states(session, viewer=PUBLIC, q=query).items]
        assert "NGA" in found, query


def test_aliases_and_accents_find_states(session: Session) -> None:
    assert [s.iso3 for s in list_states(session, viewer=PUBLIC, q="Turkey").items] == ["TUR"]
    assert [s.iso3 for s in list_states(session, viewer=PUBLIC, q="cote d'ivoire").items] == ["CIV"]
    assert [s.iso3 for s in list_states(session, viewer=PUBLIC, q="DPRK").items] == ["PRK"]


def test_a_search_with_like_wildcards_is_literal(session: Session) -> None:
    assert list_states(session, viewer=PUBLIC, q="%").items == []
    assert list_states(session, viewer=PUBLIC, q="_").items == []
