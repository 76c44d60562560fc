"""``python -m citysim``: run the simulated city platforms, or tell them to misbehave.

::

    python -m citysim [--base-port 9101] [--control-port 9100] [--entities 12]
                      [--latency 0] [--seed 0] [--cities malmo,lund] [--bucket 60]
    python -m citysim fault malmo slow delay_s=1.5
    python -m citysim heal malmo
    python -m citysim status

Ports default to ``CAAP_SIM_BASE_PORT`` (9101) and ``CAAP_SIM_CONTROL_PORT`` (9100);
``--base-port 0`` picks ephemeral ports. The N-th city of municipalities.csv listens
on base port + N - 1.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import signal
import sys
import urllib.error
import urllib.request
from collections.abc import Sequence
from typing import Any

from citysim.cluster import SimCluster
from citysim.ngsi_ld.dialect import DEMO_DIALECTS
from citysim.settings import (
    CONTEXT_STYLES,
    DEFAULT_BASE_PORT,
    DEFAULT_CONTROL_PORT,
    HOST,
    SimSettings,
)
from citysim.shortfalls import DEMO

log = logging.getLogger("citysim")


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point; returns the exit status."""
    args = list(sys.argv[1:] if argv is None else argv)
    if not args or (args[0].startswith("-") and args[0] not in ("-h", "--help")):
        args.insert(0, "serve")
    options = _parser().parse_args(args)
    logging.basicConfig(
        level=options.log_level, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    if options.command == "serve":
        return _serve(options)
    return _control(options)


def _parser() -> argparse.ArgumentParser:
    env_base = int(os.environ.get("CAAP_SIM_BASE_PORT", DEFAULT_BASE_PORT))
    env_control = int(os.environ.get("CAAP_SIM_CONTROL_PORT", DEFAULT_CONTROL_PORT))
    parser = argparse.ArgumentParser(prog="python -m citysim", description=__doc__.split("\n")[0])
    parser.add_argument(
        "--log-level", default="INFO", choices=("DEBUG", "INFO", "WARNING", "ERROR")
    )
    commands = parser.add_subparsers(dest="command", required=True)
    serve = commands.add_parser("serve", help="run the simulated platforms (the default)")
    serve.add_argument(
        "--base-port", type=int, default=env_base, help="first city's port; 0: ephemeral"
    )
    serve.add_argument("--control-port", type=int, default=env_control, help="control API port")
    serve.add_argument("--entities", type=int, default=12, help="entities per type and city")
    serve.add_argument("--latency", type=float, default=0.0, help="seconds added to every answer")
    serve.add_argument("--seed", type=int, default=0)
    serve.add_argument("--bucket", type=float, default=60.0, help="seconds between value changes")
    serve.add_argument("--cities", help="comma-separated city ids (default: all 18)")
    serve.add_argument(
        "--mqtt-url", help="mqtt://host:port the SensorThings and Lynx simulators publish to"
    )
    serve.add_argument(
        "--city-mqtt-url",
        action="append",
        default=[],
        metavar="CITY=URL",
        help="the broker one city publishes to (its own); overrides --mqtt-url for that city",
    )
    serve.add_argument(
        "--tick", type=float, default=0.0, help="seconds between pushes of what changed; 0: none"
    )
    serve.add_argument(
        "--stagger",
        action="store_true",
        help="each city pushes its changes at its own moment of the bucket (the live bench)",
    )
    serve.add_argument("--context-style", choices=CONTEXT_STYLES, default="unified")
    serve.add_argument(
        "--dialects",
        choices=("demo", "standard"),
        default="demo",
        help="demo: the NGSI-LD cities imitate Orion-LD, Stellio, Mintaka, diwise and Scorpio "
        "(citysim.ngsi_ld.dialect.DEMO_DIALECTS); standard: all scorpio but Sundsvall (diwise)",
    )
    serve.add_argument(
        "--shortfalls",
        choices=("none", "demo"),
        default="none",
        help="demo: some cities fall short of the minimum framework (citysim/shortfalls.py)",
    )
    control_url = f"http://{HOST}:{env_control}"
    for name, text in (
        ("fault", "switch a fault on"),
        ("heal", "heal a city"),
        ("status", "show cities"),
    ):
        command = commands.add_parser(name, help=text)
        command.add_argument("--control-url", default=control_url)
        if name != "status":
            command.add_argument("city")
        if name == "fault":
            command.add_argument("mode")
            command.add_argument("params", nargs="*", metavar="name=value")
    return parser


def _serve(options: argparse.Namespace) -> int:
    try:
        settings = SimSettings(
            seed=options.seed,
            entities_per_type=options.entities,
            latency_s=options.latency,
            base_port=options.base_port,
            control_port=options.control_port,
            cities=tuple(options.cities.split(",")) if options.cities else None,
            bucket_s=options.bucket,
            context_style=options.context_style,
            city_dialect=_dialects(options),
            shortfalls=DEMO if options.shortfalls == "demo" else {},
            mqtt_url=options.mqtt_url,
            city_mqtt_url=_pairs(options.city_mqtt_url, "--city-mqtt-url"),
            tick_s=options.tick,
            stagger=options.stagger,
        )
        return asyncio.run(_run(settings))
    except (ValueError, OSError) as exc:
        log.error("cannot start the simulated platforms: %s", exc)
        return 1


def _pairs(values: list[str], flag: str) -> dict[str, str]:
    """``["uppsala=mqtt://...", ...]`` -> ``{"uppsala": "mqtt://..."}``."""
    pairs: dict[str, str] = {}
    for value in values:
        city, sep, url = value.partition("=")
        if not sep or not city or not url:
            raise ValueError(f"{flag} takes CITY=URL, got {value!r}")
        pairs[city] = url
    return pairs


def _dialects(options: argparse.Namespace) -> dict[str, str]:
    if options.dialects != "demo":
        return {}
    running = set(options.cities.split(",")) if options.cities else set(DEMO_DIALECTS)
    return {city: dialect for city, dialect in DEMO_DIALECTS.items() if city in running}


async def _run(settings: SimSettings) -> int:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    async with SimCluster(settings) as cluster:
        width = max(map(len, cluster.urls))
        for city_id, url in cluster.urls.items():
            print(f"{city_id:<{width}}  {url}/ngsi-ld/v1/entities", flush=True)
        print(f"{'control':<{width}}  {cluster.control_url}/cities", flush=True)
        log.info("%d simulated platforms running; Ctrl-C stops them", len(cluster.urls))
        await stop.wait()
    return 0


def _control(options: argparse.Namespace) -> int:
    if options.command == "status":
        method, path, body = "GET", "/cities", None
    elif options.command == "heal":
        method, path, body = "DELETE", f"/cities/{options.city}/fault", None
    else:
        params: dict[str, Any] = {"mode": options.mode}
        for item in options.params:
            name, sep, value = item.partition("=")
            if not sep:
                log.error("parameter %r is not name=value", item)
                return 2
            params[name] = _value(value)
        method, path, body = "PUT", f"/cities/{options.city}/fault", json.dumps(params).encode()
    request = urllib.request.Request(options.control_url + path, data=body, method=method)  # noqa: S310
    try:
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310 (the control API)
            print(response.read().decode())
            return 0
    except urllib.error.HTTPError as exc:
        print(exc.read().decode(), file=sys.stderr)
    except urllib.error.URLError as exc:
        log.error("cannot reach the control API at %s: %s", options.control_url, exc.reason)
    return 1


def _value(text: str) -> Any:
    try:
        return json.loads(text)
    except json.JSONDecodeError:
        return text


if __name__ == "__main__":
    sys.exit(main())
