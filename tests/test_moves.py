"""A pair's reciprocity read from ``dyad_moves`` (analysis/moves.py, store/moves.py): the same
matched moves and lagged estimates as the full computation over the pair's incidents, to the
last bit, on the demo store (migrated, then written again) with reviews and on made-up moves
with many ties."""

from __future__ import annotations

import dataclasses
import datetime as dt
import random
from pathlib import Path

from alembic import command
from alembic.config import Config
from hypothesis import example, given, settings
from hypothesis import strategies as st
from sqlalchemy import insert

import detente
from detente.analysis import moves
from detente.analysis.data import Point, dyad_points
from detente.analysis.dyads import dyad_summaries
from detente.analysis.frames import lagged_table, match_table
from detente.analysis.reciprocity import lagged_response, matched_moves
from detente.nlp.pipeline import Resources
from detente.store import Store, summary
from detente.store.incidents import dyads, incident_id
from detente.store.repository import MIGRATIONS, migrate
from detente.store.reviews import review_event
from detente.store.schema import incident_dyads, incidents
from tests.web import app_over, call, copied_store

D = dt.date
WINDOWS = [(None, None), (D(2024, 7, 1), D(2024, 7, 31)), (D(2024, 6, 25), None),
           (None, D(2024, 7, 10)), (D(2024, 7, 14), D(2024, 7, 14))]  # fmt: skip


def _full(
    store: Store, pair: tuple[str, str], since: D | None, until: D | None
) -> moves.Reciprocity:
    """What ``analyse`` finds: from the pair's incidents (reviewed, if the store has reviews)."""
    points = dyad_points(store, pair, since=since, until=until)
    found = matched_moves(points, pair)
    a, b = pair
    lagged = [lagged_response(points, b, a), lagged_response(points, a, b)]
    return moves.Reciprocity(len(points), found, len(found), lagged)


def _compare(store: Store, pairs: list[tuple[str, str]]) -> int:
    """Check every pair over every window; returns how many moves were matched in all."""
    matched = 0
    for pair in pairs:
        for since, until in WINDOWS:
            got = moves.reciprocity(store, pair, since=since, until=until)
            assert got == _full(store, pair, since, until), (pair, since, until)
            matched += got.total if got else 0
    return matched


def _pairs(store: Store) -> list[tuple[str, str]]:
    pairs = [s.dyad for s in dyad_summaries(store, sort="incidents")[:6]]
    return [*pairs, pairs[0][::-1]]


NEW = """Ukraine accuses Belarus of massing troops

Kyiv, 3 August 2024

Ukraine accused Belarus on Saturday of massing troops near the border. Belarus accused Ukraine
of staging provocations on the same day. Belarus threatened Ukraine with retaliation.
"""


def test_moves_reciprocity_is_that_of_the_incidents(
    demo_db: Path, res: Resources, tmp_path: Path
) -> None:
    store = copied_store(demo_db, tmp_path)
    try:
        # the migration fills the table from the incidents already stored
        config = Config()
        config.set_main_option("script_location", str(MIGRATIONS))
        with store.engine.begin() as conn:
            config.attributes["connection"] = conn
            command.downgrade(config, "0006_dyad_totals")
        migrate(store.engine)
        with store.engine.connect() as conn:
            assert not summary.check(conn)
        pairs = _pairs(store)
        assert _compare(store, pairs) > 0  # moves were matched, and compared
        # a bounded page keeps the last matches and says how many there are
        busiest = pairs[0]
        whole = _full(store, busiest, None, None)
        kept = moves.reciprocity(store, busiest, keep=2)
        assert kept is not None and kept.total == whole.total > 2
        assert kept.matches == whole.matches[-2:]
        # a document ingested after the table was filled: its incidents are in it too
        page = tmp_path / "new.txt"
        page.write_text(NEW, "utf-8")
        before = whole.incidents
        assert detente.ingest([str(page)], store, res).stored == 1
        with store.engine.connect() as conn:
            assert not summary.check(conn)
        assert _full(store, busiest, None, None).incidents > before
        assert _compare(store, pairs) > 0
        # the API's answer is the full computation's
        app = app_over(store)
        for pair in (busiest, busiest[::-1]):
            url = f"/api/v1/dyads/{pair[0]}-{pair[1]}/reciprocity"
            full = _full(store, pair, D(2024, 6, 25), None)
            expected = {"items": match_table(full.matches), "truncated": False,
                        "lagged": lagged_table(pair, full.lagged)}  # fmt: skip
            assert call(app, "GET", url, params={"since": "2024-06-25"}).json() == expected
    finally:
        store.close()


def test_moves_reciprocity_of_a_reviewed_pair_is_read_from_its_events(
    demo_db: Path, tmp_path: Path
) -> None:
    store = copied_store(demo_db, tmp_path)
    try:
        pairs = _pairs(store)
        busiest = pairs[0]
        matched = _full(store, busiest, None, None).matches
        first = next(m.first for m in matched if m.answer is not None)
        for event in [
            e for e in store.events(dyad=busiest) if e["incident_id"] == first.incident_id
        ]:
            review_event(store, event["id"], wrong=True, comment="no such move", reviewer="ann")
        assert moves.reciprocity(store, busiest) is None  # the caller reads the reviewed events
        reviewed = _full(store, busiest, None, None)
        assert reviewed.matches != matched
        app = app_over(store)
        answer = call(app, "GET", f"/api/v1/dyads/{busiest[0]}-{busiest[1]}/reciprocity").json()
        assert answer["items"] == match_table(reviewed.matches)
        # a pair the review does not touch still reads the table, and agrees with its events
        others = [p for p in pairs if {*p} != {*busiest}]
        assert others
        _compare(store, others)
    finally:
        store.close()


# (actors, recipients): incidents whose pair rows are several, each taken once by dyad_points
SIDES = [("BLR", "UKR"), ("UKR", "BLR"), ("BLR;UKR", "BLR"), ("BLR;UKR", "UKR"), ("BLR;UKR", "POL"),
         ("BLR;UKR", "BLR;UKR"), ("BLR;RUS", "UKR;POL"), ("UKR", "BLR;RUS")]  # fmt: skip
KINDS = [("MOBILIZE", -6.5, 4), ("ACCUSE", -3.0, 3), ("AGREE", 2.5, 1), ("CONSULT", 2.5, 1)]


def test_moves_incidents_of_many_sides_and_spans_count_as_in_dyad_points(db_url: str) -> None:
    """Incidents written straight into a store (as the analytics bench writes them): several
    actors on a side, both sides acting together, moves both ways, month- and year-dated; on
    SQLite and PostgreSQL (whose order of ids is its collation's)."""
    rng = random.Random(5)
    store = detente.open_store(db_url)
    try:
        made, pairs = [], []
        for n in range(600):
            actors, recipients = rng.choice(SIDES)
            event, intensity, quad = rng.choice(KINDS)
            precision = rng.choice(["day"] * 8 + ["month", "year"])
            day = D(2024, 1, 1) + dt.timedelta(days=rng.randrange(150))
            day = {"day": day, "month": day.replace(day=1), "year": D(2024, 1, 1)}[precision]
            ident = incident_id(f"e{n:04d}")  # as the store names them: out of date order
            made.append({
                "id": ident, "event": event, "mode": None, "actor_codes": actors,
                "recipient_codes": recipients, "date": day.isoformat(), "date_start": day,
                "date_precision": precision, "status": rng.choice(["asserted", "alleged"]),
                "intensity": intensity, "quad_code": quad, "n_events": 1, "n_documents": 1,
                "n_sources": rng.choice([1, 1, 2, 3]), "first_reported": day,
                "last_reported": day, "lead_event_id": f"e{n:04d}",
            })  # fmt: skip
            pairs += [{"incident_id": ident, "source": a, "target": b, "joint": joint,
                       "date_start": day} for a, b, joint in dyads(actors, recipients)]  # fmt: skip
        with store.engine.begin() as conn:
            conn.execute(insert(incidents), made)
            conn.execute(insert(incident_dyads), pairs)
            summary.rebuild(conn)  # as the bench does after writing around the store
            assert not summary.check(conn)
        windows = [*WINDOWS, (D(2024, 2, 10), D(2024, 4, 20))]
        for pair in (("BLR", "UKR"), ("UKR", "BLR")):
            for since, until in windows:
                got = moves.reciprocity(store, pair, since=since, until=until)
                assert got == _full(store, pair, since, until), (pair, since, until)
                first = since - dt.timedelta(days=31) if since else D(2000, 1, 1)
                points = moves.pair_points(store, pair, since=first, until=until)
                assert points == dyad_points(store, pair, since=since, until=until)
            assert any(not isinstance(x, str) for x in _full(store, pair, None, None).lagged)
            assert moves.reciprocity(store, pair, keep=3) == dataclasses.replace(
                _full(store, pair, None, None), matches=_full(store, pair, None, None).matches[-3:]
            )
    finally:
        store.close()


EVENTS = ["MOBILIZE", "ACCUSE", "CONSULT"]  # CONSULT is never matched
# a made-up incident: days after 1 March 2024 (mostly a few weeks: ties and lags of exactly the
# 14-day window happen; sometimes months, for a lagged estimate), side, joint, type, date
# precision, intensity, status, sources
drawn_point = st.tuples(
    st.integers(0, 30) | st.integers(0, 120),
    st.sampled_from(["A", "B"]),
    st.sampled_from([False, False, False, True]),
    st.sampled_from(EVENTS),
    st.sampled_from(["day", "day", "day", "month", "year"]),
    st.sampled_from([-9.0, -6.5, -3.0, 0.0, 2.5, 8.0]),
    st.sampled_from(["asserted", "alleged", "planned"]),
    st.integers(1, 4),
)
Drawn = tuple[int, str, bool, str, str, float, str, int]


def _points(drawn: list[Drawn]) -> list[Point]:
    out = []
    for n, (day, side, joint, event, precision, intensity, status, sources) in enumerate(drawn):
        first = D(2024, 3, 1) + dt.timedelta(days=day)
        first = {"day": first, "month": first.replace(day=1), "year": D(2024, 1, 1)}[precision]
        source = "A" if joint else side
        other = "B" if source == "A" else "A"
        # ids out of date order (7,919 is prime): ties on a day are broken by id
        out.append(Point(f"i{n * 7919 % 1000:03d}", first, precision, source, other, joint,
                         event, None, 4, intensity, status, 1, sources, ""))  # fmt: skip
    return sorted(out, key=lambda p: (p.date, p.incident_id))  # as dyad_points reads them


ON_TIME: list[Drawn] = [  # answered on the window's last day, then a day too late
    (0, "A", False, "MOBILIZE", "day", -6.5, "asserted", 1),
    (14, "B", False, "MOBILIZE", "day", -6.5, "asserted", 1),
    (20, "B", False, "ACCUSE", "day", -3.0, "alleged", 2),
    (35, "A", False, "ACCUSE", "day", -3.0, "asserted", 1),
]


def _counts(points: list[Point]) -> list[moves.Count]:
    """The points counted as ``dyad_move_days`` counts incidents: by first day and type, the
    moves of each side and the joint ones."""
    tally: dict[tuple[D, str], list[int]] = {}
    for p in points:
        row = tally.setdefault((p.date, p.event), [0, 0, 0])
        row[2 if p.joint else 0 if p.source == "A" else 1] += 1
    return [(day, event, *row) for (day, event), row in sorted(tally.items())]  # type: ignore[misc]


# the last match (ACCUSE, from day 5) is made from day 5 on, where B's MOBILIZE of day 10 is
# already the answer to A's of day 0: it is no move of its own to answer that of day 12
ANSWERED_BEFORE: list[Drawn] = [
    (0, "A", False, "MOBILIZE", "day", -6.5, "asserted", 1),
    (5, "A", False, "ACCUSE", "day", -3.0, "asserted", 1),
    (7, "B", False, "ACCUSE", "day", -3.0, "asserted", 1),
    (10, "B", False, "MOBILIZE", "day", -6.5, "asserted", 1),
    (12, "A", False, "MOBILIZE", "day", -6.5, "asserted", 1),
]


@settings(max_examples=1000, deadline=None)
@given(st.lists(drawn_point, max_size=80))
@example(ON_TIME)
@example(ANSWERED_BEFORE)
def test_moves_matching_and_lagged_response_equal_the_full_computation(drawn: list[Drawn]) -> None:
    points, pair = _points(drawn), ("A", "B")
    days = _counts(points)
    every = matched_moves(points, pair)
    read = lambda first: [p for p in points if p.date >= first]  # noqa: E731
    assert moves.matched(days, pair, read) == (every, len(every))
    for keep in range(len(every) + 2):  # the matches kept start on any day
        kept = every[len(every) - min(keep, len(every)) :]
        assert moves.matched(days, pair, read, keep) == (kept, len(every)), keep
    hostile = [(p.date, p.precision, p.source, p.intensity, p.status, p.n_sources)
               for p in points if not p.joint and p.intensity < 0]  # fmt: skip
    expected = [lagged_response(points, "B", "A"), lagged_response(points, "A", "B")]
    assert moves.lagged(hostile, pair, days) == expected
