"""Data-quality questions that name a period ("any data problems in november?"): the period is read, the
period-sensitive sales checks (gaps of days, unusual daily revenue, future dates, rejected rows of the imports
that carry the period's lines) are scoped to it and the answer says so, while the dataset scores stay labelled
as all-data. On real SQLite and PostgreSQL, with a shop file with planted defects and the small sample."""

from __future__ import annotations

from datetime import date, timedelta

import pandas as pd
import pytest

from ecomintel.ask.domains import DomainQuestion
from ecomintel.ask.periods import normalise
from ecomintel.ask.quality_questions import plan_quality_question
from ecomintel.ask.service import ask
from ecomintel.config import load_settings
from ecomintel.db.repository import Repository
from ecomintel.db.vocab import Vocab
from ecomintel.ingest.pipeline import ingest_file
from ecomintel.quality.period import sales_period_quality
from ecomintel.samples import SMALL_SALES
from tests.conftest import SAMPLES

SETTINGS = load_settings({})
OCT_GAP = (date(2011, 10, 18), date(2011, 10, 19))  # Tuesday, Wednesday
NOV_GAP = (date(2011, 11, 15), date(2011, 11, 17))  # Tuesday..Thursday
SPIKE = date(2011, 10, 12)  # a day with fifty times the usual revenue


def shop_lines(start: date, end: date, *, bad_line: bool = False) -> bytes:
    """A shop closed on Saturdays, 10 lines a day, with the gaps above; `bad_line` adds one unreadable line."""
    rows = []
    day = start
    while day <= end:
        gap = any(a <= day <= b for a, b in (OCT_GAP, NOV_GAP))
        if day.weekday() != 5 and not gap:
            for k in range(10):
                rows.append({"InvoiceNo": f"{day:%m%d}{k:02d}", "StockCode": f"S{k % 4}", "Quantity": 1 + k % 3,
                             "UnitPrice": (50.0 if day == SPIKE else 1.0) * (2.5 + k % 4),
                             "InvoiceDate": f"{day} 10:{k:02d}", "CustomerID": str(1000 + k), "Country": "UK"})
        day += timedelta(days=1)
    if bad_line:
        rows.append({"InvoiceNo": "X1", "StockCode": "S1", "Quantity": "two", "UnitPrice": 1.0,
                     "InvoiceDate": "2011-11-02 11:00", "CustomerID": "1001", "Country": "UK"})
    return pd.DataFrame(rows).to_csv(index=False).encode()


@pytest.fixture
def shop(repo: Repository) -> Repository:
    """October in one file, November–9 December in another with one rejected line (both in GBP; closed on
    Saturdays, so the first sale is on Sunday 2 October)."""
    for name, data in (("october.csv", shop_lines(date(2011, 10, 1), date(2011, 10, 31))),
                       ("nov_dec.csv", shop_lines(date(2011, 11, 1), date(2011, 12, 9), bad_line=True))):
        result = ingest_file(repo, "sales", data, settings=SETTINGS, file_name=name, defaults={"currency": "GBP"})
        assert result.status == "done", result.message
    return repo


def _ask(repo: Repository, question: str) -> dict:
    report = ask(question, repo=repo, settings=SETTINGS, save=False)
    assert report["intent"] == "data_quality" and report["status"] == "ok", (question, report["summary"])
    assert report["not_understood"] == [], (question, report["not_understood"])
    return report


def test_november_problems_are_november_s_and_the_scores_say_all_data(shop: Repository) -> None:
    report = _ask(shop, "any data problems in november?")
    assert report["periods"] == [{"start": "2011-11-01", "end": "2011-11-30", "label": "Nov 2011"}]
    summary = report["summary"]
    assert summary.startswith("Data quality of sales in Nov 2011 = 2011-11-01..2011-11-30:"), summary
    assert "3 trading days without any sales (2011-11-15..2011-11-17)" in summary
    assert "2011-10-18" not in summary and "2011-10-12" not in summary  # October's problems are not November's
    assert "1 row rejected" in summary and "nov_dec.csv" in summary
    assert "Scores for all data (the period is not applied to them): sales" in summary
    metrics = report["metrics"]
    assert (metrics["period_gap_days"], metrics["period_outlier_days"], metrics["period_future_lines"]) == (3, 0, 0)
    assert metrics["period_rejected_rows"] == 1 and "score_sales" in metrics
    titles = [t["title"] for t in report["tables"]]
    assert titles[0] == "Quality score per dataset (all data)" and "Sales in Nov 2011: period checks" in titles


@pytest.mark.parametrize("question, label, gap_days, outlier_days, rejected", [
    ("were there gaps in the sales data last month", "Nov 2011", 3, 0, 1),   # last complete month: November
    ("is the data for Q4 complete?", "Q4 2011", 5, 1, 1),                    # both gaps, the spike, both files
    ("how reliable is october's data", "Oct 2011", 2, 1, 0),                 # October's file rejected nothing
    ("how reliable is december's data", "Dec 2011", 0, 0, 1),                # nov_dec.csv also carries December
])
def test_analysts_phrasings_scope_the_checks_to_their_period(shop: Repository, question: str, label: str,
                                                             gap_days: int, outlier_days: int, rejected: int) -> None:
    report = _ask(shop, question)
    assert [p["label"] for p in report["periods"]] == [label]
    assert report["summary"].startswith(f"Data quality of sales in {label} = ")
    metrics = report["metrics"]
    assert (metrics["period_gap_days"], metrics["period_outlier_days"], metrics["period_rejected_rows"]) == (
        gap_days, outlier_days, rejected)


def test_a_clean_period_says_so_and_a_partial_one_is_flagged(shop: Repository) -> None:
    december = _ask(shop, "how reliable is december's data")
    assert "no trading day without sales" in december["summary"]
    assert any(w.startswith("Partial period:") and "data ends 2011-12-09" in w for w in december["warnings"])


def test_without_a_period_the_answer_is_as_before(shop: Repository) -> None:
    report = _ask(shop, "how good is our data?")
    assert report["periods"] == [] and report["summary"].startswith("Data quality scores: sales ")
    assert "period_gap_days" not in report["metrics"]
    assert report["tables"][0]["title"] == "Quality score per dataset (all data)"


def test_a_period_outside_the_data_is_an_honest_refusal(shop: Repository) -> None:
    report = ask("any data problems in march?", repo=shop, settings=SETTINGS, save=False)
    assert report["status"] == "cannot_answer" and not report["metrics"]
    assert "outside your sales data" in report["summary"] and "2011-10-02..2011-12-09" in report["summary"]  # 1 Oct 2011 was a Saturday
    assert "how good is our data?" in report["suggestions"]


def test_a_period_on_a_dataset_without_period_checks_is_said_not_applied(shop: Repository) -> None:
    reviews = ingest_file(shop, "reviews", (SAMPLES / "clothing_reviews_3000.csv").read_bytes(),
                          settings=SETTINGS, file_name="reviews.csv")
    assert reviews.status == "done"
    report = ask("any problems with the reviews data in november?", repo=shop, settings=SETTINGS, save=False)
    assert report["intent"] == "data_quality" and "score_reviews" in report["metrics"]
    assert "score_sales" not in report["metrics"]
    assert any("not applied" in w and "Nov 2011" in w and "reviews" in w for w in report["warnings"])
    assert "all data" in report["summary"]


def test_the_small_sample_november_is_partial_and_labelled(repo: Repository) -> None:
    result = ingest_file(repo, "sales", SAMPLES / SMALL_SALES, settings=SETTINGS, defaults={"currency": "GBP"})
    assert result.status == "done"
    report = _ask(repo, "any data problems in november?")
    assert report["summary"].startswith("Data quality of sales in Nov 2011 = 2011-11-01..2011-11-10:")
    assert "Scores for all data" in report["summary"]
    assert any(w.startswith("Partial period:") for w in report["warnings"])
    assert report["metrics"]["period_lines"] > 0


def test_the_planner_reads_the_period_of_a_quality_question() -> None:
    vocab = Vocab(sales_start=date(2010, 12, 1), sales_end=date(2011, 12, 9))
    for text, label in (("any data problems in november?", "Nov 2011"),
                        ("were there gaps in the sales data last month", "Nov 2011"),
                        ("is the data for Q4 complete?", "Q4 2011"),
                        ("how reliable is december's data", "Dec 2011"),
                        ("data quality in february 2011", "Feb 2011")):
        plan = plan_quality_question(DomainQuestion(text, normalise(text), vocab, "quick"))
        assert plan is not None and plan.intent == "data_quality", text
        assert [p.label for p in plan.periods] == [label] and plan.not_understood == [], (text, plan)
    plain = plan_quality_question(DomainQuestion("how good is our data?", "how good is our data?", vocab, "quick"))
    assert plain is not None and plain.periods == []


def test_period_checks_on_a_hand_made_series() -> None:
    """quality/period.py alone: a month without any line inside the data is its gap; a future-dated day counts."""
    days = [date(2011, 1, 3) + timedelta(days=i) for i in range(120)]
    kept = [d for d in days if not date(2011, 2, 1) <= d <= date(2011, 2, 28)] + [date(2030, 1, 2)]
    daily = pd.DataFrame({"day": [d.isoformat() for d in kept], "lines": 10, "revenue": 100.0, "no_customer": 0,
                          "outlier": False})
    batches = pd.DataFrame(columns=["batch", "batch_id", "kind", "file_name", "rows_rejected"])
    february = sales_period_quality(daily, date(2011, 2, 1), date(2011, 2, 28), today=date(2026, 1, 1),
                                    batches=batches, batch_ids=[])
    assert february.lines == 0 and {c.check for c in february.problems} == {"gap_days", "no_lines"}
    assert february.count("gap_days") == 28
    future = sales_period_quality(daily, date(2030, 1, 1), date(2030, 1, 31), today=date(2026, 1, 1),
                                  batches=batches, batch_ids=[])
    assert future.count("future_date") == 10 and future.days_with_sales == 0


def test_a_line_dated_years_ahead_does_not_move_the_month_a_question_names(shop: Repository) -> None:
    """One mistyped year (2031) must not turn "november" into November 2030 — a period without data, answered
    as "no problem" with high confidence; the future line is reported as a problem instead."""
    typo = b"InvoiceNo,StockCode,Quantity,UnitPrice,InvoiceDate,CustomerID,Country\n777,S1,1,2.5,2031-09-20 10:00,1001,UK\n"
    assert ingest_file(shop, "sales", typo, settings=SETTINGS, file_name="typo.csv",
                       defaults={"currency": "GBP"}).accepted == 1
    assert shop.vocabulary().sales_end == date(2011, 12, 9)
    report = _ask(shop, "any data problems in november?")
    assert report["periods"] == [{"start": "2011-11-01", "end": "2011-11-30", "label": "Nov 2011"}]
    assert "3 trading days without any sales (2011-11-15..2011-11-17)" in report["summary"]
    sales = ask("revenue last month", repo=shop, settings=SETTINGS, save=False)
    assert sales["periods"][0]["start"] == "2011-11-01", sales["periods"]
