"""Ask benchmark: accuracy of the offline planner and latency of quick / cached answers on the full
541,909-line UCI Online Retail tenant, on SQLite and PostgreSQL, against a pandas baseline in the same run.

Usage (from the repository root):
    .venv/bin/python bench/ask.py [--db sqlite|postgres|both] [--limit N] [--only ID[,ID...]] [--reuse]

What it does:
1. Loads the raw CSV with pandas and computes every question's expected answer with bench/answers.py
   (independent of ecomintel), timing each computation: that is the in-memory pandas baseline.
2. For each database: a fresh database + tenant, the full file loaded through
   `ecomintel.ingest.pipeline.ingest_file` (a database of its own, dropped afterwards; `--reuse` keeps a persistent bench load to save minutes).
3. In one warm process, for each question: `ask(question, mode="quick", llm=None, save=False)` with a
   fresh cache (uncached latency + correctness), then the same question again with the same cache
   (cached latency).
4. Grades each Report against the ANSWER CONTRACT of notes/common.md (metrics for numbers, tables[0] for
   rankings and breakdowns), writes bench/results/ask.json (ask_partial.json for --limit/--only runs)
   and prints a summary with targets and PASS/FAIL.

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
import sys
import time
import traceback
import uuid
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
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
TENANT = "bench-ask"
TARGETS = {"accuracy_pct": 90.0, "quick_p50_ms": 300.0, "quick_p95_ms": 1000.0, "cached_p50_ms": 50.0}
REL_TOL, ABS_TOL = 0.005, 0.01
FIVE = answers.METRICS


# -- grading -----------------------------------------------------------------------------------------------
def close(got: Any, want: float | None) -> bool:
    """Within 0.5% relative or 0.01 absolute (the contract's tolerance)."""
    if want is None:
        return got is None
    try:
        g = float(got)
    except (TypeError, ValueError):
        return False
    if math.isnan(g):
        return False
    return abs(g - want) <= max(ABS_TOL, REL_TOL * abs(want))


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
            return text
    if group == "weekday":
        return text.title()
    if group == "month" and re.match(r"^\d{4}-\d{2}-\d{2}", text):
        return text[:7]
    if group == "day":
        return text[:10]
    if group == "week":
        m = re.match(r"^(\d{4})-?W(\d{1,2})$", text, re.I)
        if m:
            return f"{m.group(1)}-W{int(m.group(2)):02d}"
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


def grade(kind: str, args: Mapping[str, Any], expected: Mapping[str, Any],
          report: Mapping[str, Any]) -> tuple[bool, str]:
    """(passed, reason) for one Report against the expected answer."""
    metrics = report.get("metrics") or {}
    if kind == "metric":
        m = args["metric"]
        if m not in metrics:
            return False, f"metrics has no {m!r} (keys: {sorted(metrics)[:8]})"
        ok = close(metrics[m], expected["value"])
        return ok, f"{m}: expected {fmt(expected['value'])}, got {fmt(metrics[m])}"
    if kind == "overview":
        bad = [f"{m}: expected {fmt(v)}, got {fmt(metrics.get(m))}"
               for m, v in expected["metrics"].items() if not close(metrics.get(m), v)]
        return not bad, "; ".join(bad) if bad else "all five metrics match"
    if kind in ("compare", "why_change"):
        m = args.get("metric", "revenue")
        pairs = [(m, expected["current"]), (f"{m}_previous", expected["previous"]),
                 (f"{m}_change", expected["change"])]
        if expected["change_pct"] is not None:
            pairs.append((f"{m}_change_pct", expected["change_pct"]))
        bad = [f"{k}: expected {fmt(v)}, got {fmt(metrics.get(k))}" for k, v in pairs if not close(metrics.get(k), v)]
        return not bad, "; ".join(bad) if bad else f"{m} current/previous/change/change_pct match"
    if kind in ("top", "movers", "returns"):
        return grade_ranking(kind, args, expected, report)
    if kind == "breakdown":
        return grade_breakdown(args, expected, report)
    return False, f"unknown kind {kind}"


def grade_ranking(kind: str, args: Mapping[str, Any], expected: Mapping[str, Any],
                  report: Mapping[str, Any]) -> tuple[bool, str]:
    """tables[0] first column = keys in order; a position is right when the key there has the expected
    value of that position (so ties of equal value may swap)."""
    t = table0(report)
    if t is None:
        return False, "no tables in the report"
    columns, rows = t
    group = expected["group"]
    if group == "product" and (not columns or columns[0] != "sku"):
        return False, f"tables[0] columns {columns[:5]} do not start with 'sku'"
    keys = [norm_key(r[0] if r else None, group) for r in rows]
    want_keys, want_values, truth = expected["keys"], expected["values"], expected["all"]
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
    value_col = {"returns": "returned_units"}.get(kind, args.get("metric", "revenue"))
    candidates = [value_col] if kind != "movers" else [f"{value_col}_change", "change"]
    col = next((c for c in candidates if c in columns), None)
    if col is None and kind != "movers":
        return False, f"keys right but tables[0] has no {value_col!r} column (columns {columns})"
    if col is not None:
        ci = columns.index(col)
        for i, wv in enumerate(want_values):
            if not close(rows[i][ci], wv):
                return False, f"keys right but {col} of {keys[i]}: expected {fmt(wv)}, got {fmt(rows[i][ci])}"
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
    clipped = [{"start": w["start"], "end": min(w["end"], "2011-12-09")} for w in want]
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


def run_db(db: str, questions: list[dict[str, Any]], expected: dict[str, dict[str, Any]],
           reuse: bool, log: Callable[[str], None], repeat: int = 1) -> dict[str, Any]:
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
                               "set": q.get("set", "main")}
        t0 = time.perf_counter()
        try:
            report = ask(q["question"], repo=repo, settings=settings, mode="quick", cache=cache, llm=None,
                         save=False)
            rec["ms"] = round((time.perf_counter() - t0) * 1000, 1)
        except Exception as exc:  # an error is a failed answer, recorded with its reason
            rec["ms"] = round((time.perf_counter() - t0) * 1000, 1)
            rec.update(passed=False, reason=f"ask raised {exc.__class__.__name__}: {exc}",
                       trace=traceback.format_exc(limit=4)[-1500:])
            records.append(rec)
            log(f"[{db}] {q['id']} ERROR {rec['reason'][:150]}")
            continue
        passed, reason = grade(q["kind"], q["args"], expected[q["id"]], report)
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
            rec["cached_passed"] = grade(q["kind"], q["args"], expected[q["id"]], again)[0]
        except Exception as exc:
            rec["cached_ms"] = None
            rec["cache_error"] = repr(exc)
        t = table0(report)
        rec.update(
            passed=passed, reason=reason, period_hint=hint,
            intent=report.get("intent"), planner=report.get("planner"),
            periods=[{k: str(p.get(k)) for k in ("start", "end", "label")} for p in report.get("periods") or []],
            expected_periods=expected_periods(q["args"]),
            table0_columns=t[0] if t else None,
            table0_head=[r[:4] for r in t[1][:5]] if t else None,
            metrics={k: v for k, v in (report.get("metrics") or {}).items() if isinstance(v, int | float)},
            warnings=list(report.get("warnings") or [])[:6],
            agents=[{k: a.get(k) for k in ("agent", "status", "elapsed_ms")} for a in report.get("agents") or []],
        )
        records.append(rec)
        log(f"[{db}] {q['id']} {'ok  ' if passed else 'FAIL'} {rec['ms']:7.1f} ms  cached "
            f"{fmt(rec.get('cached_ms'))} ms  {q['question'][:48]!r}  {'' if passed else reason[:110]}")
    engine.dispose()
    # Other processes on the machine inflate latency: record the 1-minute load average around the run.
    machine = {"loadavg_1m_before": round(load_before, 2), "loadavg_1m_after": round(os.getloadavg()[0], 2)}
    return {"tenant": info, "machine": machine, "summary": summarise(records), "questions": records}


def summarise(records: list[dict[str, Any]]) -> dict[str, Any]:
    n = len(records)
    passed = sum(1 for r in records if r.get("passed"))
    quick = [r["ms"] for r in records if r.get("ms") is not None]
    cached = [r["cached_ms"] for r in records if r.get("cached_ms") is not None]
    by_kind: dict[str, list[int]] = {}
    for r in records:
        by_kind.setdefault(r["kind"], [0, 0])
        by_kind[r["kind"]][0] += 1
        by_kind[r["kind"]][1] += bool(r.get("passed"))
    by_set: dict[str, list[int]] = {}
    for r in records:
        by_set.setdefault(r.get("set", "main"), [0, 0])
        by_set[r.get("set", "main")][0] += 1
        by_set[r.get("set", "main")][1] += bool(r.get("passed"))
    return {
        "questions": n, "passed": passed,
        "by_set": {k: {"questions": v[0], "passed": v[1], "accuracy_pct": round(100.0 * v[1] / v[0], 1)}
                   for k, v in sorted(by_set.items())},
        "accuracy_pct": round(100.0 * passed / n, 1) if n else None,
        "quick_p50_ms": _r(percentile(quick, 50)), "quick_p95_ms": _r(percentile(quick, 95)),
        "quick_max_ms": _r(max(quick) if quick else None),
        "cached_p50_ms": _r(percentile(cached, 50)), "cached_p95_ms": _r(percentile(cached, 95)),
        "cache_hits": sum(1 for r in records if r.get("cache_hit")),
        "cached_answers_correct": sum(1 for r in records if r.get("cached_passed")),
        "by_kind": {k: {"questions": v[0], "passed": v[1]} for k, v in sorted(by_kind.items())},
        "failed": [r["id"] for r in records if not r.get("passed")],
    }


def _r(v: float | None) -> float | None:
    return None if v is None else round(v, 1)


# -- main ----------------------------------------------------------------------------------------------
def load_questions(limit: int | None, only: list[str]) -> list[dict[str, Any]]:
    qs = [json.loads(line) for line in QUESTIONS.read_text(encoding="utf-8").splitlines() if line.strip()]
    if only:
        qs = [q for q in qs if q["id"] in only]
    return qs[:limit] if limit else qs


def print_summary(result: dict[str, Any]) -> None:
    dbs = result["databases"]
    base = result["baseline"]
    names = list(dbs)
    print()
    print(f"ask bench — {result['questions']} questions, UCI Online Retail {result['source_lines']:,} lines "
          f"({result['bench_rows']:,} after validation + dedup), offline planner, quick mode")
    header = f"{'':28}" + "".join(f"{n:>22}" for n in names) + f"{'target':>12}"
    print(header)
    rows = [("accuracy %", "accuracy_pct", TARGETS["accuracy_pct"], True),
            ("quick p50 ms", "quick_p50_ms", TARGETS["quick_p50_ms"], False),
            ("quick p95 ms", "quick_p95_ms", TARGETS["quick_p95_ms"], False),
            ("cached p50 ms", "cached_p50_ms", TARGETS["cached_p50_ms"], False)]
    for label, key, target, hib in rows:
        cells = []
        for n in names:
            s = dbs[n].get("summary", {})
            v = s.get(key)
            cells.append(f"{'n/a' if v is None else v:>15} {verdict(v, target, hib):>6}")
        op = "≥" if hib else "≤"
        print(f"{label:28}" + "".join(cells) + f"{op + ' ' + str(target):>12}")
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
    for n in names:
        failed = dbs[n].get("summary", {}).get("failed") or []
        if failed:
            print(f"{n} failures ({len(failed)}): {', '.join(failed)}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--limit", type=int, default=None, help="only the first N questions")
    parser.add_argument("--only", default="", help="comma-separated question ids (q001,q040)")
    parser.add_argument("--reuse", action="store_true",
                        help="reuse a previous bench database load instead of ingesting the file again")
    parser.add_argument("--repeat", type=int, default=1,
                        help="ask each question N times with fresh caches; latency = median of the N")
    parser.add_argument("--quiet", action="store_true", help="no per-question lines")
    opts = parser.parse_args(argv)

    if not answers.DATASET.exists():
        print(f"Dataset {answers.DATASET} is absent (benchmarks need /work/shared/datasets); nothing to measure.")
        return 0

    def log(msg: str) -> None:
        if not opts.quiet:
            print(msg, flush=True)

    only = [s.strip() for s in opts.only.split(",") if s.strip()]
    questions = load_questions(opts.limit, only)
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
        "questions": len(questions), "targets": TARGETS, "repeat": max(1, opts.repeat),
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
            result["databases"][db] = run_db(db, questions, expected, opts.reuse, log, max(1, opts.repeat))
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
            rec["expected"] = {k: v for k, v in expected[rec["id"]].items() if k not in ("all", "groups")}

    RESULTS.mkdir(parents=True, exist_ok=True)
    partial = bool(opts.limit or only)
    out = RESULTS / ("ask_partial.json" if partial else "ask.json")
    out.write_text(json.dumps(result, indent=1, default=str) + "\n", encoding="utf-8")
    print_summary(result)
    print(f"results: {out.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
