"""A commitment as its own reports tell it, before any evidence: what ``commitments`` drafts
from the promise incidents and ``treaties`` from the sentences of their reports."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from detente.analysis.compliance import Step
from detente.analysis.promises import Act


@dataclass(frozen=True)
class Draft:
    """A commitment as its own reports tell it, before any evidence."""

    id: str
    parties: tuple[str, ...]
    act: Act | None
    objects: tuple[str, ...]
    condition: str | None
    deadline: dt.date | None
    name: str | None
    date: dt.date
    precision: str
    standing: str
    claimed_by: tuple[str, ...]
    incidents: tuple[str, ...]
    text: str
    promise: Step
    content: tuple[str, ...] = ()  # incidents told in the promise's own sentences: what it says
    exits: tuple[Step, ...] = ()  # exits told in its reports' other sentences (a treaty left)
