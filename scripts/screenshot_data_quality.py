"""Screenshots of the Data Quality page: docs/screenshots/data_quality.png (scores, issues by impact, one issue
opened with the rows behind it) and data_quality_daily.png (the daily volume with gaps and outliers); and
data_quality_answer.png: an Ask answer over a month with a gap of trading days, its quality warning under the
lowered confidence.

Starts the real app on a fresh demo database with the samples loaded plus a dirty sales file (a few lines in
USD, a future date, a zero price, a price far off its SKU's usual one, an unreadable quantity) and an August
file that misses a week of trading days, drives it with
Playwright on the Debian Chromium and waits for the page's widgets, as scripts/screenshots.py does.
Run: `.venv/bin/python scripts/screenshot_data_quality.py`.
"""

from __future__ import annotations

import csv
import gzip
import io
import sys
import tempfile
import zlib
from datetime import date, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from ecomintel.config import load_settings  # noqa: E402
from ecomintel.context import RequestContext  # noqa: E402
from ecomintel.db.engine import make_engine, migrate  # noqa: E402
from ecomintel.db.repository import Repository  # noqa: E402
from ecomintel.db.tenants import ensure_tenant  # noqa: E402
from ecomintel.ingest.pipeline import ingest_file  # noqa: E402
from ecomintel.samples import load_samples  # noqa: E402
from tests.e2e.helpers import open_page, wait_for_app  # noqa: E402
from tests.e2e.server import CHROMIUM, CHROMIUM_ARGS, start_app, stop_app  # noqa: E402

sys.path.insert(0, str(ROOT / "scripts"))
from screenshots import shoot  # noqa: E402


def dirty_sales() -> bytes:
    """400 lines of the demo's own November, with a Currency column and a few planted problems."""
    with gzip.open(ROOT / "data" / "samples" / "online_retail_2011_q4.csv.gz", "rt", encoding="utf-8") as f:
        rows = [r for r in csv.DictReader(f) if r["InvoiceDate"].startswith("2011-10-2")][:400]
    for r in rows:  # new invoice numbers: not the demo's own lines again (those would be duplicates)
        r["Currency"], r["InvoiceNo"] = "GBP", "9" + r["InvoiceNo"]
    for r in rows[:25]:
        r["Currency"] = "USD"
    rows[30]["InvoiceDate"], rows[31]["UnitPrice"] = "2031-10-20 10:00:00", "0"
    rows[32]["UnitPrice"] = str(float(rows[32]["UnitPrice"]) * 1000)
    rows[33]["Quantity"] = "lots"
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0]))
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue().encode("utf-8")


def august_with_a_gap() -> bytes:
    """A fifth of October's invoices moved 9 weeks back (same weekdays) into August 2011, without the week of
    2011-08-15..19: a month the samples do not have, with five trading days missing — as when one export failed."""
    with gzip.open(ROOT / "data" / "samples" / "online_retail_2011_q4.csv.gz", "rt", encoding="utf-8") as f:
        reader = csv.DictReader(f)
        fields = list(reader.fieldnames or [])
        rows = []
        for r in reader:
            sold = datetime.fromisoformat(r["InvoiceDate"]) - timedelta(days=63)
            if (date(2011, 8, 1) <= sold.date() <= date(2011, 8, 31) and not date(2011, 8, 15) <= sold.date()
                    <= date(2011, 8, 19) and zlib.crc32(r["InvoiceNo"].encode()) % 5 == 0):
                rows.append({**r, "InvoiceNo": "8" + r["InvoiceNo"], "InvoiceDate": f"{sold:%Y-%m-%d %H:%M:%S}"})
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=fields)
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue().encode("utf-8")


def prepare(db_url: str) -> None:
    engine = make_engine(db_url)
    migrate(engine)
    tenant = ensure_tenant(engine, "demo", "Demo")
    repo = Repository(engine, RequestContext(tenant_id=tenant.id, role="admin"))
    settings = load_settings({"ECOMINTEL_DATABASE_URL": db_url})
    for r in load_samples(repo, settings):
        print(f"{r.file_name}: {r.status}, {r.accepted} accepted")
    print(ingest_file(repo, "sales", dirty_sales(), settings=settings, file_name="sales_october_dirty.csv").summary())
    print(ingest_file(repo, "sales", august_with_a_gap(), settings=settings, file_name="sales_august.csv").summary())
    engine.dispose()


def main() -> int:
    out = ROOT / "docs" / "screenshots"
    out.mkdir(parents=True, exist_ok=True)
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as tmp:
        db = f"sqlite:///{Path(tmp) / 'dq.db'}"
        prepare(db)
        log = Path(tmp) / "streamlit.log"
        proc, url = start_app(db, log_path=log)
        try:
            with sync_playwright() as p:
                browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
                page = browser.new_page(viewport={"width": 1400, "height": 900})
                page.set_default_timeout(240_000)
                open_page(page, url, "data_quality")
                page.get_by_role("button", name="Re-check now").first.wait_for()
                page.locator('[data-testid="stExpander"]').first.wait_for()
                wait_for_app(page)
                page.locator('[data-testid="stExpander"] summary').nth(0).click()
                wait_for_app(page)
                page.get_by_role("button", name="Show the rows behind it").first.click()
                page.locator('[data-testid="stDownloadButton"]').first.wait_for()
                shoot(page, out, "data_quality")
                page.get_by_role("tab", name="Daily volume").click()
                page.locator('[data-testid="stPlotlyChart"]:visible').first.wait_for()
                shoot(page, out, "data_quality_daily")
                question = "revenue in August 2011"
                open_page(page, url, "ask")
                page.get_by_label("Your question").fill(question)
                page.get_by_role("button", name="Ask", exact=True).click()
                page.get_by_role("heading", name=question).wait_for()
                page.get_by_text("Data quality problems under this answer").wait_for()
                shoot(page, out, "data_quality_answer")
                browser.close()
        except Exception:
            print(log.read_text(encoding="utf-8", errors="replace")[-3000:], file=sys.stderr)
            raise
        finally:
            stop_app(proc)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
