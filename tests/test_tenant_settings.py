"""A tenant's own LLM budget/model and cache lifetime: admins only, checked, applied over the environment."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from ecomintel import tenant_settings
from ecomintel.config import load_settings
from ecomintel.context import RequestContext
from ecomintel.db.repository import Repository
from ecomintel.errors import Forbidden, InputError, ServiceUnavailable
from tests.conftest import new_tenant_ctx


def test_tenant_settings_apply_over_the_environment(engine: sa.Engine) -> None:
    admin = new_tenant_ctx(engine, "ts", role="admin")
    repo = Repository(engine, admin)
    base = load_settings({"ECOMINTEL_LLM_MONTHLY_BUDGET_USD": "20"})
    assert tenant_settings.effective(repo, base) == base
    tenant_settings.save(repo, admin, {"llm_monthly_budget_usd": "2.5", "cache_ttl_s": "60", "llm_model": ""})
    applied = tenant_settings.effective(repo, base)
    assert applied.llm_monthly_budget_usd == 2.5 and applied.cache_ttl_s == 60 and applied.llm_model == base.llm_model
    other = Repository(engine, new_tenant_ctx(engine, "ts"))
    assert tenant_settings.effective(other, base) == base  # another tenant keeps the environment's values
    with pytest.raises(Forbidden):
        tenant_settings.save(repo, RequestContext(tenant_id=admin.tenant_id, role="analyst"), {"cache_ttl_s": 1})
    for bad in ({"cache_ttl_s": "-1"}, {"llm_monthly_budget_usd": "lots"}, {"llm_provider": "x"},
                {"llm_model": "m" * 500}, {"llm_model": "../../v1/files?x=1"}, {"llm_model": "gpt 4"}):
        with pytest.raises(InputError):
            tenant_settings.save(repo, admin, bad)


# -- the LLM provider, per tenant ---------------------------------------------------------------------------
ENDPOINTS = {"ECOMINTEL_LLM_ENDPOINTS": "local=http://127.0.0.1:9/v1, gpu-box=http://127.0.0.1:8/v1",
             "ECOMINTEL_LLM_KEY_LOCAL": "sk-local-secret", "OPENAI_API_KEY": "sk-install-secret",
             "ECOMINTEL_LLM_MODEL": "gpt-4o"}


def stored_rows(repo: Repository) -> str:
    """Everything the database keeps of the tenant's settings and their audit entries, as text (raw SQL on the
    tenant's engine: on PostgreSQL row-level security needs its app.tenant_id)."""
    tenant_id = repo.tenant_id
    with repo.engine.connect() as conn:
        prefs = conn.execute(sa.text("SELECT value FROM preferences WHERE tenant_id = :t AND key = 'tenant_settings'"),
                             {"t": tenant_id}).scalars().all()
        audits = conn.execute(sa.text("SELECT detail FROM audit_log WHERE tenant_id = :t"), {"t": tenant_id}).all()
    return repr(prefs) + repr(audits)


def test_endpoints_are_parsed_with_their_own_keys() -> None:
    from ecomintel.config import parse_endpoints, provider_choices

    settings = load_settings(ENDPOINTS)
    assert settings.llm_endpoints == {"local": ("http://127.0.0.1:9/v1", "sk-local-secret"),
                                      "gpu-box": ("http://127.0.0.1:8/v1", "")}  # no key of its own: none
    assert "sk-local-secret" not in repr(settings)
    assert provider_choices(settings) == ["none", "openai", "local", "gpu-box"]
    assert provider_choices(load_settings({})) == ["none"]
    assert provider_choices(load_settings({"GEMINI_API_KEY": "g"})) == ["none", "gemini"]
    assert tenant_settings.clean({"llm_model": "meta-llama/Llama-3.1-8B-Instruct"}, settings)  # a model name
    assert tenant_settings.clean({"llm_model": "llama3.1:8b"}, settings)
    for bad in ("local", "openai=http://x/v1", "Bad Name=http://x/v1", "local=file:///etc/passwd",
                "local=ftp://x", "x" * 21 + "=http://x/v1"):
        with pytest.raises(ValueError):
            parse_endpoints(bad, {})


def test_the_provider_is_a_name_the_install_offers_and_no_key_is_stored(engine: sa.Engine) -> None:
    settings = load_settings(ENDPOINTS)
    admin = new_tenant_ctx(engine, "prov", role="admin")
    repo = Repository(engine, admin)
    for bad in ("http://attacker.example/v1", "gemini", "acme", "local; DROP TABLE users"):  # gemini: no key set
        with pytest.raises(InputError) as refused:
            tenant_settings.save(repo, admin, {"llm_provider": bad}, settings=settings)
        assert "none, openai, local, gpu-box" in refused.value.hint
    assert tenant_settings.save(repo, admin, {"llm_provider": "LOCAL"}, settings=settings) == {"llm_provider": "local"}
    assert tenant_settings.get(repo) == {"llm_provider": "local"}
    kept = stored_rows(repo)
    assert kept.count("local") == 2  # the setting and its audit entry name the choice …
    assert "sk-local-secret" not in kept and "sk-install-secret" not in kept and "127.0.0.1" not in kept


def test_effective_provider_differs_per_tenant(engine: sa.Engine) -> None:
    from ecomintel.llm.client import make_llm
    from ecomintel.llm.openai_provider import OpenAIProvider

    settings = load_settings(ENDPOINTS)
    a = new_tenant_ctx(engine, "pa", role="admin")
    b = new_tenant_ctx(engine, "pb", role="admin")
    c = new_tenant_ctx(engine, "pc", role="admin")
    tenant_settings.save(Repository(engine, a), a, {"llm_provider": "local"}, settings=settings)
    tenant_settings.save(Repository(engine, b), b, {"llm_provider": "none"}, settings=settings)
    on_a = tenant_settings.effective(Repository(engine, a), settings)
    on_b = tenant_settings.effective(Repository(engine, b), settings)
    assert on_a.llm_provider == "local" and on_a.llm_model == ""  # the install's gpt-4o is not the endpoint's
    assert on_b.llm_provider == "none" and make_llm(on_b) is None  # offline planning for B
    assert tenant_settings.effective(Repository(engine, c), settings) == settings  # C: the install's openai
    client = make_llm(on_a)
    assert isinstance(client, OpenAIProvider) and client.provider == "local"
    assert str(client._client.base_url).rstrip("/") == "http://127.0.0.1:9/v1"
    assert client._client.api_key == "sk-local-secret"  # the endpoint's own key, never OPENAI_API_KEY
    install = make_llm(settings)
    assert isinstance(install, OpenAIProvider) and install._client.api_key == "sk-install-secret"
    assert "api.openai.com" in str(install._client.base_url)
    # the install's own default may be an endpoint name too
    by_name = make_llm(load_settings({**ENDPOINTS, "ECOMINTEL_LLM_PROVIDER": "gpu-box"}))
    assert isinstance(by_name, OpenAIProvider) and str(by_name._client.base_url).rstrip("/") == "http://127.0.0.1:8/v1"
    with pytest.raises(ServiceUnavailable) as unknown:
        make_llm(load_settings({**ENDPOINTS, "ECOMINTEL_LLM_PROVIDER": "acme"}))
    assert "openai, gemini, local, gpu-box" in unknown.value.hint
    # the operator removes the endpoint: A is planned offline, not sent to a provider it did not choose
    without = load_settings({k: v for k, v in ENDPOINTS.items() if k != "ECOMINTEL_LLM_ENDPOINTS"})
    assert tenant_settings.effective(Repository(engine, a), without).llm_provider == "none"
    # a model of the tenant's own goes with its provider
    tenant_settings.save(Repository(engine, a), a, {"llm_provider": "gpu-box", "llm_model": "llama3.1"},
                         settings=settings)
    on_a = tenant_settings.effective(Repository(engine, a), settings)
    assert (on_a.llm_provider, on_a.llm_model) == ("gpu-box", "llama3.1")
    gpu = make_llm(on_a)
    assert isinstance(gpu, OpenAIProvider) and gpu.model == "llama3.1"
    assert gpu._client.api_key == "not-needed"  # no ECOMINTEL_LLM_KEY_GPU_BOX: no key at all is sent
