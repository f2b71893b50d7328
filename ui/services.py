"""What the app process runs beside the pages, started once per process: JSON logs, tracing, the Prometheus
endpoint (ECOMINTEL_METRICS_PORT) and, without Redis, the in-process scheduler for scheduled syncs.

Why st.cache_resource: Streamlit re-runs app.py on every interaction; the cached function runs once per
process (and per database URL), so there is one metrics server and one scheduler thread, not one per rerun.
"""

from __future__ import annotations

import streamlit as st

from ui import state


@st.cache_resource(show_spinner=False)
def _start(url: str) -> int:
    from ecomintel.metrics_server import setup_observability
    from ecomintel.sync.local_scheduler import start_local_scheduler

    settings = state.settings()
    port = setup_observability(settings, role="app")
    start_local_scheduler(settings, state.engine_for(url))
    return port


def start() -> int:
    """Start the background services (idempotent); returns the metrics port served (0 when off)."""
    return _start(state.settings().database_url)
