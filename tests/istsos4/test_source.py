"""Where istSOS4's source is looked for, in order, and what is said when it is nowhere."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support import istsos4_source
from tests.support.istsos4 import schema_without_timescale
from tests.support.istsos4_source import ENV_DIR, PINNED_COMMIT, Unavailable, locate


def fake_istsos4(folder: Path) -> Path:
    (folder / "api").mkdir(parents=True)
    (folder / "database").mkdir()
    (folder / "api" / "requirements.txt").write_text("uvicorn\n")
    (folder / "database" / "istsos_schema.sql").write_text("-- schema\n")
    return folder


def test_the_environment_variable_comes_first(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    chosen = fake_istsos4(tmp_path / "mine")
    monkeypatch.setenv(ENV_DIR, str(chosen))
    assert locate() == chosen.resolve()


def test_nowhere_says_what_was_tried_and_how_to_provide_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def no_network() -> Path:
        raise Unavailable("no network")

    monkeypatch.setenv(ENV_DIR, str(tmp_path / "missing"))
    monkeypatch.setattr(istsos4_source, "REPO", tmp_path / "clone" / "repo")
    monkeypatch.setattr(istsos4_source, "_origin_dir", lambda: None)
    monkeypatch.setattr(istsos4_source, "_clone", no_network)
    with pytest.raises(Unavailable) as caught:
        locate()
    message = str(caught.value)
    assert str(tmp_path / "missing") in message
    assert str(tmp_path / "clone" / "shared" / "third_party" / "istsos4") in message
    assert "no network" in message
    assert f"Set {ENV_DIR}" in message
    assert PINNED_COMMIT in message


def test_the_schema_loses_exactly_its_two_timescaledb_statements() -> None:
    try:
        source = locate()
    except Unavailable as exc:
        pytest.skip(f"istSOS4 is not available: {exc}")
    text = (source / "database" / "istsos_schema.sql").read_text(encoding="utf-8")
    stripped = schema_without_timescale(text)
    assert "EXTENSION IF NOT EXISTS timescaledb" not in stripped
    assert "create_hypertable" not in stripped
    assert len(text.splitlines()) - len(stripped.splitlines()) <= 4
    with pytest.raises(Unavailable, match="0 TimescaleDB statements"):
        schema_without_timescale(stripped)
