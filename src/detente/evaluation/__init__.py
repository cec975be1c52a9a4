"""Scoring detente against gold-standard event data."""

from detente.evaluation.gold import GoldEvent, GoldRecord, read_gold
from detente.evaluation.metrics import Score, score

__all__ = ["GoldEvent", "GoldRecord", "Score", "read_gold", "score"]
