"""Upload: choose the kind, upload a file, check preview and mapping, import with progress, see results."""

import streamlit as st

from ecomintel.agents.review_scores import score_reviews_job
from ecomintel.ingest.fields import field_names
from ecomintel.ingest.mapping import currency_conflict, mapped_currency
from ecomintel.jobs import make_runner
from ui import errors, state, widgets

repo = state.repo()
settings = state.settings()
st.title("Upload data")

kind = st.radio("What is in the file?", ["sales", "products", "reviews", "listings"], horizontal=True,
                key="upload_kind",
                captions=["order lines", "our catalogue", "customer reviews", "competitor prices"])
uploaded = st.file_uploader(f"{kind.capitalize()} file (CSV, CSV.GZ, TSV or XLSX, up to "
                            f"{settings.max_upload_mb} MB)", type=["csv", "gz", "tsv", "txt", "xlsx"],
                            key="upload_file", on_change=lambda: st.session_state.pop("result_upload", None))



def _tenant_currency() -> str:
    """The currency of the data already loaded (the default for rows without one), read once per data version."""
    version = repo.data_version()
    if st.session_state.get("upload_currency_version") != (repo.tenant_id, version):
        st.session_state["upload_currency_default"] = repo.tenant_currency() or ""
        st.session_state["upload_currency_version"] = (repo.tenant_id, version)
    return str(st.session_state["upload_currency_default"])


if uploaded is not None:
    data = uploaded.getvalue()
    file_key = f"{uploaded.file_id}_{kind}"
    with errors.guarded("reading the file", request_id=repo.ctx.request_id):
        from ecomintel.ingest.pipeline import ingest_file, preview_file

        if st.session_state.get("preview_key") != file_key:  # parse once per file, not on every rerun
            st.session_state["preview"] = preview_file(data, kind=kind, settings=settings,
                                                       file_name=uploaded.name, n=20)
            st.session_state["preview_key"] = file_key
        preview = st.session_state["preview"]
        st.caption(f"{uploaded.name}: {len(preview.columns)} columns · encoding {preview.encoding} · "
                   f"delimiter {preview.delimiter!r} · first {len(preview.head)} rows")
        st.dataframe(preview.head, hide_index=True, height=240, key="upload_preview")

        st.subheader("Column mapping")
        st.caption("Which column fills which field. Fields marked * are required; the guesses come from "
                   "the column names — change any that are wrong.")
        mapping = widgets.mapping_editor(kind, list(preview.columns), preview.mapping, key=f"map_{file_key}")
        missing = [f for f in preview.required if f not in mapping]
        if missing:
            st.warning(f"Required field(s) without a column: {', '.join(missing)}.")
        unmapped = {f: "" for f in field_names(kind) if f not in mapping}  # "not in the file" is a choice too
        conflict = currency_conflict(list(preview.columns), kind, mapping, set(field_names(kind)))
        if conflict is not None:  # Price (EUR) and List price (USD): refused at import, so say it before
            st.warning(conflict.user_message())
        elif header_code := mapped_currency(mapping, kind):
            st.caption(f"Currency from the column headers: {header_code} (for rows without a currency cell or a "
                       "symbol in the price).")
        with st.expander("Defaults and options"):
            left, right = st.columns(2)
            defaults = {"marketplace": left.text_input("Marketplace for every row", key="upload_marketplace"),
                        "currency": right.text_input(
                            "Currency (rows without one)", value=_tenant_currency(),
                            key=f"upload_currency_{file_key}",
                            help="Used where a row has no currency cell and its price shows no symbol (₹ $ € £) "
                                 "or code; the default is the currency of the data you already loaded.")}
            force = st.checkbox("Import again even if this exact file was imported before", key="upload_force")
        if st.button("Import", type="primary", icon=":material/play_arrow:", key="upload_run",
                     disabled=bool(missing) or conflict is not None):
            result = ingest_file(repo, kind, data, settings=settings, file_name=uploaded.name,
                                 mapping={**unmapped, **mapping}, defaults={k: v.strip() for k, v in defaults.items() if v.strip()},
                                 source_label="upload", force=force,
                                 progress=widgets.progress_bar(f"Importing {uploaded.name}…"))
            st.session_state["result_upload"] = result.to_dict()
            if kind == "reviews" and result.status == "done" and result.accepted:  # score them in the background
                make_runner(settings).submit(score_reviews_job, tenant_id=repo.tenant_id, user_id=repo.ctx.user_id,
                                             role=repo.ctx.role)
            st.rerun()  # redraw the sidebar's freshness and the history with the new batch

if st.session_state.get("result_upload"):
    st.subheader("Result")
    with errors.guarded("showing the result", request_id=repo.ctx.request_id):
        widgets.result_panel(repo, st.session_state["result_upload"])

st.divider()
st.subheader("Sample data")
st.caption("Loads the shipped samples (sales, reviews, product listings) into this tenant; "
           "loading them twice adds nothing.")
widgets.sample_loader(repo, key="upload_samples")

st.subheader("Recent imports")
with errors.guarded("listing imports", request_id=repo.ctx.request_id):
    widgets.batch_history(repo)
