"""What the parse says of a word, for the coder's rules: subjects, objects, particles,
prepositions, passives, futures and refusals, and the word and event-type sets they use."""

from __future__ import annotations

from spacy.tokens import Token

from detente.nlp.attribution import (
    marks,
)
from detente.records import ActorMention, EventType, Status

# Verbs that make a nominal trigger ("ordered the withdrawal") an event of its own.
# Verbs whose subject carries out the nominal event they govern ("Minsk ordered the withdrawal").
# Reporting verbs (cite, observe, report) are not among them: their subject only tells of it.
LICENSING_VERBS = frozenset(
    {
        "announce",
        "order",
        "conduct",
        "carry",
        "complete",
        "begin",
        "start",
        "launch",
        "hold",
        "stage",
        "make",
        "take",
        "continue",
        "finish",
        "end",
        "coordinate",
        "implement",
        "perform",
        "undertake",
        "reiterate",
        "renew",
        "repeat",
        "issue",
        "deliver",
    }
)
HAPPEN_VERBS = frozenset(
    {
        "take",
        "begin",
        "start",
        "happen",
        "occur",
        "spark",
        "follow",
        "prompt",
        "continue",
        "trigger",
        "provoke",
        "cause",
    }
)
# Cooperation reported in the future tense is coded AGREE (PLOVER manual, AGREE).
PROMISABLE = frozenset({EventType.CONSULT, EventType.SUPPORT, EventType.COOPERATE, EventType.AID})
# Cooperation refused for the future ("will not withdraw") is coded REJECT, with its mode.
REFUSABLE = {EventType.SUPPORT: "assist", EventType.COOPERATE: "assist", EventType.AID: "assist",
             EventType.CONSULT: "meet", EventType.RETREAT: "yield",
             EventType.CONCEDE: "yield"}  # fmt: skip
UNREALISED = frozenset({Status.HYPOTHETICAL, Status.PLANNED, Status.NEGATED})
POSTURE = frozenset({EventType.MOBILIZE, EventType.RETREAT, EventType.COERCE, EventType.ASSAULT})


CHAINED = frozenset({"advcl", "xcomp", "conj"})
CLAUSES = frozenset({"advcl", "ccomp", "acl"})


PARTICLES = frozenset({"back", "out", "up", "down", "off", "away", "in"})


def particle_of(token: Token) -> str | None:
    for child in token.children:
        if child.dep_ == "prt" or (
            child.dep_ == "advmod" and child.lower_ in PARTICLES and child.i > token.i
        ):
            return child.lower_
    return None


def verb_in(token: Token, lemmas: frozenset[str]) -> bool:
    """The verb's lemma is one of these, also when the lemmatizer slips ("staged" → "stag")."""
    lower = token.lower_
    forms = {token.lemma_.lower(), lower, lower[:-1], lower[:-2], lower[:-3], lower[:-3] + "e"}
    return not forms.isdisjoint(lemmas)


REFUSING = frozenset({"refuse", "decline"})
TOPIC_VERBS = frozenset({"discuss", "debate", "review", "consider", "examine"})
ARMS = frozenset({"arm", "arms", "weapon", "ammunition", "munition", "weaponry"})
# What a speaker says another "must" do is a demand: the mode of the REQUEST by the demanded act
# (as for refusals, but an agreement or cooperation asked for is a change of policy).
OBLIGED_MODES = {**REFUSABLE, EventType.COOPERATE: "change", EventType.AGREE: "change"}


def obliged(token: Token) -> bool:
    return any(c.dep_ == "aux" and c.lower_ in ("must", "should") for c in token.children)


CROWDS = frozenset({"CVL", "OPP", "LAB", "EDU", "ETH", "AGR"})
NON_STATE = CROWDS | {"REB", "REF", "CRM", "PRM", "PTY"}
STATE = frozenset({"GOV", "MIL", "COP", "SPY", "JUD", "LEG"})
# Events that can be a domestic affair between a state and its own people or groups.
DOMESTIC = frozenset({EventType.PROTEST, EventType.REQUEST, EventType.COERCE, EventType.ASSAULT,
                      EventType.ACCUSE, EventType.THREATEN, EventType.REJECT})  # fmt: skip


def refused(token: Token, event: EventType) -> bool:
    """Whether the trigger is what someone refused ("refused to withdraw"), or an agreement or
    meeting that failed ("failed to reach agreement")."""
    if token.dep_ != "xcomp":
        return False
    lemma = token.head.lemma_.lower()
    return lemma in REFUSING or (lemma == "fail" and event in (EventType.AGREE, EventType.CONSULT))


def crowd(actors: list[ActorMention]) -> bool:
    """Actors that are people in the street: protesters, farmers, "young Algerians"."""
    return bool(actors) and all(
        m.entity.sector in CROWDS
        or (m.entity.sector is None and m.text[-1:] == "s" and m.text[:1].isupper()
            and m.entity.entity_id is None)
        for m in actors
    )  # fmt: skip


def preparing(token: Token) -> bool:
    """Whether a clause up the tree is a preparation ("prepared to resume shelling")."""
    current = token
    for _ in range(3):
        if current.head.i == current.i:
            return False
        current = current.head
        if current.lemma_.lower() in ("prepare", "ready", "gear", "poise"):
            return True
    return False


def future(token: Token) -> bool:
    return any(
        c.dep_ == "aux" and c.lower_ in ("will", "would", "'ll", "shall") for c in token.children
    )


def passive(token: Token) -> bool:
    return any(c.dep_ in ("auxpass", "nsubjpass") for c in token.children)


def direct_object(token: Token) -> Token | None:
    wanted = ("nsubjpass",) if passive(token) else ("dobj", "attr")
    for child in token.children:
        if child.dep_ in wanted:
            if child.lower_ in ("that", "which") and token.dep_ == "relcl":
                return token.head
            return child
    if token.dep_ == "relcl" and not passive(token) and token.head.pos_ in ("NOUN", "PROPN"):
        return token.head
    # "withdraw from the border their troops" rarely; "accused of X" has no object
    return None


def object_lemmas(obj: Token) -> set[str]:
    """Lemmas that describe an object: its head, compounds, conjuncts and "of"-phrases."""
    found: set[str] = set()
    stack = [obj]
    seen: set[int] = set()
    while stack:
        token = stack.pop()
        if token.i in seen:
            continue
        seen.add(token.i)
        lemma = token.lemma_.lower()
        found.add(lemma)
        found.add(token.lower_)
        for child in token.children:
            if child.dep_ in ("compound", "amod"):
                found.add(f"{child.lemma_.lower()} {lemma}")
                found.add(child.lemma_.lower())
            if child.dep_ == "conj":
                stack.append(child)
            if child.dep_ == "prep" and child.lower_ == "of":
                stack.extend(c for c in child.children if c.dep_ == "pobj")
            if child.dep_ == "prep" and child.lower_ == "including":
                stack.extend(c for c in child.children if c.dep_ == "pobj")
    return found


QUANTITY_NOUNS = frozenset(
    {
        "number",
        "numbers",
        "group",
        "formation",
        "unit",
        "column",
        "convoy",
        "contingent",
        "wave",
        "batch",
        "presence",
        "deployment",
    }
)


def core_lemmas(obj: Token) -> set[str]:
    """The object's own head nouns (and conjuncts), looking through "numbers of X"."""
    heads = [obj, *obj.conjuncts]
    out: set[str] = set()
    for head in heads:
        lemma = head.lemma_.lower()
        inner = [
            c
            for p in head.children
            if p.dep_ == "prep" and p.lower_ == "of"
            for c in p.children
            if c.dep_ == "pobj"
        ]
        if lemma in QUANTITY_NOUNS and inner:
            out |= {t.lemma_.lower() for t in (inner[0], *inner[0].conjuncts)}
        else:
            out.add(lemma)
    return out


def prep_objects(token: Token, word: str) -> list[Token]:
    out: list[Token] = []
    for child in token.children:
        if child.dep_ in ("prep", "agent", "dative") and child.lower_ == word:
            out.extend(c for c in child.children if c.dep_ == "pobj")
    return out


def complement_object(token: Token) -> Token | None:
    """The object of an infinitive complement: "threatened to review [the need for a mission]"."""
    for child in token.children:
        if child.dep_ == "xcomp":
            return direct_object(child)
    return None


SUBJECTS = ("nsubj", "nsubjpass", "csubj", "agent")


# "the Syrian-backed Amal militia": the country behind a group is not the party acted on.
SPONSORING = frozenset({"back", "sponsor", "support", "fund", "finance", "arm", "train", "inspire"})


def sponsor(token: Token) -> bool:
    return token.dep_ in ("npadvmod", "amod", "compound") and (
        token.head.lemma_.lower() in SPONSORING and token.head.tag_ == "VBN"
    )


BORDER_WORDS = frozenset({"border", "frontier", "boundary"})


def located_by_border(token: Token, event: EventType) -> frozenset[int]:
    """Words that only say where an act aimed at its object took place ("captured a stronghold
    on the Thai border"): the border and the countries that name it. A move of forces to a
    border faces the other side, so posture events keep them."""
    if event in (EventType.MOBILIZE, EventType.RETREAT) or direct_object(token) is None:
        return frozenset()
    out: set[int] = set()
    for t in token.subtree:
        if t.lemma_.lower() in BORDER_WORDS and t.dep_ == "pobj":
            out.add(t.i)
            out |= {c.i for c in t.children if c.dep_ in ("amod", "compound", "poss", "nmod")}
    return frozenset(out)


def described(trigger: Token) -> bool:
    """A participle that describes a noun ("inspectors probing suspect sites"): background to
    a statement, not what the statement claims."""
    return trigger.dep_ == "acl" and trigger.tag_ == "VBG"


def modifier_lemmas(noun: Token) -> set[str]:
    return {c.lemma_.lower() for c in noun.children if c.dep_ in ("compound", "amod", "nmod")}


def clause_subjects(token: Token) -> list[Token]:
    """Who a request is put to: the subject of its that-clause ("demanded that its partners
    refuse", "its demand that Israel ease", "reiterated its demand today that Israel ease")."""
    heads = [token]
    if token.pos_ == "NOUN" and token.dep_ == "dobj":
        heads.append(token.head)  # the clause often hangs on the verb that governs the noun
    out: list[Token] = []
    for head in heads:
        for clause in head.children:
            if clause.i > token.i and (
                clause.dep_ in ("ccomp", "acl")
                or (clause.dep_ == "advcl" and "for" in marks(clause))
            ):
                out += [c for c in clause.children if c.dep_ in ("nsubj", "nsubjpass")]
    return out


def speech_clause(token: Token, trigger: Token, speech: frozenset[str]) -> bool:
    """Whether a token sits in a reporting clause inside the trigger's subtree ("..., a
    newspaper said", "..., officials told AFP")."""
    current = token
    while current.i != trigger.i and current.head.i != current.i:
        if current.pos_ in ("VERB", "AUX") and current.lemma_.lower() in speech:
            return True
        current = current.head
    return False


def subject_tokens(token: Token) -> set[int]:
    """Positions of the words of a predicate's subjects (who acts is not its target)."""
    return {t.i for c in token.children if c.dep_ in SUBJECTS for t in c.subtree}


def subject_of(token: Token) -> Token | None:
    for child in token.children:
        if child.dep_ in ("nsubj", "csubj"):
            return child
    if passive(token):
        for obj in prep_objects(token, "by"):
            return obj
    return None
