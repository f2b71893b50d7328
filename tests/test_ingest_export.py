"""Formula injection: cells starting with = + - @ are neutralised on CSV export; numbers are not."""

from __future__ import annotations

import io

import pandas as pd

from ecomintel.ingest.export import neutralise, to_safe_csv


def test_formula_cells_get_an_apostrophe() -> None:
    df = pd.DataFrame({"a": ["=1+2", "+SUM(A1)", "-2+3", "@cmd", "\tx", "plain", "-5", "3.5"],
                       "=HYPERLINK": [1, 2, 3, 4, 5, 6, 7, 8]})
    text = to_safe_csv(df).decode("utf-8-sig")
    back = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False)
    assert back["a"].tolist() == ["'=1+2", "'+SUM(A1)", "'-2+3", "'@cmd", "'\tx", "plain", "-5", "3.5"]
    assert list(back.columns) == ["a", "'=HYPERLINK"]


def test_neutralise_leaves_non_text_alone() -> None:
    assert neutralise(-5) == -5 and neutralise(None) is None and neutralise("") == ""
