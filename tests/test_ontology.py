from __future__ import annotations

import pytest

from detente.errors import DataFileError
from detente.ontology import load_lexicon, load_ontology
from detente.ontology.lexicon import parse_lexicon
from detente.records import EventType


def test_ontology_has_every_event_type_with_quad_and_score() -> None:
    onto = load_ontology()
    assert set(onto.events) == set(EventType)
    quads = {e: onto.spec(e).quad for e in EventType}
    assert quads[EventType.AGREE] == 1 and quads[EventType.RETREAT] == 2
    assert quads[EventType.ACCUSE] == 3 and quads[EventType.ASSAULT] == 4
    for event in EventType:
        assert -10 <= onto.intensity(event, None) <= 10


@pytest.mark.parametrize(
    ("event", "mode", "score"),
    [
        (EventType.MOBILIZE, "troops", -6.5),
        (EventType.RETREAT, "withdraw", 8.0),
        (EventType.ACCUSE, None, -3.0),
        (EventType.CONSULT, "visit", 4.0),
        (EventType.ASSAULT, "drone", -9.5),
    ],
)
def test_ontology_intensity_follows_plover_scores(
    event: EventType, mode: str | None, score: float
) -> None:
    assert load_ontology().intensity(event, mode) == score


def test_ontology_cameo_code_for_type_and_mode() -> None:
    onto = load_ontology()
    assert onto.cameo(EventType.MOBILIZE, "troops") == "154"
    assert onto.cameo(EventType.CONSULT, None) == "040"


def test_ontology_lexicon_loads_and_indexes_verbs_with_particles() -> None:
    lexicon = load_lexicon(load_ontology())
    rules = lexicon.verb_rules("pull", "back")
    assert rules and rules[0].event == EventType.RETREAT
    assert "say" in lexicon.claim_verbs and "deny" in lexicon.deny_verbs


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ({"rules": [{"verb": ["x"], "event": "FIGHT"}]}, "unknown 'event'"),
        ({"rules": [{"verb": ["x"], "event": "MOBILIZE", "mode": "tanks"}]}, "not a mode"),
        ({"rules": [{"verb": ["x"], "event": "ACCUSE", "context": ["gossip"]}]}, "unknown context"),
        ({"rules": [{"event": "ACCUSE"}]}, "needs 'verb' or 'noun'"),
        ({"rules": [{"verb": ["x"], "event": "ACCUSE", "object": ["@nothing"]}]}, "unknown class"),
    ],
)
def test_ontology_lexicon_rejects_bad_rules(raw: dict[str, object], message: str) -> None:
    with pytest.raises(DataFileError, match=message):
        parse_lexicon(raw, "test.yaml", load_ontology())
