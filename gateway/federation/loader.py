"""Read a federation file into a validated ``Federation``, or report everything wrong with it.

The steps: strict YAML (duplicate keys refused), ``${VAR}`` interpolation of string
values (credential secrets must be references: ``secrets.py``), then each section
checked, the adapter options by the adapter's own ``validate_config``. Problems are
collected, not raised one by one, and come back together in one ``FederationError``,
in file order.
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Mapping
from pathlib import Path

import yaml

from adapters.registry import AdapterRegistry
from gateway.federation import fields
from gateway.federation.cities import parse_cities
from gateway.federation.env_fields import refuse_misplaced_references
from gateway.federation.errors import FederationError, Problem
from gateway.federation.guards_parse import cost_limit_for_size
from gateway.federation.interpolate import Interpolator
from gateway.federation.model import Federation
from gateway.federation.options import parse_audit, parse_auth, parse_gateway
from gateway.federation.report import Report
from gateway.federation.secrets import report_inline_secrets
from gateway.federation.yamlfile import describe_error, read_yaml

_TOP_LEVEL = ("auth", "gateway", "audit", "cities")


def load_federation(
    path: str | Path, registry: AdapterRegistry, env: Mapping[str, str] | None = None
) -> Federation:
    """Load and validate the federation file at ``path``; raises FederationError.

    ``env`` resolves ``${VAR}`` references (default: ``os.environ``).
    """
    source = str(path)
    try:
        data = Path(path).read_bytes()
    except FileNotFoundError:
        raise FederationError([Problem(source, "", "file not found")]) from None
    except OSError as exc:
        message = f"cannot be read: {exc.strerror or exc}"
        raise FederationError([Problem(source, "", message)]) from None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        message = f"not UTF-8 text (line {line}); save the file as UTF-8"
        raise FederationError([Problem(source, "", message)]) from None
    return parse_federation(text, source, registry, env)


def parse_federation(
    text: str,
    source: str,
    registry: AdapterRegistry,
    env: Mapping[str, str] | None = None,
) -> Federation:
    """Validate federation YAML ``text``, named ``source`` in messages; raises FederationError."""
    try:
        document = read_yaml(text)
    except yaml.YAMLError as exc:
        raise FederationError([Problem(source, "", describe_error(exc))]) from None
    report = Report(source, document.lines)
    for key, line, message in document.duplicates:
        report.add(key, message, line=line)
    if document.data is None:
        report.add("", "the file is empty; it needs at least a cities mapping")
        report.raise_if_any()
    refuse_misplaced_references(report, document.data)
    interpolator = Interpolator(os.environ if env is None else env)
    data = interpolator.resolve_tree(document.data, "", report.add)
    report.hide(interpolator.secrets)
    report_inline_secrets(report, document.data)
    if not isinstance(data, dict):
        allowed = fields.allowed_list(_TOP_LEVEL)
        report.add("", f"the top level must be a mapping with keys {allowed}")
        raise FederationError(report.problems)
    top = fields.section(
        report, data, "", required=("cities",), optional=("auth", "gateway", "audit")
    )
    assert top is not None  # data is a mapping
    auth = parse_auth(report, top.get("auth"))
    options = parse_gateway(report, top.get("gateway"))
    audit = parse_audit(report, top.get("audit"))
    cities = parse_cities(report, top, registry, options.deadline_s)
    report.raise_if_any()
    limits = cost_limit_for_size(options.limits, len(cities), top.get("gateway"))
    options = dataclasses.replace(options, limits=limits)
    return Federation(cities=cities, auth=auth, options=options, audit=audit, source=source)
