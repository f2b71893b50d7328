"""Home: the user's KPI tiles against the period before, the revenue trend, latest alerts, recent questions and
data freshness, with date and country filters; a clear call to action when the tenant is empty."""

from datetime import timedelta

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from ecomintel import alerts, dashboard
from ecomintel.permissions import allowed
from ecomintel.preferences import preferences
from ui import charts, errors, examples, labels, state, widgets

repo = state.repo()
role = state.role()
if st.session_state.get("ask_pending"):  # an example below was clicked: the Ask page answers it
    st.switch_page("pages/ask.py")
tenant = state.tenant()
st.title(f"ecomintel · {tenant.name}")
if state.settings().demo_mode:
    st.caption("Demo mode: no sign-in, every tenant opens as admin. Set ECOMINTEL_DEMO_MODE=0 to require sign-in "
               "and roles.")
else:
    st.caption(f"Signed in as {st.session_state.get('username')} ({role}).")

ov = repo.overview()
if not (ov["sales_lines"] or ov["products"] or ov["reviews"]):
    st.info("**This tenant has no data yet.** Load the sample data (three months of a UK online retailer, "
            "clothing reviews and product listings) to try everything in a minute, or upload your own files.",
            icon=":material/waving_hand:")
    if allowed(role, "upload"):
        widgets.sample_loader(repo, key="home_samples")
    else:
        st.caption("Your role can read but not upload; ask an analyst or admin of your tenant to load data.")
    st.stop()

widgets.samples_message()
prefs = preferences(repo)
period = dashboard.default_period(repo)
if period is not None:
    first, last = repo.sales_data_range()
    left, right = st.columns([1, 2])
    picked = left.date_input("Period", value=period, min_value=first, max_value=last, key="home_period",
                             help="Compared with the period of the same length just before it.")
    start, end = (picked if isinstance(picked, tuple) and len(picked) == 2 else period)
    countries = tuple(right.multiselect("Countries", dashboard.countries(repo), key="home_countries",
                                        placeholder="All countries"))
    currency = prefs.currency or repo.vocabulary().currency
    with errors.guarded("computing the KPI tiles", request_id=repo.ctx.request_id):
        tiles = dashboard.kpi_tiles(repo, prefs, start, end, countries)
        before = dashboard.previous_period(start, end)
        for column, tile in zip(st.columns(len(tiles) or 1), tiles, strict=False):
            goal = f" · goal {labels.fmt(tile.metric, tile.goal, currency=currency)}" if tile.goal else ""
            column.metric(labels.label(tile.metric, tile=True), labels.fmt(tile.metric, tile.value, currency=currency),
                          delta=None if tile.change_pct is None else f"{tile.change_pct:+.1f}%",
                          help=f"{start:%Y-%m-%d} → {end:%Y-%m-%d} vs {before[0]:%Y-%m-%d} → {before[1]:%Y-%m-%d}"
                               f"{goal}")
    with errors.guarded("drawing the revenue trend", request_id=repo.ctx.request_id):
        trend = dashboard.revenue_trend(repo, start - timedelta(days=(end - start).days + 1), end, countries,
                                        prefs.marketplaces)
        fig = go.Figure(go.Bar(x=trend["key"], y=trend["revenue"], name="net revenue",
                               marker_color=["#9aa5b1" if pd.Timestamp(k).date() < start else "#1f77b4"
                                             for k in trend["key"]]))
        fig.update_layout(title="Net revenue (grey: the period before)", height=300, yaxis_title="net revenue",
                          **charts.LAYOUT)
        st.plotly_chart(fig, key="home_revenue")

st.subheader("Alerts")
with errors.guarded("reading the alerts", request_id=repo.ctx.request_id):
    found, warnings = alerts.latest_alerts(repo, prefs, limit=8)
    badges = {"high": ":red-badge[high]", "medium": ":orange-badge[medium]", "low": ":blue-badge[low]"}
    with st.container(border=True):
        for alert in found:
            when = f" · {alert.at:%Y-%m-%d}" if alert.at else ""
            st.markdown(f"{badges.get(alert.severity, alert.severity)} **{alert.title}**")
            st.caption(f"{alert.source.replace('_', ' ')}{when} · {alert.detail}")
        if not found:
            st.caption("Nothing needs your attention: no price moves beyond "
                       f"{prefs.price_change_pct:g}%, stock-out risks, review spikes or import problems.")
    for warning in warnings:
        st.caption(warning)

left, right = st.columns(2)
with left:
    st.subheader("Recent questions")
    recent = dashboard.recent_questions(repo)
    if recent:
        st.dataframe(pd.DataFrame(recent), hide_index=True, key="home_recent",
                     column_config={"asked": st.column_config.DatetimeColumn("asked", format="YYYY-MM-DD HH:mm"),
                                    "confidence": st.column_config.NumberColumn(format="%.2f")})
    else:
        st.caption("No questions asked yet.")
with right:
    st.subheader("Data freshness")
    from ecomintel.db.alert_queries import freshness

    when = "YYYY-MM-DD HH:mm"
    st.dataframe(pd.DataFrame(freshness(repo)), hide_index=True, key="home_freshness",
                 column_config={"source": st.column_config.TextColumn("Source"),
                                "rows": st.column_config.NumberColumn("Rows", format="localized"),
                                "latest_data": st.column_config.DatetimeColumn("Latest data", format=when),
                                "last_import": st.column_config.DatetimeColumn("Last import (UTC)", format=when)})

a, b, c, d = st.columns(4)
a.metric("Sales lines", f"{ov['sales_lines']:,}")
b.metric("Products sold", f"{ov['sales_skus']:,}", help="Distinct SKUs in the sales lines.")
c.metric("Product listings", f"{ov['products']:,}")
d.metric("Reviews", f"{ov['reviews']:,}")

if allowed(role, "ask"):
    with errors.guarded("reading the tenant's data for examples", request_id=repo.ctx.request_id):
        questions = examples.tenant_examples(repo)[0]
        if questions:  # questions this tenant's data answers, in its own names; a click asks it on the Ask page
            st.caption("Ask one of these:")
            widgets.question_buttons(questions, key="home_example", on_click=state.queue_question, columns=3)
