"""Durations written as ISO 8601 (``P30D``, ``PT1H30M``, ``PT0.5S``), as platforms read them."""

from __future__ import annotations

import math

_UNITS = (("D", 86_400), ("H", 3_600), ("M", 60))


def iso_duration(seconds: float) -> str:
    """``seconds`` as an ISO 8601 duration in days, hours, minutes and seconds.

    Never years or months (their length varies); ``0`` is ``PT0S``. Fractions of a
    second keep at most microseconds. A negative or non-finite span is a ``ValueError``.
    """
    if not math.isfinite(seconds) or seconds < 0:
        raise ValueError(f"a duration must be a finite number of seconds >= 0, not {seconds!r}")
    micros = round(seconds * 1_000_000)
    whole, fraction = divmod(micros, 1_000_000)
    parts: dict[str, int] = {}
    for letter, size in _UNITS:
        parts[letter], whole = divmod(whole, size)
    text = "P" + (f"{parts['D']}D" if parts["D"] else "")
    clock = "".join(f"{parts[u]}{u}" for u in ("H", "M") if parts[u])
    if whole or fraction:
        clock += f"{whole}.{fraction:06d}".rstrip("0").rstrip(".") + "S"
    if clock:
        text += "T" + clock
    return text if text != "P" else "PT0S"
