"""Command line: `ecomintel init | ingest | tenants …` (and more subcommands added the same way).

Why argparse and one function per subcommand: the CLI is a thin shell over the same core functions the
pages and workers call. Every error a user can cause is an EcomintelError and prints as ONE line
(`error: …`) with exit code 2 — never a traceback.

Adding a subcommand: write `cmd_<name>(args, settings) -> int` and one parser block in `build_parser`
(`p = sub.add_parser(...)`, its arguments, `p.set_defaults(func=cmd_<name>)`).

Why every heavy import sits inside the command that needs it: each call is a new process, and importing
everything (pandas, SQLAlchemy, pydantic, plotly, redis/rq, alembic, LLM SDKs) took longer than answering.
This module imports only argparse, json and the settings table at the top, so `--help` starts in tens of
milliseconds and `ecomintel ask` pays only for what answering needs (the LLM client only when one is
configured, redis/rq only with ECOMINTEL_REDIS_URL or for `worker`); a question answered from the cache
does not even import pandas or the agents (ask.service imports them on a miss). Two more things a one-shot
process need not pay for, measured on `ecomintel ask` (bench/README.md, "CLI start"): the cyclic garbage
collector during one question (`without_cyclic_gc`: reference counting still frees everything that is not
in a cycle, and the process ends right after), and the interpreter's teardown of ~1,000 modules at exit
(`main()` run as the program ends the process with os._exit once its output is flushed, as mypy does).
bench/cli.py measures all of it.
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import os
import sys
from collections.abc import Callable, Iterator, Sequence
from typing import Any

from ecomintel.config import Settings, load_settings
from ecomintel.errors import EcomintelError, InputError, NotFound
from ecomintel.ops_cli import print_json

DEMO_TENANT = "demo"
_engines: list[Any] = []  # engines the running command opened; run() disposes them when it ends


# -- shared helpers ----------------------------------------------------------------------------------
def open_engine(settings: Settings, *, migrate_db: bool = True) -> Any:
    """An engine on settings.database_url, migrated to the newest schema (idempotent)."""
    from ecomintel.db.engine import make_engine, migrate

    engine = make_engine(settings.database_url)
    _engines.append(engine)
    if migrate_db:
        migrate(engine)
    return engine


@contextlib.contextmanager
def without_cyclic_gc() -> Iterator[None]:
    """No cyclic garbage collection inside the block (restored after it, for callers that live on).

    For one question in a one-shot process: the collector's passes over the ~1,000 modules just imported
    and the agents' frames cost 0.1–0.4 s of an `ecomintel ask` and would find almost nothing to free."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def open_repo(settings: Settings, tenant: str, *, create: bool | None = None, role: str = "admin") -> Any:
    """Repository for tenant `tenant`; created when missing if `create` (default: in demo mode)."""
    from ecomintel.context import RequestContext
    from ecomintel.db.repository import Repository
    from ecomintel.db.tenants import ensure_tenant, get_tenant

    engine = open_engine(settings)
    create = settings.demo_mode if create is None else create
    try:
        found = get_tenant(engine, tenant)
    except NotFound:
        if not create:
            raise NotFound(f"No tenant named {tenant!r}.",
                           "Run `ecomintel tenants` to list them (tenants are created on first ingest in demo "
                           "mode, ECOMINTEL_DEMO_MODE=1).") from None
        found = ensure_tenant(engine, tenant)
    return Repository(engine, RequestContext(tenant_id=found.id, role=role))


def parse_pairs(pairs: Sequence[str] | None, what: str) -> dict[str, str]:
    """["field=column", …] → {field: column}; a malformed pair is a user error."""
    out: dict[str, str] = {}
    for pair in pairs or []:
        key, sep, value = pair.partition("=")
        if not sep or not key.strip():
            raise InputError(f"Bad {what} {pair!r}.", f"Write it as field=value, e.g. --{what} sku=StockCode.")
        out[key.strip()] = value.strip()
    return out


def progress_printer(stream: Any = sys.stderr, step: float = 0.1) -> Callable[[float, str], None]:
    """A progress callback printing a line per 10% (and each new file) — readable in logs, not a spinner."""
    last_fraction, last_head = [-1.0], [""]

    def show(fraction: float, message: str) -> None:
        if fraction <= 0.0:
            return  # nothing read yet: an input error then stays the only line printed
        head = message.split(":", 1)[0]
        if fraction - last_fraction[0] >= step or head != last_head[0] or fraction >= 1.0:
            print(f"  [{fraction:4.0%}] {message}", file=stream, flush=True)
            last_fraction[0], last_head[0] = fraction, head

    return show


# -- init ----------------------------------------------------------------------------------------------
def cmd_init(args: argparse.Namespace, settings: Settings) -> int:
    from ecomintel.db.tenants import ensure_tenant, get_tenant

    engine = open_engine(settings)
    print(f"Database ready: {engine.url.render_as_string(hide_password=True)}")
    if not args.demo:
        return 0
    if not settings.demo_mode:
        print("Demo mode is off (ECOMINTEL_DEMO_MODE=0): no demo tenant loaded.")
        return 0
    try:
        tenant = get_tenant(engine, DEMO_TENANT)
    except NotFound:
        tenant = ensure_tenant(engine, DEMO_TENANT, "Demo")
    repo = open_repo(settings, DEMO_TENANT)
    if any(b["status"] == "done" for b in repo.list_batches(limit=200)):
        print(f"Tenant {tenant.slug!r} already has data: nothing to load.")
        return 0
    from ecomintel.samples import load_samples

    print(f"Loading sample data into tenant {tenant.slug!r} …")
    for result in load_samples(repo, settings, progress=progress_printer(sys.stdout)):
        print("  " + result.summary())
    from ecomintel.agents.review_scores import ensure_scores

    scored = ensure_scores(repo, settings)  # the sample reviews' sentiment, so the first question reads scores
    print(f"  Sentiment: {scored.scored_now:,} reviews scored with {scored.model_name} ({scored.elapsed_ms / 1000:.1f} s)")
    print(f"Done. data_version={repo.data_version()}")
    return 0


# -- ingest --------------------------------------------------------------------------------------------
def cmd_ingest(args: argparse.Namespace, settings: Settings) -> int:
    from ecomintel.ingest.export import neutralise
    from ecomintel.ingest.pipeline import ingest_file

    repo = open_repo(settings, args.tenant)
    result = ingest_file(repo, args.kind, args.file, settings=settings, mapping=parse_pairs(args.map, "map"),
                         defaults=parse_pairs(args.default, "default"), source_label="cli", force=args.force,
                         progress=None if args.json or args.quiet else progress_printer())
    rejected = repo.rejected(result.batch_id, limit=args.show_rejected) if result.rejected and result.batch_id else None
    rows = [] if rejected is None else rejected.to_dict("records")
    if args.kind == "reviews" and result.status == "done" and result.accepted:  # score them now, not on first ask
        from ecomintel.agents.review_scores import ensure_scores

        scored = ensure_scores(repo, settings)
        if not (args.json or args.quiet):
            print(f"Sentiment: {scored.scored_now:,} reviews scored with {scored.model_name} "
                  f"({scored.elapsed_ms / 1000:.1f} s).")
    if args.json:
        shown = {k: v for k, v in result.to_dict().items() if k != "batch_id"}  # batch_number is the one to show
        print_json({**shown, "rejected_rows": rows})
    else:
        print(result.summary())
        if result.status == "done":
            print(result.message)
            mapped = ", ".join(f"{f}←{c}" for f, c in result.mapping.items() if c)
            print(f"Mapping: {mapped}")
            if result.profile:
                print("Profile: " + ", ".join(f"{k}={v}" for k, v in result.profile.items()))
        for row in rows:
            cells = ", ".join(f"{k}={neutralise(str(v))!s}" for k, v in row.items() if k not in ("row", "reasons"))
            print(f"  rejected row {row['row']}: {row['reasons']}  [{cells[:160]}]")
        if result.rejected > len(rows):
            print(f"  … {result.rejected - len(rows):,} more rejected rows (Upload page, or --show-rejected N).")
    if result.status == "failed":
        if args.json:
            print(f"error: {result.message}", file=sys.stderr)
        return 2
    return 0


# -- tenants -------------------------------------------------------------------------------------------
def cmd_tenants(args: argparse.Namespace, settings: Settings) -> int:
    from ecomintel.context import RequestContext
    from ecomintel.db.repository import Repository
    from ecomintel.db.tenants import list_tenants

    engine = open_engine(settings)
    rows = []
    for t in list_tenants(engine):
        fresh = Repository(engine, RequestContext(tenant_id=t.id, role="viewer")).latest_data_dates()
        rows.append({"slug": t.slug, "id": t.id, "name": t.name, "data_version": t.data_version,
                     "sales_lines": fresh["sales_lines"], "sales_from": fresh["sales_from"],
                     "sales_to": fresh["sales_to"], "last_ingest": fresh["last_ingest"]})
    if args.json:
        print_json(rows)
        return 0
    if not rows:
        print("No tenants yet. `ecomintel init --demo` creates the demo tenant; `ecomintel ingest` creates one.")
        return 0
    print(f"{'tenant':<24} {'id':>4} {'version':>7} {'sales lines':>11}  sales dates")
    for r in rows:
        dates = f"{r['sales_from']:%Y-%m-%d} .. {r['sales_to']:%Y-%m-%d}" if r["sales_from"] else "-"
        print(f"{r['slug']:<24} {r['id']:>4} {r['data_version']:>7} {r['sales_lines']:>11,}  {dates}")
    return 0


# -- ask -----------------------------------------------------------------------------------------------
def cannot_answer_text(report: dict[str, Any]) -> str:
    """A report with status cannot_answer: the sentence saying what is missing, then what can be asked."""
    out = [f"Q: {report.get('question', '')}", "", str(report.get("summary", ""))]
    suggestions = [str(s) for s in report.get("suggestions") or []]
    if suggestions:
        out += ["", "Questions I can answer instead:", *(f"  - {s}" for s in suggestions)]
    return "\n".join(out)


def cmd_ask(args: argparse.Namespace, settings: Settings) -> int:
    """Answer a question for a tenant; the Report as JSON (--json) or as readable text. A question the data
    cannot answer is an answer too (status cannot_answer): printed, exit code 0."""
    with without_cyclic_gc():
        from ecomintel import tenant_settings
        from ecomintel.ask.service import ask
        from ecomintel.cache import make_cache

        repo = open_repo(settings, args.tenant, create=False, role="analyst")
        settings = tenant_settings.effective(repo, settings)  # the tenant's LLM provider/model/budget, cache TTL
        llm = None
        if settings.llm_provider != "none":  # the provider SDKs are imported only when one is configured
            from ecomintel.ask.tasks import make_governed_llm

            llm = make_governed_llm(settings, repo)
        report = ask(args.question, repo=repo, settings=settings, mode=args.mode,
                     cache=make_cache(settings, repo=repo), llm=llm,
                     progress=None if args.json else progress_printer())
    if args.json:
        print_json(report)
    elif report.get("status") == "cannot_answer":
        print(cannot_answer_text(report))
    else:
        from ecomintel.ask.report import report_text

        print(report_text(report))
    return 0


# -- cache ---------------------------------------------------------------------------------------------
def cmd_cache(args: argparse.Namespace, settings: Settings) -> int:
    """`cache clear --tenant T`: forget the tenant's cached answers (and stored vocabulary)."""
    from ecomintel.cache import clear_tenant_cache

    repo = open_repo(settings, args.tenant, create=False)
    removed = clear_tenant_cache(settings, repo)
    print(f"Removed {removed:,} cached entries of tenant {args.tenant!r}.")
    return 0


# -- worker --------------------------------------------------------------------------------------------
def cmd_worker(args: argparse.Namespace, settings: Settings) -> int:
    """An RQ worker (with RQ's scheduler) on ECOMINTEL_RQ_QUEUE; ServiceUnavailable if Redis is missing."""
    from ecomintel.worker_runtime import run_from_args

    run_from_args(args, settings)
    return 0


def cmd_match(args: argparse.Namespace, settings: Settings) -> int:
    """`match LEFT RIGHT --out PAIRS.csv`: the product matcher on two export files (ecomintel/matching)."""
    from ecomintel.matching.cli_match import run as run_match

    return run_match(args, settings.max_upload_mb)


def cmd_models(args: argparse.Namespace, settings: Settings) -> int:
    """`models list|train|activate`: the model registry (ecomintel/models/registry.py)."""
    from ecomintel.models import commands

    action = {"list": commands.models_list, "train": commands.models_train,
              "activate": commands.models_activate}[args.models_command]
    return action(args, settings, open_engine(settings))


def cmd_sentiment(args: argparse.Namespace, settings: Settings) -> int:
    """`sentiment FILE --out SCORED.csv`: every row of a reviews export with its sentiment (ecomintel/models)."""
    from ecomintel.models.commands import sentiment_file

    return sentiment_file(args, settings, open_engine(settings))


# -- parser and entry point ---------------------------------------------------------------------------
def build_parser() -> argparse.ArgumentParser:
    from ecomintel.accounts import cli as accounts_cli  # light: argparse only until a command runs
    from ecomintel.worker_runtime import add_arguments as worker_arguments  # light: no redis/rq until run

    parser = argparse.ArgumentParser(prog="ecomintel", description="E-commerce intelligence workbench.")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    p = sub.add_parser("init", help="create/migrate the database; --demo loads the samples into tenant 'demo'")
    p.add_argument("--demo", action="store_true", help="load the sample data into the demo tenant if it is empty")
    p.set_defaults(func=cmd_init)

    p = sub.add_parser("ingest", help="load a sales, products or reviews file into a tenant")
    p.add_argument("kind", choices=["sales", "products", "reviews", "listings"])
    p.add_argument("file", help=".csv, .csv.gz, .tsv or .xlsx")
    p.add_argument("--tenant", required=True, help="tenant name (created on first ingest in demo mode)")
    p.add_argument("--map", action="append", metavar="FIELD=COLUMN", help="map a field to a column (repeatable)")
    p.add_argument("--default", action="append", metavar="FIELD=VALUE",
                   help="constant for a field, e.g. currency=GBP or marketplace=abt (repeatable)")
    p.add_argument("--force", action="store_true", help="re-check the rows of a file loaded before (no doubles)")
    p.add_argument("--json", action="store_true", help="print the result as JSON")
    p.add_argument("--quiet", action="store_true", help="no progress lines")
    p.add_argument("--show-rejected", type=int, default=10, metavar="N", help="rejected rows to print (default 10)")
    p.set_defaults(func=cmd_ingest)

    accounts_cli.register(sub, cmd_tenants)  # tenants, users, audit, retention, db app-role (issue 12)

    p = sub.add_parser("ask", help="ask a question about a tenant's sales; prints a report")
    p.add_argument("question", help='e.g. "top 10 products by revenue last month"')
    p.add_argument("--tenant", required=True, help="tenant name")
    p.add_argument("--mode", choices=["quick", "deep"], default="quick", help="deep runs heavier analyses")
    p.add_argument("--json", action="store_true", help="print the Report JSON")
    p.set_defaults(func=cmd_ask)

    p = sub.add_parser("cache", help="manage cached answers")
    cache = p.add_subparsers(dest="cache_command", required=True, metavar="ACTION")
    p = cache.add_parser("clear", help="forget a tenant's cached answers (database, and Redis when configured)")
    p.add_argument("--tenant", required=True, help="tenant name")
    p.set_defaults(func=cmd_cache)

    p = sub.add_parser("worker", help="run a background worker for deep questions (needs ECOMINTEL_REDIS_URL)")
    worker_arguments(p)
    p.set_defaults(func=cmd_worker)

    p = sub.add_parser("models", help="list, train or activate model versions (the model registry)")
    models = p.add_subparsers(dest="models_command", required=True, metavar="ACTION")
    p = models.add_parser("list", help="versions of a model kind with their held-out metrics; * = active")
    p.add_argument("kind", nargs="?", default="sentiment", help="model kind (default sentiment)")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_models)
    p = models.add_parser("train", help="train/evaluate the sentiment models on rated reviews; activate the best")
    p.add_argument("kind", choices=["sentiment"])
    p.add_argument("--data", metavar="FILE", help="rated reviews file (default: the shipped clothing sample)")
    p.add_argument("--seed", type=int, default=42, help="seed of the 20%% held-out split (default 42)")
    p.add_argument("--no-activate", action="store_true", help="register only; keep the active version")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_models)
    p = models.add_parser("activate", help="make a version the active one of its kind")
    p.add_argument("kind")
    p.add_argument("version")
    p.set_defaults(func=cmd_models)

    p = sub.add_parser("sentiment", help="score a reviews file: adds sentiment_label and sentiment_score to each row")
    p.add_argument("file", help="reviews export: .csv, .csv.gz, .tsv or .xlsx (text/title columns auto-detected)")
    p.add_argument("--out", required=True, metavar="SCORED.csv", help="where to write the scored rows (.gz: gzip)")
    p.add_argument("--text-column", help="the column holding the review text (default: auto-detected)")
    p.add_argument("--title-column", help="the column holding the review title (default: auto-detected)")
    p.add_argument("--json", action="store_true", help="print the summary as JSON")
    p.set_defaults(func=cmd_sentiment)

    from ecomintel.matching.cli_match import add_arguments as match_arguments  # light: argparse only

    p = sub.add_parser("match", help="match the products of two catalogue files; writes left_id,right_id,score")
    match_arguments(p)
    p.set_defaults(func=cmd_match)

    from ecomintel.ops_cli import add_parsers as ops_parsers  # sync, scheduler, health

    ops_parsers(sub)

    from ecomintel.quality.cli import add_parser as quality_parser  # ecomintel quality

    quality_parser(sub)

    from ecomintel.history_cli import add_parsers as history_parsers  # batches, reports (per-tenant numbers)

    history_parsers(sub)

    return parser


def run(argv: Sequence[str] | None = None) -> int:
    """Parse, run one command, return the exit code (0 ok, 2 user-visible error, 130 interrupted)."""
    args = build_parser().parse_args(argv)
    try:
        settings = load_settings()
        return int(args.func(args, settings) or 0)
    except EcomintelError as exc:
        print(f"error: {exc.user_message()}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("error: interrupted", file=sys.stderr)
        return 130
    except Exception as exc:  # the promise: one clear line, never a traceback
        first = str(exc).strip().splitlines()[0][:300] if str(exc).strip() else ""
        print(f"error: unexpected {exc.__class__.__name__}: {first}", file=sys.stderr)
        return 2
    finally:
        while _engines:  # pooled connections closed properly (PostgreSQL logs abrupt disconnects)
            _engines.pop().dispose()


def main(argv: Sequence[str] | None = None) -> int:
    """The console entry point (`ecomintel …`, `python -m ecomintel …`).

    With `argv` (tests, scripts) it returns the exit code like `run`. Without it, it is the program itself:
    it flushes its output and ends the process with that code at once (os._exit), skipping the
    interpreter's teardown (~0.1 s of a 0.6 s cached `ecomintel ask`) — unless a profiler, tracer,
    debugger or coverage is attached, which need the normal exit to write what they recorded."""
    code = run(argv)
    if argv is not None or sys.getprofile() is not None or sys.gettrace() is not None:
        return code
    with contextlib.suppress(OSError):  # a closed pipe (`| head`): the output is gone either way
        sys.stdout.flush()
        sys.stderr.flush()
    os._exit(code)


if __name__ == "__main__":
    sys.exit(main())
