"""Settings: tenant, configuration in effect (secrets masked), LLM provider and this month's LLM usage."""

import os
import re
from datetime import datetime

import pandas as pd
import streamlit as st

from ecomintel.config import SETTINGS
from ui import errors, state

repo = state.repo()
settings = state.settings()
st.title("Settings")

with errors.guarded("reading the tenant", request_id=repo.ctx.request_id):
    tenant = state.tenant()
    a, b, c, d = st.columns(4)
    a.metric("Tenant", tenant.slug)
    b.metric("Data version", tenant.data_version, help="Goes up with every import; cached answers "
             "computed on an older version are never served.")
    c.metric("Your role", st.session_state.get("role", "analyst"))
    d.metric("Created", f"{tenant.created_at:%Y-%m-%d}")

st.subheader("LLM")
provider = settings.llm_provider
model = settings.llm_model or {"openai": "gpt-4o-mini", "gemini": "gemini-2.0-flash"}.get(provider, "—")
st.markdown(f"Provider **{provider}** · model **{model}**"
            + (f" · endpoint `{settings.llm_base_url}`" if settings.llm_base_url else ""))
if provider == "none":
    st.caption("No LLM configured: questions are planned and summarised offline (deterministic). "
               "Set ECOMINTEL_LLM_PROVIDER / OPENAI_API_KEY / GEMINI_API_KEY to use one.")

with errors.guarded("reading LLM usage", request_id=repo.ctx.request_id):
    month_start = datetime.now().replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    usage = repo.llm_usage_since(month_start)
    spent = float(usage["cost_usd"].sum()) if not usage.empty else 0.0
    budget = settings.llm_monthly_budget_usd
    left, right = st.columns([1, 2])
    left.metric(f"LLM spend in {month_start:%B %Y}", f"${spent:,.4f}", help=f"Budget ${budget:,.2f} per month")
    right.progress(min(spent / budget, 1.0) if budget > 0 else 1.0,
                   text=f"{spent / budget:.1%} of the ${budget:,.2f} monthly budget" if budget > 0
                   else "No budget: LLM calls are disabled")
    if not usage.empty:
        st.dataframe(usage, hide_index=True, key="llm_usage")

st.subheader("Configuration in effect")
st.caption("From environment variables (defaults otherwise). Secrets are never shown.")
rows = []
for s in SETTINGS:
    raw = os.environ.get(s.name, "")
    value = ("set" if raw else "not set") if s.secret else (raw or s.default or "(unset)")
    value = re.sub(r"(://[^:/@]*:)[^@]*@", r"\1***@", value)  # passwords inside URLs
    rows.append({"variable": s.name, "value": value, "from": "environment" if raw else "default",
                 "what it does": s.help})
st.table(pd.DataFrame(rows).set_index("variable"))
