"""Helpers for the packaged data files (CSV with '#' comment lines, read from the package)."""

from __future__ import annotations

import csv
import io
from importlib import resources


def packaged_text(package: str, *parts: str) -> str:
    return resources.files(package).joinpath(*parts).read_text("utf-8")


def csv_rows(text: str) -> csv.DictReader[str]:
    """Rows of a CSV whose leading '#' lines are comments (source notes, schema)."""
    lines = [line for line in text.splitlines() if not line.startswith("#")]
    return csv.DictReader(io.StringIO("\n".join(lines)))
