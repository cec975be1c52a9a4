"""Each incident's country pairs with the incident's figures (``dyad_moves``), kept up to date
at write.

A pair's reciprocity looks at every one of its incidents in the period asked (27,312 in a year
for the analytics bench's busiest pair). Read from ``incident_dyads`` joined to ``incidents``,
that is a look-up of each incident by its id: 0.14 s for that year in SQLite alone.
``dyad_moves`` holds the same rows, each with its incident's figures, keyed by undirected pair
and first day (in SQLite the rows are stored in that order), so the read is one range of one
table (``analysis.moves``). Each write, once it has regrouped its incidents
(``incidents.refresh_many``), replaces the rows of those incidents; ``rebuild`` fills the table
again from scratch and ``check`` says how it differs from one recomputed now.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from typing import Any

from sqlalchemy import and_, case, delete, func, insert, select, true
from sqlalchemy.engine import Connection

from detente.store.schema import dyad_moves, incident_dyads, incidents

_d = incident_dyads.c
_i = incidents.c
COLUMNS = [c.name for c in dyad_moves.columns]


def _fresh(where: Any) -> Any:
    """The rows of ``dyad_moves`` recomputed from the incidents, for the pair rows ``where``."""
    return (
        select(
            case((_d.source < _d.target, _d.source), else_=_d.target).label("lo"),
            case((_d.source < _d.target, _d.target), else_=_d.source).label("hi"),
            _d.date_start, _d.incident_id, _d.source, _d.target, _d.joint, _i.event, _i.mode,
            _i.date_precision, _i.quad_code, _i.intensity, _i.status, _i.n_events, _i.n_sources,
        )
        .join(incidents, _i.id == _d.incident_id)
        .where(and_(_d.date_start.is_not(None), _d.source != _d.target, where))
    )  # fmt: skip


def refresh(conn: Connection, incident_ids: Iterable[str]) -> None:
    """Replace the rows of the incidents ``incident_ids`` by those they have now (none for an
    incident that is gone or has no date)."""
    wanted = sorted(set(incident_ids))
    for chunk in range(0, len(wanted), 500):
        part = wanted[chunk : chunk + 500]
        conn.execute(delete(dyad_moves).where(dyad_moves.c.incident_id.in_(part)))
        conn.execute(insert(dyad_moves).from_select(COLUMNS, _fresh(_d.incident_id.in_(part))))


def rebuild(conn: Connection) -> int:
    """Fill the whole table again from the incidents; returns its number of rows."""
    conn.execute(delete(dyad_moves))
    conn.execute(insert(dyad_moves).from_select(COLUMNS, _fresh(true())))
    return int(conn.execute(select(func.count()).select_from(dyad_moves)).scalar_one())


def check(conn: Connection) -> Counter[str]:
    """How the stored rows differ from those recomputed now (empty when they are right): rows
    ``moves missing`` and ``moves extra`` (a changed row is one of each)."""
    fresh = {tuple(r) for r in conn.execute(_fresh(true()))}
    stored = {tuple(r) for r in conn.execute(select(*dyad_moves.columns))}
    return +Counter({"moves missing": len(fresh - stored), "moves extra": len(stored - fresh)})


__all__ = ["check", "rebuild", "refresh"]
