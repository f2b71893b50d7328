"""`ecomintel quality --tenant T [--json] [--recheck]`: the data-quality scores, their deductions and the issues.

Why its own module: cli.py stays the thin table of subcommands (one registration line), and this command's
text rendering lives next to the run it prints.
"""

from __future__ import annotations

import argparse
import json
from typing import Any

from ecomintel.config import Settings


def add_parser(sub: Any) -> None:
    p = sub.add_parser("quality", help="data-quality score (0-100) per dataset with its reasons and issues")
    p.add_argument("--tenant", required=True, help="tenant name")
    p.add_argument("--json", action="store_true", help='print {"datasets": {"sales": {"score", "issues"}, ...}}')
    p.add_argument("--recheck", action="store_true", help="run every check again (ignore the stored result)")
    p.set_defaults(func=cmd_quality)


def report_lines(data: dict[str, Any]) -> list[str]:
    """The run as an analyst reads it: per dataset its score, then every issue that costs points, then the
    informational patterns."""
    out: list[str] = []
    if not data["datasets"]:
        return ["No data loaded yet: nothing to check. Load a file with `ecomintel ingest`."]
    for name, d in data["datasets"].items():
        out.append(f"{name}: {d['score']}/100  ({d['rows']:,} rows, {d['first'] or '-'}..{d['last'] or '-'})")
        for i in d["issues"]:
            mark = f"-{i['points']:g}" if i["points"] else "info"
            out.append(f"  [{mark:>6}] {i['title']}")
            out.append(f"           {i['detail'][:220]}")
        out.append("")
    for i in data.get("tenant_issues") or []:
        out.append(f"tenant: {i['title']} — {i['detail'][:220]}")
    out.append(f"checked {data['checked_at']} · data_version {data['data_version']} · {data['elapsed_ms']} ms")
    return out


def cmd_quality(args: argparse.Namespace, settings: Settings) -> int:
    """Why it opens its own engine: importing ecomintel.cli from here would be an import cycle."""
    from ecomintel.context import RequestContext
    from ecomintel.db.engine import make_engine, migrate
    from ecomintel.db.repository import Repository
    from ecomintel.db.tenants import get_tenant
    from ecomintel.errors import NotFound
    from ecomintel.quality.run import run_quality

    engine = make_engine(settings.database_url)
    try:
        migrate(engine)
        try:
            tenant = get_tenant(engine, args.tenant)
        except NotFound:
            raise NotFound(f"No tenant named {args.tenant!r}.", "Run `ecomintel tenants` to list them.") from None
        repo = Repository(engine, RequestContext(tenant_id=tenant.id, role="viewer"))
        data = run_quality(repo, use_cache=not args.recheck).to_dict()
    finally:
        engine.dispose()
    if args.json:
        print(json.dumps(data, indent=2, default=str, ensure_ascii=False))
    else:
        print("\n".join(report_lines(data)))
    return 0
