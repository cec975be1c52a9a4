"""Property tests of the input paths of ``detente extract`` and ``detente ingest``: a batch of
generated inputs (files of every kind in a folder, standard input, a missing path) beside good
ones. No traceback, one line per bad input naming it, the good documents coded, and nothing
already stored lost.

The coder is slow to load, so the library's ingest runs with the pipeline loaded once (the
session's ``res``) and the command itself, a real ``detente`` process, on a few examples only.
Documents are capped at 4 KB here, so that what the coder reads stays small.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, Phase, example, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from detente import Store, ingest, open_store
from detente.nlp.pipeline import Resources
from detente.records import text_hash
from detente.store.schema import documents, events
from fuzz.readers import GOOD
from tests.conftest import DEMO
from tests.strategies import csv_document, encoded_text, feed_document, html_page, jsonl_line

MAX_BYTES = 4096
CI = bool(os.environ.get("CI"))

# one generated input of each kind, as (file name, bytes)
batch_files = st.tuples(
    st.binary(max_size=400).map(lambda b: ("bytes.txt", b)),
    encoded_text().map(lambda c: ("encoded.md", c[2])),
    html_page().map(lambda p: ("page.html", p.encode())),
    feed_document().map(lambda f: ("feed.xml", f.encode())),
    st.lists(jsonl_line(), max_size=4).map(lambda ls: ("corpus.jsonl", "\n".join(ls).encode())),
    csv_document().map(lambda c: ("corpus.csv", c.encode())),
)
stdin_bytes = st.binary(max_size=300) | html_page().map(str.encode)


def write_batch(root: Path, files: tuple[tuple[str, bytes], ...], good: str) -> list[str]:
    """The generated files in ``root/in`` and a good text file last; the paths to read."""
    folder = root / "in"
    folder.mkdir()
    for name, data in files:
        (folder / name).write_bytes(data)
    (folder / "zz-good.txt").write_text(good, "utf-8")
    return [str(folder), str(root / "missing.txt")]


def unique_good(n: int) -> str:
    """A good document that an earlier example may not have stored (new content)."""
    return f"Report number {n}.\n\n{GOOD}"


def check_report(lines: list[str], names: list[str]) -> None:
    """Every reported problem is one line naming one of the inputs."""
    for line in lines:
        assert line.startswith(tuple(f"detente: skipped {n}" for n in names)), line


@settings(
    max_examples=10,
    deadline=timedelta(seconds=60),
    derandomize=CI,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(files=batch_files, n=st.integers(0, 10_000))
def test_fuzz_ingest_a_bad_batch_loses_nothing_stored(
    res: Resources, template: Path, files: tuple[tuple[str, bytes], ...], n: int
) -> None:
    with tempfile.TemporaryDirectory() as tmp, copy_of(template, Path(tmp)) as store:
        before, ids_before = store.counts(), _stored_ids(store)
        paths = write_batch(Path(tmp), files, unique_good(n))
        summary = ingest(paths, store, res, max_bytes=MAX_BYTES)
        check_report([f"detente: skipped {e}" for e in summary.errors], paths)
        after = store.counts()
        assert all(after[k] >= before[k] for k in before), (before, after)
        # a changed record supersedes its old revision, never deletes it; the good one is stored
        assert ids_before | {("doc", text_hash(unique_good(n)))} <= _stored_ids(store)
    assert summary.documents >= 1 and f"{paths[1]}: no such file" in " ".join(summary.errors)


def _stored_ids(store: Store) -> set[tuple[str, str]]:
    """Every stored document and event, superseded revisions included."""
    with store.engine.connect() as conn:
        docs = {("doc", h) for (h,) in conn.execute(select(documents.c.content_hash))}
        return docs | {("event", i) for (i,) in conn.execute(select(events.c.id))}


def detente(*args: str, stdin: bytes = b"") -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(
        [sys.executable, "-m", "detente.cli", *args], input=stdin, capture_output=True, check=False
    )


CLI_SETTINGS = settings(
    max_examples=2,
    deadline=None,  # a real process loading the coder: its time is not the readers'
    derandomize=CI,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    phases=(Phase.explicit, Phase.reuse, Phase.generate),  # no shrinking: a run costs seconds
)


@settings(CLI_SETTINGS, max_examples=1)
@example(  # each gave a traceback or more than one line (trafilatura's log) before its fix
    files=(
        ("bytes.txt", b"\x1c"),
        ("encoded.md", "Minsk caf\xe9".encode("latin-1")),
        ("page.html", b"<body><SVG></body></html>"),
        ("feed.xml", b"<?xml version='1.0'?><rss><channel><item><description>&#xD800;"
                     b"</description><pubDate>0000-01-01</pubDate></item></channel></rss>"),
        ("corpus.jsonl", b'{"id": "a\\n", "text": "x", "language": "fr"}\n{broken\n'),
        ("corpus.csv", b"id,text\n"),
    ),
    stdin=b"<html><body><p></p></body></html>",
)  # fmt: skip
@given(files=batch_files, stdin=stdin_bytes)
def test_fuzz_cli_extract_one_line_per_bad_input_and_the_good_coded(
    files: tuple[tuple[str, bytes], ...], stdin: bytes
) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        paths = write_batch(Path(tmp), files, GOOD)
        done = detente("extract", *paths, "-", "--max-size", "0.004", stdin=stdin)
    err = done.stderr.decode()
    assert done.returncode == 1, err  # the missing path at least
    assert "Traceback" not in err
    lines = [line for line in err.splitlines() if line != "detente: no event coded in the input"]
    check_report(lines, [*paths, "<stdin>"])
    assert sum(paths[1] in line for line in lines) == 1
    events = [json.loads(line) for line in done.stdout.decode().splitlines()]
    assert any(e["doc_path"].endswith("zz-good.txt") and e["event"] == "MOBILIZE" for e in events)


@CLI_SETTINGS
@given(files=batch_files, stdin=stdin_bytes, n=st.integers(0, 10_000))
def test_fuzz_cli_ingest_a_bad_batch_keeps_the_store(
    template: Path, files: tuple[tuple[str, bytes], ...], stdin: bytes, n: int
) -> None:
    with tempfile.TemporaryDirectory() as tmp, copy_of(template, Path(tmp)) as store:
        before, ids_before = store.counts(), _stored_ids(store)
        paths = write_batch(Path(tmp), files, unique_good(n))
        url = str(store.engine.url)
        done = detente("ingest", *paths, "-", "--db", url, "--max-size", "0.004", stdin=stdin)
        err = done.stderr.decode()
        assert done.returncode == 1 and "Traceback" not in err, err
        *problems, summary = err.splitlines()
        check_report(problems, [*paths, "<stdin>"])
        assert summary.startswith(f"{summary.split()[0]} documents read, "), err
        after = store.counts()
        assert all(after[k] >= before[k] for k in before), (before, after, err)
        assert ids_before | {("doc", text_hash(unique_good(n)))} <= _stored_ids(store), err


def test_fuzz_ingest_file_name_not_utf8_is_stored(
    res: Resources, template: Path, tmp_path: Path
) -> None:
    # SQLite refused the surrogate the name reads with: the ingest stopped with a traceback
    folder = Path(bytes(tmp_path).decode("utf-8", "surrogateescape")) / "in"
    folder.mkdir()
    (folder / b"caf\xe9.txt".decode("utf-8", "surrogateescape")).write_text(GOOD)
    with copy_of(template, tmp_path) as store:
        summary = ingest([str(folder)], store, res)
        assert summary.stored == 1 and not summary.errors
        assert str(folder / "caf\ufffd.txt") in {e["doc_path"] for e in store.events()}


@pytest.fixture(scope="module")
def template(res: Resources, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A SQLite store holding two documents of the demo, made once; each example ingests into
    a copy of it, so that examples do not depend on one another."""
    path = tmp_path_factory.mktemp("store") / "store.db"
    store = open_store(f"sqlite:///{path}")
    demo = [DEMO / "2024-06-21-border-buildup.md", DEMO / "2024-07-31-zelensky-visit.txt"]
    summary = ingest([str(p) for p in demo], store, res)
    store.close()
    assert summary.stored == 2 and summary.events and not summary.errors
    return path


@contextmanager
def copy_of(template: Path, folder: Path) -> Iterator[Store]:
    shutil.copyfile(template, folder / "store.db")
    store = open_store(f"sqlite:///{folder / 'store.db'}")
    try:
        yield store
    finally:
        store.close()
