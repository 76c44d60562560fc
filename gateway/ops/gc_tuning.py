"""The garbage collector tuned for a server whose caches hold many small objects.

Cached city answers are hundreds of thousands of tracked objects (entities, their
attribute dicts) that are freed by reference counting, never by the collector; with
CPython's default thresholds every full collection walks them all, and the uncached
18-city query spent about a third of its CPU there (bench B4, B5). What exists
before the federation is loaded (modules, the schema) is frozen, never walked
again; the federation is not, as a reload replaces it and its cycles must still
be collected. Collections are made rarer; cyclic garbage is still collected.
"""

from __future__ import annotations

import gc

THRESHOLDS = (50_000, 20, 10)
"""Net allocations before a young collection, then young (and middle) collections
before an older one: CPython's defaults are (700, 10, 10)."""


def tune_gc() -> None:
    """Freeze what exists now (nothing a reload replaces) and set ``THRESHOLDS``."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(*THRESHOLDS)
