"""Screenshots of sign-in, Home and Settings with demo mode off (issue 12): docs/screenshots/login.png,
home.png (signed in as an admin, KPI tiles, trend, alerts), settings.png (the admin's tabs) and
settings_llm_provider.png (Settings → Tenant: the tenant's own LLM provider among those the install offers).

Starts the real app on a temporary SQLite database with the samples loaded into tenant `acme`, an admin
created the way a newcomer does (the core's add_user, as `ecomintel users add` does), and drives Chromium.
Run: `.venv/bin/python scripts/screenshots_accounts.py`.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from ecomintel.accounts import users  # noqa: E402
from ecomintel.config import load_settings  # noqa: E402
from ecomintel.context import RequestContext  # noqa: E402
from ecomintel.db.engine import make_engine, migrate  # noqa: E402
from ecomintel.db.repository import Repository  # noqa: E402
from ecomintel.db.tenants import ensure_tenant  # noqa: E402
from ecomintel.samples import load_samples  # noqa: E402
from scripts.screenshots import shoot  # noqa: E402
from tests.e2e.helpers import open_page  # noqa: E402
from tests.e2e.server import CHROMIUM, CHROMIUM_ARGS, start_app, stop_app  # noqa: E402

PASSWORD = "correct horse battery"


def prepare(db_url: str) -> None:
    engine = make_engine(db_url)
    migrate(engine)
    admin = RequestContext(tenant_id=ensure_tenant(engine, "acme", "Acme Retail").id, role="admin")
    for r in load_samples(Repository(engine, admin), load_settings({"ECOMINTEL_DATABASE_URL": db_url})):
        print(f"{r.file_name}: {r.status}, {r.accepted} accepted")
    users.add_user(engine, admin, "ada", PASSWORD, role="admin", name="Ada Admin")
    users.add_user(engine, admin, "vic", PASSWORD, role="viewer", name="Vic Viewer")
    engine.dispose()


def main() -> int:
    out = ROOT / "docs" / "screenshots"
    out.mkdir(parents=True, exist_ok=True)
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as tmp:
        db = f"sqlite:///{Path(tmp) / 'accounts.db'}"
        prepare(db)
        proc, url = start_app(db, log_path=Path(tmp) / "streamlit.log",
                              extra_env={"ECOMINTEL_DEMO_MODE": "0", "ECOMINTEL_DATA_DIR": tmp,
                                         # two servers the operator offers; an admin picks a name, never a URL
                                         "ECOMINTEL_LLM_ENDPOINTS": "local=http://127.0.0.1:11434/v1,"
                                                                    "gpu=https://llm.internal/v1"})
        try:
            with sync_playwright() as p:
                browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
                page = browser.new_page(viewport={"width": 1400, "height": 900})
                page.set_default_timeout(180_000)
                open_page(page, url)
                page.get_by_role("button", name="Sign in").wait_for()
                shoot(page, out, "login")
                page.get_by_role("textbox", name="User name").fill("ada")
                page.get_by_role("textbox", name="Password").fill(PASSWORD)
                page.get_by_role("button", name="Sign in").click()
                page.get_by_role("heading", name="ecomintel · Acme Retail").wait_for()
                page.locator('[data-testid="stPlotlyChart"]').first.wait_for()
                shoot(page, out, "home")
                open_page(page, url, "settings")  # the cookie signs in again on a page load
                page.get_by_role("tab", name="Users and roles").click()
                page.get_by_role("button", name="Create invitation").click()
                page.get_by_text("Invitation for a new").wait_for()
                shoot(page, out, "settings")
                page.get_by_role("tab", name="Tenant").click()
                choice = page.get_by_role("combobox", name="LLM provider")
                choice.click()
                choice.press("ArrowDown")  # a click only focuses it; the key opens the choices
                page.get_by_role("option", name="local", exact=False).first.wait_for()
                page.wait_for_timeout(500)
                page.screenshot(path=str(out / "settings_llm_provider.png"))  # the viewport: the open list stays
                print(f"saved {out / 'settings_llm_provider.png'}")
                browser.close()
        finally:
            stop_app(proc)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
