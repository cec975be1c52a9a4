"""Shared fixtures: the real pipeline (loaded once), the shared test material, stores."""

from __future__ import annotations

import itertools
import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

import detente
from detente.nlp.pipeline import Resources
from tests import pg

ROOT = Path(__file__).resolve().parent.parent
SHARED = Path(os.environ.get("DETENTE_SHARED", ROOT.parent / "shared"))
SEEDS = SHARED / "seeds"
DEMO = ROOT / "data" / "demo"


@pytest.fixture(scope="session")
def res() -> Resources:
    return detente.load()


@pytest.fixture(scope="session")
def rules_res() -> Resources:
    """The rule-based coder alone (lexicon gate and rules, no learned detector): what
    ``--rules-only`` runs, and where PLOVER's conventions are written down as rules."""
    return detente.load(use_detector=False)


@pytest.fixture(scope="session")
def seeds() -> Path:
    if not SEEDS.is_dir():
        if os.environ.get("CI"):
            pytest.fail(f"CI must have the shared seeds at {SEEDS}")
        pytest.skip(f"shared seeds not found at {SEEDS} (set DETENTE_SHARED to their folder)")
    return SEEDS


@pytest.fixture(scope="session")
def demo_db(res: Resources, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A SQLite store holding our demo corpus, ingested once per session: treat it as read-only
    (copy it to change it)."""
    path = tmp_path_factory.mktemp("demo") / "demo.db"
    store = detente.open_store(f"sqlite:///{path}")
    try:
        detente.ingest([str(DEMO)], store, res)
    finally:
        store.close()
    return path


@pytest.fixture
def sqlite_url(tmp_path: Path) -> Iterator[str]:
    yield f"sqlite:///{tmp_path / 'test.db'}"


@pytest.fixture(scope="session")
def pg_server() -> Iterator[str]:
    reason = pg.unavailable_reason()
    if reason is not None:
        if os.environ.get("CI"):
            pytest.fail(f"CI must run the PostgreSQL tests: {reason}")
        pytest.skip(reason)
    with pg.server() as template:
        yield template


_DATABASES = itertools.count()


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A fresh, empty store URL on each backend: a SQLite file, or a new PostgreSQL database."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'test.db'}"
        return
    template: str = request.getfixturevalue("pg_server")
    name = f"detente_test_{os.getpid()}_{next(_DATABASES)}"
    admin = create_engine(template.format(db="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield template.format(db=name)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
