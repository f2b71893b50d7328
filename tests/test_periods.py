"""The period parser: the team's time rules (common.md) on the demo range, and property tests that any
generated date expression resolves inside the data or fails with a clear PlanError — never anything else."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ecomintel.ask.periods import MONTHS, resolve_expression, resolve_periods
from ecomintel.errors import PlanError

START, END = date(2011, 9, 1), date(2011, 12, 9)  # the demo file's range: D = 2011-12-09


def spans(text: str, compare: bool = False) -> list[tuple[str, str]]:
    result = resolve_periods(text, data_start=START, data_end=END, compare=compare)
    return [(p.start.isoformat(), p.end.isoformat()) for p in result.periods]


@pytest.mark.parametrize(("text", "expected"), [
    ("November", [("2011-11-01", "2011-11-30")]),
    ("H2 2011", [("2011-09-01", "2011-12-09")]),  # clipped to the data
    ("the second half of 2011", [("2011-09-01", "2011-12-09")]),
    ("nov", [("2011-11-01", "2011-11-30")]),
    ("Nov.", [("2011-11-01", "2011-11-30")]),
    ("november 2011", [("2011-11-01", "2011-11-30")]),
    ("Nov '11", [("2011-11-01", "2011-11-30")]),
    ("2011-11", [("2011-11-01", "2011-11-30")]),
    ("11/2011", [("2011-11-01", "2011-11-30")]),
    ("Novmber", [("2011-11-01", "2011-11-30")]),
    ("Ocotber", [("2011-10-01", "2011-10-31")]),
    ("Q4 2011", [("2011-10-01", "2011-12-09")]),
    ("2011-Q4", [("2011-10-01", "2011-12-09")]),
    ("fourth quarter of 2011", [("2011-10-01", "2011-12-09")]),
    ("last quarter", [("2011-09-01", "2011-09-30")]),  # Q3 2011, clipped to the data start
    ("this quarter", [("2011-10-01", "2011-12-09")]),
    ("week 48", [("2011-11-28", "2011-12-04")]),
    ("2011-W48", [("2011-11-28", "2011-12-04")]),
    ("last month", [("2011-11-01", "2011-11-30")]),
    ("this month", [("2011-12-01", "2011-12-09")]),
    ("month to date", [("2011-12-01", "2011-12-09")]),
    ("last 4 weeks", [("2011-11-12", "2011-12-09")]),
    ("last two weeks", [("2011-11-26", "2011-12-09")]),
    ("past 30 days", [("2011-11-10", "2011-12-09")]),
    ("last 3 months", [("2011-09-10", "2011-12-09")]),
    ("last week", [("2011-11-28", "2011-12-04")]),
    ("yesterday", [("2011-12-08", "2011-12-08")]),
    ("today", [("2011-12-09", "2011-12-09")]),
    ("year to date", [("2011-09-01", "2011-12-09")]),
    ("YTD", [("2011-09-01", "2011-12-09")]),
    ("2011", [("2011-09-01", "2011-12-09")]),
    ("since October", [("2011-10-01", "2011-12-09")]),
    ("from 2011-10-01 to 2011-10-15", [("2011-10-01", "2011-10-15")]),
    ("between Oct and Nov", [("2011-10-01", "2011-11-30")]),
    ("5 Nov 2011", [("2011-11-05", "2011-11-05")]),
    ("October vs November", [("2011-11-01", "2011-11-30"), ("2011-10-01", "2011-10-31")]),
    ("Nov 2011 compared to Oct 2011", [("2011-11-01", "2011-11-30"), ("2011-10-01", "2011-10-31")]),
    ("month over month", [("2011-11-01", "2011-11-30"), ("2011-10-01", "2011-10-31")]),
    ("week over week", [("2011-11-28", "2011-12-04"), ("2011-11-21", "2011-11-27")]),
    ("the last 4 weeks vs the previous 4 weeks", [("2011-11-12", "2011-12-09"), ("2011-10-15", "2011-11-11")]),
    ("last 7 days compared to the prior 7 days", [("2011-12-03", "2011-12-09"), ("2011-11-26", "2011-12-02")]),
    ("Q4 vs previous quarter", [("2011-10-01", "2011-12-09"), ("2011-09-01", "2011-09-09")]),
    ("top 10 products", []),
    ("more than 2000 units", []),
    ("may I see the revenue", []),
])
def test_resolves_the_shared_time_rules(text: str, expected: list[tuple[str, str]]) -> None:
    assert spans(text) == expected


def test_half_years() -> None:
    full = {"data_start": date(2010, 12, 1), "data_end": date(2011, 12, 9)}
    first = resolve_periods("revenue in the first half of 2011", **full).periods[0]
    assert (first.start, first.end) == (date(2011, 1, 1), date(2011, 6, 30))
    h1 = resolve_periods("sales in H1", **full)  # no year: the latest H1 in the data
    assert (h1.periods[0].start, h1.periods[0].end) == (date(2011, 1, 1), date(2011, 6, 30))
    both = resolve_periods("second half vs first half of 2011", compare=True, **full).periods
    assert [(p.start, p.end) for p in both] == [(date(2011, 7, 1), date(2011, 12, 9)),
                                                (date(2011, 1, 1), date(2011, 6, 30))]


def test_from_to_is_a_comparison_when_the_question_compares() -> None:
    assert spans("from October to November") == [("2011-10-01", "2011-11-30")]
    assert spans("from October to November", compare=True) == [("2011-11-01", "2011-11-30"),
                                                                ("2011-10-01", "2011-10-31")]
    # a single period in a comparing question is compared with the one before it
    assert spans("in November", compare=True) == [("2011-11-01", "2011-11-30"), ("2011-10-01", "2011-10-31")]
    # a partial month (data ends 2011-12-09) is compared with the same days of the month before
    assert spans("in December", compare=True) == [("2011-12-01", "2011-12-09"), ("2011-11-01", "2011-11-09")]


def test_notes_state_the_resolved_dates_and_assumptions() -> None:
    result = resolve_periods("revenue in Novmber", data_start=START, data_end=END)
    assert any("Novmber" in n and "November" in n for n in result.notes)
    assert any("2011-11-01..2011-11-30" in n and "latest November" in n for n in result.notes)
    clipped = resolve_periods("Q4 2011", data_start=START, data_end=END)
    assert any("data ends 2011-12-09" in n for n in clipped.notes)


@pytest.mark.parametrize(("text", "message"), [
    ("March 2010", "outside your sales data"),
    ("last year", "outside your sales data"),
    ("2012-01-05", "outside your sales data"),
    ("2011-13", "not a valid month"),
    ("2011-02-30", "not a valid date"),
    ("week 60", "not an ISO week"),
    ("Q5 2011", "not a quarter"),
    ("last 0 days", "empty period"),
])
def test_nonsense_and_out_of_range_dates_raise_plan_error(text: str, message: str) -> None:
    with pytest.raises(PlanError, match=message):
        spans(text)


def test_expressions_written_by_a_planner() -> None:
    result = resolve_expression("2011-10-01..2011-10-15", data_start=START, data_end=END)
    assert (result.periods[0].start, result.periods[0].end) == (date(2011, 10, 1), date(2011, 10, 15))
    assert resolve_expression("last quarter", data_start=START, data_end=END).periods[0].label == "Q3 2011"
    with pytest.raises(PlanError):
        resolve_expression("whenever", data_start=START, data_end=END)


# -- properties ---------------------------------------------------------------------------------------------
_month = st.sampled_from([*MONTHS, *(m[:3] for m in MONTHS), "sept", "novmber", "octber", "decmber"])
_year = st.integers(1990, 2035).map(str)
_num = st.integers(-3, 400)
_expr = st.one_of(
    st.tuples(_month, st.sampled_from(["", " ", ", ", " of "]), st.one_of(st.just(""), _year)).map("".join),
    st.tuples(_month, st.integers(0, 99)).map(lambda t: f"{t[0]} '{t[1]:02d}"),
    st.tuples(_year, st.integers(-1, 14)).map(lambda t: f"{t[0]}-{t[1]:02d}"),
    st.tuples(st.integers(-1, 14), _year).map(lambda t: f"{t[0]}/{t[1]}"),
    st.tuples(_year, st.integers(0, 14), st.integers(0, 33)).map(lambda t: f"{t[0]}-{t[1]:02d}-{t[2]:02d}"),
    st.tuples(st.integers(0, 6), st.one_of(st.just(""), _year)).map(lambda t: f"Q{t[0]} {t[1]}".strip()),
    st.tuples(st.integers(0, 60), st.one_of(st.just(""), _year)).map(lambda t: f"week {t[0]} {t[1]}".strip()),
    st.tuples(st.sampled_from(["H1", "H2", "first half of", "second half of"]), st.one_of(st.just(""), _year))
    .map(lambda t: f"{t[0]} {t[1]}".strip()),
    st.tuples(st.sampled_from(["last", "past", "previous"]), _num,
              st.sampled_from(["days", "weeks", "months", "quarters", "years"])).map(lambda t: f"{t[0]} {t[1]} {t[2]}"),
    st.sampled_from(["last month", "this month", "last quarter", "this quarter", "last week", "this week",
                     "last year", "this year", "year to date", "ytd", "mtd", "yesterday", "today",
                     "month over month", "week over week", "yoy", "previous period"]),
    _year,
)
_question = st.one_of(
    _expr,
    st.tuples(_expr, st.sampled_from([" vs ", " to ", " and ", " compared to "]), _expr)
    .map(lambda t: "".join(t)),
    st.tuples(st.sampled_from(["from ", "between ", "since ", "revenue in ", "top 5 products "]), _expr)
    .map(lambda t: "".join(t)),
)
_range = st.tuples(st.dates(date(2009, 1, 1), date(2013, 12, 31)), st.integers(0, 900))


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=_question, data_range=_range, compare=st.booleans())
def test_any_date_expression_resolves_inside_the_data_or_says_why(text: str, data_range: tuple[date, int],
                                                                  compare: bool) -> None:
    start, days = data_range
    end = date.fromordinal(start.toordinal() + days)
    try:
        result = resolve_periods(text, data_start=start, data_end=end, compare=compare)
    except PlanError as exc:
        assert exc.message and len(exc.message) < 300
        return
    assert len(result.periods) <= 2
    for period in result.periods:
        assert start <= period.start <= period.end <= end


@settings(max_examples=300, deadline=None)
@given(text=st.text(max_size=80))
def test_arbitrary_text_never_breaks_the_parser(text: str) -> None:
    try:
        result = resolve_periods(text, data_start=START, data_end=END)
    except PlanError:
        return
    for period in result.periods:
        assert START <= period.start <= period.end <= END


@pytest.mark.parametrize(("text", "expected"), [
    ("turnover summer 2011", [("2011-06-01", "2011-08-31")]),
    ("revenue in fall 2011", [("2011-09-01", "2011-11-30")]),
    ("sales in the spring", [("2011-03-01", "2011-05-31")]),  # the latest spring in the data
    ("summer sales", [("2011-06-01", "2011-08-31")]),
    ("revenue last winter", [("2010-12-01", "2011-02-28")]),  # winter 2011 is under way: the one before
    ("autumn of 2011 orders", [("2011-09-01", "2011-11-30")]),
])
def test_seasons_are_meteorological_northern_periods(text: str, expected: list[tuple[str, str]]) -> None:
    result = resolve_periods(text, data_start=date(2010, 12, 1), data_end=END)  # a year of data
    assert [(p.start.isoformat(), p.end.isoformat()) for p in result.periods] == expected


@pytest.mark.parametrize("text", ["why did sales fall in the uk", "spring flower mug units",
                                  "summer daisies bag charm revenue"])
def test_season_words_that_are_verbs_or_product_names_are_not_periods(text: str) -> None:
    assert spans(text) == []
