"""The Plotly figures agents return (bars, lines with partial periods marked, waterfall, share, heatmap), as
plain JSON so a report can be stored, cached and drawn by any page.

Why here and not in the pages: the core never imports streamlit, but a report carries its charts; pages
only draw the figure JSON they are given.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

import plotly.graph_objects as go
import plotly.io as pio

from ecomintel.agents.base import ChartSpec
from ecomintel.agents.numbers import Money, num

MARGIN = {"l": 10, "r": 10, "t": 40, "b": 10}
PARTIAL_NOTE = "Hollow points and dashed segments: partial periods (the data or the question's period " \
               "starts or ends inside them), not comparable with full ones."


def figure_json(fig: go.Figure) -> dict[str, Any]:
    """Plotly JSON made of plain Python types (safe to store in the reports table and in Redis)."""
    data: dict[str, Any] = json.loads(pio.to_json(fig, validate=False))
    return data


def bar_chart(title: str, labels: list[Any], values: list[Any], metric: str, horizontal: bool = False) -> ChartSpec:
    labels = [str(x) for x in labels]
    values = [num(v) for v in values]
    trace = (go.Bar(y=labels[::-1], x=values[::-1], orientation="h", name=metric) if horizontal
             else go.Bar(x=labels, y=values, name=metric))
    fig = go.Figure(data=[trace])
    fig.update_layout(title=title, margin=MARGIN,
                      xaxis_title=metric if horizontal else None, yaxis_title=None if horizontal else metric)
    return ChartSpec(title=title, figure=figure_json(fig))


def line_chart(title: str, x: list[Any], series: dict[str, list[Any]], metric: str,
               partial: Sequence[bool] | None = None) -> ChartSpec:
    """Lines with markers; points flagged in `partial` are hollow and joined by dashed segments, with a note
    under the chart saying what that means."""
    xs = [str(v) for v in x]
    flags = list(partial) if partial is not None else [False] * len(xs)
    xs, flags, series = _break_at_gaps(xs, flags, {k: [num(v) for v in ys] for k, ys in series.items()})
    traces = []
    for name, values in series.items():
        solid = [None if flags[i] else v for i, v in enumerate(values)]
        traces.append(go.Scatter(x=xs, y=solid, mode="lines+markers", name=name, connectgaps=False))
        if any(flags):
            near = [flags[i] or (i > 0 and flags[i - 1]) or (i + 1 < len(flags) and flags[i + 1])
                    for i in range(len(flags))]
            traces.append(go.Scatter(
                x=xs, y=[v if near[i] else None for i, v in enumerate(values)], mode="lines+markers",
                name=f"{name} (partial)", connectgaps=False, line={"dash": "dash"},
                marker={"symbol": ["circle-open" if f else "circle" for f in flags], "size": 9}))
    fig = go.Figure(data=traces)
    fig.update_layout(title=title, margin=MARGIN, yaxis_title=metric)
    if any(flags):
        fig.update_layout(margin={**MARGIN, "b": 60})
        fig.add_annotation(text=PARTIAL_NOTE, xref="paper", yref="paper", x=0, y=-0.22, showarrow=False,
                           xanchor="left", font={"size": 11})
    return ChartSpec(title=title, figure=figure_json(fig))


def _break_at_gaps(xs: list[str], flags: list[bool], series: dict[str, list[Any]]
                   ) -> tuple[list[str], list[bool], dict[str, list[Any]]]:
    """Dated points with an empty point inserted where the data has a gap (consecutive dates further apart than
    3 days and than 1.5 times the bucket's step), so the line breaks there instead of drawing a straight
    segment across days without sales. A shop closed at weekends keeps one line; a missing week, or a
    missing month in a monthly series, shows as a break."""
    import pandas as pd

    dates = pd.to_datetime(pd.Series(xs), errors="coerce", format="mixed")
    if len(xs) < 3 or dates.isna().any():
        return xs, flags, series
    spacing = dates.diff().dt.days.iloc[1:]
    limit = max(3.0, 1.5 * float(spacing.min()))  # buckets are regular: the shortest step is the bucket
    out_x, out_f = [xs[0]], [flags[0]]
    out_s = {k: [v[0]] for k, v in series.items()}
    for i in range(1, len(xs)):
        if spacing.iloc[i - 1] > limit:
            out_x.append((dates.iloc[i - 1] + pd.Timedelta(days=1)).date().isoformat())
            out_f.append(False)
            for k in out_s:
                out_s[k].append(None)
        out_x.append(xs[i])
        out_f.append(flags[i])
        for k, v in series.items():
            out_s[k].append(v[i])
    return out_x, out_f, out_s


def waterfall(effects: dict[str, float], delta: float, money: Money) -> ChartSpec:
    labels = [*effects, "total_change"]
    values = [num(v) for v in effects.values()] + [num(delta)]
    fig = go.Figure(go.Waterfall(x=labels, y=values, measure=["relative"] * len(effects) + ["total"]))
    fig.update_layout(title="Revenue change: price vs volume", margin=MARGIN)
    return ChartSpec(title="Revenue change: price vs volume", figure=figure_json(fig))


def share_chart(title: str, part_label: str, part: float, total: float) -> ChartSpec:
    """The part against the rest of the total (a donut; a bar pair when the rest is negative)."""
    rest = total - part
    if part >= 0 and rest >= 0:
        fig = go.Figure(go.Pie(labels=[part_label, "rest"], values=[num(part), num(rest)], hole=0.45,
                               sort=False))
    else:
        fig = go.Figure(go.Bar(x=[part_label, "rest", "total"], y=[num(part), num(rest), num(total)]))
    fig.update_layout(title=title, margin=MARGIN)
    return ChartSpec(title=title, figure=figure_json(fig))


def heatmap(title: str, rows: list[str], columns: list[str], values: list[list[Any]]) -> ChartSpec:
    """A cohort-style heatmap: rows top to bottom as given, cells in percent (None = not observed)."""
    fig = go.Figure(go.Heatmap(z=[[num(v) for v in r] for r in values], x=columns, y=rows, colorscale="Blues",
                               zmin=0, zmax=100, colorbar={"title": "%"}, hoverongaps=False,
                               text=[[("" if v is None else f"{v:.0f}%") for v in r] for r in values],
                               texttemplate="%{text}"))
    fig.update_layout(title=title, margin=MARGIN, yaxis={"autorange": "reversed", "type": "category"},
                      xaxis={"type": "category"})
    return ChartSpec(title=title, figure=figure_json(fig))
