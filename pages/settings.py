"""Settings: your preferences and password; for admins the tenant's defaults and retention, users, roles and
invitations, the audit log; this month's LLM usage and the configuration in effect (secrets masked)."""

import os
import re
from dataclasses import asdict

import pandas as pd
import streamlit as st

from ecomintel import audit, retention, tenant_settings
from ecomintel.accounts import invites, users
from ecomintel.config import SETTINGS, load_settings, provider_choices
from ecomintel.context import ROLES
from ecomintel.llm.usage import usage_summary
from ecomintel.permissions import actions_for, allowed
from ecomintel.preferences import KPIS, preferences, save_preferences, save_tenant_defaults
from ui import auth, errors, labels, state, sync_settings

repo = state.repo()
ctx = repo.ctx
settings = state.settings()
engine = state.engine()
role = state.role()
is_admin = allowed(role, "manage_users")
st.title("Settings")

with errors.guarded("reading the tenant", request_id=ctx.request_id):
    tenant = state.tenant()
    a, b, c, d = st.columns(4)
    a.metric("Tenant", tenant.name or tenant.slug,  # the name the sidebar and Home show; the CLI takes the slug
             help=f"On the command line: `--tenant {tenant.slug}`.")
    b.metric("Data version", tenant.data_version, help="Goes up with every import; cached answers "
             "computed on an older version are never served.")
    c.metric("Your role", role, help="You may: " + ", ".join(actions_for(role)))
    d.metric("Created", f"{tenant.created_at:%Y-%m-%d}")


def preference_form(key: str, current, save, note: str) -> None:  # type: ignore[no-untyped-def]
    """The preferences form (yours, or the tenant's defaults for admins)."""
    vocab = repo.vocabulary()
    markets = sorted({*getattr(vocab, "marketplaces", ()), *current.marketplaces})
    with st.form(key):
        st.caption(note)
        kpis = st.multiselect("KPIs on Home", list(KPIS), default=list(current.home_kpis),
                              format_func=lambda k: labels.label(k, tile=True))
        g1, g2 = st.columns(2)
        revenue_goal = g1.number_input("Monthly revenue goal (0 = none)", min_value=0.0, max_value=1e12,
                                       value=float(current.goals.get("revenue", 0.0)), step=1000.0)
        orders_goal = g2.number_input("Monthly orders goal (0 = none)", min_value=0.0, max_value=1e9,
                                      value=float(current.goals.get("orders", 0.0)), step=10.0)
        focus = st.multiselect("Marketplace focus (empty = all)", markets, default=list(current.marketplaces))
        c1, c2, c3 = st.columns(3)
        currency = c1.text_input("Currency (empty = the data's)", value=current.currency, max_chars=3)
        margin = c2.number_input("Minimum margin %", 0.0, 95.0, float(current.min_margin * 100), 1.0)
        threshold = c3.number_input("Price-change alert threshold %", 0.1, 100.0, float(current.price_change_pct), 0.5)
        c4, c5 = st.columns(2)
        horizon = c4.number_input("Forecast horizon (days)", 1, 365, int(current.forecast_horizon_days))
        service = c5.number_input("Service level", 0.5, 0.999, float(current.service_level), 0.01, format="%.3f")
        if st.form_submit_button("Save", type="primary"):
            goals = {k: v for k, v in (("revenue", revenue_goal), ("orders", orders_goal)) if v > 0}
            with errors.guarded("saving the preferences", request_id=ctx.request_id):
                save(repo, ctx, {"home_kpis": kpis, "goals": goals, "marketplaces": focus, "currency": currency,
                                 "min_margin": margin / 100.0, "price_change_pct": threshold,
                                 "forecast_horizon_days": int(horizon), "service_level": service})
                st.success("Saved.")


names = ["Your preferences", "LLM usage", "Syncs"] + (["Tenant", "Users and roles", "Audit log", "Configuration"]
                                                      if is_admin else [])
tabs = dict(zip(names, st.tabs(names), strict=True))

with tabs["Syncs"]:  # feeds and competitor pages (ui/sync_settings.py)
    sync_settings.section(repo, state.settings())

with tabs["Your preferences"], errors.guarded("reading your preferences", request_id=ctx.request_id):
    preference_form("prefs_user", preferences(repo), save_preferences,
                    "What Home shows you and the thresholds your analyses use (your own; an admin sets the "
                    "tenant's defaults).")
    if not settings.demo_mode:
        with st.form("password", clear_on_submit=True):
            st.markdown("**Change your password** (signs you out everywhere, this browser too)")
            old = st.text_input("Current password", type="password", max_chars=200)
            new = st.text_input("New password", type="password", max_chars=200)
            again = st.text_input("New password again", type="password", max_chars=200)
            if st.form_submit_button("Change password"):
                with errors.guarded("changing the password", request_id=ctx.request_id):
                    if new != again:
                        st.error("The two new passwords differ.")
                    else:
                        users.change_password(engine, ctx, old, new)
                        auth.sign_out()
                        st.rerun()

with tabs["LLM usage"]:
    provider = settings.llm_provider
    model = settings.llm_model or {"openai": "gpt-4o-mini", "gemini": "gemini-2.0-flash"}.get(provider, "—")
    endpoint = settings.llm_endpoints[provider][0] if provider in settings.llm_endpoints else settings.llm_base_url
    if provider in settings.llm_endpoints:
        model = settings.llm_model or "gpt-4o-mini"  # an OpenAI-compatible endpoint: the openai default
    st.markdown(f"Provider **{provider}** · model **{model}**"
                + (f" · endpoint `{endpoint}`" if endpoint and provider != "none" else ""))
    if provider == "none":
        st.caption("No LLM for this tenant: questions are planned and summarised offline (deterministic). "
                   + ("An admin chooses the provider in Settings → Tenant." if len(provider_choices(settings)) > 1
                      else "Set ECOMINTEL_LLM_PROVIDER / OPENAI_API_KEY / GEMINI_API_KEY / ECOMINTEL_LLM_ENDPOINTS "
                      "to use one."))
    with errors.guarded("reading LLM usage", request_id=ctx.request_id):
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

if is_admin:
    with tabs["Tenant"], errors.guarded("reading the tenant settings", request_id=ctx.request_id):
        preference_form("prefs_tenant", preferences(repo), save_tenant_defaults,
                        "The tenant's defaults for every user who has not set their own.")
        own = tenant_settings.get(repo)
        install = load_settings()  # the environment's values, without this tenant's
        choices = ["", *provider_choices(install)]  # only providers that can work here; "" = the install's
        chosen = str(own.get("llm_provider", ""))
        with st.form("tenant_settings"):
            st.markdown("**This tenant's settings** (empty: the environment's value applies)")
            llm_provider = st.selectbox(
                "LLM provider", choices, index=choices.index(chosen) if chosen in choices else 0,
                format_func=lambda c: (f"install default ({install.llm_provider})" if not c else
                                       "none — offline only: questions never reach an LLM" if c == "none" else
                                       f"{c} — OpenAI-compatible server set up by the operator"
                                       if c in install.llm_endpoints else c), key="tenant_llm_provider",
                help="Which LLM plans and summarises this tenant's questions; none = offline only. The keys and "
                "servers are set for the install (ECOMINTEL_LLM_ENDPOINTS); only their names are chosen here.")
            if chosen and chosen not in choices:
                st.warning(f"The provider chosen before ({chosen}) is no longer offered by this install: "
                           "questions are planned offline until you choose another.")
            t1, t2, t3 = st.columns(3)
            budget_text = t1.text_input("LLM budget per month (USD)",
                                        value=str(own.get("llm_monthly_budget_usd", "")),
                                        placeholder=f"{install.llm_monthly_budget_usd:g}", max_chars=12)
            llm_model = t2.text_input("LLM model", value=str(own.get("llm_model", "")),
                                      placeholder=install.llm_model or "provider default", max_chars=100)
            ttl = t3.text_input("Cache lifetime (s)", value=str(own.get("cache_ttl_s", "")),
                                placeholder=str(install.cache_ttl_s), max_chars=10)
            if st.form_submit_button("Save tenant settings"):
                tenant_settings.save(repo, ctx, {"llm_monthly_budget_usd": budget_text, "llm_model": llm_model,
                                                 "cache_ttl_s": ttl, "llm_provider": llm_provider or ""},
                                     settings=install)
                st.success("Saved; they apply from the next question.")
        st.markdown("**Retention** (months; 0 = keep until deleted)")
        policy = retention.get_policy(repo)
        with st.form("retention"):
            cols = st.columns(4)
            months = {name: cols[i % 4].number_input(name.removesuffix("_months").replace("_", " "), 0, 240,
                                                      int(value), key=f"retention_{name}")
                      for i, (name, value) in enumerate(asdict(policy).items())}
            if st.form_submit_button("Save retention"):
                retention.set_policy(repo, ctx, months)
                st.success("Retention policy saved; the purge job applies it.")
        if st.button("Purge now", key="retention_purge", help="Delete what the policy no longer keeps."):
            deleted = retention.purge(repo, ctx)
            st.success(f"Purged: {deleted or 'nothing was older than the policy'}.")
        with st.expander("Delete all our data", icon=":material/delete_forever:"):
            st.warning(f"Deletes every row of tenant **{tenant.slug}** in every table, its users, cached answers "
                       "and files. This cannot be undone.")
            confirm = st.text_input(f"Type {tenant.slug} to confirm", key="delete_confirm", max_chars=100)
            if st.button("Delete everything", key="delete_tenant", type="primary",
                         disabled=confirm.strip() != tenant.slug):
                retention.delete_tenant_data(engine, ctx, confirm, settings)
                if settings.demo_mode:
                    state.sign_out()
                else:
                    auth.sign_out()
                st.rerun()

    with tabs["Users and roles"], errors.guarded("managing users", request_id=ctx.request_id):
        people = users.list_users(engine, ctx)
        st.dataframe(pd.DataFrame([{"user": u.username, "name": u.name, "role": u.role,
                                    "state": "disabled" if u.disabled else "locked" if u.locked_until else "active",
                                    "last sign-in": u.last_login_at} for u in people]),
                     hide_index=True, key="users_table")
        left, right = st.columns(2)
        with left, st.form("user_role"):
            who = st.selectbox("User", [u.username for u in people], key="role_user")
            new_role = st.selectbox("Role", list(ROLES), key="role_value")
            s1, s2, s3 = st.columns(3)
            if s1.form_submit_button("Set role") and who:
                users.set_role(engine, ctx, who, new_role)
                st.rerun()
            if s2.form_submit_button("Disable") and who:
                users.set_disabled(engine, ctx, who, True)
                st.rerun()
            if s3.form_submit_button("Enable") and who:
                users.set_disabled(engine, ctx, who, False)
                st.rerun()
        with right, st.form("invite"):
            invite_role = st.selectbox("Invite a new", list(ROLES), index=1, key="invite_role")
            note = st.text_input("For (note)", max_chars=200, key="invite_note")
            if st.form_submit_button("Create invitation", type="primary"):
                invite = invites.create_invite(engine, ctx, invite_role, auth.policy(), note=note)
                base = (st.context.url or "http://localhost:8501").rsplit("/", 1)[0]
                st.session_state["result_invite"] = (invite.code, f"{base}/?invite={invite.code}", invite.role,
                                                     f"{invite.expires_at:%Y-%m-%d %H:%M}")
        shown = st.session_state.get("result_invite")
        if shown:
            st.success(f"Invitation for a new {shown[2]}, valid until {shown[3]} UTC, one use. Send the link "
                       "(or the code); it is shown only now.")
            st.code(shown[1], language=None)
            st.caption(f"Code: {shown[0]}")
        st.dataframe(pd.DataFrame(invites.list_invites(engine, ctx)).drop(columns=["id", "used_by"], errors="ignore"),
                     hide_index=True, key="invites_table",  # global row/user ids are never shown
                     column_config={"role": "Role", "note": "Note",
                                    "created_at": st.column_config.DatetimeColumn("Created (UTC)",
                                                                                  format="YYYY-MM-DD HH:mm"),
                                    "expires_at": st.column_config.DatetimeColumn("Expires (UTC)",
                                                                                  format="YYYY-MM-DD HH:mm"),
                                    "used_at": st.column_config.DatetimeColumn("Used (UTC)",
                                                                               format="YYYY-MM-DD HH:mm")})

    with tabs["Audit log"], errors.guarded("reading the audit log", request_id=ctx.request_id):
        action = st.selectbox("Action", ["(all)", *audit.ACTIONS], key="audit_action")
        rows = audit.entries(engine, ctx, action=None if action == "(all)" else action, limit=500)
        st.dataframe(pd.DataFrame([{**r, "detail": str(r["detail"] or "")} for r in rows]), hide_index=True,
                     key="audit_table")
        if st.button("Prepare CSV export", key="audit_export"):
            st.session_state["result_audit_csv"] = audit.export_csv(
                engine, ctx, action=None if action == "(all)" else action, limit=10_000)
        if st.session_state.get("result_audit_csv"):
            st.download_button("Download audit_log.csv", st.session_state["result_audit_csv"],
                               file_name=f"audit_log_{tenant.slug}.csv", mime="text/csv", key="audit_download")

    with tabs["Configuration"]:
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
