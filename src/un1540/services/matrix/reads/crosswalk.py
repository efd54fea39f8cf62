"""The crosswalk from matrix fields to treaty articles (reference data, per framework version)."""

from __future__ import annotations

from sqlalchemy.orm import Session

from un1540.errors import InvalidParameter, Problem, text
from un1540.reference.crosswalks import crosswalks_for, load_instruments
from un1540.reference.languages import N_
from un1540.schemas.frameworks import CrosswalkList, InstrumentRead, ObligationLink
from un1540.services.kernel.envelope import reference_only
from un1540.services.kernel.paging import PageRequest
from un1540.services.matrix.layout import framework_layout
from un1540.services.matrix.reads.frameworks import resolve_framework


def obligation_links(
    framework_slug: str, *, field: str | None = None, instrument: str | None = None
) -> list[ObligationLink]:
    """The links of a framework version, in file order; filtered by field and instrument."""
    instruments = load_instruments()
    links: list[ObligationLink] = []
    for crosswalk in crosswalks_for(framework_slug):
        for link in crosswalk.links:
            if field is not None and link.field != field:
                continue
            if instrument is not None and link.article.instrument != instrument:
                continue
            item = instruments[link.article.instrument]
            links.append(
                ObligationLink(
                    field=link.field,
                    article=link.article.id,
                    instrument=item.code,
                    instrument_short=item.short,
                    instrument_name=item.name,
                    kind=item.kind,
                    citation=link.article.citation,
                    number=link.article.article,
                    subject=item.subject(link.article.article) if link.article.article else "",
                    source=item.text,
                    confidence=link.confidence,
                    crosswalk=crosswalk.slug,
                    note=link.note,
                )
            )
    return links


def crosswalk_list(
    session: Session,
    *,
    framework: str | None = None,
    instrument: str | None = None,
    field: str | None = None,
    paging: PageRequest | None = None,
) -> CrosswalkList:
    """Every link of the framework version's crosswalks, optionally of one instrument or field."""
    stored = resolve_framework(session, framework)
    instruments = load_instruments()
    problems = []
    if instrument is not None and instrument not in instruments:
        known = ", ".join(sorted(instruments))
        problems.append(
            Problem(
                "instrument",
                text(
                    N_("unknown instrument %(instrument)s (%(known)s)"),
                    instrument=repr(instrument),
                    known=known,
                ),
            )
        )
    if field is not None and field not in framework_layout(session, stored).fields:
        problems.append(
            Problem(
                "field",
                text(
                    N_("no field %(field)s in framework %(slug)s"),
                    field=repr(field),
                    slug=stored.slug,
                ),
            )
        )
    if problems:
        raise InvalidParameter.naming(problems)
    links = obligation_links(stored.slug, field=field, instrument=instrument)
    paging = paging or PageRequest()
    return CrosswalkList(
        **reference_only(),
        framework=stored.slug,
        crosswalks=[c.slug for c in crosswalks_for(stored.slug)],
        instruments=[
            InstrumentRead(
                code=item.code,
                short=item.short,
                name=item.name,
                kind=item.kind,
                source=item.text,
                opened=item.opened,
            )
            for item in instruments.values()
        ],
        items=paging.cut(links),
        total=len(links),
        page=paging.page,
        page_size=paging.page_size,
    )
