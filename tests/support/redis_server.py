"""A real ``redis-server`` on a free loopback port, for the shared cache tier's tests.

It is started fresh (no persistence, in a temporary directory) and stopped or
killed by the test. ``make system-deps`` installs redis-server; a missing one is
an error, never a skip: in CI these tests always run.
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import tempfile
import threading
from types import TracebackType

READY = "Ready to accept connections"


def free_port() -> int:
    """A loopback port nobody listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class RedisServer:
    """``with RedisServer() as redis: redis.url`` -> ``redis://127.0.0.1:PORT/0``."""

    def __init__(self, startup_timeout_s: float = 10.0) -> None:
        binary = shutil.which("redis-server")
        if binary is None:
            raise RuntimeError(
                "redis-server is not installed; run `make system-deps` "
                "(apt-get install -y redis-server)"
            )
        self._binary = binary
        self._timeout = startup_timeout_s
        self._dir = tempfile.TemporaryDirectory(prefix="caap-redis-")
        self.port = 0
        self._process: subprocess.Popen[str] | None = None
        self.log: list[str] = []

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        """Start on a free port; returns once it accepts connections."""
        for _ in range(5):  # the port may be taken between choosing and binding it
            if self._try_start(free_port()):
                return
        raise RuntimeError("redis-server did not start:\n" + "\n".join(self.log[-20:]))

    def kill(self) -> None:
        """Stop it at once (SIGKILL), as a crash would."""
        if self._process is not None:
            self._process.kill()
            self._process.wait(self._timeout)
            self._process = None

    def stop(self) -> None:
        """Stop it (SIGTERM) and remove its directory."""
        if self._process is not None:
            self._process.terminate()
            try:
                self._process.wait(self._timeout)
            except subprocess.TimeoutExpired:
                self.kill()
            self._process = None
        self._dir.cleanup()

    def _try_start(self, port: int) -> bool:
        args = [
            self._binary,
            "--port", str(port),
            "--bind", "127.0.0.1",
            "--save", "",
            "--appendonly", "no",
            "--dir", self._dir.name,
        ]  # fmt: skip
        process = subprocess.Popen(  # noqa: S603 (a fixed binary and arguments)
            args, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
        )
        ready = threading.Event()
        threading.Thread(target=self._drain, args=(process, ready), daemon=True).start()
        if ready.wait(self._timeout) and process.poll() is None:
            self.port, self._process = port, process
            return True
        process.kill()
        process.wait()
        return False

    def _drain(self, process: subprocess.Popen[str], ready: threading.Event) -> None:
        assert process.stdout is not None
        with process.stdout:
            for line in process.stdout:
                self.log.append(line.rstrip())
                if READY in line:
                    ready.set()
        ready.set()  # exited: start() sees it is not running

    def __enter__(self) -> RedisServer:
        self.start()
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()
