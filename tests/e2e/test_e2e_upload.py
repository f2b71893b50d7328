"""The real app in Chromium: upload a CSV through the real file input, see the result; a bad file gets a
clear message and no traceback."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.conftest import SAMPLES
from tests.e2e.helpers import body_text, open_page, wait_for_app
from tests.e2e.server import start_app, stop_app

pytestmark = pytest.mark.e2e

FILE_INPUT = '[data-testid="stFileUploaderDropzoneInput"]'


def _metric(page: Any, label: str) -> str:
    box = page.locator('[data-testid="stMetric"]', has_text=label).first
    return str(box.locator('[data-testid="stMetricValue"]').inner_text()).strip()


def _upload(page: Any, path: Path) -> None:
    page.locator(FILE_INPUT).set_input_files(str(path))
    wait_for_app(page)


def test_first_start_shows_load_sample_call_to_action(page: Any, app_url: str) -> None:
    open_page(page, app_url)
    page.get_by_text("This tenant has no data yet").wait_for()
    page.get_by_role("button", name="Load sample data").wait_for()
    assert "Traceback" not in body_text(page)


def test_upload_sample_csv_through_the_browser(page: Any, app_url: str) -> None:
    open_page(page, app_url, "upload")
    page.get_by_text("What is in the file?").wait_for()
    _upload(page, SAMPLES / "online_retail_small.csv")
    page.get_by_text("Column mapping").wait_for()
    page.get_by_role("button", name="Import").click()
    page.get_by_text("Imported online_retail_small.csv").wait_for(timeout=120_000)
    wait_for_app(page)
    accepted = int(_metric(page, "Accepted").replace(",", ""))
    total = int(_metric(page, "Rows in file").replace(",", ""))
    assert total == 11_627
    assert 10_000 < accepted <= total
    text = body_text(page)
    assert "Traceback" not in text
    # the sidebar's freshness line now shows the loaded sales range
    sidebar = page.locator('[data-testid="stSidebar"]').inner_text()
    assert "2011-10-05" in sidebar and "2011-11-10" in sidebar


def test_header_only_file_shows_a_clear_message(page: Any, app_url: str, tmp_path: Path) -> None:
    bad = tmp_path / "header_only.csv"
    bad.write_text("InvoiceNo,StockCode,Description,Quantity,InvoiceDate,UnitPrice,CustomerID,Country\n")
    open_page(page, app_url, "upload")
    page.get_by_text("What is in the file?").wait_for()
    _upload(page, bad)
    errors = page.locator('[data-testid="stAlertContentError"]')
    errors.or_(page.get_by_text("Column mapping")).first.wait_for()  # refused at preview, or at import
    if not errors.count():
        page.get_by_role("button", name="Import").click()
        wait_for_app(page)
    error = page.locator('[data-testid="stAlertContentError"]').first
    error.wait_for()
    assert "no data rows" in error.inner_text().lower() or "empty" in error.inner_text().lower()
    assert "Traceback" not in body_text(page)
    assert not page.locator('[data-testid="stException"]').count()


def test_deep_link_on_a_fresh_server_goes_through_the_router(page: Any, tmp_path: Path) -> None:
    """The very first request of a new server names a page: it still gets sign-in, sidebar and that page."""
    proc, url = start_app(f"sqlite:///{tmp_path / 'fresh.db'}", log_path=tmp_path / "streamlit.log")
    try:
        open_page(page, url, "settings")
        page.get_by_role("tab", name="Your preferences").wait_for()  # Settings (tabs since issue 12)
        page.locator('[data-testid="stSidebar"]').get_by_text("Tenant", exact=True).wait_for()
        assert "goto" not in page.url
        assert "Traceback" not in body_text(page)
    finally:
        stop_app(proc)
