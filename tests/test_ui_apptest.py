"""Streamlit AppTest smoke tests over every page, on a real SQLite database (no browser).

Each test points the app at its own SQLite file through ECOMINTEL_DATABASE_URL, so the real engine,
migrations, Repository and ingestion run underneath the pages.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
import sqlalchemy as sa
from streamlit.runtime.pages_manager import PagesManager
from streamlit.testing.v1 import AppTest, app_test

from ecomintel.db import models as m
from ecomintel.db.engine import make_engine, migrate
from ecomintel.db.tenants import create_user, ensure_tenant, get_tenant
from tests.conftest import ROOT, SAMPLES

PAGES = ["pages/home.py", "pages/upload.py", "pages/ask.py", "pages/settings.py"]
TIMEOUT = 120


class _RouterPagesManager(PagesManager):
    """AppTest resets Streamlit's "legacy pages/ folder" flag before every run, so with our pages/ folder
    each rerun would execute the page file without app.py. A real server clears that flag for good the
    first time app.py calls st.navigation; this reproduces that state so every AppTest run goes through
    the router, as every run after the first does in production."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        PagesManager.uses_pages_directory = False


@pytest.fixture
def db_url(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    monkeypatch.setattr(app_test, "PagesManager", _RouterPagesManager)
    url = f"sqlite:///{tmp_path / 'app.db'}"
    monkeypatch.setenv("ECOMINTEL_DATABASE_URL", url)
    monkeypatch.setenv("ECOMINTEL_DEMO_MODE", "1")
    monkeypatch.delenv("ECOMINTEL_REDIS_URL", raising=False)
    monkeypatch.chdir(ROOT)
    yield url


def _app() -> AppTest:
    return AppTest.from_file(str(ROOT / "app.py"), default_timeout=TIMEOUT).run()


def _assert_clean(at: AppTest) -> None:
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]
    assert "Traceback" not in str(at.main)


def _sales_lines(url: str, tenant: str = "demo") -> int:
    engine = make_engine(url)
    try:
        tid = get_tenant(engine, tenant).id
        with engine.connect() as conn:
            return int(conn.execute(sa.select(sa.func.count()).select_from(m.sales)
                                    .where(m.sales.c.tenant_id == tid)).scalar() or 0)
    finally:
        engine.dispose()


def _upload(at: AppTest, name: str, content: bytes, kind: str = "sales") -> AppTest:
    at.switch_page("pages/upload.py").run()
    at.radio(key="upload_kind").set_value(kind).run()
    at.file_uploader(key="upload_file").set_value((name, content, "text/csv")).run()
    return at


def test_every_page_renders_on_an_empty_database(db_url: str) -> None:
    at = _app()
    _assert_clean(at)
    # first start: the Home page of the demo tenant with a clear "Load sample data" call to action
    assert at.title[0].value == "ecomintel · Demo"
    assert any("no data yet" in i.value for i in at.info)
    assert "Load sample data" in [b.label for b in at.button]
    assert at.selectbox(key="sidebar_tenant").value == "demo"
    expected = {"pages/upload.py": ("Upload data", "upload_file"), "pages/ask.py": ("Ask", None),
                "pages/settings.py": ("Settings", None)}
    for path, (title, widget_key) in expected.items():
        at.switch_page(path).run()
        _assert_clean(at)
        assert at.title[0].value.startswith(title)
        assert at.selectbox(key="sidebar_tenant").value == "demo"  # app.py's sidebar ran around the page
        if widget_key:
            assert at.file_uploader(key=widget_key) is not None
    assert [m.label for m in at.metric][:2] == ["Tenant", "Data version"]
    config = _frame_with(at, "variable")
    assert "ECOMINTEL_DATABASE_URL" in config["variable"].tolist()
    assert "OPENAI_API_KEY" in config["variable"].tolist()
    assert set(config.loc[config["variable"] == "OPENAI_API_KEY", "value"]) <= {"set", "not set"}


def test_upload_sample_csv_through_the_file_uploader(db_url: str) -> None:
    at = _upload(_app(), "online_retail_small.csv", (SAMPLES / "online_retail_small.csv").read_bytes())
    _assert_clean(at)
    # preview and the automatic mapping (StockCode → sku …), required fields marked with *
    assert _frame_with(at, "StockCode").shape[0] > 0
    labels = {s.label: s.value for s in at.selectbox}
    assert labels["sku *"] == "StockCode" and labels["order_id *"] == "InvoiceNo"
    at.button(key="upload_run").click().run()
    _assert_clean(at)
    accepted = next(m for m in at.metric if m.label == "Accepted")
    stored = _sales_lines(db_url)
    assert stored > 10_000
    assert accepted.value == f"{stored:,}"
    assert any("Imported online_retail_small.csv" in s.value for s in at.success)
    history = _frame_with(at, "accepted")
    assert history.iloc[0]["file"] == "online_retail_small.csv" and history.iloc[0]["status"] == "done"

    # the same file again is recognised and adds nothing
    at.button(key="upload_run").click().run()
    _assert_clean(at)
    assert any("imported before" in i.value for i in at.info)
    assert _sales_lines(db_url) == stored

    # Home now shows the tenant's numbers and the revenue chart
    at.switch_page("pages/home.py").run()
    _assert_clean(at)
    assert next(m for m in at.metric if m.label == "Sales lines").value == f"{stored:,}"
    assert at.get("plotly_chart"), "revenue chart missing"


def test_header_only_file_gives_a_clear_message(db_url: str) -> None:
    at = _upload(_app(), "empty.csv", b"InvoiceNo,StockCode,Quantity,UnitPrice,InvoiceDate\n")
    assert not at.exception
    if not at.error:  # the preview may accept a header; the import must then refuse it clearly
        at.button(key="upload_run").click().run()
    assert not at.exception
    assert at.error, "expected an error message"
    assert "Traceback" not in str(at.main)
    assert _sales_lines(db_url) == 0


def test_rejected_rows_are_listed_with_reasons(db_url: str) -> None:
    content = (b"InvoiceNo,StockCode,Description,Quantity,UnitPrice,InvoiceDate,CustomerID,Country\n"
               b"536365,85123A,WHITE HANGING HEART,6,2.55,2010-12-01 08:26,17850,United Kingdom\n"
               b"536366,22633,HAND WARMER,abc,1.85,2010-12-01 08:28,17850,United Kingdom\n"
               b"536367,=HYPERLINK(1),FORMULA,2,1.00,not a date,17850,United Kingdom\n")
    at = _upload(_app(), "some_bad.csv", content)
    at.button(key="upload_run").click().run()
    _assert_clean(at)
    assert next(m for m in at.metric if m.label == "Accepted").value == "1"
    assert next(m for m in at.metric if m.label == "Rejected").value == "2"
    rejected = _frame_with(at, "reasons")
    assert len(rejected) == 2 and rejected["reasons"].str.len().min() > 0
    assert at.get("download_button"), "rejected rows download missing"


def _frame_with(at: AppTest, column: str) -> pd.DataFrame:
    """The first st.dataframe showing `column` (dataframes carry no user key in AppTest)."""
    for element in [*at.dataframe, *at.table]:
        frame = element.value.reset_index()
        if column in frame.columns:
            return frame
    raise AssertionError(f"no table with a {column!r} column")


def test_sidebar_creates_and_switches_tenants(db_url: str) -> None:
    at = _app()
    at.text_input(key="sidebar_new_tenant").set_value("acme-shop")
    at.button(key="sidebar_create_tenant").click().run()
    _assert_clean(at)
    assert at.title[0].value == "ecomintel · acme-shop"
    assert at.selectbox(key="sidebar_tenant").value == "acme-shop"
    at.selectbox(key="sidebar_tenant").set_value("demo").run()
    _assert_clean(at)
    assert at.title[0].value == "ecomintel · Demo"

    at.text_input(key="sidebar_new_tenant").set_value("Not Valid!").run()
    at.button(key="sidebar_create_tenant").click().run()
    assert not at.exception
    assert any("Invalid tenant name" in e.value for e in at.error)


def test_login_gate_when_demo_mode_is_off(db_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ECOMINTEL_DEMO_MODE", "0")
    engine = make_engine(db_url)
    migrate(engine)
    tenant = ensure_tenant(engine, "acme")
    create_user(engine, tenant.id, "ana", "correct horse battery", role="analyst")
    engine.dispose()

    at = _app()
    _assert_clean(at)
    assert at.title[0].value == "ecomintel" and at.button(key="FormSubmitter:login-Sign in")
    at.text_input[0].set_value("ana")
    at.text_input[1].set_value("wrong password")
    at.button(key="FormSubmitter:login-Sign in").click().run()
    assert [e.value for e in at.error] == ["Unknown user or wrong password."]

    at.text_input[1].set_value("correct horse battery")
    at.button(key="FormSubmitter:login-Sign in").click().run()
    _assert_clean(at)
    assert at.title[0].value == "ecomintel · acme"
    assert "sidebar_tenant" not in [s.key for s in at.selectbox]  # no tenant picker outside demo mode
    at.switch_page("pages/settings.py").run()
    assert next(m for m in at.metric if m.label == "Your role").value == "analyst"
