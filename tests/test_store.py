"""The event store: idempotent ingestion and event → DB → event round trips."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from detente import Store, ingest, open_store
from detente.errors import StoreError
from detente.nlp.pipeline import Coded, Resources
from detente.records import (
    ActorMention,
    DateValue,
    Document,
    Entity,
    Event,
    EventType,
    Location,
    ReferenceBasis,
    Sentence,
    Status,
    event_json,
)
from detente.store.schema import metadata
from tests.conftest import DEMO

# Documents never hold NUL (the readers refuse it; PostgreSQL text cannot store it).
TEXT = st.text(st.characters(exclude_categories=["Cs"], exclude_characters="\x00"), max_size=60)
CODES = st.sampled_from(["BLR", "UKR", "RUS", "POL", "CHN", "IGO"])
SECTORS = st.sampled_from([None, "GOV", "MIL", "COP", "JRN"])


@st.composite
def mentions(draw: st.DrawFn) -> ActorMention:
    code = draw(CODES)
    text = draw(TEXT.filter(bool))
    return ActorMention(
        text, 0, len(text), Entity(code, draw(SECTORS), f"Name {code}", f"country:{code}")
    )


@st.composite
def events(draw: st.DrawFn, text: str) -> Event:
    day = draw(st.dates(min_value=dt.date(1990, 1, 1), max_value=dt.date(2030, 12, 31)))
    precision = draw(st.integers(0, 3))
    date = (
        None
        if precision == 0
        else DateValue(
            day.year, day.month if precision > 1 else None, day.day if precision > 2 else None
        )
    )
    kind = draw(st.sampled_from(list(EventType)))
    return Event(
        doc_id="doc-1", sentence_index=0, actor=tuple(draw(st.lists(mentions(), min_size=1, max_size=3))),
        recipient=tuple(draw(st.lists(mentions(), max_size=2))), event=kind,
        mode=draw(st.sampled_from([None, "troops", "withdraw"])),
        context=tuple(draw(st.lists(st.sampled_from(["military", "diplomatic"]), max_size=2, unique=True))),
        quad_code=draw(st.integers(1, 4)), intensity=draw(st.floats(-10, 10, allow_nan=False)),
        status=draw(st.sampled_from(list(Status))),
        claimed_by=draw(st.one_of(st.none(), mentions())), event_text=draw(TEXT),
        trigger_start=draw(st.integers(0, len(text) - 1)), text=text, start=0, end=len(text),
        date=date, location=draw(st.one_of(st.none(), st.just(Location("Minsk", "BLR", 53.9, 27.56, "city")))),
        cameo=draw(st.one_of(st.none(), st.just("154"))), confidence=draw(st.floats(0, 1)),
        published=dt.date(2024, 8, 1),
    )  # fmt: skip


@pytest.fixture
def store(db_url: str) -> Iterator[Store]:
    opened = open_store(db_url)
    yield opened
    opened.close()


def _clear(store: Store) -> None:
    with store.engine.begin() as conn:
        for table in reversed(metadata.sorted_tables):
            conn.execute(table.delete())


@settings(
    max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=st.data())
def test_store_event_round_trip(store: Store, data: st.DataObject) -> None:
    text = data.draw(TEXT.filter(lambda t: t.strip() != ""))
    coded_events = data.draw(
        st.lists(events(text), min_size=1, max_size=4, unique_by=lambda e: e.id)
    )
    doc = Document(id="doc-1", text=text, published=dt.date(2024, 8, 1))
    coded = Coded(doc, (Sentence("doc-1", 0, 0, len(text), text),), tuple(coded_events),
                  DateValue(2024, 8, 1), ReferenceBasis.PUBLISHED)  # fmt: skip
    _clear(store)
    assert store.add(coded) is True
    assert store.add(coded) is False
    stored = sorted(
        ({k: v for k, v in r.items() if k != "incident_id"} for r in store.events()),
        key=lambda r: r["id"],
    )
    expected = sorted(
        (json.loads(json.dumps(event_json(e))) for e in coded_events), key=lambda r: r["id"]
    )
    assert stored == expected


@pytest.mark.slow
def test_store_ingesting_twice_keeps_the_counts(store: Store, res: Resources) -> None:
    first = ingest([str(DEMO)], store, res)
    counts = store.counts()
    second = ingest([str(DEMO)], store, res)
    assert first.stored == first.documents > 0 and first.events == counts["events"] > 0
    assert second.stored == 0 and second.already == second.documents == first.documents
    assert store.counts() == counts


def test_store_unopenable_location_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(StoreError, match="does not exist"):
        open_store(f"sqlite:///{tmp_path / 'no' / 'such' / 'dir.db'}")


def test_store_a_url_that_does_not_parse_is_one_clear_error() -> None:
    from detente.errors import StoreError
    from detente.store import open_store

    with pytest.raises(StoreError, match=r"cannot open the store at postgresql\+psycopg://\[::1"):
        open_store("postgresql://[::1")
