"""The reference clients (npm graphql-ws, graphql-sse) in a node process, read line by line.

``clients/subscribe.mjs`` prints every message it receives as one JSON line; a
reader thread queues them and ``collect`` takes lines until a condition holds.
"""

from __future__ import annotations

import json
import queue
import shutil
import subprocess
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

SCRIPT = Path(__file__).parent / "clients" / "subscribe.mjs"

Line = dict[str, Any]


class NodeSubscription:
    """One node process holding ``count`` subscriptions of one client library."""

    def __init__(self, process: subprocess.Popen[str]) -> None:
        self._process = process
        self._lines: queue.Queue[Line] = queue.Queue()
        self.seen: list[Line] = []
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        assert self._process.stdout is not None
        for raw in self._process.stdout:
            self._lines.put(json.loads(raw))

    def collect(
        self,
        done: Callable[[list[Line]], bool],
        timeout_s: float,
        what: str,
        nudge: Callable[[], None] | None = None,
    ) -> None:
        """Take lines into ``seen`` until ``done(seen)``; fail naming ``what`` after
        ``timeout_s`` (a bound for a broken run, not a timing). ``nudge`` is called
        whenever nothing arrived for a second (e.g. have citysim publish its state
        again, for a push channel that subscribed after the last publish)."""
        deadline = time.monotonic() + timeout_s
        while not done(self.seen):
            left = deadline - time.monotonic()
            if left <= 0:
                raise AssertionError(f"timed out after {timeout_s:g} s waiting for {what}")
            try:
                self.seen.append(self._lines.get(timeout=min(left, 1.0)))
            except queue.Empty:
                if nudge is not None:
                    nudge()
                if self._process.poll() is not None and self._lines.empty():
                    assert self._process.stderr is not None
                    raise AssertionError(
                        f"the client ended: {self._process.stderr.read()[-2000:]}"
                    ) from None

    def payloads(self) -> list[dict[str, Any]]:
        """The ``next`` payloads received so far."""
        return [line["next"] for line in self.seen if "next" in line]

    def events(self, typename: str) -> list[dict[str, Any]]:
        """The ``entityChanges`` events of ``typename`` received so far."""
        found = []
        for payload in self.payloads():
            event = (payload.get("data") or {}).get("entityChanges")
            if event is not None and event.get("__typename") == typename:
                found.append(event)
        return found


@contextmanager
def subscribed(
    protocol: str,
    url: str,
    query: str,
    variables: dict[str, Any] | None = None,
    token: str = "",
    count: int = 1,
) -> Iterator[NodeSubscription]:
    """``protocol`` "ws" (graphql-transport-ws) or "sse" (graphql-sse); the process is
    stopped when the block ends."""
    node = shutil.which("node")
    assert node is not None, "node is needed for the reference clients"
    assert (SCRIPT.parent / "node_modules" / "graphql-ws").is_dir(), (
        "run `npm ci` in tests/live/clients (make test does)"
    )
    args = [node, str(SCRIPT), protocol, url, query, json.dumps(variables or {}), token, str(count)]
    process = subprocess.Popen(  # noqa: S603 (our own script, our arguments)
        args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    try:
        yield NodeSubscription(process)
    finally:
        process.kill()
        process.wait()
        for stream in (process.stdout, process.stderr):
            if stream is not None:
                stream.close()
