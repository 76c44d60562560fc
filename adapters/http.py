"""The HTTP client every adapter uses: one aiohttp session per city, built from the context.

The session carries the bounds and hooks the gateway set in ``AdapterContext``:
the connection limit, the total timeout, the user agent, and trace configs (the
gateway counts every request sent to a city through them).
"""

from __future__ import annotations

from collections.abc import Mapping

import aiohttp

from adapters.contract import AdapterContext


def new_session(
    context: AdapterContext, headers: Mapping[str, str] | None = None
) -> aiohttp.ClientSession:
    """A session for one city's platform; call from a running event loop."""
    return aiohttp.ClientSession(
        connector=aiohttp.TCPConnector(limit=context.max_connections),
        timeout=aiohttp.ClientTimeout(total=context.timeout_s),
        headers={"User-Agent": context.user_agent, **(headers or {})},
        trace_configs=list(context.trace_configs) or None,
        raise_for_status=False,
    )
