"""Where the ETSI NGSI-LD test suite is, a patched working copy of it, and its virtualenv.

The suite is looked for in ``CAAP_ETSI_SUITE_DIR``, else ``<repo>/../shared/third_party/
ngsi-ld-test-suite``, else the same path beside the repository ``origin`` points to
when that is a local directory (a fresh clone of /work/main finds /work/shared). It
is never edited in place: the run copies it to a temporary directory and writes
``resources/variables.py`` there. Robot Framework and the suite's requirements live
in their own virtualenv (``.venv-etsi/``, ignored by git), built on first use.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import venv
from pathlib import Path

SUITE_ENV = "CAAP_ETSI_SUITE_DIR"
RELATIVE = Path("shared/third_party/ngsi-ld-test-suite")
CORE_CONTEXT = "https://uri.etsi.org/ngsi-ld/v1/ngsi-ld-core-context-v1.8.jsonld"
SUITE_CONTEXT = (
    "https://raw.githubusercontent.com/marek-mraz/ngsi-ld-test-suite/main/resources/"
    "jsonld-contexts/ngsi-ld-test-suite-compound.jsonld"
)


class SuiteMissing(RuntimeError):
    """The suite (or what it needs) cannot be found; the message says what to do."""


def locate(repo: Path) -> Path:
    """The suite's directory; raises ``SuiteMissing`` naming every place looked at."""
    tried: list[Path] = []
    given = os.environ.get(SUITE_ENV)
    if given:
        tried.append(Path(given))
    tried.append(repo.parent / RELATIVE)
    origin = _origin(repo)
    if origin is not None:
        tried.append(origin.parent / RELATIVE)
    for candidate in tried:
        if (candidate / "TP").is_dir() and (candidate / "requirements.txt").is_file():
            return candidate.resolve()
    places = "\n  ".join(str(p) for p in tried)
    raise SuiteMissing(
        "the ETSI NGSI-LD test suite (a directory with TP/ and requirements.txt) was not found in:"
        f"\n  {places}\nSet {SUITE_ENV} to its directory."
    )


def _origin(repo: Path) -> Path | None:
    try:
        url = subprocess.run(
            ["git", "config", "remote.origin.url"],  # noqa: S607 - git from PATH
            cwd=repo,
            capture_output=True,
            text=True,
            check=False,
        ).stdout.strip()
    except OSError:
        return None
    if not url or "://" in url or url.startswith("git@"):
        return Path(url.removeprefix("file://")) if url.startswith("file://") else None
    path = Path(url)
    return (repo / path).resolve() if not path.is_absolute() else path


def working_copy(suite: Path, into: Path, broker_url: str) -> Path:
    """A copy of ``suite`` under ``into`` whose variables point at ``broker_url``."""
    copy = into / "ngsi-ld-test-suite"
    shutil.copytree(suite, copy, ignore=shutil.ignore_patterns(".git", "__pycache__", "results"))
    variables = copy / "resources" / "variables.py"
    variables.write_text(
        f"url = {broker_url!r}\n"
        f"temporal_api_url = {broker_url!r}\n"
        f"ngsild_test_suite_context = {SUITE_CONTEXT!r}\n"
        "notification_server_host = '127.0.0.1'\n"
        "notification_server_port = 8085\n"
        "mqtt_broker_host = '127.0.0.1'\n"
        "mqtt_broker_non_default_port = 8085\n"
        "context_source_host = '127.0.0.1'\n"
        "context_source_port = 8086\n"
        "context_server_host = '127.0.0.1'\n"
        "context_server_port = 8087\n"
        f"core_context = {CORE_CONTEXT!r}\n"
        "delete_temporal_on_core_delete = True\n",
        encoding="utf-8",
    )
    return copy


def robot(repo: Path, suite: Path) -> Path:
    """The ``robot`` of ``.venv-etsi`` (built, or rebuilt when requirements changed)."""
    env_dir = repo / ".venv-etsi"
    requirements = (suite / "requirements.txt").read_text(encoding="utf-8")
    stamp = env_dir / ".requirements-sha256"
    digest = hashlib.sha256(requirements.encode()).hexdigest()
    binary = env_dir / "bin" / "robot"
    if binary.exists() and stamp.exists() and stamp.read_text(encoding="utf-8") == digest:
        return binary
    print(f"building {env_dir} (Robot Framework and the suite's requirements)", file=sys.stderr)
    venv.create(env_dir, with_pip=True, clear=True)
    local = env_dir / "src" / "robotframework-httpctrl"
    shutil.copytree(suite / "libraries" / "robotframework-httpctrl", local)
    lines = [
        str(local) if line.strip().startswith("-e ./libraries/") else line
        for line in requirements.splitlines()
    ]
    pinned = env_dir / "requirements.txt"
    pinned.write_text("\n".join(lines) + "\n", encoding="utf-8")
    pip = [str(env_dir / "bin" / "python"), "-m", "pip", "install", "--quiet"]
    subprocess.run([*pip, "-r", str(pinned)], check=True)  # noqa: S603 - our own pip
    stamp.write_text(digest, encoding="utf-8")
    return binary
