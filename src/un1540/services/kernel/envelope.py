"""The top-level keys that say whether a response holds synthetic demo data.

A response is synthetic when any record it shows, or counts, came from the demo generator
(origin = demo); reference data (States, frameworks) never is.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, TypedDict, TypeVar

from un1540.schemas.common import Envelope
from un1540.services.kernel.instance import SYNTHETIC_NOTICE
from un1540.services.kernel.paging import PageRequest

ListModel = TypeVar("ListModel", bound=Envelope)


class EnvelopeFields(TypedDict):
    synthetic: bool
    notice: str | None


def envelope(synthetic: bool) -> EnvelopeFields:
    return {"synthetic": synthetic, "notice": SYNTHETIC_NOTICE if synthetic else None}


def reference_only() -> EnvelopeFields:
    """For responses made only of bundled reference data, never synthetic."""
    return envelope(False)


def page_of(
    model: type[ListModel],
    items: Sequence[Any],
    *,
    total: int,
    paging: PageRequest,
    synthetic: bool,
    **extra: Any,
) -> ListModel:
    """One page of a list in its envelope: items, total, page, page_size, synthetic, notice."""
    return model(
        **envelope(synthetic),
        items=list(items),
        total=total,
        page=paging.page,
        page_size=paging.page_size,
        **extra,
    )
