"""Small helpers to call a running gateway over HTTP, as a client application would."""

from __future__ import annotations

from typing import Any

import httpx


def post(url: str, query: str, token: str | None = None, **variables: Any) -> httpx.Response:
    """POST ``query`` to ``url``/graphql, with ``Authorization: Bearer token`` when given."""
    headers = {"Authorization": f"Bearer {token}"} if token is not None else {}
    return httpx.post(
        f"{url}/graphql",
        json={"query": query, "variables": variables},
        headers=headers,
        timeout=30,
    )


def upstream_requests(url: str) -> float:
    """The sum of ``caap_upstream_requests_total`` over every city and outcome."""
    text = httpx.get(f"{url}/metrics").text
    return sum(
        float(line.rsplit(" ", 1)[1])
        for line in text.splitlines()
        if line.startswith("caap_upstream_requests_total{")
    )
