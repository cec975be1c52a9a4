"""Gold-standard readers: PLOVER's gold records (JSON, PLOVER 0.5b1 labels), PETRARCH validation
XML with CAMEO codings (through the CAMEO→PLOVER crosswalk), and detente's own JSONL format:

    {"id": "g1", "text": "...", "published": "2024-06-26",
     "events": [{"event": "MOBILIZE", "mode": "troops", "actor": ["UKR"], "recipient": ["BLR"],
                 "date": "2024-06-24"}]}

A record with ``"events": []`` is a text that holds no codable event.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import dataclass
from pathlib import Path

from detente.datafiles import csv_rows, packaged_text
from detente.errors import DataFileError
from detente.records import EventType

# PLOVER 0.5b1 labels that PLOVER 2.0 renamed or folded.
OLD_LABELS = {"DEMAND": ("REQUEST", None), "DISAPPROVE": ("ACCUSE", "disapprove"),
              "INVESTIGATE": ("ACCUSE", "investigate"), "FIGHT": ("ASSAULT", None)}  # fmt: skip
# CAMEO country codes that differ from ISO 3166 alpha-3.
CAMEO_COUNTRIES = {"JAP": "JPN", "GMY": "DEU", "UKG": "GBR", "KOS": "KOS",
                   "ITL": "ITA", "VTN": "VNM"}  # fmt: skip
# Gold files code every international organisation "IGO"; detente's UN and EU codes count as such.
INTERNATIONAL = {"IGO": "IGO", "UNO": "IGO", "EUR": "IGO"}


@dataclass(frozen=True, slots=True)
class GoldEvent:
    event: EventType
    mode: str | None
    actors: frozenset[str]
    recipients: frozenset[str]
    date: str | None = None


@dataclass(frozen=True, slots=True)
class GoldRecord:
    id: str
    text: str
    events: tuple[GoldEvent, ...]
    published: dt.date | None = None


def _country(code: str) -> str:
    code = code.strip().upper()[:3]
    return INTERNATIONAL.get(code, CAMEO_COUNTRIES.get(code, code))


def comparable(code: str) -> str:
    """A predicted actor code as gold files write it."""
    return INTERNATIONAL.get(code, code)


def _codes(entities: object) -> frozenset[str]:
    if not isinstance(entities, list):
        return frozenset()
    return frozenset(
        _country(str(e.get("code", ""))) for e in entities if isinstance(e, dict) and e.get("code")
    )


def read_plover(path: Path) -> list[GoldRecord]:
    raw = json.loads(path.read_text("utf-8"))
    records = []
    for item in raw:
        if item.get("event") == "DOCUMENT" or not item.get("text"):
            continue
        label = str(item["event"])
        event_name, mode = OLD_LABELS.get(label, (label, None))
        mode = mode or (item.get("mode") or None)
        event = EventType(event_name)
        if mode is not None and "-" in mode and mode.split("-")[0] in {"strike", "riot", "demo"}:
            mode = mode.split("-")[0]  # 0.5b1 sub-modes such as "riot-spon"
        records.append(
            GoldRecord(
                str(item["id"]),
                " ".join(str(item["text"]).split()),
                (GoldEvent(event, mode, _codes(item.get("source")), _codes(item.get("target"))),),
            )
        )
    return records


def _crosswalk() -> dict[str, tuple[str, str | None]]:
    rows = csv_rows(packaged_text("detente.ontology", "data", "cameo2plover.csv"))
    return {r["cameo"]: (r["event"], r["mode"] or None) for r in rows}


_TAGS = re.compile(r"<(Sentence|EventCoding)\b([^>]*?)/?>|<Text>(.*?)</Text>", re.S)
_ATTRS = re.compile(r'(\w+)="([^"]*)"')


def read_petrarch(path: Path) -> list[GoldRecord]:
    """PETRARCH validation files: <Sentence .../>, its <EventCoding .../> lines and its <Text>,
    in that order (the files are not well-formed XML, so they are scanned, not parsed).
    Sentences whose CAMEO codes have no PLOVER translation count as texts without events."""
    text = path.read_text("utf-8")
    crosswalk = _crosswalk()
    records: list[GoldRecord] = []
    sentence: dict[str, str] | None = None
    events: list[GoldEvent] = []
    for match in _TAGS.finditer(text[text.find("<Sentences>") :]):
        tag, attributes, body = (
            match.group(1),
            dict(_ATTRS.findall(match.group(2) or "")),
            match.group(3),
        )
        if tag == "Sentence":
            sentence, events = attributes, []
        elif tag == "EventCoding" and sentence is not None:
            mapped = crosswalk.get(attributes.get("eventcode", ""))
            if mapped is not None:
                targets = frozenset({_country(attributes.get("targetcode", ""))}) - {""}
                events.append(
                    GoldEvent(
                        EventType(mapped[0]),
                        mapped[1],
                        frozenset({_country(attributes.get("sourcecode", ""))}),
                        targets,
                    )
                )
        elif body is not None and sentence is not None:
            if sentence.get("evaluate", "true") != "false":
                stamp = sentence.get("date", "")
                published = (
                    dt.date(int(stamp[:4]), int(stamp[4:6]), int(stamp[6:8]))
                    if len(stamp) == 8
                    else None
                )
                records.append(
                    GoldRecord(
                        sentence.get("id", str(len(records))),
                        " ".join(body.split()),
                        tuple(events),
                        published,
                    )
                )
            sentence = None
    return records


def read_jsonl(path: Path) -> list[GoldRecord]:
    records = []
    for number, line in enumerate(path.read_text("utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            item = json.loads(line)
            events = tuple(
                GoldEvent(
                    EventType(e["event"]),
                    e.get("mode"),
                    frozenset(e.get("actor", [])),
                    frozenset(e.get("recipient", [])),
                    e.get("date"),
                )
                for e in item.get("events", [])
            )
            published = dt.date.fromisoformat(item["published"]) if item.get("published") else None
            records.append(GoldRecord(str(item["id"]), str(item["text"]), events, published))
        except (KeyError, ValueError, TypeError, json.JSONDecodeError) as exc:
            raise DataFileError(str(path), f"not a gold record ({exc})", number) from None
    return records


def read_gold(path: Path) -> list[GoldRecord]:
    """Read a gold file, its kind told by its content."""
    try:
        head = path.read_text("utf-8")[:4096].lstrip()
    except UnicodeDecodeError:
        raise DataFileError(str(path), "not a gold file: not UTF-8 text") from None
    except OSError as exc:
        raise DataFileError(str(path), f"cannot be read ({exc.strerror})") from None
    if head.startswith("<?xml") or "<Validation>" in head:
        return read_petrarch(path)
    if head.startswith("["):
        return read_plover(path)
    return read_jsonl(path)
