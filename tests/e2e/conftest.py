"""Browser fixtures: the real app on a free port with its own SQLite file, driven by Debian Chromium.

Chromium missing → skip, or fail when ECOMINTEL_REQUIRE_SERVICES=1 (CI). Playwright's own browsers are
never downloaded: we launch /usr/bin/chromium through `executable_path`.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import _unavailable
from tests.e2e.server import CHROMIUM, CHROMIUM_ARGS, start_app, stop_app


@pytest.fixture(scope="module")
def app_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A running app on a fresh SQLite database (demo mode: opens on tenant `demo`)."""
    folder = tmp_path_factory.mktemp("e2e-app")
    proc, url = start_app(f"sqlite:///{folder / 'app.db'}", log_path=folder / "streamlit.log")
    yield url
    stop_app(proc)


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    if not CHROMIUM.exists():
        _unavailable("Chromium", FileNotFoundError(str(CHROMIUM)))
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser: Any, tmp_path: Path) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    page.set_default_timeout(60_000)
    yield page
    context.close()
