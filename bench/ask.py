"""Ask benchmark: accuracy, honesty and calibration of the offline planner, and latency of quick / cached /
CLI answers on the full 541,909-line UCI Online Retail tenant, on SQLite and PostgreSQL, against a pandas
baseline in the same run.

Usage (from the repository root):
    .venv/bin/python bench/ask.py [--db sqlite|postgres|both] [--limit N] [--only ID[,ID...]]
                                  [--category C[,C...]] [--reuse] [--repeat N] [--cli N]

What it does:
1. Loads the raw CSV with pandas and computes every question's expected answer with bench/answers.py
   (independent of ecomintel), timing each computation: that is the in-memory pandas baseline.
2. For each database: a fresh database + tenant, the full file loaded through
   `ecomintel.ingest.pipeline.ingest_file` (a database of its own, dropped afterwards; `--reuse` keeps a
   persistent bench load to save time).
3. In one warm process, for each question: `ask(question, mode="quick", llm=None, save=False)` with a
   fresh cache (uncached latency + correctness), then the same question again with the same cache
   (cached latency).
4. CLI wall time: `.venv/bin/ecomintel ask "<q>" --tenant bench-ask --json` as a subprocess on the same
   database for ~20 questions, each run twice (first run, then the same question again).
5. Grades each Report against docs/ask-contract.md (metrics for numbers, tables[0] for rankings,
   breakdowns, cohorts; status/metrics/tables for refusals; not_understood for filter words that match
   nothing), then reports accuracy per category, honest- and false-refusal rates, confidence calibration
   (mean confidence of right vs wrong answers, AUROC), latencies; writes bench/results/ask.json
   (ask_partial.json for --limit/--only/--category runs) and prints a summary with targets and PASS/FAIL.

If /work/shared/datasets is absent the bench says so and exits 0.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import re
import resource
import subprocess
import sys
import time
import traceback
import uuid
from collections.abc import Callable, Mapping
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
for p in (str(BENCH), str(ROOT)):
    if p not in sys.path:
        sys.path.insert(0, p)

import answers  # noqa: E402  (bench/answers.py: independent of ecomintel)

RESULTS = BENCH / "results"
QUESTIONS = BENCH / "questions.jsonl"
PG_ADMIN_URL = os.environ.get("ECOMINTEL_BENCH_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
PG_DB = "ecomintel_bench_ask"
SQLITE_FILE = ROOT / "var" / "bench" / "ask_sqlite.db"
CLI = ROOT / ".venv" / "bin" / "ecomintel"
TENANT = "bench-ask"
CLI_REDIS_URL = os.environ.get("ECOMINTEL_BENCH_REDIS_URL", "redis://127.0.0.1:6379")
_CURRENT_URL: dict[str, str] = {}  # db -> URL of the database run_db loaded (the CLI subprocesses open it)
TARGETS = {"accuracy_pct": 97.0, "honest_refusal_pct": 95.0, "auroc": 0.80, "quick_p50_ms": 300.0,
           "quick_p95_ms": 1000.0, "cached_p50_ms": 50.0, "cli_uncached_p95_s": 1.2, "cli_repeat_p95_s": 0.8}
REL_TOL, ABS_TOL = 0.005, 0.01
COHORT_ABS_TOL = 0.1  # percentage points: a cohort cell rounded to one decimal still matches
FIVE = answers.METRICS
CATEGORIES = ("legacy", "customers", "shares", "best_worst", "derived", "filters_periods", "returns_adjustments",
              "unmatched_filter", "unanswerable", "fresh", "forecast")
SYMPTOMS = {"wrong": "wrong number / wrong or missing answer", "refused": "refused an answerable question",
            "answered_unanswerable": "answered an unanswerable question",
            "ignored_filter": "ignored a filter word that matches nothing (answered without saying so)",
            "error": "error (ask raised)"}


# -- grading -----------------------------------------------------------------------------------------------
def close(got: Any, want: float | None, abs_tol: float = ABS_TOL) -> bool:
    """Within 0.5% relative or 0.01 absolute (the contract's tolerance)."""
    if want is None:
        return got is None
    if isinstance(got, bool):
        return False
    try:
        g = float(got)
    except (TypeError, ValueError):
        return False
    if math.isnan(g):
        return False
    return abs(g - want) <= max(abs_tol, REL_TOL * abs(want))


def fmt(v: Any) -> str:
    if isinstance(v, float):
        return f"{v:,.2f}"
    return str(v)


def norm_key(value: Any, group: str) -> str:
    """A group value as the expected answers spell it (tolerates harmless format variants)."""
    if value is None:
        return ""
    text = str(value).strip()
    if group == "hour":
        try:
            return str(int(float(text)))
        except ValueError:
            m = re.match(r"^(\d{1,2})(:00)?", text)
            return str(int(m.group(1))) if m else text
    if group == "weekday":
        return text.title()
    if group in ("month", "cohort") and re.match(r"^\d{4}-\d{2}(-\d{2})?", text):
        return text[:7]
    if group == "day":
        return text[:10]
    if group == "week":
        m = re.match(r"^(\d{4})-?W(\d{1,2})", text, re.I)
        if m:
            return f"{m.group(1)}-W{int(m.group(2)):02d}"
    if group == "quarter":
        m = re.match(r"^(\d{4})-?Q([1-4])$", text, re.I) or re.match(r"^Q([1-4])\s+(\d{4})$", text, re.I)
        if m:
            year, q = (m.group(1), m.group(2)) if len(m.group(1)) == 4 else (m.group(2), m.group(1))
            return f"{year}-Q{q}"
    if group == "customer":
        try:
            f = float(text)
            if f.is_integer():
                return str(int(f))
        except ValueError:
            pass
    return text


def table0(report: Mapping[str, Any]) -> tuple[list[str], list[list[Any]]] | None:
    tables = report.get("tables") or []
    if not tables:
        return None
    t = tables[0]
    columns = [str(c) for c in (t.get("columns") or [])]
    rows = []
    for row in t.get("rows") or []:
        rows.append([row.get(c) for c in columns] if isinstance(row, Mapping) else list(row))
    return columns, rows


def _metric_pairs(pairs: list[tuple[str, float | None]], metrics: Mapping[str, Any],
                  what: str) -> tuple[bool, str]:
    bad = [f"{k}: expected {fmt(v)}, got {fmt(metrics.get(k)) if k in metrics else 'nothing'}"
           for k, v in pairs if not close(metrics.get(k), v)]
    return not bad, "; ".join(bad) if bad else what


def grade(kind: str, args: Mapping[str, Any], expected: Mapping[str, Any],
          report: Mapping[str, Any]) -> tuple[bool, str]:
    """(passed, reason) for one Report against the expected answer (docs/ask-contract.md)."""
    metrics = report.get("metrics") or {}
    status = report.get("status")
    if kind == "cannot_answer":
        if status == "cannot_answer" and not metrics and not report.get("tables"):
            missing = report.get("missing")
            return True, (f"honest refusal (missing={missing!r}, need {args.get('need')!r}"
                          f"{'' if missing == args.get('need') else ', a different need'})")
        return False, (f"answered an unanswerable question (need {args.get('need')!r}): status {status!r}, "
                       f"{len(metrics)} metrics, {len(report.get('tables') or [])} tables; "
                       f"summary {str(report.get('summary'))[:100]!r}")
    if kind == "not_understood_filter":
        word = str(expected["word"]).lower()
        noted = [str(x) for x in report.get("not_understood") or []]
        if status == "cannot_answer":
            return True, f"refused (status cannot_answer) on the unmatched filter word {word!r}"
        tokens = {t for t in re.split(r"\W+", word) if len(t) >= 3} or {word}
        for item in noted:
            low = item.lower()
            if word in low or any(t in re.split(r"\W+", low) for t in tokens):
                return True, f"not_understood lists {item!r}"
        return False, (f"the filter word {word!r} matches nothing in the data but the report neither refuses nor "
                       f"lists it (not_understood={noted}); summary {str(report.get('summary'))[:100]!r}")
    if status == "cannot_answer":
        return False, (f"refused an answerable question (missing={report.get('missing')!r}): "
                       f"{str(report.get('summary'))[:120]!r}")
    if kind == "metric":
        m = args["metric"]
        if m not in metrics:
            return False, f"metrics has no {m!r} (keys: {sorted(metrics)[:12]})"
        ok = close(metrics[m], expected["value"])
        return ok, f"{m}: expected {fmt(expected['value'])}, got {fmt(metrics[m])}"
    if kind in ("overview", "metrics", "repeat"):
        pairs = list(expected["metrics"].items())
        return _metric_pairs(pairs, metrics, f"all {len(pairs)} metrics match")
    if kind in ("compare", "why_change"):
        m = args.get("metric", "revenue")
        pairs = [(m, expected["current"]), (f"{m}_previous", expected["previous"]),
                 (f"{m}_change", expected["change"])]
        if expected["change_pct"] is not None:
            pairs.append((f"{m}_change_pct", expected["change_pct"]))
        return _metric_pairs(pairs, metrics, f"{m} current/previous/change/change_pct match")
    if kind == "share":
        pairs = [("share_pct", expected["share_pct"]), ("part", expected["part"]), ("total", expected["total"])]
        return _metric_pairs(pairs, metrics, f"share {expected['share_pct']:.2f}% with part and total match")
    if kind == "new_returning":
        ok, reason = _metric_pairs(list(expected["metrics"].items()), metrics, "new/returning/customers match")
        if not ok or not expected.get("rows"):
            return ok, reason
        return grade_rows(expected["rows"], report, "period", expected["grain"],
                          ["new_customers", "returning_customers", "customers"])
    if kind == "cohorts":
        want = expected["rows"]
        cols = sorted({c for row in want.values() for c in row}, key=lambda c: (c != "customers", len(c), c))
        return grade_rows(want, report, "cohort", "cohort", cols, COHORT_ABS_TOL)
    if kind in ("top", "movers", "returns", "best_period"):
        return grade_ranking(kind, args, expected, report)
    if kind == "breakdown":
        return grade_breakdown(args, expected, report)
    if kind == "forecast":
        return grade_forecast(expected, report)
    return False, f"unknown kind {kind}"


def grade_forecast(expected: Mapping[str, Any], report: Mapping[str, Any]) -> tuple[bool, str]:
    """A future period answered as a forecast: a table with a date column, a point forecast and an interval,
    whose dates cover the asked period, with no negative value and the interval around the point."""
    start, end = (date.fromisoformat(expected["period"][k]) for k in ("start", "end"))
    for table in report.get("tables") or []:
        cols = [str(c).lower() for c in table.get("columns") or []]
        date_col = next((i for i, c in enumerate(cols) if c in ("date", "week", "day", "ds")), None)
        point = next((i for i, c in enumerate(cols) if c in ("forecast", "point", "yhat", "units", "revenue")), None)
        low = next((i for i, c in enumerate(cols) if c.startswith(("lo", "lower"))), None)
        high = next((i for i, c in enumerate(cols) if c.startswith(("hi", "upper"))), None)
        if None in (date_col, point, low, high):
            continue
        rows = table.get("rows") or []
        days = sorted(date.fromisoformat(str(r[date_col])[:10]) for r in rows)
        if not days or days[0] > start + timedelta(days=6) or days[-1] < end - timedelta(days=6):
            return False, f"forecast dates {days[:1]}..{days[-1:]} do not cover {start}..{end}"
        bad = [r for r in rows if not (0 <= float(r[low]) <= float(r[point]) + 1e-9 <= float(r[high]) + 2e-9)]
        if bad:
            return False, f"{len(bad)} forecast rows with a negative value or the point outside its interval"
        return True, f"forecast table over {days[0]}..{days[-1]} ({len(rows)} rows) with intervals"
    return False, (f"no forecast table (date, forecast, lower, upper) in the report: status {report.get('status')!r}, "
                   f"intent {report.get('intent')!r}, summary {str(report.get('summary'))[:100]!r}")


def grade_rows(want: Mapping[str, Mapping[str, float]], report: Mapping[str, Any], key_col: str, group: str,
               value_cols: list[str], abs_tol: float = ABS_TOL) -> tuple[bool, str]:
    """tables[0] keyed by its first column (`key_col`): every expected row with every expected column."""
    t = table0(report)
    if t is None:
        return False, "no tables in the report"
    columns, rows = t
    if not columns or columns[0] != key_col:
        return False, f"tables[0] columns {columns[:6]} do not start with {key_col!r}"
    missing_cols = [c for c in value_cols if c not in columns]
    if missing_cols:
        return False, f"tables[0] lacks columns {missing_cols[:5]} (columns {columns[:10]})"
    got = {norm_key(r[0], group): r for r in rows if r}
    problems = []
    for key, cells in want.items():
        if key not in got:
            problems.append(f"{key} missing")
            continue
        for c, v in cells.items():
            g = got[key][columns.index(c)]
            if not close(g, v, abs_tol):
                problems.append(f"{key} {c}: expected {fmt(v)}, got {fmt(g)}")
    extra = [k for k in got if k not in want
             and any(not close(got[k][columns.index(c)], 0.0) for c in value_cols if c != "customers")]
    if extra:
        problems.append(f"unexpected rows {extra[:5]}")
    if problems:
        return False, f"{len(problems)} problems in {len(want)} rows: " + "; ".join(problems[:4])
    return True, f"all {len(want)} rows × {len(value_cols)} columns match"


def grade_ranking(kind: str, args: Mapping[str, Any], expected: Mapping[str, Any],
                  report: Mapping[str, Any]) -> tuple[bool, str]:
    """tables[0] first column = keys in order; a position is right when the key there has the expected
    value of that position (so ties of equal value may swap). Best/worst periods: zero-valued rows of periods
    with no data at all (a closed Saturday, the Christmas week) before the first real one are skipped, and
    the "partial" flag of the graded rows must be right (present whenever one of them is partial)."""
    t = table0(report)
    if t is None:
        return False, "no tables in the report"
    columns, rows = t
    group = expected["group"]
    first = {"product": "sku", "customer": "customer"}.get(group)
    if first and (not columns or columns[0] != first):
        return False, f"tables[0] columns {columns[:5]} do not start with {first!r}"
    want_keys, want_values, truth = expected["keys"], expected["values"], expected["all"]
    value_col = {"returns": "returned_units"}.get(kind, args.get("metric", "revenue"))
    if kind == "best_period" and value_col in columns:
        vi = columns.index(value_col)
        rows = [r for r in rows if norm_key(r[0], group) in truth or not close(r[vi], 0.0)]
    keys = [norm_key(r[0] if r else None, group) for r in rows]
    if len(keys) < len(want_keys):
        return False, (f"only {len(keys)} rows, expected {len(want_keys)}: got {keys[:10]} "
                       f"expected {want_keys}")
    for i, (wk, wv) in enumerate(zip(want_keys, want_values, strict=True)):
        gk = keys[i]
        if gk not in truth or not close(truth[gk], wv):
            return False, (f"position {i + 1}: expected {wk} ({fmt(wv)}), got {gk} "
                           f"({fmt(truth.get(gk, 'not in data'))}); got {keys[:len(want_keys)]} "
                           f"expected {want_keys}")
    if len(set(keys[:len(want_keys)])) != len(want_keys):
        return False, f"duplicate keys in the ranking: {keys[:len(want_keys)]}"
    candidates = [value_col] if kind != "movers" else [f"{value_col}_change", "change"]
    col = next((c for c in candidates if c in columns), None)
    if col is None and kind != "movers":
        return False, f"keys right but tables[0] has no {value_col!r} column (columns {columns})"
    if col is not None:
        ci = columns.index(col)
        for i, wv in enumerate(want_values):
            if not close(rows[i][ci], wv):
                return False, f"keys right but {col} of {keys[i]}: expected {fmt(wv)}, got {fmt(rows[i][ci])}"
    if kind == "best_period":
        flags = expected["partial"]
        graded = keys[:len(want_keys)]
        if "partial" in columns:
            pi = columns.index("partial")
            wrong = [k for i, k in enumerate(graded) if bool(rows[i][pi]) != flags.get(k, False)]
            if wrong:
                return False, f"keys and values right but the partial flag is wrong for {wrong}"
        elif any(flags.get(k) for k in graded):
            return False, f"{[k for k in graded if flags.get(k)]} is partial but tables[0] has no 'partial' column"
    return True, f"top {len(want_keys)} keys in order: {want_keys[:5]}{'…' if len(want_keys) > 5 else ''}"


def grade_breakdown(args: Mapping[str, Any], expected: Mapping[str, Any],
                    report: Mapping[str, Any]) -> tuple[bool, str]:
    """Every expected group present with its value; extra groups allowed only with value 0."""
    t = table0(report)
    if t is None:
        return False, "no tables in the report"
    columns, rows = t
    metric, group = args["metric"], args["group"]
    if metric not in columns:
        return False, f"tables[0] has no {metric!r} column (columns {columns})"
    ci = columns.index(metric)
    got = {norm_key(r[0], group): r[ci] for r in rows if r}
    want = expected["groups"]
    problems = []
    for k, v in want.items():
        if k not in got:
            if not close(0.0, v):
                problems.append(f"{k} missing (expected {fmt(v)})")
        elif not close(got[k], v):
            problems.append(f"{k}: expected {fmt(v)}, got {fmt(got[k])}")
    extra = [k for k in got if k not in want and not close(got[k], 0.0)]
    if extra:
        problems.append(f"unexpected groups {extra[:5]}")
    if problems:
        return False, f"{len(problems)} of {len(want)} groups wrong: " + "; ".join(problems[:4])
    return True, f"all {len(want)} {group} groups match"


def symptom(kind: str, passed: bool, report: Mapping[str, Any] | None) -> str | None:
    """Why a question failed, in one word (None when it passed): error, refused, answered_unanswerable,
    ignored_filter, wrong."""
    if passed:
        return None
    if report is None:
        return "error"
    if kind == "cannot_answer":
        return "answered_unanswerable"
    if kind == "not_understood_filter":
        return "ignored_filter"
    if report.get("status") == "cannot_answer":
        return "refused"
    return "wrong"


def expected_periods(args: Mapping[str, Any]) -> list[dict[str, str]]:
    if "current" in args:
        return [dict(args["current"]), dict(args["previous"])]
    return [dict(args["period"])] if args.get("period") else []


def period_hint(args: Mapping[str, Any], report: Mapping[str, Any]) -> str:
    """Say when the Report's resolved periods differ from the expected ones (planner misread)."""
    want = expected_periods(args)
    got = [{"start": str(p.get("start"))[:10], "end": str(p.get("end"))[:10]} for p in report.get("periods") or []]
    if not want:
        return ""
    clipped = [{"start": max(w["start"], "2010-12-01"), "end": min(w["end"], "2011-12-09")} for w in want]
    if got[:len(want)] in (want, clipped):
        return ""
    return f"periods got {got} expected {want}"


# -- statistics ----------------------------------------------------------------------------------------
def percentile(values: list[float], q: float) -> float | None:
    if not values:
        return None
    s = sorted(values)
    pos = (len(s) - 1) * q / 100.0
    lo, hi = math.floor(pos), math.ceil(pos)
    return s[lo] + (s[hi] - s[lo]) * (pos - lo)


def auroc(scores: list[float], labels: list[bool]) -> float | None:
    """Area under the ROC curve of `scores` as a predictor of `labels` (True = positive), by the rank
    (Mann-Whitney U) formula: (sum of the positives' ranks − P(P+1)/2) / (P·N), ranks 1-based over all
    scores ascending, tied scores sharing their average rank (so a positive/negative tie counts half).
    None when there are no positives or no negatives."""
    if len(scores) != len(labels):
        raise ValueError("scores and labels differ in length")
    pos = sum(1 for y in labels if y)
    neg = len(labels) - pos
    if not pos or not neg:
        return None
    order = sorted(range(len(scores)), key=lambda i: scores[i])
    ranks = [0.0] * len(scores)
    i = 0
    while i < len(order):
        j = i
        while j + 1 < len(order) and scores[order[j + 1]] == scores[order[i]]:
            j += 1
        for t in range(i, j + 1):
            ranks[order[t]] = (i + j) / 2.0 + 1.0
        i = j + 1
    rank_sum = sum(r for r, y in zip(ranks, labels, strict=True) if y)
    return (rank_sum - pos * (pos + 1) / 2.0) / (pos * neg)


def verdict(value: float | None, target: float, higher_is_better: bool = False) -> str:
    if value is None:
        return "n/a"
    ok = value >= target if higher_is_better else value <= target
    return "PASS" if ok else "FAIL"


# -- databases -----------------------------------------------------------------------------------------
def _sqlite_file(reuse: bool) -> Path:
    """--reuse: the persistent bench database; otherwise a fresh file of this run (removed afterwards), so two
    bench runs at once never clobber each other."""
    return SQLITE_FILE if reuse else SQLITE_FILE.with_name(f"ask_sqlite_{os.getpid()}.db")


def _pg_name(reuse: bool) -> str:
    return PG_DB if reuse else f"{PG_DB}_{os.getpid()}"


def _sqlite_url(reuse: bool) -> str:
    path = _sqlite_file(reuse)
    path.parent.mkdir(parents=True, exist_ok=True)
    if not reuse:
        _drop_sqlite(path)
    return f"sqlite:///{path}"


def _drop_sqlite(path: Path) -> None:
    for suffix in ("", "-wal", "-shm", "-journal"):
        Path(str(path) + suffix).unlink(missing_ok=True)


def _pg_admin(statements: list[str]) -> Any:
    import sqlalchemy as sa
    admin = sa.create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            out = None
            for stmt in statements:
                result = conn.execute(sa.text(stmt))
                out = result.scalar() if stmt.startswith("SELECT") else None
            return out
    finally:
        admin.dispose()


def _postgres_url(reuse: bool) -> str:
    name = _pg_name(reuse)
    if reuse:
        if not _pg_admin([f"SELECT 1 FROM pg_database WHERE datname = '{name}'"]):
            _pg_admin([f'CREATE DATABASE "{name}"'])
    else:
        _pg_admin([f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)', f'CREATE DATABASE "{name}"'])
    return PG_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"


def drop_fresh_database(db: str) -> None:
    """Remove this run's own database (fresh runs only)."""
    if db == "sqlite":
        _drop_sqlite(_sqlite_file(False))
    else:
        _pg_admin([f'DROP DATABASE IF EXISTS "{_pg_name(False)}" WITH (FORCE)'])


def prepare_tenant(db: str, reuse: bool) -> tuple[Any, Any, Any, dict[str, Any]]:
    """(engine, repo, settings, ingest info): a migrated database with the full file loaded."""
    import sqlalchemy as sa

    from ecomintel.config import load_settings
    from ecomintel.context import RequestContext
    from ecomintel.db import models
    from ecomintel.db.engine import make_engine, migrate
    from ecomintel.db.repository import Repository
    from ecomintel.db.tenants import ensure_tenant
    from ecomintel.ingest.pipeline import ingest_file

    url = _sqlite_url(reuse) if db == "sqlite" else _postgres_url(reuse)
    _CURRENT_URL[db] = url
    # An explicit environment: no LLM provider, no Redis -> offline planner and in-process cache.
    settings = load_settings({"ECOMINTEL_DATABASE_URL": url, "ECOMINTEL_LLM_PROVIDER": "none"})
    engine = make_engine(url)
    migrate(engine)
    tenant = ensure_tenant(engine, TENANT)
    repo = Repository(engine, RequestContext(tenant.id, role="admin"))
    with engine.connect() as conn:
        stored = conn.execute(sa.select(sa.func.count()).select_from(models.sales)
                              .where(models.sales.c.tenant_id == tenant.id)).scalar() or 0
    info: dict[str, Any] = {"url": url.split("@")[-1], "reused": bool(reuse and stored)}
    if not info["reused"]:
        t0 = time.perf_counter()
        result = ingest_file(repo, "sales", answers.DATASET, settings=settings, file_name=answers.DATASET.name,
                             source_label="bench")
        info["ingest_s"] = round(time.perf_counter() - t0, 2)
        info["ingest"] = {k: getattr(result, k, None) for k in
                          ("status", "rows_total", "accepted", "rejected", "duplicates", "returns", "message")}
        with engine.connect() as conn:
            stored = conn.execute(sa.select(sa.func.count()).select_from(models.sales)
                                  .where(models.sales.c.tenant_id == tenant.id)).scalar() or 0
    info["stored_rows"] = int(stored)
    return engine, repo, settings, info


def _report_record(report: Mapping[str, Any]) -> dict[str, Any]:
    t = table0(report)
    conf = report.get("confidence")
    return {
        "status": report.get("status"), "intent": report.get("intent"), "planner": report.get("planner"),
        "confidence": float(conf) if isinstance(conf, int | float) and not isinstance(conf, bool) else None,
        "not_understood": list(report.get("not_understood") or [])[:8], "missing": report.get("missing"),
        "summary": str(report.get("summary") or "")[:300],
        "periods": [{k: str(p.get(k)) for k in ("start", "end", "label")} for p in report.get("periods") or []],
        "table0_columns": t[0] if t else None,
        "table0_head": [r[:5] for r in t[1][:5]] if t else None,
        "metrics": {k: v for k, v in (report.get("metrics") or {}).items() if isinstance(v, int | float)},
        "warnings": list(report.get("warnings") or [])[:6],
        "agents": [{k: a.get(k) for k in ("agent", "status", "elapsed_ms")} for a in report.get("agents") or []],
    }


def run_db(db: str, questions: list[dict[str, Any]], expected: dict[str, dict[str, Any]],
           reuse: bool, log: Callable[[str], None], repeat: int = 1, cli_n: int = 20) -> dict[str, Any]:
    from ecomintel.ask.service import ask
    from ecomintel.cache import make_cache

    engine, repo, settings, info = prepare_tenant(db, reuse)
    log(f"[{db}] tenant ready: {info}")
    load_before = os.getloadavg()[0]

    def fresh_cache() -> Any:
        return make_cache(settings, namespace=f"bench-{uuid.uuid4().hex[:10]}")

    for warm in ("total revenue in November 2011", "top 10 products by revenue last month"):
        try:  # warm the process (imports, connection pool, vocabulary) — not measured
            ask(warm, repo=repo, settings=settings, mode="quick", cache=fresh_cache(), llm=None, save=False)
        except Exception as exc:  # a broken warm-up shows up again in the measured runs
            log(f"[{db}] warm-up failed: {exc!r}")

    records = []
    for q in questions:
        cache = fresh_cache()
        rec: dict[str, Any] = {"id": q["id"], "question": q["question"], "kind": q["kind"],
                               "category": q.get("category", "legacy"), "set": q.get("set", "main")}
        t0 = time.perf_counter()
        try:
            report = ask(q["question"], repo=repo, settings=settings, mode="quick", cache=cache, llm=None,
                         save=False)
            rec["ms"] = round((time.perf_counter() - t0) * 1000, 1)
        except Exception as exc:  # an error is a failed answer, recorded with its reason
            rec["ms"] = round((time.perf_counter() - t0) * 1000, 1)
            rec.update(passed=False, symptom="error", reason=f"ask raised {exc.__class__.__name__}: {exc}",
                       trace=traceback.format_exc(limit=4)[-1500:])
            records.append(rec)
            log(f"[{db}] {q['id']} ERROR {rec['reason'][:150]}")
            continue
        try:
            passed, reason = grade(q["kind"], q["args"], expected[q["id"]], report)
        except Exception as exc:  # a malformed report (e.g. a ragged table) is a wrong answer, not a crash
            passed, reason = False, f"grading failed on the report: {exc.__class__.__name__}: {exc}"
        hint = period_hint(q["args"], report)
        if repeat > 1:  # more uncached runs (fresh caches); the median damps noise from a busy machine
            runs = [rec["ms"]]
            for _ in range(repeat - 1):
                t2 = time.perf_counter()
                ask(q["question"], repo=repo, settings=settings, mode="quick", cache=fresh_cache(), llm=None,
                    save=False)
                runs.append(round((time.perf_counter() - t2) * 1000, 1))
            rec["ms_runs"], rec["ms"] = runs, round(percentile(runs, 50) or 0.0, 1)
        t1 = time.perf_counter()
        try:
            again = ask(q["question"], repo=repo, settings=settings, mode="quick", cache=cache, llm=None,
                        save=False)
            rec["cached_ms"] = round((time.perf_counter() - t1) * 1000, 1)
            rec["cache_hit"] = bool(again.get("cached"))
            try:
                rec["cached_passed"] = grade(q["kind"], q["args"], expected[q["id"]], again)[0]
            except Exception:
                rec["cached_passed"] = False
        except Exception as exc:
            rec["cached_ms"] = None
            rec["cache_error"] = repr(exc)
        rec.update(passed=passed, symptom=symptom(q["kind"], passed, report), reason=reason, period_hint=hint,
                   expected_periods=expected_periods(q["args"]), **_report_record(report))
        records.append(rec)
        log(f"[{db}] {q['id']} {'ok  ' if passed else 'FAIL'} {rec['ms']:7.1f} ms  cached "
            f"{fmt(rec.get('cached_ms'))} ms  conf {fmt(rec.get('confidence'))}  {q['question'][:44]!r}  "
            f"{'' if passed else reason[:110]}")
    engine.dispose()
    cli = cli_timing(db, questions, log, cli_n) if cli_n else {"skipped": "--cli 0"}
    # Other processes on the machine inflate latency: record the 1-minute load average around the run.
    machine = {"loadavg_1m_before": round(load_before, 2), "loadavg_1m_after": round(os.getloadavg()[0], 2)}
    return {"tenant": info, "machine": machine, "summary": summarise(records), "cli": cli, "questions": records}


# -- CLI wall time -------------------------------------------------------------------------------------
def cli_questions(questions: list[dict[str, Any]], n: int) -> list[dict[str, Any]]:
    """n questions spread evenly over the selected ones (every category represented when n allows)."""
    if len(questions) <= n:
        return list(questions)
    step = len(questions) / n
    return [questions[int(i * step)] for i in range(n)]


def _cli_redis(db: str, log: Callable[[str], None]) -> tuple[str | None, str]:
    """(Redis URL for the CLI subprocesses, note). With a reachable Redis the repeated run can be served from
    the cross-process cache (as in a deployment); this bench database's own cache keys are deleted first so
    that every first run is uncached. Without Redis each CLI process has only its own empty cache."""
    if CLI_REDIS_URL.lower() in ("", "none", "off"):
        return None, "no Redis (ECOMINTEL_BENCH_REDIS_URL=none): " + _cli_cache_clear(db)
    try:
        import redis

        from ecomintel.cache import database_tag
        from ecomintel.config import load_settings

        client = redis.Redis.from_url(CLI_REDIS_URL, socket_connect_timeout=2)
        client.ping()
        tag = database_tag(load_settings({"ECOMINTEL_DATABASE_URL": _CURRENT_URL[db]}))
        stale = list(client.scan_iter(match=f"ecomintel:{tag}:cache:*", count=1000))
        if stale:
            client.delete(*stale)
        return CLI_REDIS_URL, f"Redis {CLI_REDIS_URL} (deleted {len(stale)} cached answers of this bench database first)"
    except Exception as exc:  # no Redis here: time the CLI without it
        log(f"[{db}] cli: Redis {CLI_REDIS_URL} unusable ({exc!r}); timing without Redis")
        return None, f"no Redis ({exc.__class__.__name__}): " + _cli_cache_clear(db)


def _cli_cache_clear(db: str) -> str:
    """Without Redis the CLI may keep answers in the database (a later repeat is a hit there): clear the bench
    tenant's cache first (`ecomintel cache clear`, which also drops its stored vocabulary) so first runs are
    uncached."""
    env = {k: v for k, v in os.environ.items() if k != "ECOMINTEL_REDIS_URL"}
    env.update(ECOMINTEL_DATABASE_URL=_CURRENT_URL[db], ECOMINTEL_LLM_PROVIDER="none")
    proc = subprocess.run([str(CLI), "cache", "clear", "--tenant", TENANT], env=env, cwd=str(ROOT),
                          capture_output=True, text=True, timeout=120)
    if proc.returncode != 0:
        return f"`ecomintel cache clear` failed ({(proc.stderr or proc.stdout).strip()[-200:]})"
    return f"`ecomintel cache clear` first: {proc.stdout.strip()}"


def cli_timing(db: str, questions: list[dict[str, Any]], log: Callable[[str], None], n: int) -> dict[str, Any]:
    """Wall time of `ecomintel ask "<q>" --tenant bench-ask --json` as a subprocess (process start, imports,
    planning, answering, JSON), each question run twice in a row: a first run (uncached) and the same
    command again (a cache hit when the CLI has Redis, see _cli_redis)."""
    if not CLI.exists():
        return {"skipped": f"{CLI} is missing"}
    env = {k: v for k, v in os.environ.items() if k != "ECOMINTEL_REDIS_URL"}
    env.update(ECOMINTEL_DATABASE_URL=_CURRENT_URL[db], ECOMINTEL_LLM_PROVIDER="none")
    redis_url, cache_note = _cli_redis(db, log)
    if redis_url:
        env["ECOMINTEL_REDIS_URL"] = redis_url
    runs = []
    for q in cli_questions(questions, n):
        rec: dict[str, Any] = {"id": q["id"], "question": q["question"]}
        for label in ("first", "repeat"):
            t0 = time.perf_counter()
            try:
                proc = subprocess.run([str(CLI), "ask", q["question"], "--tenant", TENANT, "--json"], env=env,
                                      cwd=str(ROOT), capture_output=True, text=True, timeout=120)
                rec[f"{label}_s"] = round(time.perf_counter() - t0, 3)
                rec[f"{label}_rc"] = proc.returncode
                try:
                    out = json.loads(proc.stdout)
                    rec[f"{label}_cached"] = bool(out.get("cached"))
                    rec[f"{label}_status"] = out.get("status")
                except (json.JSONDecodeError, AttributeError):
                    rec[f"{label}_error"] = (proc.stderr or proc.stdout)[-300:]
            except subprocess.TimeoutExpired:
                rec[f"{label}_s"] = round(time.perf_counter() - t0, 3)
                rec[f"{label}_error"] = "timeout (120 s)"
        runs.append(rec)
        log(f"[{db}] cli {q['id']} first {rec.get('first_s')} s, repeat {rec.get('repeat_s')} s "
            f"rc {rec.get('first_rc')}/{rec.get('repeat_rc')}")
    first = [r["first_s"] for r in runs if r.get("first_rc") == 0]
    again = [r["repeat_s"] for r in runs if r.get("repeat_rc") == 0]
    return {"command": f"{CLI.relative_to(ROOT)} ask \"<q>\" --tenant {TENANT} --json", "cache": cache_note,
            "questions": len(runs), "first_runs_cached": sum(1 for r in runs if r.get("first_cached")), "failed_runs": sum(1 for r in runs for k in ("first_rc", "repeat_rc")
                                                       if r.get(k) != 0),
            "uncached_p50_s": _r3(percentile(first, 50)), "uncached_p95_s": _r3(percentile(first, 95)),
            "repeat_p50_s": _r3(percentile(again, 50)), "repeat_p95_s": _r3(percentile(again, 95)),
            "repeat_cache_hits": sum(1 for r in runs if r.get("repeat_cached")), "runs": runs}


def _r3(v: float | None) -> float | None:
    return None if v is None else round(v, 3)


# -- summary -------------------------------------------------------------------------------------------
def _rate(num: int, den: int) -> float | None:
    return round(100.0 * num / den, 1) if den else None


def _mean(values: list[float]) -> float | None:
    return round(sum(values) / len(values), 3) if values else None


def summarise(records: list[dict[str, Any]]) -> dict[str, Any]:
    n = len(records)
    passed = sum(1 for r in records if r.get("passed"))
    quick = [r["ms"] for r in records if r.get("ms") is not None]
    cached = [r["cached_ms"] for r in records if r.get("cached_ms") is not None]

    def tally(key: str) -> dict[str, dict[str, Any]]:
        out: dict[str, list[int]] = {}
        for r in records:
            out.setdefault(str(r.get(key)), [0, 0])
            out[str(r.get(key))][0] += 1
            out[str(r.get(key))][1] += bool(r.get("passed"))
        return {k: {"questions": v[0], "passed": v[1], "accuracy_pct": _rate(v[1], v[0])}
                for k, v in sorted(out.items())}

    unanswerable = [r for r in records if r["kind"] == "cannot_answer"]
    answerable = [r for r in records if r["kind"] in answers.ANSWERABLE]
    refused = [r for r in answerable if r.get("status") == "cannot_answer"]
    scored = [r for r in records if r.get("confidence") is not None]
    conf_ok = [r["confidence"] for r in scored if r.get("passed")]
    conf_bad = [r["confidence"] for r in scored if not r.get("passed")]
    by_symptom: dict[str, list[str]] = {}
    for r in records:
        if not r.get("passed"):
            by_symptom.setdefault(r.get("symptom") or "wrong", []).append(r["id"])
    return {
        "questions": n, "passed": passed, "accuracy_pct": _rate(passed, n),
        "errors": sum(1 for r in records if r.get("symptom") == "error"),
        "by_category": tally("category"), "by_set": tally("set"),
        "unanswerable": {"questions": len(unanswerable),
                         "honest_refusals": sum(1 for r in unanswerable if r.get("passed")),
                         "honest_refusal_pct": _rate(sum(1 for r in unanswerable if r.get("passed")),
                                                     len(unanswerable))},
        "answerable": {"questions": len(answerable), "refused": len(refused),
                       "false_refusal_pct": _rate(len(refused), len(answerable)),
                       "refused_ids": [r["id"] for r in refused]},
        "confidence": {"graded_with_confidence": len(scored), "without_confidence": n - len(scored),
                       "mean_correct": _mean(conf_ok), "mean_incorrect": _mean(conf_bad),
                       "auroc": None if not scored else _r3(auroc([r["confidence"] for r in scored],
                                                                  [bool(r.get("passed")) for r in scored]))},
        "quick_p50_ms": _r(percentile(quick, 50)), "quick_p95_ms": _r(percentile(quick, 95)),
        "quick_max_ms": _r(max(quick) if quick else None),
        "cached_p50_ms": _r(percentile(cached, 50)), "cached_p95_ms": _r(percentile(cached, 95)),
        "cache_hits": sum(1 for r in records if r.get("cache_hit")),
        "cached_answers_correct": sum(1 for r in records if r.get("cached_passed")),
        "by_kind": {k: {"questions": v["questions"], "passed": v["passed"]} for k, v in tally("kind").items()},
        "failed": [r["id"] for r in records if not r.get("passed")],
        "failed_by_symptom": dict(sorted(by_symptom.items())),
    }


def _r(v: float | None) -> float | None:
    return None if v is None else round(v, 1)


# -- main ----------------------------------------------------------------------------------------------
def load_questions(limit: int | None = None, only: list[str] | None = None,
                   categories: list[str] | None = None) -> list[dict[str, Any]]:
    qs = [json.loads(line) for line in QUESTIONS.read_text(encoding="utf-8").splitlines() if line.strip()]
    if only:
        qs = [q for q in qs if q["id"] in only]
    if categories:
        qs = [q for q in qs if q.get("category", "legacy") in categories]
    return qs[:limit] if limit else qs


def print_summary(result: dict[str, Any]) -> None:
    dbs = result["databases"]
    base = result["baseline"]
    names = list(dbs)
    print()
    print(f"ask bench — {result['questions']} questions, UCI Online Retail {result['source_lines']:,} lines "
          f"({result['bench_rows']:,} after validation + dedup), offline planner, quick mode")
    print(f"{'':30}" + "".join(f"{n:>22}" for n in names) + f"{'target':>12}")

    def cell(n: str, getter: Callable[[dict[str, Any]], Any], target: float | None, hib: bool) -> str:
        v = getter(dbs[n])
        return f"{'n/a' if v is None else v:>15} {'' if target is None else verdict(v, target, hib):>6}"

    rows: list[tuple[str, Callable[[dict[str, Any]], Any], float | None, bool]] = [
        ("accuracy %", lambda d: d.get("summary", {}).get("accuracy_pct"), TARGETS["accuracy_pct"], True),
        ("honest refusals % (unansw.)", lambda d: d.get("summary", {}).get("unanswerable", {})
         .get("honest_refusal_pct"), TARGETS["honest_refusal_pct"], True),
        ("false refusals % (answ.)", lambda d: d.get("summary", {}).get("answerable", {})
         .get("false_refusal_pct"), None, False),
        ("confidence AUROC", lambda d: d.get("summary", {}).get("confidence", {}).get("auroc"),
         TARGETS["auroc"], True),
        ("mean conf. correct", lambda d: d.get("summary", {}).get("confidence", {}).get("mean_correct"),
         None, True),
        ("mean conf. incorrect", lambda d: d.get("summary", {}).get("confidence", {}).get("mean_incorrect"),
         None, True),
        ("errors", lambda d: d.get("summary", {}).get("errors"), None, False),
        ("quick p50 ms", lambda d: d.get("summary", {}).get("quick_p50_ms"), TARGETS["quick_p50_ms"], False),
        ("quick p95 ms", lambda d: d.get("summary", {}).get("quick_p95_ms"), TARGETS["quick_p95_ms"], False),
        ("cached p50 ms", lambda d: d.get("summary", {}).get("cached_p50_ms"), TARGETS["cached_p50_ms"], False),
        ("CLI uncached p50 s", lambda d: d.get("cli", {}).get("uncached_p50_s"), None, False),
        ("CLI uncached p95 s", lambda d: d.get("cli", {}).get("uncached_p95_s"),
         TARGETS["cli_uncached_p95_s"], False),
        ("CLI repeat p50 s", lambda d: d.get("cli", {}).get("repeat_p50_s"), None, False),
        ("CLI repeat p95 s", lambda d: d.get("cli", {}).get("repeat_p95_s"), TARGETS["cli_repeat_p95_s"], False),
    ]
    for label, getter, target, hib in rows:
        op = "≥" if hib else "≤"
        print(f"{label:30}" + "".join(cell(n, getter, target, hib) for n in names)
              + (f"{op + ' ' + str(target):>12}" if target is not None else ""))
    for n in names:
        s = dbs[n].get("summary") or {}
        if not s:
            continue
        print(f"{n} accuracy by category: " + ", ".join(f"{k} {v['passed']}/{v['questions']}"
                                                       for k, v in s["by_category"].items()))
    for n in names:
        t = dbs[n].get("tenant", {})
        if t:
            print(f"{n} tenant: {t.get('stored_rows', 0):,} stored sales lines"
                  + (f", ingest {t['ingest_s']} s" if "ingest_s" in t else " (reused)"))
        if dbs[n].get("machine"):
            mach = dbs[n]["machine"]
            print(f"{n} machine load (1-min average, {result['machine']['cpus']} CPUs): "
                  f"{mach['loadavg_1m_before']} before, {mach['loadavg_1m_after']} after the questions")
        if dbs[n].get("error"):
            print(f"{n}: NOT RUN — {dbs[n]['error']}")
    print(f"pandas baseline (in memory, same questions): load+clean {base['load_s']} s once, then "
          f"p50 {base['p50_ms']} ms, p95 {base['p95_ms']} ms per question")
    for n in names:
        s = dbs[n].get("summary") or {}
        if s:
            sets = ", ".join(f"{k} {v['passed']}/{v['questions']}" for k, v in s["by_set"].items())
            print(f"{n} accuracy by question set: {sets}")
            print(f"{n} cached repeats: {s['cache_hits']}/{s['questions']} served from the cache, "
                  f"{s['cached_answers_correct']} graded correct")
            cli = dbs[n].get("cli") or {}
            if cli.get("questions"):
                print(f"{n} CLI: {cli['questions']} questions × 2 runs, {cli['failed_runs']} failed runs, "
                      f"{cli['repeat_cache_hits']} repeats served from a cache")
    for n in names:
        by = (dbs[n].get("summary") or {}).get("failed_by_symptom") or {}
        for sym, ids in by.items():
            print(f"{n} failures — {SYMPTOMS.get(sym, sym)} ({len(ids)}): {', '.join(ids)}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--limit", type=int, default=None, help="only the first N questions")
    parser.add_argument("--only", default="", help="comma-separated question ids (q001,q040)")
    parser.add_argument("--category", default="", help=f"comma-separated categories ({', '.join(CATEGORIES)})")
    parser.add_argument("--reuse", action="store_true",
                        help="reuse a previous bench database load instead of ingesting the file again")
    parser.add_argument("--repeat", type=int, default=1,
                        help="ask each question N times with fresh caches; latency = median of the N")
    parser.add_argument("--cli", type=int, default=20, help="questions timed through the CLI (0 = skip)")
    parser.add_argument("--quiet", action="store_true", help="no per-question lines")
    opts = parser.parse_args(argv)

    if not answers.DATASET.exists():
        print(f"Dataset {answers.DATASET} is absent (benchmarks need /work/shared/datasets); nothing to measure.")
        return 0

    def log(msg: str) -> None:
        if not opts.quiet:
            print(msg, flush=True)

    only = [s.strip() for s in opts.only.split(",") if s.strip()]
    categories = [s.strip() for s in opts.category.split(",") if s.strip()]
    unknown = [c for c in categories if c not in CATEGORIES]
    if unknown:
        parser.error(f"unknown categories {unknown}; known: {', '.join(CATEGORIES)}")
    questions = load_questions(opts.limit, only, categories)
    if not questions:
        print("No questions selected.")
        return 0

    t0 = time.perf_counter()
    raw = answers.load_raw()
    df = answers.clean(raw)
    load_s = round(time.perf_counter() - t0, 2)
    expected: dict[str, dict[str, Any]] = {}
    base_ms: dict[str, float] = {}
    for q in questions:
        t1 = time.perf_counter()
        expected[q["id"]] = answers.answer(df, q["kind"], q["args"])
        base_ms[q["id"]] = round((time.perf_counter() - t1) * 1000, 2)
    times = list(base_ms.values())
    log(f"pandas baseline: {len(raw):,} lines -> {len(df):,} after validation/dedup in {load_s} s; "
        f"p50 {percentile(times, 50):.1f} ms per question")

    result: dict[str, Any] = {
        "bench": "ask", "run_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": {"python": platform.python_version(), "platform": platform.platform(),
                    "cpus": os.cpu_count()},
        "dataset": str(answers.DATASET), "source_lines": len(raw), "bench_rows": len(df),
        "line_classes": {k: int(v) for k, v in df["line_class"].value_counts().items()},
        "questions": len(questions),
        "questions_by_category": {c: sum(1 for q in questions if q.get("category", "legacy") == c)
                                  for c in CATEGORIES},
        "targets": TARGETS, "repeat": max(1, opts.repeat),
        "baseline": {"what": "bench/answers.py on the full table held in memory (pandas)",
                     "load_s": load_s, "frame_mb": round(df.memory_usage(deep=True).sum() / 1e6, 1),
                     "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
                     "p50_ms": _r(percentile(times, 50)), "p95_ms": _r(percentile(times, 95)),
                     "per_question_ms": base_ms},
        "databases": {},
    }
    dbs = ["sqlite", "postgres"] if opts.db == "both" else [opts.db]
    for db in dbs:
        try:
            result["databases"][db] = run_db(db, questions, expected, opts.reuse, log, max(1, opts.repeat),
                                             max(0, opts.cli))
        except ImportError as exc:
            result["databases"][db] = {"error": f"ecomintel not ready: {exc}"}
        except Exception as exc:  # e.g. PostgreSQL unreachable: report it, keep the other DB
            result["databases"][db] = {"error": f"{exc.__class__.__name__}: {exc}",
                                       "trace": traceback.format_exc(limit=6)[-2000:]}
        if not opts.reuse:
            try:
                drop_fresh_database(db)
            except Exception as exc:  # cleanup only; the measurements are already taken
                log(f"[{db}] could not drop this run's database: {exc!r}")
        for rec in result["databases"][db].get("questions", []):
            rec["baseline_ms"] = base_ms[rec["id"]]
            rec["expected"] = {k: v for k, v in expected[rec["id"]].items()
                               if k not in ("all", "groups", "rows", "partial")}

    RESULTS.mkdir(parents=True, exist_ok=True)
    partial = bool(opts.limit or only or categories)
    out = RESULTS / ("ask_partial.json" if partial else "ask.json")
    out.write_text(json.dumps(result, indent=1, default=str) + "\n", encoding="utf-8")
    print_summary(result)
    print(f"results: {out.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
