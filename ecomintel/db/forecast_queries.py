"""Demand series and stored forecasts: units sold per day (per SKU or for a filter), stock levels, and the
forecast runs of ecomintel/forecasting (migration 0013).

Why here: every read and write of tenant data goes through the repository; the forecasting package only
sees frames. Units sold = the quantity of sale lines (sales_lines.py: not returns, stock adjustments or
corrections), grouped per day in SQL, so pandas gets one row per (SKU, day) with sales, not the lines.
A stored run is *current* when its data_version equals the tenant's; an upload bumps the data_version, so
the runs fitted before it are stale without anything being deleted (the page and the agent say so).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa

from ecomintel.db import models as m
from ecomintel.db.sales_lines import SalesFilter, SalesLines, sale_line
from ecomintel.db.scoped import as_date

if TYPE_CHECKING:
    import pandas as pd

KEEP_RUNS = 3  # runs kept per scope (older ones are deleted when a new one is saved)


class ForecastQueries(SalesLines):
    """Daily demand aggregates and the forecast store, tenant-scoped."""

    def daily_units(self, flt: SalesFilter) -> pd.DataFrame:
        """Units and revenue of sale lines per day under `flt`: columns day (date), units, revenue; days without
        sales are absent."""
        s = m.sales
        day = self._dimension("day").label("day")
        stmt = self._where(self.scoped(s, day, sa.func.sum(s.c.quantity).label("units"),
                                       sa.func.sum(s.c.revenue).label("revenue")).where(sale_line()), flt)
        frame = self.frame(stmt.group_by(day).order_by(day))
        frame["day"] = [as_date(v) for v in frame["day"]]
        return frame.astype({"units": float, "revenue": float})

    def daily_units_by_sku(self, flt: SalesFilter, skus: Sequence[str] | None = None) -> pd.DataFrame:
        """Units and revenue of sale lines per (sku, day): columns sku, day (date), units, revenue."""
        s = m.sales
        day = self._dimension("day").label("day")
        stmt = self._where(self.scoped(s, s.c.sku.label("sku"), day, sa.func.sum(s.c.quantity).label("units"),
                                       sa.func.sum(s.c.revenue).label("revenue")).where(sale_line()), flt)
        if skus is not None:
            stmt = stmt.where(s.c.sku.in_(list(skus)))
        frame = self.frame(stmt.group_by(s.c.sku, day))
        frame["day"] = [as_date(v) for v in frame["day"]]
        return frame.astype({"sku": str, "units": float, "revenue": float})

    def sku_history_days(self, flt: SalesFilter) -> pd.DataFrame:
        """Per SKU: first and last sale day and the number of days with sales (columns sku, first_day,
        last_day, days, units)."""
        s = m.sales
        day = self._dimension("day")
        stmt = self._where(self.scoped(s, s.c.sku.label("sku"), sa.func.min(day).label("first_day"),
                                       sa.func.max(day).label("last_day"),
                                       sa.func.count(sa.distinct(day)).label("days"),
                                       sa.func.sum(s.c.quantity).label("units")).where(sale_line()), flt)
        frame = self.frame(stmt.group_by(s.c.sku))
        for col in ("first_day", "last_day"):
            frame[col] = [as_date(v) for v in frame[col]]
        return frame

    def stock_levels(self, skus: Sequence[str] | None = None) -> pd.DataFrame:
        """Products with a stock level: columns sku, name, category, inventory_level, lead_time_days (one row
        per SKU: the highest stock level when several marketplaces list it)."""
        p = m.products
        stmt = self.scoped(p, p.c.sku, sa.func.max(p.c.name).label("name"),
                           sa.func.max(p.c.category).label("category"),
                           sa.func.max(p.c.inventory_level).label("inventory_level"),
                           sa.func.max(p.c.lead_time_days).label("lead_time_days")
                           ).where(p.c.inventory_level.is_not(None))
        if skus is not None:
            stmt = stmt.where(p.c.sku.in_(list(skus)))
        return self.frame(stmt.group_by(p.c.sku).order_by(p.c.sku))

    def category_skus(self, categories: Sequence[str]) -> list[str]:
        p = m.products
        stmt = self.scoped(p, p.c.sku).where(sa.or_(*[p.c.category.ilike(f"%{c.strip()}%") for c in categories]))
        with self.engine.connect() as conn:
            return sorted({str(r[0]) for r in conn.execute(stmt.distinct())})

    # -- the forecast store ------------------------------------------------------------------------------
    def save_forecast_run(self, run: Mapping[str, Any], series: Sequence[Mapping[str, Any]],
                          values: pd.DataFrame) -> int:
        """Store a run (scope, data_version, horizon_days, cutoff, …), its per-series choices and its values
        (columns series, ds, yhat, mean, lo80, hi80, lo95, hi95, is_open); keeps the newest KEEP_RUNS per scope."""
        self.require_write()
        t = m.forecast_runs
        with self.engine.begin() as conn:
            run_id = int(conn.execute(sa.insert(t).values(**dict(run), tenant_id=self.tenant_id))
                         .inserted_primary_key[0])  # type: ignore[index]
            if series:
                conn.execute(sa.insert(m.forecast_series),
                             [{**dict(r), "tenant_id": self.tenant_id, "run_id": run_id} for r in series])
            if len(values):
                cols = ["series", "ds", "yhat", "mean", "lo80", "hi80", "lo95", "hi95", "is_open"]
                records: list[dict[str, Any]] = [{str(k): v for k, v in r.items()} for r in values[cols].to_dict("records")]
                for r in records:
                    r["tenant_id"], r["run_id"] = self.tenant_id, run_id
                    r["is_open"] = bool(r["is_open"])
                    r["ds"] = r["ds"] if isinstance(r["ds"], date) else as_date(r["ds"])
                    for k in ("yhat", "mean", "lo80", "hi80", "lo95", "hi95"):
                        r[k] = float(r[k])
                for i in range(0, len(records), 5000):
                    conn.execute(sa.insert(m.forecast_values), records[i:i + 5000])
            old = conn.execute(self.scoped(t, t.c.id).where(t.c.scope == run["scope"])
                               .order_by(t.c.id.desc()).offset(KEEP_RUNS)).scalars().all()
            if old:
                for table in (m.forecast_values, m.forecast_series):
                    conn.execute(sa.delete(table).where(table.c.tenant_id == self.tenant_id,
                                                        table.c.run_id.in_(old)))
                conn.execute(sa.delete(t).where(t.c.tenant_id == self.tenant_id, t.c.id.in_(old)))
        return run_id

    def latest_forecast_run(self, scope: str, horizon_days: int | None = None) -> dict[str, Any] | None:
        """The newest run of `scope` (at least `horizon_days` long when given), current or stale; the dict has
        `stale` = its data_version differs from the tenant's."""
        t = m.forecast_runs
        stmt = self.scoped(t).where(t.c.scope == scope)
        if horizon_days is not None:
            stmt = stmt.where(t.c.horizon_days >= horizon_days)
        with self.engine.connect() as conn:
            row = conn.execute(stmt.order_by(t.c.id.desc()).limit(1)).first()
        if row is None:
            return None
        out = dict(row._mapping)
        out["cutoff"] = as_date(out["cutoff"])
        out["stale"] = int(out["data_version"]) != self.data_version()
        return out

    def forecast_values(self, run_id: int, series: Sequence[str] | None = None) -> pd.DataFrame:
        t = m.forecast_values
        stmt = self.scoped(t, t.c.series, t.c.ds, t.c.yhat, t.c.mean, t.c.lo80, t.c.hi80, t.c.lo95, t.c.hi95,
                           t.c.is_open).where(t.c.run_id == run_id)
        if series is not None:
            stmt = stmt.where(t.c.series.in_(list(series)))
        frame = self.frame(stmt.order_by(t.c.series, t.c.ds))
        frame["ds"] = [as_date(v) for v in frame["ds"]]
        return frame

    def forecast_choices(self, run_id: int, series: Sequence[str] | None = None) -> pd.DataFrame:
        t = m.forecast_series
        stmt = self.scoped(t, t.c.series, t.c.model, t.c.weights, t.c.backtest_mae, t.c.backtest_mase,
                           t.c.baseline_mae).where(t.c.run_id == run_id)
        if series is not None:
            stmt = stmt.where(t.c.series.in_(list(series)))
        return self.frame(stmt.order_by(t.c.series))
