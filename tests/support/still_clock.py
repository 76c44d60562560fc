"""A clock for simulated platforms that stands still, an hour or two in the past.

With ``bucket_s`` of an hour and the clock one second into an hour-long bucket,
every observation is between one and three hours old and no value changes while
a test runs, so what one caller sees can be compared with what another sees, and
time limits in minutes fall between observations.
"""

from __future__ import annotations

import math
import time

BUCKET_S = 3600.0


def still_clock() -> tuple[float, float]:
    """``(sim clock value, age in seconds of the youngest observation right now)``."""
    start = math.floor((time.time() - BUCKET_S) / BUCKET_S) * BUCKET_S
    return start + 1.0, time.time() - start
