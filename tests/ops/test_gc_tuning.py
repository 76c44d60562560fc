"""The collector of a serving process: start-up objects frozen, collections rarer."""

from __future__ import annotations

import gc

from gateway.ops.gc_tuning import THRESHOLDS, tune_gc


def test_tune_gc_freezes_what_exists_and_sets_the_thresholds() -> None:
    before = gc.get_threshold()
    try:
        tune_gc()
        assert gc.get_threshold() == THRESHOLDS
        assert gc.get_freeze_count() > 0
    finally:
        gc.unfreeze()
        gc.set_threshold(*before)
