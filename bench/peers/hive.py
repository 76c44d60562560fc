"""The peer: Hive Gateway serving a GraphQL Mesh supergraph, one OpenAPI subgraph per city.

Installed from npm at the versions ``bench/peers/package-lock.json`` pins
(``npm ci`` into ``bench/peers/node_modules`` when missing or older than the
lockfile). Each city's platform is described by ``bench/peers/openapi.json``
(``GET /ngsi-ld/v1/entities``, keyValues ``WeatherObserved``); a prefix
transform names its root field ``<city>_queryEntities``, the types stay shared.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from collections.abc import Mapping
from pathlib import Path

from bench.processes import HOST, ProcessGroup, Server, StartError, clean_env, free_port, wait_ready

HERE = Path(__file__).resolve().parent
NODE_MODULES = HERE / "node_modules"
LOCKFILE = HERE / "package-lock.json"
OPENAPI = HERE / "openapi.json"
INSTALLED = NODE_MODULES / ".package-lock.json"
HIVE_BIN = NODE_MODULES / ".bin" / "hive-gateway"
COMPOSE_BIN = NODE_MODULES / ".bin" / "mesh-compose"
PROBE = b'{"query":"{__typename}"}'


class NpmError(RuntimeError):
    """npm or node is missing, or ``npm ci`` failed."""


def ensure_installed() -> None:
    """``npm ci`` in ``bench/peers`` unless node_modules matches the lockfile already."""
    if INSTALLED.exists() and INSTALLED.stat().st_mtime >= LOCKFILE.stat().st_mtime:
        return
    npm = shutil.which("npm")
    if npm is None or shutil.which("node") is None:
        raise NpmError("the peer rows need Node.js 20+ and npm (apt-get install nodejs npm)")
    done = subprocess.run(  # noqa: S603 (npm, arguments fixed here)
        [npm, "ci", "--no-audit", "--no-fund", "--loglevel=error"],
        cwd=HERE,
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise NpmError(f"npm ci in {HERE} failed ({done.returncode}):\n{done.stderr[-2000:]}")


def mesh_config(platforms: Mapping[str, str]) -> str:
    """``mesh.config.ts``: one OpenAPI subgraph per city (id -> base URL), root fields prefixed."""
    subgraphs = "\n".join(
        f"""    {{
      sourceHandler: loadOpenAPISubgraph({json.dumps(city)}, {{
        source: './openapi.json',
        endpoint: {json.dumps(url)},
      }}),
      transforms: [createPrefixTransform({{ value: {json.dumps(city + "_")}, \
includeRootOperations: true, includeTypes: false }})],
    }},"""
        for city, url in platforms.items()
    )
    return (
        "// Written by bench/peers/hive.py: one NGSI-LD platform per subgraph.\n"
        "import { createPrefixTransform, defineConfig } from '@graphql-mesh/compose-cli';\n"
        "import { loadOpenAPISubgraph } from '@omnigraph/openapi';\n\n"
        "export const composeConfig = defineConfig({\n"
        f"  subgraphs: [\n{subgraphs}\n  ],\n}});\n"
    )


def compose(workdir: Path, platforms: Mapping[str, str]) -> Path:
    """The supergraph (``mesh-compose``) of ``platforms``; returns the folder holding only it.

    Hive Gateway would load a ``mesh.config.ts`` found where it runs: it is served
    from a folder of its own.
    """
    folder = workdir / "mesh-compose"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "mesh.config.ts").write_text(mesh_config(platforms))
    shutil.copy(OPENAPI, folder / "openapi.json")
    link = folder / "node_modules"  # the config's imports resolve from its own folder
    if not link.exists():
        link.symlink_to(NODE_MODULES)
    log = workdir / "mesh-compose.log"
    with log.open("wb") as out:
        done = subprocess.run(  # noqa: S603 (mesh-compose from the pinned packages)
            [str(COMPOSE_BIN), "-o", "supergraph.graphql"],
            cwd=folder,
            stdout=out,
            stderr=subprocess.STDOUT,
            env=clean_env(),
            check=False,
        )
    if done.returncode != 0:
        raise StartError(f"mesh-compose failed:\n{log.read_text(errors='replace')[-2000:]}")
    serve = workdir / "hive"
    serve.mkdir(exist_ok=True)
    shutil.copy(folder / "supergraph.graphql", serve / "supergraph.graphql")
    return serve


def start(group: ProcessGroup, serve: Path) -> Server:
    """Hive Gateway (one process, ``NODE_ENV=production``) on a free port of 127.0.0.1."""
    port = free_port()
    argv = [
        str(HIVE_BIN),
        "supergraph",
        str(serve / "supergraph.graphql"),
        "--host",
        HOST,
        "--port",
        str(port),
        "--fork",
        "1",
    ]
    env = clean_env({"NODE_ENV": "production"})
    started = group.start("hive-gateway", argv, env=env, cwd=serve)
    url = f"http://{HOST}:{port}"
    wait_ready(group, started, url + "/graphql", method="POST", body=PROBE)
    return Server(started, url)
