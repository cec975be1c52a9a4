"""The sources file: which feeds and pages to watch, how often, and how politely.

    allow_private: false        # true lets URLs reach private, loopback and link-local addresses
    min_interval: 2s            # least time between two requests to one host (default 1s)
    sources:
      - name: Belarus border committee
        url: https://example.org/news.rss
        kind: feed              # feed (RSS, Atom) or page (an index whose links are followed)
        every: 15m              # poll interval: s, m, h or d
        language: en            # optional: the language of its texts when they do not say
        reliability: official   # optional, free text
        tags: {official: BLR}   # optional mapping of strings
        follow: /news/20        # optional (pages): only links whose URL contains this regex

Every mistake is a ``DataFileError`` naming the file and line.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from detente.errors import DataFileError

KINDS = ("feed", "page")
_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}
_INTERVAL = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([smhd])\s*$")
_TOP_KEYS = {"sources", "allow_private", "min_interval", "user_agent"}
_SOURCE_KEYS = {"name", "url", "kind", "every", "language", "reliability", "tags", "follow"}


@dataclass(frozen=True, slots=True)
class Source:
    name: str
    url: str
    kind: str  # feed | page
    every: float  # seconds between polls
    language: str | None = None
    reliability: str | None = None
    tags: tuple[tuple[str, str], ...] = ()
    follow: str | None = None  # regex a followed link of a page must contain
    line: int = 0  # where it is defined, for messages


@dataclass(frozen=True, slots=True)
class SourcesFile:
    path: str
    sources: tuple[Source, ...]
    allow_private: bool = False
    min_interval: float = 1.0  # seconds between two requests to one host
    user_agent: str | None = None
    names: dict[str, Source] = field(default_factory=dict, compare=False)


def parse_interval(text: str) -> float:
    """Seconds in "15m", "2h", "30s", "1d"; ValueError otherwise."""
    match = _INTERVAL.match(str(text))
    if match is None:
        raise ValueError(f"{text!r} is not an interval like 30s, 15m, 2h or 1d")
    return float(match.group(1)) * _UNITS[match.group(2)]


def load_sources(path: Path) -> SourcesFile:
    origin = str(path)
    try:
        text = path.read_text("utf-8")
    except OSError as exc:
        raise DataFileError(origin, f"cannot read ({exc.strerror})") from None
    return parse_sources(text, origin)


def parse_sources(text: str, origin: str) -> SourcesFile:
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        problem = getattr(exc, "problem", None) or exc
        raise DataFileError(
            origin, f"not valid YAML ({problem})", mark.line + 1 if mark else None
        ) from None
    if not isinstance(root, yaml.MappingNode):
        raise DataFileError(origin, "expected a mapping with a 'sources' list", _line(root))
    top = _mapping(root)
    for key, (key_node, _) in top.items():
        if key not in _TOP_KEYS:
            raise DataFileError(origin, f"unknown setting {key!r}", _line(key_node))
    if "sources" not in top or not isinstance(top["sources"][1], yaml.SequenceNode):
        raise DataFileError(origin, "expected a 'sources' list", _line(root))
    allow_private = _flag(top, "allow_private", origin)
    min_interval = 1.0
    if "min_interval" in top:
        node = top["min_interval"][1]
        try:
            min_interval = parse_interval(_scalar(node))
        except ValueError as exc:
            raise DataFileError(origin, f"min_interval: {exc}", _line(node)) from None
    agent = _scalar(top["user_agent"][1]) if "user_agent" in top else None
    sources: list[Source] = []
    seen: dict[str, int] = {}
    for node in top["sources"][1].value:
        source = _source(node, origin)
        if source.name in seen:
            raise DataFileError(
                origin,
                f"source {source.name!r} is defined twice (first on line {seen[source.name]})",
                source.line,
            )
        seen[source.name] = source.line
        sources.append(source)
    if not sources:
        raise DataFileError(origin, "the 'sources' list is empty", _line(top["sources"][1]))
    return SourcesFile(
        origin,
        tuple(sources),
        allow_private,
        min_interval,
        agent,
        {s.name: s for s in sources},
    )


def _source(node: yaml.Node, origin: str) -> Source:
    line = _line(node)
    if not isinstance(node, yaml.MappingNode):
        raise DataFileError(origin, "each source is a mapping with name, url, kind, every", line)
    fields = _mapping(node)
    for key, (key_node, _) in fields.items():
        if key not in _SOURCE_KEYS:
            known = ", ".join(sorted(_SOURCE_KEYS))
            raise DataFileError(origin, f"unknown key {key!r} (known: {known})", _line(key_node))
    for key in ("name", "url", "kind", "every"):
        if key not in fields or not _scalar(fields[key][1]):
            raise DataFileError(origin, f"source needs {key!r}", line)
    name = _scalar(fields["name"][1])
    where = f"source {name!r}"
    url_node = fields["url"][1]
    url = _scalar(url_node)
    if not re.match(r"^https?://[^/\s]+", url):
        raise DataFileError(
            origin, f"{where}: url {url!r} is not http:// or https://", _line(url_node)
        )
    kind_node = fields["kind"][1]
    kind = _scalar(kind_node)
    if kind not in KINDS:
        raise DataFileError(origin, f"{where}: kind {kind!r} is not feed or page", _line(kind_node))
    every_node = fields["every"][1]
    try:
        every = parse_interval(_scalar(every_node))
    except ValueError as exc:
        raise DataFileError(origin, f"{where}: every: {exc}", _line(every_node)) from None
    if every <= 0:
        raise DataFileError(origin, f"{where}: every must be more than 0", _line(every_node))
    tags: tuple[tuple[str, str], ...] = ()
    if "tags" in fields:
        tag_node = fields["tags"][1]
        if not isinstance(tag_node, yaml.MappingNode):
            raise DataFileError(
                origin, f"{where}: tags is a mapping (official: BLR)", _line(tag_node)
            )
        tags = tuple((k, _scalar(v)) for k, (_, v) in _mapping(tag_node).items())
    follow = _optional(fields, "follow")
    if follow is not None:
        try:
            re.compile(follow)
        except re.error as exc:
            raise DataFileError(
                origin, f"{where}: follow is not a regex ({exc})", _line(fields["follow"][1])
            ) from None
    return Source(
        name=name,
        url=url,
        kind=kind,
        every=every,
        language=_optional(fields, "language"),
        reliability=_optional(fields, "reliability"),
        tags=tags,
        follow=follow,
        line=line or 0,
    )


def _mapping(node: yaml.MappingNode) -> dict[str, tuple[yaml.Node, yaml.Node]]:
    return {_scalar(k): (k, v) for k, v in node.value}


def _scalar(node: yaml.Node) -> str:
    if isinstance(node, yaml.ScalarNode):
        return str(node.value).strip()
    return ""


def _optional(fields: dict[str, tuple[yaml.Node, yaml.Node]], key: str) -> str | None:
    return (_scalar(fields[key][1]) or None) if key in fields else None


def _flag(fields: dict[str, tuple[yaml.Node, yaml.Node]], key: str, origin: str) -> bool:
    if key not in fields:
        return False
    value = _scalar(fields[key][1]).lower()
    if value not in ("true", "false", "yes", "no"):
        raise DataFileError(origin, f"{key} is true or false", _line(fields[key][1]))
    return value in ("true", "yes")


def _line(node: Any) -> int | None:
    mark = getattr(node, "start_mark", None)
    return mark.line + 1 if mark is not None else None
