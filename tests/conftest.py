"""Shared fixtures: the real pipeline (loaded once), the shared test material, stores."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

import detente
from detente.nlp.pipeline import Resources

ROOT = Path(__file__).resolve().parent.parent
SHARED = Path(os.environ.get("DETENTE_SHARED", ROOT.parent / "shared"))
SEEDS = SHARED / "seeds"
DEMO = ROOT / "data" / "demo"


@pytest.fixture(scope="session")
def res() -> Resources:
    return detente.load()


@pytest.fixture(scope="session")
def seeds() -> Path:
    if not SEEDS.is_dir():
        if os.environ.get("CI"):
            pytest.fail(f"CI must have the shared seeds at {SEEDS}")
        pytest.skip(f"shared seeds not found at {SEEDS} (set DETENTE_SHARED to their folder)")
    return SEEDS


@pytest.fixture
def sqlite_url(tmp_path: Path) -> Iterator[str]:
    yield f"sqlite:///{tmp_path / 'test.db'}"
