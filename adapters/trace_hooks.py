"""Several aiohttp TraceConfigs folded into one, so that each request pays for one trace.

aiohttp builds a ``Trace`` for every TraceConfig of a session on every request and
awaits each of its signals (request start, headers sent, every response chunk, end),
handlers or not. The gateway gives each city three or four configs (request id,
health, metrics, spans); folded into one, a request awaits each signal once.

The folded config calls the same handlers in the same order per signal. Its handlers
share one context namespace per request, so the attributes they keep there must not
clash (``sent``, ``started``, ``span`` today). A config with its own context factory
is kept apart.
"""

from __future__ import annotations

from collections.abc import Sequence
from types import SimpleNamespace

import aiohttp

_SIGNALS = tuple(
    name.removeprefix("_") for name in vars(aiohttp.TraceConfig()) if name.startswith("_on_")
)


def folded(configs: Sequence[aiohttp.TraceConfig]) -> list[aiohttp.TraceConfig]:
    """``configs`` with every one on the default context factory folded into one."""
    plain = [c for c in configs if getattr(c, "_trace_config_ctx_factory", None) is SimpleNamespace]
    if len(plain) < 2:
        return list(configs)
    one = aiohttp.TraceConfig()
    for name in _SIGNALS:
        signal = getattr(one, name)
        for config in plain:
            signal.extend(getattr(config, name))
    one.freeze()
    return [one, *(c for c in configs if c not in plain)]
