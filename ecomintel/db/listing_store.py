"""Writing uploaded listings: every observation into price_history, the latest per marketplace+seller+sku into
listings; and the stored matches between our SKUs and competitor listings (price_matches).

Why two tables from one upload: price changes need every observation (price_history), while price position
needs one current price per competitor offer (listings). The latest observation wins by its `observed_at`,
not by upload order, so an older export uploaded after a newer one does not roll prices back.
Why decisions are kept apart from scores: the matcher may be re-run with a new threshold or model, and an
analyst's confirm/reject must survive that (`store_matches` never touches `decision`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from ecomintel.db import models as m
from ecomintel.db.scoped import RepositoryCore, utcnow
from ecomintel.errors import InputError

if TYPE_CHECKING:
    import pandas as pd

HISTORY_COLUMNS = ("sku", "marketplace", "seller", "price", "list_price", "currency", "observed_at", "obs_key",
                   "batch_id")
LISTING_COLUMNS = ("sku", "marketplace", "seller", "title", "brand", "category", "url", "price", "list_price",
                   "currency", "observed_at", "batch_id")
LISTING_KEY = ("marketplace", "seller", "sku")
DECISIONS = ("confirmed", "rejected")


class ListingStore(RepositoryCore):
    """Listings upload writes and the match table, through the tenant scope."""

    def _insert(self) -> Any:
        return postgresql.insert if self.dialect == "postgresql" else sqlite.insert

    def write_listing_rows(self, conn: sa.Connection, rows: pd.DataFrame) -> tuple[int, int, int]:
        """Store one chunk of prepared listing rows (distinct obs_key): returns (observations written,
        observations already stored, listings replaced by a newer observation)."""
        from ecomintel.db.bulk_load import BulkLoad

        assert isinstance(self, BulkLoad)  # the Repository's first base (not ours: one path through the MRO)
        self.require_write()
        if rows.empty:
            return 0, 0, 0
        written, existing = self.bulk_write(conn, m.price_history, rows.loc[:, list(HISTORY_COLUMNS)],
                                            keys=["obs_key"])
        latest = (rows.sort_values("observed_at", kind="stable")
                  .drop_duplicates(list(LISTING_KEY), keep="last").loc[:, list(LISTING_COLUMNS)])
        li = m.listings
        stored: set[tuple[str, str, str]] = set()
        skus = sorted(set(latest["sku"].tolist()))
        for start in range(0, len(skus), 500):
            part = skus[start:start + 500]
            stored |= {(r.marketplace, r.seller, r.sku) for r in conn.execute(
                self.scoped(li, li.c.marketplace, li.c.seller, li.c.sku).where(li.c.sku.in_(part)))}
        records: list[dict[str, Any]] = [{**{str(k): _plain(v) for k, v in rec.items()}, "tenant_id": self.tenant_id, "is_own": False}
                   for rec in latest.to_dict("records")]
        stmt = self._insert()(li)
        update = {c: stmt.excluded[c] for c in LISTING_COLUMNS if c not in LISTING_KEY}
        stmt = stmt.on_conflict_do_update(
            index_elements=["tenant_id", *LISTING_KEY], set_=update,
            where=sa.or_(li.c.observed_at.is_(None), li.c.observed_at <= stmt.excluded.observed_at))
        for start in range(0, len(records), 1000):
            conn.execute(stmt, records[start:start + 1000])
        replaced = sum(1 for r in records if (r["marketplace"], r["seller"], r["sku"]) in stored)
        return written, existing, replaced

    # -- matches --------------------------------------------------------------------------------------
    def store_matches(self, pairs: Iterable[Mapping[str, Any]], *, replace: bool = False) -> int:
        """Upsert matcher pairs {our_sku, marketplace, seller, sku, score, method, relation}; the analyst's
        decision of a stored pair is left as it is. `replace`: this is a whole new run, so undecided pairs it
        did not find again are dropped first (decided ones always stay). Returns the number of pairs written."""
        self.require_write()
        records = [{"tenant_id": self.tenant_id, "our_sku": str(p["our_sku"]), "marketplace": str(p["marketplace"]),
                    "seller": str(p.get("seller") or ""), "sku": str(p["sku"]),
                    "score": None if p.get("score") is None else float(p["score"]),
                    "method": p.get("method"), "relation": str(p.get("relation") or "same"),
                    "matched_at": utcnow()} for p in pairs]
        t = m.price_matches
        stmt = self._insert()(t)
        stmt = stmt.on_conflict_do_update(
            index_elements=["tenant_id", "our_sku", "marketplace", "seller", "sku"],
            set_={c: stmt.excluded[c] for c in ("score", "method", "relation", "matched_at")})
        with self.engine.begin() as conn:
            if replace:
                conn.execute(sa.delete(t).where(t.c.tenant_id == self.tenant_id, t.c.decision.is_(None)))
            for start in range(0, len(records), 1000):
                conn.execute(stmt, records[start:start + 1000])
        return len(records)

    def decide_match(self, match_id: int, decision: str | None) -> None:
        """The analyst's confirm / reject (None: undecided again) of one stored pair."""
        self.require_write()
        if decision is not None and decision not in DECISIONS:
            raise InputError(f"Unknown decision {decision!r}.", "Use confirmed or rejected.")
        t = m.price_matches
        with self.engine.begin() as conn:
            done = conn.execute(sa.update(t).where(t.c.tenant_id == self.tenant_id, t.c.id == match_id).values(
                decision=decision, decided_by=self.ctx.user_id,
                decided_at=None if decision is None else utcnow())).rowcount
        if not done:
            raise InputError(f"No match {match_id} in this workspace.")

    def matches(self) -> pd.DataFrame:
        """Every stored pair with its decision: id, our_sku, marketplace, seller, sku, score, method, relation,
        decision, decided_at."""
        t = m.price_matches
        return self.frame(self.scoped(t, t.c.id, t.c.our_sku, t.c.marketplace, t.c.seller, t.c.sku, t.c.score,
                                      t.c.method, t.c.relation, t.c.decision, t.c.decided_at)
                          .order_by(t.c.our_sku, t.c.marketplace, t.c.seller, t.c.sku))


def _plain(value: Any) -> Any:
    """pandas scalars → values the drivers take (NaN/NaT → None, Timestamp → datetime)."""
    import pandas as pd

    if value is None or value is pd.NaT:
        return None
    if isinstance(value, float) and value != value:
        return None
    if isinstance(value, pd.Timestamp):
        return value.to_pydatetime()
    if hasattr(value, "item"):
        return value.item()
    return value
