"""The one error helper (ui.errors): user errors show message + hint, anything else a logged apology with a
request id — never a traceback. Run inside a real Streamlit script run (AppTest)."""

from __future__ import annotations

import logging

import pytest
from streamlit.testing.v1 import AppTest


def _script_user_error() -> None:
    from ecomintel.errors import MissingColumns
    from ui import errors

    with errors.guarded("importing"):
        raise MissingColumns(["sku"], {"sku": ["StockCode"]}, ["InvoiceNo", "StockCode"])


def _script_bug() -> None:
    from ui import errors

    with errors.guarded("drawing the chart", request_id="req123abc"):
        {}["missing"]  # a bug: KeyError


def _script_rerun_passes_through() -> None:
    import streamlit as st

    from ui import errors

    if not st.session_state.get("again"):
        st.session_state["again"] = True
        with errors.guarded("x"):
            st.rerun()  # Streamlit control flow is not an error
    st.write("second run")


def test_user_error_shows_message_hint_and_suggestions() -> None:
    at = AppTest.from_function(_script_user_error).run()
    assert not at.exception
    assert [e.value for e in at.error] == ["Missing required column(s): sku (maybe: StockCode)."]
    assert "StockCode" in at.markdown[0].value
    assert at.caption[0].value.startswith("Map them explicitly")


def test_unexpected_error_is_logged_with_request_id_and_shown_without_traceback(
        caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.ERROR, logger="ecomintel.ui"):
        at = AppTest.from_function(_script_bug).run()
    assert not at.exception
    message = at.error[0].value
    assert "req123abc" in message and "while drawing the chart" in message
    assert "KeyError" not in message and "Traceback" not in message
    record = next(r for r in caplog.records if "req123abc" in r.getMessage())
    assert record.exc_info and record.exc_info[0] is KeyError  # the traceback goes to the log


def test_streamlit_control_flow_passes_through() -> None:
    at = AppTest.from_function(_script_rerun_passes_through).run()
    assert not at.exception and not at.error
    assert at.markdown[0].value == "second run"
