"""Review intelligence on the full women's clothing reviews (23,486): topics for 5,000 reviews (target ≤ 10 s),
the cross-review spam pass, scoring once and reading the stored scores, and the sentiment agent's answers.

Baselines measured in the same run:
- topics: the same TF-IDF + k-means with k fixed (no silhouette search), so the cost of choosing k is visible;
- near-duplicates: datasketch's MinHash + MinHashLSH (same 96 permutations over the same word bigrams, threshold
  0.6) against our numpy MinHash; the pairs both find are compared;
- the exact-duplicate check that ran before (normalised text equal);
- scoring: the first read of a tenant (scores every review) against the second (reads the stored scores).

    .venv/bin/python bench/reviews.py            # everything (~1-2 min on a quiet machine)
    .venv/bin/python bench/reviews.py --quick    # 5,000 reviews for the ingest/agent parts
Writes bench/results/reviews.json.
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
DATA = Path(os.environ.get("ECOMINTEL_DATASETS", ROOT.parent / "shared" / "datasets"))
REVIEWS = DATA / "womens-clothing-reviews" / "Womens Clothing E-Commerce Reviews.csv"
OUT = ROOT / "bench" / "results" / "reviews.json"


def _timed(fn, *args, **kwargs):  # type: ignore[no-untyped-def]
    started = time.perf_counter()
    value = fn(*args, **kwargs)
    return value, round(time.perf_counter() - started, 3)


def bench_topics(df: pd.DataFrame) -> dict[str, object]:
    from ecomintel.agents.review_aspects import product_nouns
    from ecomintel.agents.review_topics import find_topics

    texts = (df["Title"].fillna("") + ". " + df["Review Text"].fillna("")).str.strip(". ").tolist()
    neg = [t for t, r in zip(texts, df["Rating"], strict=True) if r <= 2][:5000]
    sample = texts[:5000]
    stop = sorted(product_nouns(sample) | {c.lower() for c in df["Class Name"].dropna().unique()})
    find_topics(sample[:200], extra_stopwords=stop)  # warm the imports, so the figure is the clustering
    result, seconds = _timed(find_topics, sample, extra_stopwords=stop)
    fixed, fixed_s = _timed(find_topics, sample, extra_stopwords=stop, k_range=(5, 5))
    negative, neg_s = _timed(find_topics, neg, extra_stopwords=stop)
    return {"reviews": len(sample), "seconds": seconds, "target_s": 10.0, "k": result.k,
            "silhouette": result.silhouette, "topics": [t.label for t in result.topics],
            "baseline_fixed_k5_seconds": fixed_s, "baseline_fixed_k5_silhouette": fixed.silhouette,
            "negative_reviews": len(neg), "negative_seconds": neg_s, "negative_k": negative.k,
            "negative_topics": [{"label": t.label, "reviews": t.reviews, "quote": t.quotes[0] if t.quotes else ""}
                                for t in negative.topics]}


def bench_spam(df: pd.DataFrame) -> dict[str, object]:
    from ecomintel.ingest import review_patterns as rp

    frame = pd.DataFrame({"review_key": df.iloc[:, 0].astype(str), "sku": df["Clothing ID"].astype(str),
                          "author": None, "text": df["Review Text"], "created_at": None})
    rp.near_duplicates(frame["text"].head(500), frame["sku"].head(500), frame["author"].head(500),
                       frame["review_key"].head(500))  # warm-up
    ours, ours_s = _timed(rp.near_duplicates, frame["text"], frame["sku"], frame["author"], frame["review_key"])
    flagged = ours[ours != ""]
    norm = frame["text"].fillna("").str.lower().str.replace(r"\W+", " ", regex=True).str.strip()
    exact, exact_s = _timed(lambda: ((norm.str.len() >= 20) & norm.duplicated(keep=False)))
    out: dict[str, object] = {"reviews": len(frame), "near_duplicate_seconds": ours_s,
                              "near_duplicates_flagged": len(flagged), "exact_duplicate_seconds": exact_s,
                              "exact_duplicates_flagged": int(exact.sum()),
                              "examples": [{"review": str(frame.loc[i, "review_key"]), "reason": str(flagged[i]),
                                            "text": str(frame.loc[i, "text"])[:160]} for i in flagged.index[:5]]}
    try:
        from datasketch import MinHash, MinHashLSH
    except ImportError:
        out["datasketch"] = "not installed"
        return out

    def datasketch_pairs() -> set[tuple[int, int]]:
        words = norm.str.split()
        keep = [i for i, w in enumerate(words) if len(w) >= rp.NEAR_DUP_MIN_WORDS]
        lsh = MinHashLSH(threshold=rp.NEAR_DUP_JACCARD, num_perm=rp.BANDS * rp.ROWS)
        hashes = {}
        for i in keep:
            w = words.iloc[i]
            mh = MinHash(num_perm=rp.BANDS * rp.ROWS, seed=1)
            mh.update_batch([f"{a} {b}".encode() for a, b in itertools.pairwise(w)])
            hashes[i] = mh
            lsh.insert(str(i), mh)
        pairs = set()
        for i, mh in hashes.items():
            for other in lsh.query(mh):
                j = int(other)
                if j != i:
                    a, b = set(zip(words.iloc[i][:-1], words.iloc[i][1:], strict=True)), set(
                        zip(words.iloc[j][:-1], words.iloc[j][1:], strict=True))
                    if len(a & b) / len(a | b) >= rp.NEAR_DUP_JACCARD:
                        pairs.add((min(i, j), max(i, j)))
        return pairs

    pairs, ds_s = _timed(datasketch_pairs)
    ds_flagged = {i for p in pairs for i in p}
    mine = set(int(i) for i in flagged.index)
    out.update({"baseline_datasketch_seconds": ds_s, "baseline_datasketch_flagged": len(ds_flagged),
                "flagged_by_both": len(mine & ds_flagged), "only_ours": len(mine - ds_flagged),
                "only_datasketch": len(ds_flagged - mine)})
    return out


def bench_tenant(df: pd.DataFrame, n: int) -> dict[str, object]:
    """Ingest n reviews into a fresh SQLite tenant, score them (first read) and answer review questions."""
    from ecomintel.agents.review_scores import active_model, ensure_scores
    from ecomintel.agents.sentiment import SentimentAgent
    from ecomintel.ask.offline_planner import offline_plan
    from ecomintel.config import load_settings
    from ecomintel.context import RequestContext
    from ecomintel.db.engine import make_engine, migrate
    from ecomintel.db.repository import Repository
    from ecomintel.db.tenants import ensure_tenant
    from ecomintel.ingest.pipeline import ingest_file

    folder = Path(tempfile.mkdtemp(prefix="bench_reviews_"))
    csv = folder / "reviews.csv"
    df.head(n).to_csv(csv, index=False)
    url = f"sqlite:///{folder / 'bench.db'}"
    settings = load_settings({"ECOMINTEL_DATABASE_URL": url, "ECOMINTEL_DATA_DIR": str(folder / "data")})
    engine = make_engine(url)
    migrate(engine)
    repo = Repository(engine, RequestContext(tenant_id=ensure_tenant(engine, "bench-reviews").id))
    ingested, ingest_s = _timed(ingest_file, repo, "reviews", csv, settings=settings)
    model, model_s = _timed(active_model, settings, engine)
    first, first_s = _timed(ensure_scores, repo, settings, model)
    second, second_s = _timed(ensure_scores, repo, settings, model)
    vocab = repo.vocabulary()
    answers = {}
    for question in ("what do customers complain about in dresses?", "how do customers feel about the fit?",
                     "what do people want us to add?", "sentiment by category", "aspect sentiment",
                     "what do customers love about knits?", "how many reviews are spam?"):
        plan = offline_plan(question, vocab)
        result, seconds = _timed(SentimentAgent(settings, model=model).run, repo.ctx, repo, plan)
        answers[question] = {"intent": plan.intent, "seconds": seconds, "status": result.status,
                             "summary": result.summary[:300]}
    engine.dispose()
    return {"reviews": n, "ingest_seconds": ingest_s, "flagged_patterns": ingested.profile.get("flagged_patterns"),
            "model": first.model_version, "model_load_seconds": model_s, "first_read_scoring_seconds": first_s,
            "scored": first.scored_now, "scoring_reviews_per_s": round(first.scored_now / max(first_s, 1e-9)),
            "second_read_seconds": second_s, "second_read_scored": second.scored_now, "answers": answers}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="5,000 reviews for the ingest and agent parts")
    args = parser.parse_args()
    if not REVIEWS.is_file():
        print(f"{REVIEWS} not found: the benchmark needs the shared datasets; nothing measured.")
        return 0
    df = pd.read_csv(REVIEWS)
    load = os.getloadavg()
    results: dict[str, object] = {"machine_load_1m_5m_15m": [round(x, 2) for x in load], "cpus": os.cpu_count()}
    results["topics"] = bench_topics(df.dropna(subset=["Review Text"]))
    t = results["topics"]
    print(f"topics, {t['reviews']:,} reviews: {t['seconds']} s (target ≤ {t['target_s']} s), k={t['k']} "  # type: ignore[index]
          f"silhouette {t['silhouette']}; baseline fixed k=5: {t['baseline_fixed_k5_seconds']} s")  # type: ignore[index]
    results["spam"] = bench_spam(df)
    s = results["spam"]
    print(f"near-duplicates over {s['reviews']:,} reviews: {s['near_duplicate_seconds']} s, "  # type: ignore[index]
          f"{s['near_duplicates_flagged']} flagged; datasketch baseline {s.get('baseline_datasketch_seconds')} s, "  # type: ignore[union-attr]
          f"{s.get('baseline_datasketch_flagged')} flagged, both {s.get('flagged_by_both')}; exact-duplicate "  # type: ignore[union-attr]
          f"check {s['exact_duplicates_flagged']} flagged")  # type: ignore[index]
    results["tenant"] = bench_tenant(df, 5000 if args.quick else len(df))
    r = results["tenant"]
    print(f"tenant of {r['reviews']:,} reviews: ingest {r['ingest_seconds']} s ({r['flagged_patterns']} pattern "  # type: ignore[index]
          f"flags); first read scores {r['scored']:,} with {r['model']} in {r['first_read_scoring_seconds']} s "  # type: ignore[index]
          f"({r['scoring_reviews_per_s']:,}/s), second read {r['second_read_seconds']} s")  # type: ignore[index]
    for q, a in r["answers"].items():  # type: ignore[index]
        print(f"  {a['seconds']:6.2f} s  {a['intent']:18} {q}")
    results["machine_load_after"] = [round(x, 2) for x in os.getloadavg()]
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps(results, indent=2, default=str) + "\n")
    print(f"wrote {OUT.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    np.seterr(all="ignore")
    raise SystemExit(main())
