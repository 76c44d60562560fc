"""Beside every stage: operations. What operators see of one gateway process, and hot reload.

::

    operations.py          wired into the app: middleware, routes, error counts, reload, probes
    routes.py              ``/``, ``/status.json``, ``/status/*`` and ``POST /admin/reload``
    metrics.py             the Prometheus metrics of one process
    operations_metrics.py  requests in flight, errors by code, per-city latency, reloads
    error_codes.py         the errors[] codes of the response being made, noted for counting
    upstream_trace.py      every HTTP request sent to a city platform, counted
    tracing.py             OpenTelemetry spans, off by default
    logging_json.py        log records as JSON lines, each with its request id
    log_batch.py           log lines written together (a cached answer's audit lines)
    reload.py              a changed federation file validated, built and swapped in atomically
    inflight.py            requests in flight by generation: what a reload waits for
    gc_tuning.py           the garbage collector tuned for many small cached objects
    status/                the status page: city health, probes, the map, ``/status.json``
"""
