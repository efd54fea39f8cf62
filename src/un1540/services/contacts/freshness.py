"""When a point of contact is stale: not confirmed for `stale_months` months (the setting
UN1540_CONTACT_STALE_MONTHS, 12 by default). Every read, page and reminder asks here, on a day
its caller gives (tests control the clock by passing it; the doors pass today)."""

from __future__ import annotations

import calendar
from datetime import date

DEFAULT_STALE_MONTHS = 12


def add_months(day: date, months: int) -> date:
    """The same day `months` later (or earlier, when negative), clamped to the month's end."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return date(year, month + 1, min(day.day, last))


def stale_threshold(on: date, stale_months: int) -> date:
    """A contact last confirmed on or before this day is stale on `on`."""
    return add_months(on, -stale_months)


def stale_from(confirmed_on: date, stale_months: int) -> date:
    """The first day a contact confirmed on `confirmed_on` counts as stale."""
    return add_months(confirmed_on, stale_months)


def is_stale(confirmed_on: date, *, on: date, stale_months: int) -> bool:
    return confirmed_on <= stale_threshold(on, stale_months)
