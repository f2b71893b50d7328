"""Settings → Syncs: configure a feed URL and a competitor page list, run them, see their runs.

Thin on purpose: every check (URL, schedule, secret reference) is ecomintel.sync.sources.configure_source;
a run is a background job (ecomintel.sync.tasks.run_sync_job) so a slow shop never freezes the page.
"""

from __future__ import annotations

from typing import Any

import pandas as pd
import streamlit as st

from ecomintel.config import Settings
from ecomintel.db.repository import Repository
from ui import errors

SCHEDULE_HELP = "`every 6h`, `every 30m`, `every 1d`, or a cron expression like `0 3 * * *` (UTC). Empty: on demand."
KINDS = ["products", "prices", "orders", "reviews"]


def _feed_form(repo: Repository) -> None:
    with st.form("sync_feed_form", clear_on_submit=False):
        st.markdown("**Data feed** — a URL returning CSV or JSON, loaded like an upload")
        a, b = st.columns([3, 1])
        url = a.text_input("Feed URL", key="sync_feed_url", placeholder="https://supplier.example/feeds/prices.csv")
        kind = b.selectbox("Contains", KINDS, key="sync_feed_kind")
        c, d, e = st.columns(3)
        name = c.text_input("Name", value="feed", key="sync_feed_name")
        secret = d.text_input("Secret reference", key="sync_feed_secret", placeholder="env:FEED_TOKEN",
                              help="Where the token lives — env:VARIABLE or file:NAME. Never paste the token.")
        schedule = e.text_input("Schedule", value="every 1d", help=SCHEDULE_HELP, key="sync_feed_schedule")
        if st.form_submit_button("Save feed"):
            _save(repo, name=name, connector="http_feed", options={"url": url, "kind": kind,
                                                                   "auth_scheme": "Bearer" if secret else ""},
                  secret_ref=secret, schedule=schedule)


def _pages_form(repo: Repository, settings: Settings) -> None:
    with st.form("sync_pages_form", clear_on_submit=False):
        st.markdown("**Competitor prices** — product pages checked for price, currency and availability")
        urls = st.text_area("Product page URLs (one per line)", height=120, key="sync_pages_urls",
                            placeholder="https://rival.example/p/kettle-k1\nhttps://other.example/item/123")
        a, b, c, d = st.columns(4)
        name = a.text_input("Name", value="competitors", key="sync_pages_name")
        schedule = b.text_input("Schedule", value="every 6h", help=SCHEDULE_HELP, key="sync_pages_schedule")
        rate = c.number_input("Requests/s per shop", min_value=0.1, max_value=20.0, value=settings.sync_host_rps,
                              step=0.5, key="sync_pages_rate")
        listings = d.checkbox("Also the listings' URLs", value=False, key="sync_pages_listings")
        if st.form_submit_button("Save page list"):
            pages = [u.strip() for u in urls.splitlines() if u.strip()]
            _save(repo, name=name, connector="price_tracker", schedule=schedule,
                  options={"urls": pages, "use_listing_urls": listings, "rate_per_host": rate})


def _save(repo: Repository, **values: Any) -> None:
    from ecomintel.sync.sources import configure_source

    with errors.guarded("saving the sync", request_id=repo.ctx.request_id):
        configure_source(repo, **values)
        st.success(f"Saved {values['name']!r}.")


def _sources(repo: Repository, settings: Settings) -> None:
    sources = repo.list_sync_sources()
    if not sources:
        st.caption("No syncs configured yet.")
        return
    table = []
    for src in sources:
        last = repo.last_sync_run(src["name"])
        opts = src["options"] or {}
        target = opts.get("url") or opts.get("base_url") or f"{len(opts.get('urls') or [])} pages"
        table.append({"name": src["name"], "connector": src["connector"], "target": target,
                      "schedule": src["schedule"] or "on demand", "secret": src["secret_ref"] or "",
                      "last run": last["status"] if last else "never",
                      "last started": last["started_at"] if last else None})
    st.dataframe(pd.DataFrame(table), hide_index=True, key="sync_sources")
    a, b = st.columns([2, 1])
    chosen = a.selectbox("Source", [s["name"] for s in sources], key="sync_run_source")
    if b.button("Run now", key="sync_run_now", disabled=not repo.ctx.can_write):
        from ecomintel.jobs import make_runner
        from ecomintel.sync.tasks import run_sync_job

        with errors.guarded("starting the sync", request_id=repo.ctx.request_id):
            source = next(s for s in sources if s["name"] == chosen)
            job_id = make_runner(settings).submit(run_sync_job, tenant_id=repo.tenant_id, source_id=source["id"],
                                                  trigger="manual")
            st.info(f"Sync {chosen!r} started (job {job_id}); its run appears below when it finishes.")


def runs_panel(repo: Repository, *, key: str = "sync_runs", empty: str = "") -> None:
    """The tenant's recent sync runs (started, finished, status, rows, pages, message) and the errors of the
    latest run that had any — on Settings → Syncs and on the Data Quality page."""
    runs = repo.list_sync_runs(limit=20)
    if not runs:
        if empty:
            st.caption(empty)
        return
    st.markdown("**Recent runs**")
    st.dataframe(pd.DataFrame([{
        "run": r["id"], "source": r["source_name"], "trigger": r["trigger"], "status": r["status"],
        "started": r["started_at"], "finished": r["finished_at"], "rows": r["rows"], "pages ok": r["pages_ok"],
        "pages failed": r["pages_failed"], "message": r["message"]} for r in runs]), hide_index=True, key=key)
    failed = next((r for r in runs if r["errors"]), None)
    if failed:
        with st.expander(f"Errors of run {failed['id']} ({failed['source_name']}, {len(failed['errors'])})"):
            st.dataframe(pd.DataFrame(failed["errors"]), hide_index=True, key=f"{key}_errors")


def section(repo: Repository, settings: Settings) -> None:
    """The Syncs section of the Settings page."""
    st.subheader("Syncs")
    st.caption("Data that arrives by itself: a nightly feed, competitor prices every few hours. Runs are "
               "scheduled by `ecomintel scheduler` with Redis, or inside this app without it.")
    with errors.guarded("reading the syncs", request_id=repo.ctx.request_id):
        if repo.ctx.can_write:
            left, right = st.columns(2)
            with left:
                _feed_form(repo)
            with right:
                _pages_form(repo, settings)
        _sources(repo, settings)
        runs_panel(repo)
