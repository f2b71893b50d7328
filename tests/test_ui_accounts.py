"""AppTest over the accounts UI (demo mode off): sign-in through streamlit-authenticator, role escalation
through session state, an expired session, lockout in the form, the admin's Settings tabs and invitations."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from streamlit.testing.v1 import AppTest, app_test

from ecomintel.accounts import users
from ecomintel.context import RequestContext
from ecomintel.db.engine import make_engine, migrate
from ecomintel.db.tenants import ensure_tenant
from tests.conftest import ROOT
from tests.test_ui_apptest import _RouterPagesManager

PASSWORD = "correct horse battery"
SUBMIT = "FormSubmitter:login-Sign in"


@pytest.fixture
def accounts_db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    monkeypatch.setattr(app_test, "PagesManager", _RouterPagesManager)
    url = f"sqlite:///{tmp_path / 'app.db'}"
    for name, value in {"ECOMINTEL_DATABASE_URL": url, "ECOMINTEL_DEMO_MODE": "0",
                        "ECOMINTEL_DATA_DIR": str(tmp_path), "ECOMINTEL_LOGIN_MAX_ATTEMPTS": "3"}.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("ECOMINTEL_REDIS_URL", raising=False)
    monkeypatch.chdir(ROOT)
    engine = make_engine(url)
    migrate(engine)
    admin = RequestContext(tenant_id=ensure_tenant(engine, "acme", "Acme").id, role="admin")
    users.add_user(engine, admin, "ada", PASSWORD, role="admin")
    users.add_user(engine, admin, "vic", PASSWORD, role="viewer")
    engine.dispose()
    yield url


def _signed_in(username: str, password: str = PASSWORD) -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120).run()
    at.text_input[0].set_value(username)
    at.text_input[1].set_value(password)
    at.button(key=SUBMIT).click().run()
    return at


def _text(at: AppTest) -> str:
    parts: list[str] = []
    for kind in ("title", "markdown", "caption", "error", "warning", "info", "success", "metric"):
        for el in getattr(at, kind):
            parts.append(str(getattr(el, "value", "")))
    return "\n".join(parts)


def test_a_viewer_cannot_escalate_through_session_state(accounts_db: str) -> None:
    at = _signed_in("vic")
    assert not at.exception
    assert at.title[0].value == "ecomintel · Acme"
    at.session_state["role"] = "admin"  # what a tampered widget state or a bug could leave behind
    at.session_state["user_id"] = 1
    at.switch_page("pages/settings.py").run()
    assert not at.exception
    assert next(m for m in at.metric if m.label == "Your role").value == "viewer"
    assert "Users and roles" not in [t.label for t in at.tabs]


def test_a_viewer_sees_no_ask_box_but_a_clear_message(accounts_db: str) -> None:
    at = _signed_in("vic")
    at.switch_page("pages/ask.py").run()
    assert not at.exception
    assert [t for t in at.text_input if t.key == "ask_question"] == []
    assert any("asking questions needs the analyst role" in i.value for i in at.info)


def test_an_admin_manages_users_and_invites_in_settings(accounts_db: str) -> None:
    at = _signed_in("ada")
    at.switch_page("pages/settings.py").run()
    assert not at.exception
    labels = [t.label for t in at.tabs]
    assert {"Tenant", "Users and roles", "Audit log"} <= set(labels)
    at.selectbox(key="invite_role").set_value("viewer")
    at.button(key="FormSubmitter:invite-Create invitation").click().run()
    assert not at.exception
    assert any("Invitation for a new viewer" in s.value for s in at.success)
    link = next(c.value for c in at.code)
    assert "?invite=" in link
    at.selectbox(key="role_user").set_value("vic")
    at.selectbox(key="role_value").set_value("analyst")
    at.button(key="FormSubmitter:user_role-Set role").click().run()
    assert not at.exception
    frame = next(d.value for d in at.dataframe if "role" in d.value.columns and "user" in d.value.columns)
    assert frame.set_index("user").loc["vic", "role"] == "analyst"


def test_an_expired_session_signs_out_on_the_next_run(accounts_db: str) -> None:
    at = _signed_in("ada")
    assert at.title[0].value == "ecomintel · Acme"
    at.session_state["auth_issued"] = at.session_state["auth_issued"] - timedelta(hours=13)
    at.run()
    assert not at.exception
    assert at.button(key=SUBMIT) is not None
    assert any("session ended" in i.value for i in at.info)


def test_repeated_wrong_passwords_lock_the_user_in_the_form(accounts_db: str) -> None:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120).run()
    messages: list[Any] = []
    for _ in range(3):
        at.text_input[0].set_value("ada")
        at.text_input[1].set_value("wrong password")
        at.button(key=SUBMIT).click().run()
        messages.append([e.value for e in at.error])
    assert messages[0] == ["Unknown user or wrong password."]
    assert any("locked" in m for m in messages[-1])
    at.text_input[0].set_value("ada")
    at.text_input[1].set_value(PASSWORD)  # the right password while locked: still refused
    at.button(key=SUBMIT).click().run()
    assert at.title[0].value == "ecomintel"
    assert not at.exception


def test_an_admin_chooses_the_tenants_llm_provider(accounts_db: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """Settings → Tenant offers only providers that can work here (no OpenAI/Gemini key: none and the named
    endpoints); the choice is saved for the tenant and LLM usage then shows it."""
    from ecomintel import tenant_settings
    from ecomintel.db.repository import Repository
    from ecomintel.db.tenants import get_tenant

    monkeypatch.setenv("ECOMINTEL_LLM_ENDPOINTS", "local=http://127.0.0.1:9/v1")
    for name in ("OPENAI_API_KEY", "GEMINI_API_KEY", "ECOMINTEL_LLM_BASE_URL", "ECOMINTEL_LLM_PROVIDER"):
        monkeypatch.delenv(name, raising=False)
    at = _signed_in("ada")
    at.switch_page("pages/settings.py").run()
    assert not at.exception
    choice = at.selectbox(key="tenant_llm_provider")
    assert choice.options == ["install default (none)", "none — offline only: questions never reach an LLM",
                              "local — OpenAI-compatible server set up by the operator"]
    choice.set_value("local")
    at.button(key="FormSubmitter:tenant_settings-Save tenant settings").click().run()
    assert not at.exception
    assert any("Saved; they apply from the next question." in s.value for s in at.success)
    at.run()  # the next run reads the tenant's settings
    assert at.selectbox(key="tenant_llm_provider").value == "local"
    assert "Provider **local** · model **gpt-4o-mini** · endpoint `http://127.0.0.1:9/v1`" in _text(at)
    engine = make_engine(accounts_db)
    try:
        tenant = get_tenant(engine, "acme")
        repo = Repository(engine, RequestContext(tenant_id=tenant.id, role="admin"))
        assert tenant_settings.get(repo) == {"llm_provider": "local"}
    finally:
        engine.dispose()


def test_the_invitation_page_says_whose_account_it_creates(accounts_db: str) -> None:
    from ecomintel.accounts.invites import create_invite
    from ecomintel.accounts.policy import AuthPolicy

    engine = make_engine(accounts_db)
    invite = create_invite(engine, RequestContext(tenant_id=1, role="admin"), "analyst", AuthPolicy())
    engine.dispose()
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    at.query_params["invite"] = invite.code
    at.run()
    assert not at.exception
    assert "You are invited to **Acme** as **analyst**" in _text(at)
    stale = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    stale.query_params["invite"] = "not-a-code"
    stale.run()
    assert "This invitation is unknown, already used or expired." in _text(stale)
    assert not [f for f in stale.text_input if f.label == "Your name"]  # no form to fill in for nothing
