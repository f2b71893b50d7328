"""Drawing one Report (what `ecomintel.ask.service.ask` returns) as something a person reads.

Order on the page: the question and its resolved periods; the summary with the confidence in words; what
was not understood; metric tiles in the data's currency; the primary analysis (chart beside table); the
supporting analyses in tabs, each with its own chart and table; notes and definitions; evidence as a
table; the raw JSON behind "Details"; follow-up questions. A `cannot_answer` report is not drawn as a
report at all: it is a message saying what is missing, with questions the data can answer.

Why separate from pages/ask.py: a report is drawn the same way whether it was just computed, came back
from a background job, or was re-opened from the history; the page only decides which one to show.
Names and decimals come from `ui.labels`, the grouping of tables and charts from `ui.sections`.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pandas as pd
import streamlit as st

from ecomintel.agents.sales_context import metric_column
from ecomintel.db.repository import Repository
from ecomintel.ingest.export import to_safe_csv
from ui import charts, labels, widgets
from ui.sections import Section, sections

HEADLINE = ("revenue", "units", "orders", "customers", "aov")
INTENT_TILES: dict[str, tuple[str, ...]] = {
    "share": ("share_pct", "part", "total"),
    "new_returning": ("new_customers", "returning_customers", "customers"),
    "repeat": ("repeat_rate", "repeat_customers", "one_time_customers", "customers"),
    "cohorts": ("customers",),
    "price_position": ("products_compared", "above_market", "below_market", "median_gap_pct"),
    "price_changes": ("products_changed", "competitor_changes", "products_compared"),
    "promotions": ("on_promotion", "items", "mean_discount_pct"),
    "elasticity": ("products_estimated", "credible"),
    "price_recommendations": ("price_changes_suggested", "products", "floor_checked", "blocked_by_floor"),
}
MAX_TILES = 6
MAX_NOTES = 3  # warnings shown at once; the rest one click away
AGENT_LABELS = {"sales": "Sales", "sales_deep": "Sales (deep)", "customers": "Customers", "pricing": "Pricing"}
SOURCE_LABELS = {"sales": "Sales lines", "products": "Products", "reviews": "Reviews", "listings": "Listings"}
# What would make a cannot-answer question answerable, by the report's `missing` need.
REMEDIES: dict[str, str] = {
    "cost": "Product costs: upload a products file with a cost column; margin and profit follow from it.",
    "reviews": "Product reviews: upload a reviews file.",
    "listings": "Competitor listings: upload marketplace listings with prices of the same products.",
    "inventory": "Stock levels: upload products with inventory_level (and lead_time_days) columns.",
    "marketing": "Marketing spend per campaign or day — not something ecomintel loads yet.",
    "traffic": "Website traffic (sessions, visits, conversions) — not something ecomintel loads yet.",
    "weather": "Weather data — not something ecomintel loads; compare revenue by day with a weather export.",
    "forecast": "A demand forecast — not available yet; ask about a past period instead.",
    "sales": "Sales lines: upload a sales file.",
    "off_topic": "A question about your shop's data: revenue, units, orders, customers, products, countries "
                 "or periods.",
    "not_understood": "Names from your data: a product, a country, a category or a period it covers.",
}
UPLOADABLE = frozenset({"cost", "reviews", "listings", "inventory", "sales"})
# "Revenue = net: …" / "Revenue is net: …" define a word; "Nov 2011 = 2011-11-01…" is a period, not a definition
_DEFINITION = re.compile(r"^[A-Z][A-Za-z]*(?: [a-z]+){0,3} (?:=|is) [a-z]")


def table_frame(table: dict[str, Any]) -> pd.DataFrame:
    return pd.DataFrame(table.get("rows") or [], columns=table.get("columns") or None)


def _share_of(report: dict[str, Any]) -> str:
    """The metric a share's part and total are amounts of (money for revenue, a count for units)."""
    plan = report.get("plan") or {}
    return metric_column(str(plan.get("metric") or "revenue"))


# -- header, summary, notes --------------------------------------------------------------------------------
def _facts(report: dict[str, Any]) -> str:
    periods = " · ".join(f"{p.get('label')} = {p.get('start')}..{p.get('end')}" for p in report.get("periods") or [])
    facts = [periods, f"{report.get('mode', 'quick')} mode", f"planner {report.get('planner')}",
             f"{(report.get('elapsed_ms') or 0) / 1000:.1f} s", "from cache" if report.get("cached") else "",
             f"data version {report.get('data_version')}"]
    return " · ".join(f for f in facts if f)


def not_understood_note(report: dict[str, Any]) -> None:
    """The question's words that no rule used: never silently dropped, always on screen."""
    words = [str(w) for w in report.get("not_understood") or [] if str(w).strip()]
    if words:
        quoted = ", ".join(f"'{w}'" for w in words)
        st.warning(f"Not understood: {quoted} — the answer is not filtered by them.", icon=":material/help:")


def summary_box(report: dict[str, Any]) -> None:
    """The answer in a sentence or two, and how sure it is (in words and as the calibrated number)."""
    confidence = min(max(float(report.get("confidence") or 0.0), 0.0), 1.0)
    colour = "green" if confidence >= 0.75 else "orange" if confidence >= 0.5 else "red"
    with st.container(border=True):
        st.markdown(report.get("summary") or "No summary.")
        st.markdown(f":{colour}[:material/verified: **{labels.confidence_words(confidence)}**]",
                    help="How sure this answer is: how much of the question was understood and matched to "
                         "your data, how much of the period the data covers, and whether every analysis "
                         "finished. The bench measures how well it separates right from wrong answers.")
    failed = [a for a in report.get("agents") or [] if a.get("status") not in (None, "ok")]
    if report.get("status") == "partial" or failed:
        names = ", ".join(f"{_agent_label(a.get('agent'))} {a.get('status')}" for a in failed)
        st.warning("Partial answer: " + (f"{names}." if names else "some of the data is thin."),
                   icon=":material/warning:")


def _is_quality_warning(text: str) -> bool:
    return text.startswith("Data quality:")


def quality_note(report: dict[str, Any]) -> None:
    """The data-quality problems under this answer, right below its confidence: they are why the confidence
    is lower, so they are never one click away among the other notes."""
    quality = report.get("data_quality") or {}
    said = [str(w) for w in [*(quality.get("warnings") or []), *(report.get("warnings") or [])]
            if _is_quality_warning(str(w))]
    said = list(dict.fromkeys(said))
    if not said:
        return
    factor = quality.get("confidence_factor")
    lowered = (f"; they lowered its confidence (× {float(factor):.2f})"
               if isinstance(factor, int | float) and factor < 1 else "")
    st.warning(f"**Data quality problems under this answer**{lowered}. The Data quality page shows the rows "
               "behind them.\n" + "\n".join(f"- {w.removeprefix('Data quality:').strip()}" for w in said),
               icon=":material/report:")


def metric_tiles(metrics: dict[str, Any], *, intent: str | None = None, metric: str = "revenue",
                 currency: str | None = None) -> None:
    """The headline numbers (the question's metric first), with the change when the report compares two
    periods. Money in the data's currency with 2 decimals, counts whole, percentages with 1."""
    order = INTENT_TILES.get(intent or "") or (metric_column(metric), *HEADLINE)
    shown = [m for m in dict.fromkeys(order)
             if isinstance(metrics.get(m), int | float) and not isinstance(metrics.get(m), bool)][:MAX_TILES]
    if not shown:
        return
    share_of = metric_column(metric)
    values = [labels.fmt(name, metrics[name], currency=currency, share_of=share_of) for name in shown]
    # each tile as wide as its number needs, so "£1,455,608.80" is never cut to "£1,455,6…"
    for col, name, value in zip(st.columns([max(len(v), 6) for v in values]), shown, values, strict=True):
        pct = metrics.get(f"{name}_change_pct")
        prev = metrics.get(f"{name}_previous")
        title = labels.label(name, currency=currency, tile=True, share_of=share_of)
        if name in ("part", "total"):
            title = f"{labels.label(share_of, tile=True)} ({'this part' if name == 'part' else 'all'})"
        col.metric(title, value, delta=f"{pct:+.1f}%" if isinstance(pct, int | float) else None,
                   help=f"Previous period: {labels.fmt(name, prev, currency=currency, share_of=share_of)}"
                   if prev is not None else None)


def _is_definition(text: str) -> bool:
    return bool(_DEFINITION.match(text))


def reading(report: dict[str, Any]) -> None:
    """How the question was read (the planner's notes: resolved phrases, capped top-N …), in one line."""
    read = [str(n) for n in report.get("notes") or [] if str(n).strip() and not _is_definition(str(n))]
    if read:
        st.caption(":material/manage_search: **How the question was read:** " + " · ".join(read))


def notes(report: dict[str, Any]) -> None:
    """Warnings as one compact box; definitions (and definition-like warnings and notes) as one caption."""
    warnings: list[str] = []
    stated: dict[str, str] = {}  # first word → sentence: "Revenue = net…" and "Revenue is net…" say one thing
    for text in [*(str(w) for w in report.get("warnings") or []),
                 *(str(n) for n in report.get("notes") or [] if _is_definition(str(n)))]:
        if _is_definition(text):
            stated.setdefault(text.split(" ", 1)[0].lower(), text)
        elif _is_quality_warning(text):
            continue  # drawn by quality_note under the summary
        elif text not in warnings:
            warnings.append(text)
    if warnings:
        st.warning("\n".join(f"- {w}" for w in warnings[:MAX_NOTES]), icon=":material/info:")
    if len(warnings) > MAX_NOTES:
        with st.expander(f"{len(warnings) - MAX_NOTES} more notes", icon=":material/info:"):
            st.markdown("\n".join(f"- {w}" for w in warnings[MAX_NOTES:]))
    parts = []
    for name, text in dict(report.get("definitions") or {}).items():
        if name == "coverage" and isinstance(text, int | float):
            parts.append(f"**Data coverage of the period**: {float(text):.0%}")
        elif str(name).lower() not in stated:
            parts.append(f"**{labels.label(str(name))}**: {text}")
    parts += stated.values()
    if parts:
        st.caption(" · ".join(parts))


# -- tables and charts ---------------------------------------------------------------------------------------
def column_config(name: str, column: pd.Series, *, currency: str | None, share_of: str) -> Any:
    """A column's human header and number format (money 2 decimals, counts 0, percentages 1)."""
    kind = labels.kind(name, share_of=share_of)
    title = labels.label(name, currency=currency, share_of=share_of)
    numeric = pd.api.types.is_numeric_dtype(column) and not pd.api.types.is_bool_dtype(column)
    if kind == "flag":
        return st.column_config.CheckboxColumn(title, help="The data starts or ends inside this period.")
    if kind in labels.DECIMALS and numeric:
        step = 10 ** -labels.DECIMALS[kind]
        return st.column_config.NumberColumn(title, format="localized", step=step if step < 1 else 1)
    if numeric and kind == "key":  # hours: 14, not 14.00
        return st.column_config.NumberColumn(title, format="%d")
    return st.column_config.Column(title)


def display_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """The table as shown: the change columns right after the keys (they are what a comparison is about,
    and a narrow table must not hide them behind a scroll); effect names spelled out. The CSV keeps the
    agent's order and names."""
    changes = [c for c in frame.columns if str(c).endswith(("_change", "_change_pct"))]
    keys = [c for c in frame.columns if labels.kind(str(c)) == "key"]
    order = [*keys, *changes, *[c for c in frame.columns if c not in keys and c not in changes]]
    shown = frame[order].copy()
    if "effect" in shown.columns:
        shown["effect"] = shown["effect"].map(labels.value_label)
    return shown


def draw_table(table: dict[str, Any], *, key: str, currency: str | None, share_of: str,
               title: bool = True) -> None:
    frame = table_frame(table)
    shown = display_frame(frame)
    config = {c: column_config(str(c), frame[c], currency=currency, share_of=share_of) for c in frame.columns}
    if "product" in config:  # long names: capped so the numbers stay in view
        config["product"] = st.column_config.Column(labels.label("product"), width="medium")
    if title:
        st.markdown(f"**{table.get('title') or 'Table'}**")
    st.dataframe(shown, hide_index=True, column_config=config, key=f"{key}_table")
    left, right = st.columns([3, 2], vertical_alignment="center")
    left.caption(f"{len(frame):,} rows")
    right.download_button("Download CSV", to_safe_csv(frame), file_name=f"ecomintel_{key}.csv", mime="text/csv",
                          icon=":material/download:", key=f"{key}_dl", width="stretch",
                          on_click="ignore")  # a download needs no rerun (and no redraw of the report)


def figure(chart: dict[str, Any], *, currency: str | None, share_of: str,
           drop_title: bool) -> tuple[Any, list[str]]:
    """The stored Plotly figure with human axis and series names ("Revenue change (£)", not
    `revenue_change`), its title dropped when the section heading above already says it; and the notes
    that were printed under the plot, to show as captions."""
    fig = charts.figure_from_spec(chart["figure"])

    def human(text: Any) -> Any:
        name = str(text or "")
        first, _, rest = name.partition(" ")
        if rest and first in labels.LABELS:  # "revenue (partial)" → "Revenue (partial)"
            return f"{labels.label(first)} {rest}"
        machine = name in labels.LABELS or labels.base_metric(name)[1] or ("_" in name and " " not in name)
        return labels.label(name, currency=currency, share_of=share_of) if name and machine else text

    fig.for_each_xaxis(lambda axis: axis.update(title_text=human(axis.title.text)))
    fig.for_each_yaxis(lambda axis: axis.update(title_text=human(axis.title.text)))
    fig.for_each_trace(lambda trace: trace.update(name=human(trace.name)) if getattr(trace, "name", None)
                       else None)
    # a chart now shares its row with its table: a note under the plot (the partial-period legend) would
    # run off the narrower figure, so it becomes a caption below it
    below = [a for a in fig.layout.annotations if a.yref == "paper" and isinstance(a.y, int | float) and a.y < 0]
    fig.layout.annotations = [a for a in fig.layout.annotations if a not in below]
    if drop_title:
        fig.update_layout(title_text=None, margin={"t": 10})
    return fig, [str(a.text) for a in below if a.text]


def draw_section(section: Section, *, key: str, currency: str | None, share_of: str) -> None:
    """The section's title once, then its chart beside its table (stacked when there is only one of them)."""
    several = len(section.tables) > 1
    heading = (section.charts[0].get("title") if several and section.charts else
               (section.tables or section.charts)[0].get("title"))
    heading = str(heading or section.title)
    st.markdown(f"**{heading[:1].upper()}{heading[1:]}**")
    wide = any(len(t.get("columns") or []) > 5 for t in section.tables)
    if section.charts and section.tables:
        left, right = st.columns([2, 3] if wide else [3, 2], gap="medium")
    else:
        left = right = st.container()
    said: list[str] = []
    with left:
        for i, chart in enumerate(section.charts):
            fig, chart_notes = figure(chart, currency=currency, share_of=share_of,
                                      drop_title=len(section.charts) == 1)
            st.plotly_chart(fig, key=f"{key}_chart_{i}")
            for note in chart_notes:
                st.caption(note)
            said += chart_notes
    with right:
        for i, table in enumerate(section.tables):
            draw_table(table, key=f"{key}_{i}", currency=currency, share_of=share_of, title=several)
    if section.has_partial and not any("partial" in note.lower() for note in said):
        st.caption(":material/timelapse: **Partial** periods (ticked in the table, marked in the chart) are only "
                   "partly covered by the data — it starts or ends inside them — so they are not comparable "
                   "with full ones.")


def analyses(report: dict[str, Any], *, key: str, currency: str | None) -> None:
    """The primary analysis first; the supporting ones in tabs, each with its own chart and table."""
    found = sections(list(report.get("tables") or []), list(report.get("charts") or []))
    if not found:
        return
    share_of = _share_of(report)
    draw_section(found[0], key=f"{key}_s0", currency=currency, share_of=share_of)
    rest = found[1:]
    if rest:
        st.markdown(f"#### Supporting analyses ({len(rest)})")
        for i, (tab, section) in enumerate(zip(st.tabs([s.title for s in rest]), rest, strict=True), start=1):
            with tab:
                draw_section(section, key=f"{key}_s{i}", currency=currency, share_of=share_of)


# -- evidence ------------------------------------------------------------------------------------------------
def _agent_label(name: Any) -> str:
    return AGENT_LABELS.get(str(name), str(name or "").replace("_", " ").capitalize())


def _filters_text(filters: dict[str, Any]) -> str:
    parts = []
    if filters.get("start") or filters.get("end"):
        parts.append(f"{filters.get('start') or '…'} → {filters.get('end') or '…'}")
    for name, value in filters.items():
        if name in ("start", "end") or value in (None, "", [], {}):
            continue
        text = ", ".join(map(str, value)) if isinstance(value, list | tuple) else str(value)
        parts.append(f"{name.replace('_', ' ')}: {text}")
    return " · ".join(parts) or "all data"


def evidence_frame(evidence: list[dict[str, Any]]) -> pd.DataFrame:
    """Where each number came from, one row per query: analysis, data, filters, rows, batches, version."""
    rows = [{"Analysis": _agent_label(e.get("agent")),
             "What": e.get("note") or "",
             "Data": SOURCE_LABELS.get(str(e.get("source")), e.get("source")),
             "Filters": _filters_text(dict(e.get("filters") or {})),
             "Rows": e.get("rows"),
             "Import batches": ", ".join(str(b) for b in e.get("batch_ids") or []) or "—",
             "Data version": e.get("data_version")} for e in evidence]
    return pd.DataFrame(rows, columns=["Analysis", "What", "Data", "Filters", "Rows", "Import batches",
                                       "Data version"])


def evidence(report: dict[str, Any], *, key: str) -> None:
    frame = evidence_frame(list(report.get("evidence") or []))
    agents = " · ".join(f"{_agent_label(a.get('agent'))} {a.get('status')} "
                        f"({a.get('elapsed_ms') or 0:,} ms)" for a in report.get("agents") or [])
    st.markdown("**Evidence** — the data behind every number")
    if not frame.empty:
        frame = frame[[c for c in frame.columns if frame[c].astype(str).str.strip().ne("").any()]]
        st.dataframe(frame, hide_index=True, key=f"{key}_evidence",
                     column_config={"Rows": st.column_config.NumberColumn(format="localized", step=1)})
    if agents:
        st.caption(f"Analyses: {agents}")


def details(report: dict[str, Any], *, key: str) -> None:
    """The raw report (what `ecomintel ask --json` prints), for whoever wants to check a number."""
    with st.expander("Details", icon=":material/data_object:"):
        st.json({name: report.get(name) for name in ("evidence", "metrics", "definitions", "plan", "agents",
                                                       "findings", "notes") if report.get(name) is not None},
                expanded=False)


# -- the two kinds of answer -----------------------------------------------------------------------------------
def draw_cannot_answer(report: dict[str, Any], *, key: str, ask_again: Callable[[str], None]) -> None:
    """No numbers: one sentence on what is missing, what would make it answerable, questions to ask instead."""
    st.subheader(report.get("question") or "Question")
    st.caption(_facts(report))
    st.info(report.get("summary") or "I can't answer that question from your data.", icon=":material/block:")
    missing = str(report.get("missing") or "")
    if missing in REMEDIES:
        st.markdown(f"**What would make it answerable:** {REMEDIES[missing]}")
        if missing in UPLOADABLE:
            st.page_link("pages/upload.py", label="Upload data", icon=":material/upload_file:")
    not_understood_note(report)
    suggestions = [str(s) for s in report.get("suggestions") or [] if str(s).strip()]
    if suggestions:
        st.markdown("**Questions your data can answer:**")
        widgets.question_buttons(suggestions, key=f"{key}_suggest", on_click=ask_again, columns=3,
                                 icon=":material/subdirectory_arrow_right:")
    details(report, key=key)


def draw_report(report: dict[str, Any], *, key: str, ask_again: Callable[[str], None],
                currency: str | None = None) -> None:
    """Draw `report`; follow-up and suggestion buttons call `ask_again(question)` (an on_click callback).
    `currency` is the tenant's sales currency when the report does not carry its own."""
    if report.get("status") == "cannot_answer":
        draw_cannot_answer(report, key=key, ask_again=ask_again)
        return
    currency = report.get("currency") or currency
    st.subheader(report.get("question") or "Report")
    st.caption(_facts(report))
    summary_box(report)
    quality_note(report)
    not_understood_note(report)
    reading(report)
    plan = report.get("plan") or {}
    metric_tiles(report.get("metrics") or {}, intent=report.get("intent"),
                 metric=str(plan.get("metric") or "revenue"), currency=currency)
    analyses(report, key=key, currency=currency)
    notes(report)
    evidence(report, key=key)
    details(report, key=key)
    followups = [str(q) for q in report.get("followups") or []]
    if followups:
        st.markdown("**Ask next**")
        widgets.question_buttons(followups, key=f"{key}_follow", on_click=ask_again, columns=len(followups),
                                 icon=":material/subdirectory_arrow_right:")


def history(repo: Repository, *, ask_again: Callable[..., None], limit: int = 30) -> None:
    """The tenant's saved reports: open one as it was, or ask its question again on the current data."""
    past = {f"#{r['number']} · {r['created_at']:%Y-%m-%d %H:%M} · {r['mode']} · {r['question']}": r
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
        st.session_state["result_ask_report"] = repo.get_report(int(past[choice]["number"]))["report"]
        st.rerun()
    right.button("Ask again on current data", key="ask_rerun", icon=":material/replay:", on_click=ask_again,
                 args=(past[choice]["question"], past[choice]["mode"]))
