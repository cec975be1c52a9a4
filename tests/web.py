"""Calling the web app in process: httpx's ASGI transport, no server, no socket."""

from __future__ import annotations

import asyncio
import shutil
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
