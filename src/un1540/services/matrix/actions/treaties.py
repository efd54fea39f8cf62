"""OP1 as structured data: a State's status towards a treaty, with its dates and who asserted it.

An OP1 treaty field (one that stands for an instrument as a whole in the crosswalk: NPT, ICSANT,
CPPNM, its 2005 Amendment, CTBT, CWC, BWC, Geneva Protocol) records, besides its mark and
remark, the status (signed, ratified, acceded, succeeded, not party), the date of signature and
the date of ratification, accession or succession, and who asserted it (the State's report, a
Committee finding, or an organisation's information). Recorded on an open edition by an expert,
like any cell; carried into the next draft with the cell.

Bad input is an error naming the field, nothing written: a date before the treaty opened for
signature (or the amendment was adopted), a date in the future, a ratification dated before the
signature, a status without the date it needs, or dates where the status has none.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy.orm import Session

from un1540.errors import InvalidData, Problem, text
from un1540.models import CellEntry, Framework
from un1540.models.base import today
from un1540.reference.crosswalks import Instrument, treaty_fields
from un1540.reference.languages import N_
from un1540.schemas.matrix import TreatyStatusInput, TreatyStatusRead
from un1540.schemas.text import REASON
from un1540.services.kernel.access import Viewer
from un1540.services.kernel.audit import record_event
from un1540.services.kernel.unit_of_work import action
from un1540.services.matrix.actions.claims import claim_edition
from un1540.services.matrix.reads.editions import entry_for

DATED = ("ratified", "acceded", "succeeded")


def treaty_problems(
    instrument: Instrument, status: TreatyStatusInput, *, on: date
) -> list[Problem]:
    """Everything wrong with a treaty status for this instrument, each naming its field."""
    problems: list[Problem] = []
    opened = instrument.opened.isoformat()
    for name in ("signed_on", "status_on"):
        value: date | None = getattr(status, name)
        if value is None:
            continue
        if value < instrument.opened:
            problems.append(
                Problem(
                    name,
                    text(
                        N_(
                            "%(isoformat)s is before the %(short)s opened for signature (or "
                            "was adopted) on %(opened)s"
                        ),
                        isoformat=value.isoformat(),
                        short=instrument.short,
                        opened=opened,
                    ),
                )
            )
        if value > on:
            problems.append(
                Problem(
                    name,
                    text(
                        N_("%(isoformat)s is in the future"),
                        isoformat=value.isoformat(),
                    ),
                )
            )
    if status.status == "signed":
        if status.signed_on is None:
            problems.append(Problem("signed_on", N_("a signature needs its date")))
        if status.status_on is not None:
            problems.append(
                Problem("status_on", N_("a State that has only signed has no such date"))
            )
    elif status.status in DATED:
        if status.status_on is None:
            problems.append(
                Problem(
                    "status_on",
                    text(
                        N_("give the date the State %(status)s"),
                        status=status.status,
                    ),
                )
            )
    elif status.signed_on is not None or status.status_on is not None:
        problems.append(Problem("status", N_("a State that is not party has no treaty dates")))
    if (
        status.signed_on is not None
        and status.status_on is not None
        and status.status_on < status.signed_on
    ):
        problems.append(Problem("status_on", N_("is before the date of signature")))
    return problems


def treaty_read(entry: CellEntry, instrument: str) -> TreatyStatusRead | None:
    if entry.treaty_status is None or entry.asserted_by is None:
        return None
    return TreatyStatusRead.model_validate(
        {
            "instrument": instrument,
            "status": entry.treaty_status,
            "signed_on": entry.signed_on,
            "status_on": entry.status_on,
            "asserted_by": entry.asserted_by,
        }
    )


@action
def set_treaty_status(
    session: Session,
    *,
    viewer: Viewer,
    iso3: str,
    number: int,
    field: str,
    status: TreatyStatusInput,
) -> TreatyStatusRead:
    """Record the treaty status of an OP1 treaty field in an open edition (an expert's edit)."""
    state, edition = claim_edition(
        session, viewer=viewer, iso3=iso3, number=number, step="edit_cells"
    )
    framework = session.get(Framework, edition.framework_id)
    assert framework is not None  # guaranteed by the foreign key
    instrument = treaty_fields(framework.slug).get(field)
    if instrument is None:
        raise InvalidData(
            text(
                N_("%(field)s is not an OP1 treaty field of %(slug)s; nothing was written"),
                field=repr(field),
                slug=framework.slug,
            ),
            problems=[
                Problem("field", N_("give a field that stands for one treaty, e.g. op1.cwc"))
            ],
        )
    reason = REASON.require(
        status.reason, "reason", message=N_("the treaty status was not changed")
    )
    problems = treaty_problems(instrument, status, on=today())
    if problems:
        raise InvalidData(
            text(
                N_("the %(short)s status of %(iso3)s is not valid; nothing was written"),
                short=instrument.short,
                iso3=state.iso3,
            ),
            problems=problems,
        )
    entry = entry_for(session, edition, f"{field}:any:adherence")
    before = treaty_read(entry, instrument.code)
    entry.treaty_status = status.status
    entry.signed_on = status.signed_on
    entry.status_on = status.status_on
    entry.asserted_by = status.asserted_by
    entry.revision += 1
    session.flush()
    after = treaty_read(entry, instrument.code)
    assert after is not None
    record_event(
        session,
        actor=viewer.actor,
        action="cell.treaty_status",
        entity_type="cell_entry",
        entity_id=f"{state.iso3}/{edition.number}/{field}:any:adherence",
        before=before.model_dump(mode="json") if before else None,
        after=after.model_dump(mode="json"),
        reason=reason,
    )
    return after
