"""Settings: tenant, configuration in effect (secrets masked), LLM provider and this month's LLM usage, syncs."""

import os
import re

import pandas as pd
import streamlit as st

from ecomintel.config import SETTINGS
from ecomintel.llm.usage import usage_summary
from ui import errors, state, sync_settings

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
    usage = usage_summary(repo, settings=settings)
    spent, budget = float(usage["cost_usd"]), float(usage["budget_usd"])
    a, b, c = st.columns(3)
    a.metric(f"LLM spend in {usage['month']}", f"${spent:,.4f}", help=f"Budget ${budget:,.2f} per month")
    b.metric("LLM calls", f"{usage['calls']:,}")
    c.metric("Tokens (prompt / completion)", f"{usage['prompt_tokens']:,} / {usage['completion_tokens']:,}")
    st.progress(min(spent / budget, 1.0) if budget > 0 else 1.0,
                text=f"{spent / budget:.1%} of the ${budget:,.2f} monthly budget used; over it, questions are "
                "planned offline" if budget > 0 else "No budget: LLM calls are disabled")
    if usage["by_model"]:
        st.dataframe(pd.DataFrame(usage["by_model"]), hide_index=True, key="llm_usage")

sync_settings.section(repo, settings)

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
