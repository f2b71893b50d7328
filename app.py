"""ecomintel — the Streamlit router: login gate, sidebar (tenant, data freshness, mode), pages."""

from pathlib import Path

import streamlit as st

from ui import access, errors, services, sidebar, state

# A favicon shipped in the repository: a ":material/…:" page icon makes the browser fetch it from
# fonts.gstatic.com, which fails offline; the app loads nothing from outside its own server.
st.set_page_config(page_title="ecomintel", page_icon=Path(__file__).parent / "assets" / "favicon.png",
                   layout="wide")

PAGES = [
    st.Page("pages/home.py", title="Home", icon=":material/home:", default=True),
    st.Page("pages/upload.py", title="Upload data", icon=":material/upload_file:"),
    st.Page("pages/ask.py", title="Ask", icon=":material/chat:"),
    st.Page("pages/pricing.py", title="Pricing", icon=":material/sell:"),
    st.Page("pages/sentiment.py", title="Sentiment", icon=":material/reviews:"),
    st.Page("pages/forecast.py", title="Forecast", icon=":material/trending_up:"),
    st.Page("pages/data_quality.py", title="Data quality", icon=":material/fact_check:"),
    st.Page("pages/settings.py", title="Settings", icon=":material/settings:"),
]

try:
    services.start()  # metrics endpoint, JSON logs, tracing, in-process sync scheduler (once per process)
    ready = state.signed_in()
except Exception as exc:  # e.g. the database cannot be reached: say so instead of a traceback
    errors.show_error(exc, where="opening the database")
    st.stop()

if not ready:
    st.navigation([st.Page(sidebar.login_page, title="Sign in", icon=":material/login:")],
                  position="hidden").run()
    st.stop()

page = st.navigation(PAGES)
state.follow_goto(PAGES)
access.hide_forbidden(PAGES, state.role())  # the role's menu, from the permission table (issue 12)
with state.routed():
    with st.sidebar, errors.guarded("drawing the sidebar"):
        sidebar.draw()
    with errors.guarded(f"showing {page.title}"):
        access.run(page, state.role())  # a forbidden page (deep link, stale tab) says why instead of running
