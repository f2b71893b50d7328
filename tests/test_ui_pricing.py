"""AppTest smoke of the Pricing page (no browser, real SQLite underneath): empty tenant, then a tenant with a
catalogue and competitor listings keyed by our SKUs — position table, recommendations with export, no errors."""

from __future__ import annotations

import pandas as pd

from ecomintel.config import load_settings
from ecomintel.context import RequestContext
from ecomintel.db.engine import make_engine
from ecomintel.db.repository import Repository
from ecomintel.db.tenants import get_tenant
from ecomintel.ingest.pipeline import ingest_file
from tests.test_ui_apptest import _app, _assert_clean, _text, db_url  # noqa: F401  (db_url is a fixture)


def _load(url: str) -> None:
    engine = make_engine(url)
    try:
        repo = Repository(engine, RequestContext(tenant_id=get_tenant(engine, "demo").id, user_id=None,
                                                 role="admin"))
        settings = load_settings({})
        catalogue = pd.DataFrame({"sku": ["A1", "A2"], "name": ["Kettle 1.7L", "Toaster 2-slot"],
                                  "category": ["Kitchen", "Kitchen"], "price": [30.0, 20.0], "cost": [12.0, 15.0]})
        ingest_file(repo, "products", catalogue.to_csv(index=False).encode(), settings=settings, file_name="cat.csv")
        listings = pd.DataFrame({"sku": ["A1", "A1", "A2"], "seller": ["S1", "S2", "S1"], "marketplace": "ebay",
                                 "price": [25.0, 26.0, 22.0], "observed_at": "2024-01-01"})
        ingest_file(repo, "listings", listings.to_csv(index=False).encode(), settings=settings, file_name="l.csv")
    finally:
        engine.dispose()


def test_pricing_page_empty_then_with_listings(db_url: str) -> None:  # noqa: F811
    at = _app()
    at.switch_page("pages/pricing.py").run()
    _assert_clean(at)
    assert at.title[0].value == "Pricing"
    assert any("No competitor listings yet" in i.value for i in at.info)
    _load(db_url)
    at.switch_page("pages/pricing.py").run()
    _assert_clean(at)
    text = _text(at)
    assert "2 products compared with matched competitor offers" in text
    assert any(b.label.startswith("Export") for b in at.get("download_button"))


def test_ask_page_draws_a_pricing_answer(db_url: str) -> None:  # noqa: F811
    at = _app()
    _load(db_url)
    at.switch_page("pages/ask.py").run()
    at.text_input(key="ask_question").set_value("are we more expensive than the competition?")
    at.button(key="FormSubmitter:ask_form-Ask").click().run()
    _assert_clean(at)
    assert at.subheader[0].value == "are we more expensive than the competition?"
    tiles = {m.label: m.value for m in at.metric}
    assert tiles.get("Products compared") == "2" and tiles.get("Above market") == "1"  # A1 30 vs 25.50; A2 20 vs 22 is below


def test_upload_page_takes_competitor_listings(db_url: str) -> None:  # noqa: F811
    from tests.conftest import SAMPLES
    from tests.test_ui_apptest import _upload

    at = _upload(_app(), "buy.csv", (SAMPLES / "buy.csv").read_bytes(), kind="listings")
    _assert_clean(at)
    labels = {s.label: s.value for s in at.selectbox}
    assert labels["Price *"] == "price" and labels["Title"] == "name" and labels["Brand"] == "manufacturer"
    at.button(key="upload_run").click().run()
    _assert_clean(at)
    assert next(m for m in at.metric if m.label == "Accepted").value == "590"
