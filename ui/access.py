"""Which pages a role sees, from the core's permission table — enforced in one place, app.py.

Why here and not in every page: pages are added by several people; one table (page url path → the action
it needs, `read` unless listed) means a new page is covered the day it lands. A page a role may not open is
left out of the navigation; reached anyway (a deep link, a bookmark, a page left open while an admin changed
the role) it is replaced by a clear message instead of running. Hiding is a courtesy: the core refuses the
operations themselves (ecomintel.permissions).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import urlparse

import streamlit as st

from ecomintel.permissions import ACTION_WORDS, PERMISSIONS, allowed

# page url path → action needed to open it (every other page needs "read")
PAGE_ACTIONS: dict[str, str] = {
    "upload": "upload",
}


def action_for(page: Any) -> str:
    return PAGE_ACTIONS.get(str(getattr(page, "url_path", "") or ""), "read")


def requested_path() -> str:
    """The page path the browser asks for ("" for the default page), best effort."""
    try:
        url = st.context.url
    except Exception:
        return ""
    return urlparse(url).path.strip("/").rsplit("/", 1)[-1] if url else ""


def denied_page(title: str, action: str, role: str) -> Callable[[], None]:
    def page() -> None:
        st.title(title)
        who = ", ".join(sorted(PERMISSIONS.get(action, ()))) or "nobody"
        st.warning(f"Your role ({role}) cannot {ACTION_WORDS.get(action, action)}, so this page is not "
                   f"available to you. It is open to: {who}. Ask an admin of your tenant if you need it.",
                   icon=":material/lock:")

    page.__name__ = f"denied_{action}"
    return page


def pages_for(pages: list[Any], role: str) -> list[Any]:
    """The pages `role` may open; a forbidden page that was asked for becomes a page saying why."""
    visible = [p for p in pages if allowed(role, action_for(p))]
    asked = requested_path()
    for p in pages:
        action = action_for(p)
        if not allowed(role, action) and asked and p.url_path == asked:
            visible.append(st.Page(denied_page(p.title, action, role), title=p.title, url_path=p.url_path,
                                   icon=":material/lock:"))
    return visible
