"""``caap demo``, what ``make run`` starts: simulated platforms for 18 cities, then the gateway.

The simulated platforms run as a separate process (``python -m citysim``): they
stand for the outside world, and the gateway reaches them over loopback HTTP as
it would reach real city platforms.
"""

from __future__ import annotations

import logging
import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request

from gateway.cli.serve import serve
from gateway.process.settings import Settings

log = logging.getLogger("caap.demo")

SIM_BASE_PORT = 9101
"""The first city's port; the demo federation.yaml lists 9101..9118 in municipalities.csv order."""


def run_demo(settings: Settings, entities: int = 12, latency_s: float = 0.0) -> int:
    """Start citysim, wait until it answers, serve the gateway; stop citysim on the way out."""
    control_port = int(os.environ.get("CAAP_SIM_CONTROL_PORT", "9100"))
    command = [
        sys.executable,
        "-m",
        "citysim",
        "--base-port",
        str(SIM_BASE_PORT),
        "--control-port",
        str(control_port),
        "--entities",
        str(entities),
        "--latency",
        str(latency_s),
        "--shortfalls",
        "demo",
    ]
    sim = subprocess.Popen(command)  # noqa: S603 (our own module, fixed arguments)
    # uvicorn re-raises SIGTERM after its graceful shutdown; turn it into SystemExit so
    # the `finally` below still stops the simulated platforms.
    signal.signal(signal.SIGTERM, _exit_on_signal)
    try:
        if not _wait_ready(f"http://127.0.0.1:{control_port}/cities", sim, timeout_s=30.0):
            log.error("the simulated platforms did not start; see the messages above")
            return 1
        print(
            f"\ncaap demo: 18 simulated city platforms on 127.0.0.1:{SIM_BASE_PORT}-"
            f"{SIM_BASE_PORT + 17}, control API on 127.0.0.1:{control_port}\n"
            f"caap demo: GraphQL at http://{settings.host}:{settings.port}/graphql\n",
            flush=True,
        )
        return serve(settings)
    finally:
        sim.terminate()
        try:
            sim.wait(timeout=10)
        except subprocess.TimeoutExpired:
            sim.kill()


def _exit_on_signal(signum: int, frame: object) -> None:
    raise SystemExit(128 + signum)


def _wait_ready(url: str, sim: subprocess.Popen[bytes], timeout_s: float) -> bool:
    """Poll the control API until it answers 200, the process dies, or time runs out."""
    end = time.monotonic() + timeout_s
    while time.monotonic() < end:
        if sim.poll() is not None:
            return False
        try:
            with urllib.request.urlopen(url, timeout=1) as response:  # noqa: S310 (loopback)
                if response.status == 200:
                    return True
        except (urllib.error.URLError, OSError):
            pass
        time.sleep(0.1)
    return False
