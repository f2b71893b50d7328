"""The real app in Chromium: ask a question on a tenant with the small Online Retail sample and read the
answer table; deep mode shows the report after its background job; a question the data cannot answer gets
a message and questions to ask instead. No page requests anything outside the app's own server."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from ecomintel.config import load_settings
from ecomintel.context import RequestContext
from ecomintel.db.engine import make_engine, migrate
from ecomintel.db.repository import Repository
from ecomintel.db.tenants import ensure_tenant
from ecomintel.ingest.pipeline import ingest_file
from tests.conftest import SAMPLES
from tests.e2e.helpers import body_text, open_page, wait_for_app
from tests.e2e.server import start_app, stop_app

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def sample_app_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    folder = tmp_path_factory.mktemp("e2e-ask")
    url = f"sqlite:///{folder / 'app.db'}"
    engine = make_engine(url)
    migrate(engine)
    repo = Repository(engine, RequestContext(tenant_id=ensure_tenant(engine, "demo", "Demo").id, role="admin"))
    ingest_file(repo, "sales", SAMPLES / "online_retail_small.csv", settings=load_settings(),
                file_name="online_retail_small.csv", defaults={"currency": "GBP"})
    engine.dispose()
    proc, app_url = start_app(url, log_path=folder / "streamlit.log")
    yield app_url
    stop_app(proc)


def _ask(page: Any, question: str) -> None:
    page.get_by_label("Your question").fill(question)
    page.get_by_role("button", name="Ask", exact=True).click()


def _outside_requests(page: Any, base_url: str) -> list[str]:
    """Every request the page makes that does not go to the app's own server (filled in as they happen)."""
    outside: list[str] = []
    page.on("request", lambda r: None if r.url.startswith((base_url, "data:", "blob:")) else outside.append(r.url))
    return outside


def test_ask_top_products_shows_a_table_with_skus(page: Any, sample_app_url: str) -> None:
    outside = _outside_requests(page, sample_app_url)
    open_page(page, sample_app_url, "ask")
    _ask(page, "top 10 products by revenue in November 2011")
    page.get_by_text(re.compile(r"(High|Medium|Low) confidence \(0\.\d\d\)")).wait_for()
    wait_for_app(page)
    page.locator('[data-testid="stPlotlyChart"]').first.wait_for()
    # the table is a canvas grid; its CSV download carries the same rows
    with page.expect_download() as download:
        page.get_by_role("button", name="Download CSV").first.click()
    csv = Path(download.value.path()).read_text(encoding="utf-8-sig").splitlines()
    assert csv[0].startswith("sku,product,revenue")
    assert 2 <= len(csv) <= 11
    wait_for_app(page)
    text = body_text(page)
    assert "Nov 2011 = 2011-11-01" in text and "Traceback" not in text
    revenue = page.locator('[data-testid="stMetric"]', has_text="Revenue (net)")
    assert re.fullmatch(r"£[\d,]+\.\d\d", revenue.locator('[data-testid="stMetricValue"]').inner_text().strip())
    assert page.locator('[data-testid="stExpander"]', has_text="Details").count() == 1
    favicon = page.locator("link[rel='shortcut icon']").get_attribute("href") or ""
    assert favicon.startswith((sample_app_url, "/", "./", "data:")), favicon
    assert outside == [], outside


def test_a_question_the_data_cannot_answer_gets_a_message(page: Any, sample_app_url: str) -> None:
    outside = _outside_requests(page, sample_app_url)
    open_page(page, sample_app_url, "ask")
    _ask(page, "what is our profit margin?")
    message = page.locator('[data-testid="stAlertContentInfo"]', has_text="product costs")
    message.wait_for()
    wait_for_app(page)
    page.get_by_text("What would make it answerable").wait_for()
    suggestions = page.locator('[data-testid="stMain"] [data-testid="stButton"] button',
                               has=page.locator('[data-testid="stIconMaterial"]'))
    labels = [b.inner_text() for b in suggestions.all()]
    assert any("top 10 products" in label for label in labels), labels
    # a message, not a report: no tiles, tables or charts
    for kind in ("stMetric", "stDataFrame", "stPlotlyChart"):
        assert page.locator(f'[data-testid="{kind}"]').count() == 0, kind
    assert "Traceback" not in body_text(page)
    assert outside == [], outside


def test_ask_deep_shows_the_report_after_the_job(page: Any, sample_app_url: str) -> None:
    open_page(page, sample_app_url, "ask")
    page.get_by_text("Deep analysis").click()
    _ask(page, "how did revenue change from October to November 2011 and why")
    page.get_by_text("deep mode").wait_for(timeout=120_000)
    wait_for_app(page)
    page.locator('[data-testid="stMetricDelta"]').first.wait_for(timeout=60_000)  # tiles with % change
    tabs = page.locator('[data-testid="stTabs"] [role="tab"]')
    assert tabs.count() >= 5  # supporting analyses in tabs, not one long scroll
    tabs.nth(1).click()
    page.locator('[role="tabpanel"]:visible [data-testid="stPlotlyChart"]').first.wait_for()
    assert "Traceback" not in body_text(page)
