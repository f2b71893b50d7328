"""Plain-text rendering of a Report (for `ecomintel ask` without --json, logs and e-mails).

Why a separate module: the Report dict is the contract; how it reads on a terminal is presentation, and
the CLI should stay a thin shell over the core.
"""

from __future__ import annotations

from typing import Any

HEADLINE = ("revenue", "units", "orders", "customers", "aov")


def _cell(value: Any) -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:,.0f}" if value.is_integer() else f"{value:,.2f}"
    if isinstance(value, int) and not isinstance(value, bool):
        return f"{value:,}"
    return str(value)


def table_text(table: dict[str, Any], max_rows: int = 15) -> str:
    """A fixed-width table: title, header, up to max_rows rows (long cells cut at 40 characters)."""
    columns = [str(c) for c in table.get("columns") or []]
    rows = [[_cell(v)[:40] for v in row] for row in (table.get("rows") or [])[:max_rows]]
    widths = [max([len(c), *(len(r[i]) for r in rows if i < len(r))]) for i, c in enumerate(columns)]
    lines = [str(table.get("title", "")),
             "  ".join(c.ljust(w) for c, w in zip(columns, widths, strict=True)),
             "  ".join("-" * w for w in widths)]
    for r in rows:
        lines.append("  ".join((v.rjust(w) if v[:1].isdigit() or v[:1] == "-" else v.ljust(w))
                               for v, w in zip(r, widths, strict=False)))
    extra = len(table.get("rows") or []) - len(rows)
    if extra > 0:
        lines.append(f"… {extra} more rows (use --json for all)")
    return "\n".join(lines)


def report_text(report: dict[str, Any], max_tables: int = 3) -> str:
    """The report as an analyst reads it: answer, key metrics, tables, warnings, provenance."""
    out = [f"Q: {report.get('question', '')}", "", str(report.get("summary", "")), ""]
    metrics = report.get("metrics") or {}
    shown = [f"{k}={_cell(metrics[k])}" for k in HEADLINE if k in metrics]
    shown += [f"{k}_change={_cell(metrics[f'{k}_change'])}" for k in HEADLINE if f"{k}_change" in metrics]
    if shown:
        out += ["Metrics: " + ", ".join(shown), ""]
    for table in (report.get("tables") or [])[:max_tables]:
        out += [table_text(table), ""]
    for w in report.get("warnings") or []:
        out.append(f"! {w}")
    for n in report.get("notes") or []:
        out.append(f"· {n}")
    periods = "; ".join(f"{p.get('label') or 'period'} = {p['start']}..{p['end']}" for p in report.get("periods") or [])
    agents = ", ".join(f"{a['agent']} {a['status']} {a['elapsed_ms']} ms" for a in report.get("agents") or [])
    out += [""] + ([f"Periods: {periods}"] if periods else [])
    out += [f"Confidence {report.get('confidence')} · intent {report.get('intent')} · planner {report.get('planner')}"
            f" · agents: {agents} · data_version {report.get('data_version')}"
            f"{' · cached' if report.get('cached') else ''} · {report.get('elapsed_ms')} ms"
            + (f" · report #{report['report_id']}" if report.get("report_id") else "")]
    if report.get("followups"):
        out += ["Try next: " + " | ".join(report["followups"])]
    return "\n".join(out)
