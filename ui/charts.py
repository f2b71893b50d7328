"""Plotly figures for the pages, and turning stored chart specs back into figures.

Why: reports carry charts as Plotly JSON (`ChartSpec.figure`) so they can be saved and re-opened; the
page only needs one function to draw them, with the same look as the charts the UI builds itself.
"""

from __future__ import annotations

import json
from typing import Any

import pandas as pd
import plotly.graph_objects as go
import plotly.io as pio

LAYOUT: dict[str, Any] = {"margin": {"l": 10, "r": 10, "t": 40, "b": 10}, "hovermode": "x unified",
                          "template": "plotly_white"}


def revenue_by_day(daily: pd.DataFrame, title: str = "Net revenue by day") -> go.Figure:
    """Bars of daily net revenue (returns subtract) from `OverviewQueries.revenue_by_day`."""
    fig = go.Figure(go.Bar(x=daily["day"], y=daily["revenue"], name="net revenue",
                           customdata=daily["lines"],
                           hovertemplate="%{x|%a %Y-%m-%d}<br>%{y:,.2f}<br>%{customdata:,} lines<extra></extra>"))
    fig.update_layout(title=title, yaxis_title="net revenue", height=320, **LAYOUT)
    return fig


def figure_from_spec(figure: dict[str, Any] | str) -> go.Figure:
    """A go.Figure from a stored Plotly JSON dict (or JSON text); lenient about unknown properties."""
    if isinstance(figure, str):
        return pio.from_json(figure, skip_invalid=True)
    try:
        return go.Figure(figure)
    except ValueError:
        return pio.from_json(json.dumps(figure, default=str), skip_invalid=True)
