"""The `ecomintel models list|train|activate` and `ecomintel sentiment FILE` commands (cli.py parses them).

Why apart from cli.py: cli.py stays a thin table of subcommands whose imports cost nothing at `--help`; these
functions import the registry and scikit-learn only when they run.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from ecomintel.config import Settings


def _registry(settings: Settings, engine: Any) -> Any:
    from ecomintel.models.registry import ModelRegistry

    return ModelRegistry(engine, settings.data_dir)


def _figures(metrics: dict[str, Any]) -> str:
    parts = []
    for key, label in (("binary_macro_f1", "bin-F1"), ("binary_accuracy", "bin-acc"), ("macro_f1", "3c-F1"),
                       ("accuracy", "3c-acc"), ("reviews_per_s", "rev/s")):
        if key in metrics:
            parts.append(f"{label} {metrics[key]:g}")
    return "  ".join(parts)


def models_list(args: argparse.Namespace, settings: Settings, engine: Any) -> int:
    registry = _registry(settings, engine)
    versions = registry.versions(args.kind)
    if args.json:
        print(json.dumps([v.as_dict() for v in versions], indent=2, default=str))
        return 0
    if not versions:
        print(f"No {args.kind} model versions yet. Train one: ecomintel models train {args.kind}")
        return 0
    ranked = {v.version: i + 1 for i, v in enumerate(registry.ranked(args.kind))} if args.kind in (
        "sentiment",) else {}
    for v in versions:
        mark = "*" if v.active else " "
        rank = f"#{ranked[v.version]}" if v.version in ranked else "  "
        created = v.created_at.strftime("%Y-%m-%d %H:%M") if v.created_at else ""
        print(f"{mark} {rank:>3} {v.version:<52} {v.name:<13} {created}  {_figures(v.metrics)}")
    print("(* active; #n = rank by held-out binary macro-F1 on the newest split)")
    return 0


def models_train(args: argparse.Namespace, settings: Settings, engine: Any) -> int:
    from ecomintel.errors import InputError

    if args.kind != "sentiment":
        raise InputError(f"`models train` trains sentiment models; {args.kind} versions are registered by "
                         "their own commands.")
    from ecomintel.models.sentiment.training import train_sentiment

    registry = _registry(settings, engine)
    print(f"training on {args.data or 'the shipped sample (data/samples/clothing_reviews_3000.csv)'} …",
          file=sys.stderr)
    result = train_sentiment(registry, settings, args.data, seed=args.seed, activate=not args.no_activate)
    if args.json:
        print(json.dumps({"registered": [v.as_dict() for v in result.registered],
                          "active": result.active.version if result.active else None,
                          "majority_baseline": result.baseline, "skipped": result.skipped}, indent=2, default=str))
        return 0
    for v in result.registered:
        print(f"registered {v.version:<52} {_figures(v.metrics)}")
    print(f"majority class ({result.baseline['label']}): bin-F1 {result.baseline['binary_macro_f1']:g}  "
          f"3c-F1 {result.baseline['macro_f1']:g}")
    for note in result.skipped:
        print(f"skipped: {note}")
    if result.active is not None:
        print(f"active: {result.active.version}")
    return 0


def models_activate(args: argparse.Namespace, settings: Settings, engine: Any) -> int:
    mv = _registry(settings, engine).activate(args.kind, args.version)
    print(f"active {args.kind} model: {mv.version} ({mv.name})  {_figures(mv.metrics)}")
    return 0


def sentiment_file(args: argparse.Namespace, settings: Settings, engine: Any) -> int:
    from ecomintel.models.sentiment import load_active_model
    from ecomintel.models.sentiment.score_file import score_file

    model = load_active_model(settings, engine=engine)
    done = score_file(args.file, args.out, model, max_mb=settings.max_upload_mb, text_column=args.text_column,
                      title_column=args.title_column)
    if args.json:
        print(json.dumps({"rows": done.rows, "out": str(args.out), "text_column": done.text_column,
                          "title_column": done.title_column, "model": done.model, "model_version": done.model_version,
                          "counts": done.counts, "not_judged": done.not_judged,
                          "reviews_per_s": round(done.reviews_per_s, 1), "seconds": round(done.total_seconds, 3)}))
        return 0
    title = f" + title {done.title_column!r}" if done.title_column else ""
    print(f"scored {done.rows} reviews (text {done.text_column!r}{title}) with {done.model_version} → {args.out}")
    print("  " + "  ".join(f"{k} {v}" for k, v in done.counts.items())
          + (f"  (not judged: {done.not_judged})" if done.not_judged else ""))
    print(f"  {done.reviews_per_s:,.0f} reviews/s scoring; {done.total_seconds:.2f} s in all")
    fallback = getattr(model, "fallback_reason", None)
    if fallback:
        print(f"  note: {fallback}", file=sys.stderr)
    return 0
