"""The per-day pair summary (store/summary.py) that `detente dyads` reads: each write keeps it
equal to one recomputed from the incidents, through new documents, regrouping and revisions."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

from alembic import command
from alembic.config import Config

import detente
from detente.analysis import series
from detente.analysis.dyads import dyad_summaries
from detente.analysis.frames import turn_table
from detente.analysis.series import Bucket, weekly
from detente.analysis.summarised import summary_days, summary_turns
from detente.analysis.turns import surges, turning_points
from detente.nlp.pipeline import Resources
from detente.store import Store, summary
from detente.store.repository import MIGRATIONS, migrate
from detente.store.reviews import review_event
from detente.store.schema import dyad_days
from tests.conftest import DEMO


def test_summary_is_kept_right_at_each_write(res: Resources, db_url: str, tmp_path: Path) -> None:
    folder = tmp_path / "in"
    shutil.copytree(DEMO, folder)
    store = detente.open_store(db_url)
    try:
        files = sorted(folder.iterdir())
        for path in files:  # one write at a time: incidents regroup as reports arrive
            detente.ingest([str(path)], store, res)
            with store.engine.connect() as conn:
                assert not summary.check(conn), path.name
        with store.engine.connect() as conn:
            rows = conn.execute(dyad_days.select()).all()
        assert rows and {(r.lo, r.hi) for r in rows} >= {("BLR", "UKR")}
        # a new revision of a page: its old events leave its incidents, and the summary follows
        page = next(p for p in files if p.suffix == ".md")
        kept = page.read_text("utf-8").split("\n\n")[:3]  # title, date line, first paragraph
        page.write_text("\n\n".join(kept) + "\n", "utf-8")
        assert detente.ingest([str(page)], store, res).stored == 1
        with store.engine.connect() as conn:
            assert not summary.check(conn)
        after = [s.row() for s in dyad_summaries(store)]
        # the totals kept per pair are the sums over its days
        assert after == [s.row() for s in dyad_summaries(store, since=dt.date(1900, 1, 1))]
        with store.engine.begin() as conn:  # a rebuild gives the same summary
            assert summary.rebuild(conn) == len(conn.execute(dyad_days.select()).all())
        assert [s.row() for s in dyad_summaries(store)] == after
        # and so does the migration that brings a store of before the summary up to date
        config = Config()
        config.set_main_option("script_location", str(MIGRATIONS))
        with store.engine.begin() as conn:
            config.attributes["connection"] = conn
            command.downgrade(config, "0002")
        migrate(store.engine)
        with store.engine.connect() as conn:
            assert not summary.check(conn)
        assert [s.row() for s in dyad_summaries(store)] == after
    finally:
        store.close()


def _summary(store: Store) -> list[tuple[object, ...]]:
    with store.engine.connect() as conn:
        rows = conn.execute(dyad_days.select()).all()
    return sorted((*r[:6], round(r.hostility, 9), round(r.cooperation, 9)) for r in rows)


def test_summary_does_not_depend_on_the_order_of_writes(res: Resources, tmp_path: Path) -> None:
    files = sorted(str(p) for p in DEMO.iterdir())
    found = []
    for name, order in (("forward", files), ("backward", files[::-1])):
        store = detente.open_store(f"sqlite:///{tmp_path / name}.db")
        try:
            for path in order:
                detente.ingest([path], store, res)
            found.append(_summary(store))
        finally:
            store.close()
    assert found[0] and found[0] == found[1]


def _same_buckets(got: list[Bucket], expected: list[Bucket]) -> bool:
    def values(b: Bucket) -> tuple[object, ...]:
        return (b.date, round(b.events, 9), round(b.hostility, 9), round(b.cooperation, 9),
                round(b.index, 9), {k: round(v, 9) for k, v in b.by_type.items()},
                {k: round(v, 9) for k, v in b.by_quad.items()})  # fmt: skip

    return [values(b) for b in got] == [values(b) for b in expected]


def test_summary_series_and_turns_are_those_of_the_incidents(demo_db: Path, tmp_path: Path) -> None:
    shutil.copy(demo_db, tmp_path / "demo.db")
    store = detente.open_store(f"sqlite:///{tmp_path / 'demo.db'}")
    try:
        pairs = [s.dyad for s in dyad_summaries(store, sort="incidents")[:6]]
        month_dated = 0
        for pair in [*pairs, ("UKR", "BLR")]:
            for since, until in [(None, None), (dt.date(2024, 7, 1), dt.date(2024, 7, 31)),
                                 (dt.date(2024, 6, 25), None), (None, dt.date(2024, 7, 10))]:  # fmt: skip
                points, days = series(store, pair, since=since, until=until)
                month_dated += sum(p.precision != "day" for p in points)
                got = summary_days(store, pair, since=since, until=until)
                assert got is not None and _same_buckets(got, days), (pair, since, until)
                if not days:
                    continue
                expected = turn_table(turning_points(days, points), surges(weekly(days), points))
                assert turn_table(*summary_turns(store, pair, got)) == expected, pair
        assert month_dated  # incidents spread over a month were compared too
        busiest = pairs[0]
        event = next(e for e in store.events(dyad=busiest) if e["incident_id"])
        review_event(store, event["id"], wrong=True, comment="no such act", reviewer="ann")
        assert summary_days(store, busiest) is None  # read from its reviewed incidents instead
    finally:
        store.close()
