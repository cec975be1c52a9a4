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
import gc
import hashlib
from collections import defaultdict
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass

from sqlalchemy import func, select

from detente.analysis.compliance import (
    EVIDENCE_LOOKBACK,
    Evidence,
    Step,
    candidates,
    precision_rank,
    rules_for,
    steps,
    verdict,
)
from detente.analysis.data import Report, Said, dyad_reports, incident_words, sentence_words
from detente.analysis.drafts import Draft
from detente.analysis.promises import Act, Table, load_table
from detente.analysis.treaties import read_treaties, with_treaties
from detente.store import Store
from detente.store.schema import incident_dyads, incidents

SAME_PROMISE_DAYS = 3
STATUSES = ("abandoned", "reversed", "violated", "alleged-violation", "reciprocated", "fulfilled",
            "expired", "pending")  # fmt: skip
_STANDING_RANK = {"made": 0, "alleged": 1, "planned": 2}
Words = Mapping[str | None, Said] | Callable[[list[str]], Mapping[str | None, Said]]


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
    with collections_paused():
        for pair in pairs:
            out += dyad_commitments(store, pair, table, since=since, until=until, as_of=as_of)
    if status is not None:
        out = [c for c in out if c.status == status]
    return sorted(out, key=lambda c: (c.date, c.dyad, c.id))


@contextmanager
def collections_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector while a pair is read (and resume it after, if it ran
    before): the records read (tens of thousands on a busy pair) all live until the call
    returns, so the full collections they would trigger free nothing and cost a third of the
    time on the bench. Reference counting frees everything else as usual."""
    running = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if running:
            gc.enable()


def latest_day(store: Store) -> dt.date | None:
    """The first day of the store's latest dated incident: the day the data reach."""
    with store.engine.connect() as conn:
        value = conn.execute(select(func.max(incidents.c.date_start))).scalar()
    return value if isinstance(value, dt.date) else None


def promise_dyads(store: Store, table: Table) -> list[tuple[str, str]]:
    """The pairs with a promise incident, each once (alphabetical sides)."""
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
    """Read what ``derive`` needs from the store in one pass over the pair index (the
    incidents of the table's acts from ``since`` to ``as_of``), then by primary keys: the words
    of the promises' reports and sentences, and the lead words of the incidents that may count."""
    acts = {Act(t) for t in table.promises} | table_acts(table)
    start = since - EVIDENCE_LOOKBACK if since is not None else None
    reports = dyad_reports(store, dyad, since=start, until=as_of, acts=acts)
    promises = [
        r for r in reports if _is_promise(r, table) and _belongs(r, dyad)
        and (since is None or r.date >= since) and (until is None or r.date <= until)
    ]  # fmt: skip
    said = incident_words(store, [r.incident_id for r in promises], lead_only=False)
    said += sentence_words(store, sorted({s.sentence for s in said}), said)

    def lead_words(ids: list[str]) -> dict[str | None, Said]:
        return {s.incident_id: s for s in incident_words(store, ids, lead_only=True)}

    drafts = draft_all(dyad, promises, said, table)
    found = read_treaties(store, dyad, {s.sentence[0] for s in said}, table)
    drafts = with_treaties(drafts, said, found, table, since=since, until=until)
    return judge_all(dyad, drafts, reports, lead_words, table, as_of=as_of)


def table_acts(table: Table) -> set[Act]:
    """Every act the table's compliance and exit rules name."""
    rules = [m for c in table.compliance.values() for m in (*c.fulfils, *c.breaches)]
    return {m.act for m in [*rules, *table.abandons]}


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
    words: Words,
    table: Table,
    *,
    as_of: dt.date | None = None,
    since: dt.date | None = None,
    until: dt.date | None = None,
) -> list[Commitment]:
    """The pair's commitments from its incidents (``reports``), the words of its promise
    incidents and of their sentences (``said``), and the lead words of candidate evidence
    (``words``: a mapping, or a loader called once with the incident ids it needs)."""
    promises = [r for r in reports if _is_promise(r, table) and _belongs(r, dyad)]
    if since is not None:
        promises = [r for r in promises if r.date >= since]
    if until is not None:
        promises = [r for r in promises if r.date <= until]
    drafts = draft_all(dyad, promises, said, table)
    return judge_all(dyad, drafts, reports, words, table, as_of=as_of)


def draft_all(
    dyad: tuple[str, str], promises: list[Report], said: list[Said], table: Table
) -> list[Draft]:
    """The commitments as their own reports tell them, one per group of promise reports."""
    by_incident: dict[str | None, list[Said]] = defaultdict(list)
    by_sentence: dict[tuple[str, int], list[Said]] = defaultdict(list)
    for item in said:
        by_incident[item.incident_id].append(item)
        by_sentence[item.sentence].append(item)
    return [_draft(dyad, g, by_incident, by_sentence, table) for g in _group(promises, said)]


def judge_all(
    dyad: tuple[str, str],
    drafts: list[Draft],
    reports: list[Report],
    words: Words,
    table: Table,
    *,
    as_of: dt.date | None = None,
) -> list[Commitment]:
    """Each commitment with its evidence from ``reports`` and its verdict as of ``as_of``."""
    # an act told in the promise's own sentence ("agreed to a ceasefire") is what was promised,
    # never evidence that it was kept
    promised = {i for d in drafts for i in (*d.incidents, *d.content)}
    evidence = Evidence(reports, words, table)
    found = [candidates(rules_for(d.act, table), d.date, promised, evidence) for d in drafts]
    evidence.load([r.incident_id for group in found for r in group])
    out = []
    for draft, group in zip(drafts, found, strict=True):
        trail = steps(dyad, draft.parties, rules_for(draft.act, table), draft.date, group, evidence,
                      draft.exits, draft.name)  # fmt: skip
        judged = verdict(draft.parties, trail, draft.deadline, as_of)
        out.append(
            Commitment(
                draft.id,
                dyad,
                draft.parties,
                draft.act,
                draft.objects,
                draft.condition,
                draft.deadline,
                draft.name,
                draft.date,
                draft.precision,
                draft.standing,
                draft.claimed_by,
                draft.incidents,
                draft.text,
                (draft.promise, *trail),
                judged.status,
                judged.fulfilled,
                judged.order,
                judged.breach,
                judged.alleged,
                judged.abandoned,
                judged.late,
            )
        )
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
        for sentence in sorted(sentences.get(r.incident_id, ())):
            if sentence in owner:
                parent[root(r.incident_id)] = root(owner[sentence])
            else:
                owner[sentence] = r.incident_id
    by_root: dict[str, list[Report]] = defaultdict(list)
    for r in promises:
        by_root[root(r.incident_id)].append(r)
    groups = sorted(
        ((min(r.date for r in g), g) for g in by_root.values()),
        key=lambda item: (item[0], item[1][0].incident_id),
    )
    merged: list[tuple[dt.date, list[Report]]] = []
    for first, group in groups:
        near = []  # the promises begun at most SAME_PROMISE_DAYS before, latest first
        for start, earlier in reversed(merged):
            if (first - start).days > SAME_PROMISE_DAYS:
                break
            near.append(earlier)
        into = next((earlier for earlier in near if _compatible(earlier, group)), None)
        if into is not None:
            into.extend(group)
        else:
            merged.append((first, list(group)))
    return [group for _, group in merged]


def _compatible(one: list[Report], other: list[Report]) -> bool:
    """Two promises may be one when their acts do not differ (an AGREE names none)."""
    acts = {(r.event, r.mode) for r in one + other if r.event != "AGREE"}
    return len({mode for _, mode in acts if mode is not None}) <= 1


def _draft(
    dyad: tuple[str, str],
    group: list[Report],
    by_incident: Mapping[str | None, list[Said]],
    by_sentence: Mapping[tuple[str, int], list[Said]],
    table: Table,
) -> Draft:
    ids = {r.incident_id for r in group}
    own = [s for i in sorted(ids) for s in by_incident.get(i, [])]
    sentences = sorted({s.sentence for s in own})
    beside = [s for x in sentences for s in by_sentence.get(x, []) if s.incident_id not in ids]
    texts = list(dict.fromkeys(s.text for s in own))
    act = _promised_act(group, own, beside, table)
    standing = min((_standing(s, table) for s in own), key=_STANDING_RANK.__getitem__,
                   default="made")  # fmt: skip
    made = [r for r in group if r.status != "planned"] or group
    date_report = min(made, key=lambda r: (r.date, precision_rank(r.precision)))
    day, precision = date_report.date, date_report.precision
    published = [s.published for s in own if s.published is not None]
    if all(r.status == "planned" for r in group) and published:
        day, precision = min(published), "day"  # a plan's own date is when it is to happen
    parties = _bound(dyad, group, texts, table)
    objects = tuple(
        dict.fromkeys(o for t in texts for o in table.objects_in(t) if o != "agreement")
    )  # "agreement" names the commitment itself
    condition = next((c for t in texts if (c := table.condition_in(t))), None)
    deadline = next((d for t in texts if (d := table.deadline_in(t, day))), None)
    name = next((n for t in texts if (n := table.name_in(t))), None)
    claimed = tuple(sorted({s.claimed_by for s in own if s.claimed_by}))
    text = texts[0] if texts else ""
    promise = Step(
        "promise", None if len(parties) > 1 else parties[0], day, precision,
        date_report.incident_id, str(act) if act else "AGREE", date_report.status,
        claimed[0] if claimed else None, text, date_report,
    )  # fmt: skip
    ident = "com-" + hashlib.sha256(min(ids).encode()).hexdigest()[:16]
    content = tuple(sorted({s.incident_id for s in beside if s.incident_id}))
    return Draft(ident, parties, act, objects, condition, deadline, name, day, precision,
                  standing, claimed, tuple(sorted(ids)), text, promise, content)  # fmt: skip


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
