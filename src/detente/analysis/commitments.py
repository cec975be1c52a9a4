"""Commitments and compliance: was the word kept?

A **commitment** is read from the coded incidents of a pair of states: an agreement (AGREE), a
promised concession or retreat (CONCEDE or RETREAT reported as planned), with the parties it
binds, the promised act as a PLOVER type and mode, its object, its condition, its deadline and its
name, from the words of the sentences that report it (``promises.Table``). Reports of one promise
are one commitment: those that share a sentence, and those of the same parties and a compatible
act within ``SAME_PROMISE_DAYS`` of its first report.

**Compliance** then reads the incidents that follow it, by the rule table: an act of a bound party
that fulfils the promised act, one that breaches it (the opposite act: forces sent back after a
withdrawal, an attack during a ceasefire) or one by which a party leaves the agreement. Evidence
must be dated by its text: a report dated only by its publication date says the act happened by
then, not that it came after the promise. A breach only alleged (by the other side, or hedged) is
kept as alleged and never counted as proven.

Statuses, the first that holds: ``abandoned``, ``reversed`` (a breach by a party that had
fulfilled it) or ``violated``, ``alleged-violation``, ``reciprocated`` (every party of a mutual
commitment fulfilled it; ``order`` says who first), ``fulfilled``, ``expired`` (the deadline
passed with no fulfilment), ``pending``.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections import defaultdict
from dataclasses import dataclass

from detente.analysis.data import (
    Point,
    Report,
    Said,
    dyad_reports,
    incident_words,
    sentence_words,
)
from detente.analysis.promises import Act, Match, Table, load_table
from detente.store import Store

SAME_PROMISE_DAYS = 3
STATUSES = ("abandoned", "reversed", "violated", "alleged-violation", "reciprocated", "fulfilled",
            "expired", "pending")  # fmt: skip
_EVIDENCE_STATUSES = frozenset({"asserted", "alleged"})
_STANDING_RANK = {"made": 0, "alleged": 1, "planned": 2}


@dataclass(frozen=True, slots=True)
class Step:
    """One dated moment of a commitment's life: its promise, a fulfilment, a breach, a exit."""

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


@dataclass(frozen=True)
class Commitment:
    id: str
    dyad: tuple[str, str]
    parties: tuple[str, ...]  # the sides it binds
    act: Act | None  # the promised act (None: the reports do not say which)
    objects: tuple[str, ...]
    condition: str | None
    deadline: dt.date | None
    name: str | None
    date: dt.date
    precision: str
    standing: str  # made | alleged (claimed by another party) | planned (an intention only)
    claimed_by: tuple[str, ...]
    incidents: tuple[str, ...]  # the incidents reporting it
    text: str
    steps: tuple[Step, ...]  # the promise, then the evidence in date order
    status: str
    fulfilled: tuple[tuple[str, dt.date], ...]  # each party's first fulfilment
    order: str | None  # reciprocated: "simultaneous" or the side that went first
    breach: Step | None  # the first proven breach
    alleged: tuple[Step, ...]  # breaches only alleged
    abandoned: Step | None
    late: bool  # fulfilled only after its deadline

    @property
    def mutual(self) -> bool:
        return len(self.parties) > 1

    @property
    def days_to_fulfilment(self) -> int | None:
        """Days from the promise to the last party's fulfilment (to the only one's, if one)."""
        if not self.fulfilled:
            return None
        return (max(d for _, d in self.fulfilled) - self.date).days

    @property
    def days_to_breach(self) -> int | None:
        end = self.breach or self.abandoned
        return (end.date - self.date).days if end else None


def commitments(
    store: Store,
    dyad: tuple[str, str] | None = None,
    *,
    since: dt.date | None = None,
    until: dt.date | None = None,
    as_of: dt.date | None = None,
    status: str | None = None,
    table: Table | None = None,
) -> list[Commitment]:
    """The commitments of a pair (or of every pair with one) made between ``since`` and
    ``until``, judged on the incidents up to ``as_of`` (default: the store's latest incident)."""
    table = table or load_table()
    as_of = as_of or latest_day(store)
    pairs = [dyad] if dyad is not None else promise_dyads(store, table)
    out: list[Commitment] = []
    for pair in pairs:
        out += dyad_commitments(store, pair, table, since=since, until=until, as_of=as_of)
    if status is not None:
        out = [c for c in out if c.status == status]
    return sorted(out, key=lambda c: (c.date, c.dyad, c.id))


def latest_day(store: Store) -> dt.date | None:
    from sqlalchemy import func, select

    from detente.store.schema import incidents

    with store.engine.connect() as conn:
        value = conn.execute(select(func.max(incidents.c.date_start))).scalar()
    return value if isinstance(value, dt.date) else None


def promise_dyads(store: Store, table: Table) -> list[tuple[str, str]]:
    """The pairs with a promise incident, each once (alphabetical sides)."""
    from sqlalchemy import select

    from detente.store.schema import incident_dyads, incidents

    query = (
        select(incident_dyads.c.source, incident_dyads.c.target)
        .join(incidents, incidents.c.id == incident_dyads.c.incident_id)
        .where(incidents.c.event.in_(sorted(table.promises)))
        .distinct()
    )
    with store.engine.connect() as conn:
        found = {tuple(sorted((r.source, r.target))) for r in conn.execute(query)}
    return sorted((a, b) for a, b in found)


def dyad_commitments(
    store: Store,
    dyad: tuple[str, str],
    table: Table,
    *,
    since: dt.date | None = None,
    until: dt.date | None = None,
    as_of: dt.date | None = None,
) -> list[Commitment]:
    """Read what ``derive`` needs from the store (by the pair index), then derive."""
    types = frozenset(table.promises) | _evidence_types(table)
    reports = dyad_reports(store, dyad, types, since=since, until=as_of)
    promises = [
        r for r in reports if _is_promise(r, table) and _belongs(r, dyad)
        and (until is None or r.date <= until)
    ]  # fmt: skip
    said = incident_words(store, [r.incident_id for r in promises], lead_only=False)
    said += sentence_words(store, sorted({s.sentence for s in said}))
    promise_ids = {r.incident_id for r in promises}
    candidates = [r.incident_id for r in reports
                  if r.incident_id not in promise_ids and _may_count(r, table)]  # fmt: skip
    evidence = {s.incident_id: s for s in incident_words(store, candidates, lead_only=True)}
    return derive(dyad, reports, said, evidence, table, as_of=as_of, since=since, until=until)


def _evidence_types(table: Table) -> frozenset[str]:
    rules = [m for c in table.compliance.values() for m in (*c.fulfils, *c.breaches)]
    return frozenset(m.act.event for m in [*rules, *table.abandons])


def _may_count(report: Report, table: Table) -> bool:
    if report.status not in _EVIDENCE_STATUSES:
        return False
    rules = [m for c in table.compliance.values() for m in (*c.fulfils, *c.breaches)]
    return any(m.act.matches(report.event, report.mode) for m in [*rules, *table.abandons])


def _is_promise(report: Report, table: Table) -> bool:
    return report.status in table.promises.get(report.event, frozenset())


def _belongs(report: Report, dyad: tuple[str, str]) -> bool:
    """A promise of several actors is theirs (with a stray recipient it binds nobody else); a
    promise of one actor is towards its recipient."""
    a, b = dyad
    if len(report.actors) > 1:
        return a in report.actors and b in report.actors
    return (a in report.actors and b in report.recipients) or (
        b in report.actors and a in report.recipients
    )


def derive(
    dyad: tuple[str, str],
    reports: list[Report],
    said: list[Said],
    evidence: dict[str | None, Said],
    table: Table,
    *,
    as_of: dt.date | None = None,
    since: dt.date | None = None,
    until: dt.date | None = None,
) -> list[Commitment]:
    """The pair's commitments from its incidents (``reports``), the words of its promise
    incidents and of their sentences (``said``) and the lead words of candidate evidence."""
    promises = [r for r in reports if _is_promise(r, table) and _belongs(r, dyad)]
    if since is not None:
        promises = [r for r in promises if r.date >= since]
    if until is not None:
        promises = [r for r in promises if r.date <= until]
    groups = _group(promises, said)
    out = []
    for group in groups:
        out.append(_judge(dyad, group, said, reports, evidence, table, as_of))
    return out


def _group(promises: list[Report], said: list[Said]) -> list[list[Report]]:
    """Promise incidents that share a sentence are one promise; then those of one pair within
    ``SAME_PROMISE_DAYS`` of a promise's first report."""
    sentences: dict[str, set[tuple[str, int]]] = defaultdict(set)
    for s in said:
        if s.incident_id is not None:
            sentences[s.incident_id].add(s.sentence)
    parent = {r.incident_id: r.incident_id for r in promises}

    def root(x: str) -> str:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    owner: dict[tuple[str, int], str] = {}
    for r in promises:
        for sentence in sentences.get(r.incident_id, ()):
            if sentence in owner:
                parent[root(r.incident_id)] = root(owner[sentence])
            else:
                owner[sentence] = r.incident_id
    by_root: dict[str, list[Report]] = defaultdict(list)
    for r in promises:
        by_root[root(r.incident_id)].append(r)
    groups = sorted(
        by_root.values(), key=lambda g: (min(_made_day(r) for r in g), g[0].incident_id)
    )
    merged: list[list[Report]] = []
    for group in groups:
        first = min(_made_day(r) for r in group)
        for earlier in merged:
            start = min(_made_day(r) for r in earlier)
            if 0 <= (first - start).days <= SAME_PROMISE_DAYS and _compatible(earlier, group):
                earlier.extend(group)
                break
        else:
            merged.append(list(group))
    return merged


def _made_day(report: Report) -> dt.date:
    return report.date


def _compatible(one: list[Report], other: list[Report]) -> bool:
    """Two promises may be one when their acts do not differ (an AGREE names none)."""
    acts = {(r.event, r.mode) for r in one + other if r.event != "AGREE"}
    return len({mode for _, mode in acts if mode is not None}) <= 1


def _judge(
    dyad: tuple[str, str],
    group: list[Report],
    said: list[Said],
    reports: list[Report],
    evidence: dict[str | None, Said],
    table: Table,
    as_of: dt.date | None,
) -> Commitment:
    ids = {r.incident_id for r in group}
    own = [s for s in said if s.incident_id in ids]
    sentences = {s.sentence for s in own}
    beside = [s for s in said if s.sentence in sentences and s.incident_id not in ids]
    texts = list(dict.fromkeys(s.text for s in own))
    act = _promised_act(group, own, beside, table)
    standing = min((_standing(s, table) for s in own), key=_STANDING_RANK.__getitem__,
                   default="made")  # fmt: skip
    made = [r for r in group if r.status != "planned"] or group
    date_report = min(made, key=lambda r: (r.date, _precision_rank(r.precision)))
    day, precision = date_report.date, date_report.precision
    published = [s.published for s in own if s.published is not None]
    if all(r.status == "planned" for r in group) and published:
        day, precision = min(published), "day"  # a plan's own date is when it is to happen
    parties = _bound(dyad, group, texts, table)
    objects = tuple(
        dict.fromkeys(o for t in texts for o in table.objects_in(t) if o != "agreement")
    )
    condition = next((c for t in texts if (c := table.condition_in(t))), None)
    deadline = next((d for t in texts if (d := table.deadline_in(t, day))), None)
    name = next((n for t in texts if (n := table.name_in(t))), None)
    claimed = tuple(sorted({s.claimed_by for s in own if s.claimed_by}))
    promise = Step(
        "promise",
        None if len(parties) > 1 else parties[0],
        day,
        precision,
        date_report.incident_id,
        str(act) if act else "AGREE",
        date_report.status,
        claimed[0] if claimed else None,
        texts[0] if texts else "",
        date_report,
    )
    steps = _evidence(dyad, parties, act, day, reports, ids, evidence, table)
    ident = "com-" + hashlib.sha256(min(ids).encode()).hexdigest()[:16]
    return _verdict(
        Commitment(
            ident, dyad, parties, act, objects, condition, deadline, name, day, precision,
            standing, claimed, tuple(sorted(ids)),
            texts[0] if texts else "", (promise, *steps), "pending", (), None, None, (), None,
            False,
        ),
        as_of,
    )  # fmt: skip


def _precision_rank(precision: str) -> int:
    return {"day": 0, "month": 1, "year": 2}.get(precision, 3)


def _promised_act(
    group: list[Report], own: list[Said], beside: list[Said], table: Table
) -> Act | None:
    """The act of a promised retreat or concession as coded; else an act coded as planned or
    hypothetical in the promise's sentence; else the act its words name."""
    for r in group:
        if r.event != "AGREE" and r.mode is not None:
            return Act(r.event, r.mode)
    for s in beside:
        if s.status in ("planned", "hypothetical") and s.mode is not None:
            candidate = Act(s.event, s.mode)
            if candidate in table.compliance:
                return candidate
    for s in sorted(own, key=lambda s: s.event == "AGREE"):  # the act's own words first
        found = table.act_in(s.event_text) or table.act_in(s.text)
        if found is not None:
            return found
    return None


def _standing(s: Said, table: Table) -> str:
    if s.status == "alleged":
        return "alleged"
    if s.status == "planned" and not (s.event == "AGREE" or table.promises_in(s.text)):
        return "planned"  # "plans to withdraw": an intention, not a promise
    if s.status == "planned" and s.event == "AGREE":
        return "planned"  # an agreement still to be made
    return "made"


def _bound(
    dyad: tuple[str, str], group: list[Report], texts: list[str], table: Table
) -> tuple[str, ...]:
    """The sides a promise binds: its actors; both when it is an agreement signed or a deal."""
    sides = {c for r in group for c in r.actors if c in dyad}
    if any("agreement" in table.objects_in(t) for t in texts) and any(
        r.event == "AGREE" for r in group
    ):
        sides = set(dyad)
    return tuple(c for c in dyad if c in sides) or dyad


def _evidence(
    dyad: tuple[str, str],
    parties: tuple[str, ...],
    act: Act | None,
    day: dt.date,
    reports: list[Report],
    own: set[str],
    evidence: dict[str | None, Said],
    table: Table,
) -> list[Step]:
    rules = table.compliance.get(act) if act is not None else None
    if rules is None and act is not None:
        rules = table.compliance.get(Act(act.event))
    kinds: list[tuple[str, tuple[Match, ...]]] = [("abandonment", table.abandons)]
    if rules is not None:
        kinds += [("breach", rules.breaches), ("fulfilment", rules.fulfils)]
    steps = []
    for r in reports:
        if r.incident_id in own or r.last_day < day or r.status not in _EVIDENCE_STATUSES:
            continue
        words = evidence.get(r.incident_id)
        if words is None or not words.dated_by_text:
            continue
        objects = set(table.objects_in(words.text))
        for kind, matches in kinds:
            hit = next((m for m in matches if _fits(m, r, objects)), None)
            if hit is None:
                continue
            for party in parties:
                partner = dyad[1] if party == dyad[0] else dyad[0]
                if party in r.actors and _aimed(hit, r, partner):
                    steps.append(Step(kind, party, max(r.date, day), r.precision, r.incident_id,
                                      f"{r.event} {r.mode}" if r.mode else r.event, r.status,
                                      words.claimed_by, words.text, r))  # fmt: skip
            break
    return sorted(
        steps,
        key=lambda s: (s.date, s.kind != "fulfilment", _precision_rank(s.precision), s.party or ""),
    )


def _fits(match: Match, report: Report, objects: set[str]) -> bool:
    return (
        match.act.matches(report.event, report.mode)
        and all(o in objects for o in match.objects)
        and not any(o in objects for o in match.not_objects)
    )


def _aimed(match: Match, report: Report, partner: str) -> bool:
    if match.aimed == "partner":
        return report.recipients == {partner}
    return partner in report.recipients or partner in report.actors


def _verdict(c: Commitment, as_of: dt.date | None) -> Commitment:
    """Walk the evidence in date order: an exit or a proven breach ends the commitment."""
    first: dict[str, dt.date] = {}
    alleged: list[Step] = []
    breach = abandoned = None
    status = None
    for step in c.steps[1:]:
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
    fulfilled = tuple((p, first[p]) for p in c.parties if p in first)
    order = None
    if len(fulfilled) == len(c.parties) > 1:
        days = sorted({d for _, d in fulfilled})
        order = "simultaneous" if len(days) == 1 else min(fulfilled, key=lambda f: f[1])[0]
    late = bool(c.deadline and fulfilled and max(d for _, d in fulfilled) > c.deadline)
    if status is None:
        if alleged:
            status = "alleged-violation"
        elif len(fulfilled) == len(c.parties) > 1:
            status = "reciprocated"
        elif fulfilled:
            status = "fulfilled"
        elif c.deadline is not None and as_of is not None and as_of > c.deadline:
            status = "expired"
        else:
            status = "pending"
    return Commitment(
        c.id, c.dyad, c.parties, c.act, c.objects, c.condition, c.deadline, c.name, c.date,
        c.precision, c.standing, c.claimed_by, c.incidents, c.text, c.steps, status, fulfilled,
        order, breach, tuple(alleged), abandoned, late,
    )  # fmt: skip
