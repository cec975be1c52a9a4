"""Issue 12's inputs and stores that gave a traceback, or nothing at all, instead of one line: a
closed standard input, a path inside a folder that may not be searched, a subfolder that may not
be read, a damaged SQLite store read by events, export and report, and alerts on a read-only
store. Each now gives one line naming the input or the store, and the rest of the batch goes on.

Permissions do not stop root: when the tests run as root, the reading happens in a child
process that drops its effective user to ``nobody`` (after loading what it reads lazily), and a
read-only store is made immutable with ``chattr +i``."""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

import detente
from detente.errors import InputError
from detente.read import read_inputs
from detente.records import Document

TEXT = "Belarus moved troops to the border with Ukraine on Monday, officials in Minsk said.\n"
SRC = str(Path(detente.__file__).resolve().parent.parent)  # the detente under test
NOBODY = 65534


def _command(*args: str, close_stdin: bool = False) -> tuple[int, str]:
    """``detente ARGS`` in a real process (the code under test); its exit code and stderr."""
    done = subprocess.run(
        [sys.executable, "-m", "detente.cli", *args],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONPATH": SRC},
        preexec_fn=(lambda: os.close(0)) if close_stdin else None,
        timeout=300,
    )
    return done.returncode, done.stderr


# -- standard input ------------------------------------------------------------------------------
def test_robust_closed_stdin_is_one_bad_input(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Python gives ``sys.stdin = None`` to a process started with standard input closed."""
    good = tmp_path / "a.txt"
    good.write_text(TEXT)
    monkeypatch.setattr(sys, "stdin", None)
    bad, doc = read_inputs(["-", str(good)], check_language=False)
    assert isinstance(bad, InputError) and str(bad) == (
        "<stdin>: standard input is closed: nothing to read"
    )
    assert isinstance(doc, Document) and doc.text == TEXT


def test_robust_stdin_that_cannot_be_read_is_one_bad_input(tmp_path: Path) -> None:
    read_end, write_end = os.pipe()
    os.close(write_end)
    stream = os.fdopen(read_end, "rb", buffering=0)
    os.close(read_end)  # the descriptor under the stream is gone: reading it fails
    good = tmp_path / "a.txt"
    good.write_text(TEXT)
    bad, doc = read_inputs(["-", str(good)], stdin=stream, check_language=False)
    assert isinstance(bad, InputError)
    assert str(bad) == "<stdin>: cannot read standard input: Bad file descriptor"
    assert isinstance(doc, Document)
    with pytest.raises(OSError):
        stream.close()


@pytest.mark.slow
def test_robust_cli_ingest_with_stdin_closed_says_so(tmp_path: Path) -> None:
    code, err = _command("ingest", "-", "--db", f"sqlite:///{tmp_path / 's.db'}", close_stdin=True)
    assert code == 1 and "Traceback" not in err
    assert "detente: skipped <stdin>: standard input is closed: nothing to read" in err


# -- folders that may not be read ----------------------------------------------------------------
PROBE = """
import json, os, sys
from detente.read import read_inputs
list(read_inputs([sys.argv[1]], check_language=False))  # codecs load lazily: load them first
if os.geteuid() == 0:
    os.seteuid({nobody})
for item in read_inputs(sys.argv[2:], check_language=False):
    print(json.dumps([type(item).__name__, getattr(item, "path", None) or str(item)]))
"""


@pytest.fixture
def locked() -> Iterator[Path]:
    """A folder ``in`` holding ``ok/a.txt`` and ``locked/b.txt``, ``locked`` without any
    permission; in a folder every user may enter (the child may run as nobody)."""
    root = Path(tempfile.mkdtemp(prefix="detente-locked-"))
    root.chmod(0o755)
    for name in ("ok", "locked"):
        (root / "in" / name).mkdir(parents=True)
        (root / "in" / name / f"{'a' if name == 'ok' else 'b'}.txt").write_text(TEXT)
    for folder in (root / "in", root / "in" / "ok"):
        folder.chmod(0o755)
    (root / "in" / "ok" / "a.txt").chmod(0o644)
    (root / "in" / "locked").chmod(0)
    try:
        yield root / "in"
    finally:
        (root / "in" / "locked").chmod(0o755)
        shutil.rmtree(root)


def _probe(warm: Path, *paths: Path) -> list[tuple[str, str]]:
    env = {**os.environ, "PYTHONPATH": SRC}
    script = PROBE.format(nobody=NOBODY)
    done = subprocess.run(
        [sys.executable, "-c", script, str(warm), *map(str, paths)],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr  # no traceback
    return [tuple(json.loads(line)) for line in done.stdout.splitlines()]


def test_robust_unreadable_subfolder_is_named_and_the_rest_read(locked: Path) -> None:
    items = _probe(locked / "ok", locked)  # before: the locked folder was passed over unsaid
    assert items == [
        ("InputError", f"{locked / 'locked'}: cannot read this folder (Permission denied): "
         "the files in it are not read"),
        ("Document", str(locked / "ok" / "a.txt")),
    ]  # fmt: skip


def test_robust_path_inside_an_unreadable_folder_is_one_bad_input(locked: Path) -> None:
    good = locked / "ok" / "a.txt"
    items = _probe(locked / "ok", locked / "locked" / "b.txt", good)  # before: a traceback
    assert items == [
        ("InputError", f"{locked / 'locked' / 'b.txt'}: cannot read: Permission denied"),
        ("Document", str(good)),
    ]


# -- stores that cannot serve --------------------------------------------------------------------
def _damaged(demo_db: Path, tmp_path: Path) -> Path:
    """A copy of the demo store whose events table's root page is overwritten."""
    path = tmp_path / "damaged.db"
    shutil.copy(demo_db, path)
    with sqlite3.connect(path) as conn:
        (root,) = conn.execute(
            "SELECT rootpage FROM sqlite_master WHERE name = 'events'"
        ).fetchone()
        (size,) = conn.execute("PRAGMA page_size").fetchone()
    conn.close()
    with path.open("r+b") as handle:
        handle.seek((root - 1) * size + 8)
        handle.write(b"\xff" * 200)
    return path


@pytest.mark.slow
@pytest.mark.parametrize(
    "command",
    [["events"], ["export", "-o", "{out}/e.jsonl"], ["report", "--dyad", "BLR-UKR", "-o", "{out}/r.html"]],
    ids=lambda c: c[0],
)  # fmt: skip
def test_robust_damaged_store_is_one_line(
    demo_db: Path, tmp_path: Path, command: list[str]
) -> None:
    path = _damaged(demo_db, tmp_path)
    args = [part.format(out=tmp_path) for part in command]
    code, err = _command(*args, "--db", f"sqlite:///{path}")
    assert code == 1
    assert err.splitlines() == [  # before: a traceback of sqlite3.DatabaseError
        f"detente: error: the store at {path} is damaged (restore it from a copy, or ingest "
        "again into a new --db): database disk image is malformed"
    ]
    assert not [p for p in tmp_path.iterdir() if not p.name.startswith(path.name)]  # no file


@contextmanager
def _read_only(path: Path) -> Iterator[None]:
    if os.geteuid() == 0:
        if shutil.which("chattr") is None:
            pytest.skip("running as root, and no chattr to make a file read-only for root")
        if subprocess.run(["chattr", "+i", str(path)], capture_output=True).returncode != 0:
            pytest.skip(f"running as root, and chattr +i is refused on {path}")
    else:
        path.chmod(0o444)
    try:
        with pytest.raises(PermissionError):
            path.open("ab").close()
        yield
    finally:
        if os.geteuid() == 0:
            subprocess.run(["chattr", "-i", str(path)], check=True)
        path.chmod(0o644)


@pytest.mark.slow
def test_robust_alerts_on_a_read_only_store_is_one_line(demo_db: Path, tmp_path: Path) -> None:
    path = tmp_path / "ro.db"
    shutil.copy(demo_db, path)
    rules = tmp_path / "rules.yaml"
    rules.write_text("rules:\n  - name: rising\n    dyad: BLR-UKR\n    index_above: 1\n")
    with _read_only(path):
        code, err = _command("alerts", "--rules", str(rules), "--db", f"sqlite:///{path}")
    assert code == 1
    assert err.splitlines() == [  # before: a traceback of sqlite3.OperationalError
        f"detente: error: the store at {path} is read-only (this command writes to it: give it a "
        "store it may write): attempt to write a readonly database"
    ]
