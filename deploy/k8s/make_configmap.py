"""Write configmap.yaml from the federation file: ``python deploy/k8s/make_configmap.py``."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

HERE = Path(__file__).parent
HEADER = """\
# The federation file, as `kubectl create configmap caap-federation --from-file=federation.yaml`
# makes it; regenerate with `python deploy/k8s/make_configmap.py` after changing it.
# Gateways pick up a changed ConfigMap by watching the mounted file (CAAP_RELOAD_WATCH_S).
"""


class _Block(str):
    """A string dumped as a YAML literal block."""


def _block(dumper: yaml.SafeDumper, value: _Block) -> Any:
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style="|")


def render(federation: str) -> str:
    """The ConfigMap manifest holding ``federation`` as ``federation.yaml``."""
    yaml.SafeDumper.add_representer(_Block, _block)
    manifest = {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": {
            "name": "caap-federation",
            "labels": {"app.kubernetes.io/name": "caap-gateway"},
        },
        "data": {"federation.yaml": _Block(federation)},
    }
    return HEADER + yaml.safe_dump(manifest, sort_keys=False, allow_unicode=True, width=200)


if __name__ == "__main__":
    source = (HERE.parents[1] / "federation.yaml").read_text(encoding="utf-8")
    (HERE / "configmap.yaml").write_text(render(source), encoding="utf-8")
