"""Who is using the app and on which tenant: settings, the shared engine and st.session_state.

Why here: pages stay thin by asking for `repo()` and never touching engines, tenants or logins; the
engine is a `st.cache_resource` (one pool per database URL per process, migrated once); the tenant and
user live in `st.session_state` and become an explicit `RequestContext` for every core call.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import sqlalchemy as sa
import streamlit as st

from ecomintel.config import Settings, load_settings
from ecomintel.context import RequestContext
from ecomintel.db.engine import make_engine, migrate
from ecomintel.db.repository import Repository
from ecomintel.db.scoped import utcnow
from ecomintel.db.tenants import (
    Tenant,
    ensure_tenant,
    get_tenant,
    get_tenant_by_id,
    list_tenants,
)

DEMO_TENANT = "demo"
_KEYS = ("tenant_id", "user_id", "role", "username")
_ROUTER = threading.local()  # set while app.py runs a page (each session's script runs in its own thread)


@contextmanager
def routed() -> Iterator[None]:
    """app.py runs the current page inside this, so pages know the router (sign-in, sidebar) ran."""
    _ROUTER.active = True
    try:
        yield
    finally:
        _ROUTER.active = False


def require_router() -> None:
    """Send a page that Streamlit ran without app.py back through the router, to the same page.

    Why: with a `pages/` folder next to app.py, Streamlit's legacy multipage mode runs a deep-linked page
    file directly on a fresh server's very first request (until some run calls st.navigation). Such a
    run has no sign-in and no sidebar, so it goes to app.py with `?goto=<page>`; app.py's st.navigation
    switches the server to the router for good and then opens that page.
    """
    if getattr(_ROUTER, "active", False):
        return
    goto = ""
    try:  # which page was asked for (Streamlit's run context; best effort)
        from streamlit.runtime.scriptrunner import get_script_run_ctx

        run = get_script_run_ctx()
        if run is not None:
            info = run.pages_manager.get_pages().get(run.page_script_hash)
            goto = str(info.get("url_pathname") or "") if info else ""
    except Exception:
        goto = ""
    st.switch_page("app.py", query_params={"goto": goto} if goto else None)


def follow_goto(pages: list[Any]) -> None:
    """app.py: after a redirect from `require_router`, open the page that was asked for."""
    goto = st.query_params.get("goto")
    if goto:
        del st.query_params["goto"]
        target = next((p for p in pages if p.url_path == goto), None)
        if target is not None:
            st.switch_page(target)


def settings() -> Settings:
    """Settings from the environment (read on every run: cheap, and tests can change the environment), with the
    open tenant's own values (LLM model and budget, cache lifetime; ecomintel/tenant_settings.py) applied."""
    base = load_settings()
    tenant_id = st.session_state.get("tenant_id")
    if not tenant_id:
        return base
    try:
        from ecomintel import tenant_settings
        from ecomintel.db.scoped import RepositoryCore

        core = RepositoryCore(engine_for(base.database_url), RequestContext(tenant_id=int(tenant_id), role="viewer"))
        return tenant_settings.effective(core, base)
    except Exception:  # the database is not reachable yet: the caller will say so; the defaults apply meanwhile
        return base


@st.cache_resource(show_spinner="Opening the database…")
def engine_for(url: str) -> sa.Engine:
    """One migrated engine per database URL for the whole server process."""
    engine = make_engine(url)
    migrate(engine)
    return engine


def engine() -> sa.Engine:
    return engine_for(settings().database_url)


def signed_in() -> bool:
    """True when this run may show the app. Demo mode: the `demo` tenant as admin, no sign-in. Otherwise the
    session (or the sign-in cookie) is checked by the core on every run (ui/auth.py), and the user's tenant
    and role are taken from the database each time, never from what the browser kept."""
    if settings().demo_mode:
        if not st.session_state.get("tenant_id"):
            use_tenant(ensure_tenant(engine(), DEMO_TENANT, "Demo"), role="admin", username="demo")
        return True
    from ui import auth

    user = auth.current_user()
    if user is None:
        sign_out()
        return False
    use_tenant(get_tenant_by_id(engine(), user.tenant_id), role=user.role, user_id=user.user_id,
               username=user.username)
    return True


def sign_in(username: str, password: str) -> bool:
    """Sign in without the widget (scripts/tests): the core's attempt_login (lockout, audit)."""
    from ecomintel.accounts import login
    from ui import auth

    result = login.attempt_login(engine(), username, password, auth.policy())
    if not result.ok or result.user is None:
        return False
    st.session_state[auth.USER_KEY], st.session_state[auth.ISSUED_KEY] = result.user, utcnow()
    return signed_in()


def sign_out() -> None:
    for key in _KEYS:
        st.session_state.pop(key, None)
    forget_results()


def use_tenant(tenant: Tenant, *, role: str | None = None, user_id: int | None = None,
               username: str | None = None) -> None:
    """Make `tenant` current (keeping the role/user unless given) and drop results of the previous one."""
    if st.session_state.get("tenant_id") != tenant.id:
        forget_results()
    st.session_state["tenant_id"] = tenant.id
    if role is not None:
        st.session_state["role"] = role
    if user_id is not None or username is not None:
        st.session_state["user_id"] = user_id
        st.session_state["username"] = username


def switch_tenant(slug: str, *, create: bool = False) -> Tenant:
    """Demo mode only: open another tenant (created when `create`) as admin."""
    tenant = ensure_tenant(engine(), slug) if create else get_tenant(engine(), slug)
    use_tenant(tenant, role="admin")
    return tenant


def forget_results() -> None:
    """Per-tenant results kept between reruns (last import, last report) must not leak across tenants."""
    for key in [k for k in st.session_state if str(k).startswith("result_")]:
        del st.session_state[key]


def queue_question(question: str, mode: str | None = None) -> None:
    """Ask `question` on the Ask page's next run (examples, follow-ups, suggestions, history, Home).

    Why in session state: buttons live on several pages and in callbacks; the Ask page is the one place
    that answers, so every way to ask leaves the question here. `mode` None = the page's Deep toggle.
    """
    st.session_state["ask_question"] = question
    st.session_state["ask_pending"] = (question, mode or ("deep" if st.session_state.get("ask_deep") else "quick"))


def role() -> str:
    """The role of this run: admin in demo mode, else what signed_in() read from the database this run."""
    return "admin" if settings().demo_mode else str(st.session_state.get("role") or "viewer")


def context() -> RequestContext:
    """A fresh RequestContext (new request id) for the current run."""
    require_router()
    return RequestContext(tenant_id=int(st.session_state["tenant_id"]),
                          user_id=st.session_state.get("user_id"), role=role())


def repo() -> Repository:
    return Repository(engine(), context())


def tenant() -> Tenant:
    return get_tenant_by_id(engine(), int(st.session_state["tenant_id"]))


def tenants() -> list[Tenant]:
    return list_tenants(engine())
