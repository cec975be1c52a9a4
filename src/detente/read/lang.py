"""Language identification with py3langid (its model ships inside the package)."""

from __future__ import annotations

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


def detect(text: str) -> tuple[str, float]:
    """ISO 639-1 code and probability of the language of ``text``."""
    lang, prob = _identifier().classify(text[:_SAMPLE])
    return str(lang), float(prob)
