"""wrk, the load tool: make sure it is there, script its requests in Lua, run it, parse it.

Every request of a run is described by a ``RequestSpec``. Its path and body may
hold two slots that the Lua script fills in per request: ``@T@``, a timestamp
(UTC, whole seconds) that is new for every request of the whole bench run, so a
query can never be answered from a cache; and ``@CITY@``, the next city of a
round robin. A spec with a ``cycle`` reuses its timestamps after that many
requests: a steady set of distinct queries. Without slots wrk sends one
pre-formatted request over and over.

``parse_wrk`` reads wrk's text report (with ``--latency``) into a ``WrkResult``;
wrk leaves timed-out requests out of its latency figures, so runs use a socket
timeout far above any expected latency and report timeouts as problems.
"""

from __future__ import annotations

import contextlib
import itertools
import os
import re
import shutil
import signal
import subprocess
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from bench.processes import die_with_parent

DEBIAN_PACKAGE = "wrk"
TIME_SLOT = "@T@"
CITY_SLOT = "@CITY@"
_SLOTS = re.compile(f"({re.escape(TIME_SLOT)}|{re.escape(CITY_SLOT)})")

EPOCH_2000 = 946_684_800
"""Timestamps of the ``@T@`` slot start here: far enough back to match every observation."""
RUN_SPAN_S = 20_000_000
"""Each wrk run of a bench gets its own span of timestamps ..."""
THREAD_SPAN_S = 2_000_000
"""... and each of its threads a slice of it (at most 10 threads, 2 million requests each)."""
MAX_THREADS = RUN_SPAN_S // THREAD_SPAN_S
POLL_S = 0.5
NO_REQUEST = "no request completed"


class WrkError(RuntimeError):
    """wrk is missing, failed, or printed something that is not its report."""


@dataclass(frozen=True, slots=True)
class RequestSpec:
    """The requests of one run: method, path (with query), headers, body; slots allowed."""

    method: str
    path: str
    headers: Mapping[str, str] = field(default_factory=dict)
    body: str | None = None
    cities: tuple[str, ...] = ()
    """Values of ``@CITY@``, in turn."""
    cycle: int = 0
    """``@T@`` comes back after this many requests (0: never), for a steady set of queries."""

    @property
    def varies(self) -> bool:
        """True when requests differ from each other (the script builds each one)."""
        return bool(_SLOTS.search(self.path + (self.body or "")))


@dataclass(frozen=True, slots=True)
class SocketErrors:
    """wrk's ``Socket errors:`` line (all zero when wrk did not print it)."""

    connect: int = 0
    read: int = 0
    write: int = 0
    timeout: int = 0

    @property
    def total(self) -> int:
        """Every socket error."""
        return self.connect + self.read + self.write + self.timeout


@dataclass(frozen=True, slots=True)
class WrkResult:
    """One wrk run: requests, throughput and the latency distribution (seconds)."""

    threads: int
    connections: int
    requests: int
    duration_s: float
    requests_per_s: float
    latency_avg_s: float
    latency_max_s: float
    percentiles: Mapping[int, float]
    """50, 75, 90, 99 -> seconds."""
    bytes_read: float
    non_2xx: int = 0
    errors: SocketErrors = field(default_factory=SocketErrors)

    @property
    def p50_s(self) -> float:
        """The median latency."""
        return self.percentiles[50]

    @property
    def p99_s(self) -> float:
        """The 99th percentile latency."""
        return self.percentiles[99]

    def problems(self) -> list[str]:
        """What makes the run suspect: failed requests, socket errors, no request at all."""
        found = []
        if self.requests == 0:
            found.append(NO_REQUEST)
        if self.non_2xx:
            found.append(f"{self.non_2xx} responses were not 2xx/3xx")
        if self.errors.total:
            e = self.errors
            found.append(
                f"socket errors: connect {e.connect}, read {e.read}, write {e.write}, "
                f"timeout {e.timeout}"
            )
        return found


_TIME_UNITS = {"us": 1e-6, "ms": 1e-3, "s": 1.0, "m": 60.0, "h": 3600.0}
_SIZE_UNITS = {"B": 1.0, "KB": 1024.0, "MB": 1024.0**2, "GB": 1024.0**3, "TB": 1024.0**4}
_NUMBER = r"(-?[0-9]+(?:\.[0-9]+)?)"
_HEADER = re.compile(r"^\s*(\d+) threads and (\d+) connections\s*$", re.M)
_LATENCY = re.compile(rf"^\s*Latency\s+{_NUMBER}(\w+)\s+{_NUMBER}(\w+)\s+{_NUMBER}(\w+)", re.M)
_PERCENTILE = re.compile(rf"^\s*(\d+)%\s+{_NUMBER}(\w+)\s*$", re.M)
_TOTALS = re.compile(rf"^\s*(\d+) requests in {_NUMBER}(\w+), {_NUMBER}(\w+) read\s*$", re.M)
_NON_2XX = re.compile(r"^\s*Non-2xx or 3xx responses: (\d+)\s*$", re.M)
_SOCKET = re.compile(
    r"^\s*Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)\s*$", re.M
)
_RATE = re.compile(rf"^Requests/sec:\s+{_NUMBER}\s*$", re.M)


def _seconds(number: str, unit: str) -> float:
    try:
        return float(number) * _TIME_UNITS[unit]
    except KeyError:
        raise WrkError(f"unknown time unit {unit!r} in wrk output") from None


def _bytes(number: str, unit: str) -> float:
    try:
        return float(number) * _SIZE_UNITS[unit]
    except KeyError:
        raise WrkError(f"unknown size unit {unit!r} in wrk output") from None


def parse_wrk(text: str) -> WrkResult:
    """Read wrk's report (run with ``--latency``); WrkError says what is missing."""
    header, latency, totals, rate = (p.search(text) for p in (_HEADER, _LATENCY, _TOTALS, _RATE))
    if header is None or latency is None or totals is None or rate is None:
        raise WrkError(f"not a wrk report:\n{text[:2000]}")
    percentiles = {int(m[1]): _seconds(m[2], m[3]) for m in _PERCENTILE.finditer(text)}
    if not {50, 99} <= percentiles.keys():
        raise WrkError("the wrk report has no latency distribution (run wrk with --latency)")
    non_2xx = _NON_2XX.search(text)
    socket = _SOCKET.search(text)
    return WrkResult(
        threads=int(header[1]),
        connections=int(header[2]),
        requests=int(totals[1]),
        duration_s=_seconds(totals[2], totals[3]),
        requests_per_s=float(rate[1]),
        latency_avg_s=_seconds(latency[1], latency[2]),
        latency_max_s=_seconds(latency[5], latency[6]),
        percentiles=percentiles,
        bytes_read=_bytes(totals[4], totals[5]),
        non_2xx=int(non_2xx[1]) if non_2xx else 0,
        errors=SocketErrors(*(int(socket[i]) for i in range(1, 5))) if socket else SocketErrors(),
    )


def _lua_string(text: str) -> str:
    """``text`` as a double-quoted Lua string literal (bytes outside printable ASCII escaped)."""
    out = []
    for byte in text.encode():
        char = chr(byte)
        if char in ('"', "\\"):
            out.append("\\" + char)
        elif 32 <= byte < 127:
            out.append(char)
        else:
            out.append(f"\\{byte:03d}")
    return '"' + "".join(out) + '"'


def _lua_concat(template: str) -> str:
    """A Lua expression building ``template`` with its slots filled from ``t`` and ``city``."""
    pieces = []
    for piece in _SLOTS.split(template):
        if piece == TIME_SLOT:
            pieces.append("t")
        elif piece == CITY_SLOT:
            pieces.append("city")
        elif piece:
            pieces.append(_lua_string(piece))
    return " .. ".join(pieces) or '""'


def lua_script(
    spec: RequestSpec, *, run_index: int, stop_after: int = 0, run_span_s: int = RUN_SPAN_S
) -> str:
    """The wrk script for ``spec``; ``stop_after`` > 0 stops each thread after that many answers.

    ``run_index`` chooses this run's span of ``@T@`` timestamps (``run_span_s`` long,
    a tenth of it per thread): give every run of a bench its own and no two requests
    of the bench share a timestamp.
    """
    thread_span_s = run_span_s // MAX_THREADS
    lines = [
        "-- generated by bench/wrk.py",
        f"wrk.method = {_lua_string(spec.method)}",
    ]
    for name, value in spec.headers.items():
        lines.append(f"wrk.headers[{_lua_string(name)}] = {_lua_string(value)}")
    if not spec.varies:
        lines.append(f"wrk.path = {_lua_string(spec.path)}")
        if spec.body is not None:
            lines.append(f"wrk.body = {_lua_string(spec.body)}")
    else:
        cities = ", ".join(_lua_string(c) for c in spec.cities) or '""'
        time_format = "!%Y-%m-%dT%H:%M:%SZ"
        tick = f"(counter % {spec.cycle})" if spec.cycle > 0 else "counter"
        lines += [
            f"local base = {EPOCH_2000 + run_index * run_span_s}",
            f"local cities = {{{cities}}}",
            "local counter = 0",
            "local threads = 0",
            "function setup(thread)",
            "  threads = threads + 1",
            "  thread:set('thread_index', threads)",
            "end",
            "function init(args)",
            f"  counter = ((thread_index or 1) - 1) * {thread_span_s}",
            "end",
            "function request()",
            "  counter = counter + 1",
            f"  local t = os.date({_lua_string(time_format)}, base + {tick})",
            "  local city = cities[(counter % #cities) + 1]",
            f"  local path = {_lua_concat(spec.path)}",
        ]
        body = _lua_concat(spec.body) if spec.body is not None else "nil"
        lines += [f"  return wrk.format(nil, path, nil, {body})", "end"]
    if stop_after > 0:
        lines += [
            "local answered = 0",
            "function response(status, headers, body)",
            "  answered = answered + 1",
            f"  if answered >= {stop_after} then wrk.thread:stop() end",
            "end",
        ]
    return "\n".join(lines) + "\n"


def find_wrk(*, install: bool = True) -> str:
    """The path of wrk; as root with apt-get, installs Debian's package when it is missing."""
    found = shutil.which("wrk")
    if found:
        return found
    if install and os.geteuid() == 0 and shutil.which("apt-get"):
        print(f"bench: wrk is missing; installing Debian's package {DEBIAN_PACKAGE!r}", flush=True)
        env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
        for command in (
            ["apt-get", "update", "-qq"],
            ["apt-get", "install", "-y", "-qq", DEBIAN_PACKAGE],
        ):
            done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)  # noqa: S603
            if done.returncode != 0:
                raise WrkError(
                    f"{' '.join(command)} failed ({done.returncode}):\n{done.stderr[-2000:]}"
                )
        found = shutil.which("wrk")
        if found:
            return found
    raise WrkError(
        f"the load tool wrk is not installed: install Debian's package {DEBIAN_PACKAGE!r} "
        f"(apt-get install {DEBIAN_PACKAGE}) and run the bench again"
    )


def wrk_version(wrk: str) -> str:
    """The first line of ``wrk -v`` (which exits non-zero after printing it)."""
    done = subprocess.run([wrk, "-v"], capture_output=True, text=True, check=False)  # noqa: S603
    first = (done.stdout or done.stderr).strip().splitlines()
    return first[0] if first else "unknown"


class Wrk:
    """Runs wrk against one base URL; every run gets a fresh script and timestamp span.

    ``run_span_s``: timestamps per run (see ``lua_script``); ``cpus``: run wrk on
    these CPUs only (``taskset -c``), e.g. away from the server under test.
    """

    def __init__(
        self, path: str, workdir: Path, *, run_span_s: int = RUN_SPAN_S, cpus: str | None = None
    ) -> None:
        self.path = path
        self.workdir = workdir
        self.run_span_s = run_span_s
        self.cpus = cpus
        self._runs = itertools.count(1)

    def run(
        self,
        base_url: str,
        spec: RequestSpec,
        *,
        connections: int,
        duration_s: float,
        threads: int = 1,
        stop_after: int = 0,
        until: Callable[[], bool] | None = None,
        timeout_s: int = 30,
    ) -> WrkResult:
        """One run of at most ``duration_s`` (whole seconds, at least 1).

        ``stop_after``: each thread stops sending after that many answers (wrk itself
        still waits out its duration); ``until``: polled twice a second, ends the run
        early (SIGINT, after which wrk prints its report) once it returns True.
        """
        index = next(self._runs)
        threads = max(1, min(threads, connections, MAX_THREADS))
        script = self.workdir / f"wrk-{index:03d}.lua"
        script.write_text(
            lua_script(spec, run_index=index, stop_after=stop_after, run_span_s=self.run_span_s)
        )
        seconds = max(1, round(duration_s))
        pinned = ["taskset", "-c", self.cpus] if self.cpus else []
        command = [
            *pinned,
            self.path,
            "-t",
            str(threads),
            "-c",
            str(connections),
            "-d",
            f"{seconds}s",
            "--timeout",
            f"{timeout_s}s",
            "--latency",
            "-s",
            str(script),
            base_url.rstrip("/") + "/",
        ]
        output = self.workdir / f"wrk-{index:03d}.txt"
        with output.open("w+") as out, (self.workdir / f"wrk-{index:03d}.err").open("w+") as err:
            wrk = subprocess.Popen(  # noqa: S603 (wrk, arguments built here)
                command, stdout=out, stderr=err, text=True, preexec_fn=die_with_parent
            )
            try:
                self._wait(wrk, seconds + timeout_s + 30, until)
            finally:
                if wrk.poll() is None:
                    wrk.kill()
                    wrk.wait()
            out.seek(0)
            err.seek(0)
            stdout, stderr = out.read(), err.read()
        if wrk.returncode != 0 or stderr.strip():
            # wrk goes on after an error in its script, sending GET / instead
            raise WrkError(f"wrk failed ({wrk.returncode}): {stderr.strip()[:2000]}")
        return parse_wrk(stdout)

    @staticmethod
    def _wait(wrk: subprocess.Popen[str], limit_s: float, until: Callable[[], bool] | None) -> None:
        """Wait for wrk; SIGINT (wrk's own early stop, with its report) once ``until()``."""
        deadline = time.monotonic() + limit_s
        interrupted = False
        while wrk.poll() is None:
            if time.monotonic() > deadline:
                raise WrkError("wrk did not finish in time")
            if until is not None and not interrupted and until():
                wrk.send_signal(signal.SIGINT)
                interrupted = True
            with contextlib.suppress(subprocess.TimeoutExpired):
                wrk.wait(timeout=POLL_S)
