"""``caap demo``, what ``make run`` starts: simulated platforms for 18 cities, then the gateway.

The simulated platforms run as a separate process (``python -m citysim``): they
stand for the outside world, and the gateway reaches them over loopback HTTP as
it would reach real city platforms. When Debian's mosquitto is installed, the demo
starts it on ``CAAP_SIM_MQTT_PORT`` (9199) and the SensorThings and Lynx simulators
publish there (federation.yaml's ``mqtt_url``); citysim pushes what changed every
``PUSH_TICK_S`` seconds.
"""

from __future__ import annotations

import logging
import os
import signal
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request

from gateway.cli.serve import serve
from gateway.process.settings import Settings

log = logging.getLogger("caap.demo")

PUSH_TICK_S = 10.0
"""How often the simulated platforms push what changed (values change every 60 s bucket)."""
MOSQUITTO = "/usr/sbin/mosquitto"
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
        "--tick",
        str(PUSH_TICK_S),
    ]
    broker = _start_mosquitto(int(os.environ.get("CAAP_SIM_MQTT_PORT", "9199")))
    if broker is not None:
        command += ["--mqtt-url", broker[1]]
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
        for process in (sim, *([broker[0]] if broker is not None else [])):
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()


def _start_mosquitto(port: int) -> tuple[subprocess.Popen[bytes], str] | None:
    """mosquitto on 127.0.0.1:``port`` (anonymous, nothing persisted), or None when it is not
    installed: the SensorThings and Lynx cities are then polled."""
    if not os.path.exists(MOSQUITTO):
        log.warning("mosquitto is not installed: SensorThings and Lynx cities will be polled")
        return None
    config = os.path.join(tempfile.mkdtemp(prefix="caap-demo-mqtt-"), "mosquitto.conf")
    with open(config, "w", encoding="utf-8") as out:
        out.write(f"listener {port} 127.0.0.1\nallow_anonymous true\npersistence false\n")
    process = subprocess.Popen([MOSQUITTO, "-c", config])  # noqa: S603 (fixed binary)
    return process, f"mqtt://127.0.0.1:{port}"


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
