"""The app against its own OpenAPI description, with schemathesis (bounded: a few examples per
operation): every answer has a documented status and a body that fits the schema, and no
request makes the server fail (5xx)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import positive_data_acceptance

from detente.store import open_store
from tests.web import app_over

pytestmark = pytest.mark.slow


def _app() -> Any:
    """The app whose schema is read at collection time (before any fixture): the schema is
    the same over any store, so an empty one serves; the cases run against the demo store."""
    store = open_store("sqlite://")  # an empty store is enough for the schema itself
    return app_over(store)


schema = schemathesis.openapi.from_asgi("/api/v1/openapi.json", _app())


@pytest.fixture(scope="module")
def demo_app(demo_db: Path) -> Any:
    return app_over(open_store(f"sqlite:///{demo_db}", create=False), rules=None)


@schema.parametrize()
@settings(max_examples=8, deadline=None, suppress_health_check=list(HealthCheck))
def test_web_schema_holds(case: Any, demo_app: Any) -> None:
    # A cursor is opaque: any string fits the schema, but only one a page handed out means
    # something (400 otherwise), so "every schema-valid request is accepted" cannot hold.
    case.call_and_validate(app=demo_app, excluded_checks=[positive_data_acceptance])
