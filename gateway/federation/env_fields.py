"""Which fields of a federation file take ``${VAR}`` references (Finding L9).

Two kinds of field do; every other field refuses a reference, so a variable
of the gateway's environment cannot be copied into a name, a policy or a
message:

- credential fields hold secrets: anything under a ``credentials`` or
  ``headers`` section, a key named like a secret (``*secret*``, ``*token*``,
  ``*key*``, ``*password*``), and ``client_id``;
- address fields say where a server is: ``url``, ``*_url``, ``*_uri``,
  ``endpoint``, ``issuer``, ``host``. They are sent over the network (and
  ``caap check`` probes them), so they take no secret: no variable named like
  one, and none that a credential field of the file uses.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from gateway.federation.interpolate import UNRESOLVED
from gateway.federation.report import Report

_REFERENCE = re.compile(r"(?<!\$)\$\{(?P<name>[A-Za-z_][A-Za-z0-9_]*)?")
_CREDENTIAL_KEY = re.compile(r"secret|token|key|password|passwd|client_id", re.IGNORECASE)
_CREDENTIAL_SECTIONS = frozenset({"credentials", "headers"})
_ADDRESS_KEY = re.compile(r"^(url|endpoint|issuer|host)$|_(url|uri)$", re.IGNORECASE)
_SECRET_NAME = re.compile(r"SECRET|TOKEN|KEY|PASSWORD|PASSWD|CREDENTIAL", re.IGNORECASE)


def refuse_misplaced_references(report: Report, raw: object) -> None:
    """Report each ``${VAR}`` of the raw document in a field that takes none, or a secret
    variable in an address field, and set that field to UNRESOLVED (it is not resolved).
    Messages name keys and variables, never values."""
    strings = list(_strings(raw, (), set()))
    secret_vars = {
        name for path, text, _ in strings if _kind(path) == "credential" for name in _names(text)
    }
    for path, text, (container, slot) in strings:
        names = _names(text)
        if not names and not _REFERENCE.search(text):
            continue
        key, kind = _dotted(path), _kind(path)
        if kind is None:
            report.add(key, "takes no ${...} reference (only credential and address fields do)")
            container[slot] = UNRESOLVED
        elif kind == "address":
            secret = [n for n in names if _SECRET_NAME.search(n) or n in secret_vars]
            for name in secret:
                report.add(
                    key,
                    f"${{{name}}} looks like a secret: an address takes no secret "
                    "(put secrets in credential fields)",
                )
            if secret:
                container[slot] = UNRESOLVED


def _kind(path: Path) -> str | None:
    keys = [p for p in path if isinstance(p, str)]
    if not keys:
        return None
    if _CREDENTIAL_SECTIONS & set(keys[:-1]) or _CREDENTIAL_KEY.search(keys[-1]):
        return "credential"
    if _ADDRESS_KEY.search(keys[-1]):
        return "address"
    return None


def _names(text: str) -> list[str]:
    return [m.group("name") for m in _REFERENCE.finditer(text) if m.group("name")]


Path = tuple[str | int, ...]
Slot = tuple[Any, Any]
"""A container and the key or index of a string in it."""


def _strings(value: object, path: Path, seen: set[int]) -> Iterator[tuple[Path, str, Slot]]:
    if id(value) in seen:  # shared through a YAML alias: checked where it is first
        return
    items: list[tuple[Any, Path]]
    if isinstance(value, dict):
        items = [(k, (*path, str(k))) for k in value]
    elif isinstance(value, list):
        items = [(i, (*path, i)) for i in range(len(value))]
    else:
        return
    seen.add(id(value))
    for slot, child_path in items:
        child = value[slot]
        if isinstance(child, str):
            yield child_path, child, (value, slot)
        else:
            yield from _strings(child, child_path, seen)


def _dotted(path: Path) -> str:
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else part)
    return out
