"""Forecast: history + forecast fan chart with 80/95% intervals for the total, a product or a category, the
model the backtest chose and its error next to the baselines', seasonality, the stockout-risk table with
suggested orders, CSV export, and the whole-catalogue fit as a background job with live progress.
Everything comes from the forecast agent (ecomintel/agents/forecast.py) and ecomintel/forecasting."""

from typing import Any

import pandas as pd
import streamlit as st

from ecomintel.agents.forecast import ForecastAgent
from ecomintel.ask.plan import Filters, Plan
from ecomintel.forecasting.service import CATALOGUE
from ecomintel.forecasting.tasks import run_forecast_job
from ecomintel.ingest.export import to_safe_csv
from ecomintel.jobs import make_runner
from ecomintel.permissions import allowed
from ecomintel.preferences import preferences
from ui import charts, errors, state

repo = state.repo()
settings = state.settings()
runner = make_runner(settings)
st.title("Forecast")
vocab = repo.vocabulary()
if not vocab.has_sales:
    st.info("No sales yet: upload a sales file (Upload data → sales) to forecast demand.", icon=":material/info:")
    st.stop()
prefs = preferences(repo, settings=settings)

run = repo.latest_forecast_run(CATALOGUE)
left, right = st.columns([3, 1])
if run is None:
    left.caption("No whole-catalogue forecast yet: single series are fitted on the spot with the fast models.")
else:
    left.caption(f"Catalogue forecast: {run['series_count']:,} SKUs, cut-off {run['cutoff']}, fitted "
                 f"{run['created_at']:%Y-%m-%d %H:%M}" + (" — **stale** (data uploaded since)" if run["stale"] else ""))
if allowed(repo.ctx.role, "run_jobs") and right.button(  # hidden from viewers (the core refuses them too)
        "Fit whole catalogue", key="forecast_fit",
                help="Backtests every SKU with 30+ days of history with the full portfolio (global model included) "
                     "as a background job; pages and Ask then read the stored forecasts."):
    with errors.guarded("starting the catalogue fit", request_id=repo.ctx.request_id):
        st.session_state["forecast_job"] = runner.submit(run_forecast_job, tenant_id=repo.tenant_id,
                                                         user_id=repo.ctx.user_id, role=repo.ctx.role)


@st.fragment(run_every=1.0)
def watch_job(job_id: str) -> None:
    with errors.guarded("following the catalogue fit", request_id=repo.ctx.request_id):
        status = runner.status(job_id)
        st.progress(status.progress, text=f"Catalogue fit ({status.state}): {status.message}")
        if status.done:
            del st.session_state["forecast_job"]
            if status.state != "finished":
                st.session_state["forecast_job_error"] = status.error or "The catalogue fit failed."
            st.rerun()


if st.session_state.get("forecast_job"):
    watch_job(st.session_state["forecast_job"])
if st.session_state.get("forecast_job_error"):
    st.error(st.session_state.pop("forecast_job_error"))

top = sorted(vocab.catalogue.items())[:5000]
choices = ["All products (total)"] + [f"{sku} {name}" for sku, name in top]
c1, c2, c3, c4 = st.columns([3, 2, 1, 1])
picked = c1.selectbox("Product", choices, key="forecast_product")
category = c2.selectbox("or category", ["—", *vocab.categories], key="forecast_category")
horizon = int(c3.number_input("Horizon (days)", 7, 365, int(prefs.forecast_horizon_days), key="forecast_horizon"))
grain = c4.radio("Grain", ["day", "week"], horizontal=True, key="forecast_grain")
filters = Filters(categories=[category]) if category != "—" else \
    Filters(skus=[picked.split(" ", 1)[0]]) if picked != choices[0] else Filters()


def run_agent(intent: str, metric: str = "units") -> dict[str, Any]:
    plan = Plan(intent=intent, agents=["forecast"], metric=metric, filters=filters, horizon_days=horizon,  # type: ignore[arg-type]
                group_by=grain, planner="page", confidence=1.0, top_n=50)  # type: ignore[arg-type]
    return ForecastAgent().run(repo.ctx, repo, plan).to_dict()


def draw_table(table: dict[str, Any], key: str) -> None:
    frame = pd.DataFrame(table["rows"], columns=table["columns"])
    st.caption(table["title"])
    st.dataframe(frame, hide_index=True, width="stretch", key=key)
    st.download_button("Download CSV", to_safe_csv(frame), file_name=f"{key}.csv", mime="text/csv", key=f"{key}_csv")


def draw(result: dict[str, Any], key: str) -> None:
    st.markdown(result.get("summary", ""))
    for i, chart in enumerate(result.get("charts", [])):
        st.plotly_chart(charts.figure_from_spec(chart["figure"]), width="stretch", key=f"{key}_chart{i}")
    for f in result.get("findings", [])[:12]:
        if f["severity"] == "info":
            st.caption(f["text"])
        else:  # alerts, not page errors
            st.warning(f["text"], icon=":material/error:" if f["severity"] == "critical" else ":material/warning:")
    for w in result.get("warnings", [])[:3]:
        st.caption(f"⚠ {w}")


tabs = st.tabs(["Forecast", "Seasonality", "Stockout risk"])
with tabs[0], errors.guarded("forecasting", request_id=repo.ctx.request_id):
    result = run_agent("forecast")
    metrics = result.get("metrics", {})
    cols = st.columns(4)
    cols[0].metric("Forecast total", f"{metrics.get('forecast_total', 0):,.0f}",
                   help=f"80% interval {metrics.get('forecast_lower_80', 0):,.0f}–{metrics.get('forecast_upper_80', 0):,.0f}")
    for col, (label, name) in zip(cols[1:], (("Backtest MAE: chosen", "chosen"), ("seasonal naive", "last_week"),
                                            ("28-day mean", "mean_28d")), strict=True):
        value = metrics.get(f"backtest_mae_{name}")
        col.metric(label, "—" if value is None else f"{value:,.2f}", help="Mean absolute error per day in the "
                   "rolling backtest (lower is better); the baselines were backtested on the same days.")
    draw(result, "forecast")
    for i, table in enumerate(result.get("tables", [])):
        draw_table(table, f"forecast_{i}")
with tabs[1], errors.guarded("measuring seasonality", request_id=repo.ctx.request_id):
    result = run_agent("seasonality")
    draw(result, "season")
    for i, table in enumerate(result.get("tables", [])):
        draw_table(table, f"season_{i}")
with tabs[2], errors.guarded("computing stockout risk", request_id=repo.ctx.request_id):
    if not vocab.has("inventory"):
        st.info("No stock levels yet: upload products with inventory_level and lead_time_days columns (Upload data → "
                "products) to see stockout risk, days of cover and suggested orders.", icon=":material/inventory:")
    else:
        saved = filters
        filters = Filters()
        result = run_agent("stockout")
        filters = saved
        st.markdown(result.get("summary", ""))
        for i, table in enumerate(result.get("tables", [])):
            draw_table(table, f"stock_{i}")
        with st.expander("Alerts", icon=":material/warning:"):
            for f in result.get("findings", [])[:30]:
                st.warning(f["text"], icon=":material/error:" if f["severity"] == "critical" else ":material/warning:")
