"""A short profile of what an ingest loaded (date range, products, totals), built chunk by chunk.

Why incremental: the profile of a 541,909-line file must not need the whole file in memory; distinct
counts keep small sets (thousands of SKUs / orders), everything else is running sums and extremes.
"""

from __future__ import annotations

from typing import Any

import pandas as pd


class Profiler:
    """`add(valid_rows)` per chunk, then `result()` → a JSON-able dict for the batch and the result panel."""

    def __init__(self, kind: str) -> None:
        self.kind = kind
        self.sets: dict[str, set[Any]] = {}
        self.sums: dict[str, float] = {}
        self.mins: dict[str, Any] = {}
        self.maxs: dict[str, Any] = {}
        self.counts: dict[str, int] = {}

    def _distinct(self, name: str, values: pd.Series) -> None:
        found = self.sets.setdefault(name, set())
        if values.dtype == "str" and hasattr(values.array, "__arrow_array__"):  # Arrow's unique: one C++ pass
            import pyarrow as pa
            import pyarrow.compute as pc

            found.update(v for v in pc.unique(pa.array(values.array).drop_null()).to_pylist() if v is not None)
            return
        found.update(values.dropna().unique().tolist())

    def _sum(self, name: str, value: float) -> None:
        self.sums[name] = self.sums.get(name, 0.0) + float(value)

    def _count(self, name: str, value: int) -> None:
        self.counts[name] = self.counts.get(name, 0) + int(value)

    def _range(self, name: str, values: pd.Series) -> None:
        values = values.dropna()
        if values.empty:
            return
        lo, hi = values.min(), values.max()
        self.mins[name] = lo if name not in self.mins else min(self.mins[name], lo)
        self.maxs[name] = hi if name not in self.maxs else max(self.maxs[name], hi)

    def add(self, rows: pd.DataFrame) -> None:
        if rows.empty:
            return
        if self.kind == "sales":
            ret = rows["is_return"].to_numpy(dtype=bool)
            self._range("date", rows["sold_at"])
            self._distinct("products", rows["sku"])
            self._distinct("orders", rows.loc[~ret, "order_id"])
            self._distinct("customers", rows.loc[~ret, "customer_id"])
            self._distinct("countries", rows["country"])
            self._distinct("currencies", rows["currency"])
            self._sum("revenue_net", rows["revenue"].sum())
            self._sum("revenue_gross", rows.loc[~ret, "revenue"].sum())
            self._sum("units_net", rows["quantity"].sum())
            self._count("return_lines", int(ret.sum()))
        elif self.kind == "products":
            self._distinct("products", rows["sku"])
            self._distinct("marketplaces", rows["marketplace"])
            self._distinct("brands", rows["brand"])
            self._distinct("categories", rows["category"])
            self._distinct("currencies", rows["currency"])
            self._range("price", rows["price"])
            self._count("with_price", int(rows["price"].notna().sum()))
        elif self.kind == "listings":
            self._distinct("products", rows["sku"])
            self._distinct("marketplaces", rows["marketplace"])
            self._distinct("sellers", rows["seller"])
            self._distinct("currencies", rows["currency"])
            self._range("date", rows["observed_at"])
            self._range("price", rows["price"])
            self._count("with_list_price", int(rows["list_price"].notna().sum()))
        else:
            self._distinct("products", rows["sku"])
            self._range("date", rows["created_at"])
            self._range("rating", rows["rating"])
            self._sum("rating_sum", rows["rating"].sum())
            self._count("rated", int(rows["rating"].notna().sum()))
            self._count("flagged_spam", int(rows["is_spam"].sum()))
            for star in range(1, 6):
                self._count(f"stars_{star}", int(rows["rating"].round().eq(star).sum()))

    def result(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for name in ("date", "price", "rating"):
            if name in self.mins:
                lo, hi = self.mins[name], self.maxs[name]
                out[f"{name}_min"] = lo.isoformat(sep=" ") if isinstance(lo, pd.Timestamp) else float(lo)
                out[f"{name}_max"] = hi.isoformat(sep=" ") if isinstance(hi, pd.Timestamp) else float(hi)
        for name, values in self.sets.items():
            if name in ("marketplaces", "currencies"):
                out[name] = sorted(str(v) for v in values if v not in (None, ""))
            else:
                out[f"distinct_{name}"] = len(values)
        for name, value in self.sums.items():
            if name != "rating_sum":
                out[name] = round(value, 2)
        out.update(self.counts)
        if self.kind == "reviews":
            rated = self.counts.get("rated", 0)
            out["rating_mean"] = round(self.sums.get("rating_sum", 0.0) / rated, 3) if rated else None
        return out
