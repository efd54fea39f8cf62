"""Technology and emerging risk notes (reference/risks.yml) with the coverage, by M49 region, of
the matrix fields that answer each one, read from the summaries of the editions in force on a
date (the coverage machinery of docs/coverage.md), never from raw cells.

A State counts for a note when its edition in force on the date (one the caller may see) has
cells in the note's fields; it has measures on the note when at least one of those cells, among
those the caller may see, is marked X. A region's share is States with measures / States
counted. The tally beside it is the marks of those fields over the counted States (coverage =
X / (cells - NA), as everywhere).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from un1540.analytics.coverage import Tally
from un1540.analytics.summaries import CellFilter, state_tallies_under
from un1540.errors import NotFound, text
from un1540.models import State
from un1540.models.base import today
from un1540.reference.languages import N_
from un1540.reference.risks import RiskNote, RiskNotes, load_risk_notes
from un1540.schemas.risks import RegionShare, RiskField, RiskNoteRead, RisksRead
from un1540.services.coverage.reads.coverage import AS_OF_BASIS, dimension_labels
from un1540.services.kernel.access import Viewer
from un1540.services.kernel.cache import cached
from un1540.services.kernel.envelope import envelope
from un1540.services.matrix.counting import ALL_STATES, summaries_in_force, tally_read

ALL = "all"
RISKS_METHOD = N_(
    "For each note and region: the States whose edition in force on the date has cells in the "
    "note's fields are counted; those with at least one of these cells marked X have measures on "
    "it. Share = States with measures / States counted. Coverage beside it = X / (cells - NA) "
    "over the same cells. A field counts under every weapon category it applies to."
)


@dataclass
class _Region:
    counted: int = 0
    with_measures: int = 0
    tally: Tally = field(default_factory=Tally)

    def add(self, tally: Tally) -> None:
        self.counted += 1
        self.with_measures += tally.measures > 0
        self.tally.merge(tally)


@dataclass(frozen=True)
class _Computed:
    synthetic: bool
    by_note: dict[str, dict[str, _Region]]  # note id -> region code (and ALL) -> counts


def _compute(session: Session, viewer: Viewer, as_of: date, notes: RiskNotes) -> _Computed:
    block = summaries_in_force(session, viewer, as_of)
    by_note: dict[str, dict[str, _Region]] = {}
    for note in notes.notes:
        tallies = state_tallies_under(block, [CellFilter("field", code) for code in note.fields])
        regions: dict[str, _Region] = {}
        for edition in block.editions:
            tally = tallies[edition.state]
            if tally.cells == 0:  # its framework has none of these fields
                continue
            regions.setdefault(edition.region, _Region()).add(tally)
            regions.setdefault(ALL, _Region()).add(tally)
        by_note[note.id] = regions
    return _Computed(any(edition.synthetic for edition in block.editions), by_note)


def _share(
    key: str, label: str, states: int, counts: _Region | None, thin_below: float
) -> RegionShare:
    counts = counts or _Region()
    share = counts.with_measures / counts.counted if counts.counted else None
    return RegionShare(
        region=key,
        label=label,
        states=states,
        counted=counts.counted,
        with_measures=counts.with_measures,
        share=share,
        thin=share is not None and share < thin_below,
        tally=tally_read(counts.tally),
    )


def _note_read(
    note: RiskNote,
    regions: dict[str, _Region],
    labels: dict[str, str],
    field_names: dict[str, str],
    members: dict[str, int],
    thin_below: float,
) -> RiskNoteRead:
    return RiskNoteRead(
        id=note.id,
        title=note.title,
        text=note.text,
        titles=note.titles,
        texts=note.texts,
        basis=note.basis,
        source=list(note.source),
        fields=[RiskField(code=code, name=field_names.get(code, code)) for code in note.fields],
        overall=_share(ALL, "All States", sum(members.values()), regions.get(ALL), thin_below),
        regions=[
            _share(code, label, members.get(code, 0), regions.get(code), thin_below)
            for code, label in labels.items()
        ],
    )


def check_as_of(as_of: date | None) -> date:
    """The date counted: today when none. Any date is valid: before the first approved edition
    (resolution 1540 was adopted on 28 April 2004) no State is counted, and every share is null."""
    return today() if as_of is None else as_of


def risk_coverage(
    session: Session, *, viewer: Viewer, as_of: date | None = None, note_id: str | None = None
) -> RisksRead:
    """Every risk note (or one: NotFound for an unknown id) with the share of States, per M49
    region, that have measures on its fields, as of `as_of` (today when None)."""
    notes = load_risk_notes()
    chosen = notes.notes
    if note_id is not None:
        found = notes.get(note_id)
        if found is None:
            raise NotFound(
                text(
                    N_("no risk note %(note_id)s"),
                    note_id=repr(note_id[:40]),
                )
            )
        chosen = (found,)
    on = check_as_of(as_of)
    computed = cached(
        session,
        ("risk_coverage", notes.version, on, viewer.cache_key),
        depends_on=ALL_STATES,
        compute=lambda: _compute(session, viewer, on, notes),
    )
    labels = dimension_labels(session, "region")
    field_names = dimension_labels(session, "field")
    members = {
        code: int(count)
        for code, count in session.execute(
            select(State.m49_region_code, func.count()).group_by(State.m49_region_code)
        )
    }
    return RisksRead(
        **envelope(computed.synthetic),
        version=notes.version,
        as_of=on,
        basis=AS_OF_BASIS,
        method=RISKS_METHOD,
        caveat=notes.caveat,
        thin_below=notes.thin_below,
        items=[
            _note_read(
                note,
                computed.by_note[note.id],
                labels,
                field_names,
                members,
                notes.thin_below,
            )
            for note in chosen
        ],
    )
