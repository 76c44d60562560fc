"""The graphql-http audit suite (npm ``graphql-http``, ``serverAudits``) against the real gateway.

Every audit must pass, warnings included: ``make test`` runs ``npm ci`` here first.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from collections import Counter
from pathlib import Path

from tests.support.federation_files import write_federation
from tests.support.gateway_server import GatewayServer
from tests.support.sim import Sim
from tests.support.unthrottled import unthrottled

HERE = Path(__file__).parent


def test_every_graphql_over_http_audit_passes_without_warnings(sim: Sim, tmp_path: Path) -> None:
    node = shutil.which("node")
    assert node is not None, "node is needed for the GraphQL-over-HTTP audit"
    assert (HERE / "node_modules" / "graphql-http").is_dir(), "run `npm ci` in tests/http_audit"
    # development mode: the audit checks variables with __type, and production mode refuses
    # introspection to anonymous callers; unthrottled: the audit sends ~70 requests at once.
    options = unthrottled(mode="development")
    path = write_federation(tmp_path / "federation.yaml", sim.urls, gateway=options)
    with GatewayServer(str(path)) as gateway:
        run = subprocess.run(  # noqa: S603 (our own script, fixed arguments)
            [node, str(HERE / "audit.mjs"), f"{gateway.url}/graphql"],
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
    assert run.returncode == 0, run.stderr
    results = json.loads(run.stdout)["results"]
    counts = Counter(r["status"] for r in results)
    failed = [
        f"{r['id']} {r['status']}: {r['name']}: {r['reason']}"
        for r in results
        if r["status"] != "ok"
    ]
    assert not failed, "\n".join(failed)
    assert counts["ok"] == len(results) >= 50
    print(f"graphql-http audits: {dict(counts)}")
