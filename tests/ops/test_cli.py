"""``caap``: every command answers ``--help``; ``schema`` and ``adapters`` run as a process."""

from __future__ import annotations

import subprocess
import sys

import pytest

from gateway.cli.main import main

COMMANDS = {
    (): "serve",
    ("serve",): "--workers",
    ("demo",): "--entities",
    ("check",): "--no-probe",
    ("assess",): "--format",
    ("schema",): "SDL",
    ("adapters",): "adapter",
    ("reload",): "--url",
    ("sim",): "fault",
    ("sim", "fault"): "KEY=VALUE",
}


@pytest.mark.parametrize("command", list(COMMANDS), ids=lambda c: " ".join(c) or "caap")
def test_every_command_has_help(
    command: tuple[str, ...], capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exited:
        main([*command, "--help"])
    assert exited.value.code == 0
    out = capsys.readouterr().out
    assert out.startswith(f"usage: caap {' '.join(command)}".rstrip())
    assert COMMANDS[command] in out


def _caap(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(  # noqa: S603 (our own module)
        [sys.executable, "-m", "gateway", *args],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_schema_prints_the_sdl() -> None:
    run = _caap("schema")
    assert run.returncode == 0
    assert "type Query" in run.stdout
    assert "entities(" in run.stdout


def test_adapters_lists_the_registered_kinds() -> None:
    run = _caap("adapters")
    assert run.returncode == 0
    assert run.stdout.split()[0] == "ckan" or "ngsi-ld" in run.stdout
    assert "ngsi-ld" in run.stdout


def test_an_unknown_command_is_refused_with_the_list() -> None:
    run = _caap("serv")
    assert run.returncode == 2
    assert "invalid choice: 'serv'" in run.stderr
