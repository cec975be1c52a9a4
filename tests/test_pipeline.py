"""The rule-based coder (``--rules-only``) on hand-written sentences, with the real spaCy
pipeline: the lexicon's rules and PLOVER's conventions as rules. The learned coder, the default,
is tested in test_learned.py."""

from __future__ import annotations

import datetime as dt

import pytest

from detente import Document, code_document, extract_text
from detente.nlp.pipeline import Resources
from detente.records import ReferenceBasis
from tests.helpers import find

pytestmark = pytest.mark.slow
PUB = dt.date(2024, 6, 26)  # a Wednesday


@pytest.fixture(scope="module")
def res(rules_res: Resources) -> Resources:
    return rules_res


def test_pipeline_reported_speech_gives_claim_and_accusation(res: Resources) -> None:
    events = extract_text(
        "Belarus said on Monday that Ukraine had amassed troops near the border.",
        res,
        published=PUB,
    )
    assert find(
        events, "MOBILIZE", actor="UKR", claimed_by="BLR", status="alleged", date="2024-06-24"
    )
    assert find(events, "ACCUSE", actor="BLR", recipient="UKR", status="asserted")


def test_pipeline_self_report_is_asserted(res: Resources) -> None:
    text = "Lukashenko said Minsk had moved Iskander missile systems closer to the southern border."
    (event,) = find(extract_text(text, res, published=PUB), "MOBILIZE", actor="BLR")
    assert event["status"] == "asserted" and event["mode"] == "weapons"
    assert event["claimed_by"]["code"] == "BLR"


@pytest.mark.parametrize(
    ("text", "event", "status"),
    [
        ("Belarus did not withdraw its troops from the border with Ukraine.", "RETREAT", "negated"),
        ("Ukraine denied that it had moved troops to the Belarusian border.", "MOBILIZE", "denied"),
        ("If Russia attacks Lithuania, NATO will respond.", "ASSAULT", "hypothetical"),
        ("Poland will close its border with Belarus next week.", "COERCE", "planned"),
        ("Minsk agreed to withdraw its troops from the border with Ukraine.", "CONCEDE", "planned"),
        (
            "Russia reportedly deployed drones into Ukraine through Belarusian airspace.",
            "ASSAULT",
            "alleged",
        ),
    ],
)
def test_pipeline_status(res: Resources, text: str, event: str, status: str) -> None:
    found = find(extract_text(text, res, published=PUB), event)
    assert found and found[0]["status"] == status, found


def test_pipeline_not_only_is_no_negation(res: Resources) -> None:
    text = "Belarus not only sent extra troops to the border with Ukraine but also summoned the Ukrainian envoy."
    events = extract_text(text, res, published=PUB)
    assert find(events, "MOBILIZE", actor="BLR", recipient="UKR", status="asserted")
    assert find(events, "ACCUSE", actor="BLR", recipient="UKR", status="asserted")


def test_pipeline_co_actors_and_border_recipient(res: Resources) -> None:
    text = "Belarusian and Russian forces moved tanks to the Polish border on Tuesday."
    (event,) = find(extract_text(text, res, published=PUB), "MOBILIZE")
    assert {a["code"] for a in event["actor"]} == {"BLR", "RUS"}
    assert {r["code"] for r in event["recipient"]} == {"POL"}
    assert event["date"] == "2024-06-25"


def test_pipeline_metonyms_and_misspelt_names(res: Resources) -> None:
    events = extract_text("Moscow accused Kyiv of shelling the plant.", res, published=PUB)
    assert find(events, "ACCUSE", actor="RUS", recipient="UKR")
    events = extract_text(
        "Lukashneko ordered the withdrawal of troops from the border with Ukraine.",
        res,
        published=PUB,
    )
    (event,) = find(events, "RETREAT", actor="BLR", recipient="UKR")
    assert event["actor"][0]["name"] == "Alexander Lukashenko"


def test_pipeline_role_on_the_event_date(res: Resources) -> None:
    text = "Foreign Minister Ryzhenkov met his Chinese counterpart Wang Yi in Beijing on 4 July."
    (event,) = find(extract_text(text, res, published=dt.date(2024, 7, 5)), "CONSULT", actor="BLR")
    assert event["actor"][0]["role"] == "Minister of Foreign Affairs of Belarus"
    assert event["location"]["name"] == "Beijing" and event["location"]["country"] == "CHN"


def test_pipeline_opinion_is_not_an_event(res: Resources) -> None:
    text = "The situation on the border remains tense, and many analysts expect little change."
    assert extract_text(text, res, published=PUB) == []


def test_pipeline_no_year_is_invented(res: Resources) -> None:
    doc = Document(
        id="x", text="On July 13, Belarus withdrew its troops from the border with Ukraine."
    )
    coded = code_document(doc, res)
    assert coded.reference is None and coded.reference_basis == ReferenceBasis.NONE
    (event,) = find(coded.events, "RETREAT", actor="BLR")
    assert event["date"] is None and event["date_precision"] == "unknown"


def test_pipeline_reference_inferred_from_text_is_marked(res: Resources) -> None:
    text = (
        "Talks began in March 2023.\n\nOn July 13, Belarus withdrew its troops from the border "
        "with Ukraine."
    )
    coded = code_document(Document(id="y", text=text), res)
    assert coded.reference_basis == ReferenceBasis.INFERRED
    assert find(coded.events, "RETREAT", actor="BLR", date="2023-07-13")


def test_pipeline_offsets_slice_the_document(res: Resources) -> None:
    text = "## Title line here for a test\n\n*Minsk* [accused](#) Kyiv of massing troops.\n\nMore."
    coded = code_document(Document(id="z", text=text, published=PUB), res)
    for sentence in coded.sentences:
        assert text[sentence.start : sentence.end] == sentence.text
    for event in coded.events:
        assert text[event.start : event.end] == event.text
    assert find(coded.events, "ACCUSE", actor="BLR", recipient="UKR")


@pytest.mark.parametrize(
    ("text", "event", "mode", "actor", "recipient"),
    [
        # PLOVER's conventions (manual: AGREE, REJECT, THREATEN, MOBILIZE)
        ("Poland will send humanitarian aid to Moldova, the government said.", "AGREE", None, "POL", "MDA"),
        ("Minsk refused to withdraw its troops from the border with Ukraine.", "REJECT", "yield", "BLR", "UKR"),
        ("Warsaw said it would not provide support to Minsk.", "REJECT", "assist", "POL", "BLR"),
        ("Russia wants to attack Lithuania, the report said.", "THREATEN", "violence", "RUS", "LTU"),
        ("Georgian protesters blocked the main road to the parliament.", "PROTEST", "obstruct", "GEO", "GEO"),
        ("Ukraine said Belarus must withdraw its troops from the border.", "REQUEST", "yield", "UKR", "BLR"),
        ("Estonia issued an ultimatum to Russia over the detained officer.", "THREATEN", None, "EST", "RUS"),
        # recipients no rule slot names
        ("Lithuania offered to hand over to Poland two suspects in the case.", "AGREE", None, "LTU", "POL"),
        ("Latvian police dispersed demonstrators in central Riga.", "ASSAULT", "crowd-control", "LVA", "LVA"),
        ("Lithuania complained to the OSCE over Belarusian drone flights.", "ACCUSE", "disapprove", "LTU", "BLR"),
        ("Malian rebels rejected an appeal from the president to lay down their arms.", "REJECT", None, "MLI", "MLI"),
        ("Tajikistan turned down a proposal from Kyrgyzstn on the water dispute.", "REJECT", None, "TJK", "KGZ"),
        ("Latvia backed a NATO proposal on air policing.", "SUPPORT", None, "LVA", "IGO"),
        ("Turkey reinforced its troops in Syria on Monday.", "MOBILIZE", "troops", "TUR", "SYR"),
        ("Lithuanian positions were shelled by Belarusian artillery overnight.", "ASSAULT", None, "BLR", "LTU"),
        ("Poland demanded that its European Union partners close the border with Belarus.", "REQUEST", None, "POL", "EUR"),
        ("The OSCE reiterated its demand today that Russia free the detained monitors.", "REQUEST", None, "IGO", "RUS"),
        ("Estonia is pushing hard for Finland to close its eastern border.", "REQUEST", None, "EST", "FIN"),
        ("Georgia agreed to lift restrictions on imports to Armenia and Azerbaijan.", "AGREE", None, "GEO", "AZE"),
        ("Moldovan police opened fire to disperse separatist protesters, arresting nine.", "COERCE", "arrest", "MDA", "MDA"),
        ("Russia launched an air strike against a depot near Kharkiv in Ukraine.", "ASSAULT", None, "RUS", "UKR"),
        ("Latvian activists staged a protest in Minsk on Friday.", "PROTEST", None, "LVA", "BLR"),
        ("Serbian troops killed two ethnic Albanians in a clash in southern Serbia.", "ASSAULT", None, "SRB", "SRB"),
        ("Poland presented evidence against Belarus at the meeting.", "ACCUSE", "allege", "POL", "BLR"),
        # who an actor is
        ("Ethnic Hungarians in western Ukraine demanded more schools in their language.", "REQUEST", None, "UKR", None),
        ("The US commander in Poland held talks with the Lithuanian defence minister.", "CONSULT", None, "USA", "LTU"),
    ],
)  # fmt: skip
def test_pipeline_conventions_and_recipients(
    res: Resources, text: str, event: str, mode: str | None, actor: str, recipient: str | None
) -> None:
    found = find(extract_text(text, res, published=PUB), event, actor=actor)
    assert found, extract_text(text, res, published=PUB)
    assert found[0]["mode"] == mode or mode is None
    assert {a["code"] for a in found[0]["actor"]} == {actor}
    if recipient is not None:
        assert recipient in {r["code"] for r in found[0]["recipient"]}, found[0]["recipient"]


def test_pipeline_sponsor_and_border_are_not_parties(res: Resources) -> None:
    text = "Azerbaijani troops captured a rebel stronghold on the Iranian border after clashes."
    (event,) = find(extract_text(text, res, published=PUB), "COERCE", actor="AZE")
    assert "IRN" not in {r["code"] for r in event["recipient"]}
    text = "Hezbollah declared a ceasefire after battles with the Syrian-backed Amal militia."
    for coded in extract_text(text, res, published=PUB):
        assert "SYR" not in {m.entity.code for m in coded.recipient}


def test_pipeline_the_topic_of_a_reaction_is_no_event(res: Resources) -> None:
    coded = extract_text(
        "Riga condemned the Polish decision to expel its diplomats.", res, published=PUB
    )
    assert [e.event.value for e in coded] == ["ACCUSE"]
    text = "Romania warned of a military response if Hungarian aircraft entered its airspace again."
    assert [e.event.value for e in extract_text(text, res, published=PUB)] == ["THREATEN"]


def test_pipeline_what_is_discussed_is_no_counterpart(res: Resources) -> None:
    text = "Poland and Lithuania discussed efforts to counter Russian sabotage on Monday."
    (event,) = find(extract_text(text, res, published=PUB), "CONSULT")
    assert {a["code"] for a in event["actor"]} == {"POL", "LTU"}
    assert "RUS" not in {r["code"] for r in event["recipient"]}


def test_pipeline_a_run_on_sentence_is_cut_and_said_to_be(res: Resources) -> None:
    from detente.nlp.model import MAX_SENTENCE_TOKENS

    clause = "Belarus moved troops to the border and Ukraine called the drills a threat"
    text = " ".join([clause] * 80)  # about 1,100 words and no stop: one "sentence" to a splitter
    coded = code_document(Document(id="r", text=text, published=dt.date(2024, 7, 1)), res)
    assert len(coded.sentences) > 1 and coded.dropped["sentence-cut"] == len(coded.sentences) - 1
    assert all(len(s.text.split()) <= MAX_SENTENCE_TOKENS for s in coded.sentences)
    # cut where the text allows (before "and"), never inside a word
    assert all(s.text.split()[0] in ("Belarus", "and") for s in coded.sentences)
    assert find(coded.events, "MOBILIZE", actor="BLR")
