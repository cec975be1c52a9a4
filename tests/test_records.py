from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from detente.records import (
    ActorMention,
    DatePrecision,
    DateValue,
    Entity,
    Event,
    EventType,
    Status,
    event_json,
)

CONTRACT_KEYS = {
    "id", "doc_id", "doc_path", "published", "date", "date_precision", "actor", "recipient",
    "event", "mode", "context", "quad_code", "intensity", "status", "claimed_by", "event_text",
    "text", "start", "end", "location", "cameo", "confidence",
}  # fmt: skip


def _event(**changes: object) -> Event:
    blr = ActorMention("Minsk", 0, 5, Entity("BLR", "GOV", "Minsk", "capital:BLR"))
    ukr = ActorMention("Ukraine", 20, 27, Entity("UKR", None, "Ukraine", "country:UKR"))
    base: dict[str, object] = {
        "doc_id": "d1", "sentence_index": 0, "actor": (blr,), "recipient": (ukr,),
        "event": EventType.MOBILIZE, "mode": "troops", "context": ("military",), "quad_code": 4,
        "intensity": -6.5, "status": Status.ASSERTED, "claimed_by": None,
        "event_text": "moved troops", "trigger_start": 6, "text": "Minsk moved troops to Ukraine.",
        "start": 0, "end": 30, "date": DateValue(2024, 6, 20),
    }  # fmt: skip
    base.update(changes)
    return Event(**base)  # type: ignore[arg-type]


def test_records_event_json_has_the_contract_keys() -> None:
    record = event_json(_event())
    assert set(record) >= CONTRACT_KEYS
    assert record["date"] == "2024-06-20"
    assert record["date_precision"] == "day"
    assert record["actor"] == [
        {
            "code": "BLR",
            "sector": "GOV",
            "text": "Minsk",
            "name": "Minsk",
            "entity_id": "capital:BLR",
        }
    ]


def test_records_event_id_is_stable_and_depends_on_content() -> None:
    assert _event().id == _event().id
    assert _event().id != _event(event=EventType.RETREAT).id
    assert _event().id != _event(trigger_start=7).id


def test_records_undated_event_has_unknown_precision() -> None:
    record = event_json(_event(date=None))
    assert record["date"] is None
    assert record["date_precision"] == "unknown"


@given(
    st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2100, 12, 31)),
    st.sampled_from([DatePrecision.DAY, DatePrecision.MONTH, DatePrecision.YEAR]),
)
def test_records_date_value_round_trips_at_its_precision(
    day: dt.date, precision: DatePrecision
) -> None:
    value = DateValue(
        day.year,
        day.month if precision != DatePrecision.YEAR else None,
        day.day if precision == DatePrecision.DAY else None,
    )
    assert DateValue.parse(value.iso()) == value
    assert value.precision == precision
    assert value.first_day() <= day


def test_output_file_appears_whole_or_not_at_all(tmp_path: Path) -> None:
    import errno

    from detente.errors import OutputError
    from detente.output import written

    target = tmp_path / "report.html"
    with written(target) as handle:
        handle.write("<html>whole</html>")
    assert target.read_text() == "<html>whole</html>"
    full = OSError(errno.ENOSPC, "No space left on device")
    with pytest.raises(OutputError, match=r"cannot write .*No space"), written(target) as handle:
        handle.write("<html>half")
        raise full
    assert target.read_text() == "<html>whole</html>"  # the earlier file is untouched
    assert [p.name for p in tmp_path.iterdir()] == ["report.html"]  # no partial file
    with pytest.raises(OutputError, match="cannot write"), written(tmp_path / "no" / "f.csv"):
        pass


@pytest.mark.parametrize(
    ("value", "last"),
    [("2024-07-13", "2024-07-13"), ("2024-02", "2024-02-29"), ("2023-02", "2023-02-28"),
     ("2024-12", "2024-12-31"), ("2024", "2024-12-31")],
)  # fmt: skip
def test_records_date_value_last_day(value: str, last: str) -> None:
    assert DateValue.parse(value).last_day() == dt.date.fromisoformat(last)


@given(st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2100, 12, 31)))
def test_records_a_month_spans_from_its_first_to_its_last_day(day: dt.date) -> None:
    month = DateValue(day.year, day.month)
    assert month.first_day() <= day <= month.last_day()
    assert (month.last_day() + dt.timedelta(days=1)).day == 1
