"""The settings table is the single source of truth; the README's configuration table must match it."""

from __future__ import annotations

from dataclasses import fields

from ecomintel.config import SETTINGS, Settings, load_settings, parse_prices, settings_markdown
from tests.conftest import ROOT


def test_readme_configuration_table_matches_settings() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    start = readme.index("<!-- settings:start -->") + len("<!-- settings:start -->")
    end = readme.index("<!-- settings:end -->")
    assert readme[start:end].strip() == settings_markdown(), (
        "README configuration table is stale: paste `python -c 'from ecomintel.config import "
        "settings_markdown; print(settings_markdown())'` between the settings markers"
    )


def test_every_setting_is_read() -> None:
    """Each table row feeds one Settings field (names differ only by prefix/case)."""
    field_names = {f.name for f in fields(Settings)}
    for setting in SETTINGS:
        name = setting.name.lower().removeprefix("ecomintel_")
        assert name in field_names, f"{setting.name} has no Settings field"
    assert len(SETTINGS) == len(field_names)


def test_defaults_and_overrides() -> None:
    defaults = load_settings({})
    assert defaults.database_url.startswith("sqlite:///")
    assert defaults.llm_provider == "none"
    assert defaults.redis_url == ""
    custom = load_settings({"ECOMINTEL_MAX_UPLOAD_MB": "5", "OPENAI_API_KEY": "sk-test"})
    assert custom.max_upload_mb == 5
    assert custom.llm_provider == "openai"
    assert "sk-test" not in repr(custom)
    assert load_settings({"GEMINI_API_KEY": "g"}).llm_provider == "gemini"
    assert load_settings({"ECOMINTEL_LLM_PROVIDER": "none", "OPENAI_API_KEY": "k"}).llm_provider == "none"


def test_parse_prices() -> None:
    prices = parse_prices("gpt-4o-mini=0.15/0.60, *=1")
    assert prices == {"gpt-4o-mini": (0.15, 0.60), "*": (1.0, 1.0)}
