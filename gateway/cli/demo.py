"""``caap demo``, what ``make run`` starts: simulated platforms for 18 cities, then the gateway.

The simulated platforms run as a separate process (``python -m citysim``): they
stand for the outside world, and the gateway reaches them over loopback HTTP as
it would reach real city platforms. Each city whose entry in the federation file has
an ``mqtt_url`` on this machine (the SensorThings and Lynx cities) gets its own broker
there, as each real platform has its own: when Debian's mosquitto is installed the demo
starts one per such city, and that city's simulator publishes to it; citysim pushes
what changed every ``PUSH_TICK_S`` seconds.
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

import yaml
from yarl import URL

from gateway.cli.serve import serve
from gateway.federation.interpolate import Interpolator
from gateway.process.settings import Settings

log = logging.getLogger("caap.demo")

BUCKET_S = 30.0
"""The simulated values change every 30 s: a subscriber sees every city change within a
minute (the bucket, then the next push tick or the next poll, ``CAAP_LIVE_POLL_S``)."""
PUSH_TICK_S = 5.0
"""How often the simulated platforms push what changed."""
MOSQUITTO = "/usr/sbin/mosquitto"
LOOPBACK = frozenset({"127.0.0.1", "localhost", "::1"})
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
        "--bucket",
        str(BUCKET_S),
        "--tick",
        str(PUSH_TICK_S),
    ]
    brokers = _start_brokers(settings.config_path)
    for city, (_, url) in brokers.items():
        command += ["--city-mqtt-url", f"{city}={url}"]
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
        for process in (sim, *(process for process, _ in brokers.values())):
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()


def _start_brokers(config_path: str) -> dict[str, tuple[subprocess.Popen[bytes], str]]:
    """City id -> its broker process and URL, for every city of the federation file whose
    ``mqtt_url`` names a loopback port; none when mosquitto is not installed (those cities
    are then polled) or the file does not read (the gateway then says why)."""
    urls = _loopback_mqtt_urls(config_path)
    if urls and not os.path.exists(MOSQUITTO):
        log.warning("mosquitto is not installed: SensorThings and Lynx cities will be polled")
        return {}
    return {city: (_start_mosquitto(port), url) for city, (port, url) in urls.items()}


def _loopback_mqtt_urls(config_path: str) -> dict[str, tuple[int, str]]:
    try:
        with open(config_path, encoding="utf-8") as source:
            document = yaml.safe_load(source)
        cities = document["cities"]
        resolve = Interpolator(os.environ).resolve
        urls = {
            city: URL(resolve(entry["adapter"]["mqtt_url"]))
            for city, entry in cities.items()
            if isinstance(entry.get("adapter"), dict) and "mqtt_url" in entry["adapter"]
        }
    except (OSError, yaml.YAMLError, KeyError, TypeError, AttributeError, ValueError):
        return {}
    return {
        city: (url.port, str(url))
        for city, url in urls.items()
        if url.host in LOOPBACK and url.port is not None
    }


def _start_mosquitto(port: int) -> subprocess.Popen[bytes]:
    """mosquitto on 127.0.0.1:``port`` (anonymous, nothing persisted)."""
    config = os.path.join(tempfile.mkdtemp(prefix="caap-demo-mqtt-"), "mosquitto.conf")
    with open(config, "w", encoding="utf-8") as out:
        out.write(f"listener {port} 127.0.0.1\nallow_anonymous true\npersistence false\n")
    return subprocess.Popen(  # noqa: S603 (fixed binary)
        [MOSQUITTO, "-c", config], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )


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
