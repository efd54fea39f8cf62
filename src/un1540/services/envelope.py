"""The top-level keys that say whether a response holds synthetic demo data."""

from __future__ import annotations

from typing import TypedDict

from sqlalchemy.orm import Session

from un1540.services.instance import SYNTHETIC_NOTICE, has_synthetic_data


class EnvelopeFields(TypedDict):
    synthetic: bool
    notice: str | None


def envelope(session: Session) -> EnvelopeFields:
    synthetic = has_synthetic_data(session)
    return {"synthetic": synthetic, "notice": SYNTHETIC_NOTICE if synthetic else None}


def reference_only() -> EnvelopeFields:
    """For responses made only of bundled reference data, never synthetic."""
    return {"synthetic": False, "notice": None}
