"""Debian's Chromium for the browser tests (driven by Playwright): where it is, how it runs."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from playwright.sync_api import BrowserContext, ViewportSize, sync_playwright

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
"""Headless, and quiet: no background traffic of its own."""
DEFAULT_VIEWPORT: ViewportSize = {"width": 1280, "height": 720}
"""Playwright's own default."""


@contextmanager
def chromium_context(
    profile: Path, viewport: ViewportSize = DEFAULT_VIEWPORT
) -> Iterator[BrowserContext]:
    """Debian's Chromium with a new, empty profile at ``profile``; closed on leaving."""
    assert Path(CHROMIUM).exists(), "Debian's chromium is needed: apt-get install chromium"
    with sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            str(profile), executable_path=CHROMIUM, headless=True, args=FLAGS, viewport=viewport
        )
        try:
            yield context
        finally:
            context.close()
