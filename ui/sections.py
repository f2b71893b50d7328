"""Grouping a report's tables and charts into sections: one analysis = its chart beside its table.

Why: agents return `tables` and `charts` as two flat lists (the contract keeps them separate so each can
be stored and exported on its own). A deep report holds a dozen of each; drawn in list order they made
one 12,600-pixel scroll where no chart stood next to the numbers it shows. The agents emit a chart and
its table in the same order and (nearly) the same title, so pairing by title, then by position, puts
them back together without a new field. A table or chart may also name its section explicitly
(`"section": "returns"`); that wins when present.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from ui.labels import LABELS

_TRAILING_PERIOD = re.compile(r"\s*\([^)]*\d[^)]*\)\s*$")  # "(Nov 2011 vs Oct 2011)"
_PERIOD_PART = re.compile(r"(?:,|:)\s+(?=[^,:]*\d)")      # ", Nov 2011 = …" or ": Nov 2011 vs …"
_WORD = re.compile(r"[a-z0-9]+")


@dataclass
class Section:
    """One analysis of the report: a short name for its tab, its charts and its tables."""

    title: str
    tables: list[dict[str, Any]] = field(default_factory=list)
    charts: list[dict[str, Any]] = field(default_factory=list)

    @property
    def has_partial(self) -> bool:
        """Whether a table marks some rows (weeks, months) as only partly covered by the data."""
        for table in self.tables:
            columns = list(table.get("columns") or [])
            if "partial" in columns:
                i = columns.index("partial")
                if any(len(row) > i and bool(row[i]) for row in table.get("rows") or []):
                    return True
        return False


def short_title(title: str) -> str:
    """The analysis without its period: "revenue by day" for "revenue by day, Nov 2011 = 2011-11-01..…"."""
    text = _TRAILING_PERIOD.sub("", str(title or "").strip())
    text = _PERIOD_PART.split(text, maxsplit=1)[0].strip()
    return text or str(title or "").strip()


def tab_label(title: str, limit: int = 40) -> str:
    """A tab name people read: period dropped, machine names spelled out, first letter capitalised."""
    text = short_title(title)
    text = re.sub(r"\b[a-z]+(?:_[a-z]+)+\b",
                  lambda m: LABELS.get(m.group(0), m.group(0).replace("_", " ")).lower(), text)
    text = text[:1].upper() + text[1:] or "Analysis"  # st.tabs needs a label on every tab
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _key(title: str) -> str:
    return " ".join(_WORD.findall(short_title(title).lower()))


def _match(chart: dict[str, Any], tables: list[dict[str, Any]], taken: set[int]) -> int | None:
    """The table a chart draws: same title, or one title the start of the other (periods dropped)."""
    key = _key(chart.get("title") or "")
    if not key:
        return None
    free = [i for i in range(len(tables)) if i not in taken]
    for i in free:
        if _key(tables[i].get("title") or "") == key:
            return i
    for i in free:
        other = _key(tables[i].get("title") or "")
        if other and (other.startswith(key) or key.startswith(other)):
            return i
    return None


def sections(tables: list[dict[str, Any]], charts: list[dict[str, Any]]) -> list[Section]:
    """Tables and charts grouped into sections, in the order of the tables (`tables[0]`'s section first).

    Pairing: an explicit `section` name; else a chart goes with the table of the same title; a chart that
    matches no title takes the unmatched tables that sit between its neighbours' tables (the movers chart
    and its risers and fallers tables); anything left over is a section of its own."""
    if any(t.get("section") for t in tables) or any(c.get("section") for c in charts):
        return _by_name(tables, charts)
    taken: set[int] = set()
    chart_table: list[int | None] = []
    for chart in charts:
        j = _match(chart, tables, taken)
        chart_table.append(j)
        if j is not None:
            taken.add(j)
    groups: dict[int, list[int]] = {}  # chart index → table indexes
    for ci, j in enumerate(chart_table):
        if j is not None:
            groups[ci] = [j]
    for ci, j in enumerate(chart_table):
        if j is not None:
            continue
        before = max((t for t in chart_table[:ci] if t is not None), default=-1)
        after = min((t for t in chart_table[ci + 1:] if t is not None), default=len(tables))
        between = [i for i in range(before + 1, after) if i not in taken]
        groups[ci] = between
        taken.update(between)
    out: list[tuple[float, Section]] = []
    for ci, idxs in groups.items():
        chart = charts[ci]
        title = tables[idxs[0]].get("title") if len(idxs) == 1 else chart.get("title")
        order = float(min(idxs)) if idxs else _chart_position(ci, chart_table, len(tables))
        out.append((order, Section(tab_label(title or chart.get("title") or "Chart"),
                                   [tables[i] for i in idxs], [chart])))
    for i, table in enumerate(tables):
        if i not in taken:
            out.append((float(i), Section(tab_label(table.get("title") or "Table"), [table], [])))
    out.sort(key=lambda pair: pair[0])
    return [s for _, s in out]


def _chart_position(ci: int, chart_table: list[int | None], n_tables: int) -> float:
    """Where a chart without a table goes: just after the table of the chart before it."""
    before = max((t for t in chart_table[:ci] if t is not None), default=-1)
    return before + 0.5 if before >= 0 else n_tables + ci


def _by_name(tables: list[dict[str, Any]], charts: list[dict[str, Any]]) -> list[Section]:
    named: dict[str, Section] = {}
    for item, bucket in [*((t, "tables") for t in tables), *((c, "charts") for c in charts)]:
        name = str(item.get("section") or short_title(item.get("title") or ""))
        section = named.setdefault(name, Section(tab_label(name)))
        getattr(section, bucket).append(item)
    return list(named.values())
