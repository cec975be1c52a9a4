"""detente's news corpus: whole documents written by us, annotated with PLOVER events.

The schema and the annotation guide are in ``corpus/SCHEMA.md``. This module reads the corpus
(``corpus/docs/*.jsonl``, one document per line), validates every record, builds each document's
text with the character offsets of its sentences and annotations, splits documents by a hash of
their id into train/dev/test, and prints the corpus make-up.

    python -m detente.training.documents validate corpus/docs
    python -m detente.training.documents stats corpus/docs
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
import sys
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pycountry

from detente.errors import DataFileError
from detente.ontology.plover import Ontology, load_ontology
from detente.records import EventType

REGISTERS = frozenset(
    {"wire", "statement", "analysis", "liveblog", "oped", "local", "headlines", "caption"}
)
REGIONS = frozenset(
    {
        "europe",
        "russia-ukraine",
        "caucasus-central-asia",
        "middle-east",
        "north-africa",
        "africa",
        "south-asia",
        "east-asia",
        "southeast-asia",
        "oceania",
        "north-america",
        "latin-america",
        "global",
    }
)
SECTORS = frozenset(
    {
        "GOV",
        "MIL",
        "COP",
        "JUD",
        "LEG",
        "REB",
        "SPY",
        "PRM",
        "PTY",
        "OPP",
        "CVL",
        "BUS",
        "JRN",
        "LAB",
        "EDU",
        "MED",
        "REF",
        "REL",
        "SOC",
        "CRM",
        "ELI",
        "UAF",
        "UNK",
        "AGR",
        "PRE",
    }
)
NON_STATE = frozenset({"IGO", "UNO", "EUR", "NGO", "IMG"})
STATUSES = frozenset({"asserted", "alleged", "denied", "planned"})
SPLITS = ("train", "dev", "test")
FIRST, LAST = dt.date(2014, 1, 1), dt.date(2026, 11, 30)
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_DATE = re.compile(r"^\d{4}(-\d{2}(-\d{2})?)?$")
_SPACE = re.compile(r"\s+")


@dataclass(frozen=True, slots=True)
class Party:
    code: str
    sector: str | None
    text: str | None
    span: tuple[int, int] | None  # offsets in the document text


@dataclass(frozen=True, slots=True)
class CorpusEvent:
    event: EventType
    mode: str | None
    trigger: tuple[int, int]  # offsets in the document text
    actors: tuple[Party, ...]
    recipients: tuple[Party, ...]
    status: str
    claimed_by: str | None
    date: str | None


@dataclass(frozen=True, slots=True)
class CorpusSentence:
    start: int
    end: int
    paragraph: int  # 0 is the title
    events: tuple[CorpusEvent, ...]


@dataclass(frozen=True, slots=True)
class CorpusDocument:
    id: str
    register: str
    region: str
    published: dt.date
    text: str
    sentences: tuple[CorpusSentence, ...]
    path: str

    @property
    def split(self) -> str:
        return split_of(self.id)

    def sentence_text(self, sentence: CorpusSentence) -> str:
        return self.text[sentence.start : sentence.end]


def split_of(doc_id: str) -> str:
    """train (80%), dev (10%) or test (10%), fixed by the document's id."""
    bucket = int(hashlib.sha256(doc_id.encode()).hexdigest()[:8], 16) % 10
    return "test" if bucket == 0 else "dev" if bucket == 1 else "train"


def _country_codes() -> frozenset[str]:
    codes = {c.alpha_3 for c in pycountry.countries}
    return frozenset(codes | {"KOS"} | NON_STATE)


def whole_word_occurrences(sentence: str, words: str) -> list[int]:
    """Where ``words`` starts in ``sentence`` as whole words: "he" is not found inside "the"."""
    out = []
    at = sentence.find(words)
    while at >= 0:
        end = at + len(words)
        starts = at == 0 or not (words[0].isalnum() and sentence[at - 1].isalnum())
        ends = end == len(sentence) or not (words[-1].isalnum() and sentence[end].isalnum())
        if starts and ends:
            out.append(at)
        at = sentence.find(words, at + 1)
    return out


class _Checker:
    """Collects the problems of one record as ``path:line: message`` lines."""

    def __init__(self, where: str, codes: frozenset[str], ontology: Ontology) -> None:
        self.where = where
        self.codes = codes
        self.problems: list[str] = []
        self.ontology = ontology

    def fail(self, message: str) -> None:
        self.problems.append(f"{self.where}: {message}")

    def span(self, sentence: str, words: object, nth: object, what: str) -> tuple[int, int] | None:
        if not isinstance(words, str) or not words.strip():
            self.fail(f"{what} must be a non-empty string, got {words!r}")
            return None
        n = nth if isinstance(nth, int) and nth >= 1 else 1
        found = whole_word_occurrences(sentence, words)
        if len(found) < n:
            self.fail(f"{what} {words!r} (occurrence {n}) is not in the sentence {sentence!r}")
            return None
        if nth is None and len(found) > 1 and what == "trigger":
            self.fail(f"trigger {words!r} occurs more than once in {sentence!r}: add trigger_n")
        return found[n - 1], found[n - 1] + len(words)

    def party(self, sentence: str, base: int, raw: object, what: str) -> Party | None:
        if not isinstance(raw, dict):
            self.fail(f"{what} must be an object with code, sector and text, got {raw!r}")
            return None
        code, sector, text = raw.get("code"), raw.get("sector"), raw.get("text")
        unknown = set(raw) - {"code", "sector", "text", "text_n"}
        if unknown:
            self.fail(f"{what} has unknown fields {sorted(unknown)}")
        if not isinstance(code, str) or code not in self.codes:
            self.fail(
                f"{what} code {code!r} is not ISO 3166 alpha-3 nor one of {sorted(NON_STATE)}"
            )
            return None
        if sector is not None and sector not in SECTORS:
            self.fail(f"{what} sector {sector!r} is not a PLOVER sector")
        span = None
        if text is not None:
            found = self.span(sentence, text, raw.get("text_n"), f"{what} text")
            span = (found[0] + base, found[1] + base) if found else None
        return Party(
            code,
            sector if isinstance(sector, str) else None,
            text if isinstance(text, str) else None,
            span,
        )

    def event(
        self, sentence: str, base: int, raw: object, published: dt.date
    ) -> CorpusEvent | None:
        if not isinstance(raw, dict):
            self.fail(f"an event must be an object, got {raw!r}")
            return None
        allowed = {
            "event",
            "mode",
            "trigger",
            "trigger_n",
            "actor",
            "recipient",
            "status",
            "claimed_by",
            "date",
            "context",
            "note",
        }
        if set(raw) - allowed:
            self.fail(f"event has unknown fields {sorted(set(raw) - allowed)}")
        try:
            kind = EventType(str(raw.get("event")))
        except ValueError:
            self.fail(f"event type {raw.get('event')!r} is not a PLOVER type")
            return None
        mode = raw.get("mode")
        if mode is not None and mode not in self.ontology.events[kind].modes:
            self.fail(f"mode {mode!r} is not a mode of {kind.value}")
            mode = None
        trigger = self.span(sentence, raw.get("trigger"), raw.get("trigger_n"), "trigger")
        if trigger and len(sentence[trigger[0] : trigger[1]].split()) > 4:
            self.fail(f"trigger {raw.get('trigger')!r} is longer than four words")
        actors = self.parties(sentence, base, raw.get("actor"), "actor")
        recipients = self.parties(sentence, base, raw.get("recipient"), "recipient")
        if not actors:
            self.fail("an event needs at least one actor")
        status = raw.get("status", "asserted")
        if status not in STATUSES:
            self.fail(f"status {status!r} is not one of {sorted(STATUSES)}")
        claimed = raw.get("claimed_by")
        if claimed is not None and claimed not in self.codes:
            self.fail(f"claimed_by {claimed!r} is not a country or organisation code")
        date = raw.get("date")
        self.date(sentence, date, published, status)
        if trigger is None or actors is None or recipients is None:
            return None
        return CorpusEvent(
            kind,
            mode,
            (trigger[0] + base, trigger[1] + base),
            actors,
            recipients,
            str(status),
            claimed if isinstance(claimed, str) else None,
            date if isinstance(date, str) else None,
        )

    def parties(self, sentence: str, base: int, raw: object, what: str) -> tuple[Party, ...] | None:
        if not isinstance(raw, list):
            self.fail(f"{what} must be a list, got {raw!r}")
            return None
        found = [self.party(sentence, base, item, what) for item in raw]
        return tuple(p for p in found if p is not None)

    def date(self, sentence: str, date: object, published: dt.date, status: object) -> None:
        if date is None:
            return
        if not isinstance(date, str) or not _DATE.match(date):
            self.fail(f"date {date!r} is not YYYY-MM-DD, YYYY-MM or YYYY")
            return
        try:
            value = dt.date.fromisoformat(date) if len(date) == 10 else None
        except ValueError:
            self.fail(f"date {date!r} does not exist")
            return
        year = int(date[:4])
        if not 2000 <= year <= 2027:
            self.fail(f"date {date!r} is outside the news period (history is not coded)")
        if value is None:
            return
        if status != "planned" and value > published:
            self.fail(f"date {date} is after publication {published} but the event is not planned")
        lowered = sentence.lower()
        named = [i for i, day in enumerate(WEEKDAYS) if re.search(rf"\b{day}\b", lowered)]
        if len(named) == 1 and value.weekday() != named[0] and (published - value).days < 8:
            self.fail(
                f"date {date} is a {WEEKDAYS[value.weekday()]}, the sentence says "
                f"{WEEKDAYS[named[0]]}"
            )


def _published(check: _Checker, raw: object) -> dt.date:
    try:
        value = dt.date.fromisoformat(str(raw))
    except ValueError:
        check.fail(f"published {raw!r} is not YYYY-MM-DD")
        return FIRST
    if not FIRST <= value <= LAST:
        check.fail(f"published {value} is outside {FIRST} … {LAST}")
    return value


def parse_document(
    raw: dict[str, Any], where: str, codes: frozenset[str], ontology: Ontology
) -> tuple[CorpusDocument | None, list[str]]:
    """One record as a document with offsets, and its problems (empty when it is valid)."""
    check = _Checker(where, codes, ontology)
    for key in ("id", "register", "region", "published", "title", "paragraphs"):
        if key not in raw:
            check.fail(f"missing field {key!r}")
    if check.problems:
        return None, check.problems
    if raw["register"] not in REGISTERS:
        check.fail(f"register {raw['register']!r} is not one of {sorted(REGISTERS)}")
    if raw["region"] not in REGIONS:
        check.fail(f"region {raw['region']!r} is not one of {sorted(REGIONS)}")
    published = _published(check, raw["published"])
    title = raw["title"]
    paragraphs = raw["paragraphs"]
    if not isinstance(title, str) or not isinstance(paragraphs, list) or not paragraphs:
        check.fail("title must be a string and paragraphs a non-empty list")
        return None, check.problems
    units: list[list[dict[str, Any]]] = [[{"text": title, "events": raw.get("title_events", [])}]]
    units += paragraphs
    text_parts: list[str] = []
    sentences: list[CorpusSentence] = []
    offset = 0
    for number, paragraph in enumerate(units):
        if not isinstance(paragraph, list) or not paragraph:
            check.fail(f"paragraph {number} must be a non-empty list of sentences")
            continue
        if number:
            text_parts.append("\n\n")
            offset += 2
        for i, item in enumerate(paragraph):
            sentence = item.get("text") if isinstance(item, dict) else None
            if (
                not isinstance(sentence, str)
                or not sentence.strip()
                or sentence != sentence.strip()
            ):
                check.fail(f"paragraph {number}: a sentence must be trimmed text, got {item!r}")
                continue
            if "\n" in sentence:
                check.fail(f"sentence {sentence!r} holds a line break")
            if i:
                text_parts.append(" ")
                offset += 1
            raw_events = item.get("events")
            if not isinstance(raw_events, list):
                check.fail(f"sentence {sentence!r} needs an events list ([] for none)")
                raw_events = []
            events = [check.event(sentence, offset, e, published) for e in raw_events]
            sentences.append(
                CorpusSentence(
                    offset,
                    offset + len(sentence),
                    number,
                    tuple(e for e in events if e is not None),
                )
            )
            text_parts.append(sentence)
            offset += len(sentence)
    if check.problems:
        return None, check.problems
    doc = CorpusDocument(
        str(raw["id"]),
        str(raw["register"]),
        str(raw["region"]),
        published,
        "".join(text_parts),
        tuple(sentences),
        where,
    )
    return doc, []


def _lines(paths: Iterable[Path]) -> Iterator[tuple[str, str]]:
    for path in paths:
        with path.open(encoding="utf-8") as handle:
            for number, line in enumerate(handle, 1):
                if line.strip():
                    yield f"{path}:{number}", line


def is_corpus(path: Path) -> bool:
    """A folder of corpus files, or one file whose first record is a whole document."""
    if path.is_dir():
        return any(path.glob("*.jsonl"))
    if path.suffix != ".jsonl":
        return False
    try:
        with path.open(encoding="utf-8") as handle:
            first = handle.readline()
        return '"paragraphs"' in first
    except (OSError, UnicodeDecodeError):
        return False


def corpus_files(root: Path) -> list[Path]:
    if root.is_file():
        return [root]
    return sorted(root.glob("*.jsonl"))


def read_corpus(root: Path) -> tuple[list[CorpusDocument], list[str]]:
    """Every valid document under ``root`` and the problems of the others (and of duplicates)."""
    codes = _country_codes()
    ontology = load_ontology()  # once per corpus, not per record
    docs: list[CorpusDocument] = []
    problems: list[str] = []
    ids: dict[str, str] = {}
    seen: dict[str, str] = {}
    for where, line in _lines(corpus_files(root)):
        try:
            raw = json.loads(line)
        except json.JSONDecodeError as exc:
            problems.append(f"{where}: not JSON ({exc.msg} at column {exc.colno})")
            continue
        if not isinstance(raw, dict):
            problems.append(f"{where}: a record must be a JSON object")
            continue
        doc, found = parse_document(raw, where, codes, ontology)
        problems += found
        if doc is None:
            continue
        if doc.id in ids:
            problems.append(f"{where}: id {doc.id!r} already used at {ids[doc.id]}")
            continue
        ids[doc.id] = where
        duplicate = False
        for sentence in doc.sentences:
            key = _SPACE.sub(" ", doc.sentence_text(sentence).lower()).strip(" .")
            if len(key) > 40 and key in seen and seen[key] != doc.id:
                problems.append(f"{where}: sentence {key[:60]!r}… repeats one of {seen[key]}")
                duplicate = True
            seen.setdefault(key, doc.id)
        if not duplicate:
            docs.append(doc)
    return docs, problems


def stats(docs: list[CorpusDocument]) -> str:
    """The corpus make-up as text: documents, sentences, events by type, split, register, region."""
    sentences = [s for d in docs for s in d.sentences]
    empty = sum(1 for s in sentences if not s.events)
    events = [e for s in sentences for e in s.events]
    lines = [
        f"documents {len(docs)}, sentences {len(sentences)}, events {len(events)}",
        f"sentences without an event {empty} ({empty / max(1, len(sentences)):.1%})",
    ]

    def table(title: str, counts: Counter[str]) -> None:
        total = sum(counts.values()) or 1
        lines.append(f"\n{title}")
        lines.extend(f"  {k:<22} {v:>6}  {v / total:6.1%}" for k, v in counts.most_common())

    table("documents by split", Counter(d.split for d in docs))
    table("sentences by split", Counter(d.split for d in docs for _ in d.sentences))
    table("documents by register", Counter(d.register for d in docs))
    table("documents by region", Counter(d.region for d in docs))
    table("events by type", Counter(e.event.value for e in events))
    table("events by type/mode", Counter(f"{e.event.value}/{e.mode}" for e in events if e.mode))
    table("events by status", Counter(e.status for e in events))
    table(
        "events by date precision",
        Counter({10: "day", 7: "month", 4: "year"}.get(len(e.date or ""), "none") for e in events),
    )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 2 or args[0] not in ("validate", "stats"):
        print("usage: python -m detente.training.documents validate|stats CORPUS", file=sys.stderr)
        return 2
    root = Path(args[1])
    if not root.exists():
        print(f"error: {root} does not exist", file=sys.stderr)
        return 2
    try:
        docs, problems = read_corpus(root)
    except (OSError, UnicodeDecodeError, DataFileError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    for problem in problems:
        print(problem, file=sys.stderr)
    if args[0] == "stats":
        print(stats(docs))
    else:
        n = sum(len(d.sentences) for d in docs)
        print(f"{len(docs)} valid documents, {n} sentences; {len(problems)} problems")
    return 1 if problems else 0


if __name__ == "__main__":
    raise SystemExit(main())
