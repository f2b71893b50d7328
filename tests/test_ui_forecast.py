"""AppTest smoke test of the Forecast page on a real SQLite tenant (synthetic sales with a known weekly
pattern; stock levels for two SKUs): it renders the fan chart, the model's backtest error next to the
baselines', seasonality and the stockout table, with no error."""

from __future__ import annotations

from pathlib import Path

import pytest

from ecomintel.context import RequestContext
from ecomintel.db.engine import make_engine
from ecomintel.db.repository import Repository
from ecomintel.db.tenants import get_tenant
from tests.forecast_helpers import load, load_stock, write_sales, write_stock
from tests.test_ui_apptest import _app, _assert_clean, _text, db_url  # noqa: F401  (db_url is a fixture)


def test_forecast_page_renders(db_url: str, tmp_path: Path) -> None:  # noqa: F811
    at = _app()
    engine = make_engine(db_url)
    repo = Repository(engine, RequestContext(tenant_id=get_tenant(engine, "demo").id, user_id=None, role="admin"))
    at.switch_page("pages/forecast.py").run()
    _assert_clean(at)
    assert any("No sales yet" in i.value for i in at.info)
    load(repo, write_sales(tmp_path / "sales.csv"))
    load_stock(repo, write_stock(tmp_path / "stock.csv", {"A100": (5, 14), "B200": (5000, 7)}))
    engine.dispose()
    at.switch_page("pages/forecast.py").run()
    _assert_clean(at)
    assert at.title[0].value == "Forecast"
    text = _text(at)
    assert "Forecast, not actual sales" in text and "Seasonality of" in text
    labels = [m.label for m in at.metric]
    assert labels[:4] == ["Forecast total", "Backtest MAE: chosen", "seasonal naive", "28-day mean"]
    assert "Stockout risk before the next delivery" in text
    at.selectbox(key="forecast_product").set_value(next(o for o in at.selectbox(key="forecast_product").options
                                                        if o.startswith("A100"))).run()
    _assert_clean(at)
    assert "A100" in _text(at)


if __name__ == "__main__":
    pytest.main([__file__])
