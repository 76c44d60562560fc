"""Where istSOS4 (github.com/istSOS/istSOS4, Apache-2.0) comes from for the tests, and its
virtualenv.

The source is looked for, in order: ``$CAAP_ISTSOS4_DIR``; ``<repo>/../shared/third_party/
istsos4``; the same beside the repository ``git config remote.origin.url`` names when that
is a local path (a fresh ``git clone /work/main /tmp/x`` still finds ``/work/shared``); a
clone of the pinned commit in the cache directory. Nothing of it is ever written to: the
API runs from where it is, without bytecode files.

The API's own virtualenv (``api/requirements.txt`` from the package index) is built once in
the cache directory (``$XDG_CACHE_HOME`` or ``~/.cache``, ``caap-gateway/``), keyed by the
requirements' hash, so later runs reuse it.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
PINNED_COMMIT = "4924510d9bb2d919fea6bf63cc6a4d72182ad4fa"
UPSTREAM = "https://github.com/istSOS/istSOS4.git"
ENV_DIR = "CAAP_ISTSOS4_DIR"
SHARED = Path("shared/third_party/istsos4")


class Unavailable(Exception):
    """istSOS4 cannot be had here; the message says what is missing and how to provide it."""


def cache_dir() -> Path:
    """``$XDG_CACHE_HOME/caap-gateway`` (``~/.cache/caap-gateway``)."""
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "caap-gateway"


def _is_istsos4(path: Path) -> bool:
    return (path / "api" / "requirements.txt").is_file() and (
        path / "database" / "istsos_schema.sql"
    ).is_file()


def _origin_dir() -> Path | None:
    """The directory holding the repository ``remote.origin.url`` names, when it is local."""
    try:
        done = subprocess.run(
            ["git", "config", "remote.origin.url"],  # noqa: S607 - git from PATH
            cwd=REPO,
            capture_output=True,
            text=True,
            timeout=10,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    url = done.stdout.strip().removeprefix("file://")
    if not url or "://" in url or (":" in url and not url.startswith("/")):
        return None
    origin = (REPO / url).resolve()
    return origin.parent if origin.is_dir() else None


def _clone() -> Path:
    """The pinned commit cloned into the cache directory (once)."""
    target = cache_dir() / f"istsos4-{PINNED_COMMIT[:12]}"
    if _is_istsos4(target):
        return target
    if shutil.which("git") is None:
        raise Unavailable("git is not installed")
    target.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=target.parent) as work:
        steps = (
            ["git", "init", "-q", work],
            ["git", "-C", work, "fetch", "-q", "--depth", "1", UPSTREAM, PINNED_COMMIT],
            ["git", "-C", work, "checkout", "-q", "FETCH_HEAD"],
        )
        for step in steps:
            done = subprocess.run(step, capture_output=True, text=True, timeout=300, check=False)  # noqa: S603
            if done.returncode != 0:
                raise Unavailable(f"cloning {UPSTREAM} failed: {done.stderr.strip()[:300]}")
        shutil.rmtree(Path(work) / ".git")
        os.replace(work, target)
    return target


def locate() -> Path:
    """The istSOS4 source directory; ``Unavailable`` says what was tried."""
    tried: list[str] = []
    candidates: list[Path] = []
    if os.environ.get(ENV_DIR):
        candidates.append(Path(os.environ[ENV_DIR]))
    candidates.append(REPO.parent / SHARED)
    origin = _origin_dir()
    if origin is not None:
        candidates.append(origin / SHARED)
    for candidate in candidates:
        if _is_istsos4(candidate):
            return candidate.resolve()
        tried.append(str(candidate))
    try:
        return _clone()
    except Unavailable as exc:
        tried.append(f"a clone of {UPSTREAM} at {PINNED_COMMIT[:12]} ({exc})")
    raise Unavailable(
        "istSOS4's source was not found; tried " + "; ".join(tried) + f". Set {ENV_DIR} to a "
        f"checkout of {UPSTREAM} at commit {PINNED_COMMIT} (its api/ and database/)"
    )


def virtualenv(source: Path) -> Path:
    """The python of a virtualenv with istSOS4's API requirements, built once per hash."""
    requirements = source / "api" / "requirements.txt"
    digest = hashlib.sha256(requirements.read_bytes()).hexdigest()[:16]
    venv = cache_dir() / f"istsos4-venv-{digest}"
    python = venv / "bin" / "python"
    if (venv / ".complete").is_file():
        return python
    venv.parent.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix="istsos4-venv-", dir=venv.parent))
    try:
        base = getattr(sys, "_base_executable", sys.executable)
        _run([base, "-m", "venv", str(work)], "creating istSOS4's virtualenv")
        _run(
            [str(work / "bin" / "python"), "-m", "pip", "install", "--quiet",
             "--disable-pip-version-check", "-r", str(requirements)],
            "installing istSOS4's requirements (api/requirements.txt)",
        )  # fmt: skip
        (work / ".complete").touch()
        shutil.rmtree(venv, ignore_errors=True)
        os.replace(work, venv)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return python


def _run(args: list[str], what: str) -> None:
    done = subprocess.run(args, capture_output=True, text=True, timeout=900, check=False)  # noqa: S603
    if done.returncode != 0:
        raise Unavailable(f"{what} failed: {(done.stderr or done.stdout).strip()[-600:]}")
