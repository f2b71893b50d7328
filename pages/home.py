"""Home: what this tenant has, a revenue chart, quick links; a clear call to action when it is empty."""

import streamlit as st

from ui import charts, errors, examples, state, widgets

repo = state.repo()
if st.session_state.get("ask_pending"):  # an example below was clicked: the Ask page answers it
    st.switch_page("pages/ask.py")
tenant = state.tenant()
st.title(f"ecomintel · {tenant.name}")
st.caption("Upload sales, products and reviews; ask questions in plain language; get answers with "
           "numbers, charts and evidence.")

with errors.guarded("reading the tenant overview", request_id=repo.ctx.request_id):
    ov = repo.overview()
    if not (ov["sales_lines"] or ov["products"] or ov["reviews"]):
        st.info("**This tenant has no data yet.** Load the sample data (three months of a UK online "
                "retailer, clothing reviews and product listings) to try everything in a minute, "
                "or upload your own files.", icon=":material/waving_hand:")
        widgets.sample_loader(repo, key="home_samples")
    else:
        widgets.samples_message()
        a, b, c, d = st.columns(4)
        a.metric("Sales lines", f"{ov['sales_lines']:,}")
        b.metric("Products sold", f"{ov['sales_skus']:,}", help="Distinct SKUs in the sales lines.")
        c.metric("Product listings", f"{ov['products']:,}")
        d.metric("Reviews", f"{ov['reviews']:,}")
        if ov["sales_lines"]:
            span = f"{ov['sales_from']:%Y-%m-%d} → {ov['sales_to']:%Y-%m-%d}"
            st.caption(f"Sales from {span} · net revenue {ov['net_revenue']:,.2f} · "
                       f"{ov['batches']} import(s), last {ov['last_ingest']:%Y-%m-%d %H:%M} UTC"
                       if ov["last_ingest"] else f"Sales from {span}")
            if ov["adjustment_lines"] or ov["correction_lines"]:
                st.caption(f"Stock adjustments: {ov['adjustment_lines']:,} lines, {ov['adjustment_units']:,.0f} "
                           f"units · corrections: {ov['correction_lines']:,} lines (zero-price lines without a "
                           "customer: neither sales nor returns)")
            daily = repo.revenue_by_day(days=120)
            st.plotly_chart(charts.revenue_by_day(daily, "Net revenue by day (last 120 days of data)"),
                            key="home_revenue")

st.subheader("Next steps")
left, mid, right = st.columns(3)
left.page_link("pages/upload.py", label="Upload data", icon=":material/upload_file:",
               help="CSV, CSV.GZ, TSV or XLSX: sales lines, product listings or reviews.")
mid.page_link("pages/ask.py", label="Ask a question", icon=":material/chat:",
              help="Plain-language questions about your data, answered with numbers and evidence.")
right.page_link("pages/settings.py", label="Settings and usage", icon=":material/settings:")
with errors.guarded("reading the tenant's data for examples", request_id=repo.ctx.request_id):
    questions = examples.tenant_examples(repo)[0]
    if questions:  # questions this tenant's data answers, in its own names; a click asks it on the Ask page
        st.caption("Or ask one of these:")
        widgets.question_buttons(questions, key="home_example", on_click=state.queue_question, columns=3)
