"""A gateway with tokens from a test issuer and its audit lines in a file of a test's folder."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from tests.support.auth_server import AUDIENCE, AuthServer
from tests.support.federation_files import write_federation
from tests.support.gateway_server import GatewayServer


@contextmanager
def audited_gateway(
    urls: Mapping[str, str], idp: AuthServer, folder: Path, **gateway: Any
) -> Iterator[GatewayServer]:
    """The gateway over ``urls``, no rate limit, ``gateway`` options added; the audit log is
    ``folder / "audit.jsonl"``."""
    path = write_federation(
        folder / "federation.yaml",
        urls,
        gateway={"rate_limit": {"requests_per_s": 0}, **gateway},
        auth={"issuer": idp.issuer, "audience": AUDIENCE},
        audit={"file": str(folder / "audit.jsonl")},
    )
    with GatewayServer(str(path)) as server:
        yield server
