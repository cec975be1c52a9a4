"""pandas DataFrames of the analytics, for notebooks."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pandas as pd

from detente.analysis import DyadAnalysis, analyse
from detente.analysis.alerts import evaluate, load_rules
from detente.analysis.commitments import Commitment
from detente.analysis.compliance import Step
from detente.analysis.reciprocity import LaggedResponse, Match
from detente.analysis.series import Bucket
from detente.analysis.turns import Surge, Turn
from detente.exports.flat import (
    CATEGORY_COLUMNS,
    DATE_COLUMNS,
    EVENT_COLUMNS,
    FLOAT_COLUMNS,
    INCIDENT_COLUMNS,
    INT_COLUMNS,
    flat,
)
from detente.records import DateBasis, DatePrecision, EventType, Status
from detente.store import Store

TENSION_COLUMNS = ["date", "events", "hostility", "cooperation", "index"]


def tension_rows(analysis: DyadAnalysis, freq: str = "day") -> list[dict[str, Any]]:
    return bucket_rows(analysis.weeks if freq == "week" else analysis.days)


def bucket_rows(buckets: list[Bucket]) -> list[dict[str, Any]]:
    """A series' rows: counts, hostility, cooperation, index, and counts by type and quad."""
    return [
        {
            "date": b.date.isoformat(),
            "events": round(b.events, 3),
            "hostility": round(b.hostility, 3),
            "cooperation": round(b.cooperation, 3),
            "index": round(b.index, 3),
            **{f"type_{k}": round(v, 3) for k, v in sorted(b.by_type.items())},
            **{f"quad_{k}": round(v, 3) for k, v in sorted(b.by_quad.items())},
        }
        for b in buckets
    ]


def turn_rows(analysis: DyadAnalysis) -> list[dict[str, Any]]:
    return turn_table(analysis.turns, analysis.surges)


def turn_table(turns: list[Turn], surges: list[Surge]) -> list[dict[str, Any]]:
    """Turning points, then surges, one row each."""
    return [
        {
            "kind": t.kind,
            "onset": t.onset.isoformat(),
            "signalled": t.signalled.isoformat(),
            "magnitude": round(t.magnitude, 2),
            "incidents": [f"{p.date} {p.move} ({p.status})" for p in t.incidents],
        }
        for t in turns
    ] + [
        {
            "kind": "surge",
            "onset": s.week.isoformat(),
            "signalled": s.week.isoformat(),
            "magnitude": round(s.hostility, 2),
            "incidents": [f"{p.date} {p.move}" for p in s.incidents],
        }
        for s in surges
    ]


def match_rows(analysis: DyadAnalysis) -> list[dict[str, Any]]:
    return match_table(analysis.matches)


def match_table(matches: list[Match]) -> list[dict[str, Any]]:
    """Matched moves, one row each."""
    return [
        {
            "event": m.event,
            "first_mover": m.first_mover,
            "first": f"{m.first.date} {m.first.move}",
            "answer": (
                f"{m.answer.date} {m.answer.move}"
                if m.answer
                else "joint (both sides in one incident)"
            ),
            "lag_days": m.lag_days,
            "first_incident": m.first.incident_id,
            "answer_incident": m.answer.incident_id if m.answer else None,
        }
        for m in matches
    ]


def lagged_rows(analysis: DyadAnalysis) -> list[dict[str, Any]]:
    return lagged_table(analysis.dyad, analysis.lagged)


def lagged_table(dyad: tuple[str, str], lagged: list[LaggedResponse | str]) -> list[dict[str, Any]]:
    """The two lagged-response estimates (b to a, then a to b), a reason where there is none."""
    rows = []
    a, b = dyad
    directions = [(b, a), (a, b)]  # the order ``analyse`` computes them in
    for item in lagged:
        if isinstance(item, LaggedResponse):
            rows.append(
                {
                    "responder": item.responder,
                    "to": item.to,
                    "coefficient": item.coefficient,
                    "t_stat": item.t_stat,
                    "weeks": item.weeks,
                    "note": "",
                }
            )
        else:
            responder, to = directions[len(rows)]
            rows.append(
                {
                    "responder": responder,
                    "to": to,
                    "coefficient": None,
                    "t_stat": None,
                    "weeks": None,
                    "note": item,
                }
            )
    return rows


def lagged_lines(analysis: DyadAnalysis) -> list[str]:
    """The lagged-response estimates as lines, each naming its direction; one reason that holds
    both ways ("too short") is one line."""
    rows = lagged_rows(analysis)
    if len(rows) == 2 and rows[0]["note"] and rows[0]["note"] == rows[1]["note"]:
        return [f"both ways: {rows[0]['note']}"]
    return [
        f"{r['responder']} to {r['to']}: "
        + (r["note"] or f"{r['coefficient']:.2f} (t={r['t_stat']:.1f}, {r['weeks']} weeks)")
        for r in rows
    ]


def tension(
    store: Store,
    dyad: tuple[str, str],
    freq: str = "day",
    since: dt.date | None = None,
    until: dt.date | None = None,
    direction: str | None = None,
) -> pd.DataFrame:
    """The pair's series, one row a day (or a week, ``freq="week"``, dated by its Monday):
    ``date`` (datetime64), incidents, hostility, cooperation, the index, and incidents by type
    (``type_MOBILIZE``, ...) and quad class (``quad_4``, ...), 0 where there were none. Counts are
    floats: an incident dated to a month counts a share on each of its days (1/30 in June)."""
    analysis = analyse(store, dyad, since=since, until=until, direction=direction)
    rows = tension_rows(analysis, freq)
    extra = sorted({k for r in rows for k in r} - set(TENSION_COLUMNS))  # type_*, then quad_*
    frame = pd.DataFrame(rows, columns=[*TENSION_COLUMNS, *extra])
    counts = [c for c in frame.columns if c != "date"]
    frame[counts] = frame[counts].fillna(0.0).astype("float64")
    frame["date"] = pd.to_datetime(frame["date"]).astype("datetime64[ns]")
    return frame


def events(
    store: Store,
    *,
    dyad: tuple[str, str] | None = None,
    actor: str | None = None,
    event_type: str | None = None,
    since: dt.date | None = None,
    until: dt.date | None = None,
    incidents: bool = False,
) -> pd.DataFrame:
    """Stored events (``detente events``, with the same filters), oldest first, one row each
    with the CSV export's columns: dates as datetime64, vocabularies as ``category``, integers
    as nullable ``Int64``. With ``incidents``, one row per incident with its figures."""
    found = store.events(
        dyad=(dyad[0].upper(), dyad[1].upper()) if dyad else None,
        actor=actor.upper() if actor else None,
        event_type=event_type,
        since=since,
        until=until,
        incidents_only=incidents,
    )
    columns = list(INCIDENT_COLUMNS if incidents else EVENT_COLUMNS)
    return _typed(pd.DataFrame([flat(r) for r in found], columns=columns))


# The vocabularies known in advance: their categories are the same in every frame.
_VOCABULARIES: dict[str, list[str]] = {
    "event": [t.value for t in EventType],
    "status": [s.value for s in Status],
    "date_precision": [p.value for p in DatePrecision],
    "date_basis": [b.value for b in DateBasis],
}


def _typed(frame: pd.DataFrame) -> pd.DataFrame:
    """Flat event rows with their dtypes (``exports.flat`` names each column's kind)."""
    out = frame.copy()
    for column in out.columns:
        values = out[column]
        if column in DATE_COLUMNS:
            out[column] = pd.to_datetime(values).astype("datetime64[ns]")
        elif column in INT_COLUMNS:
            out[column] = values.astype("Int64")
        elif column in FLOAT_COLUMNS:
            out[column] = values.astype("float64")
        elif column in CATEGORY_COLUMNS:
            known = _VOCABULARIES.get(column, [])
            seen = sorted(set(values.dropna()) - set(known))  # nothing unforeseen becomes NaN
            out[column] = pd.Categorical(values, categories=[*known, *seen])
        else:
            out[column] = values.astype("str")
    return out


def dyads(
    store: Store, since: dt.date | None = None, as_of: dt.date | None = None, sort: str = "index"
) -> pd.DataFrame:
    """The country pairs of the store, most active first (``detente dyads``)."""
    from detente.analysis.dyads import dyad_summaries

    frame = pd.DataFrame(
        [s.row() for s in dyad_summaries(store, since=since, as_of=as_of, sort=sort)]
    )
    for column in ("first", "last", "as_of"):
        if column in frame:
            frame[column] = pd.to_datetime(frame[column])
    return frame


def turns(store: Store, dyad: tuple[str, str]) -> pd.DataFrame:
    return pd.DataFrame(turn_rows(analyse(store, dyad)))


def reciprocity(store: Store, dyad: tuple[str, str]) -> pd.DataFrame:
    return pd.DataFrame(match_rows(analyse(store, dyad)))


def alerts(store: Store, rules: Path, remember: bool = False) -> pd.DataFrame:
    fired = evaluate(store, load_rules(rules), remember=remember)
    return pd.DataFrame(
        [
            {
                "rule": a.rule,
                "date": a.date.isoformat(),
                "message": a.message,
                "new": a.new,
                "evidence": [p.incident_id for p in a.evidence],
            }
            for a in fired
        ]
    )


COMMITMENT_TABLE = ["date", "dyad", "parties", "act", "status", "order", "breach", "deadline"]


def _step(step: Step | None) -> str | None:
    return f"{step.party} {step.date}" if step is not None else None


def commitment_rows(found: list[Commitment]) -> list[dict[str, Any]]:
    """One row a commitment: who promised what, when, and what became of it."""
    return [
        {
            "id": c.id,
            "date": c.date.isoformat(),
            "precision": c.precision,
            "dyad": "-".join(c.dyad),
            "parties": ";".join(c.parties),
            "act": str(c.act) if c.act else None,
            "object": ";".join(c.objects),
            "condition": c.condition,
            "deadline": c.deadline.isoformat() if c.deadline else None,
            "name": c.name,
            "standing": c.standing,
            "status": c.status,
            "fulfilled": ";".join(f"{p} {d}" for p, d in c.fulfilled),
            "order": c.order,
            "breach": _step(c.breach),
            "alleged": ";".join(
                f"{s.party} {s.date} ({s.claimed_by or 'hedged'})" for s in c.alleged
            ),
            "abandoned": _step(c.abandoned),
            "days_to_fulfilment": c.days_to_fulfilment,
            "days_to_breach": c.days_to_breach,
            "late": c.late,
            "claimed_by": ";".join(c.claimed_by),
            "incidents": list(c.incidents),
            "evidence": [
                f"{s.date} {s.kind} {s.party} {s.act} ({s.status}) {s.incident_id}"
                for s in c.steps[1:]
            ],
            "text": c.text,
        }
        for c in found
    ]


def commitments(
    store: Store,
    dyad: tuple[str, str] | None = None,
    *,
    since: dt.date | None = None,
    until: dt.date | None = None,
    as_of: dt.date | None = None,
    status: str | None = None,
    rules: Path | None = None,
) -> pd.DataFrame:
    """``detente commitments`` as a DataFrame: one row a commitment, ``date``, ``deadline``
    as datetime64, day counts as nullable ``Int64``, ``status`` a category of every status."""
    from detente.analysis.commitments import STATUSES
    from detente.analysis.commitments import commitments as derive_all
    from detente.analysis.promises import load_table

    found = derive_all(
        store,
        (dyad[0].upper(), dyad[1].upper()) if dyad else None,
        since=since,
        until=until,
        as_of=as_of,
        status=status,
        table=load_table(rules),
    )
    frame = pd.DataFrame(commitment_rows(found), columns=_COMMITMENT_COLUMNS)
    for column in ("date", "deadline"):
        frame[column] = pd.to_datetime(frame[column]).astype("datetime64[ns]")
    for column in ("days_to_fulfilment", "days_to_breach"):
        frame[column] = frame[column].astype("Int64")
    frame["status"] = pd.Categorical(frame["status"], categories=list(STATUSES))
    frame["late"] = frame["late"].astype(bool)
    return frame


_COMMITMENT_COLUMNS = ["id", "date", "precision", "dyad", "parties", "act", "object",
                       "condition", "deadline", "name", "standing", "status", "fulfilled",
                       "order", "breach", "alleged", "abandoned", "days_to_fulfilment",
                       "days_to_breach", "late", "claimed_by", "incidents", "evidence",
                       "text"]  # fmt: skip
