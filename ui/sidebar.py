"""The sidebar every page shares (tenant, data freshness, mode) and the sign-in page.

Sign-in itself (streamlit-authenticator's form and cookie, decided by ecomintel.accounts) is ui/auth.py.
"""

from __future__ import annotations

from datetime import datetime

import streamlit as st

from ecomintel.db.tenants import check_slug
from ui import errors, state


def login_page() -> None:
    """Shown instead of the app when demo mode is off and nobody is signed in (ui/auth.py)."""
    from ui import auth

    auth.login_page()


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
    except Exception as exc:  # shown inside the popover, which stays open, by errors.show_error
        st.session_state["sidebar_error"] = exc
        return
    st.session_state["sidebar_tenant"] = tenant.slug
    st.session_state["sidebar_new_tenant"] = ""
    # a popover keeps its open state under its key: a new key draws it closed once the tenant exists
    st.session_state["sidebar_popover_n"] = int(st.session_state.get("sidebar_popover_n", 0)) + 1


def _tenant_picker() -> None:
    current = state.tenant()
    slugs = [t.slug for t in state.tenants()]
    if st.session_state.get("sidebar_tenant") != current.slug:
        st.session_state["sidebar_tenant"] = current.slug  # the picker always shows the open tenant
    st.selectbox("Tenant", slugs, key="sidebar_tenant", on_change=_open_tenant,
                 help="Demo mode: open any tenant as admin.")
    with st.popover("New tenant", icon=":material/add:", width="stretch",
                    key=f"sidebar_new_tenant_popover_{st.session_state.get('sidebar_popover_n', 0)}"):
        st.text_input("Name", placeholder="acme-shop", key="sidebar_new_tenant",
                      help="Lowercase letters, digits, '-' or '_'.")
        st.button("Create and open", key="sidebar_create_tenant", on_click=_create_tenant)
        if "sidebar_error" in st.session_state:  # where the user is looking: under the button they pressed
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
        if st.button("Sign out", icon=":material/logout:", key="sidebar_sign_out"):
            from ui import auth

            auth.sign_out()
            st.rerun()
    fresh = state.repo().latest_data_dates()
    if fresh["sales_lines"]:
        first, last = fresh["sales_from"], fresh["sales_to"]
        st.caption(f"Sales {str(first)[:10]} → {str(last)[:10]} · {fresh['sales_lines']:,} lines")
    else:
        st.caption("No sales data yet")
    st.caption(f"Last import: {_when(fresh['last_ingest'])} UTC" if fresh["last_ingest"] else "Last import: never")
    database = "PostgreSQL" if s.database_url.startswith("postgres") else "SQLite"
    jobs = "Redis + RQ workers" if s.redis_url else "in-process jobs"
    st.caption(f"{'Demo mode · ' if s.demo_mode else ''}{database} · {jobs}")
