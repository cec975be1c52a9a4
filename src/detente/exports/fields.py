"""What the tabular exports derive from an event record: real dates from its ISO strings."""

from __future__ import annotations

import datetime as dt

from detente.records import DateValue


def day(value: str | None) -> dt.date | None:
    """A ``YYYY-MM-DD`` string (a publication or report date) as a date."""
    return dt.date.fromisoformat(value) if value else None


def bounds(value: str | None) -> tuple[dt.date | None, dt.date | None]:
    """The first and last day an event date (``YYYY-MM-DD``, ``YYYY-MM`` or ``YYYY``) may mean:
    ``2024-06`` is 1 to 30 June 2024. An undated event has neither."""
    if not value:
        return None, None
    date = DateValue.parse(value)
    return date.first_day(), date.last_day()
