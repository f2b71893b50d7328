"""Ask: plain-language questions about this tenant's data (wired to ecomintel.ask when it lands)."""

import streamlit as st

st.title("Ask")
st.info("The question service is being built; this page will answer questions such as "
        "“top 10 products by revenue in November 2011”.")
