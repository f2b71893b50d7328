"""`ecomintel batches` and `ecomintel reports`: a tenant's imports and saved answers, by their per-tenant numbers.

Why its own module: cli.py stays the thin table of subcommands. Both commands print and accept the number
people see ("batch 3", "report #12"), resolved within `--tenant` only: another tenant's batch 3 is never
reached, and no global row id is printed (ecomintel/db/tenant_numbers.py).
"""

from __future__ import annotations

import argparse
from typing import Any

from ecomintel.config import Settings
from ecomintel.ops_cli import print_json

BATCH_FIELDS = ("number", "kind", "file_name", "source", "status", "created_at", "finished_at", "rows_total",
                "rows_accepted", "rows_rejected", "rows_duplicate", "rows_returns", "message", "elapsed_ms")


def add_parsers(sub: Any) -> None:
    p = sub.add_parser("batches", help="a tenant's imports by batch number; --rejected N prints batch N's rejected rows")
    p.add_argument("--tenant", required=True, help="tenant name")
    p.add_argument("--rejected", metavar="N", help="the rejected rows of batch N (its number in this list)")
    p.add_argument("--limit", type=int, default=50, help="how many batches / rows (default 50)")
    p.add_argument("--json", action="store_true", help="print JSON")
    p.set_defaults(func=cmd_batches)
    p = sub.add_parser("reports", help="a tenant's saved answers (question history); --show N prints report #N")
    p.add_argument("--tenant", required=True, help="tenant name")
    p.add_argument("--show", metavar="N", help="print saved report #N as it was answered")
    p.add_argument("--limit", type=int, default=30, help="how many reports (default 30)")
    p.add_argument("--json", action="store_true", help="print JSON")
    p.set_defaults(func=cmd_reports)


def _repo(settings: Settings, tenant: str) -> Any:
    """The tenant's repository, read-only (viewer); the tenant must exist."""
    from ecomintel.ops_cli import tenant_repo

    return tenant_repo(settings, tenant, role="viewer")


def cmd_batches(args: argparse.Namespace, settings: Settings) -> int:
    from ecomintel.db.tenant_numbers import parse_number
    from ecomintel.ingest.export import neutralise

    repo = _repo(settings, args.tenant)
    if args.rejected is not None:
        batch = repo.batch_by_number(parse_number(args.rejected, "batch"))
        rows = repo.rejected(int(batch["id"]), limit=args.limit)
        records = rows.to_dict("records") if len(rows) else []
        if args.json:
            print_json({"batch": batch["number"], "file_name": batch["file_name"], "rejected_rows": records})
            return 0
        print(f"batch {batch['number']} · {batch['file_name']} · {int(batch['rows_rejected']):,} rejected rows")
        for row in records:
            cells = ", ".join(f"{k}={neutralise(str(v))}" for k, v in row.items() if k not in ("row", "reasons"))
            print(f"  row {row['row']}: {row['reasons']}  [{cells[:160]}]")
        return 0
    batches = [{k: b.get(k) for k in BATCH_FIELDS} for b in repo.list_batches(args.limit)]
    if args.json:
        print_json(batches)
        return 0
    if not batches:
        print("No imports yet.")
        return 0
    print(f"{'batch':>5}  {'when (UTC)':<16}  {'kind':<9} {'status':<8} {'rows':>8} {'stored':>8} {'rejected':>8}  file")
    for b in batches:
        print(f"{b['number']:>5}  {str(b['created_at'])[:16]:<16}  {b['kind']:<9} {b['status']:<8} "
              f"{b['rows_total']:>8,} {b['rows_accepted']:>8,} {b['rows_rejected']:>8,}  {b['file_name']}")
    return 0


def cmd_reports(args: argparse.Namespace, settings: Settings) -> int:
    from ecomintel.db.tenant_numbers import parse_number

    repo = _repo(settings, args.tenant)
    if args.show is not None:
        saved = repo.get_report(parse_number(args.show, "report"))
        report = dict(saved["report"] or {})
        if args.json:
            print_json(report)
            return 0
        from ecomintel.ask.report import report_text

        print(f"report #{saved['number']} · asked {str(saved['created_at'])[:16]} UTC · data_version "
              f"{saved['data_version']}")
        print(report_text(report) if report.get("status") != "cannot_answer" else str(report.get("summary", "")))
        return 0
    reports = repo.list_reports(args.limit)
    if args.json:
        print_json(reports)
        return 0
    if not reports:
        print("No questions asked yet.")
        return 0
    for r in reports:
        confidence = "" if r["confidence"] is None else f"{float(r['confidence']):.2f}"
        print(f"#{r['number']:<5} {str(r['created_at'])[:16]:<16}  {r['mode']:<5} {confidence:>4}  {r['question']}")
    return 0
