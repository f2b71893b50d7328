"""Accounts in a real browser (demo mode off): sign in, stay signed in across a reload (the cookie), sign out
(and the old cookie no longer works), and a viewer's limits (no Upload page; a deep link says why)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from ecomintel.accounts import invites, users
from ecomintel.accounts.policy import AuthPolicy
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
PASSWORD = "correct horse battery"
DATABASES: dict[str, str] = {}  # app base url → its database url


@pytest.fixture(scope="module")
def accounts_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    folder = tmp_path_factory.mktemp("e2e-accounts")
    url = f"sqlite:///{folder / 'app.db'}"
    engine = make_engine(url)
    migrate(engine)
    tenant = ensure_tenant(engine, "acme", "Acme")
    admin = RequestContext(tenant_id=tenant.id, role="admin")
    users.add_user(engine, admin, "ada", PASSWORD, role="admin")
    users.add_user(engine, admin, "vic", PASSWORD, role="viewer")
    ingest_file(Repository(engine, admin), "sales", SAMPLES / "online_retail_small.csv",
                settings=load_settings({"ECOMINTEL_DATABASE_URL": url}))
    engine.dispose()
    proc, base = start_app(url, log_path=folder / "streamlit.log",
                           extra_env={"ECOMINTEL_DEMO_MODE": "0", "ECOMINTEL_DATA_DIR": str(folder),
                                      "ECOMINTEL_AUTH_COOKIE_KEY": ""})
    DATABASES[base] = url
    yield base
    stop_app(proc)


def sign_in(page: Any, base: str, username: str) -> None:
    open_page(page, base)
    page.get_by_role("textbox", name="User name").fill(username)
    page.get_by_role("textbox", name="Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("heading", name="ecomintel · Acme").wait_for(timeout=60_000)
    wait_for_app(page)


def test_sign_in_survives_a_reload_and_sign_out_ends_it(page: Any, accounts_app: str, browser: Any) -> None:
    open_page(page, accounts_app)
    page.get_by_role("button", name="Sign in").wait_for()
    assert "Traceback" not in body_text(page)
    sign_in(page, accounts_app, "ada")
    page.wait_for_function("() => document.cookie.includes('ecomintel_auth=')", timeout=30_000)
    cookies = page.context.cookies()
    assert any(c["name"] == "ecomintel_auth" for c in cookies)
    page.reload()
    wait_for_app(page)
    page.get_by_role("heading", name="ecomintel · Acme").wait_for()  # the cookie signed us in again
    page.locator('[data-testid="stSidebar"]').get_by_role("button", name="Sign out").click()
    page.get_by_role("button", name="Sign in").wait_for()
    page.reload()
    wait_for_app(page)
    page.get_by_role("button", name="Sign in").wait_for()
    assert "ecomintel · Acme" not in body_text(page)
    # a copy of the cookie taken while signed in is refused after the sign-out
    other = browser.new_context(viewport={"width": 1400, "height": 1000})
    try:
        other.add_cookies([c for c in cookies if c["name"] == "ecomintel_auth"])
        stolen = other.new_page()
        open_page(stolen, accounts_app)
        stolen.get_by_role("button", name="Sign in").wait_for()
        assert "ecomintel · Acme" not in body_text(stolen)
    finally:
        other.close()


def test_a_viewer_sees_no_upload_page_and_a_deep_link_says_why(page: Any, accounts_app: str, tmp_path: Path) -> None:
    sign_in(page, accounts_app, "vic")
    nav = page.locator('[data-testid="stSidebarNav"]')
    nav.get_by_role("link", name="Home").wait_for()
    assert nav.get_by_role("link", name="Upload data").count() == 0
    assert "Signed in as vic (viewer)" in body_text(page)
    open_page(page, accounts_app, "upload")  # a deep link (a fresh page load: the cookie signs in)
    page.get_by_text("Your role (viewer) cannot upload or sync data").wait_for()
    assert page.locator('[data-testid="stFileUploaderDropzoneInput"]').count() == 0
    open_page(page, accounts_app, "settings")
    page.get_by_text("Your preferences").first.wait_for()
    assert page.get_by_role("tab", name="Users and roles").count() == 0
    assert "Traceback" not in body_text(page)


def test_an_invitation_link_opened_in_the_browser_creates_the_account(page: Any, accounts_app: str) -> None:
    # the link as `ecomintel users invite` and Settings print it, then the account, then its sign-in
    engine = make_engine(DATABASES[accounts_app])
    code = invites.create_invite(engine, RequestContext(tenant_id=1, role="admin"), "analyst", AuthPolicy()).code
    engine.dispose()
    open_page(page, accounts_app, f"?invite={code}")
    page.get_by_text("Accept your invitation").wait_for()
    form = page.locator('[data-testid="stForm"]').first
    form.get_by_role("textbox", name="User name").fill("ana")
    form.get_by_role("textbox", name="Password", exact=True).fill(PASSWORD)
    form.get_by_role("textbox", name="Password again").fill(PASSWORD)
    form.get_by_role("button", name="Create my account").click()
    page.get_by_text("Account 'ana' created (analyst). Sign in below.").wait_for()
    sign_in(page, accounts_app, "ana")
    assert page.locator('[data-testid="stSidebarNav"]').get_by_role("link", name="Upload data").count() == 1
