"""Headless Chromium for page tests (Debian's chromium driven by Playwright, never a download).

``open_page(path)`` loads a local HTML file with every network request recorded, so tests can
assert that a report loads nothing but itself.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import pytest

CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-default-apps",
    "--disable-extensions",
]


def chromium_path() -> str:
    """Path of the system Chromium; skip (or fail under CI) when it is missing."""
    import os

    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if not found:
        message = "Chromium not installed (make system-deps installs Debian's chromium)"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(message, pytrace=False)
        pytest.skip(message)
    return found


@dataclass
class Loaded:
    """A page loaded in the browser, with what it requested."""

    page: object
    requests: list[str] = field(default_factory=list)


@contextmanager
def open_page(path: Path, width: int = 1280, height: int = 900) -> Iterator[Loaded]:
    """Load ``path`` in headless Chromium; yields the page and every requested URL."""
    from playwright.sync_api import sync_playwright

    executable = chromium_path()
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": width, "height": height})
            loaded = Loaded(page=page)
            page.on("request", lambda request: loaded.requests.append(request.url))
            page.goto(path.resolve().as_uri(), wait_until="load")
            yield loaded
        finally:
            browser.close()
