"""The one place errors are shown to a user.

Why one helper (DESIGN §5.6): core code raises typed `EcomintelError`s whose message and hint are written
for people; anything else is a bug, so the user gets a short apology with a request id while the
traceback goes to the log under that id. No page ever shows a traceback.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import streamlit as st

from ecomintel.errors import EcomintelError, MissingColumns

log = logging.getLogger("ecomintel.ui")


def show_error(exc: BaseException, *, where: str = "", request_id: str | None = None) -> None:
    """Render `exc`: an EcomintelError as its message + hint, anything else as a logged, friendly apology."""
    if isinstance(exc, EcomintelError):
        st.error(exc.message, icon=":material/error:")
        if isinstance(exc, MissingColumns) and exc.suggestions:
            st.markdown("\n".join(f"- **{field}** → maybe {', '.join(f'`{c}`' for c in cols)}"
                                  for field, cols in exc.suggestions.items() if cols))
        if exc.hint:
            st.caption(exc.hint)
        log.info("user error in %s: %s", where or "app", exc.message)
        return
    rid = request_id or uuid.uuid4().hex[:12]
    log.error("unexpected error in %s (request %s)", where or "app", rid, exc_info=exc)
    st.error(f"Something went wrong on our side{f' while {where}' if where else ''}. "
             f"It was logged with request id `{rid}`; please try again, and quote that id if it persists.",
             icon=":material/report:")


@contextmanager
def guarded(where: str = "", request_id: str | None = None) -> Iterator[None]:
    """`with guarded("importing the file"):` — any exception inside is rendered by `show_error`.

    Streamlit's own control flow (st.rerun, st.stop) uses BaseException subclasses and passes through.
    """
    try:
        yield
    except Exception as exc:
        show_error(exc, where=where, request_id=request_id)
