"""The event store: SQLite by default, PostgreSQL for teams, same code."""

from detente.store.repository import Store, content_hash, default_url, open_store

__all__ = ["Store", "content_hash", "default_url", "open_store"]
