"""Start and stop what the bench measures: citysim, the gateway, the bare Starlette endpoint.

Each runs as a subprocess on 127.0.0.1 in a session of its own (so a Ctrl-C on
the terminal reaches the bench, which then stops them in order), and is told by
the kernel to stop should the bench itself die. ``ProcessGroup`` stops whatever
it started, on any exit: SIGTERM to the child's process group, SIGKILL after a
grace period. Output goes to log files in the bench's work directory.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import re
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import IO, Any, Self

from bench import client

ROOT = Path(__file__).resolve().parents[1]
HOST = "127.0.0.1"
STOP_GRACE_S = 10.0
START_TIMEOUT_S = 60.0

_PR_SET_PDEATHSIG = 1
try:
    _LIBC: ctypes.CDLL | None = ctypes.CDLL(None, use_errno=True)
except OSError:  # not Linux: children simply do not get the parent-death signal
    _LIBC = None


class StartError(RuntimeError):
    """A process that did not start; the message ends with the tail of its log."""


def die_with_parent() -> None:
    """In the child, before exec: SIGTERM when the bench process dies (Linux)."""
    if _LIBC is not None:
        _LIBC.prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)


def free_port() -> int:
    """A TCP port on 127.0.0.1 that was free a moment ago."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((HOST, 0))
        port: int = s.getsockname()[1]
        return port


def clean_env(extra: Mapping[str, str] | None = None) -> dict[str, str]:
    """This environment without ``CAAP_*`` (no Redis, no auth override), plus ``extra``."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("CAAP_")}
    env.update(extra or {})
    return env


@dataclass(slots=True)
class Started:
    """One running child and where its output goes."""

    name: str
    popen: subprocess.Popen[bytes]
    log: Path
    stdout: Path | None = None
    """Where its standard output goes when kept apart from the log."""

    @property
    def pid(self) -> int:
        """Its process id (the gateway's, for /proc)."""
        return self.popen.pid

    def tail(self, lines: int = 25) -> str:
        """The end of its log."""
        try:
            text = self.log.read_text(errors="replace")
        except OSError:
            return ""
        return "\n".join(text.splitlines()[-lines:])


class ProcessGroup:
    """Every process the bench started; ``stop_all`` (also on exit) ends them in reverse order."""

    def __init__(self, workdir: Path) -> None:
        self.workdir = workdir
        self._started: list[Started] = []
        self._count = 0

    def start(
        self,
        name: str,
        argv: Sequence[str],
        *,
        env: Mapping[str, str] | None = None,
        separate_stdout: bool = False,
        cwd: Path = ROOT,
    ) -> Started:
        """Start ``argv`` in its own session; its output to a log (stdout to a file of its own)."""
        self._count += 1
        log = self.workdir / f"{self._count:02d}-{name}.log"
        stdout = self.workdir / f"{self._count:02d}-{name}.out" if separate_stdout else None
        with contextlib.ExitStack() as files:
            err: IO[bytes] = files.enter_context(log.open("wb"))
            out: IO[bytes] = files.enter_context(stdout.open("wb")) if stdout else err
            popen = subprocess.Popen(  # noqa: S603 (our own modules, arguments built here)
                list(argv),
                cwd=cwd,
                env=dict(env) if env is not None else None,
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=err,
                start_new_session=True,
                preexec_fn=die_with_parent,
            )
        started = Started(name, popen, log, stdout)
        self._started.append(started)
        return started

    def stop(self, started: Started) -> None:
        """SIGTERM its process group; SIGKILL what is left after the grace period."""
        if started in self._started:
            self._started.remove(started)
        popen = started.popen
        if popen.poll() is None:
            _signal_group(popen.pid, signal.SIGTERM)
            with contextlib.suppress(subprocess.TimeoutExpired):
                popen.wait(timeout=STOP_GRACE_S)
        # the group may hold workers that outlive their supervisor
        _signal_group(popen.pid, signal.SIGKILL)
        with contextlib.suppress(subprocess.TimeoutExpired):
            popen.wait(timeout=STOP_GRACE_S)

    def stop_all(self) -> None:
        """Stop every process still running, the last started first."""
        for started in reversed(list(self._started)):
            self.stop(started)

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop_all()


def _signal_group(pgid: int, sig: signal.Signals) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pgid, sig)


@dataclass(frozen=True, slots=True)
class Sim:
    """Running simulated platforms: city id -> base URL, and the control API."""

    process: Started
    urls: Mapping[str, str]
    control_url: str


_SIM_LINE = re.compile(r"^(\S+)\s+(http://\S+?)(/ngsi-ld/v1/entities|/cities)\s*$")


def start_citysim(
    group: ProcessGroup,
    *,
    latency_s: float,
    entities: int,
    bucket_s: float = 3600.0,
    dialects: str = "demo",
    stagger: bool = False,
) -> Sim:
    """``python -m citysim`` on ephemeral ports; returns once it printed its control line.

    Values change every ``bucket_s`` (the default: never during a row). ``dialects``:
    ``demo`` (some brokers imitate Orion-LD, Stellio, ...) or ``standard``. ``stagger``:
    each city pushes its changes at its own moment of the bucket (citysim/staggered_ticks.py)."""
    argv = [
        sys.executable,
        "-m",
        "citysim",
        "--base-port",
        "0",
        "--control-port",
        "0",
        "--entities",
        str(entities),
        "--latency",
        str(latency_s),
        "--bucket",
        str(bucket_s),
        "--dialects",
        dialects,
        *(["--stagger"] if stagger else []),
    ]
    started = group.start("citysim", argv, env=clean_env(), separate_stdout=True)
    out = started.stdout
    assert out is not None
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        urls: dict[str, str] = {}
        for line in out.read_text(errors="replace").splitlines():
            match = _SIM_LINE.match(line)
            if match is None:
                continue
            if match[1] == "control":
                return Sim(started, urls, match[2])
            urls[match[1]] = match[2]
        if started.popen.poll() is not None:
            break
        time.sleep(0.1)
    group.stop(started)
    raise StartError(f"citysim did not start:\n{started.tail()}")


@dataclass(frozen=True, slots=True)
class Server:
    """A running HTTP server of the bench (the gateway, the bare endpoint)."""

    process: Started
    url: str

    @property
    def pid(self) -> int:
        """The process id (with ``--workers N``, the supervisor of the workers)."""
        return self.process.pid


def wait_ready(
    group: ProcessGroup,
    started: Started,
    url: str,
    *,
    method: str = "GET",
    body: bytes | None = None,
) -> None:
    """Return once ``url`` answers 200; else stop ``started`` and raise StartError."""
    headers = {"Content-Type": "application/json"} if body is not None else None
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        if started.popen.poll() is not None:
            break
        try:
            status, _ = client.request(url, method=method, body=body, headers=headers, timeout_s=2)
            if status == 200:
                return
        except OSError:
            pass
        time.sleep(0.1)
    group.stop(started)
    raise StartError(f"{started.name} did not become ready at {url}:\n{started.tail()}")


def start_gateway(
    group: ProcessGroup, config: Path, *, workers: int, env: Mapping[str, str] | None = None
) -> Server:
    """``caap serve`` for ``config`` (``env``: ``CAAP_*`` settings); returns once ``/readyz``
    answers 200."""
    port = free_port()
    argv = [
        sys.executable,
        "-m",
        "gateway",
        "serve",
        "--config",
        str(config),
        "--host",
        HOST,
        "--port",
        str(port),
        "--workers",
        str(workers),
    ]
    started = group.start("gateway", argv, env=clean_env(env))
    url = f"http://{HOST}:{port}"
    wait_ready(group, started, url + "/readyz")
    return Server(started, url)


def start_bare(group: ProcessGroup, body: Path, *, workers: int) -> Server:
    """``python -m bench.bare``: Starlette under uvicorn answering ``body`` at /graphql."""
    port = free_port()
    argv = [
        sys.executable,
        "-m",
        "bench.bare",
        "--port",
        str(port),
        "--workers",
        str(workers),
        "--body",
        str(body),
    ]
    started = group.start("bare-starlette", argv, env=clean_env())
    url = f"http://{HOST}:{port}"
    wait_ready(group, started, url + "/readyz")
    return Server(started, url)


def write_federation(
    path: Path,
    urls: Mapping[str, str],
    *,
    gateway: Mapping[str, Any] | None = None,
    adapter_options: Mapping[str, Any] | None = None,
    datasets: Callable[[str], Mapping[str, Any]] | None = None,
) -> Path:
    """A federation file of the cities in ``urls``; the demo datasets unless ``datasets``
    (city id -> what it shares) says otherwise (tests' helper)."""
    from tests.support.federation_files import write_federation as write

    return write(path, urls, gateway=gateway, adapter_options=adapter_options, datasets=datasets)
