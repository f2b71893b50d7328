"""Price tracker bench (issue 13): 1,000 product pages on 5 local hosts (local HTTP servers on 5 ports), each
host under a per-host rate limit; pages/s against the limit's ceiling (hosts × rate), and no page lost when
10% of requests fail transiently (500, 503, 429 with Retry-After, timeouts): every page ends stored in
price_history or in the run's error list with its reason. A stress case (40% failures, 1 retry) puts pages
in the error list on purpose, to check that path loses nothing either.

Baseline in the same run: the same tracker with one host fetched at a time (workers=1), whose ceiling is the
per-host rate alone — what parallel hosts buy. The pages carry real product names and prices (Abt catalogue,
/work/shared/datasets/abt-buy/Abt.csv): 40% JSON-LD, 40% microdata, 20% plain HTML read by a CSS selector.
The run stores through the real pipeline into a SQLite tenant. Writes bench/results/sync.json.

    .venv/bin/python bench/sync.py [--pages 1000] [--hosts 5] [--rate 20] [--fail 0.10] [--baseline-pages 200]
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import random
import sys
import tempfile
import threading
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


from ecomintel.context import RequestContext  # noqa: E402
from ecomintel.db import models as m  # noqa: E402
from ecomintel.db.engine import make_engine, migrate  # noqa: E402
from ecomintel.db.repository import Repository  # noqa: E402
from ecomintel.db.tenants import ensure_tenant  # noqa: E402
from ecomintel.sync.runner import run_source  # noqa: E402
from ecomintel.sync.sources import configure_source  # noqa: E402
from tests.sync_helpers import json_ld_page, microdata_page, plain_page, sync_settings  # noqa: E402
from tests.sync_servers import Reply, ScriptedServer  # noqa: E402

ABT = Path("/work/shared/datasets/abt-buy/Abt.csv")
OUT = ROOT / "bench" / "results" / "sync.json"
TIMEOUT_S = 1.0


def catalogue(n: int) -> list[tuple[str, str, float]]:
    rows = []
    with ABT.open(encoding="latin-1", newline="") as f:
        for r in csv.DictReader(f):
            price = r["price"].replace("$", "").replace(",", "").strip()
            if price:
                rows.append((f"ABT-{r['id']}", r["name"][:120], float(price)))
    return [rows[i % len(rows)] for i in range(n)]


def page_for(i: int, sku: str, name: str, price: float) -> str:
    kind = i % 5
    if kind in (0, 1):
        return json_ld_page(sku, price, currency="USD", name=name)
    if kind in (2, 3):
        return microdata_page(sku, price, currency="USD", availability="InStock")
    return plain_page(f"${price:,.2f}")


class Faults:
    """Deterministic transient failures: each request fails with probability `rate` (seeded)."""

    def __init__(self, rate: float, seed: int) -> None:
        self.rate, self.rng, self.lock = rate, random.Random(seed), threading.Lock()
        self.injected: dict[str, int] = defaultdict(int)

    def __call__(self, path: str, headers: dict[str, str]) -> Reply | None:
        if path == "/robots.txt" or self.rate <= 0:
            return None
        with self.lock:
            if self.rng.random() >= self.rate:
                return None
            kind = self.rng.choice(["500", "503", "429", "timeout"])
            self.injected[kind] += 1
        if kind == "429":
            return Reply(429, headers={"Retry-After": "1"})
        if kind == "timeout":
            return Reply(200, body="<html>late</html>", delay_s=TIMEOUT_S + 0.5)
        return Reply(int(kind))


def max_per_second(times: list[float]) -> int:
    """Most requests a host saw in any 1-second window."""
    times = sorted(times)
    best, lo = 0, 0
    for hi, t in enumerate(times):
        while times[lo] <= t - 1.0:
            lo += 1
        best = max(best, hi - lo + 1)
    return best


def serve(conn: Any, items: list[tuple[str, str, float]], hosts: int, fail: float, seed: int) -> None:
    """The shops, in a child process (remote hosts do not share our interpreter's GIL): serve the pages,
    inject the faults, then report every request's (host, path, monotonic time) and the faults injected."""
    servers = [ScriptedServer() for _ in range(hosts)]
    faults = [Faults(fail, seed + i) for i in range(hosts)]
    urls = []
    for server, fault in zip(servers, faults, strict=True):
        server.__enter__()
        server.route("/robots.txt", Reply(200, "User-agent: *\nDisallow: /private/\n"))
        server.dynamic = fault
    for i, (sku, name, price) in enumerate(items):
        server = servers[i % hosts]
        server.route(f"/p/{i}", Reply(200, page_for(i, sku, name, price)))
        urls.append({"url": server.url(f"/p/{i}"), "sku": sku})
    conn.send({"urls": urls, "hosts": [s.url("/").split("//", 1)[1].rstrip("/") for s in servers]})
    conn.recv()  # stop
    for server in servers:
        server.__exit__(None, None, None)
    injected: dict[str, int] = defaultdict(int)
    for f in faults:
        for k, v in f.injected.items():
            injected[k] += v
    conn.send({"requests": [[h, r.path, r.at] for h, srv in enumerate(servers) for r in srv.requests],
               "injected": dict(injected)})


def run_case(label: str, pages: int, hosts: int, rate: float, fail: float, workers: int, seed: int,
             retries: int = 3) -> dict[str, Any]:
    import multiprocessing as mp

    base = catalogue(pages)
    items = [(f"P{i:04d}-{sku}", name, price) for i, (sku, name, price) in enumerate(base)]  # one SKU per page
    parent, child = mp.Pipe()
    shops = mp.get_context("fork").Process(target=serve, args=(child, items, hosts, fail, seed), daemon=True)
    shops.start()
    served = parent.recv()
    urls = served["urls"]
    with tempfile.TemporaryDirectory() as tmp:
        engine = make_engine(f"sqlite:///{tmp}/bench.db")
        migrate(engine)
        repo = Repository(engine, RequestContext(tenant_id=ensure_tenant(engine, "bench").id))
        configure_source(repo, name="bench", connector="price_tracker",
                         options={"urls": urls, "selectors": {h: {"price": ".now-price"} for h in served["hosts"]},
                                  "rate_per_host": rate, "workers": workers, "per_host": 4 if workers > 1 else 1})
        settings = sync_settings(sync_retries=retries, sync_timeout_s=TIMEOUT_S, sync_host_rps=rate)
        started = time.perf_counter()
        run = run_source(repo, settings, "bench")
        elapsed = time.perf_counter() - started
        with engine.connect() as conn:
            stored = {r.sku: r.price for r in conn.execute(
                repo.scoped(m.price_history, m.price_history.c.sku, m.price_history.c.price))}
        engine.dispose()
    parent.send("stop")
    log = parent.recv()
    shops.join(timeout=10)
    expected = {sku: price for sku, _name, price in items}
    errored = {e["item"] for e in run["errors"] or []}
    url_sku = {u["url"]: u["sku"] for u in urls}
    lost = [u["url"] for u in urls if u["sku"] not in stored and u["url"] not in errored]
    wrong = [s for s, p in stored.items() if abs(expected[s] - p) > 0.005]
    page_times = [at for _h, path, at in log["requests"] if path != "/robots.txt"]
    per_host: dict[int, list[float]] = defaultdict(list)
    for h, _path, at in log["requests"]:
        per_host[h].append(at)
    ceiling = rate * min(hosts, workers)  # one thread in all (the baseline) works one host at a time
    span = max(page_times) - min(page_times)
    return {
        "case": label, "pages": pages, "hosts": hosts, "rate_per_host": rate, "parallel_hosts": min(hosts, workers),
        "threads": workers, "retries": retries, "transient_failure_rate": fail, "injected_failures": log["injected"],
        "elapsed_s": round(elapsed, 2), "pages_per_s": round(pages / elapsed, 2), "ceiling_pages_per_s": ceiling,
        "share_of_ceiling": round(pages / elapsed / ceiling, 3),
        "fetch_span_s": round(span, 2), "fetch_pages_per_s": round(pages / max(span, 1e-9), 2),
        "requests": len(page_times), "max_requests_in_1s_per_host": max(max_per_second(t) for t in per_host.values()),
        "run_status": run["status"], "stored": len(stored), "in_error_list": len(errored),
        "error_reasons": sorted({e["reason"] for e in run["errors"] or []})[:10],
        "lost": len(lost), "wrong_price": len(wrong), "errors_naming_pages": all(e in url_sku for e in errored),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--pages", type=int, default=1000)
    parser.add_argument("--hosts", type=int, default=5)
    parser.add_argument("--rate", type=float, default=20.0, help="requests/s per host")
    parser.add_argument("--fail", type=float, default=0.10)
    parser.add_argument("--baseline-pages", type=int, default=200)
    parser.add_argument("--stress-pages", type=int, default=300, help="pages of the error-list case")
    parser.add_argument("--seed", type=int, default=13)
    args = parser.parse_args()
    if not ABT.exists():
        print(f"{ABT} not found: this bench needs /work/shared/datasets (see bench/README.md).")
        return 0
    load = os.getloadavg()
    cases = [
        run_case("parallel hosts, no failures", args.pages, args.hosts, args.rate, 0.0, 32, args.seed),
        run_case(f"parallel hosts, {args.fail:.0%} transient failures", args.pages, args.hosts, args.rate, args.fail,
                 32, args.seed),
        run_case("baseline: one host at a time, no failures", args.baseline_pages, args.hosts, args.rate, 0.0, 1,
                 args.seed),
        run_case("stress: 40% transient failures, 1 retry", args.stress_pages, args.hosts, args.rate, 0.4, 32,
                 args.seed, retries=1),
    ]
    result = {"bench": "sync", "cases": cases, "loadavg_1_5_15": [round(x, 2) for x in load],
              "cpus": os.cpu_count(), "when": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())}
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps(result, indent=2) + "\n")
    for c in cases:
        print(f"{c['case']:<44} {c['pages']:>5} pages in {c['elapsed_s']:>6.2f} s = {c['pages_per_s']:>6.1f} pages/s "
              f"(ceiling {c['ceiling_pages_per_s']:.0f}, {c['share_of_ceiling']:.0%}; fetching {c['fetch_pages_per_s']:.1f}/s); max {c['max_requests_in_1s_per_host']}"
              f" req/s/host; stored {c['stored']}, errors {c['in_error_list']}, lost {c['lost']}, wrong {c['wrong_price']}")
    print(f"load average {load[0]:.2f} on {os.cpu_count()} CPUs → {OUT.relative_to(ROOT)}")
    ok = all(c["lost"] == 0 and c["wrong_price"] == 0 for c in cases)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
