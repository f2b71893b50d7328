"""The Data QA run, the quality gate on answers, the Ask routing of quality questions, the CLI and the ingest
fixes — on real SQLite and PostgreSQL, with files built here or the samples that showed the problems."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import date, timedelta
from pathlib import Path

import pandas as pd
import pytest

from ecomintel.ask.service import ask
from ecomintel.config import load_settings
from ecomintel.db.repository import Repository
from ecomintel.ingest.pipeline import ingest_file
from ecomintel.quality.run import run_quality
from tests.conftest import ROOT, SAMPLES

SETTINGS = load_settings({})
GAP = (date(2011, 3, 15), date(2011, 3, 17))  # Tuesday..Thursday without sales in March


def shop_csv(gap: tuple[date, date] | None = GAP, currency_of: dict[int, str] | None = None) -> bytes:
    """Feb–Mar 2011 of a shop closed on Saturdays: 12 lines a day, customer ids on all but one line."""
    rows = []
    day = date(2011, 2, 1)
    n = 0
    while day <= date(2011, 3, 31):
        if day.weekday() != 5 and not (gap and gap[0] <= day <= gap[1]):
            for k in range(12):
                n += 1
                rows.append({"InvoiceNo": f"{day:%m%d}{k:02d}", "StockCode": f"S{k % 4}",
                             "Description": f"Item {k % 4}", "Quantity": 1 + k % 3, "UnitPrice": 2.5 + k % 4,
                             "InvoiceDate": f"{day} 10:{k:02d}", "CustomerID": "" if k == 0 else str(1000 + k),
                             "Country": "UK", "Currency": (currency_of or {}).get(n, "GBP")})
        day += timedelta(days=1)
    return pd.DataFrame(rows).to_csv(index=False).encode()


def load(repo: Repository, data: bytes, name: str = "shop.csv", kind: str = "sales") -> None:
    result = ingest_file(repo, kind, data, settings=SETTINGS, file_name=name)
    assert result.status == "done", result.message


def test_quality_run_finds_the_gap_and_not_the_saturdays(repo: Repository) -> None:
    load(repo, shop_csv())
    report = run_quality(repo)
    sales = report.datasets["sales"]
    checks = {i.check: i for i in sales.issues}
    assert checks["gap_days"].rows == 3 and "2011-03-15..2011-03-17" in checks["gap_days"].detail
    assert checks["closed_weekdays"].points == 0 and "Saturday" in checks["closed_weekdays"].title
    assert "mixed_currencies" not in checks and sales.score < 100
    assert sales.rows == sum(1 for _ in shop_csv().splitlines()) - 1
    assert run_quality(repo) is report  # kept per data version


def test_mixed_currencies_are_reported_with_their_rows(repo: Repository) -> None:
    load(repo, shop_csv(gap=None, currency_of={5: "USD", 17: "USD"}))
    report = run_quality(repo, use_cache=False)
    checks = {i.check: i for i in report.datasets["sales"].issues}
    mixed = checks["mixed_currencies"]
    assert mixed.severity == "critical" and mixed.rows == 2
    rows = repo.quality_rows(**mixed.locator)
    assert set(rows["currency"]) == {"USD"} and len(rows) == 2
    assert checks["product_several_currencies"].examples[0]["sku"] == "S0"  # lines 5 and 17 are both S0


def test_quality_gate_warns_on_a_period_with_a_gap_and_not_without(repo: Repository) -> None:
    load(repo, shop_csv())
    march = ask("revenue in march 2011", repo=repo, settings=SETTINGS, save=False)
    february = ask("revenue in february 2011", repo=repo, settings=SETTINGS, save=False)
    gap_warnings = [w for w in march["warnings"] if w.startswith("Data quality:")]
    assert len(gap_warnings) == 1 and "3 trading days without any sales (2011-03-15..2011-03-17)" in gap_warnings[0]
    assert march["data_quality"]["confidence_factor"] < 1
    assert not [w for w in february["warnings"] if w.startswith("Data quality:")]
    assert february["data_quality"] == {"warnings": [], "confidence_factor": 1.0}
    assert march["confidence"] < february["confidence"]


def test_quality_gate_on_customer_answers_and_mixed_currencies(repo: Repository) -> None:
    load(repo, shop_csv(gap=None, currency_of={3: "USD"}))
    customers = ask("top 5 customers in february 2011", repo=repo, settings=SETTINGS, save=False)
    assert any("have no customer id" in w for w in customers["warnings"])
    assert any("mix currencies (GBP, USD)" in w for w in customers["warnings"])
    march = ask("revenue in march 2011", repo=repo, settings=SETTINGS, save=False)  # the USD line is in February
    assert not any("mix currencies" in w for w in march["warnings"]), march["warnings"]


def test_quality_questions_are_routed_to_the_data_qa_agent(repo: Repository) -> None:
    load(repo, shop_csv())
    load(repo, (SAMPLES / "clothing_reviews_3000.csv").read_bytes(), "reviews.csv", kind="reviews")
    for question in ("how good is our data?", "any problems with the sales data?", "data quality score"):
        report = ask(question, repo=repo, settings=SETTINGS, save=False)
        assert report["intent"] == "data_quality" and report["status"] == "ok", question
        assert "score_sales" in report["metrics"]
    reviews = ask("what's wrong with the reviews file?", repo=repo, settings=SETTINGS, save=False)
    assert reviews["intent"] == "data_quality" and set(reviews["metrics"]) >= {"score_reviews"}
    assert "score_sales" not in reviews["metrics"]
    assert "text is missing" in reviews["summary"]
    complaints = ask("what do customers complain about?", repo=repo, settings=SETTINGS, save=False)
    assert complaints["intent"] != "data_quality"


def test_cli_quality_json_shape(tmp_path: Path) -> None:
    env = {**os.environ, "ECOMINTEL_DATABASE_URL": f"sqlite:///{tmp_path / 'cli.db'}", "ECOMINTEL_DEMO_MODE": "1"}

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "ecomintel", *args], cwd=ROOT, env=env, capture_output=True,
                              text=True, timeout=300)

    assert run("ingest", "sales", str(SAMPLES / "online_retail_small.csv"), "--tenant", "acme").returncode == 0
    out = run("quality", "--tenant", "acme", "--json")
    assert out.returncode == 0, out.stderr
    data = json.loads(out.stdout)
    sales = data["datasets"]["sales"]
    assert 0 <= sales["score"] <= 100 and isinstance(sales["issues"], list) and sales["issues"]
    assert {"check", "severity", "title", "detail", "rows", "points", "locator"} <= set(sales["issues"][0])
    text = run("quality", "--tenant", "acme")
    assert text.returncode == 0 and "sales: " in text.stdout and "/100" in text.stdout
    missing = run("quality", "--tenant", "nobody")
    assert missing.returncode == 2 and "No tenant named" in missing.stderr


# -- the ingest fixes on the files that showed them -------------------------------------------------------
def test_amazon_products_keep_the_row_with_an_unreadable_rating(repo: Repository) -> None:
    r = ingest_file(repo, "products", SAMPLES / "amazon_india_products.csv", settings=SETTINGS)
    assert r.rejected == 0 and r.warnings == 1 and r.accepted == 1351
    assert "rating '|' is not a number (left empty)" in r.warning_rows[0]["warnings"]
    assert r.profile["currencies"] == ["INR"]  # from the ₹ of the prices
    again = ingest_file(repo, "products", SAMPLES / "amazon_india_products.csv", settings=SETTINGS)
    assert again.status == "duplicate_file" and again.accepted == 0 and again.rows_total == 1465
    assert f"as batch {r.batch_number} " in again.message and "0 new rows" in again.message
    assert "1,351 stored" in again.message


def test_reviews_without_text_are_counted_and_flagged(repo: Repository) -> None:
    r = ingest_file(repo, "reviews", SAMPLES / "clothing_reviews_3000.csv", settings=SETTINGS)
    assert r.no_text == 99 and r.accepted == 3000 and r.rejected == 0
    assert "99 reviews kept without text" in r.message
    rows, total = repo.browse("reviews", search="", limit=5000)
    assert total == 3000 and rows["attributes"].str.contains('"quality_flag": "no text"').sum() == 99


def test_currency_from_the_price_header_and_a_mixed_tenant_is_told(repo: Repository) -> None:
    eur = b"sku,name,Price (EUR)\nA,Kettle,30\nB,Toaster,20\n"
    r = ingest_file(repo, "products", eur, settings=SETTINGS, file_name="eur.csv", mapping={"price": "Price (EUR)"})
    assert r.profile["currencies"] == ["EUR"]
    usd = b"sku,name,price\nC,Lamp,$40.00\n"
    r2 = ingest_file(repo, "products", usd, settings=SETTINGS, file_name="usd.csv", defaults={"marketplace": "x"})
    assert r2.profile["currencies"] == ["USD"] and "other products data of this tenant in EUR" in r2.message
    plain = b"sku,name,price\nD,Mug,4\n"
    r3 = ingest_file(repo, "products", plain, settings=SETTINGS, file_name="plain.csv", defaults={"currency": "gbp"})
    assert r3.profile["currencies"] == ["GBP"]
    assert repo.tenant_currency() in ("EUR", "USD", "GBP")


@pytest.mark.parametrize("cell, code", [("₹1,099", "INR"), ("$399.00", "USD"), ("12 EUR", "EUR"), ("£2.55", "GBP")])
def test_currency_symbols_and_codes_in_price_cells(repo: Repository, cell: str, code: str) -> None:
    data = f'sku,price\nA,"{cell}"\n'.encode()
    r = ingest_file(repo, "products", data, settings=SETTINGS, file_name=f"{code}.csv")
    assert r.profile["currencies"] == [code] and r.accepted == 1
