"""CLI start benchmark: wall time of `ecomintel --help`, an uncached `ecomintel ask` and a repeated one, each a
new process, on the full 541,909-line UCI Online Retail tenant — this tree against a baseline measured in
the same run.

Usage (from the repository root):
    .venv/bin/python bench/cli.py                       # SQLite, 10 runs each, baseline = BASELINE_REF
    .venv/bin/python bench/cli.py --runs 20 --db both   # also PostgreSQL (127.0.0.1, trust auth)
    .venv/bin/python bench/cli.py --baseline-ref HEAD~3 # another baseline commit
    .venv/bin/python bench/cli.py --no-baseline         # this tree only

Variants (every command runs as `python -m ecomintel …` in a fresh interpreter, the way a shell runs it):
- `current`: this working tree.
- `baseline`: the commit BASELINE_REF (the commit before the lazy CLI and the database cache), exported with
  `git archive` under var/bench/ and run from there on a tenant it loaded itself (its schema predates 0006).
- `eager` (informational): this tree with every ecomintel module, alembic, redis and rq imported before
  main() — what the start costs when a CLI imports everything at the top.

Measurements (alternating the variants run by run, so machine load hits them alike; the 1-minute load
average is recorded before and after):
- `help`: `ecomintel --help`.
- `ask_uncached`: `ecomintel ask Q --tenant T --json` with ECOMINTEL_CACHE_TTL_S=0, so no answer is cached
  and none is found; questions rotate through QUESTIONS. The stored planner vocabulary is kept (it is what
  every question after the first one after an upload finds).
- `ask_first_after_upload` (informational): `ecomintel cache clear` first, so the vocabulary is rebuilt too.
- `ask_repeated`: the same commands with the cache on, after each question was asked once.
Targets (issue 7): ask_uncached p50 ≤ 1.2 s, ask_repeated p50 ≤ 0.8 s (SQLite).

The tenant (SQLite): var/bench/cli_current.db — on first use a copy of bench/ask.py's persistent load
(var/bench/ask_sqlite.db, tenant bench-ask) when that holds the full file (a copy, because bench/ask.py clears
its tenant's cache while it runs), else loaded with `ecomintel ingest sales`; PostgreSQL: database
ecomintel_bench_cli_<variant>. The baseline always loads its own with its own code. Results: bench/results/cli.json (with the
`python -X importtime` profile of one uncached ask per variant: the 15 modules with the largest cumulative
import time). If /work/shared/datasets is absent the bench says so and exits 0.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import subprocess
import sys
import tarfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
VAR = ROOT / "var" / "bench"
RESULTS = BENCH / "results"
DATASET = Path("/work/shared/datasets/uci-online-retail/online-retail.csv.gz")
FULL_LINES = 536_637  # lines the full file stores (bench/ask.py's independent cleaning agrees)
BASELINE_REF = "da5480642a94b6f479b55da3c56102e772896e5c"  # before the lazy CLI and the database cache
PG_ADMIN_URL = os.environ.get("ECOMINTEL_BENCH_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
ASK_BENCH_DB, ASK_BENCH_TENANT = VAR / "ask_sqlite.db", "bench-ask"
TENANT = "bench-cli"
QUESTIONS = (
    "top 10 products by revenue in November 2011",
    "revenue by country last quarter excluding the UK",
    "how did revenue change from October to November 2011",
    "which products were returned most",
    "revenue by week in the last 8 weeks",
)
TARGETS = {"ask_uncached_p50_s": 1.2, "ask_repeated_p50_s": 0.8}
EAGER = ("import importlib, pkgutil, sys\n"
         "import ecomintel\n"
         "for m in pkgutil.walk_packages(ecomintel.__path__, 'ecomintel.'):\n"
         "    if '.migrations' not in m.name and not m.name.endswith('__main__'):\n"
         "        importlib.import_module(m.name)\n"
         "import alembic.command, redis, rq\n"
         "from ecomintel.cli import main\n"
         "sys.exit(main(sys.argv[1:]))\n")


# -- variants and their tenants ------------------------------------------------------------------------
class Variant:
    """A way of running the CLI: a code folder, how python is started, and the tenant it answers for."""

    def __init__(self, name: str, code: Path, prefix: list[str], label: str = "current") -> None:
        self.name, self.code, self.prefix = name, code, prefix
        self.label = label  # names the variant's own database: current, baseline_<sha>
        self.db_url = ""
        self.tenant = TENANT

    def env(self, **extra: str) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items()
               if k not in ("ECOMINTEL_REDIS_URL", "OPENAI_API_KEY", "GEMINI_API_KEY", "ECOMINTEL_LLM_BASE_URL",
                            "PYTHONPATH")}
        env.update({"ECOMINTEL_DATABASE_URL": self.db_url, "ECOMINTEL_LLM_PROVIDER": "none",
                    "ECOMINTEL_DEMO_MODE": "1", "ECOMINTEL_LOG_LEVEL": "WARNING"})
        env.update(extra)
        return env

    def run(self, args: list[str], *, env: dict[str, str] | None = None, check: bool = True,
            python_flags: tuple[str, ...] = ()) -> tuple[float, subprocess.CompletedProcess[str]]:
        cmd = [sys.executable, *python_flags, *self.prefix, *args]
        started = time.perf_counter()
        done = subprocess.run(cmd, cwd=self.code, env=env or self.env(), capture_output=True, text=True,
                              timeout=600)
        elapsed = time.perf_counter() - started
        if check and done.returncode != 0:
            raise RuntimeError(f"{self.name}: {' '.join(args[:3])} … exited {done.returncode}: "
                               f"{done.stderr.strip()[-600:]}")
        return elapsed, done


def export_baseline(ref: str) -> Variant:
    """The baseline commit's files under var/bench/cli-baseline-<sha>/ (kept between runs), as a Variant."""
    sha = subprocess.run(["git", "rev-parse", ref], cwd=ROOT, capture_output=True, text=True,
                         check=True).stdout.strip()
    folder = VAR / f"cli-baseline-{sha[:12]}"
    if not (folder / "ecomintel" / "cli.py").exists():
        folder.mkdir(parents=True, exist_ok=True)
        archive = subprocess.run(["git", "archive", "--format=tar", sha], cwd=ROOT, capture_output=True,
                                 check=True).stdout
        tar_path = folder.with_suffix(".tar")
        tar_path.write_bytes(archive)
        with tarfile.open(tar_path) as tar:
            tar.extractall(folder, filter="data")
        tar_path.unlink()
    return Variant("baseline", folder, ["-m", "ecomintel"], label=f"baseline_{sha[:12]}")


def sales_lines(variant: Variant, tenant: str) -> int:
    _, done = variant.run(["tenants", "--json"], check=False)
    if done.returncode != 0:
        return 0
    return next((int(t["sales_lines"]) for t in json.loads(done.stdout) if t["slug"] == tenant), 0)


def pg_database(name: str) -> str:
    import sqlalchemy as sa

    admin = sa.create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            if not conn.execute(sa.text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name}).scalar():
                conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    finally:
        admin.dispose()
    return PG_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"


def copy_ask_bench_load(variant: Variant, path: Path, log: Any) -> str | None:
    """bench/ask.py's persistent load copied to `path` (SQLite's backup API: a consistent snapshot), when it
    holds the full tenant. A copy, not the file itself: bench/ask.py clears its tenant's cache while it runs."""
    import sqlite3

    log(f"  {variant.name}: copying {ASK_BENCH_DB.relative_to(ROOT)} (bench/ask.py's load) to {path.name} …")
    with sqlite3.connect(ASK_BENCH_DB) as source, sqlite3.connect(path) as target:
        source.backup(target)
    variant.db_url, variant.tenant = f"sqlite:///{path}", ASK_BENCH_TENANT
    if sales_lines(variant, ASK_BENCH_TENANT) == FULL_LINES:
        return str(ASK_BENCH_DB.relative_to(ROOT))
    path.unlink()
    return None


def prepare(variant: Variant, db: str, log: Any) -> dict[str, Any]:
    """Point the variant at a database holding the full tenant, loading it with the variant's own CLI if needed."""
    if db == "sqlite":
        path = VAR / f"cli_{variant.label}.db"
        where = str(path.relative_to(ROOT))
        if variant.label == "current" and not path.exists() and ASK_BENCH_DB.exists():
            copied = copy_ask_bench_load(variant, path, log)
            if copied:
                return {"database": where, "tenant": variant.tenant, "loaded": False, "copied_from": copied}
        variant.db_url, variant.tenant = f"sqlite:///{path}", TENANT
    else:
        where = f"ecomintel_bench_cli_{variant.label}"
        variant.db_url, variant.tenant = pg_database(where), TENANT
    if sales_lines(variant, variant.tenant) == FULL_LINES:
        return {"database": where, "tenant": variant.tenant, "loaded": False}
    log(f"  {variant.name}: loading the full file into {where} with `ecomintel ingest sales` …")
    seconds, _ = variant.run(["ingest", "sales", str(DATASET), "--tenant", TENANT, "--quiet"])
    stored = sales_lines(variant, TENANT)
    if stored != FULL_LINES:
        raise RuntimeError(f"{variant.name}: the tenant holds {stored:,} lines, expected {FULL_LINES:,}")
    return {"database": where, "tenant": TENANT, "loaded": True, "ingest_s": round(seconds, 2)}


# -- measuring -----------------------------------------------------------------------------------------
def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    rank = max(0.0, min(len(ordered) - 1.0, q / 100 * (len(ordered) - 1)))
    low = int(rank)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


def stats(samples: list[float]) -> dict[str, Any]:
    return {"runs": len(samples), "p50_s": round(percentile(samples, 50), 3), "p95_s": round(percentile(samples, 95), 3),
            "min_s": round(min(samples), 3), "max_s": round(max(samples), 3),
            "samples_s": [round(s, 3) for s in samples]}


def ask_args(variant: Variant, question: str) -> list[str]:
    return ["ask", question, "--tenant", variant.tenant, "--json"]


def timed_ask(variant: Variant, question: str, **env: str) -> tuple[float, dict[str, Any]]:
    seconds, done = variant.run(ask_args(variant, question), env=variant.env(**env))
    report = json.loads(done.stdout)
    return seconds, {"cached": bool(report.get("cached")), "status": report.get("status"),
                     "intent": report.get("intent"), "elapsed_ms": report.get("elapsed_ms")}


def measure(variants: list[Variant], runs: int, log: Any) -> dict[str, dict[str, Any]]:
    out: dict[str, dict[str, Any]] = {v.name: {} for v in variants}
    samples: dict[tuple[str, str], list[float]] = {}
    notes: dict[tuple[str, str], list[dict[str, Any]]] = {}

    def record(v: Variant, what: str, seconds: float, note: dict[str, Any] | None = None) -> None:
        samples.setdefault((v.name, what), []).append(seconds)
        if note is not None:
            notes.setdefault((v.name, what), []).append(note)

    for v in variants:  # warm-up (unmeasured): page cache, .pyc files; no answers left from earlier runs
        v.run(["--help"])
        v.run(["cache", "clear", "--tenant", v.tenant], check=False)  # the baseline has no such command
        timed_ask(v, QUESTIONS[0], ECOMINTEL_CACHE_TTL_S="0")  # builds and stores the vocabulary
    log(f"  help, {runs} runs per variant …")
    for _ in range(runs):
        for v in variants:
            record(v, "help", v.run(["--help"])[0])
    log(f"  ask uncached, {runs} runs per variant …")
    for i in range(runs):
        for v in variants:
            seconds, note = timed_ask(v, QUESTIONS[i % len(QUESTIONS)], ECOMINTEL_CACHE_TTL_S="0")
            record(v, "ask_uncached", seconds, note)
    log(f"  ask, first question after an upload (vocabulary rebuilt), {max(3, runs // 3)} runs per variant …")
    for i in range(max(3, runs // 3)):
        for v in variants:
            v.run(["cache", "clear", "--tenant", v.tenant], check=False)
            seconds, note = timed_ask(v, QUESTIONS[i % len(QUESTIONS)], ECOMINTEL_CACHE_TTL_S="0")
            record(v, "ask_first_after_upload", seconds, note)
    for v in variants:  # each question asked once with the cache on (unmeasured), then repeated
        for q in QUESTIONS:
            timed_ask(v, q)
    log(f"  ask repeated, {runs} runs per variant …")
    for i in range(runs):
        for v in variants:
            seconds, note = timed_ask(v, QUESTIONS[i % len(QUESTIONS)])
            record(v, "ask_repeated", seconds, note)
    for (name, what), values in samples.items():
        out[name][what] = stats(values)
        if (name, what) in notes:
            answers = notes[(name, what)]
            out[name][what]["cached_answers"] = sum(a["cached"] for a in answers)
            out[name][what]["statuses"] = sorted({str(a["status"]) for a in answers})
            out[name][what]["in_process_ms_p50"] = round(percentile([float(a["elapsed_ms"] or 0) for a in answers], 50))
    return out


_IMPORT_LINE = re.compile(r"^import time:\s+(\d+) \|\s+(\d+) \|( *)(\S+)\s*$")


def import_profiles(variant: Variant, question: str) -> dict[str, Any]:
    """The import profile of `question` asked uncached (nothing cached; the vocabulary stored, as for every
    question but the first after an upload) and, for variants with a cache across processes, repeated."""
    variant.run(["cache", "clear", "--tenant", variant.tenant], check=False)  # the baseline has no such command
    timed_ask(variant, QUESTIONS[1], ECOMINTEL_CACHE_TTL_S="0")  # stores the vocabulary only
    out = {"uncached": import_profile(variant, question, ECOMINTEL_CACHE_TTL_S="0")}
    timed_ask(variant, question)  # now cached (where the variant caches across processes)
    out["repeated"] = import_profile(variant, question)
    return out


def import_profile(variant: Variant, question: str, top: int = 15, **env: str) -> dict[str, Any]:
    """`python -X importtime` of one ask: the `top` modules by cumulative import time, and the total."""
    _, done = variant.run(ask_args(variant, question), env=variant.env(**env), python_flags=("-X", "importtime"))
    rows = []
    total_us = 0
    for line in done.stderr.splitlines():
        found = _IMPORT_LINE.match(line)
        if not found:
            continue
        self_us, cumulative_us, indent, name = int(found[1]), int(found[2]), len(found[3]), found[4]
        rows.append({"module": name, "cumulative_ms": round(cumulative_us / 1000, 1),
                     "self_ms": round(self_us / 1000, 1), "depth": (indent - 1) // 2})
        total_us += self_us
    rows.sort(key=lambda r: -float(r["cumulative_ms"]))
    report = json.loads(done.stdout)
    return {"cached": bool(report.get("cached")), "total_import_ms": round(total_us / 1000),
            "modules_imported": len(rows), "top": rows[:top]}


def load_average() -> float:
    return round(os.getloadavg()[0], 2)


# -- report ----------------------------------------------------------------------------------------------
def print_summary(result: dict[str, Any]) -> None:
    for db, data in result["databases"].items():
        print(f"\n== {db} (load {data['load_before']} → {data['load_after']}) ==")
        names = list(data["variants"])
        print(f"{'':32}" + "".join(f"{n:>22}" for n in names))
        for what in ("help", "ask_uncached", "ask_first_after_upload", "ask_repeated"):
            cells = []
            for n in names:
                s = data["variants"][n].get(what)
                cells.append(f"{s['p50_s']:.2f} / {s['p95_s']:.2f} s" if s else "-")
            print(f"{what + ' p50 / p95':32}" + "".join(f"{c:>22}" for c in cells))
        for what in ("ask_uncached", "ask_repeated"):  # what the answer itself took, inside the process
            cells = [f"{data['variants'][n][what]['in_process_ms_p50']} ms" for n in names]
            print(f"{'  in ask(), p50':32}" + "".join(f"{c:>22}" for c in cells) + f"   ({what})")
        current = data["variants"]["current"]
        for key, target in TARGETS.items():
            what = key.removesuffix("_p50_s")
            got = current[what]["p50_s"]
            line = f"target {what} p50 ≤ {target} s: {got:.2f} s {'PASS' if got <= target else 'FAIL'}"
            if "baseline" in data["variants"]:
                base = data["variants"]["baseline"][what]["p50_s"]
                line += f" (baseline {base:.2f} s, {base / got:.1f}× faster)"
            print(line)
        for n, profiles in data.get("import_profiles", {}).items():
            for kind, prof in profiles.items():
                print(f"\nimport profile, {n}, {kind} ask (answer {'cached' if prof['cached'] else 'computed'}): "
                      f"{prof['modules_imported']} modules, {prof['total_import_ms']} ms in imports")
                for r in prof["top"]:
                    print(f"  {r['cumulative_ms']:8.1f} ms  {'  ' * r['depth']}{r['module']}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--runs", type=int, default=10, help="runs per command and variant (≥ 5)")
    parser.add_argument("--db", choices=["sqlite", "postgres", "both"], default="sqlite")
    parser.add_argument("--baseline-ref", default=BASELINE_REF, help="git commit to compare with")
    parser.add_argument("--no-baseline", action="store_true", help="measure this tree only")
    parser.add_argument("--no-eager", action="store_true", help="skip the eager-import variant")
    opts = parser.parse_args(argv)
    if opts.runs < 5:
        parser.error("--runs must be at least 5")
    if not DATASET.exists():
        print(f"{DATASET} is not here (the benchmarks read ../shared/datasets); nothing to measure.")
        return 0

    def log(msg: str) -> None:
        print(msg, file=sys.stderr, flush=True)

    result: dict[str, Any] = {
        "bench": "cli", "started_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "commit": subprocess.run(["git", "rev-parse", "HEAD"], cwd=ROOT, capture_output=True,
                                 text=True).stdout.strip(),
        "dirty_tree": bool(subprocess.run(["git", "status", "--porcelain"], cwd=ROOT, capture_output=True,
                                          text=True).stdout.strip()),
        "baseline_ref": None if opts.no_baseline else opts.baseline_ref,
        "machine": {"python": platform.python_version(), "cpus": os.cpu_count(), "platform": platform.platform()},
        "questions": list(QUESTIONS), "runs": opts.runs, "targets": TARGETS, "databases": {},
    }
    for db in (["sqlite", "postgres"] if opts.db == "both" else [opts.db]):
        log(f"{db}:")
        variants = [Variant("current", ROOT, ["-m", "ecomintel"])]
        if not opts.no_baseline:
            variants.append(export_baseline(opts.baseline_ref))
        tenants = {v.name: prepare(v, db, log) for v in variants}
        if not opts.no_eager:
            eager = Variant("eager", ROOT, ["-c", EAGER])
            eager.db_url, eager.tenant = variants[0].db_url, variants[0].tenant
            variants.insert(1, eager)
            tenants["eager"] = tenants["current"]
        data: dict[str, Any] = {"tenants": tenants, "load_before": load_average()}
        data["variants"] = measure(variants, opts.runs, log)
        data["load_after"] = load_average()
        log("  import profiles …")
        data["import_profiles"] = {v.name: import_profiles(v, QUESTIONS[0]) for v in variants if v.name != "eager"}
        result["databases"][db] = data
    result["finished_at"] = datetime.now(UTC).isoformat(timespec="seconds")
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "cli.json").write_text(json.dumps(result, indent=2) + "\n")
    print_summary(result)
    print(f"\nwritten: {(RESULTS / 'cli.json').relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
