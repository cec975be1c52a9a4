"""Alert rules (YAML) evaluated over the store; each alert fires once (state in the store).

rules:
  - name: Belarus-Ukraine tension high
    dyad: BLR-UKR
    index_above: 20          # a day the tension index rises above 20
  - name: Belarus-Ukraine surge
    dyad: BLR-UKR
    surge: true              # a week of hostility well above the previous eight
  - name: first airspace incident
    dyad: RUS-BLR            # or actor: RUS (any counterpart)
    first_event: {event: MOBILIZE, mode: weapons}
  - name: Belarus-Ukraine turns
    dyad: BLR-UKR
    turn: any                # an escalation or de-escalation onset (or just one of the two)
  - name: withdrawal broken
    dyad: BLR-UKR            # or actor: BLR (its commitments with anyone)
    commitment: breached     # violated, reversed or abandoned (proven); also: alleged, deadline
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import and_, select

from detente.analysis.commitments import commitments, latest_day
from detente.analysis.data import Point, dyad_points
from detente.analysis.series import daily, default_range, weekly
from detente.analysis.turns import surges, turning_points
from detente.datafiles import read_yaml_file
from detente.errors import DataFileError
from detente.records import DateValue, EventType
from detente.store import Store
from detente.store.schema import alerts_fired, documents, events, incident_dyads, incidents


@dataclass(frozen=True, slots=True)
class Rule:
    name: str
    dyad: tuple[str, str] | None
    actor: str | None
    index_above: float | None
    surge: bool
    first_event: dict[str, str] | None
    turn: str | None = None  # escalation | de-escalation | any
    commitment: str | None = None  # breached | alleged | deadline


TURNS = ("escalation", "de-escalation", "any")
COMMITMENT_ALERTS = ("breached", "alleged", "deadline")


@dataclass(frozen=True, slots=True)
class Alert:
    rule: str
    key: str  # what fired (a day, a week, an incident)
    date: dt.date
    message: str
    evidence: tuple[Point, ...]
    new: bool


def load_rules(path: Path) -> list[Rule]:
    origin = str(path)
    raw = read_yaml_file(path)
    if not isinstance(raw, dict) or not isinstance(raw.get("rules"), list):
        raise DataFileError(origin, "expected a mapping with a 'rules' list")
    rules = []
    for number, item in enumerate(raw["rules"], start=1):
        where = f"rule #{number}"
        if not isinstance(item, dict) or not item.get("name"):
            raise DataFileError(origin, f"{where}: needs a 'name'")
        dyad = _dyad(item.get("dyad"), origin, where)
        actor = str(item["actor"]).upper() if item.get("actor") else None
        if dyad is None and actor is None:
            raise DataFileError(origin, f"{where}: needs 'dyad' (e.g. BLR-UKR) or 'actor'")
        first = item.get("first_event")
        if first is not None:
            if not isinstance(first, dict) or first.get("event") not in {
                e.value for e in EventType
            }:
                raise DataFileError(origin, f"{where}: first_event needs a PLOVER 'event'")
            first = {str(k): str(v) for k, v in first.items()}
        index_above = item.get("index_above")
        surge = bool(item.get("surge", False))
        turn = str(item["turn"]) if item.get("turn") is not None else None
        if turn is not None and turn not in TURNS:
            raise DataFileError(origin, f"{where}: turn is escalation, de-escalation or any")
        if (index_above is not None or surge or turn) and dyad is None:
            raise DataFileError(origin, f"{where}: index_above, surge and turn need a 'dyad'")
        commitment = item.get("commitment")
        if commitment is not None and commitment not in COMMITMENT_ALERTS:
            raise DataFileError(
                origin, f"{where}: commitment must be one of {', '.join(COMMITMENT_ALERTS)}"
            )
        if (
            index_above is None
            and not surge
            and first is None
            and turn is None
            and commitment is None
        ):
            raise DataFileError(
                origin, f"{where}: give index_above, surge, turn, first_event or commitment"
            )
        rules.append(
            Rule(
                str(item["name"]),
                dyad,
                actor,
                float(index_above) if index_above is not None else None,
                surge,
                first,
                turn,
                commitment,
            )
        )
    return rules


def _dyad(value: Any, origin: str, where: str) -> tuple[str, str] | None:
    if value is None:
        return None
    parts = str(value).upper().split("-")
    if len(parts) != 2 or not all(parts):
        raise DataFileError(origin, f"{where}: dyad {value!r} is not like BLR-UKR")
    return parts[0], parts[1]


def evaluate(store: Store, rules: list[Rule], *, remember: bool = True) -> list[Alert]:
    """Every alert the rules raise on the store now; ``new`` is False for those fired before.
    With ``remember``, new alerts are recorded so they are not new again."""
    with store.engine.connect() as conn:
        fired = {(r.rule, r.key) for r in conn.execute(select(alerts_fired))}
    alerts: list[Alert] = []
    for rule in rules:
        for key, day, message, evidence in _fire(store, rule):
            alerts.append(
                Alert(
                    rule.name, key, day, message, evidence, not already_fired(rule.name, key, fired)
                )
            )
    fresh = [a for a in alerts if a.new]
    if remember and fresh:
        now = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
        with store.engine.begin() as conn:
            conn.execute(
                alerts_fired.insert(),
                [{"rule": a.rule, "key": a.key, "fired_at": now} for a in fresh],
            )
    return sorted(alerts, key=lambda a: (a.date, a.rule))


TURN_SLACK_DAYS = 14  # a turn whose onset moves by up to this much as reports come in is the same


def already_fired(rule: str, key: str, fired: set[tuple[str, str]]) -> bool:
    """Whether this alert was raised before: the same key, or, for a turning point, the same kind
    of turn with an onset at most ``TURN_SLACK_DAYS`` away (the detector may place an onset a few
    days earlier or later once later reports arrive: the 20 June escalation read as from 24 June
    on the day of the 13 July withdrawal is the same escalation, not a new one)."""
    if (rule, key) in fired:
        return True
    kind, _, day = key.partition(":")
    if kind not in TURNS or kind == "any":
        return False
    onset = dt.date.fromisoformat(day)
    return any(
        name == rule
        and seen.partition(":")[0] == kind
        and abs((dt.date.fromisoformat(seen.partition(":")[2]) - onset).days) <= TURN_SLACK_DAYS
        for name, seen in fired
    )


def _fire(store: Store, rule: Rule) -> list[tuple[str, dt.date, str, tuple[Point, ...]]]:
    out: list[tuple[str, dt.date, str, tuple[Point, ...]]] = []
    if rule.dyad is not None and (rule.index_above is not None or rule.surge or rule.turn):
        points = dyad_points(store, rule.dyad)
        if points:
            since, until = default_range(points)
            buckets = daily(points, since, until)
            if rule.index_above is not None:
                # a rise above the line fires on the first day above it that brings incidents:
                # an index drifting up only as cooperation fades has no report to show
                armed = rule.index_above >= 0.0
                for bucket in buckets:
                    if bucket.index <= rule.index_above:
                        armed = True
                        continue
                    evidence = tuple(p for p in points if p.date == bucket.date)
                    if armed and evidence:
                        armed = False
                        out.append(
                            (
                                f"index:{bucket.date}",
                                bucket.date,
                                f"tension index {bucket.index:.1f} rose above {rule.index_above:g}",
                                evidence,
                            )
                        )
            if rule.surge:
                for surge in surges(weekly(buckets), points):
                    out.append(
                        (
                            f"surge:{surge.week}",
                            surge.week,
                            f"hostility {surge.hostility:.1f} in the week of {surge.week} "
                            f"against a baseline of {surge.baseline:.1f}",
                            surge.incidents,
                        )
                    )
            if rule.turn:
                for turn in turning_points(buckets, points):
                    if rule.turn in ("any", turn.kind):
                        out.append(
                            (
                                f"{turn.kind}:{turn.onset}",
                                turn.onset,
                                f"{turn.kind} from {turn.onset} (signalled {turn.signalled})",
                                turn.incidents,
                            )
                        )
    if rule.commitment is not None:
        out += _commitment_alerts(store, rule)
    if rule.first_event is not None:
        first = _first_incident(store, rule)
        if first is not None:
            out.append(
                (
                    f"first:{first.incident_id}",
                    first.date,
                    f"first {first.event} between {first.source} and {first.target}",
                    (first,),
                )
            )
    return out


def _first_incident(store: Store, rule: Rule) -> Point | None:
    """The earliest incident of the wanted kind; an undated one counts, dated by its first
    report (or, failing that, its document's reference date)."""
    wanted = rule.first_event or {}
    query = (
        select(
            incidents, incident_dyads.c.source, incident_dyads.c.target, documents.c.reference_date
        )
        .join(incident_dyads, incident_dyads.c.incident_id == incidents.c.id)
        .join(events, events.c.id == incidents.c.lead_event_id)
        .join(documents, documents.c.content_hash == events.c.content_hash)
    )
    conditions = [incidents.c.event == wanted["event"]]
    if wanted.get("mode"):
        conditions.append(incidents.c.mode == wanted["mode"])
    if rule.dyad is not None:
        a, b = rule.dyad
        conditions.append(
            ((incident_dyads.c.source == a) & (incident_dyads.c.target == b))
            | ((incident_dyads.c.source == b) & (incident_dyads.c.target == a))
        )
    elif rule.actor is not None:
        conditions.append(incident_dyads.c.source == rule.actor)
    query = query.where(and_(*conditions))
    with store.engine.connect() as conn:
        rows = list(conn.execute(query))
    dated: list[tuple[dt.date, Any]] = []
    for row in rows:
        when = _when(row)
        if when is not None:
            dated.append((when, row))
    if not dated:
        return None
    day, row = min(dated, key=lambda pair: (pair[0], pair[1].id))
    return Point.from_row(row, day)


def _when(row: Any) -> dt.date | None:
    if row.date_start is not None:
        return row.date_start  # type: ignore[no-any-return]
    if row.first_reported is not None:
        return row.first_reported  # type: ignore[no-any-return]
    if row.reference_date:
        return DateValue.parse(row.reference_date).first_day()
    return None


def _commitment_alerts(
    store: Store, rule: Rule
) -> list[tuple[str, dt.date, str, tuple[Point, ...]]]:
    """A commitment broken (violated, reversed or left, on asserted evidence), a breach only
    alleged, or a deadline passed without the promised act."""
    as_of = latest_day(store)
    found = commitments(store, rule.dyad, as_of=as_of)
    if rule.dyad is None and rule.actor is not None:
        found = [c for c in found if rule.actor in c.parties]
    out: list[tuple[str, dt.date, str, tuple[Point, ...]]] = []
    for c in found:
        what = f"{' and '.join(c.parties)}: {c.act or 'agreement'} of {c.date}"
        end = c.abandoned or c.breach
        if rule.commitment == "breached" and end is not None:
            verb = {"abandonment": "left"}.get(end.kind, c.status)
            out.append((f"commitment:{c.id}", end.date, f"{what} {verb} by {end.party}",
                        (end.point(c.dyad),)))  # fmt: skip
        elif rule.commitment == "alleged":
            for step in c.alleged:
                by = step.claimed_by or "a hedged report"
                out.append((f"alleged:{c.id}:{step.incident_id}", step.date,
                            f"{what}: breach by {step.party} alleged by {by}",
                            (step.point(c.dyad),)))  # fmt: skip
        elif rule.commitment == "deadline" and c.deadline is not None and as_of is not None:
            kept = [p for p, d in c.fulfilled if d <= c.deadline]
            if as_of > c.deadline and len(kept) < len(c.parties):
                missing = ", ".join(p for p in c.parties if p not in kept)
                out.append((f"deadline:{c.id}", c.deadline,
                            f"{what}: deadline {c.deadline} passed without {missing} acting",
                            (c.steps[0].point(c.dyad),)))  # fmt: skip
    return out
