"""Data Quality: a 0–100 score per dataset with the deductions behind it, the issues by impact with the rows
behind each (download), completeness per column, the daily volume with gaps and outliers, the import history
with rejected rows, and a browser of what is loaded. The checks are ecomintel/quality (same as
`ecomintel quality` and the Ask answers)."""

import pandas as pd
import streamlit as st

from ecomintel.db.quality_queries import FILTER_COLUMNS
from ecomintel.ingest.export import safe_frame, to_safe_csv
from ecomintel.quality.charts import completeness_heatmap, daily_volume
from ecomintel.quality.run import run_quality
from ui import errors, state, sync_settings

repo = state.repo()


def numbered(frame: pd.DataFrame) -> pd.DataFrame:
    """Rows with the tenant's own import number (`batch`, as on Upload and under Imports) instead of the global
    batch id, which would also tell a tenant how many imports the others made."""
    if "batch_id" not in frame:
        return frame
    batches = repo.quality_batches(limit=100_000)
    numbers = dict(zip(batches["batch_id"], batches["batch"], strict=True))
    return frame.assign(batch_id=frame["batch_id"].map(numbers)).rename(columns={"batch_id": "batch"})


st.title("Data quality")
recheck = st.button("Re-check now", icon=":material/refresh:", key="dq_recheck",
                    help="Results are kept until the next import; this runs every check again.")
with errors.guarded("checking the data", request_id=repo.ctx.request_id):
    report = run_quality(repo, use_cache=not recheck)
if not report.datasets:
    st.info("No data loaded yet: upload sales, products, listings or reviews and their quality shows here.",
            icon=":material/upload_file:")
    st.page_link("pages/upload.py", label="Upload data", icon=":material/upload_file:")
    st.stop()

cards = st.columns(len(report.datasets))
for card, d in zip(cards, report.datasets.values(), strict=True):
    deducted = sum(i.points for i in d.issues)
    card.metric(d.dataset.capitalize(), f"{d.score}/100", delta=f"-{deducted:.1f} points" if deducted else "clean",
                delta_color="normal" if deducted else "off", border=True)
    span = f"{d.first} → {d.last}" if d.first and d.last else "no dates"
    card.caption(f"{d.rows:,} rows · {span} · {sum(1 for i in d.issues if i.points)} issues")
for issue in report.tenant_issues:
    st.warning(f"**{issue.title}.** {issue.detail}", icon=":material/currency_exchange:")
st.caption(f"Checked {str(report.checked_at).replace('T', ' ')[:16]} UTC in {report.elapsed_ms:,} ms · "
           f"data version {report.data_version}")

tab_issues, tab_complete, tab_daily, tab_imports, tab_browse = st.tabs(
    ["Issues", "Completeness", "Daily volume", "Imports", "Browse data"])

with tab_issues:
    names = list(report.datasets)
    shown = st.multiselect("Datasets", names, default=names, key="dq_issue_datasets")
    with_info = st.toggle("Show patterns that cost nothing (info)", value=False, key="dq_show_info")
    issues = [i for i in report.all_issues() if (i.dataset in shown or i.dataset == "tenant")
              and (with_info or i.points > 0)]
    if not issues:
        st.success("No check found a problem in these datasets.", icon=":material/check_circle:")
    for n, issue in enumerate(issues):
        mark = f"−{issue.points:g}" if issue.points else "info"
        with st.expander(f"{mark} · {issue.dataset} · {issue.title}",
                         icon=":material/error:" if issue.severity == "critical" else ":material/warning:"):
            st.write(issue.detail)
            st.caption(f"{issue.rows:,} {issue.unit} · check `{issue.check}` · severity {issue.severity}")
            if issue.examples:
                st.dataframe(safe_frame(pd.DataFrame(issue.examples)), hide_index=True,
                             key=f"dq_examples_{n}")
            if issue.locator.get("dataset"):
                key = f"dq_rows_{issue.dataset}_{issue.check}_{n}"  # a check can report several issues
                if st.button("Show the rows behind it", key=f"{key}_btn", icon=":material/table_rows:"):
                    with errors.guarded("reading the rows", request_id=repo.ctx.request_id):
                        st.session_state[key] = numbered(repo.quality_rows(**issue.locator, limit=5000))
                if key in st.session_state:
                    rows = st.session_state[key]
                    st.dataframe(safe_frame(rows.head(1000)), hide_index=True, key=f"{key}_table")
                    st.download_button(f"Download {len(rows):,} rows (CSV)", to_safe_csv(rows),
                                       file_name=f"{issue.dataset}_{issue.check}.csv", mime="text/csv",
                                       icon=":material/download:", key=f"{key}_dl")

with tab_complete:
    st.plotly_chart(completeness_heatmap(report), key="dq_heatmap")

with tab_daily:
    fig = daily_volume(report)
    if fig is None:
        st.info("No sales lines loaded.")
    else:
        st.plotly_chart(fig, key="dq_daily")

with tab_imports:
    batches = repo.quality_batches()
    st.dataframe(safe_frame(batches.drop(columns=["profile", "batch_id"])), hide_index=True, key="dq_batches",
                 column_config={"batch": "Batch", "kind": "Data", "file_name": "File", "source": "Source",
                                "status": "Status", "rows_total": "Rows in file", "rows_accepted": "Accepted",
                                "rows_rejected": "Rejected", "rows_duplicate": "Duplicates", "rows_returns": "Returns",
                                "message": "Result",
                                "created_at": st.column_config.DatetimeColumn("When (UTC)", format="YYYY-MM-DD HH:mm")})
    with_rejected = batches[batches["rows_rejected"] > 0]
    if not with_rejected.empty:
        options = {f"batch {n} · {f} · {r:,} rejected": (int(n), int(b)) for n, b, f, r in
                   zip(with_rejected["batch"], with_rejected["batch_id"], with_rejected["file_name"],
                       with_rejected["rows_rejected"], strict=True)}
        label = st.selectbox("Rejected rows of", list(options), key="dq_rejected_batch")
        rejected = repo.rejected(options[label][1], limit=5000)
        st.dataframe(safe_frame(rejected), hide_index=True, key="dq_rejected")
        st.download_button("Download rejected rows (CSV)", to_safe_csv(rejected), mime="text/csv",
                           file_name=f"rejected_batch_{options[label][0]}.csv", icon=":material/download:",
                           key="dq_rejected_dl")

with tab_browse:
    left, mid, right = st.columns([1, 2, 2])
    dataset = left.selectbox("Dataset", list(report.datasets), key="dq_browse_dataset")
    search = mid.text_input("Search", placeholder="SKU, name, text …", key=f"dq_browse_search_{dataset}")
    equals = {}
    filters = right.columns(len(FILTER_COLUMNS[dataset]))
    for box, column in zip(filters, FILTER_COLUMNS[dataset], strict=True):
        values = repo.distinct_values(dataset, column)
        if values:
            picked = box.selectbox(column, ["(all)", *values], key=f"dq_browse_{dataset}_{column}")
            if picked != "(all)":
                equals[column] = picked
    with errors.guarded("reading the data", request_id=repo.ctx.request_id):
        rows, total = repo.browse(dataset, search=search, equals=equals, limit=1000)
        rows = numbered(rows)
        st.caption(f"{total:,} {dataset} rows match; the first {len(rows):,} are shown.")
        st.dataframe(safe_frame(rows), hide_index=True, key="dq_browse_table")
        st.download_button("Download shown rows (CSV)", to_safe_csv(rows), file_name=f"{dataset}_rows.csv",
                           mime="text/csv", icon=":material/download:", key="dq_browse_dl")

st.subheader("Sync runs")
with errors.guarded("reading the sync runs", request_id=repo.ctx.request_id):  # ui/sync_settings.py
    sync_settings.runs_panel(repo, key="dq_sync_runs",
                             empty="No syncs have run for this tenant (Settings → Syncs configures them).")
