"""Waiting for Streamlit in a browser: it renders asynchronously over a websocket, so tests wait for
the script run to finish and for the text they need, never for a fixed time."""

from __future__ import annotations

from typing import Any


def wait_for_app(page: Any, timeout_ms: int = 60_000) -> None:
    """Until the app frame is there and no script run is in progress."""
    page.wait_for_selector('[data-testid="stApp"]', timeout=timeout_ms)
    page.wait_for_function(
        """() => { const app = document.querySelector('[data-testid="stApp"]');
                   return app && app.getAttribute('data-test-script-state') !== 'running'
                       && !document.querySelector('[data-testid="stStatusWidget"] [data-testid="stStatusWidgetRunningIcon"]'); }""",
        timeout=timeout_ms)


def open_page(page: Any, base_url: str, path: str = "") -> None:
    page.goto(f"{base_url}/{path}")
    wait_for_app(page)


def body_text(page: Any) -> str:
    return str(page.inner_text('[data-testid="stApp"]'))
