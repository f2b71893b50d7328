"""Drawing one Report (what `ecomintel.ask.service.ask` returns): summary, confidence, metric tiles,
interactive charts, tables with CSV download, warnings, evidence and follow-up questions.

Why separate from pages/ask.py: a report is drawn the same way whether it was just computed, came back
from a background job, or was re-opened from the history; the page only decides which one to show.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pandas as pd
import streamlit as st

from ecomintel.db.repository import Repository
from ecomintel.ingest.export import to_safe_csv
from ui import charts

MAIN_METRICS = ("revenue", "units", "orders", "customers", "aov")
LABELS = {"revenue": "Revenue (net)", "units": "Units", "orders": "Orders", "customers": "Customers",
          "aov": "Avg order value"}


def _number(value: Any, metric: str) -> str:
    if not isinstance(value, int | float):
        return str(value)
    if (metric in ("units", "orders", "customers", "lines", "returned_units") or float(value).is_integer()
            or abs(value) >= 100_000):  # tiles are narrow: whole units once the cents stop mattering
        return f"{value:,.0f}"
    return f"{value:,.2f}"


def table_frame(table: dict[str, Any]) -> pd.DataFrame:
    return pd.DataFrame(table.get("rows") or [], columns=table.get("columns") or None)


def metric_tiles(metrics: dict[str, Any]) -> None:
    """The five headline metrics, with the change vs the previous period when the report compares two."""
    shown = [m for m in MAIN_METRICS if isinstance(metrics.get(m), int | float)]
    if not shown:
        return
    for col, name in zip(st.columns(len(shown)), shown, strict=True):
        pct = metrics.get(f"{name}_change_pct")
        prev = metrics.get(f"{name}_previous")
        delta = f"{pct:+.1f}%" if isinstance(pct, int | float) else None
        col.metric(LABELS[name], _number(metrics[name], name), delta=delta,
                   help=f"Previous period: {_number(prev, name)}" if prev is not None else None)


def draw_report(report: dict[str, Any], *, key: str, ask_again: Callable[[str], None]) -> None:
    """Draw `report`; follow-up buttons call `ask_again(question)` (as an on_click callback)."""
    st.subheader(report.get("question") or "Report")
    periods = " · ".join(f"{p.get('label')} = {p.get('start')}..{p.get('end')}" for p in report.get("periods") or [])
    facts = [periods, f"{report.get('mode', 'quick')} mode", f"planner {report.get('planner')}",
             f"{(report.get('elapsed_ms') or 0) / 1000:.1f} s", "from cache" if report.get("cached") else "",
             f"data version {report.get('data_version')}"]
    st.caption(" · ".join(f for f in facts if f))
    with st.container(border=True):
        st.markdown(report.get("summary") or "No summary.")
        confidence = float(report.get("confidence") or 0.0)
        st.progress(min(max(confidence, 0.0), 1.0), text=f"Confidence {confidence:.0%}")
    metric_tiles(report.get("metrics") or {})
    for i, chart in enumerate(report.get("charts") or []):
        st.plotly_chart(charts.figure_from_spec(chart["figure"]), key=f"{key}_chart_{i}")
    for i, table in enumerate(report.get("tables") or []):
        frame = table_frame(table)
        st.markdown(f"**{table.get('title') or 'Table'}** ({len(frame):,} rows)")
        numbers = {c: st.column_config.NumberColumn(format="localized") for c in frame.columns[1:]
                   if pd.api.types.is_numeric_dtype(frame[c])}  # 34,343.77 rather than 34343.77 (not the key)
        st.dataframe(frame, hide_index=True, column_config=numbers, key=f"{key}_table_{i}")
        st.download_button("Download CSV", to_safe_csv(frame), file_name=f"ecomintel_table_{i + 1}.csv",
                           mime="text/csv", icon=":material/download:", key=f"{key}_dl_{i}")
    warnings = report.get("warnings") or []
    if warnings:
        st.warning("\n".join(f"- {w}" for w in warnings), icon=":material/info:")
    with st.expander("Evidence: which data, filters and agents"):
        agents = pd.DataFrame(report.get("agents") or [])
        if not agents.empty:
            st.dataframe(agents.drop(columns=["warnings"], errors="ignore"), hide_index=True,
                         key=f"{key}_agents")
        st.json({"evidence": report.get("evidence") or [], "metrics": report.get("metrics") or {},
                 "definitions": report.get("definitions") or {}}, expanded=False)
    followups = report.get("followups") or []
    if followups:
        st.markdown("**Ask next**")
        for col, (i, question) in zip(st.columns(len(followups)), enumerate(followups), strict=True):
            col.button(question, key=f"{key}_follow_{i}", on_click=ask_again, args=(question,),
                       icon=":material/subdirectory_arrow_right:")


def history(repo: Repository, *, ask_again: Callable[..., None], limit: int = 30) -> None:
    """The tenant's saved reports: open one as it was, or ask its question again on the current data."""
    past = {f"#{r['id']} · {r['created_at']:%Y-%m-%d %H:%M} · {r['mode']} · {r['question']}": r
            for r in repo.list_reports(limit)}
    if not past:
        st.caption("No questions asked yet.")
        return
    choice = st.selectbox("Past questions", list(past), index=None, placeholder="Choose a question",
                          key="ask_history")
    if not choice:
        return
    left, right = st.columns(2)
    if left.button("Open the saved report", key="ask_open", icon=":material/description:"):
        st.session_state["result_ask_report"] = repo.get_report(int(past[choice]["id"]))["report"]
        st.rerun()
    right.button("Ask again on current data", key="ask_rerun", icon=":material/replay:", on_click=ask_again,
                 args=(past[choice]["question"], past[choice]["mode"]))
