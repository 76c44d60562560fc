"""The report as plain text for a terminal: a matrix of cities x checks, then what failed."""

from __future__ import annotations

from gateway.assessment.report import Report

MARKS = {"pass": "ok", "fail": "--"}


def render_text(report: Report) -> str:
    """Cities as rows, checks as numbered columns; then every failure with its summary."""
    checks = report.checks
    lines = [
        f"{report.profile.title}",
        f"profile {report.profile.name} {report.profile.version}, "
        f"measured {report.generated_at:%Y-%m-%d %H:%M:%S} UTC",
        "",
        "checks:",
    ]
    for number, check in enumerate(checks, start=1):
        lines.append(f"  {number:2d} {check.id:28s} {check.level:6s} {check.title}")
    width = max((len(c.id) for c in report.cities), default=4)
    header = " ".join(f"{n:>2d}" for n in range(1, len(checks) + 1))
    lines += ["", f"{'city':{width}s}  {header}  must"]
    for city in report.cities:
        marks = " ".join(f"{MARKS[city.outcomes[c.id].status]:>2s}" for c in checks)
        verdict = "meets" if not city.failed("must", report.profile) else "FAILS"
        lines.append(f"{city.id:{width}s}  {marks}  {verdict}")
    failures = [
        (city, c) for city in report.cities for c in checks if not city.outcomes[c.id].passed
    ]
    if failures:
        lines += ["", "failures (evidence: --format json or /assessment):"]
        for city, check in failures:
            lines.append(
                f"  {city.id} {check.id} [{check.level}]: {city.outcomes[check.id].summary}"
            )
    must = report.must_failures()
    lines += [
        "",
        f"{len(report.cities)} cities, {len(checks)} checks, {len(must)} must-check failures",
    ]
    return "\n".join(lines) + "\n"
