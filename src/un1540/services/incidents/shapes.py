"""Incident rows -> wire shapes (schemas/incidents.py)."""

from __future__ import annotations

from un1540.models import Incident, Origin
from un1540.reference.incidents import load_incident_vocabulary
from un1540.schemas.incidents import IncidentRead, TrendCount, TrendsRead
from un1540.services.incidents.reads import Trends
from un1540.services.kernel.envelope import envelope


def incident_read(incident: Incident) -> IncidentRead:
    return IncidentRead(
        id=incident.id,
        occurred_on=incident.occurred_on,
        reported_on=incident.reported_on,
        states=[link.state.iso3 for link in incident.states],
        category=incident.category,
        material_class=incident.material_class,
        kind=incident.kind,
        grouping=incident.grouping,
        source=incident.source,
        organisation=incident.organisation.code if incident.organisation else None,
        confirmation=incident.confirmation,
        summary=incident.summary,
        fields=list(incident.fields),
        restricted=incident.restricted,
        share_with_state=incident.share_with_state,
        recorded_at=incident.recorded_at,
        synthetic=incident.origin is Origin.demo,
    )


def _counts(counter: dict[str, int], order: list[str] | None = None) -> list[TrendCount]:
    keys = [key for key in order if key in counter] if order is not None else sorted(counter)
    return [TrendCount(key=key, count=counter[key]) for key in keys]


def trends_read(trends: Trends) -> TrendsRead:
    vocabulary = load_incident_vocabulary()
    return TrendsRead(
        **envelope(trends.synthetic),
        caveat=vocabulary.caveat.name,
        total=trends.total,
        restricted=trends.restricted,
        by_year=_counts(trends.by_year),
        by_category=_counts(trends.by_category, list(vocabulary.categories)),
        by_kind=_counts(trends.by_kind, list(vocabulary.kinds)),
        by_region=_counts(trends.by_region),
        by_year_and_category={
            year: dict(trends.by_year_and_category[year])
            for year in sorted(trends.by_year_and_category)
        },
    )
