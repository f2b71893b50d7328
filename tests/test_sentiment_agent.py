"""The sentiment agent on a small tenant with known content (tests/review_helpers.py): spam out of the KPIs,
planted feature requests and complaints found, the planted worsening product flagged, scores stored once."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from ecomintel.agents.base import AgentResult
from ecomintel.agents.review_topics import find_topics
from ecomintel.agents.sentiment import SentimentAgent, volume_confidence
from ecomintel.ask.offline_planner import offline_plan
from ecomintel.ask.plan import Filters, Period, Plan
from ecomintel.db.repository import Repository
from ecomintel.models.sentiment.vader import VaderModel
from tests.review_helpers import SETTINGS, load_reviews, review_rows


@pytest.fixture(scope="module")
def model() -> VaderModel:
    return VaderModel()


@pytest.fixture
def loaded(repo: Repository) -> Repository:
    load_reviews(repo)
    return repo


def _run(repo: Repository, model: Any, intent: str, **plan: Any) -> AgentResult:
    return SentimentAgent(SETTINGS, model=model).run(repo.ctx, repo, Plan(intent=intent, agents=["sentiment"],
                                                                          **plan))


def _table(result: AgentResult, starts: str) -> list[dict[str, Any]]:
    table = next(t for t in result.tables if t.title.startswith(starts))
    return [dict(zip(table.columns, row, strict=True)) for row in table.rows]


def test_kpis_exclude_spam_and_state_its_share(loaded: Repository, model: VaderModel) -> None:
    result = _run(loaded, model, "review_sentiment", group_by="category")
    total = len(review_rows())
    assert result.status == "ok"
    assert result.metrics["spam_reviews"] == 1 and result.metrics["reviews"] == total - 1
    assert result.metrics["spam_share_pct"] == round(100 / total, 1)
    by_category = {r["category"]: r for r in _table(result, "Sentiment by category")}
    assert by_category["Dresses"]["mean_score"] < 0 < by_category["Tops"]["mean_score"]
    assert "flagged as spam and left out" in result.summary


def test_a_five_star_review_with_a_negative_text_is_a_disagreement(loaded: Repository, model: VaderModel) -> None:
    result = _run(loaded, model, "review_sentiment")
    rows = _table(result, "Reviews whose rating and text disagree")
    assert any(r["rating"] == 5 and "fell apart" in r["text"] for r in rows)


def test_scores_are_stored_once_and_new_reviews_scored_after_an_upload(repo: Repository,
                                                                       model: VaderModel) -> None:
    load_reviews(repo)
    first = _run(repo, model, "review_sentiment")
    assert any("reviews were scored now" in f.text for f in first.findings)
    again = _run(repo, model, "review_sentiment")
    assert not any("scored now" in f.text for f in again.findings)
    extra = [{**review_rows()[0], "review_id": "new1", "review_text": "Lovely soft fabric, fits well."}]
    load_reviews(repo, extra, file_name="more.csv")
    third = _run(repo, model, "review_sentiment")
    assert any(f.text.startswith("1 reviews were scored now") for f in third.findings)


def test_planted_feature_requests_are_found_and_grouped(loaded: Repository, model: VaderModel) -> None:
    result = _run(loaded, model, "review_requests")
    rows = {r["request"]: r for r in _table(result, "Feature requests")}
    assert rows["pockets"]["mentions"] == 2 and "P-STEADY" in rows["pockets"]["products"]
    assert "navy" in rows and "petite" in rows
    assert result.metrics["feature_requests"] == 4


def test_complaints_have_patterns_topics_and_quotes_from_the_reviews(loaded: Repository,
                                                                     model: VaderModel) -> None:
    result = _run(loaded, model, "review_complaints")
    patterns = {r["complaint"]: r for r in _table(result, "Complaint patterns")}
    texts = [str(r["review_text"]) for r in review_rows()]
    small = sum("runs small" in t.lower() or "too tight" in t.lower() for t in texts)
    assert patterns["runs small / too tight"]["reviews"] == small
    assert patterns["returned it"]["negative_reviews"] > 0
    topics = _table(result, "What negative reviews are about")
    assert topics and all(any(q and q.rstrip("…") in t for t in texts) for r in topics
                          for q in (r["quote_1"],))
    filtered = _run(loaded, model, "review_complaints", filters=Filters(categories=["Dresses"]))
    assert filtered.metrics["reviews"] == 20


def test_the_planted_worsening_product_is_flagged(loaded: Repository, model: VaderModel) -> None:
    result = _run(loaded, model, "review_trend", group_by="month")
    changes = _table(result, "Products whose review sentiment changed most")
    assert [r["product"] for r in changes if r["worse"]] == ["P-WORSE"]
    assert result.metrics["products_worse"] == 1
    months = _table(result, "Review sentiment by month")
    assert [r["month"] for r in months][:1] == ["2024-01"] and len(months) == 6
    window = _run(loaded, model, "review_trend", periods=[Period(start=date(2024, 5, 1), end=date(2024, 6, 30)),
                                                           Period(start=date(2024, 1, 1), end=date(2024, 4, 30))])
    assert [r["product"] for r in _table(window, "Products whose review sentiment") if r["worse"]] == ["P-WORSE"]


def test_aspects_read_sentences_and_a_question_narrows_them(loaded: Repository, model: VaderModel) -> None:
    result = _run(loaded, model, "review_aspects")
    aspects = {r["aspect"]: r for r in _table(result, "Aspect sentiment")}
    assert {"fit", "fabric / material", "quality", "colour"} <= set(aspects)
    assert aspects["quality"]["negative_pct"] > 0 and aspects["colour"]["mean_score"] > 0
    only = _run(loaded, model, "review_aspects", aspects=["fabric / material"])
    assert [r["aspect"] for r in _table(only, "Aspect sentiment")] == ["fabric / material"]


def test_spam_is_listed_with_its_reasons(loaded: Repository, model: VaderModel) -> None:
    result = _run(loaded, model, "review_spam")
    flagged = _table(result, "Reviews flagged as spam")
    assert len(flagged) == 1 and "link" in flagged[0]["spam_reasons"]


def test_a_tenant_without_reviews_gets_a_partial_result_not_an_error(repo: Repository, model: VaderModel) -> None:
    result = _run(repo, model, "review_complaints")
    assert result.status == "partial" and result.confidence == 0.0 and "No reviews" in result.summary


def test_questions_reach_the_agent_with_periods_on_the_review_dates(loaded: Repository, model: VaderModel) -> None:
    vocab = loaded.vocabulary()
    assert (vocab.review_start, vocab.review_end) == (min(date.fromisoformat(str(r["date"])) for r in review_rows()),
                                                      max(date.fromisoformat(str(r["date"])) for r in review_rows()))
    plan = offline_plan("what do customers complain about in dresses last quarter?", vocab)
    assert plan.intent == "review_complaints" and plan.filters.categories == ["Dresses"]
    assert plan.periods and plan.periods[0].start == date(2024, 1, 1)
    result = SentimentAgent(SETTINGS, model=model).run(loaded.ctx, loaded, plan)
    assert result.status == "ok" and 0 < result.metrics["reviews"] < 20


def test_topics_pick_planted_themes_apart() -> None:
    sizes = [f"runs small, order a size up, the size chart is wrong {i}" for i in range(30)]
    shipping = [f"shipping took three weeks and the parcel arrived damaged {i}" for i in range(30)]
    result = find_topics(sizes + shipping, scores=[-0.5] * 60)
    assert result.k == 2 and sorted(t.reviews for t in result.topics) == [30, 30]
    labels = " ".join(t.label for t in result.topics)
    assert "size" in labels or "small" in labels
    assert "shipping" in labels or "arrived" in labels or "damaged" in labels
    assert all(len(t.quotes) == 3 for t in result.topics)


def test_confidence_grows_with_review_volume() -> None:
    values = [volume_confidence(n) for n in (0, 5, 20, 100, 500, 5000)]
    assert values == sorted(values) and values[0] == 0.0 and values[-1] == 0.95 and values[2] < 0.55


def test_ask_answers_a_review_question_with_the_active_model(loaded: Repository, tmp_path: Any,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    """Through the Ask service: planner → executor → the registered sentiment agent → load_active_model."""
    from ecomintel.ask.service import ask
    from ecomintel.config import load_settings

    monkeypatch.setenv("ECOMINTEL_DATABASE_URL", str(loaded.engine.url.render_as_string(hide_password=False)))
    monkeypatch.setenv("ECOMINTEL_DATA_DIR", str(tmp_path / "data"))
    settings = load_settings().replace(quick_timeout_s=120.0)
    report = ask("which products' reviews got worse?", repo=loaded, settings=settings, save=False)
    assert report["intent"] == "review_trend" and report["status"] == "ok", report.get("warnings")
    assert "P-WORSE" in report["summary"]
    assert any("P-WORSE" in str(row) for table in report["tables"] for row in table["rows"])


def test_the_upload_job_scores_new_reviews_in_the_background(loaded: Repository, tmp_path: Any,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    from ecomintel.agents.review_scores import score_reviews_job

    monkeypatch.setenv("ECOMINTEL_DATABASE_URL", str(loaded.engine.url.render_as_string(hide_password=False)))
    monkeypatch.setenv("ECOMINTEL_DATA_DIR", str(tmp_path / "data"))
    first = score_reviews_job(loaded.tenant_id)
    assert first["scored"] == len(review_rows())
    assert score_reviews_job(loaded.tenant_id)["scored"] == 0


def test_reviews_counted_by_star_rating_lead_the_answer(loaded: Repository, model: VaderModel) -> None:
    """"how many four star reviews …": the count of that rating (spam excluded) leads, with every rating in the
    first table; the counts are those of the loaded rows less the spam review."""
    plan = offline_plan("number of four star reviews", loaded.vocabulary())
    assert plan.intent == "review_sentiment" and plan.thresholds == {"rating_distribution": 1.0, "stars": 4.0}
    result = _run(loaded, model, plan.intent, thresholds=plan.thresholds)
    table = result.tables[0]
    assert table.title.startswith("Reviews by star rating") and table.columns == ["stars", "reviews", "share_pct"]
    got = {row[0]: row[1] for row in table.rows}
    want = {k: sum(1 for r in review_rows() if r["rating"] == k) for k in range(1, 6)}
    assert sum(got.values()) == result.metrics["reviews"] == sum(want.values()) - result.metrics["spam_reviews"]
    assert all(0 <= want[k] - got[k] <= result.metrics["spam_reviews"] for k in range(1, 6))
    assert result.summary.startswith(f"All reviews: {got[4]:,} 4★ reviews of {sum(got.values()):,} rated reviews")
    assert result.metrics["reviews_4_star"] == got[4]
