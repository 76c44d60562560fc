"""``caap sim fault``: tell the simulated platforms' control API to misbehave or heal."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from collections.abc import Sequence
from typing import Any, TextIO


def parse_params(params: Sequence[str]) -> dict[str, Any]:
    """``KEY=VALUE`` pairs; values that read as JSON (numbers, booleans) keep their type."""
    out: dict[str, Any] = {}
    for item in params:
        key, sep, value = item.partition("=")
        if not sep or not key:
            raise ValueError(f"parameter {item!r} is not KEY=VALUE")
        try:
            out[key] = json.loads(value)
        except json.JSONDecodeError:
            out[key] = value
    return out


def send_fault(control: str, city: str, mode: str, params: Sequence[str], out: TextIO) -> int:
    """PUT (or DELETE, for mode ``none``) the city's fault; print the answer; 0 on success."""
    try:
        body = {"mode": mode, **parse_params(params)}
    except ValueError as exc:
        print(f"caap sim fault: {exc}", file=out)
        return 2
    url = f"{control.rstrip('/')}/cities/{city}/fault"
    if mode == "none":
        request = urllib.request.Request(url, method="DELETE")  # noqa: S310 (http(s) only)
    else:
        request = urllib.request.Request(  # noqa: S310
            url,
            data=json.dumps(body).encode(),
            method="PUT",
            headers={"Content-Type": "application/json"},
        )
    if not url.startswith(("http://", "https://")):
        print(f"caap sim fault: {control!r} is not an http(s) URL", file=out)
        return 2
    try:
        with urllib.request.urlopen(request, timeout=5) as response:  # noqa: S310
            print(response.read().decode() or f"{city}: healed", file=out)
            return 0
    except urllib.error.HTTPError as exc:
        print(f"caap sim fault: {exc.code}: {exc.read().decode(errors='replace')}", file=out)
        return 1
    except urllib.error.URLError as exc:
        print(f"caap sim fault: cannot reach the control API at {control}: {exc.reason}", file=out)
        return 1
