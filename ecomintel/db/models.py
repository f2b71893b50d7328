"""Table definitions (SQLAlchemy Core). Every tenant table carries an indexed `tenant_id`.

Why Core tables rather than ORM classes: ecomintel reads aggregates (GROUP BY in the database) and
writes in bulk (COPY / executemany); neither benefits from identity maps, and Core keeps the SQL visible.
Lineage: every stored data row carries the `batch_id` of the ingestion (or sync) that wrote it.
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlalchemy.dialects.postgresql  # (registers sa.dialects.postgresql for JSONB below)

metadata = sa.MetaData(
    naming_convention={
        "ix": "ix_%(table_name)s_%(column_0_N_name)s",
        "uq": "uq_%(table_name)s_%(column_0_N_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
        "ck": "ck_%(table_name)s_%(constraint_name)s",
    }
)

JSONType = sa.JSON().with_variant(sa.dialects.postgresql.JSONB(), "postgresql")
Money = sa.Float  # double precision: aggregates of 500k lines stay exact to the cent in practice
TS = sa.DateTime(timezone=False)


def _now() -> sa.sql.functions.current_timestamp:
    return sa.func.current_timestamp()


def _tenant_fk() -> sa.Column[int]:
    return sa.Column("tenant_id", sa.Integer, sa.ForeignKey("tenants.id", ondelete="CASCADE"),
                     nullable=False, index=True)


def _batch_fk() -> sa.Column[int]:
    return sa.Column("batch_id", sa.Integer, sa.ForeignKey("ingestion_batches.id", ondelete="SET NULL"),
                     nullable=True, index=True)


tenants = sa.Table(
    "tenants", metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("slug", sa.String(64), nullable=False, unique=True),
    sa.Column("name", sa.String(200), nullable=False),
    sa.Column("data_version", sa.Integer, nullable=False, server_default="0"),
    sa.Column("created_at", TS, nullable=False, server_default=_now()),
)

users = sa.Table(
    "users", metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    _tenant_fk(),
    sa.Column("username", sa.String(100), nullable=False),
    sa.Column("name", sa.String(200), nullable=False, server_default=""),
    sa.Column("email", sa.String(200), nullable=True),
    sa.Column("password_hash", sa.String(200), nullable=False),
    sa.Column("role", sa.String(20), nullable=False, server_default="analyst"),
    sa.Column("created_at", TS, nullable=False, server_default=_now()),
    # migration 0011 (issue 12): lockout and sessions are decided from these (ecomintel/accounts/)
    sa.Column("disabled", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.Column("failed_logins", sa.Integer, nullable=False, server_default="0"),
    sa.Column("locked_until", TS, nullable=True),
    sa.Column("sessions_valid_after", TS, nullable=True),  # a sign-in cookie issued before it is refused
    sa.Column("password_changed_at", TS, nullable=True),
    sa.Column("last_login_at", TS, nullable=True),
    sa.UniqueConstraint("username"),
)

invitations = sa.Table(
    # One-time invitation codes an admin creates (issue 12, migration 0011); only the code's SHA-256 is kept.
    "invitations", metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    _tenant_fk(),
    sa.Column("code_hash", sa.String(64), nullable=False, unique=True),
    sa.Column("role", sa.String(20), nullable=False),
    sa.Column("note", sa.String(200), nullable=True),
    sa.Column("created_by", sa.Integer, nullable=True),
    sa.Column("created_at", TS, nullable=False, server_default=_now()),
    sa.Column("expires_at", TS, nullable=False),
    sa.Column("used_at", TS, nullable=True),
    sa.Column("used_by", sa.Integer, nullable=True),
)

ingestion_batches = sa.Table(
    "ingestion_batches", metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    _tenant_fk(),
    sa.Column("user_id", sa.Integer, nullable=True),
    sa.Column("created_at", TS, nullable=False, server_default=_now()),
    sa.Column("finished_at", TS, nullable=True),
    sa.Column("source", sa.String(40), nullable=False, server_default="upload"),  # upload | cli | sync | sample
    sa.Column("file_name", sa.String(300), nullable=False),
    sa.Column("sha256", sa.String(64), nullable=False),
    sa.Column("kind", sa.String(20), nullable=False),  # sales | products | reviews
    sa.Column("mapping", JSONType, nullable=True),
    sa.Column("rows_total", sa.Integer, nullable=False, server_default="0"),
    sa.Column("rows_accepted", sa.Integer, nullable=False, server_default="0"),
    sa.Column("rows_rejected", sa.Integer, nullable=False, server_default="0"),
    sa.Column("rows_duplicate", sa.Integer, nullable=False, server_default="0"),
    sa.Column("rows_returns", sa.Integer, nullable=False, server_default="0"),
    sa.Column("status", sa.String(20), nullable=False, server_default="running"),  # running|done|failed|skipped
    sa.Column("message", sa.Text, nullable=True),
    sa.Column("profile", JSONType, nullable=True),
    sa.Column("elapsed_ms", sa.Integer, nullable=True),
    sa.Index("ix_ingestion_batches_tenant_sha", "tenant_id", "sha256"),
    # migration 0014: the batch number people see and type, 1, 2, 3 … per tenant (ecomintel/db/tenant_numbers.py)
    sa.Column("number", sa.Integer, nullable=True),
    sa.Index("uq_ingestion_batches_tenant_id_number", "tenant_id", "number", unique=True),
)

rejected_rows = sa.Table(
    "rejected_rows", metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    _tenant_fk(),
    sa.Column("batch_id", sa.Integer, sa.ForeignKey("ingestion_batches.id", ondelete="CASCADE"),
              nullable=False, index=True),
    sa.Column("row_number", sa.Integer, nullable=False),  # 1-based data row number in the file (header = 0)
    sa.Column("raw", JSONType, nullable=False),
    sa.Column("reasons", sa.Text, nullable=False),
)

products = sa.Table(
    "products", metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    _tenant_fk(),
    sa.Column("sku", sa.String(100), nullable=False),
    sa.Column("name", sa.Text, nullable=True),
    sa.Column("brand", sa.String(200), nullable=True),
    sa.Column("category", sa.String(500), nullable=True),
    sa.Column("marketplace", sa.String(100), nullable=False, server_default=""),
    sa.Column("price", Money, nullable=True),
    sa.Column("list_price", Money, nullable=True),
    sa.Column("cost", Money, nullable=True),
    sa.Column("currency", sa.String(3), nullable=True),
    sa.Column("inventory_level", sa.Integer, nullable=True),
    sa.Column("lead_time_days", sa.Integer, nullable=True),
    sa.Column("rating", sa.Float, nullable=True),
    sa.Column("rating_count", sa.Integer, nullable=True),
    sa.Column("attributes", JSONType, nullable=True),
    sa.Column("updated_at", TS, nullable=True),
    _batch_fk(),
    sa.UniqueConstraint("tenant_id", "marketplace", "sku"),
)

listings = sa.Table(
    "listings", metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    _tenant_fk(),
    sa.Column("sku", sa.String(100), nullable=False),
    sa.Column("marketplace", sa.String(100), nullable=False),
    sa.Column("seller", sa.String(200), nullable=True),
    sa.Column("is_own", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.Column("url", sa.Text, nullable=True),
    sa.Column("price", Money, nullable=True),
    sa.Column("currency", sa.String(3), nullable=True),
    sa.Column("observed_at", TS, nullable=True),
    _batch_fk(),
    # migration 0009: what the listings upload kind fills; one row per marketplace+seller+sku (latest wins)
    sa.Column("title", sa.Text, nullable=True),
    sa.Column("brand", sa.String(200), nullable=True),
    sa.Column("category", sa.String(500), nullable=True),
    sa.Column("list_price", Money, nullable=True),
    sa.Index("ix_listings_tenant_sku", "tenant_id", "sku"),
    sa.Index("uq_listings_tenant_id_marketplace_seller_sku", "tenant_id", "marketplace", "seller", "sku", unique=True),
)

price_history = sa.Table(
    "price_history", metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    _tenant_fk(),
    sa.Column("sku", sa.String(100), nullable=False),
    sa.Column("marketplace", sa.String(100), nullable=False, server_default=""),
    sa.Column("seller", sa.String(200), nullable=True),
    sa.Column("price", Money, nullable=False),
    sa.Column("currency", sa.String(3), nullable=True),
    sa.Column("observed_at", TS, nullable=False),
    _batch_fk(),
    # migration 0009: uploads dedup observations by obs_key (hash); the price tracker's rows leave it NULL
    sa.Column("list_price", Money, nullable=True),
    sa.Column("obs_key", sa.String(32), nullable=True),
    sa.Index("ix_price_history_tenant_sku_time", "tenant_id", "sku", "observed_at"),
    sa.Index("uq_price_history_tenant_id_obs_key", "tenant_id", "obs_key", unique=True),
)

price_matches = sa.Table(
    # Pairs between our SKUs and competitor listings (marketplace, seller, sku) found by ecomintel/matching,
    # per tenant (issue 8, migration 0009). `decision` (confirmed | rejected | NULL) is the analyst's and
    # always wins: a re-run of the matcher updates score/method/relation but never the decision.
    "price_matches", metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("tenant_id", sa.Integer, sa.ForeignKey("tenants.id", ondelete="CASCADE"), nullable=False),
    sa.Column("our_sku", sa.String(100), nullable=False),
    sa.Column("marketplace", sa.String(100), nullable=False),
    sa.Column("seller", sa.String(200), nullable=False, server_default=""),
    sa.Column("sku", sa.String(100), nullable=False),
    sa.Column("score", sa.Float, nullable=True),
    sa.Column("method", sa.String(40), nullable=True),
    sa.Column("relation", sa.String(20), nullable=False, server_default="same"),  # same | related
    sa.Column("decision", sa.String(20), nullable=True),  # confirmed | rejected | NULL (undecided)
    sa.Column("decided_by", sa.Integer, nullable=True),
    sa.Column("decided_at", TS, nullable=True),
    sa.Column("matched_at", TS, nullable=False, server_default=_now()),
    sa.Index("uq_price_matches_tenant_id_our_sku_marketplace_seller_sku", "tenant_id", "our_sku", "marketplace",
             "seller", "sku", unique=True),
)

reviews = sa.Table(
    "reviews", metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    _tenant_fk(),
    sa.Column("review_key", sa.String(64), nullable=False),  # external id, or a content hash when absent
    sa.Column("sku", sa.String(100), nullable=True),
    sa.Column("product_name", sa.Text, nullable=True),
    sa.Column("category", sa.String(500), nullable=True),
    sa.Column("rating", sa.Float, nullable=True),
    sa.Column("title", sa.Text, nullable=True),
    sa.Column("text", sa.Text, nullable=True),
    sa.Column("author", sa.String(200), nullable=True),
    sa.Column("created_at", TS, nullable=True),
    sa.Column("verified", sa.Boolean, nullable=True),
    sa.Column("helpful_count", sa.Integer, nullable=True),
    sa.Column("is_spam", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.Column("spam_reasons", sa.Text, nullable=True),
    sa.Column("attributes", JSONType, nullable=True),
    _batch_fk(),
    sa.UniqueConstraint("tenant_id", "review_key"),
)

review_scores = sa.Table(
    # Each review's sentiment under one model version (issue 9, migration 0008), scored once and read by SQL
    # aggregates; review_batch_id = the review's batch when scored (a re-uploaded review is scored again).
    "review_scores", metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("tenant_id", sa.Integer, sa.ForeignKey("tenants.id", ondelete="CASCADE"), nullable=False),
    sa.Column("review_id", sa.Integer, sa.ForeignKey("reviews.id", ondelete="CASCADE"), nullable=False,
              index=True),
    sa.Column("review_batch_id", sa.Integer, nullable=True),
    sa.Column("model_version", sa.String(100), nullable=False),
    sa.Column("label", sa.String(10), nullable=False),  # positive | neutral | negative
    sa.Column("score", sa.Float, nullable=False),  # -1..1
    sa.Column("reason", sa.String(200), nullable=True),
    sa.Column("data_version", sa.Integer, nullable=False),
    sa.Column("scored_at", TS, nullable=False, server_default=_now()),
    sa.Index("uq_review_scores_tenant_id_model_version_review_id", "tenant_id", "model_version", "review_id",
             unique=True),
)

sales = sa.Table(
    "sales", metadata,
    sa.Column("id", sa.BigInteger().with_variant(sa.Integer, "sqlite"), primary_key=True),
    # No foreign keys (migration 0003): sales is the bulk-loaded fact table. Tenant scoping is the
    # Repository's job; whatever deletes a tenant must delete its sales explicitly. The tenant_id index
    # gives SQLite rowid-ordered scans of a tenant (migration 0004); batch_id has no index (no query uses it).
    sa.Column("tenant_id", sa.Integer, nullable=False, index=True),
    # dedup key: 64-bit hash of the identifying fields, 16 hex chars; bytewise collation on PostgreSQL (0005)
    sa.Column("line_key", sa.String(32).with_variant(sa.String(32, collation="C"), "postgresql"), nullable=False),
    sa.Column("order_id", sa.String(64), nullable=False),
    sa.Column("sku", sa.String(100), nullable=False),
    sa.Column("product_name", sa.Text, nullable=True),
    sa.Column("quantity", sa.Float, nullable=False),
    sa.Column("unit_price", Money, nullable=False),
    sa.Column("revenue", Money, nullable=False),  # quantity × unit_price; negative for returns
    sa.Column("currency", sa.String(3), nullable=True),
    sa.Column("customer_id", sa.String(64), nullable=True),
    sa.Column("country", sa.String(100), nullable=True),
    sa.Column("channel", sa.String(100), nullable=True),
    sa.Column("marketplace", sa.String(100), nullable=True),
    sa.Column("sold_at", TS, nullable=False),
    sa.Column("is_return", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.Column("batch_id", sa.Integer, nullable=True),  # lineage: the ingestion batch that stored the line
    # a unique INDEX rather than a constraint, so a first large load can rebuild it once (bulk_load.py)
    sa.Index("uq_sales_tenant_id_line_key", "tenant_id", "line_key", unique=True),
    # covering indexes for aggregations (migration 0002): aggregates read only the index
    sa.Index("ix_sales_cover_sold_at", "tenant_id", "sold_at", "is_return", "quantity", "revenue", "sku", "country",
             "order_id", "customer_id", "batch_id"),
    sa.Index("ix_sales_cover_sku", "tenant_id", "sku", "sold_at", "is_return", "quantity", "revenue", "order_id",
             "customer_id", "country", "batch_id"),
)

# The sales lines grouped by order, timestamp and the fields an order-level question filters or splits on, with
# each group's lines of one class (migration 0010; built by ecomintel/db/sales_rollup.py per data_version).
sales_rollup = sa.Table(
    "sales_rollup", metadata,
    sa.Column("tenant_id", sa.Integer, sa.ForeignKey("tenants.id", ondelete="CASCADE"), nullable=False),
    sa.Column("order_id", sa.String(64), nullable=False),
    sa.Column("sold_at", TS, nullable=False),
    sa.Column("country", sa.String(100), nullable=True),
    sa.Column("channel", sa.String(100), nullable=True),
    sa.Column("marketplace", sa.String(100), nullable=True),
    sa.Column("customer_id", sa.String(64), nullable=True),
    sa.Column("batch_id", sa.Integer, nullable=True),
    sa.Column("is_return", sa.Boolean, nullable=False),
    sa.Column("quantity", sa.Float, nullable=False),
    sa.Column("revenue", Money, nullable=False),
    sa.Column("line_count", sa.Integer, nullable=False),
    sa.Index("ix_sales_rollup_tenant_sold_at", "tenant_id", "sold_at"),
)

sales_rollup_state = sa.Table(
    "sales_rollup_state", metadata,
    sa.Column("tenant_id", sa.Integer, sa.ForeignKey("tenants.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("data_version", sa.Integer, nullable=False),
)

reports = sa.Table(
    "reports", metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    _tenant_fk(),
    sa.Column("user_id", sa.Integer, nullable=True),
    sa.Column("question", sa.Text, nullable=False),
    sa.Column("mode", sa.String(10), nullable=False, server_default="quick"),
    sa.Column("intent", sa.String(60), nullable=True),
    sa.Column("plan", JSONType, nullable=True),
    sa.Column("report", JSONType, nullable=True),
    sa.Column("confidence", sa.Float, nullable=True),
    sa.Column("data_version", sa.Integer, nullable=False, server_default="0"),
    sa.Column("elapsed_ms", sa.Integer, nullable=True),
    sa.Column("created_at", TS, nullable=False, server_default=_now()),
    sa.Column("number", sa.Integer, nullable=True),  # migration 0014: "report #3" of this tenant (tenant_numbers.py)
    sa.Index("uq_reports_tenant_id_number", "tenant_id", "number", unique=True),
)

preferences = sa.Table(
    "preferences", metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    _tenant_fk(),
    sa.Column("user_id", sa.Integer, nullable=True),
    sa.Column("key", sa.String(100), nullable=False),
    sa.Column("value", JSONType, nullable=True),
    sa.Column("updated_at", TS, nullable=False, server_default=_now()),
    sa.UniqueConstraint("tenant_id", "user_id", "key"),
)

audit_log = sa.Table(
    "audit_log", metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    _tenant_fk(),
    sa.Column("user_id", sa.Integer, nullable=True),
    sa.Column("action", sa.String(60), nullable=False),
    sa.Column("detail", JSONType, nullable=True),
    sa.Column("request_id", sa.String(32), nullable=True),
    sa.Column("created_at", TS, nullable=False, server_default=_now()),
)

llm_usage = sa.Table(
    "llm_usage", metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    _tenant_fk(),
    sa.Column("provider", sa.String(20), nullable=False),
    sa.Column("model", sa.String(100), nullable=False),
    sa.Column("purpose", sa.String(40), nullable=False),  # plan | summary
    sa.Column("prompt_tokens", sa.Integer, nullable=False, server_default="0"),
    sa.Column("completion_tokens", sa.Integer, nullable=False, server_default="0"),
    sa.Column("cost_usd", sa.Float, nullable=False, server_default="0"),
    sa.Column("ok", sa.Boolean, nullable=False, server_default=sa.true()),
    sa.Column("created_at", TS, nullable=False, server_default=_now()),
)

cache_entries = sa.Table(
    # Derived data keyed by (tenant, data_version, key): cached answers when Redis is not configured (key =
    # "<namespace>:ask:v1:<plan digest>", see ecomintel.cache) and the planner vocabulary. The value is the JSON
    # text as produced (Text, not JSON: the same bytes come back, in the same key order). Migration 0006.
    "cache_entries", metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("tenant_id", sa.Integer, sa.ForeignKey("tenants.id", ondelete="CASCADE"), nullable=False),
    sa.Column("data_version", sa.Integer, nullable=False),
    sa.Column("key", sa.String(255), nullable=False),
    sa.Column("value", sa.Text, nullable=False),
    sa.Column("created_at", TS, nullable=False, server_default=_now()),
    sa.Column("expires_at", TS, nullable=False),
    # lookups, upserts (ON CONFLICT target) and the per-tenant cleanup all start with tenant_id
    sa.Index("uq_cache_entries_tenant_id_data_version_key", "tenant_id", "data_version", "key", unique=True),
)

sync_sources = sa.Table(
    # A configured sync (issue 13, migration 0007): connector name, non-secret options, where its secret lives
    # (`env:NAME` / `file:NAME`, never the secret itself) and a schedule (cron expression or `every 6h`).
    "sync_sources", metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    _tenant_fk(),
    sa.Column("name", sa.String(100), nullable=False),
    sa.Column("connector", sa.String(40), nullable=False),  # http_feed | shopify | price_tracker
    sa.Column("options", JSONType, nullable=True),
    sa.Column("secret_ref", sa.String(200), nullable=True),
    sa.Column("schedule", sa.String(100), nullable=True),
    sa.Column("enabled", sa.Boolean, nullable=False, server_default=sa.true()),
    sa.Column("created_at", TS, nullable=False, server_default=_now()),
    sa.Column("updated_at", TS, nullable=False, server_default=_now()),
    sa.UniqueConstraint("tenant_id", "name"),
)

sync_runs = sa.Table(
    # One execution of a sync source: what the Data Quality page lists (ecomintel/db/sync_store.py).
    "sync_runs", metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("tenant_id", sa.Integer, sa.ForeignKey("tenants.id", ondelete="CASCADE"), nullable=False),
    sa.Column("source_id", sa.Integer, sa.ForeignKey("sync_sources.id", ondelete="SET NULL"), nullable=True),
    sa.Column("source_name", sa.String(100), nullable=False),
    sa.Column("connector", sa.String(40), nullable=False),
    sa.Column("trigger", sa.String(20), nullable=False, server_default="manual"),  # manual | schedule
    sa.Column("status", sa.String(20), nullable=False, server_default="running"),  # running|ok|partial|failed
    sa.Column("started_at", TS, nullable=False, server_default=_now()),
    sa.Column("finished_at", TS, nullable=True),
    sa.Column("rows", sa.Integer, nullable=False, server_default="0"),
    sa.Column("pages_ok", sa.Integer, nullable=False, server_default="0"),
    sa.Column("pages_failed", sa.Integer, nullable=False, server_default="0"),
    sa.Column("errors", JSONType, nullable=True),  # [{"item": url or page, "reason": text}]
    sa.Column("batch_ids", JSONType, nullable=True),
    sa.Column("message", sa.Text, nullable=True),
    sa.Index("ix_sync_runs_tenant_id_started_at", "tenant_id", "started_at"),
    sa.Column("number", sa.Integer, nullable=True),  # migration 0014: "run 3" of this tenant (tenant_numbers.py)
    sa.Index("uq_sync_runs_tenant_id_number", "tenant_id", "number", unique=True),
)

sync_page_state = sa.Table(
    # What the price tracker remembers per URL between runs: validators for conditional requests, last price.
    "sync_page_state", metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("tenant_id", sa.Integer, sa.ForeignKey("tenants.id", ondelete="CASCADE"), nullable=False),
    sa.Column("url", sa.Text, nullable=False),
    sa.Column("url_hash", sa.String(64), nullable=False),
    sa.Column("etag", sa.String(300), nullable=True),
    sa.Column("last_modified", sa.String(100), nullable=True),
    sa.Column("price", sa.Float, nullable=True),
    sa.Column("currency", sa.String(3), nullable=True),
    sa.Column("availability", sa.String(40), nullable=True),
    sa.Column("checked_at", TS, nullable=True),
    sa.Index("uq_sync_page_state_tenant_id_url_hash", "tenant_id", "url_hash", unique=True),
)

model_versions = sa.Table(
    # The model registry (issue 9, migration 0012; ecomintel/db/model_store.py, ecomintel/models/registry.py):
    # tenant_id NULL = an install-wide model (sentiment), set = a tenant's own version (forecast backtests).
    # Not in TENANT_TABLES because of the install-wide rows; RLS covers it (it has tenant_id).
    "model_versions", metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("tenant_id", sa.Integer, sa.ForeignKey("tenants.id", ondelete="CASCADE"), nullable=True),
    sa.Column("kind", sa.String(40), nullable=False),
    sa.Column("name", sa.String(100), nullable=False),
    sa.Column("version", sa.String(100), nullable=False, unique=True),
    sa.Column("params", JSONType, nullable=True),
    sa.Column("data_fingerprint", sa.String(64), nullable=True),
    sa.Column("metrics", JSONType, nullable=True),
    sa.Column("artifact", sa.String(500), nullable=True),  # relative to the data directory
    sa.Column("active", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.Column("note", sa.String(300), nullable=True),
    sa.Column("created_at", TS, nullable=False, server_default=_now()),
    sa.Index("ix_model_versions_kind_tenant_id", "kind", "tenant_id"),
    sa.Index("uq_model_versions_one_active", "kind", sa.text("coalesce(tenant_id, 0)"), unique=True,
             sqlite_where=sa.text("active"), postgresql_where=sa.text("active")),
)

forecast_runs = sa.Table(
    # Stored demand forecasts (issue 10, migration 0013; ecomintel/db/forecast_store.py): one run per fit of a
    # scope ("catalogue", "sku:85123A", "total", …) on one data_version (a newer data_version = stale run).
    "forecast_runs", metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("tenant_id", sa.Integer, sa.ForeignKey("tenants.id", ondelete="CASCADE"), nullable=False),
    sa.Column("scope", sa.String(200), nullable=False),
    sa.Column("data_version", sa.Integer, nullable=False),
    sa.Column("grain", sa.String(10), nullable=False, server_default="day"),
    sa.Column("horizon_days", sa.Integer, nullable=False),
    sa.Column("cutoff", sa.Date, nullable=False),
    sa.Column("series_count", sa.Integer, nullable=False, server_default="0"),
    sa.Column("candidates", JSONType, nullable=True),
    sa.Column("metrics", JSONType, nullable=True),
    sa.Column("calendar", sa.String(300), nullable=True),
    sa.Column("model_version", sa.String(100), nullable=True),  # the registry version of the backtest
    sa.Column("elapsed_ms", sa.Integer, nullable=True),
    sa.Column("created_at", TS, nullable=False, server_default=_now()),
    sa.Index("ix_forecast_runs_tenant_id_scope", "tenant_id", "scope", "id"),
)

forecast_series = sa.Table(
    # Per series of a run: the backtest's choice (model label, weights) and errors (choice and baselines).
    "forecast_series", metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("tenant_id", sa.Integer, sa.ForeignKey("tenants.id", ondelete="CASCADE"), nullable=False),
    sa.Column("run_id", sa.Integer, sa.ForeignKey("forecast_runs.id", ondelete="CASCADE"), nullable=False),
    sa.Column("series", sa.String(200), nullable=False),
    sa.Column("model", sa.String(300), nullable=False),
    sa.Column("weights", JSONType, nullable=True),
    sa.Column("backtest_mae", sa.Float, nullable=True),
    sa.Column("backtest_mase", sa.Float, nullable=True),
    sa.Column("baseline_mae", JSONType, nullable=True),
    sa.Index("ix_forecast_series_run_id_series", "run_id", "series"),
)

forecast_values = sa.Table(
    # One row per series and day of the horizon: point (median-like), mean, 80%/95% intervals, open day.
    "forecast_values", metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("tenant_id", sa.Integer, sa.ForeignKey("tenants.id", ondelete="CASCADE"), nullable=False),
    sa.Column("run_id", sa.Integer, sa.ForeignKey("forecast_runs.id", ondelete="CASCADE"), nullable=False),
    sa.Column("series", sa.String(200), nullable=False),
    sa.Column("ds", sa.Date, nullable=False),
    sa.Column("yhat", sa.Float, nullable=False),
    sa.Column("mean", sa.Float, nullable=False),
    sa.Column("lo80", sa.Float, nullable=False),
    sa.Column("hi80", sa.Float, nullable=False),
    sa.Column("lo95", sa.Float, nullable=False),
    sa.Column("hi95", sa.Float, nullable=False),
    sa.Column("is_open", sa.Boolean, nullable=False, server_default=sa.true()),
    sa.Index("ix_forecast_values_run_id_series_ds", "run_id", "series", "ds"),
)

TENANT_TABLES = (users, invitations, ingestion_batches, rejected_rows, products, listings, price_history, reviews,
                 sales, reports, preferences, audit_log, llm_usage, cache_entries, sync_sources, sync_runs,
                 sync_page_state, review_scores, price_matches, forecast_runs, forecast_series,
                 forecast_values)
