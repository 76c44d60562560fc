"""The audit log: one JSON line per decision, to a file or the caap.audit logger."""

from __future__ import annotations

import hashlib
import logging
from datetime import UTC, datetime
from pathlib import Path

import orjson
import pytest

from gateway.auth.principal import ANONYMOUS, Principal
from gateway.errors import ErrorCode
from gateway.federation.model import AuditConfig
from gateway.policy.audit import AuditLog, decision_text
from gateway.policy.decisions import Decision

WHEN = datetime(2026, 11, 25, 10, 0, 0, 123000, tzinfo=UTC)
CALLER = Principal("user-42@example.se", "meter-app", frozenset({"caap:utility:read"}))


def test_a_file_sink_gets_one_json_line_per_decision(tmp_path: Path) -> None:
    path = tmp_path / "logs" / "audit.jsonl"
    audit = AuditLog.open(AuditConfig(file=str(path)))
    audit.record(CALLER, "malmo", "WaterConsumptionObserved", Decision(True, "scope x"))
    audit.record(
        ANONYMOUS,
        "lund",
        "WaterConsumptionObserved",
        Decision(False, "needs a token", ErrorCode.UNAUTHENTICATED),
        statistic="waterConsumption",
    )
    audit.close()
    audit.close()
    first, second = [orjson.loads(line) for line in path.read_text().splitlines()]
    assert first["client_id"] == "meter-app"
    assert first["subject_sha256"] == hashlib.sha256(b"user-42@example.se").hexdigest()
    assert (first["city"], first["dataset"], first["asked"]) == (
        "malmo",
        "WaterConsumptionObserved",
        "rows",
    )
    assert (first["decision"], first["reason"]) == ("allow", "scope x")
    assert second["client_id"] is None
    assert second["subject_sha256"] is None
    assert (second["decision"], second["asked"]) == ("deny", "statistics:waterConsumption")
    assert "user-42" not in path.read_text()


def test_the_default_sink_is_the_caap_audit_logger(caplog: pytest.LogCaptureFixture) -> None:
    audit = AuditLog.open(AuditConfig())
    with caplog.at_level(logging.INFO, logger="caap.audit"):
        audit.record(CALLER, "malmo", "WeatherObserved", Decision(True, "public"))
    (record,) = [r for r in caplog.records if r.name == "caap.audit"]
    assert orjson.loads(record.getMessage())["dataset"] == "WeatherObserved"


def test_times_are_utc_with_milliseconds() -> None:
    lines: list[str] = []
    AuditLog(lines.append, clock=lambda: WHEN).record(
        CALLER, "malmo", "WeatherObserved", Decision(True, "public")
    )
    assert orjson.loads(lines[0])["time"] == "2026-11-25T10:00:00.123Z"


def test_a_replay_writes_the_lines_record_writes(tmp_path: Path) -> None:
    """A cached answer's decisions, replayed for a caller, give the bytes ``record`` gives."""
    decisions = [
        ("malmo", "WeatherObserved", Decision(True, 'scope "x"'), None),
        ("lund", "WaterConsumptionObserved", Decision(False, "no"), "waterConsumption"),
    ]
    recorded: list[str] = []
    replayed: list[str] = []
    for city, dataset, decision, statistic in decisions:
        AuditLog(recorded.append, clock=lambda: WHEN).record(
            CALLER, city, dataset, decision, statistic
        )
    AuditLog(replayed.append, clock=lambda: WHEN).replay(
        CALLER, [decision_text(*d) for d in decisions]
    )
    assert replayed == recorded


def test_a_file_sink_writes_a_replay_at_once(tmp_path: Path) -> None:
    path = tmp_path / "audit.jsonl"
    audit = AuditLog.open(AuditConfig(file=str(path)))
    audit.replay(
        CALLER, [decision_text(f"city-{n}", "W", Decision(True, "p"), None) for n in range(3)]
    )
    audit.close()
    lines = [orjson.loads(line) for line in path.read_text().splitlines()]
    assert [line["city"] for line in lines] == ["city-0", "city-1", "city-2"]
    assert {line["client_id"] for line in lines} == {"meter-app"}


def test_a_replay_to_the_logger_is_one_record_per_decision(
    caplog: pytest.LogCaptureFixture,
) -> None:
    audit = AuditLog.open(AuditConfig())
    texts = [decision_text(c, "W", Decision(True, "public"), None) for c in ("malmo", "lund")]
    with caplog.at_level(logging.INFO, logger="caap.audit"):
        audit.replay(CALLER, texts)
    records = [r for r in caplog.records if r.name == "caap.audit"]
    assert [orjson.loads(r.getMessage())["city"] for r in records] == ["malmo", "lund"]
    assert all(r.levelno == logging.INFO for r in records)
    caplog.clear()
    with caplog.at_level(logging.WARNING, logger="caap.audit"):
        audit.replay(CALLER, texts)  # the logger is off for INFO: nothing is made
    assert not [r for r in caplog.records if r.name == "caap.audit"]
