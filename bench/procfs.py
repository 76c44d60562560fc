"""CPU time and memory of a process and its descendants, read from /proc (Linux).

A gateway started with ``--workers N`` is a supervisor with N worker children:
figures are summed over the whole tree, so they hold for one worker and for many.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

PROC = Path("/proc")
_TICKS = os.sysconf("SC_CLK_TCK")


@dataclass(frozen=True, slots=True)
class Memory:
    """Resident set and its high-water mark, in KiB, summed over a process tree."""

    rss_kib: int
    hwm_kib: int


def _stat_fields(pid: int) -> list[str] | None:
    try:
        text = (PROC / str(pid) / "stat").read_text()
    except OSError:
        return None
    # the command name (field 2) is in parentheses and may hold spaces
    return text[text.rindex(")") + 2 :].split()


def descendants(pid: int) -> list[int]:
    """``pid`` and every process below it (by parent pid), ``pid`` first."""
    children: dict[int, list[int]] = {}
    for entry in PROC.iterdir():
        if not entry.name.isdigit():
            continue
        fields = _stat_fields(int(entry.name))
        if fields is not None:
            children.setdefault(int(fields[1]), []).append(int(entry.name))
    tree, todo = [], [pid]
    while todo:
        current = todo.pop()
        tree.append(current)
        todo.extend(children.get(current, ()))
    return tree


def cpu_seconds(pid: int) -> float:
    """User plus system CPU time of ``pid`` and its live descendants, in seconds."""
    return sum(cpu_by_process(pid).values())


def cpu_by_process(pid: int) -> dict[int, float]:
    """User plus system CPU seconds of ``pid`` and of each live descendant, by pid."""
    out: dict[int, float] = {}
    for member in descendants(pid):
        fields = _stat_fields(member)
        if fields is not None:
            # fields 14 and 15 of /proc/PID/stat (utime, stime), counted from field 3 here
            out[member] = (int(fields[11]) + int(fields[12])) / _TICKS
    return out


def memory(pid: int) -> Memory:
    """VmRSS and VmHWM of ``pid`` and its descendants."""
    rss = hwm = 0
    for member in descendants(pid):
        try:
            lines = (PROC / str(member) / "status").read_text().splitlines()
        except OSError:
            continue
        for line in lines:
            if line.startswith("VmRSS:"):
                rss += int(line.split()[1])
            elif line.startswith("VmHWM:"):
                hwm += int(line.split()[1])
    return Memory(rss, hwm)


def sockets(pid: int) -> int:
    """Open sockets (listening and connected) of ``pid`` and its descendants."""
    count = 0
    for member in descendants(pid):
        fd_dir = PROC / str(member) / "fd"
        try:
            entries = list(fd_dir.iterdir())
        except OSError:
            continue
        for entry in entries:
            try:
                count += os.readlink(entry).startswith("socket:")
            except OSError:
                continue
    return count
