"""The per-day pair summary (store/summary.py) that `detente dyads` reads: each write keeps it
equal to one recomputed from the incidents, through new documents, regrouping and revisions."""

from __future__ import annotations

import shutil
from pathlib import Path

from alembic import command
from alembic.config import Config

import detente
from detente.analysis.dyads import dyad_summaries
from detente.nlp.pipeline import Resources
from detente.store import Store, summary
from detente.store.repository import MIGRATIONS, migrate
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
