"""``--profile``: sample the gateway with py-spy during a row's main run, and say where time went.

py-spy is not a dependency: ``pip install py-spy`` (or put it on PATH) to use it.
It samples without pausing the gateway (``--nonblocking``); its own CPU use is
what it adds to the machine's load.
"""

from __future__ import annotations

import re
import shutil
import signal
import subprocess
import sys
from collections import Counter
from pathlib import Path

from bench.processes import die_with_parent

RATE_HZ = 100
PROJECT = ("gateway/", "adapters/")
_OUTER = re.compile(r"\((gateway/(cli|cli/\w+|serve|__main__)\.py)")
_LINE = re.compile(r":\d+\)$")


def find_py_spy() -> str | None:
    """py-spy on PATH or beside this Python."""
    return shutil.which("py-spy") or shutil.which("py-spy", path=str(Path(sys.executable).parent))


class Sampling:
    """py-spy recording one process until ``stop``."""

    def __init__(self, py_spy: str, pid: int, output: Path) -> None:
        self.output = output
        self._popen = subprocess.Popen(  # noqa: S603 (py-spy, arguments built here)
            [
                py_spy,
                "record",
                "--pid",
                str(pid),
                "--rate",
                str(RATE_HZ),
                "--nonblocking",
                "--format",
                "raw",
                "--output",
                str(output),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            preexec_fn=die_with_parent,
        )

    def stop(self) -> str:
        """Stop sampling (py-spy writes its file on SIGINT) and summarise it."""
        if self._popen.poll() is None:
            self._popen.send_signal(signal.SIGINT)
        try:
            self._popen.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self._popen.kill()
            self._popen.wait()
        try:
            return summarise(self.output.read_text())
        except OSError:
            return "py-spy wrote no profile"


def _frame(text: str) -> str:
    return _LINE.sub(")", text)


def summarise(collapsed: str, top: int = 8) -> str:
    """Top functions by own time, and top project functions by inclusive time, in percent."""
    own: Counter[str] = Counter()
    inclusive: Counter[str] = Counter()
    total = 0
    for line in collapsed.splitlines():
        stack, _, count = line.rpartition(" ")
        if not stack or not count.isdigit():
            continue
        samples = int(count)
        total += samples
        frames = [_frame(f) for f in stack.split(";")]
        own[frames[-1]] += samples
        for frame in set(frames):
            path = frame[frame.rfind("(") + 1 :]
            if path.startswith(PROJECT) and not _OUTER.search(frame):
                inclusive[frame] += samples
    if total == 0:
        return "no samples"

    def listing(counter: Counter[str]) -> str:
        return "; ".join(f"{100 * n / total:.0f}% {name}" for name, n in counter.most_common(top))

    return (
        f"{total} samples at {RATE_HZ} Hz. Own time: {listing(own)}. "
        f"Inclusive, gateway and adapter code: {listing(inclusive)}."
    )


def _samples(collapsed: str) -> list[tuple[list[str], int]]:
    out = []
    for line in collapsed.splitlines():
        stack, _, count = line.rpartition(" ")
        if stack and count.isdigit():
            out.append(([_frame(f) for f in stack.split(";")], int(count)))
    return out


def _file(frame: str) -> str:
    return frame[frame.rfind("(") + 1 : -1]


def _library(path: str) -> str:
    """The top-level package (or stdlib module) a frame's file belongs to."""
    head = path.split("/", 1)[0]
    return head.removesuffix(".py") if head else path


def areas(collapsed: str) -> list[tuple[str, float]]:
    """Share of samples per area, largest first: the innermost gateway or adapter module of
    the stack (its library calls included), or, with none, the library of the leaf."""
    counts: Counter[str] = Counter()
    total = 0
    for frames, samples in _samples(collapsed):
        total += samples
        project = [
            _file(f) for f in frames if _file(f).startswith(PROJECT) and not _OUTER.search(f)
        ]
        counts[project[-1] if project else f"({_library(_file(frames[-1]))})"] += samples
    return [(area, n / total) for area, n in counts.most_common()] if total else []


def libraries(collapsed: str) -> list[tuple[str, float]]:
    """Share of samples per library of the leaf frame (own time), largest first."""
    counts: Counter[str] = Counter()
    total = 0
    for frames, samples in _samples(collapsed):
        total += samples
        counts[_library(_file(frames[-1]))] += samples
    return [(lib, n / total) for lib, n in counts.most_common()] if total else []


def inclusive(collapsed: str, needle: str) -> float:
    """Share of samples whose stack holds a frame containing ``needle``."""
    total = hit = 0
    for frames, samples in _samples(collapsed):
        total += samples
        if any(needle in f for f in frames):
            hit += samples
    return hit / total if total else 0.0
