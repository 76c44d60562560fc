"""``POST /notify/{secret}``: platforms' HTTP notifications reach the open inbox and nothing
else; the secret never reaches the log."""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path

import httpx
import pytest

from gateway.http.app import create_app
from gateway.live.callbacks import CallbackInboxes
from gateway.process.settings import Settings


async def test_a_notification_reaches_its_inbox_and_only_while_it_is_open(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    settings = Settings(
        config_path=str(tmp_path / "unused.yaml"),
        public_url="https://caap.example.se",
        notify_body_bytes=1000,
    )
    app = create_app(settings)
    inboxes: CallbackInboxes = app.state.gateway.live.callbacks
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://gateway") as client:
        async with inboxes.inbox() as inbox:
            assert inbox.url.startswith("https://caap.example.se/notify/")
            path = inbox.url.removeprefix("https://caap.example.se")
            secret = path.rsplit("/", 1)[1]
            assert len(secret) >= 40
            answer = await client.post(path, content=b'{"data": [1]}')
            assert answer.status_code == 202
            bodies = aiter(inbox)
            assert await asyncio.wait_for(anext(bodies), 10) == b'{"data": [1]}'
            assert (await client.post(path, content=b"x" * 1001)).status_code == 413
            assert (await client.post(path + "x", content=b"{}")).status_code == 404
        assert (await client.post(path, content=b"{}")).status_code == 404
        assert inboxes.open_count == 0
    logged = "\n".join(
        f"{r.getMessage()} {getattr(r, 'fields', '')}"
        for r in caplog.records
        if not r.name.startswith("httpx")  # the test's own client
    )
    assert "/notify/*" in logged
    assert secret not in logged
