"""Which events of one kind (type, actor codes, recipient codes) report one happening.

The grouping is a function of the set of events alone, never of the order they were stored in,
so any number of writers, in any interleaving, give the incidents a single writer gives:

- **Day-dated** events are swept in date order (ties by id). An event joins an open incident
  whose first day lies at most ``WINDOW_DAYS`` before its own and that is compatible (below),
  the nearest first (then the larger, then the one first in order); else it opens one.
  Dates more than the window apart end every open incident, so the sweep falls into *runs*
  that can be grouped one by one.
- **Month-dated** events join the nearest day incident whose first day falls in their month
  (give or take the window), the one with more day reports first; else the month's own incident.
- **Year-dated** events join the year's incident.
- **Undated** events join the incident of their own document's first dated report of the kind
  (by sentence), else their document's undated incident.

Compatible: one document's acts of a kind within the window are one happening, whatever their
words or modes (a report that tells of "a snap readiness inspection" and "extra air defence
units deployed" on one day towards one country tells one escalation; counting it twice doubles
its hostility); across documents, two different modes are two happenings.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

WINDOW_DAYS = 3
_PRECISION_RANK = {"day": 0, "month": 1, "year": 2, "unknown": 3}


@dataclass(frozen=True, slots=True)
class Member:
    """What grouping needs of one stored event."""

    id: str
    document: str  # content hash
    sentence: int
    mode: str | None
    start: dt.date | None  # first day of the date
    precision: str  # day | month | year | unknown

    def order(self) -> tuple[int, dt.date, str]:
        """The canonical order: most precise first, then earliest, then id."""
        return (_PRECISION_RANK[self.precision], self.start or dt.date.max, self.id)


@dataclass
class Group:
    """An incident being formed."""

    first: Member
    members: list[Member] = field(default_factory=list)
    mode: str | None = None
    day_reports: int = 0
    documents: set[str] = field(default_factory=set)  # content hashes of its reports

    def accepts(self, m: Member) -> bool:
        if m.document in self.documents:
            return True  # the same story's act of the kind, in the window: its one happening
        return not (m.mode and self.mode and m.mode != self.mode)

    def add(self, m: Member) -> None:
        self.members.append(m)
        self.mode = self.mode or m.mode
        self.day_reports += m.precision == "day"
        self.documents.add(m.document)

    @property
    def start(self) -> dt.date:
        """The first day of its first event (dated groups only)."""
        return self.first.start or dt.date.max

    @property
    def id(self) -> str:
        return min(self.members, key=Member.order).id


def month_of(day: dt.date) -> dt.date:
    return day.replace(day=1)


def month_end(day: dt.date) -> dt.date:
    nxt = dt.date(day.year + (day.month == 12), day.month % 12 + 1, 1)
    return nxt - dt.timedelta(days=1)


def runs(days: Iterable[dt.date]) -> list[tuple[dt.date, dt.date]]:
    """Maximal stretches of dates with no gap over the window: the sweep's independent parts."""
    out: list[tuple[dt.date, dt.date]] = []
    for day in sorted(set(days)):
        if out and (day - out[-1][1]).days <= WINDOW_DAYS:
            out[-1] = (out[-1][0], day)
        else:
            out.append((day, day))
    return out


def _best(groups: Iterable[Group], m: Member, distance: Callable[[Group], int]) -> Group | None:
    ranked = [(distance(g), -g.day_reports, g.first.order(), g) for g in groups if g.accepts(m)]
    return min(ranked, key=lambda r: r[:3])[3] if ranked else None


def sweep_days(members: Sequence[Member]) -> list[Group]:
    """Group day-dated events (see the module's text)."""
    done: list[Group] = []
    open_: list[Group] = []
    for m in sorted(members, key=Member.order):
        day = m.start or dt.date.max
        still = [g for g in open_ if (day - g.start).days <= WINDOW_DAYS]
        done += [g for g in open_ if g not in still]
        open_ = still
        chosen = _best(open_, m, lambda g, day=day: (day - g.start).days)  # type: ignore[misc]
        if chosen is None:
            chosen = Group(m)
            open_.append(chosen)
        chosen.add(m)
    return done + open_


def attach_months(members: Sequence[Member], day_groups: Sequence[Group]) -> list[Group]:
    """Month-dated events into day incidents of their month, else the month's own; returns the
    month incidents made."""
    made: dict[dt.date, list[Group]] = {}
    for m in sorted(members, key=Member.order):
        first = month_of(m.start or dt.date.max)
        last = month_end(first)
        window = dt.timedelta(days=WINDOW_DAYS)
        near = [g for g in day_groups if first - window <= g.start <= last + window]

        def distance(g: Group, first: dt.date = first, last: dt.date = last) -> int:
            if first <= g.start <= last:
                return 0
            return min(abs((g.start - first).days), abs((g.start - last).days))

        chosen = _best(near, m, distance) or _best(made.get(first, []), m, lambda g: 0)
        if chosen is None:
            chosen = Group(m)
            made.setdefault(first, []).append(chosen)
        chosen.add(m)
    return [g for groups in made.values() for g in groups]


def group_years(members: Sequence[Member]) -> list[Group]:
    """Year-dated events: one incident per year (compatible ones)."""
    made: dict[int, list[Group]] = {}
    for m in sorted(members, key=Member.order):
        groups = made.setdefault((m.start or dt.date.max).year, [])
        chosen = _best(groups, m, lambda g: 0)
        if chosen is None:
            chosen = Group(m)
            groups.append(chosen)
        chosen.add(m)
    return [g for groups in made.values() for g in groups]


def attach_undated(members: Sequence[Member], dated: Sequence[Group]) -> list[Group]:
    """Undated events into the incident of their document's first dated report of the kind
    (by sentence) that accepts them, else their document's undated incident; returns the
    undated incidents made."""
    by_document: dict[str, list[tuple[int, str, Group]]] = {}
    for group in dated:
        for member in group.members:
            by_document.setdefault(member.document, []).append((member.sentence, member.id, group))
    made: dict[str, list[Group]] = {}
    for m in sorted(members, key=Member.order):
        target = next(
            (g for _, _, g in sorted(by_document.get(m.document, []), key=lambda r: r[:2])
             if g.accepts(m)),
            None,
        )  # fmt: skip
        if target is None:
            groups = made.setdefault(m.document, [])
            target = _best(groups, m, lambda g: 0)
            if target is None:
                target = Group(m)
                groups.append(target)
        target.add(m)
    return [g for groups in made.values() for g in groups]


def group(members: Iterable[Member]) -> list[Group]:
    """The incidents of one kind's events: every event in exactly one."""
    parts: dict[str, list[Member]] = {"day": [], "month": [], "year": [], "unknown": []}
    for m in members:
        parts[m.precision if m.start is not None else "unknown"].append(m)
    days = sweep_days(parts["day"])
    dated = days + attach_months(parts["month"], days) + group_years(parts["year"])
    return dated + attach_undated(parts["unknown"], dated)
