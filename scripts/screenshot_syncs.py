"""Screenshot of Settings → Syncs for the README: docs/screenshots/settings_syncs.png.

A fresh demo database gets a feed, a Shopify-style shop and a competitor page list pointing at local HTTP servers (one page
without a price, one host failing), both are run once, then the real app is driven with Playwright on the
Debian Chromium and the Syncs section is captured. Run: `.venv/bin/python scripts/screenshot_syncs.py`.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from ecomintel.context import RequestContext  # noqa: E402
from ecomintel.db.engine import make_engine, migrate  # noqa: E402
from ecomintel.db.repository import Repository  # noqa: E402
from ecomintel.db.tenants import ensure_tenant  # noqa: E402
from ecomintel.sync.runner import run_source  # noqa: E402
from ecomintel.sync.sources import configure_source  # noqa: E402
from tests.e2e.helpers import open_page  # noqa: E402
from tests.e2e.server import CHROMIUM, CHROMIUM_ARGS, start_app, stop_app  # noqa: E402
from tests.sync_helpers import json_ld_page, microdata_page, plain_page, sync_settings  # noqa: E402
from tests.sync_servers import Reply, ScriptedServer  # noqa: E402

OUT = ROOT / "docs" / "screenshots" / "settings_syncs.png"


def main() -> int:
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as tmp, ScriptedServer() as shop, ScriptedServer() as down:
        url = f"sqlite:///{Path(tmp) / 'shots.db'}"
        engine = make_engine(url)
        migrate(engine)
        repo = Repository(engine, RequestContext(tenant_id=ensure_tenant(engine, "demo", "Demo").id))
        shop.route("/robots.txt", Reply(200, "User-agent: *\nDisallow: /private/\n"))
        shop.route("/feeds/prices.csv", Reply(200, "sku,name,price,currency\nK-1,Kettle,29.90,EUR\nK-2,Toaster,24.50,EUR\n"))
        shop.route("/p/kettle", Reply(200, json_ld_page("K-1", 27.99, name="Kettle K1")))
        shop.route("/p/toaster", Reply(200, microdata_page("K-2", 22.00, currency="EUR", availability="InStock")))
        shop.route("/p/blender.html", Reply(200, plain_page("€ 61,50")))
        shop.route("/p/gift-card", Reply(200, plain_page("ask us")))
        down.route("/robots.txt", Reply(404))
        down.route("/item/9", Reply(503))
        configure_source(repo, name="supplier-feed", connector="http_feed", schedule="every 1d",
                         options={"url": shop.url("/feeds/prices.csv"), "kind": "prices"},
                         secret_ref="env:FEED_TOKEN")
        host = shop.url("/").split("//", 1)[1].rstrip("/")
        configure_source(repo, name="competitors", connector="price_tracker", schedule="every 6h", options={
            "urls": [shop.url("/p/kettle"), shop.url("/p/toaster"), shop.url("/p/blender.html"),
                     shop.url("/p/gift-card"), shop.url("/private/x"), down.url("/item/9")],
            "selectors": {host: {"price": ".now-price"}}})
        shop.route("/admin/api/2024-10/products.json", Reply(200, '{"products": [{"id": 1, "title": "Mug", '
                   '"variants": [{"sku": "M-1", "price": "9.50"}]}]}'))
        shop.route("/admin/api/2024-10/orders.json", Reply(200, '{"orders": []}'))
        configure_source(repo, name="webshop", connector="shopify", schedule="0 3 * * *",
                         options={"base_url": shop.url("/admin/api/2024-10"), "resources": ["products", "orders"]},
                         secret_ref="env:SHOPIFY_TOKEN")
        settings = sync_settings(sync_retries=1)
        run_source(repo, settings, "supplier-feed", env={"FEED_TOKEN": "t"})
        run_source(repo, settings, "competitors")
        run_source(repo, settings, "webshop", env={"SHOPIFY_TOKEN": "t"})
        engine.dispose()
        proc, base = start_app(url, log_path=Path(tmp) / "streamlit.log",
                               extra_env={"ECOMINTEL_METRICS_PORT": "0"})
        try:
            with sync_playwright() as p:
                browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
                page = browser.new_page(viewport={"width": 1400, "height": 900})
                page.set_default_timeout(120_000)
                open_page(page, base, "settings")
                page.get_by_text("Data version").first.wait_for()
                tab = page.get_by_role("tab", name="Syncs", exact=True)
                if tab.count():  # Settings in tabs: open ours
                    tab.first.click()
                    page.wait_for_timeout(2000)
                page.get_by_text("Recent runs").first.wait_for()
                page.locator('[data-testid="stExpander"]').first.locator("summary").click()
                page.wait_for_timeout(1500)
                page.set_viewport_size({"width": 1400, "height": 1500})
                page.wait_for_timeout(1000)
                page.screenshot(path=str(OUT), full_page=True)
                browser.close()
        finally:
            stop_app(proc)
    print(f"wrote {OUT.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
