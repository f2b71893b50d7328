"""The Ask page's layout rules without a browser: tables paired with their charts, human labels, decimals,
confidence words, examples built from a tenant's facts."""

from __future__ import annotations

from datetime import date

from hypothesis import given
from hypothesis import strategies as st

from ui import labels
from ui.examples import Facts, examples_for, last_complete_month
from ui.sections import sections, short_title, tab_label

PERIOD = "Nov 2011 = 2011-11-01..2011-11-30"
DEEP_TABLES = ["revenue change by product: Nov 2011 vs Oct 2011",
               "Revenue change: price vs volume (Nov 2011 vs Oct 2011)",
               f"revenue by day, {PERIOD}", f"Most returned products by returned_units, {PERIOD}",
               "Biggest risers (products, revenue), Nov 2011 vs Oct 2011",
               "Biggest fallers (products, revenue), Nov 2011 vs Oct 2011", f"revenue by hour, {PERIOD}"]
DEEP_CHARTS = ["revenue change by product: Nov 2011 vs Oct 2011", "Revenue change: price vs volume",
               f"revenue by day, {PERIOD}", f"Most returned products by returned_units, {PERIOD}",
               "Biggest movers by revenue change, Nov 2011 vs Oct 2011", f"revenue by hour, {PERIOD}"]


def _items(titles: list[str]) -> list[dict[str, object]]:
    return [{"title": t, "columns": ["key", "revenue"], "rows": [], "figure": {}} for t in titles]


def test_each_chart_sits_with_the_table_it_draws() -> None:
    found = sections(_items(DEEP_TABLES), _items(DEEP_CHARTS))
    pairs = [([t["title"] for t in s.tables], [c["title"] for c in s.charts]) for s in found]
    assert pairs[0] == ([DEEP_TABLES[0]], [DEEP_CHARTS[0]])  # the primary answer first
    assert ([DEEP_TABLES[1]], [DEEP_CHARTS[1]]) in pairs  # same title but for the period
    assert ([DEEP_TABLES[4], DEEP_TABLES[5]], [DEEP_CHARTS[4]]) in pairs  # the movers chart takes both tables
    assert [s.title for s in found] == ["Revenue change by product", "Revenue change: price vs volume",
                                        "Revenue by day", "Most returned products by returned units",
                                        "Biggest movers by revenue change", "Revenue by hour"]


def test_explicit_section_names_win() -> None:
    tables = [{"title": "a", "section": "returns"}, {"title": "b", "section": "trend"}]
    charts = [{"title": "zzz", "section": "trend"}]
    found = sections(tables, charts)
    assert [(s.title, len(s.tables), len(s.charts)) for s in found] == [("Returns", 1, 0), ("Trend", 1, 1)]


titles = st.text(alphabet="abc ,:=()0123456789_", max_size=30)


@given(st.lists(titles, max_size=12), st.lists(titles, max_size=12))
def test_sections_show_every_table_and_chart_exactly_once(tables: list[str], charts: list[str]) -> None:
    t, c = _items(tables), _items(charts)
    found = sections(t, c)
    assert sorted(id(x) for s in found for x in s.tables) == sorted(id(x) for x in t)
    assert sorted(id(x) for s in found for x in s.charts) == sorted(id(x) for x in c)
    if t:
        assert any(x is t[0] for x in found[0].tables) or not found[0].tables  # tables[0] leads
    assert all(s.title for s in found)


def test_partial_periods_are_noticed() -> None:
    table = {"title": "revenue by week", "columns": ["week", "revenue", "partial"],
             "rows": [["2011-W35", 1.0, True], ["2011-W36", 2.0, False]]}
    assert sections([table], [])[0].has_partial
    table["rows"] = [["2011-W36", 2.0, False]]
    assert not sections([table], [])[0].has_partial


def test_titles_lose_their_period_and_machine_names() -> None:
    assert short_title(f"Top 10 products by revenue, {PERIOD}") == "Top 10 products by revenue"
    assert short_title("revenue by country, all data = 2011-09-01..2011-12-09 (excluding United Kingdom)") == \
        "revenue by country"
    assert tab_label(f"Most returned products by returned_value, {PERIOD}") == \
        "Most returned products by returned value"


def test_labels_and_decimals() -> None:
    assert labels.label("revenue_change", currency="GBP") == "Revenue change (£)"
    assert labels.label("revenue_change_pct") == "Revenue change %"
    assert labels.label("revenue_previous", currency="USD") == "Previous revenue ($)"
    assert labels.label("revenue", tile=True, currency="GBP") == "Revenue (net)"
    assert labels.label("units_previous") == "Previous units"
    assert labels.label("month 3") == "Month 3 %"
    assert labels.label("part", currency="GBP") == "Part (£)"
    assert labels.label("part", currency="GBP", share_of="units") == "Part"
    assert labels.fmt("revenue", 1455608.8, currency="GBP") == "£1,455,608.80"
    assert labels.fmt("revenue", -12.5, currency="XYZ") == "-12.50 XYZ"
    assert labels.fmt("orders", 2884.0) == "2,884"
    assert labels.fmt("revenue_change_pct", 36.1185, signed=True) == "+36.1%"
    assert labels.fmt("units_per_order", 2.3456) == "2.35"
    assert labels.fmt("aov", None) == "n/a"
    assert labels.confidence_words(0.91) == "High confidence (0.91)"
    assert labels.confidence_words(0.5).startswith("Medium") and labels.confidence_words(0.1).startswith("Low")


def test_examples_fit_the_data_the_tenant_has() -> None:
    sales = Facts(sales_start=date(2011, 9, 1), sales_end=date(2011, 12, 9), top_country="United Kingdom",
                  countries=3, top_product="RABBIT NIGHT LIGHT")
    shown = examples_for(sales)
    assert shown[0] == "top 10 products by revenue in November 2011"
    assert "how did revenue change from October to November 2011 and why" in shown
    assert any("excluding United Kingdom" in q for q in shown)
    assert any("rabbit night light" in q for q in shown)
    assert examples_for(Facts(reviews=3000)) == []  # reviews only, and no review analysis yet
    assert examples_for(Facts(reviews=3000, review_agent=True)) == [
        "which products have the worst reviews", "what do customers complain about?", "what do people want us to add?"]
    assert "which products have the worst reviews" in examples_for(
        Facts(sales_start=date(2011, 9, 1), sales_end=date(2011, 12, 9), reviews=3000, review_agent=True))
    assert examples_for(Facts()) == []


def test_last_complete_month_is_inside_the_data() -> None:
    assert last_complete_month(date(2011, 9, 1), date(2011, 12, 9)) == (date(2011, 11, 1), date(2011, 11, 30))
    assert last_complete_month(date(2011, 9, 1), date(2011, 11, 30)) == (date(2011, 11, 1), date(2011, 11, 30))
    assert last_complete_month(date(2011, 10, 5), date(2011, 11, 10)) is None


def _draw_report_with_quality_warnings() -> None:
    from ui.report import draw_report

    gap = ("Data quality: 2011-08-01..2011-08-31 has 5 trading days without any sales (2011-08-15..2011-08-19) "
           "— data missing or the shop closed; totals and averages for this period may be low.")
    draw_report({"question": "revenue in August 2011", "status": "ok", "summary": "Revenue £199,237.99.",
                 "confidence": 0.36, "metrics": {"revenue": 199237.99},
                 "warnings": ["Returns were 4.0% of gross sales.", "Stock adjustments: 32 lines.",
                              "Corrections: 18 lines.", gap],
                 "data_quality": {"warnings": [gap], "confidence_factor": 0.378}},
                key="t", ask_again=lambda q: None, currency="GBP")


def test_data_quality_warnings_sit_under_the_confidence_never_among_more_notes() -> None:
    # a newcomer asked about a month with a gap: the reason for the low confidence must be on screen, not
    # the fourth note folded into "1 more notes"
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_function(_draw_report_with_quality_warnings).run()
    assert not at.exception
    quality = [w.value for w in at.warning if "Data quality problems under this answer" in w.value]
    assert len(quality) == 1 and "2011-08-15..2011-08-19" in quality[0] and "× 0.38" in quality[0]
    others = " ".join(w.value for w in at.warning if w.value not in quality)
    assert "trading days without any sales" not in others and "Returns were 4.0%" in others
    assert not [e for e in at.expander if "more notes" in e.label]  # three notes left: all shown
