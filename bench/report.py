"""Row results, the printed table, and ``bench/results.md``."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path


@dataclass(frozen=True, slots=True)
class Check:
    """One target: ``value op limit`` (``<=`` or ``>=``)."""

    label: str
    value: float
    op: str
    limit: float
    unit: str = ""

    @property
    def passed(self) -> bool:
        """Whether the measured value meets the target."""
        return self.value <= self.limit if self.op == "<=" else self.value >= self.limit

    def target_text(self) -> str:
        """E.g. ``p99 <= 1.25``."""
        label = f"{self.label} " if self.label else ""
        return f"{label}{self.op} {_number(self.limit)}{self.unit}"


@dataclass(slots=True)
class RowResult:
    """One benchmark row: the headline, its targets, every figure behind it, and notes."""

    key: str
    title: str
    measured: str = ""
    checks: list[Check] = field(default_factory=list)
    figures: list[tuple[str, str]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    error: str | None = None

    @property
    def status(self) -> str:
        """``pass``, ``FAIL``, ``info`` (no target), or ``error``."""
        if self.error is not None:
            return "error"
        if not self.checks:
            return "info"
        return "pass" if all(c.passed for c in self.checks) else "FAIL"

    @property
    def target(self) -> str:
        """Every target of the row, or a dash."""
        return "; ".join(c.target_text() for c in self.checks) or "(none set)"

    def figure(self, label: str, value: str) -> None:
        """Add a figure."""
        self.figures.append((label, value))


def _number(value: float) -> str:
    if value == int(value) and abs(value) >= 10:
        return f"{int(value)}"
    return f"{value:.3g}" if abs(value) < 100 else f"{value:,.0f}"


def ms(seconds: float) -> str:
    """Seconds as milliseconds, e.g. ``52.1 ms``."""
    return f"{seconds * 1000:.1f} ms"


def ratio(value: float) -> str:
    """A ratio with two decimals."""
    return f"{value:.2f}"


def table(rows: Sequence[RowResult]) -> str:
    """The plain-text table printed at the end of a run."""
    header = ("row", "benchmark", "measured", "target", "result")
    body = [
        (r.key, r.title, r.measured if r.error is None else f"error: {r.error}", r.target, r.status)
        for r in rows
    ]
    widths = [max(len(line[i]) for line in (header, *body)) for i in range(len(header))]
    widths[2] = min(widths[2], 60)

    def line(cells: Sequence[str]) -> str:
        return "  ".join(cell.ljust(width) for cell, width in zip(cells, widths, strict=True))

    rule = "  ".join("-" * w for w in widths)
    return "\n".join([line(header), rule, *(line(cells) for cells in body)])


def _md(text: str) -> str:
    return text.replace("|", "\\|")


def markdown(
    rows: Sequence[RowResult],
    *,
    mode: str,
    facts: Sequence[tuple[str, str]],
    load: Sequence[tuple[str, str]],
    method: Sequence[str],
) -> str:
    """The whole of ``results.md``."""
    out = [
        "# caap-gateway benchmarks",
        "",
        f"Written by `python -m bench{' --quick' if mode == 'quick' else ''}` "
        "(`make bench` runs the full set). Every row is a ratio of figures measured in "
        "this one run, on this one machine; the absolute figures are here to explain the "
        "ratios, not to be compared with another machine's.",
        "",
        "| row | benchmark | measured | target | result |",
        "|---|---|---|---|---|",
    ]
    for r in rows:
        measured = r.measured if r.error is None else f"error: {r.error}"
        out.append(f"| {r.key} | {_md(r.title)} | {_md(measured)} | {_md(r.target)} | {r.status} |")
    out += ["", "## Machine", ""]
    out += [f"- {label}: {value}" for label, value in facts]
    out += ["", "## Load on the machine", ""]
    out += [f"- {label}: {value}" for label, value in load]
    out += ["", "## Rows", ""]
    for r in rows:
        out += [f"### {r.key} {r.title}: {r.status}", ""]
        if r.error is not None:
            out += [f"The row failed: {r.error}", ""]
        out += [f"- {label}: {value}" for label, value in r.figures]
        if r.notes:
            out += [""] + [f"{note}" for note in r.notes]
        out.append("")
    out += ["## Method", ""]
    out += [f"- {line}" for line in method]
    return "\n".join(out) + "\n"


def write(path: Path, text: str) -> None:
    """Write ``text`` to ``path``."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
