"""A throwaway PostgreSQL server for the tests: initdb in a temporary folder, a Unix socket only,
stopped at the end. PostgreSQL refuses to run as root, so as root it runs as the postgres user."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


def find_bin(name: str) -> str | None:
    found = shutil.which(name)
    if found:
        return found
    candidates = sorted(Path("/usr/lib/postgresql").glob(f"*/bin/{name}"))
    return str(candidates[-1]) if candidates else None


def unavailable_reason() -> str | None:
    for name in ("initdb", "pg_ctl"):
        if find_bin(name) is None:
            return f"PostgreSQL's {name} is not installed (Debian: apt-get install postgresql)"
    if os.geteuid() == 0 and shutil.which("runuser") is None:
        return "running as root without runuser, so PostgreSQL cannot be started"
    return None


def _run(args: list[str]) -> None:
    if os.geteuid() == 0:
        args = ["runuser", "-u", "postgres", "--", *args]
    subprocess.run(args, check=True, capture_output=True, text=True)


@contextmanager
def server() -> Iterator[str]:
    """Start a server; yields a SQLAlchemy URL prefix ending in '/', ready for a database name."""
    root = Path(tempfile.mkdtemp(prefix="detente-pg-"))
    data, sockets = root / "data", root / "sock"
    sockets.mkdir()
    if os.geteuid() == 0:
        shutil.chown(root, "postgres")
        shutil.chown(sockets, "postgres")
    initdb, pg_ctl = find_bin("initdb"), find_bin("pg_ctl")
    assert initdb and pg_ctl
    _run([initdb, "-D", str(data), "-A", "trust", "-U", "detente", "-E", "UTF8", "--no-sync"])
    options = f"-F -k {sockets} -c listen_addresses='' -c fsync=off -p 5439"
    _run([pg_ctl, "-D", str(data), "-o", options, "-w", "-l", str(root / "log"), "start"])
    try:
        yield f"postgresql+psycopg://detente@/{{db}}?host={sockets}&port=5439"
    finally:
        subprocess.run(
            (["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else [])
            + [pg_ctl, "-D", str(data), "-m", "immediate", "stop"],
            capture_output=True,
        )
        shutil.rmtree(root, ignore_errors=True)
