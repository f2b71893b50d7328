"""A tenant's own LLM budget/model and cache lifetime: admins only, checked, applied over the environment."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from ecomintel import tenant_settings
from ecomintel.config import load_settings
from ecomintel.context import RequestContext
from ecomintel.db.repository import Repository
from ecomintel.errors import Forbidden, InputError
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
                {"llm_model": "m" * 500}):
        with pytest.raises(InputError):
            tenant_settings.save(repo, admin, bad)
