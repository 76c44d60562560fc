"""Gateway options for tests that measure the HTTP layer or the upstream calls themselves:
no rate limit (tests send bursts from one address) and no response cache (every request
reaches the cities)."""

from __future__ import annotations

from typing import Any


def unthrottled(**options: Any) -> dict[str, Any]:
    """The ``gateway`` section: ``options`` plus no rate limit and no response cache."""
    return {"rate_limit": {"requests_per_s": 0}, "response_cache": {"ttl_s": 0}, **options}
