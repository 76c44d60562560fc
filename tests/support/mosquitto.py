"""A real ``mosquitto`` (Debian's package) on a free loopback port, for the MQTT push tests.

Anonymous clients may connect unless a password file is given (``mosquitto_passwd``
writes one); nothing is persisted. ``stop`` ends the process it started.
"""

from __future__ import annotations

import contextlib
import getpass
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path
from types import TracebackType
from typing import Self

from tests.support.redis_server import free_port
from tests.support.waiting import wait_until

BINARY = "/usr/sbin/mosquitto"
ESTABLISHED = "01"


SESSION: list[Mosquitto] = []
"""The session's broker (``tests/conftest.py``'s ``mosquitto`` fixture), once started."""


def session_url() -> str | None:
    """The session broker's URL, or None before it starts (for ``config_for`` methods)."""
    return SESSION[0].url if SESSION else None


def available() -> bool:
    """mosquitto is installed."""
    return Path(BINARY).exists() or shutil.which("mosquitto") is not None


class Mosquitto:
    """One broker process; ``url`` is ``mqtt://127.0.0.1:PORT``."""

    def __init__(self, users: dict[str, str] | None = None, port: int = 0) -> None:
        """``port``: where to listen (0: a free port); a broker restarted on its old port
        is what clients reconnecting after an outage meet."""
        self.users = dict(users or {})
        self.port = port
        self._dir = tempfile.TemporaryDirectory(prefix="caap-mosquitto-")
        self._process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        """Where clients connect."""
        return f"mqtt://127.0.0.1:{self.port}"

    def start(self) -> Self:
        """Start (on a free port unless one was given); returns once it accepts connections."""
        directory = Path(self._dir.name)
        self.port = self.port or free_port()
        # run as whoever runs the tests (as root mosquitto would switch to its own user,
        # which cannot read this private directory)
        lines = [
            f"listener {self.port} 127.0.0.1",
            "persistence false",
            f"user {getpass.getuser()}",
            f"log_dest file {directory / 'subscriptions.log'}",
            "log_type subscribe",
        ]
        if self.users:
            passwords = directory / "passwords"
            passwords.write_text("")
            for user, password in self.users.items():
                subprocess.run(  # noqa: S603 (a fixed binary and arguments)
                    ["/usr/bin/mosquitto_passwd", "-b", str(passwords), user, password], check=True
                )
            passwords.chmod(0o600)
            lines += ["allow_anonymous false", f"password_file {passwords}"]
        else:
            lines.append("allow_anonymous true")
        config = directory / "mosquitto.conf"
        config.write_text("\n".join(lines) + "\n")
        binary = BINARY if Path(BINARY).exists() else "mosquitto"
        self._process = subprocess.Popen(  # noqa: S603
            [binary, "-c", str(config)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        wait_until(self._accepts, 10.0, "mosquitto accepts connections")
        return self

    def stop(self) -> None:
        """Stop the process and remove its files."""
        process, self._process = self._process, None
        if process is not None:
            process.terminate()
            process.wait(10)
        self._dir.cleanup()

    def clients(self) -> int:
        """Established TCP connections to the broker's port (Linux ``/proc/net/tcp``)."""
        port = f":{self.port:04X}"
        count = 0
        for table in ("/proc/net/tcp", "/proc/net/tcp6"):
            with contextlib.suppress(OSError), open(table, encoding="ascii") as lines:
                for line in list(lines)[1:]:
                    fields = line.split()
                    count += fields[1].endswith(port) and fields[3] == ESTABLISHED
        return count

    def subscribers(self) -> set[str]:
        """The client ids that have subscribed to anything (the broker logs each topic of a
        SUBSCRIBE as it takes it: ``<time>: <client id> <qos> <topic>``)."""
        log = Path(self._dir.name) / "subscriptions.log"
        try:
            lines = log.read_text(encoding="utf-8", errors="replace").splitlines()
        except FileNotFoundError:
            return set()
        rows = (line.split() for line in lines)
        return {fields[1] for fields in rows if len(fields) == 4 and fields[2].isdigit()}

    def _accepts(self) -> bool:
        if self._process is not None and self._process.poll() is not None:
            raise RuntimeError(f"mosquitto exited with status {self._process.returncode}")
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=0.5):
                return True
        except OSError:
            return False

    def __enter__(self) -> Self:
        try:
            return self.start()
        except BaseException:
            self.stop()
            raise

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()
