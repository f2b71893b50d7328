"""Period parser speed: `resolve_periods` over 2,000 questions, the table-driven scanner (this tree) against
the scanner it replaced (ecomintel/ask/periods.py at commit BASELINE, read with `git show`), measured in the
same run. Target (issue 7): no more than 20 % slower.

The 2,000 questions: every question of bench/questions.jsonl, then questions built from a fixed seed out of
metric words, period phrases old and new (typos, abbreviations, "week of", foreign month names, weekday
filters) and filters — so both scanners see the same text, including words only the new one reads.
Passes alternate (baseline, new, baseline, …) so a busy shared machine slows both alike, and the fastest
pass of each counts (the one least disturbed by other work; the median is reported beside it). Anchored like the full Online Retail file: 2010-12-01..2011-12-09. Needs git for the baseline
(without it, only the new scanner is timed). Writes bench/results/periods.json.

    .venv/bin/python bench/periods.py [--repeats 7]
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import platform
import random
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, date, datetime
from pathlib import Path
from types import ModuleType
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from ecomintel.ask import periods as after  # noqa: E402
from ecomintel.errors import PlanError  # noqa: E402

BASELINE = "d874364"  # main before issue 7's period work: the 231-line _scan_all scanner
QUESTIONS = ROOT / "bench" / "questions.jsonl"
RESULTS = ROOT / "bench" / "results" / "periods.json"
START, END = date(2010, 12, 1), date(2011, 12, 9)
N_QUESTIONS, MAX_SLOWDOWN = 2000, 1.20

_METRICS = ["revenue", "rev", "sales", "units sold", "orders", "aov", "how many customers", "top 5 products by revenue",
            "bottom 10 skus", "returns", "why did revenue drop", "revenue trend", "which country sold most",
            "compare revenue", "what share of revenue came from", "new vs returning customers"]
_PERIODS = ["", "last month", "last mth", "this qtr", "last qtr", "nov 2011", "Novmber", "in november", "q3", "Q4 2011",
            "week 48", "wk 45 2011", "2011-11-05", "5 nov 2011", "last 4 weeks", "L4W", "last 30d", "past fortnight",
            "ytd", "mtd", "this yr", "last 3 mths", "week of 9 nov", "w/c 2011-11-07", "week ending 13/11/2011",
            "noviembre 2011", "im März 2011", "en agosto", "décembre 2010", "mars bars", "dec 1-9",
            "between oct and nov", "october vs november", "from 2011-10-01 to 2011-10-15", "since october",
            "month over month", "yoy", "vs ly", "the first half of 2011", "H2", "yesterday", "the last 7 days"]
_FILTERS = ["", "in the uk", "excluding the uk", "for germany and france", "on sundays", "on weekends", "mon-fri",
            "excluding weekends", "every monday", "by country", "by weekday", "which weekday", "per day",
            "for white hanging heart t-light holder", "more than 2000 units", "top 10"]


def questions(n: int = N_QUESTIONS) -> list[str]:
    """bench/questions.jsonl, then generated ones (fixed seed) up to n."""
    out: list[str] = []
    if QUESTIONS.exists():
        out = [json.loads(line)["question"] for line in QUESTIONS.read_text().splitlines() if line.strip()][:n]
    rng = random.Random(7)
    while len(out) < n:
        parts = [rng.choice(_METRICS), rng.choice(_PERIODS), rng.choice(_FILTERS)]
        rng.shuffle(parts)
        text = " ".join(p for p in parts if p)
        out.append(text.lower() if rng.random() < 0.5 else text)
    return out


def baseline_module() -> ModuleType | None:
    """ecomintel/ask/periods.py as it was at BASELINE, imported under another name; None without git."""
    try:
        source = subprocess.run(["git", "-C", str(ROOT), "show", f"{BASELINE}:ecomintel/ask/periods.py"],
                                check=True, capture_output=True, text=True).stdout
    except (OSError, subprocess.CalledProcessError):
        return None
    path = Path(tempfile.mkdtemp()) / "periods_baseline.py"
    path.write_text(source)
    spec = importlib.util.spec_from_file_location("periods_baseline", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["periods_baseline"] = module
    spec.loader.exec_module(module)
    return module


def one_pass(resolve: Callable[..., Any], texts: list[str]) -> tuple[float, dict[str, int]]:
    counts = {"with_period": 0, "plan_error": 0}
    t0 = time.perf_counter()
    for text in texts:
        try:
            result = resolve(text, data_start=START, data_end=END)
        except PlanError:
            counts["plan_error"] += 1
            continue
        counts["with_period"] += bool(result.periods)
    return time.perf_counter() - t0, counts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=9, help="timed passes per scanner (the fastest counts)")
    args = parser.parse_args()
    texts = questions()
    before = baseline_module()
    scanners: dict[str, Callable[..., Any]] = {"after": after.resolve_periods}
    if before is not None:
        scanners = {"before": before.resolve_periods, **scanners}
    else:
        print(f"git history unavailable: timing only the new scanner (no baseline {BASELINE}).")
    for resolve in scanners.values():  # warm-up: regex compilation and caches
        one_pass(resolve, texts)
    runs: dict[str, list[float]] = {name: [] for name in scanners}
    counts: dict[str, dict[str, int]] = {}
    for _ in range(args.repeats):
        for name, resolve in scanners.items():
            seconds, counts[name] = one_pass(resolve, texts)
            runs[name].append(seconds)
    out: dict[str, Any] = {
        "bench": "periods", "when": datetime.now(UTC).isoformat(timespec="seconds"), "baseline_commit": BASELINE,
        "questions": len(texts), "repeats": args.repeats, "python": platform.python_version(),
        "load_1min": round(os.getloadavg()[0], 2), "target": f"after ≤ {MAX_SLOWDOWN:.2f} × before",
    }
    for name, passes in runs.items():
        fastest, median = min(passes), statistics.median(passes)
        out[name] = {"fastest_s": round(fastest, 4), "median_s": round(median, 4),
                     "per_question_us": round(fastest / len(texts) * 1e6, 1),
                     "runs_s": [round(s, 4) for s in passes], **counts[name]}
        print(f"{name:>6}: {fastest * 1000:8.1f} ms per {len(texts)} questions, fastest pass "
              f"({fastest / len(texts) * 1e6:6.1f} µs each; median pass {median * 1000:.1f} ms); "
              f"{counts[name]['with_period']} with a period, {counts[name]['plan_error']} PlanError")
    if "before" in out:
        ratio = out["after"]["fastest_s"] / out["before"]["fastest_s"]
        out["median_ratio"] = round(out["after"]["median_s"] / out["before"]["median_s"], 3)
        out["ratio"], out["ok"] = round(ratio, 3), ratio <= MAX_SLOWDOWN
        print(f" ratio: {ratio:.2f}× the baseline's time (target ≤ {MAX_SLOWDOWN:.2f}×): "
              f"{'ok' if ratio <= MAX_SLOWDOWN else 'TOO SLOW'}")
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(out, indent=2) + "\n")
    print(f"wrote {RESULTS.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
