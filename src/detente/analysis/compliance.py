"""Compliance: the incidents after a commitment that fulfil, breach or leave it, by the rule
table, and the verdict they add up to (see ``commitments`` for the statuses).

Evidence is an incident of a bound party reported as fact or alleged (never planned or denied),
dated by its text (a report dated only by its publication date cannot show that the act came
after the promise), on or after the promise's day, and not itself a report of the promise. The
walk stops at the first exit or proven breach: the timeline runs from promise to its end.
"""

from __future__ import annotations

import bisect
import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from detente.analysis.data import Point, Report, Said
from detente.analysis.promises import Act, Match, Table

EVIDENCE_STATUSES = frozenset({"asserted", "alleged"})
# a month-dated report of the promise's month may tell an act after it; a report dated only to
# a year that began before the promise cannot say which came first
EVIDENCE_LOOKBACK = dt.timedelta(days=31)


@dataclass(frozen=True, slots=True)
class Step:
    """One dated moment of a commitment's life: its promise, a fulfilment, a breach, an exit."""

    kind: str  # promise | fulfilment | breach | abandonment
    party: str | None  # the acting side (None for the promise of both)
    date: dt.date
    precision: str
    incident_id: str
    act: str
    status: str  # the incident's: asserted, alleged, planned
    claimed_by: str | None
    text: str
    report: Report  # the incident, with its figures

    def point(self, dyad: tuple[str, str]) -> Point:
        """The step's incident as the other analytics see it, from its party's side."""
        source = self.party or dyad[0]
        return self.report.point(source, dyad[1] if source == dyad[0] else dyad[0])


@dataclass(frozen=True, slots=True)
class Verdict:
    status: str
    fulfilled: tuple[tuple[str, dt.date], ...]  # each party's first fulfilment
    order: str | None  # reciprocated: "simultaneous" or the side that went first
    breach: Step | None  # the first proven breach
    alleged: tuple[Step, ...]  # breaches only alleged
    abandoned: Step | None
    late: bool  # fulfilled only after the deadline


def rules_for(act: Act | None, table: Table) -> list[tuple[str, tuple[Match, ...]]]:
    """The kinds of evidence a commitment to ``act`` looks for, exits first."""
    kinds: list[tuple[str, tuple[Match, ...]]] = [("abandonment", table.abandons)]
    rules = None
    if act is not None:
        rules = table.compliance.get(act) or table.compliance.get(Act(act.event))
    if rules is not None:
        kinds += [("breach", rules.breaches), ("fulfilment", rules.fulfils)]
    return kinds


class Evidence:
    """The pair's candidate evidence, by event type in date order, with the lead words of each
    incident loaded once, when first asked for."""

    def __init__(
        self,
        reports: list[Report],
        words: Mapping[str | None, Said] | Callable[[list[str]], Mapping[str | None, Said]],
        table: Table,
    ) -> None:
        self._lanes: dict[tuple[str, str | None], list[tuple[dt.date, dt.date, Report]]] = {}
        for r in sorted(reports, key=lambda r: (r.date, r.incident_id)):
            if r.status in EVIDENCE_STATUSES:
                lane = self._lanes.setdefault((r.event, r.mode), [])
                lane.append((r.date, r.last_day, r))
        self._modes: dict[str, list[str | None]] = {}
        for event, mode in self._lanes:
            self._modes.setdefault(event, []).append(mode)
        self._words = words
        self._loaded: dict[str | None, Said] = {}
        self._objects: dict[str, frozenset[str]] = {}
        self._table = table

    def after(self, day: dt.date, acts: set[Act]) -> list[Report]:
        """The incidents of ``acts`` (an act without a mode: any of its modes) that may reach
        ``day``, in date order."""
        lanes = {(a.event, mode) for a in acts for mode in self._modes.get(a.event, [])
                 if a.mode is None or a.mode == mode}  # fmt: skip
        out: list[Report] = []
        for key in lanes:
            lane = self._lanes[key]
            start = bisect.bisect_left(lane, day - EVIDENCE_LOOKBACK, key=lambda item: item[0])
            out += [r for first, last, r in lane[start:]
                    if last >= day and (first >= day or r.precision == "month")]  # fmt: skip
        return sorted(out, key=lambda r: (r.date, r.incident_id))

    def load(self, ids: list[str]) -> None:
        wanted = [i for i in dict.fromkeys(ids) if i not in self._loaded]
        if not wanted:
            return
        if callable(self._words):
            self._loaded.update(self._words(wanted))
        else:
            self._loaded.update({i: self._words[i] for i in wanted if i in self._words})

    def words(self, incident: str) -> Said | None:
        return self._loaded.get(incident)

    def same_agreement(self, name: str | None, said: Said) -> bool:
        """Whether an exit's sentence may be about the agreement ``name``: it names none, the
        commitment has none, or the two names agree."""
        other = self._table.name_in(said.text)
        if name is None or other is None:
            return True
        a, b = (" ".join(n.lower().split())[:25] for n in (name, other))
        return a.startswith(b) or b.startswith(a)

    def leaves(self, said: Said) -> bool:
        """Whether the incident's own words (its trigger) are words of leaving."""
        return self._table.leaving.search(said.event_text) is not None

    def objects(self, incident: str, said: Said) -> frozenset[str]:
        if incident not in self._objects:
            self._objects[incident] = frozenset(self._table.objects_in(said.text))
        return self._objects[incident]


def candidates(
    kinds: list[tuple[str, tuple[Match, ...]]], day: dt.date, own: set[str], evidence: Evidence
) -> list[Report]:
    """The incidents that may count for one commitment (by act and date alone)."""
    found = evidence.after(day, {m.act for _, ms in kinds for m in ms})
    return [r for r in found if r.incident_id not in own]


def steps(
    dyad: tuple[str, str],
    parties: tuple[str, ...],
    kinds: list[tuple[str, tuple[Match, ...]]],
    day: dt.date,
    found: list[Report],
    evidence: Evidence,
    told: tuple[Step, ...] = (),
    name: str | None = None,
) -> list[Step]:
    """Each candidate's step (first kind that fits), with the steps ``told`` by the
    commitment's own reports, in date order, up to the first exit or proven breach. An exit
    from an agreement named otherwise than the commitment ``name`` is not its exit."""
    out: list[Step] = list(told)
    for r in found:
        said = evidence.words(r.incident_id)
        if said is None or not said.dated_by_text:
            continue
        objects = evidence.objects(r.incident_id, said)
        for kind, matches in kinds:
            hit = next((m for m in matches if _fits(m, r, objects, said, evidence)), None)
            if hit is None:
                continue
            if kind == "abandonment" and not evidence.same_agreement(name, said):
                break  # "suspended the Indus Waters Treaty" ends no other named treaty
            for party in parties:
                partner = dyad[1] if party == dyad[0] else dyad[0]
                if party in r.actors and _aimed(hit, r, partner):
                    act = f"{r.event} {r.mode}" if r.mode else r.event
                    out.append(Step(kind, party, max(r.date, day), r.precision, r.incident_id,
                                    act, r.status, said.claimed_by, said.text, r))  # fmt: skip
            break
    out.sort(key=lambda s: (s.date, s.kind != "fulfilment", precision_rank(s.precision),
                            s.party or ""))  # fmt: skip
    for n, step in enumerate(out):
        if step.kind == "abandonment" or (step.kind == "breach" and step.status != "alleged"):
            return out[: n + 1]
    return out


def precision_rank(precision: str) -> int:
    return {"day": 0, "month": 1, "year": 2}.get(precision, 3)


def _fits(
    match: Match, report: Report, objects: frozenset[str], said: Said, evidence: Evidence
) -> bool:
    return (
        match.act.matches(report.event, report.mode)
        and all(o in objects for o in match.objects)
        and not any(o in objects for o in match.not_objects)
        and (not match.leaving or evidence.leaves(said))
    )


def _aimed(match: Match, report: Report, partner: str) -> bool:
    if match.aimed == "partner":
        return report.recipients == {partner}
    return partner in report.recipients or partner in report.actors


def verdict(
    parties: tuple[str, ...],
    evidence: list[Step],
    deadline: dt.date | None,
    as_of: dt.date | None,
) -> Verdict:
    """Walk the evidence in date order: an exit or a proven breach ends the commitment."""
    first: dict[str, dt.date] = {}
    alleged: list[Step] = []
    breach = abandoned = None
    status = None
    for step in evidence:
        party = step.party or ""
        if step.kind == "abandonment":
            abandoned, status = step, "abandoned"
            break
        if step.kind == "breach" and step.status == "alleged":
            alleged.append(step)
        elif step.kind == "breach":
            breach = step
            status = "reversed" if party in first else "violated"
            break
        elif step.kind == "fulfilment" and party not in first:
            first[party] = step.date
    fulfilled = tuple((p, first[p]) for p in parties if p in first)
    everyone = len(fulfilled) == len(parties)
    order = None
    if everyone and len(parties) > 1:
        days = {d for _, d in fulfilled}
        order = "simultaneous" if len(days) == 1 else min(fulfilled, key=lambda f: f[1])[0]
    late = bool(deadline and fulfilled and max(d for _, d in fulfilled) > deadline)
    if status is None:
        if alleged:
            status = "alleged-violation"
        elif everyone and len(parties) > 1:
            status = "reciprocated"
        elif fulfilled:
            status = "fulfilled"
        elif deadline is not None and as_of is not None and as_of > deadline:
            status = "expired"
        else:
            status = "pending"
    return Verdict(status, fulfilled, order, breach, tuple(alleged), abandoned, late)
