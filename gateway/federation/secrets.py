"""Secrets come from the environment, never from the federation file (docs/auth.md).

The secrets of a city's ``credentials`` section (``adapters.credentials``:
``oauth2.client_secret`` and ``api_key.value``, in ``adapter`` and ``catalogue``)
must be written as ``${NAME}`` references without a default. This is checked on
the file as written, before interpolation; the message never quotes the value.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from gateway.federation.report import Report

SECRET_PATHS = (("oauth2", "client_secret"), ("api_key", "value"))
"""Where a ``credentials`` section holds its secrets."""
_REFERENCE = re.compile(r"(?<!\$)\$\{[A-Za-z_][A-Za-z0-9_]*\}")
_DEFAULT = re.compile(r"(?<!\$)\$\{[^}]*:-")


def report_inline_secrets(report: Report, raw: object) -> None:
    """Report each credential secret of the raw document that is not an environment reference."""
    for key, value in _secrets(raw):
        if not isinstance(value, str):
            continue  # the adapter reports a value of the wrong type
        if _DEFAULT.search(value):
            report.add(key, "a secret must not have a default in the file: write ${NAME}")
        elif not _REFERENCE.search(value):
            report.add(key, "a secret must come from the environment: write ${NAME}, not the value")


def _secrets(raw: object) -> Iterator[tuple[str, object]]:
    cities = raw.get("cities") if isinstance(raw, dict) else None
    if not isinstance(cities, dict):
        return
    for city_id, city in cities.items():
        if not isinstance(city, dict):
            continue
        for section in ("adapter", "catalogue"):
            spec = city.get(section)
            credentials = spec.get("credentials") if isinstance(spec, dict) else None
            if not isinstance(credentials, dict):
                continue
            for kind, name in SECRET_PATHS:
                part = credentials.get(kind)
                if isinstance(part, dict) and name in part:
                    yield f"cities.{city_id}.{section}.credentials.{kind}.{name}", part[name]
