"""Run one query in GraphiQL, in real Chromium, against a gateway started here; print JSON.

``python -m tests.support.graphiql_session FEDERATION_FILE`` (the GraphiQL test runs it
inside an offline network namespace: ``unshare --net``, loopback only). It types the query
into GraphiQL's editor, runs it, reads the response pane, and records every request the
page made. Prints ``{"offline", "editor", "response", "requests", "failed"}``.
"""

from __future__ import annotations

import json
import socket
import sys
import tempfile
from pathlib import Path
from typing import Any

from playwright.sync_api import Request

from tests.support.chromium import chromium_context
from tests.support.gateway_server import GatewayServer

QUERY = "{ cities { id } }"
EDITOR = ".graphiql-query-editor .CodeMirror"
RESPONSE = ".graphiql-response .CodeMirror"
ANSWERED = f"""() => {{
  const pane = document.querySelector({json.dumps(RESPONSE)});
  return pane !== null && pane.CodeMirror.getValue().includes('"data"');
}}"""


def offline() -> bool:
    """True when no address outside loopback can be reached (TEST-NET-1, RFC 5737)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.settimeout(2.0)
        try:
            probe.connect(("192.0.2.1", 80))
        except OSError as exc:
            return "unreachable" in str(exc).lower() or exc.errno in (101, 113)
    return False


def run(federation: str) -> dict[str, Any]:
    """Open GraphiQL on a fresh gateway, type ``QUERY``, run it, read the answer."""
    requests: list[str] = []
    failed: list[str] = []
    with (
        GatewayServer(federation) as gateway,
        tempfile.TemporaryDirectory() as profile,
        chromium_context(Path(profile) / "profile") as context,
    ):

        def record(request: Request) -> None:
            requests.append(request.url)

        context.on("request", record)
        context.on("requestfailed", lambda r: failed.append(f"{r.url}: {r.failure}"))
        page = context.new_page()
        page.goto(f"{gateway.url}/graphql")
        page.locator(EDITOR).click()
        page.keyboard.press("Control+A")
        page.keyboard.press("Delete")
        page.keyboard.type(QUERY)
        editor = page.eval_on_selector(EDITOR, "e => e.CodeMirror.getValue()")
        page.locator(".graphiql-execute-button").click()
        page.wait_for_function(ANSWERED, timeout=15_000)
        response = page.eval_on_selector(RESPONSE, "e => e.CodeMirror.getValue()")
    return {
        "offline": offline(),
        "editor": editor,
        "response": response,
        "requests": requests,
        "failed": failed,
    }


if __name__ == "__main__":
    print(json.dumps(run(sys.argv[1])))
