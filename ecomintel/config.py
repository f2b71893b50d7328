"""Every setting ecomintel reads, in one table.

Why a table: the README's configuration section is generated from `SETTINGS` and a test keeps the two
equal, so there is exactly one place to learn what can be configured (datasette's Setting pattern).
Values come from the environment only; secrets are never read from the repository.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class Setting:
    """One configurable value: its environment name, default (as text) and what it does."""

    name: str
    default: str
    help: str
    secret: bool = False


SETTINGS: tuple[Setting, ...] = (
    Setting("ECOMINTEL_DATABASE_URL", "sqlite:///var/ecomintel.db",
            "SQLAlchemy URL of the database. `postgresql+psycopg://user@host/db` for PostgreSQL."),
    Setting("ECOMINTEL_REDIS_URL", "", "Redis URL for the shared cache and RQ job queues. Unset: in-process cache and thread-pool jobs."),
    Setting("ECOMINTEL_DEMO_MODE", "1", "1: a `demo` tenant is created and loaded with the sample data on `make run`; CLI tenants are created on first ingest."),
    Setting("ECOMINTEL_MAX_UPLOAD_MB", "200", "Largest file accepted by ingestion, in megabytes."),
    Setting("ECOMINTEL_INGEST_CHUNK_ROWS", "50000", "Rows read, validated and loaded per chunk; bounds ingestion memory."),
    Setting("ECOMINTEL_LLM_PROVIDER", "", "`none`, `openai`, `gemini` or a name from ECOMINTEL_LLM_ENDPOINTS; the install's default (a tenant's admin may pick another in Settings → Tenant). Unset: `openai` if OPENAI_API_KEY or ECOMINTEL_LLM_BASE_URL is set, `gemini` if GEMINI_API_KEY is set, else `none`."),
    Setting("ECOMINTEL_LLM_MODEL", "", "Model name for the LLM provider (default gpt-4o-mini for openai, gemini-2.0-flash for gemini)."),
    Setting("ECOMINTEL_LLM_BASE_URL", "", "Base URL of any OpenAI-compatible server (Ollama, vLLM, LM Studio, a local stub)."),
    Setting("ECOMINTEL_LLM_ENDPOINTS", "", "Named OpenAI-compatible servers tenants may choose, `name=base_url,…` (e.g. `local=http://127.0.0.1:11434/v1`); each uses the key in `ECOMINTEL_LLM_KEY_<NAME>` (upper-cased, `-` → `_`) if set, never OPENAI_API_KEY. Only the operator sets URLs: a tenant's admin picks a name."),
    Setting("ECOMINTEL_LLM_TIMEOUT_S", "20", "Seconds before an LLM call is abandoned (the offline planner answers instead)."),
    Setting("ECOMINTEL_LLM_MONTHLY_BUDGET_USD", "20", "Per-tenant monthly LLM spend limit in USD; over it, the offline planner answers with a warning."),
    Setting("ECOMINTEL_LLM_PRICES", "gpt-4o-mini=0.15/0.60,gpt-4o=2.50/10.00,gemini-2.0-flash=0.10/0.40,*=0.50/1.50",
            "USD per million prompt/completion tokens by model; `*` is the fallback for unknown (e.g. local) models."),
    Setting("OPENAI_API_KEY", "", "API key for OpenAI (or the OpenAI-compatible server).", secret=True),
    Setting("GEMINI_API_KEY", "", "API key for Google Gemini.", secret=True),
    Setting("ECOMINTEL_CACHE_TTL_S", "3600", "Seconds a cached answer lives (it is also dropped when the tenant's data changes)."),
    Setting("ECOMINTEL_CACHE_MAX_ENTRIES", "512", "Size of the in-process LRU cache (used when Redis is not configured)."),
    Setting("ECOMINTEL_QUICK_TIMEOUT_S", "5", "Per-agent time limit in quick mode."),
    Setting("ECOMINTEL_DEEP_TIMEOUT_S", "30", "Per-agent time limit in deep mode."),
    Setting("ECOMINTEL_MAX_CONCURRENT_AGENTS", "4", "Agents run at once per process; more wait in a queue."),
    Setting("ECOMINTEL_MAX_TOP_N", "50", "Most rows a top-N answer lists; a larger N is capped with a note (at most 100)."),
    Setting("ECOMINTEL_RQ_QUEUE", "ecomintel", "Name of the RQ queue deep questions and syncs go to."),
    Setting("ECOMINTEL_LOG_LEVEL", "INFO", "Log level of the JSON logs."),
    Setting("ECOMINTEL_METRICS_PORT", "9464", "Port where the app process serves Prometheus metrics (`/metrics`); `0` turns it off."),
    Setting("ECOMINTEL_WORKER_METRICS_PORT", "9465", "Port where each worker (and the scheduler) serves its metrics; `0` turns it off. One per host: give each worker on a machine its own."),
    Setting("ECOMINTEL_TRACING", "none", "OpenTelemetry spans: `none`, `console` (printed to stderr) or `otlp` (sent to ECOMINTEL_OTLP_ENDPOINT)."),
    Setting("ECOMINTEL_OTLP_ENDPOINT", "http://localhost:4318/v1/traces", "OTLP/HTTP endpoint for spans when ECOMINTEL_TRACING=otlp (needs opentelemetry-exporter-otlp-proto-http)."),
    Setting("ECOMINTEL_SYNC_USER_AGENT", "ecomintel-price-tracker/1.0", "User-Agent of sync requests; robots.txt rules are matched against it. Put a contact URL in it."),
    Setting("ECOMINTEL_SYNC_TIMEOUT_S", "20", "Seconds before one sync request (a page, a feed) is abandoned and retried."),
    Setting("ECOMINTEL_SYNC_RETRIES", "3", "Retries of a sync request after a timeout, a 5xx or a 429 (exponential backoff with jitter; Retry-After honoured)."),
    Setting("ECOMINTEL_SYNC_HOST_RPS", "1", "Price tracker: most requests per second to one host (robots.txt Crawl-delay can lower it)."),
    Setting("ECOMINTEL_RETENTION_PURGE_AT", "03:30", "Time of day (HH:MM, the scheduler's clock) of the daily retention purge run by `ecomintel scheduler` (with Redis) or the app's in-process scheduler; `off`: not scheduled (run `ecomintel retention purge` from cron)."),
    Setting("ECOMINTEL_SECRETS_DIR", "/run/secrets", "Folder of `file:NAME` secret references used by sync sources (secrets are never stored in the database)."),
    Setting("ECOMINTEL_DATA_DIR", "var", "Folder for files the app keeps per install (the generated sign-in cookie key, model artifacts under models/<kind>/<version>/, …)."),
    Setting("ECOMINTEL_AUTH_COOKIE_KEY", "", "Secret that signs the sign-in cookie. Unset: generated once into ECOMINTEL_DATA_DIR/auth_cookie_key (give every app replica the same one).", secret=True),
    Setting("ECOMINTEL_SESSION_HOURS", "12", "Hours a sign-in lasts (across reloads); after that the user signs in again."),
    Setting("ECOMINTEL_LOGIN_MAX_ATTEMPTS", "5", "Failed sign-ins in a row before the user is locked out."),
    Setting("ECOMINTEL_LOGIN_LOCKOUT_MINUTES", "15", "Minutes a locked-out user must wait before signing in again."),
    Setting("ECOMINTEL_INVITE_HOURS", "72", "Hours an invitation code stays valid."),
    Setting("ECOMINTEL_DEFAULT_PRICE_CHANGE_PCT", "5", "Default price-change threshold %: competitor price moves beyond it become alerts."),
    Setting("ECOMINTEL_DEFAULT_FORECAST_HORIZON_DAYS", "28", "Default forecast horizon in days."),
    Setting("ECOMINTEL_DEFAULT_SERVICE_LEVEL", "0.95", "Default service level (0.5–0.999) for safety stock and reorder points."),
    Setting("ECOMINTEL_PRICE_MIN_MARGIN", "0.2", "Pricing: default minimum margin (price − cost) / price a recommended price keeps; a tenant's `pricing_min_margin` preference overrides it."),
    Setting("ECOMINTEL_PRICE_MAX_STEP", "0.1", "Pricing: largest change a recommendation makes at once, as a share of the current price (0.1 = ±10%); preference `pricing_max_step`."),
    Setting("ECOMINTEL_PRICE_GAP_THRESHOLD", "5", "Pricing: % above or below the competitor median that counts as out of line with the market, unless the question names one; preference `pricing_gap_threshold`."),
    Setting("ECOMINTEL_SENTIMENT_TRANSFORMERS_MODEL", "", "Local folder (or model id already in the Hugging Face cache) of a transformers text-classification model; set: `ecomintel models train sentiment` evaluates it with the others and it becomes active if it ranks first. Needs `pip install -e .[transformers]`."),
)


def _setting_names() -> set[str]:
    return {s.name for s in SETTINGS}


@dataclass(frozen=True)
class Settings:
    """Typed view of `SETTINGS` read from an environment mapping (explicitly passed, default os.environ)."""

    database_url: str
    redis_url: str
    demo_mode: bool
    max_upload_mb: int
    ingest_chunk_rows: int
    llm_provider: str
    llm_model: str
    llm_base_url: str
    llm_timeout_s: float
    llm_monthly_budget_usd: float
    llm_prices: dict[str, tuple[float, float]] = field(default_factory=dict)
    # name → (base_url, api key from ECOMINTEL_LLM_KEY_<NAME> or ""); repr=False keeps the keys out of logs
    llm_endpoints: dict[str, tuple[str, str]] = field(default_factory=dict, repr=False)
    openai_api_key: str = field(default="", repr=False)
    gemini_api_key: str = field(default="", repr=False)
    cache_ttl_s: int = 3600
    cache_max_entries: int = 512
    quick_timeout_s: float = 5.0
    deep_timeout_s: float = 30.0
    max_concurrent_agents: int = 4
    max_top_n: int = 50
    rq_queue: str = "ecomintel"
    log_level: str = "INFO"
    metrics_port: int = 9464
    worker_metrics_port: int = 9465
    tracing: str = "none"
    otlp_endpoint: str = "http://localhost:4318/v1/traces"
    sync_user_agent: str = "ecomintel-price-tracker/1.0"
    sync_timeout_s: float = 20.0
    sync_retries: int = 3
    sync_host_rps: float = 1.0
    retention_purge_at: str = "03:30"
    secrets_dir: str = "/run/secrets"
    data_dir: str = "var"
    auth_cookie_key: str = field(default="", repr=False)
    session_hours: float = 12.0
    login_max_attempts: int = 5
    login_lockout_minutes: float = 15.0
    invite_hours: float = 72.0
    default_price_change_pct: float = 5.0
    default_forecast_horizon_days: int = 28
    default_service_level: float = 0.95
    price_min_margin: float = 0.2
    price_max_step: float = 0.1
    price_gap_threshold: float = 5.0
    sentiment_transformers_model: str = ""

    def replace(self, **changes: Any) -> Settings:
        """A copy with some values changed (tests and the CLI use this instead of mutating)."""
        values = {f.name: getattr(self, f.name) for f in fields(self)}
        values.update(changes)
        return Settings(**values)


def parse_prices(text: str) -> dict[str, tuple[float, float]]:
    """`model=in/out,...` → {model: (usd per 1M prompt tokens, usd per 1M completion tokens)}."""
    prices: dict[str, tuple[float, float]] = {}
    for part in filter(None, (p.strip() for p in text.split(","))):
        model, _, pair = part.partition("=")
        prompt, _, completion = pair.partition("/")
        prices[model.strip()] = (float(prompt), float(completion or prompt))
    return prices


BUILTIN_PROVIDERS = ("none", "openai", "gemini")
ENDPOINT_NAME = re.compile(r"[a-z][a-z0-9_-]{0,19}")  # fits llm_usage.provider (20 characters)


def endpoint_key_variable(name: str) -> str:
    """The environment variable holding a named endpoint's API key: `local-gpu` → ECOMINTEL_LLM_KEY_LOCAL_GPU."""
    return "ECOMINTEL_LLM_KEY_" + name.upper().replace("-", "_")


def parse_endpoints(text: str, env: Mapping[str, str]) -> dict[str, tuple[str, str]]:
    """`name=base_url,…` → {name: (base_url, key)}. The key of each comes from its own variable, so the
    install's OpenAI key is never sent to a server it was not meant for. A malformed entry stops the start
    (ValueError) rather than being skipped silently."""
    endpoints: dict[str, tuple[str, str]] = {}
    for part in filter(None, (p.strip() for p in text.split(","))):
        name, sep, url = (x.strip() for x in part.partition("="))
        name = name.lower()
        if not sep or not ENDPOINT_NAME.fullmatch(name) or name in BUILTIN_PROVIDERS:
            raise ValueError(f"ECOMINTEL_LLM_ENDPOINTS: {part[:60]!r} is not name=base_url with a name of "
                             "lowercase letters, digits, - or _ (at most 20, not none/openai/gemini).")
        if not re.fullmatch(r"https?://[^\s,]+", url):
            raise ValueError(f"ECOMINTEL_LLM_ENDPOINTS: the URL of {name!r} must start with http:// or https://.")
        endpoints[name] = (url, env.get(endpoint_key_variable(name), ""))
    return endpoints


def provider_choices(settings: Settings) -> list[str]:
    """The providers that can work on this install: `none`, `openai` when its key or base URL is set,
    `gemini` with its key, and every named endpoint. What a tenant's admin may choose from."""
    out = ["none"]
    if settings.openai_api_key or settings.llm_base_url:
        out.append("openai")
    if settings.gemini_api_key:
        out.append("gemini")
    return out + [n for n in settings.llm_endpoints if n not in out]


def _resolve_provider(env: Mapping[str, str]) -> str:
    explicit = env.get("ECOMINTEL_LLM_PROVIDER", "").strip().lower()
    if explicit:
        return explicit
    if env.get("OPENAI_API_KEY") or env.get("ECOMINTEL_LLM_BASE_URL"):
        return "openai"
    if env.get("GEMINI_API_KEY"):
        return "gemini"
    return "none"


def load_settings(env: Mapping[str, str] | None = None) -> Settings:
    """Read every setting from `env` (os.environ by default), falling back to the table's defaults."""
    env = os.environ if env is None else env
    defaults = {s.name: s.default for s in SETTINGS}

    def get(name: str) -> str:
        value = env.get(name)
        return defaults[name] if value is None or value == "" else value

    return Settings(
        database_url=get("ECOMINTEL_DATABASE_URL"),
        redis_url=get("ECOMINTEL_REDIS_URL"),
        demo_mode=get("ECOMINTEL_DEMO_MODE").lower() in {"1", "true", "yes", "on"},
        max_upload_mb=int(get("ECOMINTEL_MAX_UPLOAD_MB")),
        ingest_chunk_rows=int(get("ECOMINTEL_INGEST_CHUNK_ROWS")),
        llm_provider=_resolve_provider(env),
        llm_model=get("ECOMINTEL_LLM_MODEL"),
        llm_base_url=get("ECOMINTEL_LLM_BASE_URL"),
        llm_timeout_s=float(get("ECOMINTEL_LLM_TIMEOUT_S")),
        llm_monthly_budget_usd=float(get("ECOMINTEL_LLM_MONTHLY_BUDGET_USD")),
        llm_prices=parse_prices(get("ECOMINTEL_LLM_PRICES")),
        llm_endpoints=parse_endpoints(get("ECOMINTEL_LLM_ENDPOINTS"), env),
        openai_api_key=get("OPENAI_API_KEY"),
        gemini_api_key=get("GEMINI_API_KEY"),
        cache_ttl_s=int(get("ECOMINTEL_CACHE_TTL_S")),
        cache_max_entries=int(get("ECOMINTEL_CACHE_MAX_ENTRIES")),
        quick_timeout_s=float(get("ECOMINTEL_QUICK_TIMEOUT_S")),
        deep_timeout_s=float(get("ECOMINTEL_DEEP_TIMEOUT_S")),
        max_concurrent_agents=int(get("ECOMINTEL_MAX_CONCURRENT_AGENTS")),
        max_top_n=min(100, max(1, int(get("ECOMINTEL_MAX_TOP_N")))),
        rq_queue=get("ECOMINTEL_RQ_QUEUE"),
        log_level=get("ECOMINTEL_LOG_LEVEL"),
        metrics_port=int(get("ECOMINTEL_METRICS_PORT")),
        worker_metrics_port=int(get("ECOMINTEL_WORKER_METRICS_PORT")),
        tracing=get("ECOMINTEL_TRACING").strip().lower(),
        otlp_endpoint=get("ECOMINTEL_OTLP_ENDPOINT"),
        sync_user_agent=get("ECOMINTEL_SYNC_USER_AGENT"),
        sync_timeout_s=float(get("ECOMINTEL_SYNC_TIMEOUT_S")),
        sync_retries=max(0, int(get("ECOMINTEL_SYNC_RETRIES"))),
        sync_host_rps=float(get("ECOMINTEL_SYNC_HOST_RPS")),
        retention_purge_at=get("ECOMINTEL_RETENTION_PURGE_AT").strip(),
        secrets_dir=get("ECOMINTEL_SECRETS_DIR"),
        data_dir=get("ECOMINTEL_DATA_DIR"),
        auth_cookie_key=get("ECOMINTEL_AUTH_COOKIE_KEY"),
        session_hours=float(get("ECOMINTEL_SESSION_HOURS")),
        login_max_attempts=max(1, int(get("ECOMINTEL_LOGIN_MAX_ATTEMPTS"))),
        login_lockout_minutes=float(get("ECOMINTEL_LOGIN_LOCKOUT_MINUTES")),
        invite_hours=float(get("ECOMINTEL_INVITE_HOURS")),
        default_price_change_pct=float(get("ECOMINTEL_DEFAULT_PRICE_CHANGE_PCT")),
        default_forecast_horizon_days=int(get("ECOMINTEL_DEFAULT_FORECAST_HORIZON_DAYS")),
        default_service_level=float(get("ECOMINTEL_DEFAULT_SERVICE_LEVEL")),
        price_min_margin=min(0.95, max(0.0, float(get("ECOMINTEL_PRICE_MIN_MARGIN")))),
        price_max_step=min(1.0, max(0.0, float(get("ECOMINTEL_PRICE_MAX_STEP")))),
        price_gap_threshold=max(0.0, float(get("ECOMINTEL_PRICE_GAP_THRESHOLD"))),
        sentiment_transformers_model=get("ECOMINTEL_SENTIMENT_TRANSFORMERS_MODEL").strip(),
    )


def settings_markdown() -> str:
    """The README's configuration table, generated from `SETTINGS`."""
    lines = ["| Variable | Default | What it does |", "|---|---|---|"]
    for s in SETTINGS:
        default = f"`{s.default}`" if s.default else "(unset)"
        lines.append(f"| `{s.name}` | {default} | {s.help} |")
    return "\n".join(lines)


def sqlite_path(url: str) -> Path | None:
    """The file behind a `sqlite:///` URL (so its folder can be created), or None for other databases."""
    prefix = "sqlite:///"
    if url.startswith(prefix) and url != "sqlite:///:memory:":
        return Path(url[len(prefix):])
    return None
