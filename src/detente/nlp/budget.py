"""The coding budget of one document: how much text it may hold and how long it may take.

Coding costs time and memory in proportion to a document's text (``make bench`` measures it at
10 KB, 100 KB and 1 MB), so two limits keep one document from holding up a batch:

- ``max_chars``: a document whose text is longer is refused before any work on it. This is the
  memory budget: the parse of a text is held whole while it is coded, and a batch of documents
  is cut so that it never holds much more than ``max_chars`` characters of text at once.
- ``seconds``: the deadline of a document's sentence-by-sentence coding (actors, events, dates
  and places), checked between sentences. The parse and the detector before it run over the
  whole batch and are linear in its text, which ``max_chars`` bounds. The seconds are the CPU
  time of the thread coding it, so a machine busy with other work (or a web server coding other
  documents in other threads) does not refuse what an idle one codes.

A refused document is an ``OverBudgetError`` (one line naming the document, the limit and the
option that sets it); the batch goes on, and nothing of the document is stored, so it is coded
on a later run with a larger budget.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

from detente.errors import ConfigError, OverBudgetError
from detente.records import Document

DEFAULT_MAX_CHARS = 2_000_000  # twice the bench's 1 MB document (peak 0.9 GB): about 1.1 GB
DEFAULT_SECONDS = 300.0  # eight times the 1 MB document's sentence-by-sentence coding (CPU)


@dataclass(frozen=True)
class Budget:
    """The limits on coding one document; ``None`` lifts a limit. ``clock`` tells the time in
    seconds (the coding thread's CPU time; a test may count instead)."""

    max_chars: int | None = DEFAULT_MAX_CHARS
    seconds: float | None = DEFAULT_SECONDS
    clock: Callable[[], float] = field(default=time.thread_time, repr=False, compare=False)

    def __post_init__(self) -> None:
        if self.max_chars is not None and self.max_chars < 1:
            raise ConfigError(
                f"the largest text coded must be at least 1 character, not {self.max_chars}"
            )
        if self.seconds is not None and self.seconds < 0:
            raise ConfigError(f"the coding deadline cannot be negative ({self.seconds} s)")

    def refuse(self, doc: Document) -> OverBudgetError | None:
        """The refusal of a document whose text is above ``max_chars``, else None."""
        if self.max_chars is None or len(doc.text) <= self.max_chars:
            return None
        return OverBudgetError(
            name_of(doc),
            f"text of {len(doc.text):,} characters is above the coding limit of "
            f"{self.max_chars:,} (--max-chars); not coded, nothing stored",
        )

    def full(self, chars: int) -> bool:
        """Whether a batch holding ``chars`` characters of text should be coded now."""
        return self.max_chars is not None and chars >= self.max_chars

    def deadline(self, doc: Document) -> Deadline:
        """The deadline of coding ``doc``, counted from now."""
        return Deadline(doc, self.seconds, self.clock, self.clock())


@dataclass(frozen=True)
class Deadline:
    """The time one document's coding may take; ``check`` between its sentences."""

    doc: Document
    seconds: float | None
    clock: Callable[[], float]
    began: float

    def check(self, done: int, total: int) -> None:
        """Raise ``OverBudgetError`` if the deadline has passed with ``done`` of ``total``
        sentences coded."""
        if self.seconds is None:
            return
        spent = self.clock() - self.began
        if spent >= self.seconds:
            raise OverBudgetError(
                name_of(self.doc),
                f"coding took more than {self.seconds:g} CPU seconds (--deadline), stopped after "
                f"{done:,} of {total:,} sentences; not coded, nothing stored",
            )


def name_of(doc: Document) -> str:
    """How a refusal names a document: its file (and record id for a corpus), URL or id."""
    if doc.path and doc.kind in ("jsonl", "csv"):
        return f"{doc.path} (record {doc.id})"
    return doc.path or doc.url or f"document {doc.id}"


__all__ = ["DEFAULT_MAX_CHARS", "DEFAULT_SECONDS", "Budget", "Deadline", "name_of"]
