"""Sentiment: what the reviews say — over time and by category, aspects, topics with quotes, complaints, feature
requests, spam flags with reasons, a product drill-down and CSV export. Everything comes from the sentiment agent
(ecomintel/agents/sentiment_page.py); this page only draws it."""

from typing import Any

import pandas as pd
import streamlit as st

from ecomintel.agents.sentiment_page import (
    PRODUCT_SECTIONS,
    review_categories,
    review_products,
    section_results,
)
from ecomintel.ingest.export import to_safe_csv
from ui import charts, errors, state

repo, settings = state.repo(), state.settings()
st.title("Sentiment")


@st.cache_data(show_spinner=False, max_entries=32)
def _results(url: str, tenant_id: int, data_version: int, categories: tuple[str, ...], skus: tuple[str, ...],
             sections: tuple[str, ...] | None) -> dict[str, dict[str, Any]]:
    found = section_results(repo, settings, categories=list(categories), skus=list(skus), sections=sections)
    return {name: result.to_dict() for name, result in found.items()}


def _draw(result: dict[str, Any], key: str, tiles: tuple[str, ...] = ()) -> None:
    if result.get("summary"):
        st.markdown(result["summary"])
    if tiles:
        metrics = result.get("metrics", {})
        shown = [m for m in tiles if m in metrics]
        for col, name in zip(st.columns(len(shown) or 1), shown, strict=False):
            value = metrics[name]
            shown_value = (f"{value:.1f}%" if name.endswith("_pct") else f"{value:+.2f}" if name == "mean_score"
                           else f"{value:,.0f}")
            col.metric(name.replace("_pct", "").replace("_", " "), shown_value)
    for i, chart in enumerate(result.get("charts", [])):
        st.plotly_chart(charts.figure_from_spec(chart["figure"]), key=f"{key}_chart_{i}")
    for finding in result.get("findings", []):
        (st.warning if finding["severity"] != "info" else st.caption)(finding["text"])
    for i, table in enumerate(result.get("tables", [])):
        frame = pd.DataFrame(table["rows"], columns=table["columns"])
        st.markdown(f"**{table['title']}**")
        st.dataframe(frame, hide_index=True, key=f"{key}_table_{i}")
        st.download_button("Export CSV", to_safe_csv(frame), file_name=f"{key}_{i}.csv", mime="text/csv",
                           key=f"{key}_csv_{i}", icon=":material/download:")
    for warning in result.get("warnings", []):
        st.caption(f"⚠ {warning}")


with errors.guarded("reading the reviews", request_id=repo.ctx.request_id):
    counts = repo.review_counts()
    if not counts["reviews"]:
        st.info("No reviews are loaded yet. Upload a reviews file (or load the sample data on Home) to see "
                "sentiment, aspects, topics, complaints and feature requests.", icon=":material/reviews:")
        st.page_link("pages/upload.py", label="Upload data", icon=":material/upload_file:")
        st.stop()
    chosen = st.multiselect("Categories", review_categories(repo), key="sentiment_categories",
                            placeholder="All categories")
    version = repo.data_version()
    with st.spinner("Reading the reviews (the first time after an upload scores the new ones)…"):
        results = _results(str(repo.engine.url), repo.tenant_id, version, tuple(chosen), (), None)
    tabs = st.tabs(["Overview", "Over time", "Aspects", "Complaints & topics", "Feature requests", "Spam",
                    "Product drill-down"])
    with tabs[0]:
        _draw(results["overview"], "overview", ("reviews", "mean_score", "negative_pct", "positive_pct",
                                                "spam_share_pct"))
    with tabs[1]:
        _draw(results["trend"], "trend")
    with tabs[2]:
        _draw(results["aspects"], "aspects")
    with tabs[3]:
        st.subheader("Negative reviews: topics and complaint patterns")
        _draw(results["complaints"], "topics_negative")
        st.subheader("Positive reviews: what customers like")
        _draw(results["praise"], "topics_positive")
    with tabs[4]:
        _draw(results["requests"], "requests")
    with tabs[5]:
        _draw(results["spam"], "spam", ("reviews", "spam_reviews", "spam_share_pct"))
    with tabs[6]:
        products = review_products(repo)
        labels = {f"{p} ({n} reviews)": p for p, n in products}
        pick = st.selectbox("Product", list(labels), key="sentiment_product", index=None,
                            placeholder="Choose a product")
        if pick:
            with st.spinner("Reading the product's reviews…"):
                one = _results(str(repo.engine.url), repo.tenant_id, version, (), (labels[pick],), PRODUCT_SECTIONS)
            for name in PRODUCT_SECTIONS:
                st.subheader(name.capitalize())
                _draw(one[name], f"product_{name}", ("reviews", "mean_score", "negative_pct")
                      if name == "overview" else ())
