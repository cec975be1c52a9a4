"""The event store schema (SQLAlchemy Core). Alembic migrations in ``migrations/`` create it;
``tests/test_store.py`` checks the two agree.

documents        one row per revision of a document, keyed by the hash of its normalised text
sentences        sentence offsets of each stored document
events           coded events; ``superseded`` once a newer revision of their document arrives
event_actors     actor, recipient and claimant codes of each event (for dyad queries)
incidents        one happening, however many reports: merged events with their best date
incident_sources the documents that report an incident
incident_dyads   the country pairs an incident concerns (for fast dyad analytics)
dyad_days        each undirected pair's incidents by first day: counts, weighted hostility and
                 cooperation, kept up to date at each write (``store/summary.py``)
dyad_type_days   the same by PLOVER type and quad class (the pair's tension series reads it)
dyad_totals      dyad_days summed over all days, one row a pair (``detente dyads`` reads it)
dyad_moves       incident_dyads with its incident's figures, stored by undirected pair and day
                 (a pair's reciprocity reads ranges of it, ``store/moves.py``)
dyad_move_days   each pair's incidents by first day and type: how many each side made (the
                 moves reciprocity matches) and how many both made together
alerts_fired     alerts already reported, so each fires once
source_state     each watched source: its last fetch and success, validators, failures, lease
source_items     what each source has published (one row per item seen) and the document it gave
alert_outbox     every alert the watcher raised, with its JSON, until delivered on each channel
alert_deliveries per alert and channel: sending, delivered or failed (attempts, last error)
reviews          analysts' corrections of events and incidents (who, when, before, after, why)
api_tokens       the tokens of ``detente serve``: their names, scopes and hashes (never the token)
"""

from __future__ import annotations

from sqlalchemy import (
    Boolean,
    Column,
    Date,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
)

metadata = MetaData()

documents = Table(
    "documents",
    metadata,
    Column("content_hash", String(64), primary_key=True),  # hash of the normalised text
    Column("doc_id", String(512), nullable=False),  # the id events carry (record id or hash)
    Column("doc_key", String(1024), nullable=False),  # the page's identity: url, record id or path
    Column("revision", Integer, nullable=False),
    Column("latest", Boolean, nullable=False),
    Column("path", Text),
    Column("source", Text),
    Column("title", Text),
    Column("url", Text),
    Column("published", Date),
    Column("language", String(16)),
    Column("kind", String(32), nullable=False),
    Column("reference_date", String(10)),
    Column("reference_basis", String(16), nullable=False),
    Column("text", Text, nullable=False),
    Column("ingested_at", String(32), nullable=False),
    Index("ix_documents_doc_key", "doc_key"),
    Index("ix_documents_doc_id", "doc_id"),
)

sentences = Table(
    "sentences",
    metadata,
    Column(
        "content_hash",
        String(64),
        ForeignKey("documents.content_hash", ondelete="CASCADE"),
        primary_key=True,
    ),
    Column("idx", Integer, primary_key=True),
    Column("start", Integer, nullable=False),
    Column("end", Integer, nullable=False),
    Column("paragraph", Integer, nullable=False),
)

incidents = Table(
    "incidents",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("event", String(16), nullable=False),
    Column("mode", String(32)),
    Column("actor_codes", String(128), nullable=False),
    Column("recipient_codes", String(128), nullable=False),
    Column("date", String(10)),
    Column("date_start", Date),
    Column("date_precision", String(8), nullable=False),
    Column("status", String(16), nullable=False),
    Column("intensity", Float, nullable=False),
    Column("quad_code", Integer, nullable=False),
    Column("n_events", Integer, nullable=False),
    Column("n_documents", Integer, nullable=False),
    Column("n_sources", Integer, nullable=False),  # independent sources (outlets)
    Column("first_reported", Date),
    Column("last_reported", Date),
    Column("lead_event_id", String(32), nullable=False),
    Index("ix_incidents_key", "event", "actor_codes", "recipient_codes"),
    Index("ix_incidents_date", "date_start"),
)

events = Table(
    "events",
    metadata,
    Column("id", String(32), primary_key=True),
    Column(
        "content_hash",
        String(64),
        ForeignKey("documents.content_hash", ondelete="CASCADE"),
        nullable=False,
    ),
    Column("doc_id", String(512), nullable=False),
    Column("sentence_idx", Integer, nullable=False),
    Column("event", String(16), nullable=False),
    Column("mode", String(32)),
    Column("quad_code", Integer, nullable=False),
    Column("intensity", Float, nullable=False),
    Column("status", String(16), nullable=False),
    Column("date", String(10)),
    Column("date_start", Date),  # first day of the date, for ranges and sorting
    Column("date_precision", String(8), nullable=False),
    Column("actor_codes", String(128), nullable=False),  # sorted, ";"-joined
    Column("recipient_codes", String(128), nullable=False),
    Column("confidence", Float, nullable=False),
    Column("trigger", String(16), nullable=False),  # stem of the trigger word, for wording
    Column("superseded", Boolean, nullable=False),
    Column("incident_id", String(32), ForeignKey("incidents.id", ondelete="SET NULL")),
    Column("payload", Text, nullable=False),  # the full event JSON
    Index("ix_events_date", "date_start"),
    Index("ix_events_type", "event"),
    Index("ix_events_sentence", "content_hash", "sentence_idx"),
    Index("ix_events_incident", "incident_id"),
    Index("ix_events_key", "event", "actor_codes", "recipient_codes"),
)

event_actors = Table(
    "event_actors",
    metadata,
    Column("event_id", String(32), ForeignKey("events.id", ondelete="CASCADE"), primary_key=True),
    Column("role", String(12), primary_key=True),  # actor | recipient | claimed_by
    Column("position", Integer, primary_key=True),
    Column("code", String(8), nullable=False),
    Column("sector", String(8)),
    Column("entity_id", String(128)),
    Index("ix_event_actors_code", "code", "role"),
)

incident_sources = Table(
    "incident_sources",
    metadata,
    Column(
        "incident_id", String(32), ForeignKey("incidents.id", ondelete="CASCADE"), primary_key=True
    ),
    Column(
        "content_hash",
        String(64),
        ForeignKey("documents.content_hash", ondelete="CASCADE"),
        primary_key=True,
    ),
    Column("source_key", String(512), nullable=False),  # outlet: source name, URL host or doc id
)

incident_dyads = Table(
    "incident_dyads",
    metadata,
    Column(
        "incident_id", String(32), ForeignKey("incidents.id", ondelete="CASCADE"), primary_key=True
    ),
    Column("source", String(8), primary_key=True),  # the acting side
    Column("target", String(8), primary_key=True),  # the side acted on, or a co-actor
    Column("joint", Boolean, nullable=False),  # both act together (no recipient between them)
    Column("date_start", Date),
    Index("ix_incident_dyads_pair", "source", "target", "date_start"),
)

dyad_days = Table(
    "dyad_days",
    metadata,
    Column("lo", String(8), primary_key=True),  # the pair, its codes in order
    Column("hi", String(8), primary_key=True),
    Column("day", Date, primary_key=True),  # the incidents' first day
    Column("date_precision", String(8), primary_key=True),
    Column("incidents", Integer, nullable=False),
    Column("events", Integer, nullable=False),
    Column("hostility", Float, nullable=False),  # weighted as analysis.series weighs incidents
    Column("cooperation", Float, nullable=False),
    Index("ix_dyad_days_day", "day"),
)

dyad_type_days = Table(
    "dyad_type_days",
    metadata,
    Column("lo", String(8), primary_key=True),  # as dyad_days, by PLOVER type as well
    Column("hi", String(8), primary_key=True),
    Column("day", Date, primary_key=True),
    Column("date_precision", String(8), primary_key=True),
    Column("event", String(16), primary_key=True),
    Column("quad_code", Integer, primary_key=True),
    Column("incidents", Integer, nullable=False),
    Column("events", Integer, nullable=False),
    Column("hostility", Float, nullable=False),
    Column("cooperation", Float, nullable=False),
)

dyad_totals = Table(
    "dyad_totals",
    metadata,
    Column("lo", String(8), primary_key=True),  # dyad_days summed over every day of a pair
    Column("hi", String(8), primary_key=True),
    Column("incidents", Integer, nullable=False),
    Column("events", Integer, nullable=False),
    Column("hostility", Float, nullable=False),
    Column("cooperation", Float, nullable=False),
    Column("first", Date, nullable=False),
    Column("last", Date, nullable=False),
)

dyad_moves = Table(
    "dyad_moves",
    metadata,
    Column("lo", String(8), primary_key=True),  # the pair, its codes in order
    Column("hi", String(8), primary_key=True),
    Column("date_start", Date, primary_key=True),  # the incident's first day
    Column("incident_id", String(32), primary_key=True),
    Column("source", String(8), primary_key=True),  # as incident_dyads
    Column("target", String(8), primary_key=True),
    Column("joint", Boolean, nullable=False),
    Column("event", String(16), nullable=False),  # the incident's, as incidents
    Column("mode", String(32)),
    Column("date_precision", String(8), nullable=False),
    Column("quad_code", Integer, nullable=False),
    Column("intensity", Float, nullable=False),
    Column("status", String(16), nullable=False),
    Column("n_events", Integer, nullable=False),
    Column("n_sources", Integer, nullable=False),
    Index("ix_dyad_moves_incident", "incident_id"),
    sqlite_with_rowid=False,  # SQLite keeps the rows in key order: a pair's days are adjacent
)

dyad_move_days = Table(
    "dyad_move_days",
    metadata,
    Column("lo", String(8), primary_key=True),  # the pair, its codes in order
    Column("hi", String(8), primary_key=True),
    Column("day", Date, primary_key=True),  # the incidents' first day
    Column("event", String(16), primary_key=True),
    Column("by_lo", Integer, nullable=False),  # incidents whose mover is lo (as dyad_points)
    Column("by_hi", Integer, nullable=False),
    Column("joint", Integer, nullable=False),  # incidents of both sides together only
)

alerts_fired = Table(
    "alerts_fired",
    metadata,
    Column("rule", String(256), primary_key=True),
    Column("key", String(256), primary_key=True),  # what fired: a date, an incident id
    Column("fired_at", String(32), nullable=False),
)

source_state = Table(
    "source_state",
    metadata,
    Column("name", String(256), primary_key=True),
    Column("url", Text, nullable=False),
    Column("kind", String(8), nullable=False),
    Column("last_fetch", String(32)),  # ISO timestamps in UTC
    Column("last_success", String(32)),
    Column("last_error", Text),
    Column("failures", Integer, nullable=False),  # consecutive
    Column("next_due", String(32)),
    Column("etag", Text),
    Column("last_modified", String(64)),
    Column("items_seen", Integer, nullable=False),
    Column("lease_owner", String(256)),  # the watcher polling it now, until lease_until
    Column("lease_until", String(32)),
)

source_items = Table(
    "source_items",
    metadata,
    Column("source", String(256), primary_key=True),
    Column("item_key", String(64), primary_key=True),  # hash of the item's id and content
    Column("url", Text),
    Column("content_hash", String(64)),  # the stored document, or null (skipped, with note)
    Column("note", Text),
    Column("seen_at", String(32), nullable=False),
    Index("ix_source_items_seen", "source", "seen_at"),
)

alert_outbox = Table(
    "alert_outbox",
    metadata,
    Column("rule", String(256), primary_key=True),
    Column("key", String(256), primary_key=True),
    Column("payload", Text, nullable=False),  # the alert's JSON as delivered
    Column("created_at", String(32), nullable=False),
)

alert_deliveries = Table(
    "alert_deliveries",
    metadata,
    Column("rule", String(256), primary_key=True),
    Column("key", String(256), primary_key=True),
    Column("channel", String(32), primary_key=True),
    Column("delivered_at", String(32)),  # null until delivered
    Column("attempts", Integer, nullable=False),
    Column("last_error", Text),
    # sending (claimed: an attempt under way, or cut short by a kill) | delivered | failed
    Column("status", String(16), nullable=False, server_default="failed"),
    Column("lease_owner", String(256)),  # the watcher sending it, while sending
    Column("lease_until", String(32)),
)

api_tokens = Table(
    "api_tokens",
    metadata,
    Column("name", String(128), primary_key=True),
    Column("scope", String(16), nullable=False),  # read | review | ingest
    Column("token_hash", String(64), nullable=False, unique=True),  # SHA-256 of the token
    Column("created_at", String(32), nullable=False),
)

reviews = Table(
    "reviews",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("action", String(8), nullable=False),  # wrong | change | merge | split
    Column("target", String(32), nullable=False),  # the event or incident reviewed
    # what finds the reviewed events again in any revision: hashes of page, sentence and trigger
    Column("anchors", Text, nullable=False),  # JSON list
    Column("before", Text, nullable=False),  # JSON: the values the reviewer saw
    Column("after", Text, nullable=False),  # JSON: the values the reviewer set
    Column("comment", Text, nullable=False),
    Column("reviewer", String(128), nullable=False),
    Column("created_at", String(32), nullable=False),
    Index("ix_reviews_target", "target"),
)
