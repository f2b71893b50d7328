"""Which pages a role sees, from the core's permission table — enforced in one place, app.py.

Why here and not in every page: pages are added by several people; one table (page url path → the action
it needs, `read` unless listed) means a new page is covered the day it lands. A page a role may not open is
left out of the navigation; reached anyway (a deep link, a bookmark, a page left open while an admin changed
the role) it shows a clear message instead of running. Hiding is a courtesy: the core refuses the
operations themselves (ecomintel.permissions).
"""

from __future__ import annotations

from typing import Any

import streamlit as st

from ecomintel.permissions import ACTION_WORDS, PERMISSIONS, allowed

# page url path → action needed to open it (every other page needs "read")
PAGE_ACTIONS: dict[str, str] = {
    "upload": "upload",
}


def action_for(page: Any) -> str:
    return PAGE_ACTIONS.get(str(getattr(page, "url_path", "") or ""), "read")


def forbidden(page: Any, role: str) -> bool:
    return not allowed(role, action_for(page))


def hide_forbidden(pages: list[Any], role: str) -> None:
    """Leave the pages `role` may not open out of the sidebar menu. They stay registered, so links to them
    (st.page_link in other pages) still resolve and lead to the message of `run`."""
    paths = [p.url_path for p in pages if forbidden(p, role) and p.url_path]
    if paths:
        rules = ", ".join(f'[data-testid="stSidebarNav"] a[href$="/{path}"]' for path in paths)
        st.html(f"<style>{rules} {{ display: none !important; }}</style>")


def deny(page: Any, role: str) -> None:
    """What a forbidden page shows instead of itself."""
    action = action_for(page)
    st.title(str(page.title))
    who = ", ".join(sorted(PERMISSIONS.get(action, ()))) or "nobody"
    st.warning(f"Your role ({role}) cannot {ACTION_WORDS.get(action, action)}, so this page is not available to "
               f"you. It is open to: {who}. Ask an admin of your tenant if you need it.", icon=":material/lock:")


def run(page: Any, role: str) -> None:
    """Run `page`, or the refusal when `role` may not open it."""
    if forbidden(page, role):
        deny(page, role)
    else:
        page.run()
