"""The sidebar every page shares (tenant, data freshness, mode) and the sign-in page.

Why a plain `st.form` login instead of streamlit-authenticator: our users live in the `users` table with
bcrypt hashes and `ecomintel.db.tenants.authenticate` already checks them; streamlit-authenticator
would need a copy of the credentials in its own config plus a cookie secret, for no extra safety here.
"""

from __future__ import annotations

from datetime import datetime

import streamlit as st

from ecomintel.db.tenants import check_slug
from ui import errors, state


def login_page() -> None:
    """Shown instead of the app when demo mode is off and nobody is signed in."""
    st.title("ecomintel")
    st.caption("Sign in with your ecomintel user name and password.")
    with st.form("login"):
        username = st.text_input("Username")
        password = st.text_input("Password", type="password")
        submitted = st.form_submit_button("Sign in", type="primary")
    if submitted:
        with errors.guarded("signing in"):
            if state.sign_in(username, password):
                st.rerun()
            st.error("Unknown user or wrong password.")


def _when(value: datetime | None) -> str:
    return value.strftime("%Y-%m-%d %H:%M") if value else "never"


def _open_tenant() -> None:
    """on_change of the tenant picker (callbacks run before the script, so the rerun sees the new tenant)."""
    state.switch_tenant(st.session_state["sidebar_tenant"])


def _create_tenant() -> None:
    name = st.session_state.get("sidebar_new_tenant", "").strip()
    if not name:
        return
    try:
        tenant = state.switch_tenant(check_slug(name), create=True)
    except Exception as exc:  # shown on the next line of the sidebar by errors.show_error
        st.session_state["sidebar_error"] = exc
        return
    st.session_state["sidebar_tenant"] = tenant.slug
    st.session_state["sidebar_new_tenant"] = ""


def _tenant_picker() -> None:
    current = state.tenant()
    slugs = [t.slug for t in state.tenants()]
    if st.session_state.get("sidebar_tenant") != current.slug:
        st.session_state["sidebar_tenant"] = current.slug  # the picker always shows the open tenant
    st.selectbox("Tenant", slugs, key="sidebar_tenant", on_change=_open_tenant,
                 help="Demo mode: open any tenant as admin.")
    with st.popover("New tenant", icon=":material/add:", width="stretch"):
        st.text_input("Name", placeholder="acme-shop", key="sidebar_new_tenant",
                      help="Lowercase letters, digits, '-' or '_'.")
        st.button("Create and open", key="sidebar_create_tenant", on_click=_create_tenant)
    if "sidebar_error" in st.session_state:
        errors.show_error(st.session_state.pop("sidebar_error"), where="creating the tenant")


def draw() -> None:
    """Tenant (picker in demo mode, user + sign-out otherwise), data freshness and run mode."""
    s = state.settings()
    if s.demo_mode:
        _tenant_picker()
    else:
        tenant = state.tenant()
        st.markdown(f"**{tenant.name}** · {st.session_state.get('username')} "
                    f"({st.session_state.get('role')})")
        if st.button("Sign out", icon=":material/logout:"):
            state.sign_out()
            st.rerun()
    fresh = state.repo().latest_data_dates()
    if fresh["sales_lines"]:
        first, last = fresh["sales_from"], fresh["sales_to"]
        st.caption(f"Sales {str(first)[:10]} → {str(last)[:10]} · {fresh['sales_lines']:,} lines")
    else:
        st.caption("No sales data yet")
    st.caption(f"Last import: {_when(fresh['last_ingest'])} UTC")
    database = "PostgreSQL" if s.database_url.startswith("postgres") else "SQLite"
    jobs = "Redis + RQ workers" if s.redis_url else "in-process jobs"
    st.caption(f"{'Demo mode · ' if s.demo_mode else ''}{database} · {jobs}")
