"""Settings → Syncs: configure a data feed, a Shopify-style shop and a competitor page list; run, edit,
switch off and delete them; see their runs.

Thin on purpose: every check (URL, resources, schedule, secret reference) is ecomintel.sync.sources; a run
is a background job (ecomintel.sync.tasks.run_sync_job) so a slow shop never freezes the page. Who may do
what is the permission table's: configuring is "upload or sync data", running is "run jobs" (admins and
analysts); viewers see the sources and their runs only.

Why the forms are filled through st.session_state and not `value=`: "Edit" loads a source into its form by
writing the widgets' keys, which Streamlit only allows for widgets that have no `value=` of their own.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pandas as pd
import streamlit as st

from ecomintel.config import Settings
from ecomintel.db.repository import Repository
from ecomintel.permissions import allowed
from ui import errors

SCHEDULE_HELP = "`every 6h`, `every 30m`, `every 1d`, or a cron expression like `0 3 * * *` (UTC). Empty: on demand."
SECRET_HELP = ("Where the token lives — `env:VARIABLE` (of the app, workers and scheduler) or `file:NAME` (in "
               "ECOMINTEL_SECRETS_DIR). Never paste the token itself: it is refused.")
KINDS = ["products", "prices", "orders", "reviews"]
SHOP_RESOURCES = ["products", "orders"]
CONNECTOR_LABELS = {"http_feed": "data feed", "shopify": "Shopify-style shop", "price_tracker": "competitor pages"}


def _form_defaults(settings: Settings) -> dict[str, Any]:
    """Every form widget's key → its value for a new source."""
    return {
        "sync_feed_url": "", "sync_feed_kind": KINDS[0], "sync_feed_name": "feed", "sync_feed_secret": "",
        "sync_feed_schedule": "every 1d", "sync_feed_enabled": True,
        "sync_pages_urls": "", "sync_pages_name": "competitors", "sync_pages_schedule": "every 6h",
        "sync_pages_rate": float(settings.sync_host_rps), "sync_pages_listings": False, "sync_pages_enabled": True,
        "sync_shop_url": "", "sync_shop_resources": list(SHOP_RESOURCES), "sync_shop_name": "shop",
        "sync_shop_secret": "", "sync_shop_schedule": "every 6h", "sync_shop_enabled": True,
    }


def _values_of(source: Mapping[str, Any]) -> dict[str, Any]:
    """The form keys → values that show `source` in its form (what "Edit" loads)."""
    opts = dict(source.get("options") or {})
    common = {"name": source["name"], "schedule": source.get("schedule") or "", "enabled": bool(source["enabled"])}
    if source["connector"] == "http_feed":
        prefix, own = "sync_feed", {"url": opts.get("url") or "", "secret": source.get("secret_ref") or "",
                                    "kind": opts.get("kind") if opts.get("kind") in KINDS else KINDS[0]}
    elif source["connector"] == "shopify":
        prefix, own = "sync_shop", {"url": opts.get("base_url") or "", "secret": source.get("secret_ref") or "",
                                    "resources": [r for r in opts.get("resources") or SHOP_RESOURCES
                                                  if r in SHOP_RESOURCES]}
    else:
        urls = [u if isinstance(u, str) else str(u.get("url") or "") for u in opts.get("urls") or []]
        prefix, own = "sync_pages", {"urls": "\n".join(u for u in urls if u),
                                     "listings": bool(opts.get("use_listing_urls")),
                                     "rate": float(opts.get("rate_per_host") or 1.0)}
    return {f"{prefix}_{k}": v for k, v in {**common, **own}.items()}


def _feed_form() -> dict[str, Any] | None:
    with st.form("sync_feed_form", clear_on_submit=False):
        st.markdown("**Data feed** — a URL returning CSV or JSON, loaded like an upload")
        a, b = st.columns([3, 1])
        url = a.text_input("Feed URL", key="sync_feed_url", placeholder="https://supplier.example/feeds/prices.csv")
        kind = b.selectbox("Contains", KINDS, key="sync_feed_kind")
        c, d, e = st.columns(3)
        name = c.text_input("Name", key="sync_feed_name")
        secret = d.text_input("Secret reference", key="sync_feed_secret", placeholder="env:FEED_TOKEN",
                              help=SECRET_HELP)
        schedule = e.text_input("Schedule", help=SCHEDULE_HELP, key="sync_feed_schedule")
        enabled = st.checkbox("Enabled (scheduled)", key="sync_feed_enabled")
        if not st.form_submit_button("Save feed"):
            return None
    return {"name": name, "connector": "http_feed", "secret_ref": secret, "schedule": schedule, "enabled": enabled,
            "options": {"url": url.strip(), "kind": kind, "auth_scheme": "Bearer" if secret.strip() else ""}}


def _shop_form() -> dict[str, Any] | None:
    with st.form("sync_shop_form", clear_on_submit=False):
        st.markdown("**Shopify-style shop** — products and orders from a REST API, page by page")
        a, b = st.columns([3, 2])
        url = a.text_input("Shop API base URL", key="sync_shop_url",
                           placeholder="https://yourshop.myshopify.com/admin/api/2024-10",
                           help="The URL that `/products.json` and `/orders.json` are appended to.")
        resources = b.multiselect("Resources", SHOP_RESOURCES, key="sync_shop_resources")
        c, d, e = st.columns(3)
        name = c.text_input("Name", key="sync_shop_name")
        secret = d.text_input("Access token reference", key="sync_shop_secret", placeholder="env:SHOPIFY_TOKEN",
                              help=SECRET_HELP + " Sent as X-Shopify-Access-Token.")
        schedule = e.text_input("Schedule", help=SCHEDULE_HELP, key="sync_shop_schedule")
        enabled = st.checkbox("Enabled (scheduled)", key="sync_shop_enabled")
        if not st.form_submit_button("Save shop"):
            return None
    return {"name": name, "connector": "shopify", "secret_ref": secret, "schedule": schedule, "enabled": enabled,
            "options": {"base_url": url.strip(), "resources": list(resources)}}


def _pages_form() -> dict[str, Any] | None:
    with st.form("sync_pages_form", clear_on_submit=False):
        st.markdown("**Competitor prices** — product pages checked for price, currency and availability")
        urls = st.text_area("Product page URLs (one per line)", height=120, key="sync_pages_urls",
                            placeholder="https://rival.example/p/kettle-k1\nhttps://other.example/item/123")
        a, b, c = st.columns(3)
        name = a.text_input("Name", key="sync_pages_name")
        schedule = b.text_input("Schedule", help=SCHEDULE_HELP, key="sync_pages_schedule")
        rate = c.number_input("Requests/s per shop", min_value=0.1, max_value=20.0, step=0.5, key="sync_pages_rate")
        d, e = st.columns(2)
        listings = d.checkbox("Also the listings' URLs", key="sync_pages_listings")
        enabled = e.checkbox("Enabled (scheduled)", key="sync_pages_enabled")
        if not st.form_submit_button("Save page list"):
            return None
    pages = [u.strip() for u in urls.splitlines() if u.strip()]
    return {"name": name, "connector": "price_tracker", "schedule": schedule, "enabled": enabled,
            "options": {"urls": pages, "use_listing_urls": listings, "rate_per_host": rate}}


def _merged(repo: Repository, values: dict[str, Any]) -> dict[str, Any]:
    """Saving over an existing source of the same connector keeps the options the form does not show (CSS
    selectors, page size, a page's sku/seller given on the CLI): the form edits what it shows, nothing else."""
    existing = next((s for s in repo.list_sync_sources() if s["name"] == values["name"].strip()), None)
    if existing is None or existing["connector"] != values["connector"]:
        return values
    old = dict(existing["options"] or {})
    new = dict(values["options"])
    if values["connector"] == "price_tracker":
        by_url = {u["url"]: u for u in old.get("urls") or [] if isinstance(u, dict) and u.get("url")}
        new["urls"] = [by_url.get(u, u) for u in new["urls"]]
    return {**values, "options": {**old, **new}}


def _save(repo: Repository, settings: Settings, values: dict[str, Any]) -> None:
    from ecomintel.sync.secrets import reference_status
    from ecomintel.sync.sources import configure_source

    with errors.guarded("saving the sync", request_id=repo.ctx.request_id):
        configure_source(repo, **_merged(repo, values))
        st.success(f"Saved {values['name'].strip()!r}.")
        status = reference_status(values.get("secret_ref"), secrets_dir=settings.secrets_dir)
        if status in ("not set", "no file"):
            st.warning(f"{values['secret_ref'].strip()} is {status} in this app's environment: runs here will "
                       "fail until it is (workers and the scheduler need it too).")


def _secret_cell(ref: str | None, settings: Settings) -> str:
    from ecomintel.sync.secrets import reference_status

    if not ref:
        return ""
    status = reference_status(ref, secrets_dir=settings.secrets_dir)
    return f"{ref} ({status})" if status else ref


def _target(src: Mapping[str, Any]) -> str:
    opts = src["options"] or {}
    if src["connector"] == "shopify":
        return f"{opts.get('base_url', '')} · {', '.join(opts.get('resources') or SHOP_RESOURCES)}"
    if src["connector"] == "price_tracker":
        pages = f"{len(opts.get('urls') or [])} pages"
        return pages + (" + listings' URLs" if opts.get("use_listing_urls") else "")
    return str(opts.get("url") or "")


def _load_into_form(source: Mapping[str, Any]) -> None:
    """on_click of "Edit": runs before the rerun draws the forms, so their keys may still be written."""
    st.session_state.update(_values_of(source))
    st.session_state["sync_editing"] = (source["name"], CONNECTOR_LABELS.get(source["connector"], ""))


def _sources(repo: Repository, settings: Settings, *, can_configure: bool, can_run: bool) -> None:
    from ecomintel.sync.sources import remove_source, set_enabled

    sources = repo.list_sync_sources()
    if not sources:
        st.caption("No syncs configured yet.")
        return
    table = []
    for src in sources:
        last = repo.last_sync_run(src["name"])
        table.append({"name": src["name"], "kind": CONNECTOR_LABELS.get(src["connector"], src["connector"]),
                      "target": _target(src), "schedule": src["schedule"] or "on demand",
                      "enabled": bool(src["enabled"]), "secret": _secret_cell(src["secret_ref"], settings),
                      "last run": last["status"] if last else "never",
                      "last started": last["started_at"] if last else None})
    st.markdown("**Sources**")
    st.dataframe(pd.DataFrame(table), hide_index=True, key="sync_sources")
    st.caption("A secret's state (set / not set) is this app's environment; workers and the scheduler need the "
               "same. A disabled source is not scheduled; Run now still runs it.")
    if not (can_configure or can_run):
        return
    a, b, c, d, e = st.columns([3, 1, 1, 1, 1], vertical_alignment="bottom")
    chosen = a.selectbox("Source", [s["name"] for s in sources], key="sync_run_source")
    source = next((s for s in sources if s["name"] == chosen), sources[0])
    if b.button("Run now", key="sync_run_now", disabled=not can_run, use_container_width=True):
        from ecomintel.jobs import make_runner
        from ecomintel.sync.tasks import run_sync_job

        with errors.guarded("starting the sync", request_id=repo.ctx.request_id):
            job_id = make_runner(settings).submit(run_sync_job, tenant_id=repo.tenant_id, source_id=source["id"],
                                                  trigger="manual")
            st.info(f"Sync {chosen!r} started (job {job_id}); its run appears under Recent runs.")
    if not can_configure:
        return
    c.button("Edit", key="sync_edit", on_click=_load_into_form, args=(source,), use_container_width=True,
             help="Load it into its form above; save there (the same name replaces it).")
    toggle = "Disable" if source["enabled"] else "Enable"
    if d.button(toggle, key="sync_toggle", use_container_width=True):
        with errors.guarded("switching the sync", request_id=repo.ctx.request_id):
            set_enabled(repo, chosen, not source["enabled"])
            st.rerun()
    confirm = e.checkbox("Sure?", key="sync_delete_confirm", help="Tick, then Delete. Its runs stay in the history.")
    if st.button(f"Delete {chosen!r}", key="sync_delete", disabled=not confirm):
        with errors.guarded("deleting the sync", request_id=repo.ctx.request_id):
            remove_source(repo, chosen)
            st.session_state.pop("sync_delete_confirm", None)
            st.rerun()


def runs_panel(repo: Repository, *, key: str = "sync_runs", empty: str = "") -> None:
    """The tenant's recent sync runs (started, finished, status, rows, pages, message) and the errors of the
    latest run that had any — on Settings → Syncs and on the Data Quality page. While a run is going, it
    redraws itself every few seconds (a fragment: the rest of the page and its forms are left alone)."""
    runs = repo.list_sync_runs(limit=20)
    if not runs:
        if empty:
            st.caption(empty)
        return
    st.markdown("**Recent runs**")
    st.dataframe(pd.DataFrame([{
        "run": r["number"], "source": r["source_name"], "trigger": r["trigger"], "status": r["status"],
        "started": r["started_at"], "finished": r["finished_at"], "rows": r["rows"], "pages ok": r["pages_ok"],
        "pages failed": r["pages_failed"], "message": r["message"]} for r in runs]), hide_index=True, key=key)
    failed = next((r for r in runs if r["errors"]), None)
    if failed:
        with st.expander(f"Errors of run {failed['number']} ({failed['source_name']}, {len(failed['errors'])})"):
            st.dataframe(pd.DataFrame(failed["errors"]), hide_index=True, key=f"{key}_errors")


@st.fragment(run_every=5)
def live_runs_panel(repo: Repository, key: str = "sync_runs", empty: str = "") -> None:
    """runs_panel, redrawn every 5 s: a scheduled or "Run now" run shows up without a reload."""
    runs_panel(repo, key=key, empty=empty)


def section(repo: Repository, settings: Settings) -> None:
    """The Syncs section of the Settings page."""
    from ui import state

    role = state.role()
    can_configure, can_run = allowed(role, "upload"), allowed(role, "run_jobs")
    st.subheader("Syncs")
    st.caption("Data that arrives by itself: a nightly feed, a shop's products and orders, competitor prices "
               "every few hours. Runs are scheduled by `ecomintel scheduler` with Redis, or inside this app "
               "without it.")
    with errors.guarded("reading the syncs", request_id=repo.ctx.request_id):
        if can_configure:
            for k, v in _form_defaults(settings).items():
                st.session_state.setdefault(k, v)
            editing = st.session_state.pop("sync_editing", None)
            if editing:
                st.info(f"Editing {editing[0]!r} in the {editing[1]} form: change it and save (another name "
                        "saves a new source).")
            left, right = st.columns(2)
            with left:
                saved = _feed_form()
                saved = _shop_form() or saved
            with right:
                saved = _pages_form() or saved
            if saved:
                _save(repo, settings, saved)
        _sources(repo, settings, can_configure=can_configure, can_run=can_run)
        live_runs_panel(repo)
