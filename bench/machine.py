"""What the numbers were measured on: machine, versions, and how busy the machine was."""

from __future__ import annotations

import os
import platform
import subprocess
import sys
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path

from bench.processes import ROOT

PACKAGES = (
    "caap-gateway",
    "strawberry-graphql",
    "graphql-core",
    "starlette",
    "uvicorn",
    "h11",
    "httptools",
    "uvloop",
    "aiohttp",
    "orjson",
    "prometheus-client",
)


def _first(path: str, prefix: str) -> str | None:
    try:
        for line in Path(path).read_text().splitlines():
            if line.startswith(prefix):
                return line.split(":", 1)[1].strip() if ":" in line else line
    except OSError:
        pass
    return None


def _version(name: str) -> str:
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return "not installed"


def commit() -> str:
    """The short commit of HEAD, and whether the work tree has changes."""
    try:
        head = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"],  # noqa: S607 (git from PATH)
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no"],  # noqa: S607
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"
    return head + (" with uncommitted changes" if dirty else "")


def facts(wrk_version: str) -> list[tuple[str, str]]:
    """Label -> value: date, machine, OS, Python, packages, wrk, git commit."""
    mem_kib = _first("/proc/meminfo", "MemTotal")
    memory = f"{int(mem_kib.split()[0]) / 1024**2:.1f} GiB" if mem_kib else "unknown"
    os_name = _first("/etc/os-release", "PRETTY_NAME=")
    rows = [
        ("date", datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")),
        ("nproc", f"{len(os.sched_getaffinity(0))} (of {os.cpu_count()} CPUs)"),
        ("CPU", _first("/proc/cpuinfo", "model name") or platform.processor() or "unknown"),
        ("memory", memory),
        ("OS", (os_name or "").split("=", 1)[-1].strip('"') or platform.platform()),
        ("kernel", platform.release()),
        ("Python", f"{platform.python_implementation()} {sys.version.split()[0]}"),
        ("packages", ", ".join(f"{name} {_version(name)}" for name in PACKAGES)),
        ("wrk", wrk_version),
        ("commit", commit()),
    ]
    return rows


@dataclass(frozen=True, slots=True)
class Busy:
    """How busy the whole machine was over an interval (every process, ours included)."""

    cpu_percent: float
    """Of all CPUs together: 100 is every CPU busy."""
    loadavg_1m: float

    def describe(self) -> str:
        """E.g. ``CPU 35% busy, load 1.20``."""
        return f"CPU {self.cpu_percent:.0f}% busy, load average {self.loadavg_1m:.2f}"


@dataclass(frozen=True, slots=True)
class CpuSample:
    """The machine's CPU counters at one moment (/proc/stat, all CPUs together)."""

    total: int
    idle: int


def cpu_sample() -> CpuSample:
    """The counters now."""
    fields = [int(x) for x in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    idle = fields[3] + (fields[4] if len(fields) > 4 else 0)
    return CpuSample(sum(fields[:8]), idle)


def busy_since(start: CpuSample) -> Busy:
    """How busy the machine was from ``start`` to now, and the load average now."""
    end = cpu_sample()
    span = max(1, end.total - start.total)
    return Busy(100.0 * (1 - (end.idle - start.idle) / span), os.getloadavg()[0])


def busy(sample_s: float = 2.0) -> Busy:
    """Sample /proc/stat for ``sample_s`` seconds, and the 1-minute load average."""
    start = cpu_sample()
    time.sleep(sample_s)
    return busy_since(start)
