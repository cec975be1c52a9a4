"""Exports and DataFrames of a real store (our demo corpus ingested into SQLite): the Parquet's
types and fields against the JSONL export, the CSV's flat columns, ``frames.events`` and
``frames.tension``'s dtypes and filters."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner

from detente import Store, open_store
from detente.analysis import frames
from detente.cli import cli

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def store(demo_db: Path) -> Iterator[Store]:
    opened = open_store(f"sqlite:///{demo_db}", create=False)
    yield opened
    opened.close()


def _export(demo_db: Path, *args: str) -> str:
    result = CliRunner().invoke(cli, ["export", "--db", f"sqlite:///{demo_db}", *args])
    assert result.exit_code == 0, result.output
    return result.stdout


def _jsonl(demo_db: Path, incidents: bool) -> list[dict[str, Any]]:
    flag = ["--incidents"] if incidents else []
    return [json.loads(line) for line in _export(demo_db, *flag).splitlines()]


def _parquet(demo_db: Path, tmp_path: Path, incidents: bool) -> pa.Table:
    out = tmp_path / "out.parquet"
    _export(demo_db, "--format", "parquet", "-o", str(out), *(["--incidents"] * incidents))
    return pq.read_table(out)


def _day(value: str | None) -> dt.date | None:
    return dt.date.fromisoformat(value) if value else None


@pytest.mark.parametrize("incidents", [False, True], ids=["events", "incidents"])
def test_exports_parquet_holds_every_jsonl_field_typed(
    demo_db: Path, tmp_path: Path, incidents: bool
) -> None:
    records = _jsonl(demo_db, incidents)
    table = _parquet(demo_db, tmp_path, incidents)
    assert records and table.num_rows == len(records)
    keys = {k for r in records for k in r}
    assert set(table.schema.names) == keys | {"date_start", "date_end"}
    types = {f.name: f.type for f in table.schema}
    for name in ("published", "date_start", "date_end"):
        assert types[name] == pa.date32(), name
    assert types["date"] == pa.string()
    for name in ("date_precision", "date_basis", "event", "mode", "status", "coder"):
        assert pa.types.is_dictionary(types[name]), name
    for name in ("quad_code", "start", "end"):
        assert types[name] == pa.int64(), name
    assert types["intensity"] == types["confidence"] == pa.float64()
    nested = {"actor": "actor", "recipient": "recipient", "claimed_by": None, "location": None}
    for name, kind in nested.items():
        struct = types[name].value_type if kind else types[name]
        assert pa.types.is_struct(struct), name
        fields = {struct.field(i).name for i in range(struct.num_fields)}
        values = [r[name] for r in records if r[name]]
        items = [m for v in values for m in v] if kind else values
        assert items and {k for m in items for k in m} <= fields, name
    assert pa.types.is_floating(types["location"].field("lat").type)
    if incidents:
        for name in ("n_events", "n_documents", "n_sources"):
            assert types[name] == pa.int64(), name
        assert types["first_reported"] == types["last_reported"] == pa.date32()
        source = types["sources"].value_type
        assert source.field("published").type == pa.date32()
        assert {k for r in records for s in r["sources"] for k in s} <= {
            source.field(i).name for i in range(source.num_fields)
        }
    # the values, read back, are the JSONL's
    for row, record in zip(table.to_pylist(), records, strict=True):
        assert row["id"] == record["id"] and row["event"] == record["event"]
        assert row["published"] == _day(record["published"])
        assert [m["code"] for m in row["actor"]] == [m["code"] for m in record["actor"]]
        assert [m.get("sector") for m in row["recipient"]] == [
            m.get("sector") for m in record["recipient"]
        ]
        assert row["location"] == record["location"]
        assert row["claimed_by"] == record["claimed_by"]
        assert row["context"] == record["context"]
        if incidents:
            assert row["n_sources"] == record["n_sources"]
            assert row["first_reported"] == _day(record["first_reported"])
            assert [s["doc_id"] for s in row["sources"]] == [s["doc_id"] for s in record["sources"]]


def test_exports_parquet_date_spans_follow_precision(demo_db: Path, tmp_path: Path) -> None:
    rows = _parquet(demo_db, tmp_path, incidents=False).to_pylist()
    (month,) = {(r["date"], r["date_start"], r["date_end"]) for r in rows if r["date"] == "2024-07"}
    assert month == ("2024-07", dt.date(2024, 7, 1), dt.date(2024, 7, 31))
    days = [r for r in rows if r["date_precision"] == "day"]
    assert days and all(r["date_start"] == r["date_end"] == _day(r["date"]) for r in days)
    frame = pq.read_table(tmp_path / "out.parquet").to_pandas()
    assert isinstance(frame["date_precision"].dtype, pd.CategoricalDtype)
    assert frame["quad_code"].dtype == "int64"


@pytest.mark.parametrize("incidents", [False, True], ids=["events", "incidents"])
def test_exports_csv_columns_are_flat(demo_db: Path, incidents: bool) -> None:
    records = _jsonl(demo_db, incidents)
    flag = ["--incidents"] if incidents else []
    reader = csv.DictReader(io.StringIO(_export(demo_db, "--format", "csv", *flag)))
    rows = list(reader)
    header = list(reader.fieldnames or [])
    assert len(rows) == len(records)
    wanted = {"actor_codes", "actor_sectors", "recipient_codes", "recipient_sectors", "lat",
              "lon", "place", "date", "date_start", "date_end", "date_precision", "date_basis",
              "claimed_by_code", "coder"}  # fmt: skip
    assert wanted <= set(header) and "location" not in header
    # every JSONL field has its column
    stand_in = {"actor": "actor_codes", "recipient": "recipient_codes", "location": "place",
                "claimed_by": "claimed_by_code", "sources": "source_doc_ids"}  # fmt: skip
    assert {stand_in.get(k, k) for r in records for k in r} <= set(header)
    for row, record in zip(rows, records, strict=True):
        assert not any(v.startswith(("{", "[")) for v in row.values()), row
        for side in ("actor", "recipient"):
            mentions = record[side]
            assert row[f"{side}_codes"].split(";") == [m["code"] for m in mentions] or (
                not mentions and row[f"{side}_codes"] == ""
            )
            if mentions:
                assert row[f"{side}_sectors"].split(";") == [m["sector"] or "" for m in mentions]
                assert row[f"{side}_names"].split(";") == [m["name"] for m in mentions]
        location = record["location"] or {}
        assert row["place"] == (location.get("name") or "")
        assert row["lat"] == ("" if location.get("lat") is None else str(location["lat"]))
        if location.get("lat") is not None:
            assert float(row["lat"]) == location["lat"] and float(row["lon"]) == location["lon"]
        claimed = record["claimed_by"] or {}
        assert row["claimed_by_code"] == (claimed.get("code") or "")
        if record["date"]:
            start, end = _day(row["date_start"]), _day(row["date_end"])
            assert start is not None and end is not None and start <= end
            assert row["date_start"].startswith(record["date"])
        assert int(row["quad_code"]) == record["quad_code"]
        if incidents:
            assert int(row["n_sources"]) == record["n_sources"]
            assert row["source_doc_ids"].split(";") == [s["doc_id"] for s in record["sources"]]
    sectors = [row["actor_sectors"] for row in rows if ";" in row["actor_codes"]]
    assert sectors, "the demo has events with two actors"


@pytest.mark.parametrize("incidents", [False, True], ids=["events", "incidents"])
def test_exports_events_command_csv_has_the_export_columns(demo_db: Path, incidents: bool) -> None:
    flag = ["--incidents"] if incidents else []
    exported = list(csv.reader(io.StringIO(_export(demo_db, "--format", "csv", *flag))))
    command = ["events", "--db", f"sqlite:///{demo_db}", "--format", "csv", "--dyad", "BLR-UKR"]
    result = CliRunner().invoke(cli, [*command, *flag])
    assert result.exit_code == 0, result.output
    shown = list(csv.reader(io.StringIO(result.stdout)))
    assert shown[0] == exported[0] and 1 < len(shown) < len(exported)
    assert all(row in exported[1:] for row in shown[1:])


def test_frames_events_dtypes(store: Store) -> None:
    frame = frames.events(store)
    assert len(frame) == len(list(store.events()))
    for column in ("published", "date_start", "date_end"):
        assert pd.api.types.is_datetime64_dtype(frame[column]), column
    for column in ("event", "mode", "status", "date_precision", "date_basis", "coder"):
        assert isinstance(frame[column].dtype, pd.CategoricalDtype), column
    for column in ("quad_code", "start", "end"):
        assert frame[column].dtype == "Int64", column
    assert frame["lat"].dtype == frame["intensity"].dtype == "float64"
    assert "ASSAULT" in frame["event"].cat.categories  # every PLOVER type, seen or not
    assert frame["mode"].notna().any() and frame["date_start"].notna().all()
    assert (frame["date_start"] <= frame["date_end"]).all()
    month = frame[frame["date_precision"] == "month"]
    assert not month.empty and (month["date_end"] - month["date_start"]).dt.days.min() >= 27
    incidents = frames.events(store, incidents=True)
    for column in ("n_events", "n_documents", "n_sources"):
        assert incidents[column].dtype == "Int64", column
    assert pd.api.types.is_datetime64_dtype(incidents["first_reported"])
    assert incidents["n_events"].sum() <= len(frame) and len(incidents) < len(frame)
    empty = frames.events(store, event_type="SANCTION", actor="NZL")
    assert empty.empty and list(empty.columns) == list(frame.columns)
    assert list(empty.dtypes.astype(str)) == list(frame.dtypes.astype(str))


FILTERS = [
    (["--dyad", "BLR-UKR"], {"dyad": ("BLR", "UKR")}),
    (["--dyad", "ukr-blr", "--type", "MOBILIZE"], {"dyad": ("ukr", "blr"), "event_type": "MOBILIZE"}),
    (["--actor", "blr"], {"actor": "blr"}),
    (["--since", "2024-07-01", "--until", "2024-07-31"],
     {"since": dt.date(2024, 7, 1), "until": dt.date(2024, 7, 31)}),
    (["--dyad", "BLR-UKR", "--incidents"], {"dyad": ("BLR", "UKR"), "incidents": True}),
]  # fmt: skip


@pytest.mark.parametrize(
    ("args", "kwargs"), FILTERS, ids=lambda v: " ".join(v) if isinstance(v, list) else None
)
def test_frames_events_filters_as_the_events_command(
    store: Store, demo_db: Path, args: list[str], kwargs: dict[str, Any]
) -> None:
    command = ["events", "--db", f"sqlite:///{demo_db}", "--format", "jsonl", *args]
    result = CliRunner().invoke(cli, command)
    assert result.exit_code == 0, result.output
    expected = [json.loads(line) for line in result.stdout.splitlines()]
    frame = frames.events(store, **kwargs)
    assert expected and list(frame["id"]) == [r["id"] for r in expected]
    assert list(frame["incident_id"]) == [r["incident_id"] for r in expected]
    total = len(frames.events(store, incidents=bool(kwargs.get("incidents"))))
    assert len(frame) < total  # the filter kept some and not others


def test_frames_events_filters_keep_what_they_say(store: Store) -> None:
    pair = frames.events(store, dyad=("BLR", "UKR"))
    for actors, recipients in zip(pair["actor_codes"], pair["recipient_codes"], strict=True):
        sides = set(actors.split(";")) | set(recipients.split(";"))
        assert {"BLR", "UKR"} <= sides
    july = frames.events(store, since=dt.date(2024, 7, 1), until=dt.date(2024, 7, 31))
    assert july["date_start"].between("2024-07-01", "2024-07-31").all()
    assert set(frames.events(store, event_type="mobilize")["event"]) == {"MOBILIZE"}


@pytest.mark.parametrize("freq", ["day", "week"])
def test_frames_tension_dtypes(store: Store, freq: str) -> None:
    frame = frames.tension(store, ("BLR", "UKR"), freq=freq)
    assert pd.api.types.is_datetime64_dtype(frame["date"])
    assert not frame.isna().any().any()
    counts = [c for c in frame.columns if c != "date"]
    assert all(frame[c].dtype == "float64" for c in counts)
    types = [c for c in frame.columns if c.startswith("type_")]
    quads = [c for c in frame.columns if c.startswith("quad_")]
    assert types and quads and (frame[types] == 0).any().any()  # days without, as 0
    assert ((frame[types].sum(axis=1) - frame["events"]).abs() < 0.01).all()
    assert ((frame[quads].sum(axis=1) - frame["events"]).abs() < 0.01).all()
    if freq == "week":
        assert (frame["date"].dt.day_of_week == 0).all()
    else:
        assert (frame["date"].diff().dropna() == pd.Timedelta(days=1)).all()
    empty = frames.tension(store, ("BLR", "NZL"))
    assert empty.empty and pd.api.types.is_datetime64_dtype(empty["date"])
