"""Pricing: our prices against matched competitor offers (chart + gap table with filters), price changes,
promotions, margin-safe recommendations (accept, formula-safe CSV export) and the match review queue.
Everything comes from the pricing agent (ecomintel/agents/pricing_page.py, pricing_matches.py)."""

from typing import Any

import pandas as pd
import streamlit as st

from ecomintel.agents.pricing_data import pricing_settings
from ecomintel.agents.pricing_matches import review_queue, run_matching
from ecomintel.agents.pricing_page import section_results
from ecomintel.ingest.export import to_safe_csv
from ui import charts, errors, state

repo = state.repo()
st.title("Pricing")
vocab = repo.vocabulary()
defaults = pricing_settings(repo)

left, mid, right = st.columns([2, 2, 1])
categories = left.multiselect("Category", list(vocab.categories), key="pricing_categories")
offers = repo.competitor_listings()
markets = sorted({str(m) for m in offers["marketplace"].dropna()} | {str(s) for s in offers["seller"].dropna() if s})
marketplaces = mid.multiselect("Marketplace / seller", markets, key="pricing_marketplaces")
gap = right.number_input("Gap threshold %", min_value=0.0, max_value=100.0, value=float(defaults.gap_threshold),
                         step=1.0, key="pricing_gap")
if offers.empty:
    st.info("No competitor listings yet: upload them (Upload data → listings) to see price position. Price changes "
            "and elasticity come from your own sales lines.", icon=":material/info:")


def _table(result: dict[str, Any], index: int, key: str) -> pd.DataFrame | None:
    tables = result.get("tables", [])
    if index >= len(tables):
        return None
    t = tables[index]
    frame = pd.DataFrame(t["rows"], columns=t["columns"])
    st.caption(t["title"])
    st.dataframe(frame, hide_index=True, use_container_width=True, key=key)
    return frame


def _draw(result: dict[str, Any], key: str) -> None:
    st.markdown(result.get("summary", ""))
    for i, chart in enumerate(result.get("charts", [])):
        st.plotly_chart(charts.figure_from_spec(chart["figure"]), use_container_width=True, key=f"{key}_chart{i}")
    for w in result.get("warnings", [])[:3]:
        st.caption(f"⚠ {w}")


results: dict[str, dict[str, Any]] = {}
with errors.guarded("computing the price analysis", request_id=repo.ctx.request_id):
    found = section_results(repo, categories=categories, marketplaces=marketplaces, gap_pct=gap)
    results = {name: r.to_dict() for name, r in found.items()}

tabs = st.tabs(["Position", "Changes", "Promotions", "Recommendations", "Match review"])
if results:
    with tabs[0]:
        _draw(results["price_position"], "pos")
        _table(results["price_position"], 0, "pos_gap")
        if len(results["price_position"].get("tables", [])) > 2:
            _table(results["price_position"], 2, "pos_cat")
    with tabs[1]:
        _draw(results["price_changes"], "chg")
        for i in range(len(results["price_changes"].get("tables", []))):
            _table(results["price_changes"], i, f"chg_{i}")
    with tabs[2]:
        _draw(results["promotions"], "promo")
        for i in range(len(results["promotions"].get("tables", []))):
            _table(results["promotions"], i, f"promo_{i}")
    with tabs[3]:
        rec = results["price_recommendations"]
        st.markdown(rec.get("summary", ""))
        for w in rec.get("warnings", [])[:3]:
            st.caption(f"⚠ {w}")
        if rec.get("tables"):
            t = rec["tables"][0]
            frame = pd.DataFrame(t["rows"], columns=t["columns"])
            frame.insert(0, "accept", False)
            edited = st.data_editor(frame, hide_index=True, use_container_width=True, key="rec_editor",
                                    disabled=[c for c in frame.columns if c != "accept"])
            accepted = edited[edited["accept"]].drop(columns=["accept"])
            st.download_button(f"Export {len(accepted)} accepted prices (CSV)" if len(accepted) else
                               "Export all recommendations (CSV)",
                               to_safe_csv(accepted if len(accepted) else frame.drop(columns=["accept"])),
                               file_name="price_recommendations.csv", mime="text/csv", key="rec_export")
with tabs[4]:
    st.caption("Pairs the matcher found between your catalogue and competitor listings, nearest the threshold "
               "first. A decision always wins over the matcher and is kept when it runs again.")
    if st.button("Run the matcher", key="match_run", disabled=offers.empty):
        with errors.guarded("matching products", request_id=repo.ctx.request_id):
            st.success(run_matching(repo).message)
    with errors.guarded("reading the match queue", request_id=repo.ctx.request_id):
        queue = review_queue(repo)
        if queue.empty:
            st.info("No undecided pairs to review.", icon=":material/task_alt:")
        for row in queue.head(20).itertuples(index=False):
            a, b, c, d = st.columns([4, 4, 1, 1])
            a.write(f"**{row.our_sku}** {row.our_title or ''}")
            b.write(f"{row.seller or row.marketplace} · {row.their_title or row.sku} · {row.their_price or ''}")
            if c.button("Confirm", key=f"ok_{row.id}"):
                repo.decide_match(int(row.id), "confirmed")
                st.rerun()
            if d.button("Reject", key=f"no_{row.id}"):
                repo.decide_match(int(row.id), "rejected")
                st.rerun()
            a.caption(f"score {row.score:.2f} · {row.method} · {row.relation}")
