"""AppTest smoke of the Data Quality page (no browser, real SQLite underneath): an empty tenant says what to
do; a tenant with a dirty sales file and reviews without text shows score cards, issues with the rows behind
them and a download, the import history and the browser — no errors."""

from __future__ import annotations

from ecomintel.config import load_settings
from ecomintel.context import RequestContext
from ecomintel.db.engine import make_engine
from ecomintel.db.repository import Repository
from ecomintel.db.tenants import ensure_tenant, get_tenant
from ecomintel.ingest.pipeline import ingest_file
from tests.test_ui_apptest import _app, _assert_clean, _text, db_url  # noqa: F401  (db_url is a fixture)

SALES = (b"InvoiceNo,StockCode,Description,Quantity,UnitPrice,InvoiceDate,CustomerID,Country,Currency\n"
         + b"".join(f"{i},A{i % 5},Item {i % 5},2,1.50,2011-11-{1 + i % 20:02d} 10:00,{100 + i},UK,GBP\n".encode()
                    for i in range(200))
         + b"900,A1,Item 1,1,1.50,2031-01-01 10:00,1,UK,USD\n"
         + b"901,A2,Item 2,x,1.50,2011-11-02 10:00,1,UK,GBP\n")
REVIEWS = b"id,Review Text,Title,Rating\n1,Lovely,Nice,5\n2,,Only a title,4\n3,,,\n"


def _load(url: str) -> None:
    engine = make_engine(url)
    try:
        repo = Repository(engine, RequestContext(tenant_id=get_tenant(engine, "demo").id, role="admin"))
        settings = load_settings({})
        other = RequestContext(tenant_id=ensure_tenant(engine, "other", "Other").id, role="admin")
        ingest_file(Repository(engine, other), "reviews", REVIEWS, settings=settings, file_name="theirs.csv")
        ingest_file(repo, "sales", SALES, settings=settings, file_name="dirty.csv")
        ingest_file(repo, "reviews", REVIEWS, settings=settings, file_name="reviews.csv")
    finally:
        engine.dispose()


def test_data_quality_page_empty_then_with_dirty_data(db_url: str) -> None:  # noqa: F811
    at = _app()
    at.switch_page("pages/data_quality.py").run()
    _assert_clean(at)
    assert at.title[0].value == "Data quality"
    assert any("No data loaded yet" in i.value for i in at.info)
    _load(db_url)
    at.switch_page("pages/data_quality.py").run()
    _assert_clean(at)
    cards = {m.label: m.value for m in at.metric}
    assert set(cards) >= {"Sales", "Reviews"} and all(v.endswith("/100") for v in cards.values())
    assert int(cards["Sales"].split("/")[0]) < 100
    text = _text(at)
    assert "Prices in 2 currencies" in text and "dated in the future" in text and "rejected at import" in text
    future = next(e for e in at.expander if "dated in the future" in e.label)
    assert future.label.startswith("−")
    button = next(b for b in at.button if b.key and b.key.startswith("dq_rows_sales_future_date"))
    button.click().run()
    _assert_clean(at)
    assert any(d.label.startswith("Download 1 rows") for d in at.get("download_button"))
    # the rows carry this tenant's import number (1; the other tenant's import has the global id 1)
    rows = next(d.value for d in at.dataframe if "sold_at" in d.value.columns and "batch" in d.value.columns)
    assert "batch_id" not in rows.columns and rows["batch"].tolist() == [1]
    assert "no dates" in text and "- → -" not in text and "T" not in text.split("Checked ", 1)[1][:16]
    at.selectbox(key="dq_browse_dataset").set_value("reviews").run()
    _assert_clean(at)
    assert "2 reviews rows match" in _text(at)  # the review with neither text, title nor rating was rejected
