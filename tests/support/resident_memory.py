"""The resident memory of another process, as the kernel counts it (Linux ``/proc``)."""

from __future__ import annotations

from pathlib import Path

MiB = 1024 * 1024


def _status_kib(pid: int, field: str) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(f"{field}:"):
            return int(line.split()[1])
    raise AssertionError(f"/proc/{pid}/status has no {field}")


def resident_bytes(pid: int) -> int:
    """What the process holds in RAM now (VmRSS)."""
    return _status_kib(pid, "VmRSS") * 1024


def peak_resident_bytes(pid: int) -> int:
    """The most the process has held in RAM since it started (VmHWM)."""
    return _status_kib(pid, "VmHWM") * 1024
