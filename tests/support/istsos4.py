"""A real istSOS4 (an OGC SensorThings API 1.1 server) for the tests: PostgreSQL with PostGIS,
istSOS4's schema, and its FastAPI app under uvicorn, all on free loopback ports.

::

    with IstSOS4() as server:
        server.root        # http://127.0.0.1:PORT/istsos4/v1.1

The database is a throw-away cluster (``initdb`` from Debian's PostgreSQL 15) in a
temporary directory, run as the ``postgres`` user when the tests run as root
(PostgreSQL refuses root). The schema is istSOS4's own, less its two TimescaleDB
statements; names need not be unique (``custom.duplicates=1``): citysim's
Locations and Datastreams repeat names across entity types. Everything started is
stopped on exit. ``Unavailable`` (from ``istsos4_source`` or here) says what is missing.
"""

from __future__ import annotations

import os
import pwd
import re
import shutil
import subprocess
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from types import TracebackType
from typing import TypeVar

import httpx

from tests.support.istsos4_source import Unavailable, locate, virtualenv
from tests.support.redis_server import free_port

T = TypeVar("T")
PG_BIN = Path(os.environ.get("CAAP_PG_BIN", "/usr/lib/postgresql/15/bin"))
PACKAGES = "postgresql postgresql-15-postgis-3"
SUBPATH = "/istsos4"
VERSION = "/v1.1"
STARTUP_TIMEOUT_S = 60.0
SETTINGS = {
    "custom.network": "0",
    "custom.versioning": "0",
    "custom.authorization": "0",
    "custom.duplicates": "1",
    "custom.epsg": "4326",
    "custom.user": "admin",
    "custom.password": "admin",
}
"""What istSOS4's compose file passes to its database (names may repeat)."""
_TIMESCALE = re.compile(
    r"^CREATE EXTENSION IF NOT EXISTS timescaledb;$|^SELECT create_hypertable\(.*?\);$",
    re.MULTILINE | re.DOTALL,
)


def schema_without_timescale(text: str) -> str:
    """istSOS4's schema less ``CREATE EXTENSION timescaledb`` and ``create_hypertable``."""
    stripped, removed = _TIMESCALE.subn("", text)
    if removed != 2:
        raise Unavailable(f"istSOS4's schema changed: {removed} TimescaleDB statements, not 2")
    return stripped


class IstSOS4:
    """PostgreSQL + PostGIS + istSOS4's API; ``start`` returns once the API answers."""

    def __init__(self) -> None:
        self.source = locate()
        self.timings: dict[str, float] = {}
        """Seconds each start-up step took (virtualenv, database, schema, api)."""
        self._dir: Path | None = None
        self._api: subprocess.Popen[bytes] | None = None
        self._pg_started = False
        self._user = _unprivileged_user()
        self.pg_port = 0
        self.port = 0

    @property
    def root(self) -> str:
        """The service root, ``http://127.0.0.1:PORT/istsos4/v1.1``."""
        return f"http://127.0.0.1:{self.port}{SUBPATH}{VERSION}"

    def start(self) -> None:
        """Start the database and the API; on failure nothing is left running."""
        try:
            python = self._timed("virtualenv", lambda: virtualenv(self.source))
            self._timed("database", self._start_database)
            self._timed("schema", self._load_schema)
            self._timed("api", lambda: self._start_api(python))
        except BaseException:
            self.stop()
            raise

    def stop(self) -> None:
        """Stop the API and the database, remove the cluster."""
        if self._api is not None:
            self._api.terminate()
            try:
                self._api.wait(10)
            except subprocess.TimeoutExpired:
                self._api.kill()
                self._api.wait()
            self._api = None
        if self._pg_started and self._dir is not None:
            self._pg("pg_ctl", "-D", str(self._dir / "data"), "-m", "immediate", "-w", "stop")
            self._pg_started = False
        if self._dir is not None:
            shutil.rmtree(self._dir, ignore_errors=True)
            self._dir = None

    def api_log(self) -> str:
        """The last lines the API wrote (for a failing test's message)."""
        if self._dir is None or not (self._dir / "api.log").exists():
            return ""
        return (self._dir / "api.log").read_text(errors="replace")[-3000:]

    # --- steps -----------------------------------------------------------------------------

    def _timed(self, step: str, run: Callable[[], T]) -> T:
        started = time.perf_counter()
        result = run()
        self.timings[step] = time.perf_counter() - started
        return result

    def _start_database(self) -> None:
        for binary in ("initdb", "pg_ctl", "psql"):
            if not (PG_BIN / binary).is_file():
                raise Unavailable(
                    f"PostgreSQL 15 is not installed ({PG_BIN / binary} is missing); "
                    f"run `make system-deps` (apt-get install -y {PACKAGES})"
                )
        if not Path("/usr/share/postgresql/15/extension/postgis.control").is_file():
            raise Unavailable(
                f"PostGIS for PostgreSQL 15 is not installed; run `make system-deps` "
                f"(apt-get install -y {PACKAGES})"
            )
        self._dir = Path(tempfile.mkdtemp(prefix="caap-istsos4-"))
        if self._user is not None:
            os.chown(self._dir, self._user.pw_uid, self._user.pw_gid)
        data = self._dir / "data"
        self._pg("initdb", "-D", str(data), "-U", "postgres", "--auth=trust", "-E", "UTF8",
                 "--locale=C.UTF-8")  # fmt: skip
        options = ["-h 127.0.0.1", f"-k {self._dir}", "-c fsync=off", "-c full_page_writes=off"]
        options += [f"-c {k}={v}" for k, v in SETTINGS.items()]
        for _ in range(5):  # the port may be taken between choosing and binding it
            port = free_port()
            started = self._pg(
                "pg_ctl", "-D", str(data), "-l", str(self._dir / "postgres.log"), "-w",
                "-t", "60", "-o", " ".join([*options, f"-p {port}"]), "start",
                check=False,
            )  # fmt: skip
            if started:
                self.pg_port, self._pg_started = port, True
                return
        log = (self._dir / "postgres.log").read_text(errors="replace")[-2000:]
        raise RuntimeError(f"PostgreSQL did not start:\n{log}")

    def _load_schema(self) -> None:
        assert self._dir is not None
        schema = self._dir / "istsos_schema.sql"
        schema.write_text(
            schema_without_timescale(
                (self.source / "database" / "istsos_schema.sql").read_text(encoding="utf-8")
            ),
            encoding="utf-8",
        )
        auth = self._dir / "istsos_auth.sql"
        shutil.copyfile(self.source / "database" / "istsos_auth.sql", auth)
        if self._user is not None:
            for path in (schema, auth):
                os.chown(path, self._user.pw_uid, self._user.pw_gid)
        self._psql("postgres", "-c", "CREATE DATABASE istsos")
        self._psql("istsos", "-f", str(schema))
        self._psql("istsos", "-f", str(auth))

    def _start_api(self, python: Path) -> None:
        assert self._dir is not None
        env = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "PYTHONDONTWRITEBYTECODE": "1",
            "SUBPATH": SUBPATH,
            "VERSION": VERSION,
            "POSTGRES_HOST": "127.0.0.1",
            "POSTGRES_DB": "istsos",
            "AUTHORIZATION": "0",
            "PG_POOL_SIZE": "4",
            "ISTSOS_ADMIN": SETTINGS["custom.user"],
            "ISTSOS_ADMIN_PASSWORD": SETTINGS["custom.password"],
        }
        for _ in range(5):
            self.port = free_port()
            env["POSTGRES_PORT"] = str(self.pg_port)
            env["HOSTNAME"] = f"http://127.0.0.1:{self.port}"
            with (self._dir / "api.log").open("wb") as log:
                self._api = subprocess.Popen(  # noqa: S603 - our own virtualenv's python
                    [str(python), "-m", "uvicorn", "app.main:app", "--host", "127.0.0.1",
                     "--port", str(self.port), "--log-level", "warning"],
                    cwd=self.source / "api", env=env, stdout=log, stderr=subprocess.STDOUT,
                )  # fmt: skip
            if self._answers():
                return
            self._api.kill()
            self._api.wait()
            self._api = None
        raise RuntimeError(f"istSOS4's API did not start:\n{self.api_log()}")

    def _answers(self) -> bool:
        deadline = time.monotonic() + STARTUP_TIMEOUT_S
        while time.monotonic() < deadline:
            assert self._api is not None
            if self._api.poll() is not None:
                return False
            try:
                if httpx.get(self.root, timeout=2.0).status_code == 200:
                    return True
            except httpx.TransportError:
                pass
            time.sleep(0.05)  # polling for readiness, not waiting for an outcome
        return False

    # --- PostgreSQL as its own user --------------------------------------------------------

    def _psql(self, database: str, *args: str) -> None:
        assert self._dir is not None
        self._pg("psql", "-q", "-X", "-v", "ON_ERROR_STOP=1", "-h", "127.0.0.1",
                 "-p", str(self.pg_port), "-U", "postgres", "-d", database, *args)  # fmt: skip

    def _pg(self, binary: str, *args: str, check: bool = True) -> bool:
        command = [str(PG_BIN / binary), *args]
        if self._user is not None:
            command = ["runuser", "-u", self._user.pw_name, "--", *command]
        done = subprocess.run(  # noqa: S603 - PostgreSQL's own tools
            command, capture_output=True, text=True, timeout=120, check=False, cwd=self._dir
        )
        if done.returncode != 0 and check:
            raise RuntimeError(f"{binary} failed: {(done.stderr or done.stdout).strip()[-1500:]}")
        return done.returncode == 0

    def __enter__(self) -> IstSOS4:
        self.start()
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()


def _unprivileged_user() -> pwd.struct_passwd | None:
    """Who runs PostgreSQL: None (ourselves) unless we are root, then ``postgres``."""
    if os.geteuid() != 0:
        return None
    try:
        return pwd.getpwnam("postgres")
    except KeyError:
        raise Unavailable(
            "the tests run as root and there is no `postgres` user to run PostgreSQL as; "
            f"apt-get install -y {PACKAGES} creates it"
        ) from None
