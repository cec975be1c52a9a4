"""Helpers for the packaged data files (CSV with '#' comment lines, read from the package)."""

from __future__ import annotations

import csv
import io
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from detente.errors import DataFileError


def packaged_text(package: str, *parts: str) -> str:
    return resources.files(package).joinpath(*parts).read_text("utf-8")


def csv_rows(text: str) -> csv.DictReader[str]:
    """Rows of a CSV whose leading '#' lines are comments (source notes, schema)."""
    lines = [line for line in text.splitlines() if not line.startswith("#")]
    return csv.DictReader(io.StringIO("\n".join(lines)))


class _PlainLoader(yaml.SafeLoader):
    """Safe YAML where dates stay strings, so our own validation can name a bad one."""


_PlainLoader.yaml_implicit_resolvers = {
    key: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for key, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def read_yaml_file(path: Path) -> Any:
    """A user's YAML file; unreadable or invalid files become a DataFileError naming them."""
    origin = str(path)
    try:
        text = path.read_text("utf-8")
    except OSError as exc:
        raise DataFileError(origin, f"cannot read ({exc.strerror})") from None
    return load_yaml(text, origin)


def load_yaml(text: str, origin: str) -> Any:
    """Parse YAML; a syntax error becomes a DataFileError naming the file and line."""
    try:
        return yaml.load(text, Loader=_PlainLoader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else None
        problem = getattr(exc, "problem", None) or exc
        raise DataFileError(origin, f"not valid YAML ({problem})", line) from None
