"""Calling the web app in process: httpx's ASGI transport, no server, no socket."""

from __future__ import annotations

import asyncio
import contextlib
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
from fastapi import FastAPI

from detente.nlp.pipeline import Resources
from detente.store import Store, open_store
from detente.web import Settings, create_app


def call(app: FastAPI, method: str, url: str, **options: Any) -> httpx.Response:
    """One request to ``app``, answered in this process."""

    async def go() -> httpx.Response:
        transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            return await client.request(method, url, **options)

    return asyncio.run(go())


def copied_store(demo_db: Path, tmp_path: Path) -> Store:
    """A store of its own holding the demo corpus (the session's demo store stays as it is)."""
    path = tmp_path / "demo.db"
    shutil.copy(demo_db, path)
    return open_store(f"sqlite:///{path}")


def app_over(store: Store, res: Resources | None = None, **settings: Any) -> FastAPI:
    def loader() -> Resources:
        assert res is not None, "this test posts no document"
        return res

    return create_app(store, Settings(**settings), load_resources=loader)


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


@contextlib.contextmanager
def serving(db_url: str) -> Iterator[str]:
    """``detente serve`` over ``db_url`` in a process of its own, on a free loopback port;
    yields its base URL once it answers, and stops it after."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    command = [sys.executable, "-m", "detente.cli", "serve", "--db", db_url, "--port", str(port)]
    process = subprocess.Popen(command, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(300):
            try:
                httpx.get(base + "/api/v1/")
                break
            except httpx.ConnectError:
                time.sleep(0.1)
        yield base
    finally:
        process.terminate()
        process.wait(timeout=30)
