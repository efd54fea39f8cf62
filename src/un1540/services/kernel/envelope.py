"""The top-level keys that say whether a response holds synthetic demo data.

A response is synthetic when any record it shows, or counts, came from the demo generator
(origin = demo); reference data (States, frameworks) never is.
"""

from __future__ import annotations

from typing import TypedDict

from un1540.services.kernel.instance import SYNTHETIC_NOTICE


class EnvelopeFields(TypedDict):
    synthetic: bool
    notice: str | None


def envelope(synthetic: bool) -> EnvelopeFields:
    return {"synthetic": synthetic, "notice": SYNTHETIC_NOTICE if synthetic else None}


def reference_only() -> EnvelopeFields:
    """For responses made only of bundled reference data, never synthetic."""
    return envelope(False)
