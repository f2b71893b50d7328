"""`ecomintel match LEFT_FILE RIGHT_FILE --out PAIRS.csv`: the matcher on two export files.

Writes `left_id,right_id,score` for the `same` pairs only (the contract of issue 8), prints what it read
(rows, the columns it used), how many pairs it found and the wall time. Ids in the output are the files'
own ids; a cell starting with `=`, `+`, `-` or `@` is neutralised like every CSV export of ours
(ecomintel/ingest/export.py), since PAIRS.csv is typically opened in a spreadsheet.
"""

from __future__ import annotations

import argparse
import csv
import time
from pathlib import Path
from typing import TYPE_CHECKING

from ecomintel.errors import InputError

if TYPE_CHECKING:
    import pandas as pd


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("left", help="our catalogue (.csv/.tsv/.csv.gz/.xlsx; any delimiter/encoding)")
    p.add_argument("right", help="the other catalogue (a marketplace / competitor export)")
    p.add_argument("--out", required=True, help="where to write left_id,right_id,score (matched pairs only)")
    p.add_argument("--threshold", type=float, default=None, help="minimum score 0..1 for a match (default 0.5)")
    p.add_argument("--related", metavar="FILE", default=None,
                   help="also write the `related` pairs (variants: other size/colour/capacity) to FILE")


def run(args: argparse.Namespace, max_mb: int) -> int:
    from ecomintel.matching import match_products, read_catalogue

    if args.threshold is not None and not 0.0 <= args.threshold <= 1.0:
        raise InputError(f"--threshold must be between 0 and 1, not {args.threshold}.")
    started = time.perf_counter()
    left = read_catalogue(args.left, max_mb=max_mb)
    right = read_catalogue(args.right, max_mb=max_mb)
    for name, frame in (("left", left), ("right", right)):
        used = ", ".join(f"{k}←{v}" for k, v in frame.attrs.get("columns", {}).items())
        dropped = frame.attrs.get("duplicate_ids_dropped", 0)
        note = f"; {dropped} rows with a repeated id skipped" if dropped else ""
        print(f"{name}: {frame.attrs.get('file', '')}: {len(frame):,} products ({used}){note}")
    pairs = match_products(left, right, threshold=args.threshold)
    same = pairs[pairs["relation"] == "same"]
    out = Path(args.out)
    try:
        _write(out, same, ["left_id", "right_id", "score"])
        if args.related:
            _write(Path(args.related), pairs[pairs["relation"] == "related"],
                   ["left_id", "right_id", "score", "method"])
    except OSError as exc:
        raise InputError(f"Cannot write {exc.filename or out}: {exc.strerror or exc}.") from exc
    methods = ", ".join(f"{m} {n}" for m, n in same["method"].value_counts().items())
    related = int((pairs["relation"] == "related").sum())
    print(f"matched {len(same):,} pairs ({methods or 'none'}); {related:,} related (variants) not written"
          if not args.related else f"matched {len(same):,} pairs ({methods or 'none'}); {related:,} related → "
          f"{args.related}")
    print(f"wrote {out} in {time.perf_counter() - started:.2f} s")
    return 0


def _write(path: Path, frame: pd.DataFrame, columns: list[str]) -> None:
    from ecomintel.ingest.export import neutralise

    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(columns)
        for row in frame[columns].itertuples(index=False):
            writer.writerow([neutralise(v) if isinstance(v, str) else f"{v:.4f}" for v in row])
