"""pandas DataFrames of the analytics, for notebooks."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pandas as pd

from detente.analysis import DyadAnalysis, analyse
from detente.analysis.alerts import evaluate, load_rules
from detente.analysis.reciprocity import LaggedResponse
from detente.store import Store

TENSION_COLUMNS = ["date", "events", "hostility", "cooperation", "index"]


def tension_rows(analysis: DyadAnalysis, freq: str = "day") -> list[dict[str, Any]]:
    buckets = analysis.weeks if freq == "week" else analysis.days
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
    return [
        {
            "kind": t.kind,
            "onset": t.onset.isoformat(),
            "signalled": t.signalled.isoformat(),
            "magnitude": round(t.magnitude, 2),
            "incidents": [f"{p.date} {p.move} ({p.status})" for p in t.incidents],
        }
        for t in analysis.turns
    ] + [
        {
            "kind": "surge",
            "onset": s.week.isoformat(),
            "signalled": s.week.isoformat(),
            "magnitude": round(s.hostility, 2),
            "incidents": [f"{p.date} {p.move}" for p in s.incidents],
        }
        for s in analysis.surges
    ]


def match_rows(analysis: DyadAnalysis) -> list[dict[str, Any]]:
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
        for m in analysis.matches
    ]


def lagged_rows(analysis: DyadAnalysis) -> list[dict[str, Any]]:
    rows = []
    a, b = analysis.dyad
    directions = [(b, a), (a, b)]  # the order ``analyse`` computes them in
    for item in analysis.lagged:
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
    analysis = analyse(store, dyad, since=since, until=until, direction=direction)
    frame = pd.DataFrame(tension_rows(analysis, freq))
    return frame if not frame.empty else pd.DataFrame(columns=TENSION_COLUMNS)


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
