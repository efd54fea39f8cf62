"""The slow lists after a write (issues 13 and 14, lists8), cheaper and cached by what they
depend on, never across readers who may see different records:

- the action plans' list (portal and API) reads columns, not every plan with its measures and
  milestones as objects: the same summaries as before, in a fixed number of statements however
  many plans; cached per filters and viewer key, and kept across a draft's edit;
- its facets are counted once per filters and viewer key;
- a visit's briefing (the visited State's profile), an organisation's page and the activities'
  list and facets are cached per reader (everything a visibility rule reads of the viewer) and
  kept across a write to another State's matrix.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine, event, select
from sqlalchemy.orm import Session, sessionmaker

from tests.factories import make_user
from un1540.models import ActionPlan, AssistanceRequest, Organisation, Role, State
from un1540.services.action_plans.reads import list_plans, plan_facets
from un1540.services.action_plans.shapes import plan_summaries, plan_summary_read
from un1540.services.activities.reads import ActivityFilter, list_activities
from un1540.services.activities.shapes import activities_page, activity_read
from un1540.services.assistance.reads.requests import list_requests
from un1540.services.assistance.shapes import request_page, request_read
from un1540.services.kernel.access import PUBLIC, Viewer
from un1540.services.kernel.cache import CACHE
from un1540.services.kernel.paging import PageRequest
from un1540.services.matrix.actions.cells import update_cell
from un1540.services.matrix.actions.editions import open_draft
from un1540.services.matrix.inputs import CellChange
from un1540.services.matrix.reads.editions import entry_for
from un1540.services.profiles.briefing import briefing_profile
from un1540.services.profiles.reads import (
    _organisation_profile,
    organisation_profile,
    state_profile,
)

EXPERT = Viewer(role=Role.expert, actor="expert@example.org", user_id=1)
CELL = "op2.manufacture:cw:legal_framework"


class Statements:
    """The SQL statements a session's connection runs inside the block."""

    def __init__(self, session: Session) -> None:
        self.connection = session.connection()
        self.seen: list[str] = []

    def _count(self, *arguments: Any) -> None:
        self.seen.append(str(arguments[2]))

    def __enter__(self) -> Statements:
        event.listen(self.connection, "before_cursor_execute", self._count)
        return self

    def __exit__(self, *_: object) -> None:
        event.remove(self.connection, "before_cursor_execute", self._count)

    def reading(self, table: str) -> int:
        return sum(
            f"FROM {table}" in statement or f"JOIN {table}" in statement for statement in self.seen
        )


def _poc_of_an_unpublished_plan(session: Session) -> tuple[Viewer, str]:
    plan = session.scalars(select(ActionPlan).where(ActionPlan.published.is_(False))).first()
    assert plan is not None  # the demo holds unpublished plans
    viewer = Viewer(role=Role.state_poc, state_id=plan.state_id, actor="poc@x.org", user_id=2)
    return viewer, plan.state.iso3


def test_the_plans_summaries_are_those_of_the_plans_read_whole(session: Session) -> None:
    poc, _ = _poc_of_an_unpublished_plan(session)
    for viewer in (PUBLIC, EXPERT, poc):
        for filters in ({}, {"status": "in_progress"}, {"published": False}):
            paging = PageRequest(page=1, page_size=7)
            listing = list_plans(session, viewer=viewer, paging=paging, **filters)  # type: ignore[arg-type]
            expected = [plan_summary_read(plan, listing.progress) for plan in listing.plans]
            found = plan_summaries(session, viewer=viewer, paging=paging, **filters)  # type: ignore[arg-type]
            assert list(found.items) == expected, (viewer.role, filters)
            assert found.total == listing.total


def test_one_viewer_keys_cached_plans_are_not_served_to_another(session: Session) -> None:
    poc, iso3 = _poc_of_an_unpublished_plan(session)
    everything = plan_summaries(session, viewer=EXPERT)
    hidden = {item.id for item in everything.items if not item.published}
    assert hidden
    public = plan_summaries(session, viewer=PUBLIC)
    assert not hidden & {item.id for item in public.items}
    assert public.total < everything.total
    # A State's point of contact: the published plans and its own State's others, no more.
    own = plan_summaries(session, viewer=poc)
    assert {item.id for item in own.items if not item.published} == {
        item.id for item in everything.items if not item.published and item.state == iso3
    }
    # The facets too: the anonymous reader counts only published plans.
    assert dict(plan_facets(session, viewer=PUBLIC)["published"]) == {"yes": public.total}
    unpublished = plan_summaries(session, viewer=EXPERT, published=False).total
    assert dict(plan_facets(session, viewer=EXPERT)["published"])["no"] == unpublished


def test_the_plans_list_reads_a_fixed_number_of_statements_and_no_milestone(
    session: Session,
) -> None:
    paging = PageRequest(page=1, page_size=13)  # a key no other test asks
    with Statements(session) as statements:
        found = plan_summaries(session, viewer=EXPERT, paging=paging)
    assert len(found.items) == found.total >= 2
    # Before: the plans, their States, measures and milestones loaded as objects (every
    # milestone's row read to count the overdue ones).
    assert statements.reading("action_plan_milestone") == 1  # one count, grouped by plan
    milestones = [s for s in statements.seen if "action_plan_milestone" in s]
    assert all("count(" in statement.lower() for statement in milestones)
    assert statements.reading("action_plan_measure") == 2  # the measures' ties and that count
    assert statements.reading("action_plan") >= 1
    assert len(statements.seen) <= 12  # versions, count, page, measures, overdue, progress


def test_a_draft_edit_leaves_the_lists_and_other_profiles_warm(
    sessions: sessionmaker[Session], engine: Engine
) -> None:
    with sessions() as session:
        expert = make_user(session, role="expert")
        draft = open_draft(session, viewer=expert, iso3="FRA")
        number, version = draft.number, entry_for(session, draft, CELL).revision
        before = plan_summaries(session, viewer=EXPERT)
        usa = briefing_profile(session, viewer=EXPERT, iso3="USA")
        code = session.scalars(select(Organisation.code).order_by(Organisation.id)).first()
        assert code is not None
        organisation = organisation_profile(session, viewer=EXPERT, code=code)
        activities = activities_page(session, viewer=EXPERT, filters=ActivityFilter())
    with sessions() as session:
        update_cell(
            session,
            viewer=expert,
            iso3="FRA",
            number=number,
            cell_key=CELL,
            change=CellChange(mark="?", remark="lists8", version=version),
            reason="an expert's edit",
        )
    with sessions() as session, Statements(session) as statements:
        after = plan_summaries(session, viewer=EXPERT)
        # Another State's profile, the organisation's page, the activities: served as well.
        assert briefing_profile(session, viewer=EXPERT, iso3="USA") is usa
        assert organisation_profile(session, viewer=EXPERT, code=code) is organisation
        assert activities_page(session, viewer=EXPERT, filters=ActivityFilter()) is activities
    assert after is before  # served from the cache
    assert statements.reading("action_plan") == 0
    assert any(key[0] == "action_plan_summaries" for key in CACHE.entries(str(engine.url)))


def test_profiles_and_activities_are_cached_per_reader_and_never_served_to_another(
    session: Session,
) -> None:
    """Each cached value equals what the reader's own uncached read gives, computed for the
    reader who sees the most first (a value served across keys would fail the equality)."""
    france = session.scalars(select(State).where(State.iso3 == "FRA")).one()
    one, other = session.scalars(select(Organisation).order_by(Organisation.id).limit(2)).all()
    viewers = [
        EXPERT,
        Viewer(role=Role.state_poc, state_id=france.id, actor="poc@x.org", user_id=3),
        Viewer(role=Role.provider, organisation_id=one.id, actor="p1@x.org", user_id=4),
        Viewer(role=Role.provider, organisation_id=other.id, actor="p2@x.org", user_id=5),
        PUBLIC,
    ]
    for viewer in viewers:
        profile = briefing_profile(session, viewer=viewer, iso3="FRA")
        assert profile == state_profile(session, viewer=viewer, iso3="FRA"), viewer
        assert briefing_profile(session, viewer=viewer, iso3="FRA") is profile  # cached
        organisation = organisation_profile(session, viewer=viewer, code=one.code)
        assert organisation == _organisation_profile(session, viewer=viewer, code=one.code)
        listed = activities_page(session, viewer=viewer, filters=ActivityFilter())
        rows, total = list_activities(session, viewer=viewer, filters=ActivityFilter())
        assert listed == ([activity_read(row) for row in rows], total), viewer
    assert briefing_profile(session, viewer=EXPERT, iso3="FRA") != briefing_profile(
        session, viewer=PUBLIC, iso3="FRA"
    )  # the demo holds what the public may not see: the equality above means something
    # Two providers share `Viewer.cache_key` but not what they see of their activities.
    first, second = (
        activities_page(session, viewer=viewer, filters=ActivityFilter()) for viewer in viewers[2:4]
    )
    assert first is not second


def test_the_api_requests_page_is_each_readers_own_and_survives_a_matrix_edit(
    session: Session,
) -> None:
    """`request_page` (the API's list of requests): what `list_requests` + `request_read` give
    each viewer, computed once per viewer, filters and versions; a draft's edit keeps it."""
    request = session.scalars(select(AssistanceRequest)).first()
    assert request is not None  # the demo holds requests
    poc = Viewer(role=Role.state_poc, state_id=request.state_id, actor="poc@x.org", user_id=2)
    paging = PageRequest(page=1, page_size=20)
    for viewer in (PUBLIC, EXPERT, poc):
        rows, total = list_requests(session, viewer=viewer, paging=paging)
        expected = [request_read(row, viewer) for row in rows]
        assert request_page(session, viewer=viewer, status=None, state=None, paging=paging) == (
            expected,
            total,
        ), viewer.role
    draft = open_draft(session, viewer=EXPERT, iso3="FRA")
    revision = entry_for(session, draft, CELL).revision
    update_cell(
        session,
        viewer=EXPERT,
        iso3="FRA",
        number=draft.number,
        cell_key=CELL,
        change=CellChange(mark="?", remark="lists", version=revision),
        reason="an edit",
    )
    computed = CACHE.counts["computed"]
    for viewer in (PUBLIC, EXPERT, poc):
        request_page(session, viewer=viewer, status=None, state=None, paging=paging)
    assert CACHE.counts["computed"] == computed  # all three served as cached
