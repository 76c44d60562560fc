"""The profile file: every check names its source, level and measure; mistakes are named."""

from __future__ import annotations

from pathlib import Path

import pytest

from gateway.assessment.profile import ProfileError, load_profile


def test_the_profile_names_the_source_and_level_of_every_check() -> None:
    profile = load_profile()
    assert profile.name == "minimum-framework"
    assert profile.version.count(".") == 2
    for check in profile.checks:
        assert check.level in ("must", "should")
        assert check.source.name
        assert check.source.url.startswith("https://")
        assert check.measure


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("profile: p\nversion: 1\ntitle: t\n", "checks: missing"),
        ("profile: p\nversion: 1\ntitle: t\nchecks: []\n", "checks: a non-empty list"),
        (
            "profile: p\nversion: 1\ntitle: t\nchecks:\n  - {id: a, family: f, title: t, "
            "level: may, source: {name: n, url: u}, measure: m}\n",
            "checks[0].level: must or should, got 'may'",
        ),
        (
            "profile: p\nversion: 1\ntitle: t\nchecks:\n  - {id: a, family: f, title: t, "
            "level: must, source: {name: n}, measure: m}\n",
            "checks[0].source: a mapping with name and url",
        ),
        ("[unclosed", "cannot read the profile"),
    ],
)
def test_a_wrong_profile_is_named_with_its_key(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "profile.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ProfileError, match=r"profile\.yaml") as caught:
        load_profile(path)
    assert message in str(caught.value)


def test_a_check_listed_twice_is_refused(tmp_path: Path) -> None:
    check = "{id: a, family: f, title: t, level: must, source: {name: n, url: u}, measure: m}"
    path = tmp_path / "profile.yaml"
    path.write_text(f"profile: p\nversion: 1\ntitle: t\nchecks: [{check}, {check}]\n", "utf-8")
    with pytest.raises(ProfileError, match="'a' appears twice"):
        load_profile(path)
