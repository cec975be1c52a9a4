"""detente: watch tension between states.

The curated public API. Load the resources once, then extract events from texts or files, or
ingest them into the event store::

    import detente
    res = detente.load()
    events = detente.extract_text("On Monday Belarus moved troops to the border.", res,
                                  published=datetime.date(2024, 6, 24))
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from detente.errors import (
    ConfigError,
    DataFileError,
    DecodeError,
    DetenteError,
    EmptyInputError,
    InputError,
    InputTooLargeError,
    StoreError,
    UnsupportedLanguageError,
)
from detente.records import (
    ActorMention,
    DatePrecision,
    DateValue,
    Document,
    Entity,
    Event,
    EventType,
    Location,
    Sentence,
    Status,
    event_json,
)

if TYPE_CHECKING:
    from detente.api import IngestSummary, extract, extract_text, ingest
    from detente.nlp.pipeline import Coded, Resources, code_document, load
    from detente.read import read_inputs
    from detente.store import Store, open_store

# Names whose modules load spaCy, the models or the store driver: imported on first use, so
# `import detente` (and `detente --help`) stays quick.
_LAZY = {
    "IngestSummary": "detente.api",
    "extract": "detente.api",
    "extract_text": "detente.api",
    "ingest": "detente.api",
    "Coded": "detente.nlp.pipeline",
    "Resources": "detente.nlp.pipeline",
    "code_document": "detente.nlp.pipeline",
    "load": "detente.nlp.pipeline",
    "read_inputs": "detente.read",
    "Store": "detente.store",
    "open_store": "detente.store",
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'detente' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


__version__ = "0.1.0"

__all__ = [
    "ActorMention",
    "Coded",
    "ConfigError",
    "DataFileError",
    "DatePrecision",
    "DateValue",
    "DecodeError",
    "DetenteError",
    "Document",
    "EmptyInputError",
    "Entity",
    "Event",
    "EventType",
    "IngestSummary",
    "InputError",
    "InputTooLargeError",
    "Location",
    "Resources",
    "Sentence",
    "Status",
    "Store",
    "StoreError",
    "UnsupportedLanguageError",
    "__version__",
    "code_document",
    "event_json",
    "extract",
    "extract_text",
    "ingest",
    "load",
    "open_store",
    "read_inputs",
]
