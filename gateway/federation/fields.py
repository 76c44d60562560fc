"""Checks of single values read from YAML; each reports what is wrong and returns None.

A value that is ``UNRESOLVED`` (its ``${VAR}`` failed) was reported already and is
skipped silently. Messages never quote a string value: it may come from the
environment.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any
from urllib.parse import urlsplit

from gateway.federation.interpolate import UNRESOLVED
from gateway.federation.report import Report

_LOCAL_HOSTS = frozenset({"localhost", "127.0.0.1", "::1"})


def join(parent: str, child: object) -> str:
    """The dotted key of ``child`` inside ``parent``."""
    return f"{parent}.{child}" if parent else str(child)


def allowed_list(names: Iterable[str]) -> str:
    """``a, b, c`` for messages."""
    return ", ".join(names)


def section(
    report: Report,
    value: object,
    key: str,
    *,
    required: tuple[str, ...] = (),
    optional: tuple[str, ...] = (),
) -> Mapping[str, Any] | None:
    """A mapping with only the allowed keys and all required ones."""
    allowed = required + optional
    if value is UNRESOLVED:
        return None
    if not isinstance(value, dict):
        report.add(key, f"must be a mapping with keys {allowed_list(allowed)}")
        return None
    for name in value:
        if name not in allowed:
            report.add(join(key, name), f"unknown key (allowed: {allowed_list(allowed)})")
    for name in required:
        if name not in value:
            report.add(join(key, name), "missing (required)")
    return value


def text(report: Report, value: object, key: str) -> str | None:
    """A non-empty string."""
    if value is UNRESOLVED:
        return None
    if not isinstance(value, str) or not value.strip():
        report.add(key, "must be a non-empty string")
        return None
    return value


def seconds(report: Report, value: object, key: str) -> float | None:
    """A duration: a number (int or float, not bool) greater than zero."""
    if value is UNRESOLVED:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float) or not value > 0:
        report.add(key, "must be a positive number of seconds, such as 5 or 2.5")
        return None
    return float(value)


def positive_int(
    report: Report, value: object, key: str, *, maximum: int | None = None
) -> int | None:
    """A whole number from 1 up to ``maximum``."""
    if value is UNRESOLVED:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        report.add(key, "must be a positive whole number")
        return None
    if maximum is not None and value > maximum:
        report.add(key, f"must be at most {maximum}")
        return None
    return value


def auth_url(report: Report, value: object, key: str) -> str | None:
    """An https URL; plain http only for this machine (localhost, 127.0.0.1, ::1)."""
    url = text(report, value, key)
    if url is None:
        return None
    problem = auth_url_problem(url)
    if problem is not None:
        report.add(key, problem)
        return None
    return url


def auth_url_problem(url: str) -> str | None:
    """What is wrong with ``url`` as the address of an authorization server; None if fine."""
    try:
        parts = urlsplit(url)
        host = parts.hostname
    except ValueError:
        parts, host = None, None
    if parts is None or not host or parts.scheme not in ("https", "http"):
        return "not an https URL"
    if parts.scheme == "http" and host not in _LOCAL_HOSTS:
        return "must use https (http is allowed only for localhost and 127.0.0.1)"
    return None
