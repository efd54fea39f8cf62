"""Per-edition summaries (analytics/summaries.py): written when an edition is approved, read for
coverage on a date.

Written in the transaction that makes an edition approved: the approval step
(actions/editions.py) and a recorded approved edition (actions/recorded_editions.py: imports and
the demo); the Alembic revision that created the table filled it for the editions approved
before. Read by counting.py: the edition of each State in force on a date is chosen in SQL,
and only those editions' summaries are read (one row each), never their cells.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Sequence
from datetime import date

import orjson
from sqlalchemy import ColumnElement, Date, func, literal, select, union_all
from sqlalchemy.orm import Session
from sqlalchemy.sql import Subquery

from un1540.analytics.summaries import (
    LevelTallies,
    Parsed,
    SummaryBlock,
    keys_counted_in,
    merge_parsed,
    parse_level,
    summarise,
)
from un1540.analytics.timeline import CellColumn, EditionRow
from un1540.models import (
    CellEntry,
    Document,
    EditionStatus,
    EditionSummary,
    Evidence,
    Framework,
    Mark,
    MatrixEdition,
    Origin,
    Role,
    State,
    Visibility,
)
from un1540.services.kernel.access import Viewer, can_see, edition_visible, visible
from un1540.services.matrix.layout import FrameworkLayout, framework_layout


def cell_columns(layout: FrameworkLayout) -> list[CellColumn]:
    """The cells of a framework with what they are grouped by."""
    return [
        CellColumn(
            id=cell.id,
            section=cell.section_code,
            field=cell.field_code,
            column=cell.column,
            weapons=cell.weapons,
        )
        for cell in layout.cells
    ]


def compute_summary(session: Session, edition_id: int, framework: Framework) -> str:
    """The summary of an edition from its cells, as stored (JSON)."""
    entries = session.execute(
        select(CellEntry.cell_id, CellEntry.mark, CellEntry.visibility).where(
            CellEntry.edition_id == edition_id
        )
    ).all()
    summary = summarise(
        cell_columns(framework_layout(session, framework)),
        ((cell_id, Mark(mark).value, Visibility(level).value) for cell_id, mark, level in entries),
    )
    return orjson.dumps(summary, option=orjson.OPT_SORT_KEYS).decode()


def write_summary(
    session: Session,
    edition: MatrixEdition,
    entries: Sequence[tuple[int, str, str]] | None = None,
) -> None:
    """Store the summary of an edition that has just become approved (in the caller's
    transaction, so the edition and its summary commit together): from its cells in the
    database, or from the `entries` (cell id, mark, visibility) the caller has just written."""
    if entries is None:
        session.flush()  # its cells are all written
        tallies = compute_summary(session, edition.id, edition.framework)
    else:
        summary = summarise(cell_columns(framework_layout(session, edition.framework)), entries)
        tallies = orjson.dumps(summary, option=orjson.OPT_SORT_KEYS).decode()
    stored = session.get(EditionSummary, edition.id)
    if stored is None:
        session.add(EditionSummary(edition_id=edition.id, tallies=tallies))
    else:
        stored.tallies = tallies


def visible_levels(viewer: Viewer, state_id: int) -> tuple[str, ...]:
    """The cell visibilities the viewer may see in an edition of this State."""
    return tuple(level.value for level in Visibility if can_see(level, viewer, state_id))


# Parsed summaries by their text (content-addressed, so a summary rewritten or an id reused by
# a rolled-back transaction is never confused): an edition in force on several dates of one
# request is parsed once. Bounded; `forget_parsed` empties it (benchmarks, for cold runs).
_PARSED: OrderedDict[str, dict[str, Parsed]] = OrderedDict()
_PARSED_LIMIT = 4096
_PARSED_LOCK = threading.Lock()


def _parsed(text: str) -> dict[str, Parsed]:
    with _PARSED_LOCK:
        found = _PARSED.get(text)
        if found is not None:
            _PARSED.move_to_end(text)
            return found
    summary: dict[str, LevelTallies] = orjson.loads(text)
    parsed = {level: parse_level(tallies) for level, tallies in summary.items()}
    with _PARSED_LOCK:
        _PARSED[text] = parsed
        while len(_PARSED) > _PARSED_LIMIT:
            _PARSED.popitem(last=False)
    return parsed


def forget_parsed() -> None:
    with _PARSED_LOCK:
        _PARSED.clear()


def in_force_summaries(session: Session, viewer: Viewer, as_of: date | None) -> SummaryBlock:
    """The edition of each State in force on `as_of` (the latest approved one when None) that
    the viewer may see, with the tallies of the cells the viewer may see: one row per State."""
    eligible = (MatrixEdition.status == EditionStatus.approved) & edition_visible(viewer)
    if as_of is not None:
        eligible = eligible & (MatrixEdition.approved_on <= as_of)
    latest = (
        select(MatrixEdition.state_id, func.max(MatrixEdition.number).label("number"))
        .where(eligible)
        .group_by(MatrixEdition.state_id)
        .subquery()
    )
    in_force = _editions_with_levels(
        session,
        viewer,
        latest,
        (MatrixEdition.state_id == latest.c.state_id) & (MatrixEdition.number == latest.c.number),
    )
    editions = [edition for edition, _ in in_force]
    parsed = [merge_parsed(levels) for _, levels in in_force]
    return SummaryBlock.of(editions, parsed)


def in_force_keys(
    session: Session, viewer: Viewer, dates: Sequence[date], dimensions: Sequence[str]
) -> tuple[bool, dict[str, set[str]]]:
    """For the editions in force on any of `dates` (chosen as `in_force_summaries` chooses
    them, in one statement for all the dates): whether one is synthetic, and the keys each
    dimension's breakdown on one of the dates would have (`keys_counted_in`). What a trend
    needs of the dates it does not tally."""
    if not dates:
        return False, {dimension: set() for dimension in dimensions}
    days = union_all(*(select(literal(day, Date).label("on")) for day in sorted(set(dates)))).cte(
        "days"
    )
    latest = (
        select(days.c.on, MatrixEdition.state_id, func.max(MatrixEdition.number).label("number"))
        .join(days, MatrixEdition.approved_on <= days.c.on)
        .where(MatrixEdition.status == EditionStatus.approved, edition_visible(viewer))
        .group_by(days.c.on, MatrixEdition.state_id)
        .subquery()
    )
    chosen = (
        select(MatrixEdition.id)
        .join(
            latest,
            (MatrixEdition.state_id == latest.c.state_id)
            & (MatrixEdition.number == latest.c.number),
        )
        .distinct()
        .subquery()
    )
    editions = _editions_with_levels(session, viewer, chosen, chosen.c.id == MatrixEdition.id)
    synthetic = any(edition.synthetic for edition, _ in editions)
    return synthetic, keys_counted_in(editions, dimensions)


def _editions_with_levels(
    session: Session, viewer: Viewer, chosen: Subquery, on: ColumnElement[bool]
) -> list[tuple[EditionRow, list[Parsed]]]:
    """The editions joined to `chosen` (on `on`), by State code, each with the parsed levels of
    its summary the viewer may see (an edition never summarised is summarised from its cells)."""
    rows = session.execute(
        select(
            MatrixEdition.id,
            MatrixEdition.state_id,
            State.iso3,
            MatrixEdition.number,
            MatrixEdition.approved_on,
            State.electoral_group_code,
            State.m49_region_code,
            MatrixEdition.origin,
            MatrixEdition.framework_id,
            EditionSummary.tallies,
        )
        .join(chosen, on)
        .join(State, State.id == MatrixEdition.state_id)
        .outerjoin(EditionSummary, EditionSummary.edition_id == MatrixEdition.id)
        .order_by(State.iso3)
    ).all()
    editions = []
    levels_of: dict[int | None, tuple[str, ...]] = {}  # by State only for its points of contact
    for edition_id, state_id, iso3, number, approved_on, group, region, origin, fw, text in rows:
        if text is None:  # not summarised (never, once written on approval): from its cells
            text = compute_summary(session, edition_id, session.get_one(Framework, fw))
        levels = _parsed(text)
        owner = state_id if viewer.role is Role.state_poc else None
        seen = levels_of.get(owner)
        if seen is None:
            seen = levels_of[owner] = visible_levels(viewer, state_id)
        edition = EditionRow(
            id=edition_id,
            state=iso3,
            number=number,
            approved_on=approved_on,
            group=group,
            region=region,
            synthetic=origin is Origin.demo,
        )
        editions.append((edition, [levels[level] for level in seen if level in levels]))
    return editions


def evidence_counts(
    session: Session, viewer: Viewer, edition_ids: Sequence[int]
) -> list[tuple[date, int]]:
    """The issue dates of the documents the X cells of these editions cite (as the viewer may
    see them), each with how many citations: for the age of the information, read for the
    editions asked about only."""
    if not edition_ids:
        return []
    rows = session.execute(
        select(Document.issued_on, func.count())
        .select_from(CellEntry)
        .join(Evidence, Evidence.cell_entry_id == CellEntry.id)
        .join(Document, Document.id == Evidence.document_id)
        .join(MatrixEdition, MatrixEdition.id == CellEntry.edition_id)
        .where(
            CellEntry.edition_id.in_(sorted(set(edition_ids))),
            CellEntry.mark == Mark.measure,
            Document.issued_on.is_not(None),
            visible(CellEntry.visibility, viewer, MatrixEdition.state_id),
            visible(Evidence.visibility, viewer, MatrixEdition.state_id),
            visible(Document.visibility, viewer, Document.state_id),
        )
        .group_by(Document.issued_on)
    ).all()
    return [(issued_on, count) for issued_on, count in rows if issued_on is not None]


def evidence_dates(
    session: Session, viewer: Viewer, edition_ids: Sequence[int]
) -> dict[int, tuple[date, ...]]:
    """The issue dates of the documents the X cells of these editions cite (as the viewer may
    see them), for the age of the information: read for the editions asked about only."""
    found: dict[int, list[date]] = {}
    if not edition_ids:
        return {}
    for edition_id, issued_on, count in session.execute(
        select(CellEntry.edition_id, Document.issued_on, func.count())
        .join(Evidence, Evidence.cell_entry_id == CellEntry.id)
        .join(Document, Document.id == Evidence.document_id)
        .join(MatrixEdition, MatrixEdition.id == CellEntry.edition_id)
        .where(
            CellEntry.edition_id.in_(sorted(set(edition_ids))),
            CellEntry.mark == Mark.measure,
            Document.issued_on.is_not(None),
            visible(CellEntry.visibility, viewer, MatrixEdition.state_id),
            visible(Evidence.visibility, viewer, MatrixEdition.state_id),
            visible(Document.visibility, viewer, Document.state_id),
        )
        .group_by(CellEntry.edition_id, Document.issued_on)
    ):
        if issued_on is not None:
            found.setdefault(edition_id, []).extend([issued_on] * count)
    return {edition_id: tuple(sorted(dates)) for edition_id, dates in found.items()}
