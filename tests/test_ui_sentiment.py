"""AppTest smoke tests of the Sentiment page on a real SQLite database: empty tenant, and a tenant with reviews
(the active sentiment model scores them on first view)."""

from __future__ import annotations

from pathlib import Path

import pytest

from ecomintel.context import RequestContext
from ecomintel.db.engine import make_engine, migrate
from ecomintel.db.repository import Repository
from ecomintel.db.tenants import ensure_tenant
from tests.review_helpers import load_reviews
from tests.test_ui_apptest import _app, _assert_clean, _text, db_url  # noqa: F401  (db_url is a fixture)


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "data"
    monkeypatch.setenv("ECOMINTEL_DATA_DIR", str(folder))
    return folder


def test_the_sentiment_page_without_reviews_says_what_to_upload(db_url: str, data_dir: Path) -> None:  # noqa: F811
    at = _app()
    at.switch_page("pages/sentiment.py").run()
    _assert_clean(at)
    assert "No reviews are loaded yet" in _text(at)


def test_the_sentiment_page_shows_every_section(db_url: str, data_dir: Path) -> None:  # noqa: F811
    engine = make_engine(db_url)
    migrate(engine)
    repo = Repository(engine, RequestContext(tenant_id=ensure_tenant(engine, "demo").id))
    load_reviews(repo)
    at = _app()
    at.switch_page("pages/sentiment.py").run()
    _assert_clean(at)
    text = _text(at)
    for label in ("Overview", "Over time", "Aspects", "Complaints & topics", "Feature requests", "Spam",
                  "Product drill-down"):
        assert label in [t.label for t in at.tabs], label
    assert "flagged as spam and left out" in text
    assert "Feature requests" in text and "pockets" in text
    assert "Products whose review sentiment changed most" in text
    assert len(at.get("plotly_chart")) >= 4
    at.selectbox(key="sentiment_product").set_value(at.selectbox(key="sentiment_product").options[0]).run()
    _assert_clean(at)
    assert "P-WORSE" in _text(at) or "P-STEADY" in _text(at)
    engine.dispose()
