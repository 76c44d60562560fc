"""``make conformance``'s runner: where it finds the ETSI suite, and the table it writes."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from tools.etsi.report import markdown, outcomes
from tools.etsi.suite import RELATIVE, SUITE_ENV, SuiteMissing, locate, working_copy


def fake_suite(at: Path) -> Path:
    (at / "TP").mkdir(parents=True)
    (at / "resources").mkdir()
    (at / "requirements.txt").write_text("robotframework\n", encoding="utf-8")
    (at / "resources" / "variables.py").write_text("url = 'http://scorpio1:9090'\n")
    return at


def test_the_environment_variable_wins(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    suite = fake_suite(tmp_path / "elsewhere")
    monkeypatch.setenv(SUITE_ENV, str(suite))
    assert locate(tmp_path / "repo") == suite.resolve()


def test_a_fresh_clone_finds_the_suite_beside_its_origin(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(SUITE_ENV, raising=False)
    origin = tmp_path / "work" / "main"
    origin.mkdir(parents=True)
    suite = fake_suite(tmp_path / "work" / RELATIVE)
    git = ["git", "-c", "user.email=t@example.org", "-c", "user.name=t"]
    commit = [*git, "-C", str(origin), "commit", "-q", "--allow-empty", "-m", "x"]
    subprocess.run([*git, "init", "-q", str(origin)], check=True)  # noqa: S603
    subprocess.run(commit, check=True)  # noqa: S603
    clone = tmp_path / "fresh"
    subprocess.run([*git, "clone", "-q", str(origin), str(clone)], check=True)  # noqa: S603
    assert locate(clone) == suite.resolve()


def test_a_missing_suite_says_where_it_looked(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(SUITE_ENV, raising=False)
    (tmp_path / "repo").mkdir()
    with pytest.raises(SuiteMissing, match=SUITE_ENV) as raised:
        locate(tmp_path / "repo")
    assert str(tmp_path / RELATIVE) in str(raised.value)


def test_the_working_copy_points_at_the_broker_and_leaves_the_suite_alone(tmp_path: Path) -> None:
    suite = fake_suite(tmp_path / "suite")
    copy = working_copy(suite, tmp_path / "run", "http://127.0.0.1:1234/ngsi-ld/v1")
    assert "http://127.0.0.1:1234/ngsi-ld/v1" in (copy / "resources" / "variables.py").read_text()
    assert (suite / "resources" / "variables.py").read_text() == "url = 'http://scorpio1:9090'\n"


def test_the_table_counts_each_group_and_gives_reasons(tmp_path: Path) -> None:
    xml = tmp_path / "output.xml"
    xml.write_text(
        '<robot><suite name="E" source="/s/TP/a.robot">'
        '<test name="one"><status status="PASS"/></test>'
        '<test name="two"><status status="FAIL">200 != 400</status></test>'
        "</suite></robot>",
        encoding="utf-8",
    )
    results = outcomes(xml, Path("/s"), "Entity")
    assert [(r.file, r.name, r.status) for r in results] == [
        ("TP/a.robot", "one", "PASS"),
        ("TP/a.robot", "two", "FAIL"),
    ]
    page = markdown(results, dialect="scorpio", seconds=1.0, suite="/s")
    assert "| Entity | 1 | 1 | 0 | 2 | 50.0% |" in page
    assert "| Entity | TP/a.robot | two | FAIL | 200 != 400 |" in page
