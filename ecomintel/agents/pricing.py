"""The pricing agent: price position against matched competitors, price changes (ours from the sales lines,
competitors' from price_history), promotions, own-price elasticity and margin-safe recommendations.

Why one agent with handlers per intent (like agents/customers.py): the intents share what they read
(agents/pricing_data.py: our prices, matched offers, the tenant's settings) and the computations are pure
functions in pricing_position / pricing_changes / pricing_elasticity / pricing_recommend, which the Pricing
page calls too. Data problems (no listings, no cost, too little price variation) become warnings, a
lower confidence or a withheld number with its reason — never an exception.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import pandas as pd
import plotly.graph_objects as go

from ecomintel.agents import pricing_changes as chg
from ecomintel.agents import pricing_position as pos
from ecomintel.agents.base import AgentResult, ChartSpec, EvidenceRef, Table
from ecomintel.agents.charts import MARGIN, figure_json
from ecomintel.agents.pricing_data import (
    PricingSettings,
    apply_filters,
    matched_offers,
    our_prices,
    pricing_settings,
)
from ecomintel.agents.pricing_elasticity import fit_all
from ecomintel.agents.pricing_recommend import recommend, weekly_units
from ecomintel.ask.plan import Plan
from ecomintel.context import RequestContext
from ecomintel.db.repository import Repository
from ecomintel.db.sales_lines import SalesFilter

MAX_ROWS = 200
PLAUSIBLE_RATIO = 3.0  # an unconfirmed "same product" offer at a third (or 3×) of our price is a doubtful match


def _r(value: Any, digits: int = 2) -> Any:
    if value is None or (isinstance(value, float) and value != value):
        return None
    if isinstance(value, (int, float)):
        return round(float(value), digits)
    return value


@dataclass
class PricingContext:
    repo: Repository
    plan: Plan
    settings: PricingSettings
    result: AgentResult
    data_start: date | None = None
    data_end: date | None = None
    confidence: float = 0.9
    data_version: int = 0
    _ours: pd.DataFrame | None = field(default=None, repr=False)
    _offers: pd.DataFrame | None = field(default=None, repr=False)

    def threshold(self) -> float:
        return float(self.plan.thresholds.get("gap_pct", self.plan.thresholds.get("change_pct",
                                                                                  self.settings.gap_threshold)))

    def side(self) -> str:
        value = self.plan.thresholds.get("side", 0.0)
        return "above" if value > 0 else "below" if value < 0 else "both"

    def ours_and_offers(self) -> tuple[pd.DataFrame, pd.DataFrame]:
        if self._ours is None or self._offers is None:
            ours = our_prices(self.repo, self.data_end, self.settings.min_lines)
            offers = matched_offers(self.repo, ours)
            ours, offers = apply_filters(self.plan, ours, offers)
            ratio = offers["price"].to_numpy(dtype=float) / offers["our_sku"].map(
                ours.drop_duplicates("sku").set_index("sku")["our_price"]).to_numpy(dtype=float)
            doubtful = ((ratio > PLAUSIBLE_RATIO) | (ratio < 1 / PLAUSIBLE_RATIO)) & \
                (offers["decision"].fillna("").to_numpy() != "confirmed")
            if doubtful.any():
                self.warn(f"{int(doubtful.sum()):,} matched offers priced over {PLAUSIBLE_RATIO:g}× away from ours "
                          "were left out as doubtful matches (confirm or reject them in the match review).")
                offers = offers[~doubtful]
            self._ours, self._offers = ours, offers
        return self._ours, self._offers

    def table(self, title: str, frame: pd.DataFrame, columns: list[str]) -> None:
        rows = [[_r(v) for v in row] for row in frame.loc[:, columns].head(MAX_ROWS).itertuples(index=False)]
        self.result.tables.append(Table(title, columns, rows))
        if len(frame) > MAX_ROWS:
            self.warn(f"{title}: showing {MAX_ROWS} of {len(frame):,} rows.")

    def warn(self, text: str) -> None:
        if text not in self.result.warnings:
            self.result.warnings.append(text)

    def evidence(self, source: str, rows: int, note: str = "") -> None:
        self.result.evidence.append(EvidenceRef(source=source, filters=self.plan.filters.model_dump(exclude_defaults=True),
                                                rows=rows, data_version=self.data_version, note=note))

    def sales_filter(self, start: date | None, end: date | None) -> SalesFilter:
        f = self.plan.filters
        return SalesFilter(start=start, end=end, skus=tuple(f.skus), exclude_skus=tuple(f.exclude_skus),
                           products=tuple(f.products), categories=tuple(f.categories),
                           countries=tuple(f.countries))


def price_position(cx: PricingContext) -> None:
    ours, offers = cx.ours_and_offers()
    table = pos.position(ours, offers)
    x, side = cx.threshold(), cx.side()
    cx.evidence("listings + price_matches", len(offers), "competitor offers matched to our products")
    if table.empty:
        cx.result.status = "partial"
        cx.confidence = 0.3
        cx.result.summary = ("None of our products has a matched competitor offer yet, so there is no price position. "
                             "Run the matcher on the Pricing page or upload listings with our SKU codes.")
        return
    flagged = pos.out_of_line(table, x, side)
    above, below = int((table["gap_pct"] > x).sum()), int((table["gap_pct"] < -x).sum())
    cx.result.metrics.update({"products_compared": float(len(table)), "above_market": float(above),
                              "below_market": float(below), "median_gap_pct": round(float(table["gap_pct"].median()), 2),
                              "threshold_pct": x})
    cols = ["sku", "name", "category", "our_price", "comp_min", "comp_median", "comp_max", "gap_pct", "rank",
            "offers", "cheapest_seller"]
    label = {"above": f"more than {x:g}% above", "below": f"more than {x:g}% below",
             "both": f"more than {x:g}% above or below"}[side]
    cx.table(f"Products priced {label} the competitor median", flagged, cols)
    cx.table("Price position of every compared product", table, cols)
    cats = pos.by_category(table, x)
    if len(cats) > 1:
        cx.table("Price position by category", cats, ["category", "products", "median_gap_pct", "above_pct",
                                                      "below_pct"])
    top = table.reindex(table["gap_pct"].abs().sort_values(ascending=False).index).head(25).sort_values("gap_pct")
    fig = go.Figure([
        go.Scatter(x=top["sku"].astype(str), y=top["comp_median"], mode="markers", name="competitor median",
                   error_y={"type": "data", "symmetric": False, "array": (top["comp_max"] - top["comp_median"]).tolist(),
                            "arrayminus": (top["comp_median"] - top["comp_min"]).tolist()}),
        go.Scatter(x=top["sku"].astype(str), y=top["our_price"], mode="markers", name="our price",
                   marker={"symbol": "diamond", "size": 10})])
    fig.update_layout(title="Our price vs the competitor range (min–median–max; the 25 largest gaps)", margin=MARGIN,
                      yaxis_title="price", xaxis_title="SKU")
    fig.update_xaxes(type="category")  # SKU codes are labels, not numbers
    cx.result.charts.append(ChartSpec("Our price vs the competitor range", figure_json(fig)))
    cx.result.summary = (f"{len(table):,} products compared with matched competitor offers: {above:,} are more than "
                         f"{x:g}% above the competitor median and {below:,} more than {x:g}% below; median gap "
                         f"{table['gap_pct'].median():+.1f}%.")


def price_changes(cx: PricingContext) -> None:
    x = float(cx.plan.thresholds.get("change_pct", cx.plan.thresholds.get("gap_pct", cx.settings.gap_threshold)))
    periods = cx.plan.periods
    names = cx.repo.vocabulary().catalogue
    found = 0
    start: date | None
    end: date | None
    if len(periods) == 2:
        a, b = sorted(periods, key=lambda p: p.start)
        mins = cx.settings.min_lines
        first = chg.typical_prices(cx.repo.our_price_counts("month", cx.sales_filter(a.start, a.end)), mins, False)
        second = chg.typical_prices(cx.repo.our_price_counts("month", cx.sales_filter(b.start, b.end)), mins, False)
        moved = chg.between_periods(first, second, threshold_pct=x)
        means = [chg.period_means(cx.repo.our_price_history("month", cx.sales_filter(p.start, p.end), 1), 1)
                 .set_index("sku")["price"] for p in (a, b)]
        moved.insert(1, "product", moved["sku"].map(names))
        moved["mean_before"], moved["mean_after"] = moved["sku"].map(means[0]), moved["sku"].map(means[1])
        moved["from"], moved["to"] = a.label or f"{a.start}..{a.end}", b.label or f"{b.start}..{b.end}"
        found = len(moved)
        cx.table(f"Our prices that changed by more than {x:g}%: {a.label or a.start} → {b.label or b.start}", moved,
                 ["sku", "product", "before", "after", "change_pct", "from", "to", "mean_before", "mean_after",
                  "lines_before", "lines_after"])
        compared = len(first.merge(second, on="sku"))
        cx.result.summary = (f"{found:,} of {compared:,} products sold in both periods changed their typical price "
                             f"(the unit price most lines were sold at) by more than {x:g}% between "
                             f"{a.label or a.start} and {b.label or b.start}.")
        cx.result.metrics.update({"products_compared": float(compared), "products_changed": float(found)})
        start, end = a.start, b.end
    else:
        p = periods[0] if periods else None
        start = p.start if p else cx.data_start
        end = p.end if p else cx.data_end
        grain = "day" if start and end and (end - start).days <= 14 else "week"
        levels = chg.typical_prices(cx.repo.our_price_counts(grain, cx.sales_filter(start, end)),
                                    cx.settings.min_lines)
        moved = chg.steps(levels, ["sku"], when="key", threshold_pct=x, sustained=True)
        moved.insert(1, "product", moved["sku"].map(names))
        found = len(moved)
        cx.table(f"Our price steps of more than {x:g}% ({grain} to {grain}), {start}..{end}", moved,
                 ["sku", "product", "from", "to", "before", "after", "change_pct"])
        cx.result.summary = (f"{moved['sku'].nunique() if found else 0:,} products changed their typical price (the "
                             f"unit price most lines were sold at) by more than {x:g}% from one {grain} to the next "
                             f"in {start}..{end} ({found:,} changes).")
        cx.result.metrics.update({"products_changed": float(moved["sku"].nunique() if found else 0),
                                  "changes": float(found)})
        cx.warn(f"A change counts when the next {grain} stays at the new price too, so a one-{grain} dip is not a "
                "repricing.")
        if found:
            fig = go.Figure([go.Scatter(x=moved["to"].astype(str), y=moved["change_pct"], mode="markers",
                                        text=moved["sku"], name="change %")])
            fig.update_layout(title="Price changes over time", margin=MARGIN, yaxis_title="change %")
            cx.result.charts.append(ChartSpec("Price changes over time", figure_json(fig)))
    cx.result.metrics["threshold_pct"] = x
    cx.evidence("sales (priced sale lines)", found, "typical price = the unit price most lines were sold at "
                "(the mean over lines is shown beside it: it also moves with the mix of quantity-tier prices); "
                "cancellations, returns and stock adjustments left out; fewer than "
                f"{cx.settings.min_lines} lines: left out")
    # no period asked: every observation, not only those inside the sales data's dates (a price tracked today
    # is newer than last night's orders feed; cutting at the last sale hid every tracked change)
    comp = cx.repo.competitor_price_history(start, end) if periods else cx.repo.competitor_price_history()
    about_competitors = cx.plan.thresholds.get("competitors", 0.0) > 0
    if comp.empty and about_competitors:
        every = cx.repo.competitor_price_history()
        if not every.empty:
            lo, hi = pd.Timestamp(every["observed_at"].min()).date(), pd.Timestamp(every["observed_at"].max()).date()
            cx.warn(f"No competitor prices were observed in {start}..{end}; the price history covers {lo}..{hi}, "
                    "so all of it was read.")
            comp, cx.confidence = every, min(cx.confidence, 0.7)
    if not comp.empty:
        steps = chg.steps(comp, ["marketplace", "seller", "sku"], when="observed_at", threshold_pct=x)
        table = Table(f"Competitor price changes of more than {x:g}%",
                      ["marketplace", "seller", "sku", "from", "to", "before", "after", "change_pct"],
                      [[_r(v) for v in row] for row in steps.loc[:, ["marketplace", "seller", "sku", "from", "to",
                                                                      "before", "after", "change_pct"]]
                       .astype({"from": str, "to": str}).head(MAX_ROWS).itertuples(index=False)])
        text = (f"Competitors: {len(steps):,} price changes of more than {x:g}% "
                f"({steps[['marketplace', 'seller', 'sku']].drop_duplicates().shape[0]:,} offers).")
        cx.result.metrics["competitor_changes"] = float(len(steps))
        if about_competitors:  # the question is about competitors: their changes are the answer
            cx.result.tables.insert(0, table)
            cx.result.summary = text + " Ours: " + cx.result.summary
        else:
            cx.result.tables.append(table)
            cx.result.summary += " " + text
    elif about_competitors:
        cx.warn("No competitor price history is stored yet (upload listings with observed_at, or track prices).")


def promotions(cx: PricingContext) -> None:
    ours = cx.repo.our_products().rename(columns={"name": "title"}).assign(source="ours")
    offers = cx.repo.competitor_listings().assign(source=lambda f: f["seller"].where(f["seller"] != "", f["marketplace"]))
    cols = ["sku", "title", "category", "source", "price", "list_price"]
    parts = [f.reindex(columns=cols) for f in (ours, offers) if not f.empty]
    items = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=cols)
    f = cx.plan.filters
    if f.categories:
        wanted = [c.lower() for c in f.categories]
        items = items[items["category"].fillna("").str.lower().map(lambda t: any(c in t for c in wanted))]
    if f.skus:
        items = items[items["sku"].isin(f.skus)]
    promos = pos.promotions(items)
    depth = pos.discount_depth(promos)
    cx.table("Items on promotion (list vs sale price, promo words)", promos,
             ["sku", "title", "source", "category", "price", "list_price", "discount_pct", "promo_words"])
    if not depth.empty:
        cx.table("Discount depth by category", depth, ["category", "items", "mean_discount_pct", "max_discount_pct"])
        fig = go.Figure([go.Bar(x=depth["category"].head(15), y=depth["mean_discount_pct"].head(15))])
        fig.update_layout(title="Mean discount by category", margin=MARGIN, yaxis_title="discount %")
        cx.result.charts.append(ChartSpec("Mean discount by category", figure_json(fig)))
    discounted = promos[promos["discount_pct"] > 0]
    cx.result.metrics.update({"items": float(len(items)), "on_promotion": float(len(promos)),
                              "mean_discount_pct": round(float(discounted["discount_pct"].mean()), 1)
                              if not discounted.empty else 0.0})
    with_list = int(pd.to_numeric(items["list_price"], errors="coerce").notna().sum())
    if with_list == 0:
        cx.warn("No list prices are loaded, so discounts cannot be measured; only promo words in titles are read.")
        cx.confidence = min(cx.confidence, 0.6)
    cx.result.summary = (f"{len(promos):,} of {len(items):,} items look promoted: {len(discounted):,} sell below their "
                         f"list price" + (f" (mean discount {discounted['discount_pct'].mean():.1f}%)"
                                          if not discounted.empty else "")
                         + f", {int((promos['promo_words'] != '').sum()):,} have promo words in the title.")
    cx.evidence("products + listings", len(items), "discount = 1 − price / list price")


def _elasticities(cx: PricingContext, skus: list[str] | None) -> pd.DataFrame:
    flt = cx.sales_filter(None, None)
    if skus is not None:
        flt = SalesFilter(skus=tuple(skus))
    daily = cx.repo.our_price_history("day", flt, 1)
    if skus is None and not daily.empty:  # the products with the most selling days
        busiest = daily.groupby("sku").size().sort_values(ascending=False).head(50).index
        daily = daily[daily["sku"].isin(busiest)]
    return fit_all(daily)


def elasticity(cx: PricingContext) -> None:
    skus = list(cx.plan.filters.skus) or None
    est = _elasticities(cx, skus)
    names = cx.repo.vocabulary().catalogue
    est.insert(1, "product", est["sku"].map(names))
    credible = est[est["credible"]]
    cx.table("Price elasticity (log-log, weekday controls, 95% interval)", est,
             ["sku", "product", "elasticity", "ci_low", "ci_high", "days", "credible", "reason"])
    cx.result.metrics.update({"products_estimated": float(len(est)), "credible": float(len(credible))})
    cx.evidence("sales (priced sale lines, by day)", int(est["days"].sum()) if not est.empty else 0,
                "log(units) = a + e·log(price) + weekday effects, over the days each product sold")
    if est.empty:
        cx.result.status = "partial"
        cx.result.summary = "No sales history to estimate price sensitivity from."
        cx.confidence = 0.2
        return
    if len(est) == 1:
        r = est.iloc[0]
        if r["credible"]:
            cx.result.summary = (f"{r['sku']} ({r['product']}): elasticity {r['elasticity']:.2f} (95% interval "
                                 f"{r['ci_low']:.2f} to {r['ci_high']:.2f}, {int(r['days'])} days): a 1% higher "
                                 f"price goes with about {abs(r['elasticity']):.1f}% fewer units.")
        else:
            cx.result.summary = f"{r['sku']} ({r['product']}): elasticity withheld — {r['reason']}."
            cx.confidence = 0.6
    else:
        cx.result.summary = (f"Elasticity estimated for {len(est):,} products; {len(credible):,} credible"
                             + (f" (median {credible['elasticity'].median():.2f})" if not credible.empty else "")
                             + "; the others are withheld with the reason.")
    cx.warn("Estimated over the days a product sold (days without sales are not observed); a price change that "
            "came with a promotion or a stock-out is read as price response.")


def price_recommendations(cx: PricingContext) -> None:
    ours, offers = cx.ours_and_offers()
    if ours.empty:
        cx.result.status = "partial"
        cx.result.summary = "No products with a price to recommend from (no catalogue prices and no priced sales)."
        cx.confidence = 0.2
        return
    table = pos.position(ours, offers).set_index("sku") if not offers.empty else pd.DataFrame()
    frame = ours.drop_duplicates("sku").set_index("sku")
    frame["current"] = frame["our_price"]
    frame["comp_median"] = table["comp_median"] if not table.empty else float("nan")
    frame = frame[frame["current"] > 0]
    sold = frame[frame["price_source"].astype(str).str.startswith("sales")].index.tolist() or None
    if cx.plan.filters.skus:
        sold = list(cx.plan.filters.skus)
    if cx.data_end is not None and (sold or len(frame) <= 200):
        est = _elasticities(cx, sold)
        credible = est[est["credible"]].set_index("sku")["elasticity"] if not est.empty else pd.Series(dtype=float)
        hist = cx.repo.our_price_history("week", cx.sales_filter(None, None), 1)
        units = weekly_units(hist)
    else:
        credible, units = pd.Series(dtype=float), pd.Series(dtype=float)
    frame["elasticity"] = credible.reindex(frame.index)
    frame["weekly_units"] = units.reindex(frame.index)
    frame["cost"] = pd.to_numeric(frame["cost"], errors="coerce")
    s = cx.settings
    if "min_margin_pct" in cx.plan.thresholds:  # "within a 20% margin": the question's floor for this answer
        s = dataclasses.replace(s, min_margin=min(max(cx.plan.thresholds["min_margin_pct"] / 100, 0.0), 0.95))
    rec = recommend(frame.reset_index()[["sku", "name", "current", "cost", "comp_median", "elasticity",
                                         "weekly_units"]],
                    min_margin=s.min_margin, max_step=s.max_step, gap_threshold=cx.threshold())
    moving = rec[(rec["suggested"].isna()) | ((rec["suggested"] - rec["current"]).abs() > 0.005)]
    if cx.plan.filters.skus or cx.plan.filters.products:  # products named in the question: show each of them
        moving = rec
    cols = ["sku", "name", "current", "suggested", "change_pct", "comp_median", "cost", "elasticity", "reason",
            "revenue_effect", "margin_effect", "confidence"]
    cx.table("Recommended prices (margin floor and max step applied)", moving.sort_values("confidence", ascending=False),
             cols)
    no_cost = int((~rec["floor_checked"]).sum())
    if no_cost:
        cx.warn(f"{no_cost:,} of {len(rec):,} products have no cost: their margin floor cannot be checked "
                "(upload products with a cost column).")
    cx.result.metrics.update({"products": float(len(rec)), "price_changes_suggested": float(len(moving)),
                              "floor_checked": float(len(rec) - no_cost),
                              "min_margin": s.min_margin, "max_step": s.max_step,
                              "blocked_by_floor": float((rec["bound"] == "blocked").sum())})
    cx.result.summary = (f"{len(moving):,} of {len(rec):,} products get a different suggested price (at most "
                         f"{s.max_step:.0%} per step, never below a {s.min_margin:.0%} margin where the cost is known"
                         + (f"; {no_cost:,} without cost: floor not checked" if no_cost else "") + ").")
    if len(rec) == 1:
        r = rec.iloc[0]
        price = "no price (withheld)" if pd.isna(r["suggested"]) else f"{r['suggested']:,.2f}"
        cx.result.summary = (f"{r['sku']}: current {r['current']:,.2f}, suggested {price} — {r['reason']}.")
    cx.confidence = min(cx.confidence, float(rec["confidence"].mean()) if not rec.empty else 0.3)
    cx.evidence("products + listings + sales", len(rec), "suggested = target clamped to ±max step and the floor "
                "cost / (1 − min margin)")


HANDLERS: dict[str, Callable[[PricingContext], None]] = {
    "price_position": price_position, "price_changes": price_changes, "promotions": promotions,
    "elasticity": elasticity, "price_recommendations": price_recommendations,
}


def run_pricing(repo: Repository, plan: Plan, name: str = "pricing") -> AgentResult:
    started = time.perf_counter()
    vocab = repo.vocabulary()
    cx = PricingContext(repo, plan, pricing_settings(repo), AgentResult(agent=name),
                        data_start=vocab.sales_start, data_end=vocab.sales_end, data_version=repo.data_version())
    handler = HANDLERS.get(plan.intent)
    if handler is None:
        cx.warn(f"Intent {plan.intent!r} is not a pricing analysis; showing the price position.")
        cx.confidence = 0.5
        handler = price_position
    handler(cx)
    cx.result.confidence = round(max(0.0, min(1.0, cx.confidence)), 3)
    cx.result.elapsed_ms = int((time.perf_counter() - started) * 1000)
    return cx.result


class PricingAgent:
    """Answers pricing questions: position vs competitors, changes, promotions, elasticity, recommendations."""

    name = "pricing"
    time_budget_s = 20.0  # at least this long even for quick answers (ask/executor.py)
    description = ("Pricing: our price vs matched competitor offers (min/median/max, gap %, rank), price changes "
                   "(ours from sales lines, competitors' from price history), promotions, elasticity with its "
                   "interval, and recommendations within the margin floor and max step.")

    def run(self, ctx: RequestContext, repo: Repository, plan: Plan) -> AgentResult:
        return run_pricing(repo, plan, self.name)
