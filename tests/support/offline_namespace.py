"""Run a Python module in a new network namespace with only loopback up (``unshare --net``)
and read the JSON it prints last: how the browser tests show that a page needs no network."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
OFFLINE_NAMESPACE = ["unshare", "--net", "--map-root-user", "--"]


def run_offline(module: str, *args: str, timeout_s: float = 240) -> dict[str, Any]:
    """``python -m module args...`` offline, from the repository's root; its last line, parsed."""
    assert shutil.which("unshare"), "util-linux's unshare is needed"
    assert shutil.which("ip"), "iproute2's ip is needed"
    script = 'ip link set lo up && exec "$@"'
    done = subprocess.run(  # noqa: S603 (our own command line)
        [*OFFLINE_NAMESPACE, "sh", "-c", script, "sh", sys.executable, "-m", module, *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=timeout_s,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    result: dict[str, Any] = json.loads(done.stdout.splitlines()[-1])
    return result
