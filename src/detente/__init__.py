"""detente: watch tension between states.

The curated public API. Load the resources once, then extract events from texts or files, or
ingest them into the event store::

    import detente
    res = detente.load()
    events = detente.extract_text("On Monday Belarus moved troops to the border.", res,
                                  published=datetime.date(2024, 6, 24))
"""

from detente.api import IngestSummary, extract, extract_text, ingest
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
from detente.nlp.pipeline import Coded, Resources, code_document, load
from detente.read import read_inputs
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
from detente.store import Store, open_store

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
