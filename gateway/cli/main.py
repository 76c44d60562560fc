"""``caap``: serve | demo | check | assess | schema | adapters | reload | sim fault."""

from __future__ import annotations

import argparse
import asyncio
import logging.config
import os
import sys
from collections.abc import Sequence

from adapters.registry import AdapterRegistry, RegistryError
from gateway.ops.logging_json import dict_config, log_format
from gateway.process.settings import Settings, SettingsError


def main(argv: Sequence[str] | None = None) -> int:
    """Run one sub-command; the exit status is the return value."""
    parser = _parser()
    args = parser.parse_args(argv)
    try:
        settings = Settings.from_env()
    except SettingsError as exc:
        print(f"caap: {exc}", file=sys.stderr)
        return 2
    logging.config.dictConfig(dict_config(settings.log_level, log_format(settings.log_format)))
    code: int = args.run(args, settings)
    return code


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="caap", description="caap-gateway: one GraphQL endpoint over the CaaP cities."
    )
    sub = parser.add_subparsers(required=True, metavar="COMMAND")

    serve = sub.add_parser("serve", help="run the gateway for a federation file")
    _listen_options(serve)
    serve.add_argument("--workers", type=int, default=1, help="worker processes (default 1)")
    serve.set_defaults(run=_serve)

    demo = sub.add_parser(
        "demo", help="simulated platforms for all 18 cities, and the gateway in front of them"
    )
    _listen_options(demo)
    demo.add_argument("--entities", type=int, default=12, help="entities per type and city")
    demo.add_argument("--latency", type=float, default=0.0, help="platform latency, seconds")
    demo.set_defaults(run=_demo)

    check = sub.add_parser("check", help="validate a federation file and probe each city")
    check.add_argument("--config", help="federation file (default $CAAP_CONFIG)")
    check.add_argument("--no-probe", action="store_true", help="validate only; call no city")
    check.set_defaults(run=_check)

    assess = sub.add_parser(
        "assess", help="measure each city against the minimum framework (docs/assessment.md)"
    )
    assess.add_argument("--config", help="federation file (default $CAAP_CONFIG)")
    assess.add_argument("--city", action="append", default=[], help="only this city (repeat)")
    assess.add_argument("--format", choices=("text", "json", "html"), default="text")
    assess.add_argument("--profile", help="profile file (default profiles/minimum-framework.yaml)")
    assess.set_defaults(run=_assess)

    schema = sub.add_parser("schema", help="print the GraphQL SDL of the gateway's schema")
    schema.set_defaults(run=_schema)

    adapters = sub.add_parser("adapters", help="list the registered adapter kinds")
    adapters.set_defaults(run=_adapters)

    reload = sub.add_parser(
        "reload", help="make a running gateway reload its federation file (loopback only)"
    )
    reload.add_argument(
        "--url", help="the gateway's base URL (default http://127.0.0.1:$CAAP_PORT)"
    )
    reload.set_defaults(run=_reload)

    sim = sub.add_parser("sim", help="control the simulated platforms of the demo")
    sim_sub = sim.add_subparsers(required=True, metavar="ACTION")
    fault = sim_sub.add_parser("fault", help="make a city misbehave, or heal it (mode 'none')")
    fault.add_argument("city", help="city id, e.g. malmo")
    fault.add_argument(
        "mode",
        help="down | hang | slow | error | garbage | 429 | trickle | truncated | "
        "wrong_content_type | huge | redirect | flapping | none",
    )
    fault.add_argument(
        "params", nargs="*", metavar="KEY=VALUE", help="mode parameters, e.g. delay_s=1.5"
    )
    fault.add_argument(
        "--control",
        default=f"http://127.0.0.1:{os.environ.get('CAAP_SIM_CONTROL_PORT', '9100')}",
        help="control API base URL",
    )
    fault.set_defaults(run=_sim_fault)
    _describe(sub)
    _describe(sim_sub)
    return parser


def _describe(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """``caap COMMAND --help`` opens with what the command does (its one-line help)."""
    for action in sub._choices_actions:
        parser = sub.choices[action.dest]
        if parser.description is None and action.help:
            parser.description = action.help[0].upper() + action.help[1:] + "."


def _listen_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--config", help="federation file (default $CAAP_CONFIG or ./federation.yaml)")
    p.add_argument("--host", help="listen address (default $CAAP_HOST or 127.0.0.1)")
    p.add_argument("--port", type=int, help="listen port (default $CAAP_PORT or 8000)")


def _apply(args: argparse.Namespace, settings: Settings) -> Settings:
    """Command-line options override the environment; workers read it back."""
    if getattr(args, "config", None):
        os.environ["CAAP_CONFIG"] = args.config
    if getattr(args, "host", None):
        os.environ["CAAP_HOST"] = args.host
    if getattr(args, "port", None) is not None:
        os.environ["CAAP_PORT"] = str(args.port)
    return Settings.from_env()


def _serve(args: argparse.Namespace, settings: Settings) -> int:
    from gateway.cli.serve import serve

    return serve(_apply(args, settings), workers=args.workers)


def _demo(args: argparse.Namespace, settings: Settings) -> int:
    from gateway.cli.demo import run_demo

    return run_demo(_apply(args, settings), entities=args.entities, latency_s=args.latency)


def _assess(args: argparse.Namespace, settings: Settings) -> int:
    from gateway.assessment.command import main_assess

    registry = AdapterRegistry.from_entry_points()
    config = args.config or settings.config_path
    return main_assess(config, registry, args.city, args.format, args.profile)


def _check(args: argparse.Namespace, settings: Settings) -> int:
    from gateway.cli.check import run_check

    path = args.config or settings.config_path
    try:
        registry = AdapterRegistry.from_entry_points()
    except RegistryError as exc:
        print(f"caap check: {exc}", file=sys.stderr)
        return 1
    return asyncio.run(run_check(path, registry, probe=not args.no_probe, out=sys.stdout))


def _schema(args: argparse.Namespace, settings: Settings) -> int:
    from gateway.graphql.schema import build_schema

    print(build_schema().as_str())
    return 0


def _adapters(args: argparse.Namespace, settings: Settings) -> int:
    try:
        registry = AdapterRegistry.from_entry_points()
    except RegistryError as exc:
        print(f"caap adapters: {exc}", file=sys.stderr)
        return 1
    kinds = registry.kinds()
    width = max((len(k) for k in kinds), default=4)
    for kind, entry in kinds.items():
        print(f"{kind:<{width}}  {entry.origin}")
    return 0


def _reload(args: argparse.Namespace, settings: Settings) -> int:
    from gateway.cli.reload_client import request_reload

    url = args.url or f"http://127.0.0.1:{settings.port}"
    return request_reload(url, out=sys.stdout)


def _sim_fault(args: argparse.Namespace, settings: Settings) -> int:
    from gateway.cli.sim_control import send_fault

    return send_fault(args.control, args.city, args.mode, args.params, out=sys.stdout)


if __name__ == "__main__":
    raise SystemExit(main())
