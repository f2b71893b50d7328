"""Forecast benchmark (issue 10): daily unit series of the top StockCodes of UCI Online Retail, the last 28
days held out, horizon 28; our default portfolio against Prophet (default settings, clipped at 0), AutoETS
and seasonal naive (season 7), all measured in the same run.

Series: units per day of sale lines (cancellations and non-positive quantities excluded) for the top N
StockCodes by units over the whole file, each from its first sale to the cut-off; a StockCode with no sale
before the cut-off is replaced by the next one. Every baseline sees the calendar-day series (Saturdays as
zeros, like a user would hand it over); ours learns the trading calendar from the shop's sales before the
cut-off. Metrics per series: sMAPE, MAE, MASE (scale: the in-sample seasonal naive error, season 7 days, on
the calendar-day history), mean and median over series; the total (sum over series per day); 80%/95%
interval coverage of the held-out days; wall time per model. A second cut-off (28 days earlier) checks that
the result holds for another window; other cut-offs with --cutoffs.

    .venv/bin/python bench/forecast.py                       # 200 series, two cut-offs, all models
    .venv/bin/python bench/forecast.py --series 20 --no-prophet   # a quick dev run
Writes bench/results/forecast.json (dev runs with --out). Needs ../shared/datasets (absent: says so, exits 0).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
DATA = ROOT.parent / "shared" / "datasets" / "uci-online-retail" / "online-retail.csv.gz"
RESULTS = ROOT / "bench" / "results" / "forecast.json"
REFERENCE = {"prophet": {"seconds": 7.5, "mase_mean": 1.55, "mase_median": 0.885},
             "auto_ets": {"seconds": 8.7, "mase_mean": 1.61, "mase_median": 0.834}}


def load_lines() -> Any:
    import pandas as pd

    df = pd.read_csv(DATA, dtype={"StockCode": str, "InvoiceNo": str},
                     usecols=["InvoiceNo", "StockCode", "Quantity", "InvoiceDate", "UnitPrice", "Country"])
    df = df[~df["InvoiceNo"].str.startswith("C") & (df["Quantity"] > 0)].copy()
    df["ds"] = pd.to_datetime(df["InvoiceDate"]).dt.normalize()
    df["revenue"] = df["Quantity"] * df["UnitPrice"]
    return df


def build_panel(lines: Any, cutoff: Any, n_series: int, horizon: int) -> tuple[Any, Any]:
    """(history panel up to the cut-off, held-out actuals) for the top `n_series` StockCodes."""
    import pandas as pd

    ranking = lines.groupby("StockCode")["Quantity"].sum().sort_values(ascending=False).index
    before = set(lines.loc[lines["ds"] <= cutoff, "StockCode"].unique())
    codes = [c for c in ranking if c in before][:n_series]
    sub = lines[lines["StockCode"].isin(codes)]
    daily = sub.groupby(["StockCode", "ds"]).agg(y=("Quantity", "sum"), rev=("revenue", "sum")).reset_index()
    end = cutoff + pd.Timedelta(days=horizon)
    frames = []
    for code, g in daily.groupby("StockCode"):
        start = g.loc[g["ds"] <= cutoff, "ds"].min()
        idx = pd.date_range(start, end, freq="D")
        s = g.set_index("ds").reindex(idx)
        frames.append(pd.DataFrame({"unique_id": code, "ds": idx, "y": s["y"].fillna(0.0).to_numpy(),
                                    "price": (s["rev"] / s["y"]).to_numpy()}))
    panel = pd.concat(frames, ignore_index=True)
    return panel[panel["ds"] <= cutoff].reset_index(drop=True), panel[panel["ds"] > cutoff].reset_index(drop=True)


def baseline(name: str, history: Any, horizon: int) -> Any:
    """Baselines on the calendar-day series as handed over: Prophet (default, clipped), AutoETS, seasonal naive."""
    import pandas as pd

    from ecomintel.forecasting.local_models import run_statsforecast
    from ecomintel.forecasting.prophet_model import prophet_point

    cutoff = history["ds"].max()
    future = list(pd.date_range(cutoff + pd.Timedelta(days=1), periods=horizon, freq="D"))
    if name == "prophet":
        rows = []
        for uid, g in history.groupby("unique_id", sort=False):
            rows += [(uid, d, v) for d, v in zip(future, prophet_point(g, pd.DatetimeIndex(future)), strict=True)]
        return pd.DataFrame(rows, columns=["unique_id", "ds", "yhat"])
    from statsforecast.models import AutoETS, SeasonalNaive

    model = AutoETS(season_length=7, alias="m") if name == "auto_ets" else SeasonalNaive(season_length=7, alias="m")
    out = run_statsforecast(history, future, [model], threads=2)
    return out.rename(columns={"m": "yhat"})[["unique_id", "ds", "yhat"]].assign(yhat=lambda f: f["yhat"].clip(lower=0))


def score(pred: Any, history: Any, actual: Any) -> dict[str, Any]:
    import numpy as np

    from ecomintel.forecasting.metrics import coverage, mae, mase_scale, smape

    merged = actual.merge(pred, on=["unique_id", "ds"], how="left").fillna({"yhat": 0.0})
    scales = history.groupby("unique_id")["y"].apply(lambda y: mase_scale(y.to_numpy(), 7))
    per = []
    for uid, g in merged.groupby("unique_id"):
        m = mae(g["y"], g["yhat"])
        per.append((smape(g["y"], g["yhat"]), m, m / scales.get(uid, np.nan)))
    arr = np.array(per, dtype=float)
    mase_vals = arr[:, 2][~np.isnan(arr[:, 2])]
    merged["sum_of"] = merged["mean"] if "mean" in merged else merged["yhat"]
    tot = merged.groupby("ds")[["y", "sum_of"]].sum().rename(columns={"sum_of": "yhat"})
    tot_hist = history.groupby("ds")["y"].sum()
    out: dict[str, Any] = {
        "series": len(per), "smape_mean": float(np.nanmean(arr[:, 0])), "mae_mean": float(np.nanmean(arr[:, 1])),
        "mase_mean": float(mase_vals.mean()), "mase_median": float(np.median(mase_vals)),
        "total": {"smape": smape(tot["y"], tot["yhat"]), "mae": mae(tot["y"], tot["yhat"]),
                  "mase": mae(tot["y"], tot["yhat"]) / mase_scale(tot_hist.to_numpy(), 7),
                  "bias_pct": float(100 * (tot["yhat"].sum() - tot["y"].sum()) / max(tot["y"].sum(), 1e-9))},
    }
    for lvl in (80, 95):
        if f"lo{lvl}" in merged:
            out[f"coverage{lvl}"] = coverage(merged["y"], merged[f"lo{lvl}"], merged[f"hi{lvl}"])
            opened = merged["open"] if "open" in merged else merged["y"] >= 0
            out[f"coverage{lvl}_trading_days"] = coverage(merged.loc[opened, "y"], merged.loc[opened, f"lo{lvl}"],
                                                          merged.loc[opened, f"hi{lvl}"])
    return out


def run_cutoff(lines: Any, cutoff: Any, args: argparse.Namespace) -> dict[str, Any]:
    from ecomintel.forecasting.calendar import learn_calendar
    from ecomintel.forecasting.portfolio import DEFAULT_CANDIDATES, forecast_panel

    history, actual = build_panel(lines, cutoff, args.series, args.horizon)
    shop = lines[lines["ds"] <= cutoff].groupby("ds")["Quantity"].sum()
    shop = shop.reindex(__import__("pandas").date_range(shop.index.min(), cutoff), fill_value=0)
    result: dict[str, Any] = {"cutoff": str(cutoff.date()), "series": int(history["unique_id"].nunique()),
                              "held_out": f"{(cutoff + __import__('pandas').Timedelta(days=1)).date()}.."
                                          f"{actual['ds'].max().date()}", "models": {}}
    t0 = time.perf_counter()
    calendar = learn_calendar(shop, "United Kingdom")
    candidates = tuple(args.candidates.split(",")) if args.candidates else DEFAULT_CANDIDATES
    fc = forecast_panel(history, calendar, horizon=args.horizon, candidates=candidates, windows=args.windows,
                        top_k=args.top_k, threads=2)
    seconds = time.perf_counter() - t0
    default = score(fc.forecast, history, actual)
    default.update(seconds=round(seconds, 2), calendar=calendar.describe(), candidates=list(candidates),
                   timings={k: round(v, 2) for k, v in fc.timings.items()},
                   chosen=fc.choice["model"].map(lambda s: s.split(" ")[0] if not s.startswith("ensemble") else "ensemble")
                   .value_counts().to_dict())
    result["models"]["default"] = default
    print(f"  default    {seconds:6.1f} s  MASE mean {default['mase_mean']:.3f} median {default['mase_median']:.3f}"
          f"  sMAPE {default['smape_mean']:.1f}  cov80 {default.get('coverage80', 0):.3f}"
          f" cov95 {default.get('coverage95', 0):.3f}  total sMAPE {default['total']['smape']:.1f}", flush=True)
    names = [n for n in ("prophet", "auto_ets", "seasonal_naive") if not (n == "prophet" and args.no_prophet)]
    for name in names:
        t0 = time.perf_counter()
        pred = baseline(name, history, args.horizon)
        seconds = time.perf_counter() - t0
        res = score(pred, history, actual)
        res["seconds"] = round(seconds, 2)
        result["models"][name] = res
        print(f"  {name:10s} {seconds:6.1f} s  MASE mean {res['mase_mean']:.3f} median {res['mase_median']:.3f}"
              f"  sMAPE {res['smape_mean']:.1f}  total sMAPE {res['total']['smape']:.1f}", flush=True)
    return result


def run_catalogue(max_seconds: float = 900.0) -> dict[str, Any]:
    """The whole-catalogue fit as a background job (the in-process runner) on the full file loaded into a fresh
    SQLite tenant through the ingest pipeline: every SKU with 30+ days of history, progress as the job reports
    it, wall time of the job alone (the ingest is timed apart)."""
    import tempfile

    from ecomintel.config import load_settings
    from ecomintel.context import RequestContext
    from ecomintel.db.engine import make_engine, migrate
    from ecomintel.db.repository import Repository
    from ecomintel.db.tenants import ensure_tenant
    from ecomintel.forecasting.tasks import run_forecast_job
    from ecomintel.ingest.pipeline import ingest_file
    from ecomintel.jobs import LocalRunner

    folder = Path(tempfile.mkdtemp(prefix="forecast-bench-"))
    url = f"sqlite:///{folder / 'bench.db'}"
    os.environ.update({"ECOMINTEL_DATABASE_URL": url, "ECOMINTEL_DATA_DIR": str(folder)})
    os.environ.pop("ECOMINTEL_REDIS_URL", None)
    engine = make_engine(url)
    migrate(engine)
    tenant = ensure_tenant(engine, "bench")
    repo = Repository(engine, RequestContext(tenant_id=tenant.id, role="admin"))
    t0 = time.perf_counter()
    ingest_file(repo, "sales", DATA, settings=load_settings({}), defaults={"currency": "GBP"})
    ingest_s = time.perf_counter() - t0
    runner = LocalRunner(retry_intervals_s=(0,))
    t0 = time.perf_counter()
    job_id = runner.submit(run_forecast_job, tenant_id=tenant.id)
    seen: list[tuple[float, float, str]] = []
    while True:
        status = runner.status(job_id)
        if not seen or seen[-1][2] != status.message:
            seen.append((round(time.perf_counter() - t0, 1), round(status.progress, 3), status.message))
            print(f"    {seen[-1][0]:7.1f} s  {100 * status.progress:5.1f}%  {status.message}", flush=True)
        if status.done or time.perf_counter() - t0 > max_seconds:
            break
        time.sleep(0.5)
    seconds = time.perf_counter() - t0
    runner.shutdown()
    engine.dispose()
    result = status.result or {}
    return {"state": status.state, "error": status.error, "seconds": round(seconds, 1),
            "ingest_seconds": round(ingest_s, 1), "series": result.get("series"),
            "metrics": result.get("metrics"), "timings": result.get("timings"), "progress": seen[-40:],
            "target_seconds": 300, "met": status.state == "finished" and seconds <= 300}


def targets(first: dict[str, Any]) -> dict[str, Any]:
    m = first["models"]
    d = m["default"]
    out: dict[str, Any] = {"coverage80_in_75_85": 0.75 <= d.get("coverage80", 0) <= 0.85}
    if "prophet" in m:
        out["mase_mean_10pct_below_prophet"] = d["mase_mean"] <= 0.9 * m["prophet"]["mase_mean"]
        out["wall_time_le_2x_prophet"] = d["seconds"] <= 2 * m["prophet"]["seconds"]
        out["mase_median_below_prophet_and_ets"] = d["mase_median"] < min(m["prophet"]["mase_median"],
                                                                         m["auto_ets"]["mase_median"])
    return out


def main() -> int:
    import pandas as pd

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--series", type=int, default=200)
    ap.add_argument("--horizon", type=int, default=28)
    ap.add_argument("--cutoffs", default="", help="comma-separated cut-off dates (default: last day − 28 and − 56)")
    ap.add_argument("--no-prophet", action="store_true")
    ap.add_argument("--candidates", default="")
    ap.add_argument("--windows", type=int, default=2)
    ap.add_argument("--top-k", type=int, default=2)
    ap.add_argument("--out", default=str(RESULTS))
    ap.add_argument("--catalogue", action="store_true", help="also time the whole-catalogue fit as a job")
    ap.add_argument("--catalogue-only", action="store_true", help="only the whole-catalogue job (merged into --out)")
    args = ap.parse_args()
    if not DATA.is_file():
        print(f"{DATA} not found (benchmarks need ../shared/datasets); nothing measured.")
        return 0
    if args.catalogue_only:
        print("whole-catalogue fit as a job (full file, in-process runner)", flush=True)
        cat = run_catalogue()
        out = Path(args.out)
        report = json.loads(out.read_text()) if out.is_file() else {"bench": "forecast"}
        report["catalogue_job"] = cat | {"load_avg": list(os.getloadavg())}
        report.setdefault("targets", {})["catalogue_job_le_5_min"] = cat["met"]
        out.write_text(json.dumps(report, indent=2, default=str) + "\n")
        print(f"catalogue job: {cat['state']} in {cat['seconds']} s, {cat['series']} SKUs; wrote {out}")
        return 0
    lines = load_lines()
    last = lines["ds"].max()
    cutoffs = ([pd.Timestamp(c) for c in args.cutoffs.split(",")] if args.cutoffs else
               [last - pd.Timedelta(days=args.horizon), last - pd.Timedelta(days=2 * args.horizon)])
    runs = []
    for cutoff in cutoffs:
        print(f"cut-off {cutoff.date()} ({args.series} series, horizon {args.horizon})", flush=True)
        runs.append(run_cutoff(lines, cutoff, args))
    report = {"bench": "forecast", "at": datetime.now(UTC).isoformat(timespec="seconds"),
              "machine": {"cpus": os.cpu_count(), "python": platform.python_version(),
                          "load_avg": list(os.getloadavg())},
              "reference_issue_10": REFERENCE, "runs": runs, "targets": targets(runs[0])}
    if args.catalogue:
        print("whole-catalogue fit as a job (full file, in-process runner)", flush=True)
        report["catalogue_job"] = run_catalogue()
        report["targets"]["catalogue_job_le_5_min"] = report["catalogue_job"]["met"]
    print("targets (first cut-off):", json.dumps(report["targets"]))
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(json.dumps(report, indent=2, default=str) + "\n")
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
