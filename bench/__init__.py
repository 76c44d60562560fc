"""Benchmarks of caap-gateway: ratios measured in one run, against loopback processes.

``python -m bench`` (what ``make bench`` runs) starts citysim and the gateway as
subprocesses on 127.0.0.1, drives them with wrk, prints one table row per
benchmark (B1..B8) and writes ``bench/results.md``. ``--quick`` runs every row
briefly; ``--only B1,B4`` selects rows.

Modules: ``processes`` (start and stop what is measured), ``wrk`` (the load tool:
Lua scripts, runs, parsing), ``procfs`` (CPU time and memory of a process tree),
``queries`` (the GraphQL and NGSI-LD requests), ``client`` (single HTTP calls),
``rows`` (one function per row), ``report`` (the table and results.md),
``machine`` (what the numbers were measured on), ``bare`` (the bare Starlette
endpoint of B3).
"""
