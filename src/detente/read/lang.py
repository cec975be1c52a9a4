"""Language identification with py3langid (its model ships inside the package)."""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

import py3langid

SUPPORTED = frozenset({"en"})
_SAMPLE = 4000


@lru_cache(maxsize=1)
def _identifier() -> Any:
    return py3langid.langid.LanguageIdentifier.from_model_file(
        py3langid.langid.MODEL_FILE, norm_probs=True
    )


# Words that make up a good part of any English text and of few texts in other languages.
_FUNCTION_WORDS = frozenset(
    [
        "the",
        "of",
        "and",
        "to",
        "in",
        "a",
        "is",
        "was",
        "that",
        "for",
        "on",
        "with",
        "as",
        "by",
        "at",
        "from",
        "it",
        "its",
        "his",
        "her",
        "their",
        "has",
        "have",
        "had",
        "be",
        "been",
        "were",
        "are",
        "will",
        "would",
        "said",
        "says",
        "an",
        "this",
        "which",
        "who",
        "not",
        "but",
        "after",
        "over",
        "against",
    ]
)
_WORD = re.compile(r"[a-z]+")


def english_share(text: str) -> float:
    """The share of the first words of ``text`` that are English function words."""
    words = _WORD.findall(text[:_SAMPLE].lower())
    return sum(w in _FUNCTION_WORDS for w in words) / len(words) if words else 0.0


def detect(text: str) -> tuple[str, float]:
    """ISO 639-1 code and probability of the language of ``text``. Short texts fool a character
    model (an English sentence read as Nigerian Pidgin): a text in which English function words
    are frequent is English."""
    lang, prob = _identifier().classify(text[:_SAMPLE])
    if lang != "en" and english_share(text) >= 0.2:
        return "en", max(0.5, 1.0 - float(prob))
    return str(lang), float(prob)
