"""The curated public API is deliberate: adding or removing a name is a visible change."""

from __future__ import annotations

import detente

EXPECTED = {
    "ActorMention", "Coded", "ConfigError", "DataFileError", "DatePrecision", "DateValue",
    "DecodeError", "DetenteError", "Document", "EmptyInputError", "Entity", "Event", "EventType",
    "IngestSummary", "InputError", "InputTooLargeError", "Location", "Resources", "Sentence",
    "Status", "Store", "StoreError", "UnsupportedLanguageError", "__version__", "code_document",
    "event_json", "extract", "extract_text", "ingest", "load", "open_store", "read_inputs",
}  # fmt: skip


def test_exported_members_are_the_curated_surface() -> None:
    assert set(detente.__all__) == EXPECTED
    for name in detente.__all__:
        assert hasattr(detente, name)


def test_exported_members_errors_share_one_root() -> None:
    for name in ("ConfigError", "DataFileError", "InputError", "StoreError", "DecodeError"):
        assert issubclass(getattr(detente, name), detente.DetenteError)
