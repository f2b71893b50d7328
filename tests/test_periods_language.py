"""Period language analysts type (issue 7 item 7): abbreviations, shorthand, "week of <date>", month names in
Spanish, French and German (or a clear "did not understand"), and weekday filters. Written the way people
type: terse, lower case, a typo here and there. Anchors as in test_periods.py: D = 2011-12-09 (a Friday)."""

from __future__ import annotations

import dataclasses
from datetime import date
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ecomintel.ask import periods
from ecomintel.ask.periods import WEEKDAYS, PeriodResult, resolve_periods
from ecomintel.errors import PlanError
from tests.test_periods import _expr as _old_expr
from tests.test_periods import _question as _old_question

START, END = date(2011, 9, 1), date(2011, 12, 9)  # the demo file's range
FULL = date(2010, 12, 1)  # the full Online Retail range starts here (same D)

W45 = [("2011-11-07", "2011-11-13")]
WEEKEND = ["Saturday", "Sunday"]
MON_FRI = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday"]


def resolve(text: str, start: date = START, compare: bool = False) -> PeriodResult:
    return resolve_periods(text, data_start=start, data_end=END, compare=compare)


def spans(text: str, start: date = START, compare: bool = False) -> list[tuple[str, str]]:
    return [(p.start.isoformat(), p.end.isoformat()) for p in resolve(text, start, compare).periods]


def leftover(result: PeriodResult) -> str:
    """The words no rule consumed."""
    chars = list(result.text)
    for a, b in result.consumed:
        chars[a:b] = " " * (b - a)
    return " ".join("".join(chars).split())


# -- abbreviations and shorthand ------------------------------------------------------------------------------
@pytest.mark.parametrize(("text", "expected"), [
    ("rev last qtr", [("2011-09-01", "2011-09-30")]),  # Q3 2011, clipped to the data start
    ("sales this qtr", [("2011-10-01", "2011-12-09")]),
    ("qtr 3", [("2011-09-01", "2011-09-30")]),
    ("qtr3 2011", [("2011-09-01", "2011-09-30")]),
    ("3rd qtr", [("2011-09-01", "2011-09-30")]),
    ("quarter 4", [("2011-10-01", "2011-12-09")]),
    ("prev qtr", [("2011-09-01", "2011-09-30")]),
    ("last mth", [("2011-11-01", "2011-11-30")]),
    ("orders last mo", [("2011-11-01", "2011-11-30")]),
    ("prev month", [("2011-11-01", "2011-11-30")]),
    ("this mth", [("2011-12-01", "2011-12-09")]),
    ("last 3 mths", [("2011-09-10", "2011-12-09")]),
    ("last 2 mnths", [("2011-10-10", "2011-12-09")]),
    ("last 2 wks", [("2011-11-26", "2011-12-09")]),
    ("prev wk", [("2011-11-28", "2011-12-04")]),
    ("this wk", [("2011-12-05", "2011-12-09")]),
    ("last 2 qtrs", [("2011-09-01", "2011-12-09")]),  # rolling 6 months, clipped
    ("mtd", [("2011-12-01", "2011-12-09")]),
    ("qtd", [("2011-10-01", "2011-12-09")]),
    ("wtd", [("2011-12-05", "2011-12-09")]),
    ("the last 30d", [("2011-11-10", "2011-12-09")]),
    ("last 7d", [("2011-12-03", "2011-12-09")]),
    ("rev L4W", [("2011-11-12", "2011-12-09")]),
    ("l7d", [("2011-12-03", "2011-12-09")]),
    ("L3M uk", [("2011-09-10", "2011-12-09")]),
    ("past fortnight", [("2011-11-26", "2011-12-09")]),
    ("last fortnight", [("2011-11-26", "2011-12-09")]),
    ("last couple of months", [("2011-10-10", "2011-12-09")]),
    ("last couple of wks", [("2011-11-26", "2011-12-09")]),
    ("last few days", [("2011-12-07", "2011-12-09")]),
    ("revenue m/m", [("2011-11-01", "2011-11-30"), ("2011-10-01", "2011-10-31")]),
    ("w/w", [("2011-11-28", "2011-12-04"), ("2011-11-21", "2011-11-27")]),
    ("last mth vs prev mth", [("2011-11-01", "2011-11-30"), ("2011-10-01", "2011-10-31")]),
    ("last 4 wks vs prev 4 wks", [("2011-11-12", "2011-12-09"), ("2011-10-15", "2011-11-11")]),
])
def test_abbreviations(text: str, expected: list[tuple[str, str]]) -> None:
    result = resolve(text)
    assert [(p.start.isoformat(), p.end.isoformat()) for p in result.periods] == expected
    assert leftover(result) in ("", "rev", "sales", "orders", "uk", "revenue", "vs")


@pytest.mark.parametrize(("text", "expected"), [
    ("last yr", [("2010-12-01", "2010-12-31")]),  # 2010, clipped to the data start
    ("this yr", [("2011-01-01", "2011-12-09")]),
    ("prev yr", [("2010-12-01", "2010-12-31")]),
    ("last 2 yrs", [("2010-12-01", "2011-12-09")]),
    ("past 6 mos", [("2011-06-10", "2011-12-09")]),
    ("ttm", [("2010-12-10", "2011-12-09")]),
    ("last 12 mths", [("2010-12-10", "2011-12-09")]),
    ("y/y", [("2011-12-01", "2011-12-09"), ("2010-12-01", "2010-12-09")]),
    ("dec vs ly", [("2011-12-01", "2011-12-09"), ("2010-12-01", "2010-12-09")]),
    ("sales ytd yoy", [("2011-01-01", "2011-12-09"), ("2010-12-01", "2010-12-09")]),
    ("rev qoq", [("2011-07-01", "2011-09-30"), ("2011-04-01", "2011-06-30")]),  # the last complete quarters
    ("q4 qoq", [("2011-10-01", "2011-12-09"), ("2011-07-01", "2011-09-09")]),  # Q4 is partial: same days
    ("units wow", [("2011-11-28", "2011-12-04"), ("2011-11-21", "2011-11-27")]),
])
def test_year_abbreviations_on_the_full_range(text: str, expected: list[tuple[str, str]]) -> None:
    assert spans(text, FULL) == expected


@pytest.mark.parametrize(("text", "expected"), [
    ("revenue 3 months ago", [("2011-09-01", "2011-09-30")]),  # the calendar month three before December
    ("a month ago", [("2011-11-01", "2011-11-30")]),
    ("the month before last", [("2011-10-01", "2011-10-31")]),
    ("sales 2 wks ago", [("2011-11-21", "2011-11-27")]),  # ISO week 47: two before the week of D
    ("the week before last", [("2011-11-21", "2011-11-27")]),
    ("2 days ago", [("2011-12-07", "2011-12-07")]),
    ("rolling 30 days", [("2011-11-10", "2011-12-09")]),
    ("friday 25 nov 2011", [("2011-11-25", "2011-11-25")]),
    ("mon 7 nov to sun 13 nov", [("2011-11-07", "2011-11-13")]),
])
def test_ago_rolling_and_dates_with_their_weekday(text: str, expected: list[tuple[str, str]]) -> None:
    result = resolve(text)
    assert [(p.start.isoformat(), p.end.isoformat()) for p in result.periods] == expected
    assert leftover(result) in ("", "revenue", "sales", "to")


def test_a_weekday_that_does_not_match_the_date_is_noted() -> None:
    result = resolve("saturday 25 nov 2011")
    assert [(p.start, p.end) for p in result.periods] == [(date(2011, 11, 25), date(2011, 11, 25))]
    assert any("2011-11-25 is a Friday" in n for n in result.notes)


@pytest.mark.parametrize(("text", "expected"), [
    ("2 quarters ago", [("2011-04-01", "2011-06-30")]),
    ("a year ago", [("2010-12-01", "2010-12-31")]),
    ("rolling 12 months", [("2010-12-10", "2011-12-09")]),
    ("this time last year", [("2011-12-01", "2011-12-09"), ("2010-12-01", "2010-12-09")]),
])
def test_ago_and_last_year_on_the_full_range(text: str, expected: list[tuple[str, str]]) -> None:
    assert spans(text, FULL) == expected


# -- week of a date -----------------------------------------------------------------------------------------
@pytest.mark.parametrize(("text", "expected"), [
    ("week of 2011-11-09", W45),
    ("sales the week of 9 nov", W45),
    ("the week of 5 dec", [("2011-12-05", "2011-12-09")]),  # clipped: the data ends on the Friday
    ("w/c 2011-11-07", W45),
    ("week commencing 7 nov", W45),
    ("week beginning 7/11/2011", W45),
    ("week starting nov 7th", W45),
    ("week ending 13 nov 2011", W45),
    ("w/e 13/11/2011", W45),
    ("wk of nov 9", W45),
    ("orders wk of 9th nov uk", W45),
    ("week of 7 nov vs week of 14 nov", [("2011-11-14", "2011-11-20"), ("2011-11-07", "2011-11-13")]),
])
def test_week_of_a_date_is_the_iso_week_containing_it(text: str, expected: list[tuple[str, str]]) -> None:
    result = resolve(text)
    assert [(p.start.isoformat(), p.end.isoformat()) for p in result.periods] == expected
    assert leftover(result) in ("", "sales", "orders uk", "vs")


def test_week_of_note_states_the_iso_week() -> None:
    result = resolve("revenue week of 2011-11-09")
    assert any("ISO week 2011-W45 = 2011-11-07..2011-11-13" in n and "2011-11-09" in n for n in result.notes)
    assert result.periods[0].label == "ISO week 2011-W45"


# -- month names in Spanish, French and German ------------------------------------------------------------
@pytest.mark.parametrize(("text", "expected"), [
    # Spanish
    ("ventas noviembre 2011", [("2011-11-01", "2011-11-30")]),
    ("ventas en diciembre", [("2011-12-01", "2011-12-09")]),
    ("enero 2011", [("2011-01-01", "2011-01-31")]),
    ("febrero 2011", [("2011-02-01", "2011-02-28")]),
    ("marzo 2011", [("2011-03-01", "2011-03-31")]),
    ("abril 2011", [("2011-04-01", "2011-04-30")]),
    ("mayo de 2011", [("2011-05-01", "2011-05-31")]),
    ("junio 2011", [("2011-06-01", "2011-06-30")]),
    ("julio 2011", [("2011-07-01", "2011-07-31")]),
    ("agosto 2011", [("2011-08-01", "2011-08-31")]),
    ("septiembre 2011", [("2011-09-01", "2011-09-30")]),
    ("setiembre 2011", [("2011-09-01", "2011-09-30")]),
    ("octubre", [("2011-10-01", "2011-10-31")]),
    ("diciembre 2010", [("2010-12-01", "2010-12-31")]),
    ("dic 2010", [("2010-12-01", "2010-12-31")]),
    ("ene 2011", [("2011-01-01", "2011-01-31")]),
    ("abr. 2011", [("2011-04-01", "2011-04-30")]),
    ("ago 2011", [("2011-08-01", "2011-08-31")]),
    ("5 dic 2011", [("2011-12-05", "2011-12-05")]),
    ("el 5 de mayo de 2011", [("2011-05-05", "2011-05-05")]),
    ("ventas de enero a marzo de 2011", [("2011-01-01", "2011-03-31")]),
    ("ventas septiembre vs octubre", [("2011-10-01", "2011-10-31"), ("2011-09-01", "2011-09-30")]),
    # French
    ("janvier 2011", [("2011-01-01", "2011-01-31")]),
    ("février 2011", [("2011-02-01", "2011-02-28")]),
    ("fevrier 2011", [("2011-02-01", "2011-02-28")]),
    ("mars 2011", [("2011-03-01", "2011-03-31")]),
    ("chiffre d'affaires en mars", [("2011-03-01", "2011-03-31")]),
    ("avril 2011", [("2011-04-01", "2011-04-30")]),
    ("mai 2011", [("2011-05-01", "2011-05-31")]),
    ("juin 2011", [("2011-06-01", "2011-06-30")]),
    ("juillet 2011", [("2011-07-01", "2011-07-31")]),
    ("le 14 juillet 2011", [("2011-07-14", "2011-07-14")]),
    ("août 2011", [("2011-08-01", "2011-08-31")]),
    ("aout 2011", [("2011-08-01", "2011-08-31")]),
    ("septembre 2011", [("2011-09-01", "2011-09-30")]),
    ("octobre 2011", [("2011-10-01", "2011-10-31")]),
    ("ventes novembre", [("2011-11-01", "2011-11-30")]),
    ("décembre 2010", [("2010-12-01", "2010-12-31")]),
    ("decembre 2010", [("2010-12-01", "2010-12-31")]),
    ("janv 2011", [("2011-01-01", "2011-01-31")]),
    ("févr. 2011", [("2011-02-01", "2011-02-28")]),
    ("avr 2011", [("2011-04-01", "2011-04-30")]),
    ("juil 2011", [("2011-07-01", "2011-07-31")]),
    ("déc 2010", [("2010-12-01", "2010-12-31")]),
    ("du 1 octobre au 15 novembre", [("2011-10-01", "2011-11-15")]),
    # German
    ("Umsatz Januar 2011", [("2011-01-01", "2011-01-31")]),
    ("jänner 2011", [("2011-01-01", "2011-01-31")]),
    ("februar 2011", [("2011-02-01", "2011-02-28")]),
    ("März 2011", [("2011-03-01", "2011-03-31")]),
    ("maerz 2011", [("2011-03-01", "2011-03-31")]),
    ("umsatz im märz", [("2011-03-01", "2011-03-31")]),
    ("umsatz im mai", [("2011-05-01", "2011-05-31")]),
    ("juni 2011", [("2011-06-01", "2011-06-30")]),
    ("juli 2011", [("2011-07-01", "2011-07-31")]),
    ("Oktober", [("2011-10-01", "2011-10-31")]),
    ("am 3. oktober 2011", [("2011-10-03", "2011-10-03")]),
    ("Dezember 2010", [("2010-12-01", "2010-12-31")]),
    ("okt 2011", [("2011-10-01", "2011-10-31")]),
    ("dez 2010", [("2010-12-01", "2010-12-31")]),
    ("mrz 2011", [("2011-03-01", "2011-03-31")]),
    ("umsatz oktober vs november", [("2011-11-01", "2011-11-30"), ("2011-10-01", "2011-10-31")]),
])
def test_foreign_month_names(text: str, expected: list[tuple[str, str]]) -> None:
    result = resolve(text, FULL)
    assert [(p.start.isoformat(), p.end.isoformat()) for p in result.periods] == expected
    assert result.unread == []


def test_foreign_month_note() -> None:
    result = resolve("ventas noviembre 2011", FULL)
    assert "Read 'noviembre' as November." in result.notes
    assert leftover(result) == "ventas"
    assert "Read 'Dezember' as December." in resolve("Dezember 2010", FULL).notes


@pytest.mark.parametrize(("text", "expected"), [
    ("mars bars sold in nov", [("2011-11-01", "2011-11-30")]),  # the chocolate bar, not March
    ("sales of mars bars", []),
    ("twix vs mars", []),
    ("avril lavigne poster sales", []),
    ("mayo jar revenue", []),
    ("mai tai glasses last month", [("2011-11-01", "2011-11-30")]),
    ("top junior products in nov", [("2011-11-01", "2011-11-30")]),
    ("revenue in mars", [("2011-03-01", "2011-03-31")]),  # a preposition and nothing after: the month
    ("from mars to avril", [("2011-03-01", "2011-04-30")]),
    ("may I see the revenue", []),
])
def test_foreign_words_that_are_also_english_need_context(text: str, expected: list[tuple[str, str]]) -> None:
    result = resolve(text, FULL)
    assert [(p.start.isoformat(), p.end.isoformat()) for p in result.periods] == expected
    assert result.unread == []


@pytest.mark.parametrize(("text", "unread"), [
    ("ventas noviembr 2011", ["noviembr"]),
    ("revenue dezembre", ["dezembre"]),
    ("sales in dicembre 2011", ["dicembre"]),  # Italian: not read
    ("Septiembr revenue", ["Septiembr"]),
])
def test_month_like_words_that_are_not_understood_are_reported(text: str, unread: list[str]) -> None:
    result = resolve(text, FULL)
    assert result.unread == unread
    assert result.periods == []  # and the year beside it is not read as the whole year
    assert any(f"'{unread[0]}'" in n and "not understand" in n for n in result.notes)
    assert unread[0].lower() in leftover(result)  # left for the planner to report


# -- weekday filters ----------------------------------------------------------------------------------------
@pytest.mark.parametrize(("text", "weekdays", "left"), [
    ("revenue on sundays", ["Sunday"], "revenue"),
    ("sundays only", ["Sunday"], ""),
    ("only on sundays", ["Sunday"], ""),
    ("sales on weekends", WEEKEND, "sales"),
    ("sales at the weekend", WEEKEND, "sales"),
    ("weekend sales", WEEKEND, "sales"),
    ("weekends only", WEEKEND, ""),
    ("orders on weekdays", MON_FRI, "orders"),
    ("weekdays only", MON_FRI, ""),
    ("rev mon-fri", MON_FRI, "rev"),
    ("monday to friday revenue", MON_FRI, "revenue"),
    ("revenue between monday and friday", MON_FRI, "revenue"),
    ("sat-sun orders", WEEKEND, "orders"),
    ("on business days", MON_FRI, ""),
    ("on mondays and fridays", ["Monday", "Friday"], ""),
    ("mondays, wednesdays & fridays", ["Monday", "Wednesday", "Friday"], ""),
    ("excluding weekends", MON_FRI, ""),
    ("revenue excl weekends", MON_FRI, "revenue"),
    ("except sundays", ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"], ""),
    ("on weekends excluding sundays", ["Saturday"], ""),
    ("every sunday", ["Sunday"], ""),
    ("sunday sales", ["Sunday"], "sales"),
    ("thursdays", ["Thursday"], ""),
    ("on a sunday", ["Sunday"], ""),
    ("weekday only", MON_FRI, ""),
    ("exc weekends", MON_FRI, ""),
    ("saturday and sunday sales", WEEKEND, "sales"),
    ("tues-thurs", ["Tuesday", "Wednesday", "Thursday"], ""),
])
def test_weekday_filters(text: str, weekdays: list[str], left: str) -> None:
    result = resolve(text)
    assert result.weekdays == weekdays
    assert result.periods == []
    assert leftover(result) == left
    assert any("weekday filter" in n.lower() for n in result.notes)


@pytest.mark.parametrize(("text", "weekdays", "expected"), [
    ("sundays in nov 2011", ["Sunday"], [("2011-11-01", "2011-11-30")]),
    ("revenue on weekends last mth", WEEKEND, [("2011-11-01", "2011-11-30")]),
    ("orders on weekdays last 4 weeks", MON_FRI, [("2011-11-12", "2011-12-09")]),
    ("every sunday in q4", ["Sunday"], [("2011-10-01", "2011-12-09")]),
    ("on fridays since october", ["Friday"], [("2011-10-01", "2011-12-09")]),
])
def test_weekday_filters_combine_with_periods(text: str, weekdays: list[str],
                                              expected: list[tuple[str, str]]) -> None:
    result = resolve(text)
    assert result.weekdays == weekdays
    assert [(p.start.isoformat(), p.end.isoformat()) for p in result.periods] == expected


@pytest.mark.parametrize(("text", "left"), [
    ("revenue by weekday", "revenue by weekday"),
    ("which weekday sells most", "which weekday sells most"),
    ("sales by day of week", "sales by day of week"),
    ("revenue per weekday in nov", "revenue per weekday in"),
    ("busiest day of the week", "busiest day of the week"),
    ("weekdays vs weekends", "weekdays vs weekends"),
    ("sales last weekend", "sales last weekend"),
    ("revenue on sunday", "revenue on sunday"),  # one Sunday or every Sunday? left for the planner to report
    ("black friday sales", "black friday sales"),  # named days are not weekday filters
    ("cyber monday revenue", "cyber monday revenue"),
    ("good friday", "good friday"),
    ("weekday sales pattern", "weekday sales pattern"),
])
def test_weekday_groupings_are_left_to_the_planner(text: str, left: str) -> None:
    result = resolve(text)
    assert result.weekdays == []
    assert leftover(result) == left


def test_a_weekday_filter_that_leaves_no_day_is_a_plan_error() -> None:
    with pytest.raises(PlanError, match="no day"):
        resolve("weekends excluding weekends")


@pytest.mark.parametrize("text", ["top products in nov with more than 2000 units", "skus selling over 2000 units in november"])
def test_an_amount_is_not_the_year_of_a_month(text: str) -> None:
    assert spans(text, FULL) == [("2011-11-01", "2011-11-30")]  # not Nov 2000 (outside the data)


def test_english_words_near_a_month_name_are_not_months() -> None:
    jungle = resolve("jungle popsicles sold in nov")
    assert [(p.start, p.end) for p in jungle.periods] == [(date(2011, 11, 1), date(2011, 11, 30))]
    match = resolve("does revenue match last month")
    assert not any("match" in n for n in match.notes) and match.unread == []


# -- properties: the new vocabulary resolves inside the data or fails with PlanError, never anything else ------
_FOREIGN = ["enero", "febrero", "marzo", "abril", "mayo", "junio", "julio", "agosto", "septiembre", "setiembre",
            "octubre", "noviembre", "diciembre", "ene", "abr", "ago", "dic", "janvier", "février", "fevrier", "mars",
            "avril", "mai", "juin", "juillet", "août", "aout", "septembre", "octobre", "novembre", "décembre",
            "decembre", "janv", "févr", "avr", "juil", "déc", "januar", "jänner", "februar", "märz", "maerz", "juni",
            "juli", "oktober", "dezember", "okt", "dez", "mrz", "mär"]
_units = st.sampled_from(["qtr", "qtrs", "mth", "mths", "mnths", "mo", "mos", "wk", "wks", "yr", "yrs", "fortnight",
                          "fortnights", "d", "w", "m", "q", "y", "days", "weeks"])
_n = st.one_of(st.integers(-3, 99_999).map(str), st.sampled_from(["", "a", "two", "couple of", "a few", "ninety"]))
_day_words = st.sampled_from(["sundays", "on sundays", "sunday", "every monday", "mon-fri", "sat-sun", "fri-mon",
                              "weekends", "at the weekend", "on weekdays", "weekday", "weekdays only",
                              "excluding weekends", "except sundays", "on mondays and fridays", "business days",
                              "by weekday", "which weekday", "day of week", "weekdays vs weekends", "tues to thurs"])
_foreign = st.sampled_from([*_FOREIGN, "noviembr", "dezembre", "dicembre", "septiembr", "junior", "jungle", "match"])
_date = st.one_of(
    st.tuples(st.integers(0, 9999), st.integers(0, 14), st.integers(0, 33)).map(lambda t: f"{t[0]:04d}-{t[1]:02d}-{t[2]:02d}"),
    st.tuples(st.integers(0, 40), st.sampled_from(["nov", "dec", "march", "dic", "okt", "mai"]),
              st.sampled_from(["", " 2011", " 2010", " '11", " 9999", " 0001"])).map(lambda t: f"{t[0]} {t[1]}{t[2]}"),
    st.tuples(st.integers(0, 40), st.integers(0, 40), st.sampled_from(["2011", "2010", "9999"])).map(lambda t: f"{t[0]}/{t[1]}/{t[2]}"),
    st.tuples(st.sampled_from(["nov", "december", "feb"]), st.integers(0, 40), st.integers(0, 40),
              st.sampled_from(["", " 2011", ", 2010"])).map(lambda t: f"{t[0]} {t[1]}-{t[2]}{t[3]}"),
)
_new_expr = st.one_of(
    st.tuples(st.sampled_from(["last", "past", "prev", "the last", "this", "current", "trailing", "l"]), _n,
              st.sampled_from(["", " "]), _units).map(lambda t: f"{t[0]} {t[1]}{t[2]}{t[3]}"),
    st.tuples(st.sampled_from(["l", "L"]), st.integers(0, 200_000), st.sampled_from(list("dwmqy"))).map(
        lambda t: f"{t[0]}{t[1]}{t[2]}"),
    st.sampled_from(["ttm", "ltm", "ytd", "qtd", "wtd", "mtd", "y/y", "m/m", "w/w", "q/q", "vs ly", "yoy", "qoq"]),
    st.tuples(st.sampled_from(["qtr", "qtr ", "quarter ", "3rd qtr", "q"]), st.integers(0, 9),
              st.sampled_from(["", " 2011", " 9999"])).map(lambda t: f"{t[0]}{t[1]}{t[2]}"),
    st.tuples(st.sampled_from(["week of ", "the week of ", "w/c ", "w/e ", "week commencing ", "week ending ",
                               "wk of "]), _date).map("".join),
    _date,
    st.tuples(st.sampled_from(["", "en ", "im ", "de ", "in ", "for ", "5 ", "le 14 "]), _foreign,
              st.sampled_from(["", " 2011", " de 2010", " '11", " 1999", " bars"])).map("".join),
    _day_words,
)
_new_question = st.one_of(
    _new_expr,
    st.tuples(_new_expr, st.sampled_from([" ", " vs ", " in ", " excluding ", " and ", " to ", " since "]),
              st.one_of(_new_expr, _old_expr)).map("".join),
    st.tuples(_day_words, st.sampled_from([" in ", " ", " during "]), st.one_of(_new_expr, _old_expr)).map("".join),
)


@settings(max_examples=500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=_new_question, data_range=st.tuples(st.dates(date(2009, 1, 1), date(2013, 12, 31)), st.integers(0, 900)),
       compare=st.booleans())
def test_new_vocabulary_resolves_inside_the_data_or_says_why(text: str, data_range: tuple[date, int],
                                                             compare: bool) -> None:
    start, days = data_range
    end = date.fromordinal(start.toordinal() + days)
    try:
        result = resolve_periods(text, data_start=start, data_end=end, compare=compare)
    except PlanError as exc:
        assert exc.message and len(exc.message) < 400
        return
    assert len(result.periods) <= 2
    for period in result.periods:
        assert start <= period.start <= period.end <= end
    assert result.weekdays == [d for d in WEEKDAYS if d in result.weekdays]  # known names, Monday first, once
    assert 0 < len(result.weekdays) < 7 or not result.weekdays
    assert all(0 <= a <= b <= len(result.text) for a, b in result.consumed)
    assert all(word in result.original for word in result.unread)


_NO_SHORTCUTS = tuple(dataclasses.replace(rule, needles=(), digits=False) for rule in periods.RULES)


def _outcome(text: str, rules: tuple[periods.Rule, ...]) -> Any:
    saved, periods.RULES = periods.RULES, rules
    try:
        r = resolve_periods(text, data_start=FULL, data_end=END)
        return r.periods, r.notes, r.consumed, r.weekdays, r.unread, r.relation
    except PlanError as exc:
        return exc.message
    finally:
        periods.RULES = saved


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=st.one_of(_new_question, _old_question, st.text(max_size=50)))
def test_the_needles_only_skip_rows_that_cannot_match(text: str) -> None:
    """A row's needles and digits flag are a shortcut: with or without them, every result is the same."""
    assert _outcome(text, periods.RULES) == _outcome(text, _NO_SHORTCUTS)
