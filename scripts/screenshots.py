"""Screenshots of every page for the README: docs/screenshots/<page>.png.

Starts the real app on a fresh demo database with the samples loaded (a temporary SQLite file), drives it
with Playwright on the Debian Chromium, waits for each page's widgets, and saves a full-page PNG: Home,
Upload, Ask (a quick answer, a deep one with its supporting analyses, and a question the data cannot
answer), Settings and an empty tenant. It also fails when the page requests anything outside the app's
own server (the app must work offline).
Run: `make screenshots` (or `.venv/bin/python scripts/screenshots.py [--only ask,ask_deep]`).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from ecomintel.config import load_settings  # noqa: E402
from ecomintel.context import RequestContext  # noqa: E402
from ecomintel.db.engine import make_engine, migrate  # noqa: E402
from ecomintel.db.repository import Repository  # noqa: E402
from ecomintel.db.tenants import ensure_tenant  # noqa: E402
from ecomintel.samples import load_samples  # noqa: E402
from tests.e2e.helpers import open_page, wait_for_app  # noqa: E402
from tests.e2e.server import CHROMIUM, CHROMIUM_ARGS, start_app, stop_app  # noqa: E402

QUESTION = "top 10 products by revenue in November 2011"
DEEP_QUESTION = "how did revenue change from October to November 2011 and why"
CANNOT_QUESTION = "what was our profit margin on candles last month?"
SHOTS = ("home", "upload", "ask", "ask_deep", "ask_cannot_answer", "settings", "pricing", "sentiment",
         "home_empty")


def prepare(db_url: str) -> None:
    """Demo tenant with every sample file loaded (files already loaded are skipped)."""
    engine = make_engine(db_url)
    migrate(engine)
    tenant = ensure_tenant(engine, "demo", "Demo")
    repo = Repository(engine, RequestContext(tenant_id=tenant.id, role="admin"))
    for r in load_samples(repo, load_settings({"ECOMINTEL_DATABASE_URL": db_url}),
                          progress=lambda f, m: print(f"\r{f:5.0%} {m[:70]:70}", end="", flush=True)):
        print(f"\n{r.file_name}: {r.status}, {r.accepted} accepted")
    engine.dispose()


def upload_file(folder: Path) -> Path:
    """A small sales file with a few broken rows, so the Upload page shows rejected rows and reasons."""
    lines = (ROOT / "data" / "samples" / "online_retail_small.csv").read_text(encoding="utf-8").splitlines()
    header = lines[0]
    bad = ["581587,22613,PACK OF 20 SPACEBOY NAPKINS,twelve,0.85,2011-12-09 12:50,12680,France",
           "581588,,MISSING SKU,3,1.25,2011-12-09 12:51,12680,France",
           "581589,22367,CHILDRENS APRON SPACEBOY DESIGN,8,1.95,09/31/2011 25:99,12680,France",
           "581590,=HYPERLINK(\"http://x\"),FORMULA IN SKU,1,-2.00,2011-12-09 12:52,12680,France"]
    cols = header.split(",")
    order = ["InvoiceNo", "StockCode", "Description", "Quantity", "UnitPrice", "InvoiceDate", "CustomerID",
             "Country"]
    if cols != order:  # write the broken rows in the sample's own column order
        bad = [",".join(dict(zip(order, row.split(","), strict=False)).get(c, "") for c in cols) for row in bad]
    path = folder / "sales_december_with_errors.csv"
    path.write_text("\n".join([header, *lines[1:400], *bad]) + "\n", encoding="utf-8")
    return path


def shoot(page: Any, out: Path, name: str) -> None:
    wait_for_app(page)
    # Streamlit scrolls inside its main container, not the document: grow the viewport to the content
    height = page.evaluate("document.querySelector('[data-testid=\"stMain\"]').scrollHeight")
    page.set_viewport_size({"width": 1400, "height": max(900, min(int(height) + 40, 5000))})
    wait_for_app(page)
    page.wait_for_timeout(800)  # let Plotly finish its transition animation
    page.screenshot(path=str(out / f"{name}.png"))
    page.set_viewport_size({"width": 1400, "height": 900})
    print(f"saved {out / f'{name}.png'}")


def ask(page: Any, url: str, question: str, *, deep: bool = False) -> None:
    """Type a question on the Ask page and wait until its answer (or cannot-answer message) is drawn."""
    open_page(page, url, "ask")
    page.get_by_label("Your question").fill(question)
    if deep:
        page.get_by_text("Deep analysis").click()
    page.get_by_role("button", name="Ask", exact=True).click()
    page.get_by_role("heading", name=question).wait_for(timeout=180_000)
    wait_for_app(page)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--db", default="", help="database URL (default: a fresh temporary SQLite file)")
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshots")
    parser.add_argument("--only", default=",".join(SHOTS), help=f"comma-separated subset of {', '.join(SHOTS)}")
    args = parser.parse_args()
    only = set(args.only.split(","))
    if not CHROMIUM.exists():
        print(f"{CHROMIUM} is missing (apt-get install chromium)", file=sys.stderr)
        return 1
    args.out.mkdir(parents=True, exist_ok=True)
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as tmp:
        args.db = args.db or f"sqlite:///{Path(tmp) / 'screenshots.db'}"
        prepare(args.db)
        proc, url = start_app(args.db, log_path=Path(tmp) / "streamlit.log")
        try:
            with sync_playwright() as p:
                browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
                page = browser.new_page(viewport={"width": 1400, "height": 900})
                page.set_default_timeout(120_000)
                outside: list[str] = []
                page.on("request", lambda r: None if r.url.startswith((url, "data:", "blob:"))
                        else outside.append(r.url))

                if "home" in only:
                    open_page(page, url)
                    page.locator('[data-testid="stPlotlyChart"]').first.wait_for()
                    shoot(page, args.out, "home")

                if "ask" in only:
                    ask(page, url, QUESTION)
                    page.locator('[data-testid="stPlotlyChart"]').first.wait_for()
                    shoot(page, args.out, "ask")

                if "ask_deep" in only:
                    ask(page, url, DEEP_QUESTION, deep=True)
                    page.locator('[data-testid="stTabs"]').first.wait_for()
                    page.locator('[data-testid="stPlotlyChart"]').first.wait_for()
                    shoot(page, args.out, "ask_deep")

                if "ask_cannot_answer" in only:
                    ask(page, url, CANNOT_QUESTION)
                    page.locator('[data-testid="stAlertContentInfo"]').first.wait_for()
                    shoot(page, args.out, "ask_cannot_answer")

                if "pricing" in only:  # Abt (ours) vs Buy.com listings, matched when the demo loaded
                    open_page(page, url, "pricing")
                    page.locator('[data-testid="stPlotlyChart"]').first.wait_for()
                    shoot(page, args.out, "pricing")

                if "sentiment" in only:  # the demo's 3,000 clothing reviews, scored on this first view
                    open_page(page, url, "sentiment")
                    page.locator('[data-testid="stPlotlyChart"]').first.wait_for(timeout=300_000)
                    shoot(page, args.out, "sentiment")

                if "settings" in only:
                    open_page(page, url, "settings")
                    page.get_by_role("tab", name="Your preferences").wait_for()
                    shoot(page, args.out, "settings")

                if "home_empty" in only:  # a new, empty tenant: the first-start call to action
                    open_page(page, url, "settings")
                    page.get_by_role("button", name="New tenant").click()
                    page.get_by_placeholder("acme-shop").fill("acme-shop")
                    page.get_by_placeholder("acme-shop").press("Enter")
                    wait_for_app(page)
                    page.get_by_role("button", name="Create and open").click()
                    page.get_by_text("acme-shop", exact=True).first.wait_for()
                    page.keyboard.press("Escape")
                    page.locator('[data-testid="stSidebarNav"]').get_by_role("link", name="Home").click()
                    page.get_by_text("This tenant has no data yet").wait_for()
                    shoot(page, args.out, "home_empty")
                if "upload" in only:  # into the new tenant when there is one, so its rows are not duplicates
                    if "home_empty" in only:  # same session (a page load would start a new one, on "demo")
                        page.locator('[data-testid="stSidebarNav"]').get_by_role("link", name="Upload data").click()
                        wait_for_app(page)
                    else:
                        open_page(page, url, "upload")
                    page.get_by_text("What is in the file?").wait_for()
                    page.locator('[data-testid="stFileUploaderDropzoneInput"]').set_input_files(
                        str(upload_file(Path(tmp))))
                    page.get_by_text("Column mapping").wait_for()
                    page.get_by_role("button", name="Import").click()
                    page.get_by_text("Download rejected rows (CSV)").wait_for()
                    shoot(page, args.out, "upload")

                browser.close()
                if outside:
                    print(f"requests outside {url}: {sorted(set(outside))}", file=sys.stderr)
                    return 1
        finally:
            stop_app(proc)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
