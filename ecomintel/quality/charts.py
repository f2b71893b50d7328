"""Plotly figures of the Data Quality page: completeness per column and the daily sales volume with its gaps
and outlier days marked. In the core (no streamlit) so they are built and tested without a browser.
"""

from __future__ import annotations

from datetime import date, timedelta

import plotly.graph_objects as go

from ecomintel.quality import checks as ck
from ecomintel.quality.run import QualityReport


def completeness_heatmap(report: QualityReport) -> go.Figure:
    """Datasets × columns, the share of rows with a value (%); blank where a dataset has no such column."""
    datasets = list(report.datasets)
    columns: list[str] = []
    for d in report.datasets.values():
        columns += [c for c in d.completeness if c not in columns]
    z = [[round(100 * report.datasets[ds].completeness[c], 1) if c in report.datasets[ds].completeness else None
          for c in columns] for ds in datasets]
    fig = go.Figure(go.Heatmap(z=z, x=columns, y=datasets, zmin=0, zmax=100, colorscale="RdYlGn",
                               text=[[("" if v is None else f"{v:.0f}%") for v in row] for row in z],
                               texttemplate="%{text}", hovertemplate="%{y}.%{x}: %{z}% filled<extra></extra>",
                               colorbar={"title": "% filled"}))
    fig.update_layout(title="Completeness per column (% of rows with a value)", height=120 + 60 * len(datasets),
                      margin={"l": 10, "r": 10, "t": 50, "b": 10}, xaxis={"tickangle": -35})
    return fig


def daily_volume(report: QualityReport) -> go.Figure | None:
    """Sales lines per day, gaps of trading days shaded red, outlier revenue days marked."""
    daily = report.daily
    if daily is None or daily.empty:
        return None
    today = report.checked_at[:10]
    future = int((daily["day"] > today).sum())
    daily = daily[daily["day"] <= today]  # a future-dated line is its own issue; it would stretch the axis to it
    if daily.empty:
        return None
    fig = go.Figure(go.Bar(x=daily["day"], y=daily["lines"], name="lines per day", marker_color="#4c78a8",
                           hovertemplate="%{x}: %{y:,} lines<extra></extra>"))
    outliers = daily[daily["outlier"].astype(bool)] if "outlier" in daily else daily.iloc[0:0]
    if not outliers.empty:
        fig.add_trace(go.Scatter(x=outliers["day"], y=outliers["lines"], mode="markers", name="unusual revenue",
                                 marker={"color": "#e45756", "size": 11, "symbol": "diamond"},
                                 customdata=outliers["revenue"],
                                 hovertemplate="%{x}: revenue %{customdata:,.0f}<extra>outlier</extra>"))
    days = ck.as_days(daily["day"])
    for a, b, n in ck.gap_runs(days):
        fig.add_vrect(x0=(a - timedelta(hours=12)).isoformat(), x1=_end(b), fillcolor="#e45756", opacity=0.25,
                      line_width=0, annotation_text=f"gap {n}d", annotation_position="top left",
                      annotation_font_size=10)
    fig.add_trace(go.Scatter(x=[None], y=[None], mode="markers", name="gap (no sales on a trading day)",
                             marker={"color": "#e45756", "symbol": "square", "opacity": 0.4}))
    note = f" ({future} future-dated day{'s' if future > 1 else ''} not shown)" if future else ""
    fig.update_layout(title=f"Sales lines per day — gaps and unusual days marked{note}", height=360, bargap=0,
                      margin={"l": 10, "r": 10, "t": 50, "b": 10}, yaxis_title="lines",
                      legend={"orientation": "h", "y": -0.15})
    return fig


def _end(day: date) -> str:
    return f"{day.isoformat()} 12:00"
