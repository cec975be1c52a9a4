"""Treaties read from the reports' sentences (detente.analysis.treaties), exits told in an
incident's own words whatever its type, and an exit from one named agreement that ends no other:
sentences of our own, by hand, then through the real coder and a real SQLite store."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from sqlalchemy import select

import detente
from detente.analysis.commitments import commitments, derive
from detente.analysis.data import Report, Said, incident_words, sentence_words
from detente.analysis.promises import load_table
from detente.analysis.treaties import Sentence as Told
from detente.analysis.treaties import Treaty, _countries, treaties_in
from detente.nlp.pipeline import Coded, Resources
from detente.records import (
    ActorMention,
    DateBasis,
    DateValue,
    Document,
    Entity,
    Event,
    EventType,
    ReferenceBasis,
    Sentence,
    Status,
)
from detente.store import Store
from detente.store.schema import incidents

TABLE = load_table()


def _read(dyad: tuple[str, str], *texts: str, published: str = "2025-05-01") -> list[Treaty]:
    day = dt.date.fromisoformat(published)
    document = [Told("h" * 64, n, t, day) for n, t in enumerate(texts)]
    return treaties_in(document, dyad, TABLE, _countries())


def _told(found: list[Treaty]) -> list[tuple[object, ...]]:
    return [
        (t.parties, t.name, t.date.iso(), [(e.party, e.date.iso()) for e in t.exits]) for t in found
    ]


@pytest.mark.parametrize(
    ("dyad", "texts", "expected"),
    [
        (  # the signatories in a relative clause, the exit in the next sentence ("the accord")
            ("CHL", "PER"),
            [
                "The patrols ended with the accord on fishing rights that Lima and Santiago "
                "signed in March 2009.",
                "Chile abandoned the accord in June 2021, its foreign ministry said.",
            ],
            [(("CHL", "PER"), "accord on fishing rights", "2009-03", [("CHL", "2021-06")])],
        ),
        (  # "signed by", and a pact denounced years later
            ("BOL", "PRY"),
            [
                "The pact on river navigation, signed by Paraguay and Bolivia in 1938, still "
                "governs the Pilcomayo.",
                "Bolivia denounced the pact in 2015.",
            ],
            [(("BOL", "PRY"), "pact on river navigation", "1938", [("BOL", "2015")])],
        ),
        (  # a proper name, a main clause, and an exit by name
            ("IND", "PAK"),
            [
                "India and Pakistan signed the Indus Waters Treaty in September 1960.",
                "New Delhi said India suspended the Indus Waters Treaty in April 2025.",
            ],
            [(("IND", "PAK"), "Indus Waters Treaty", "1960-09", [("IND", "2025-04")])],
        ),
        (  # "signed with", the treaty after the verb
            ("BLR", "UKR"),
            ["Ukraine signed with Belarus a treaty on the state border in May 1997."],
            [(("BLR", "UKR"), "treaty on the state border", "1997-05", [])],
        ),
        (  # "between" after the name word
            ("JPN", "KOR"),
            ["The accord between Japan and South Korea on fisheries was signed in 1998."],
            [(("JPN", "KOR"), "accord between Japan and South Korea on fisheries", "1998", [])],
        ),
        (  # still in force: no exit
            ("KEN", "TZA"),
            ["Kenya and Tanzania signed the memorandum on cross-border trade in May 2019."],
            [(("KEN", "TZA"), "memorandum on cross-border trade", "2019-05", [])],
        ),
    ],
)
def test_treaties_signing_and_exit_told_in_one_report(
    dyad: tuple[str, str], texts: list[str], expected: list[tuple[object, ...]]
) -> None:
    assert _told(_read(dyad, *texts)) == expected


@pytest.mark.parametrize(
    ("dyad", "texts"),
    [
        (  # a treaty of other states, named in passing
            ("BLR", "UKR"),
            [
                "Officials in Minsk recalled the pact that Poland and Lithuania signed in April 1994."
            ],
        ),
        (
            ("BLR", "UKR"),
            ["Minsk said the treaty on border security still bound Kyiv."],
        ),  # no signing
        (  # signed, but no date given
            ("ARM", "GEO"),
            ["Georgia and Armenia praised the treaty on friendship that they signed long ago."],
        ),
        (("ARM", "GEO"), ["Armenia signed the treaty on friendship in 1993."]),  # one side alone
        (  # the pair's talks are not the treaty another state signed
            ("ARM", "AZE"),
            [
                "Talks between Armenia and Azerbaijan resumed, and the treaty Georgia signed in "
                "1995 was cited."
            ],
        ),
    ],
)
def test_treaties_none_of_the_pair(dyad: tuple[str, str], texts: list[str]) -> None:
    assert _read(dyad, *texts) == []


@pytest.mark.parametrize(
    "exit_text",
    [
        "Ecuador abandoned the accord in June 2021.",  # a third state left
        "Chile threatened to leave the accord in June 2021.",  # a threat, not an exit
        "Chile abandoned the accord in 2005.",  # before the signing
        "Chile abandoned its claim to the islands in June 2021.",  # not the accord
    ],
)
def test_treaties_what_is_no_exit(exit_text: str) -> None:
    signed = "Lima and Santiago signed the accord on fishing rights in March 2009."
    (found,) = _read(("CHL", "PER"), signed, exit_text)
    assert found.exits == ()


# -- exits in the incidents' own words --------------------------------------------------------
def _incident(
    ident: str, day: str, event: str, actors: str, recipients: str = "", mode: str | None = None
) -> Report:
    return Report(ident, dt.date.fromisoformat(day), "day", event, mode, "asserted",
                  frozenset(actors.split(";")), frozenset(c for c in recipients.split(";") if c),
                  1, 0.0, 1, 1)  # fmt: skip


def _words(report: Report, trigger: str, text: str) -> Said:
    return Said(f"e-{report.incident_id}", report.incident_id, (report.incident_id, 0),
                report.event, report.mode, report.status, report.actors, None, trigger, text,
                True, report.date)  # fmt: skip


def _judge(promise_text: str, exit_event: str, trigger: str, exit_text: str) -> tuple[str, ...]:
    promise = _incident("p", "2025-04-04", "AGREE", "KOS;SRB")
    left = _incident("q", "2025-09-02", exit_event, "KOS", "SRB")
    (found,) = derive(("KOS", "SRB"), [promise, left], [_words(promise, "signed", promise_text)],
                      {"q": _words(left, trigger, exit_text)}, TABLE)  # fmt: skip
    return (found.status, (found.abandoned.party or "") if found.abandoned else "")


@pytest.mark.parametrize(
    ("event", "trigger", "text", "expected"),
    [
        (
            "CONCEDE",
            "withdrew",
            "Kosovo withdrew from the agreement with Serbia.",
            ("abandoned", "KOS"),
        ),
        ("PROTEST", "walked out", "Kosovo walked out of the deal.", ("abandoned", "KOS")),
        ("CONCEDE", "conceded", "Kosovo conceded a point of the agreement.", ("pending", "")),
        ("CONCEDE", "withdrew", "Kosovo withdrew its police from the border.", ("pending", "")),
    ],
)
def test_commitments_words_of_leaving_make_an_exit_whatever_the_type(
    event: str, trigger: str, text: str, expected: tuple[str, str]
) -> None:
    signed = "Serbia and Kosovo signed an agreement to reopen the crossing."
    assert _judge(signed, event, trigger, text) == expected


@pytest.mark.parametrize(
    ("text", "status"),
    [
        ("India suspended the Indus Waters Treaty.", "abandoned"),
        ("India left the Simla Agreement.", "pending"),  # another named agreement
        ("India left the agreement.", "abandoned"),  # names none: may be this one
    ],
)
def test_commitments_an_exit_from_another_named_agreement_ends_none(text: str, status: str) -> None:
    promise = _incident("p", "1960-09-19", "AGREE", "IND;PAK")
    left = _incident("q", "2025-04-23", "SANCTION", "IND", "PAK", mode="withdraw")
    promise_text = "India and Pakistan signed the Indus Waters Treaty."
    (found,) = derive(("IND", "PAK"), [promise, left], [_words(promise, "signed", promise_text)],
                      {"q": _words(left, text.split()[1], text)}, TABLE)  # fmt: skip
    assert found.name == "Indus Waters Treaty"
    assert found.status == status


# -- through the real coder ---------------------------------------------------------------------
STORIES: dict[str, list[dict[str, str]]] = {
    "left": [
        {
            "id": "a",
            "published": "2023-05-10",
            "text": "Peru and Chile agreed on Tuesday to resume joint patrols of their maritime "
            "border. The patrols had ended with the accord on fishing rights that Lima and "
            "Santiago signed in March 2009. Chile abandoned the accord in June 2021, its foreign "
            "ministry said at the time.",
        }
    ],
    "passing": [
        {
            "id": "a",
            "published": "2024-03-04",
            "text": "Belarus and Ukraine agreed on Monday to exchange prisoners. Officials recalled "
            "the pact that Poland and Lithuania signed in April 1994, which Lithuania later left "
            "in 2010.",
        }
    ],
    "later": [
        {
            "id": "a",
            "published": "2019-02-11",
            "text": "Moldova and Romania agreed on Monday to open a new bridge over the Prut. The "
            "bridge was planned in the memorandum on border crossings that Chisinau and "
            "Bucharest signed in May 2010.",
        },
        {
            "id": "b",
            "published": "2022-10-03",
            "text": "Moldova suspended the memorandum on border crossings with Romania on Monday, "
            "citing costs.",
        },
    ],
}


def _stored(tmp_path: Path, res: Resources, story: str) -> list[tuple[object, ...]]:
    path = tmp_path / "story.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in STORIES[story]))
    store = detente.open_store(f"sqlite:///{tmp_path / 'c.db'}")
    try:
        detente.ingest([str(path)], store, res)
        return [
            (c.dyad, c.name, c.date, c.status,
             (c.abandoned.party, c.abandoned.date) if c.abandoned else None)
            for c in commitments(store)
        ]  # fmt: skip
    finally:
        store.close()


@pytest.mark.slow
@pytest.mark.parametrize(
    ("story", "expected"),
    [
        (
            "left",  # the signing and the exit only told, in one report of a new agreement
            [
                (("CHL", "PER"), "accord on fishing rights", dt.date(2009, 3, 1), "abandoned",
                 ("CHL", dt.date(2021, 6, 1))),
                (("CHL", "PER"), None, dt.date(2023, 5, 9), "pending", None),
            ],
        ),
        (  # a treaty of Poland and Lithuania is none of Belarus and Ukraine's
            "passing",
            [(("BLR", "UKR"), None, dt.date(2024, 3, 4), "pending", None)],
        ),
        (
            # the exit coded in a later report (SANCTION discontinue), naming the memorandum:
            # it ends the memorandum and the unnamed agreement (an exit ends any commitment of
            # the pair but one named otherwise)
            "later",
            [
                (("MDA", "ROU"), "memorandum on border crossings", dt.date(2010, 5, 1),
                 "abandoned", ("MDA", dt.date(2022, 10, 3))),
                (("MDA", "ROU"), None, dt.date(2019, 2, 11), "abandoned",
                 ("MDA", dt.date(2022, 10, 3))),
            ],
        ),
    ],
)  # fmt: skip
def test_commitments_treaties_through_the_coder(
    tmp_path: Path, res: Resources, story: str, expected: list[tuple[object, ...]]
) -> None:
    assert _stored(tmp_path, res, story) == expected


# -- through the store, the events coded by hand ----------------------------------------------
def _coded(ident: str, day: str, texts: list[str], acts: list[tuple[int, str, str, str]]) -> Coded:
    """One document of ``texts`` (one sentence each) and its events by hand: (sentence, type,
    status, actors), dated by the text on the publication day."""
    published = dt.date.fromisoformat(day)
    text = " ".join(texts)
    starts = [sum(len(t) + 1 for t in texts[:n]) for n in range(len(texts))]
    sentences = tuple(
        Sentence(ident, n, a, a + len(t), t)
        for n, (a, t) in enumerate(zip(starts, texts, strict=True))
    )
    events = tuple(
        Event(
            doc_id=ident, sentence_index=n,
            actor=tuple(ActorMention(c, 0, 3, Entity(c, "GOV", c)) for c in actors.split(";")),
            recipient=(), event=EventType(event), mode=None, context=(), quad_code=1,
            intensity=1.0, status=Status(status), claimed_by=None, event_text="agreed",
            trigger_start=k, text=texts[n], start=starts[n], end=starts[n] + len(texts[n]),
            date=DateValue.from_date(published), date_basis=DateBasis.TEXT, confidence=0.9,
            published=published,
        )
        for k, (n, event, status, actors) in enumerate(acts)
    )  # fmt: skip
    doc = Document(id=ident, text=text, published=published, kind="jsonl")
    return Coded(doc, sentences, events, DateValue.from_date(published), ReferenceBasis.PUBLISHED)


def test_commitments_a_treaty_in_a_coded_promise_s_sentence_is_that_promise(db_url: str) -> None:
    store = detente.open_store(db_url)
    try:
        store.add_many(
            [
                _coded(
                    "a",
                    "2023-05-10",
                    [
                        "Lima and Santiago agreed on Tuesday to renew the accord on fishing rights "
                        "they signed in March 2009.",
                        "Chile abandoned the accord in June 2024, its foreign ministry said.",
                    ],
                    [(0, "AGREE", "asserted", "CHL;PER")],
                )
            ]
        )
        (found,) = commitments(store, ("CHL", "PER"))
        assert (found.name, found.date, found.incidents != ()) == (
            "accord on fishing rights", dt.date(2023, 5, 10), True,
        )  # fmt: skip
        assert found.status == "abandoned" and found.abandoned is not None
        assert (found.abandoned.party, found.abandoned.date, found.abandoned.act) == (
            "CHL", dt.date(2024, 6, 1), "SANCTION withdraw",
        )  # fmt: skip
        assert found.abandoned.incident_id.startswith("sentence:")
    finally:
        store.close()


def test_commitments_events_beside_a_promise_are_read_only_from_crowded_sentences(
    db_url: str,
) -> None:
    store = detente.open_store(db_url)
    try:
        store.add_many(
            [
                _coded(
                    "a",
                    "2024-07-13",
                    ["Both sides agreed to pull their troops back.", "They met in Minsk."],
                    [
                        (0, "AGREE", "asserted", "BLR;UKR"),
                        (0, "CONSULT", "asserted", "BLR;UKR"),
                        (1, "CONSULT", "asserted", "BLR;UKR"),
                    ],
                )
            ]
        )
        (promise,) = [s for s in all_words(store) if s.event == "AGREE"]
        beside = sentence_words(store, [promise.sentence], [promise])
        assert [(s.event, s.sentence[1]) for s in beside] == [("CONSULT", 0)]
        alone = [s for s in all_words(store) if s.sentence[1] == 1]
        assert sentence_words(store, [alone[0].sentence], alone) == []
    finally:
        store.close()


def all_words(store: Store) -> list[Said]:
    with store.engine.connect() as conn:
        ids = [r.incident_id for r in conn.execute(select(incidents.c.id.label("incident_id")))]
    return incident_words(store, ids, lead_only=False)
