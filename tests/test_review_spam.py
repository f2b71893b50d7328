"""Review spam flags beyond one row: near-duplicate copies across products/authors, author bursts, very short
generic texts; flagged with reasons at ingest, never deleted."""

from __future__ import annotations

import random

import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ecomintel.config import load_settings
from ecomintel.db import models as m
from ecomintel.db.repository import Repository
from ecomintel.ingest.pipeline import ingest_file
from ecomintel.ingest.review_patterns import author_bursts, merge_reasons, near_duplicates
from ecomintel.ingest.spam import spam_flags

SETTINGS = load_settings({})
VOCAB = [f"w{i}" for i in range(400)] + """the fabric fit size colour quality dress top shirt soft true small large
long short tight loose waist sleeves length petite wash shrink arrived ordered returned wear""".split()  # noqa: SIM905
WORDS = st.lists(st.sampled_from(VOCAB), min_size=24, max_size=60)


def _frame(texts: list[str], skus: list[str] | None = None, authors: list[str | None] | None = None) -> pd.Series:
    n = len(texts)
    return near_duplicates(pd.Series(texts), pd.Series(skus or [f"p{i}" for i in range(n)]),
                           pd.Series(authors or [None] * n), pd.Series([f"r{i}" for i in range(n)]))


def _edit(words: list[str], rnd: random.Random, edits: int) -> str:
    out = list(words)
    for _ in range(edits):
        out[rnd.randrange(len(out))] = rnd.choice(VOCAB)
    text = " ".join(out)
    return text.upper() if rnd.random() < 0.3 else text.capitalize() + "!!"


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(base=WORDS, others=st.lists(WORDS, min_size=2, max_size=6), edits=st.integers(0, 2), seed=st.integers(0, 999))
def test_a_lightly_edited_copy_is_flagged_and_distinct_texts_are_not(base: list[str], others: list[list[str]],
                                                                     edits: int, seed: int) -> None:
    rnd = random.Random(seed)
    distinct = [" ".join(rnd.sample(VOCAB, len(words))) for words in others]  # random texts share almost nothing
    texts = [" ".join(base), *distinct, _edit(base, rnd, edits)]
    reasons = _frame(texts)
    copy = len(texts) - 1
    assert reasons.iloc[0].startswith(f"near-duplicate of review r{copy}")
    assert reasons.iloc[copy].startswith("near-duplicate of review r0")
    assert (reasons.iloc[1:copy] == "").all()


def test_the_same_author_editing_their_review_of_the_same_product_is_not_spam() -> None:
    text = "I ordered my usual size and the waist was far too tight, the fabric is thin and it shrank in the wash"
    edited = text.replace("far too tight", "too tight")
    same = _frame([text, edited], skus=["p1", "p1"], authors=["ann", "Ann"])
    other_product = _frame([text, edited], skus=["p1", "p2"], authors=["ann", "ann"])
    other_author = _frame([text, edited], skus=["p1", "p1"], authors=["ann", "bob"])
    assert (same == "").all()
    assert other_product.str.startswith("near-duplicate").all() and other_author.str.startswith("near-duplicate").all()


def test_short_texts_are_left_to_the_exact_and_generic_checks() -> None:
    assert (_frame(["love it fits great", "love it fits great"]) == "").all()


def test_bursts_need_a_named_author_and_one_day() -> None:
    authors = pd.Series(["kim"] * 5 + ["lee"] * 4 + ["Anonymous"] * 6 + ["max"] * 5)
    days = (["2024-03-01 09:00"] * 5 + ["2024-03-01 10:00"] * 4 + ["2024-03-02"] * 6
            + [f"2024-03-0{d}" for d in range(1, 6)])
    reasons = author_bursts(authors, pd.Series(pd.to_datetime(days, format="ISO8601")))
    assert reasons.iloc[:5].eq("burst: 5 reviews by this author on 2024-03-01").all()
    assert (reasons.iloc[5:] == "").all()  # 4 reviews, a placeholder name, 5 reviews on 5 days


def test_very_short_generic_texts_are_flagged_but_short_specific_ones_are_not() -> None:
    text = pd.Series(["Good", "nice product!!", "Love it", "beautiful dress", "runs small", None])
    title = pd.Series([None, None, "Great", None, None, "Good"])
    flagged, reasons = spam_flags(text, title)
    assert flagged.tolist() == [True, True, True, False, False, False]
    assert reasons.iloc[0] == "very short generic text"


def test_merge_keeps_row_flags_and_replaces_pattern_flags() -> None:
    previous = pd.Series(["contains a link or contact; near-duplicate of review r9 (70% similar)",
                          "near-duplicate of review r3 (90% similar)", None])
    merged = merge_reasons(previous, pd.Series(["", "", "burst: 5 reviews by this author on 2024-03-01"]))
    assert merged.tolist() == ["contains a link or contact", None, "burst: 5 reviews by this author on 2024-03-01"]


def test_ingest_flags_copies_across_files_and_keeps_every_row(repo: Repository) -> None:
    original = ("I ordered my usual size and the waist was far too tight, the fabric is thin and it shrank "
                "after one wash, so I returned it")
    first = ("review_id,product_id,rating,review_text,author,date\n"
             f'a1,P1,2,"{original}",ann,2024-03-01\n'
             'a2,P2,5,"Soft, warm and the colour is exactly as pictured; I wear it every weekend with jeans",bob,'
             "2024-03-02\n").encode()
    r1 = ingest_file(repo, "reviews", first, settings=SETTINGS, file_name="first.csv")
    assert r1.status == "done" and r1.profile["flagged_patterns"] == 0
    copy = original.replace("far too tight", "too tight").replace("so I returned it", "so I sent it back")
    burst = "".join(f'b{i},P{i + 3},5,"Good",spammer,2024-03-05 0{i}:00\n' for i in range(5))
    second = ("review_id,product_id,rating,review_text,author,date\n"
              f'c1,P9,1,"{copy}",carl,2024-03-04\n' + burst).encode()
    r2 = ingest_file(repo, "reviews", second, settings=SETTINGS, file_name="second.csv")
    assert r2.status == "done" and r2.profile["flagged_patterns"] == 7
    with repo.engine.connect() as conn:
        stored = pd.DataFrame(conn.execute(repo.scoped(m.reviews)).mappings().all()).set_index("review_key")
    assert len(stored) == 8  # flagged, never deleted
    assert stored.loc["a1", "is_spam"] and "near-duplicate of review c1" in stored.loc["a1", "spam_reasons"]
    assert stored.loc["c1", "is_spam"] and "near-duplicate of review a1" in stored.loc["c1", "spam_reasons"]
    assert not stored.loc["a2", "is_spam"]
    assert stored.loc["b0", "spam_reasons"] == "very short generic text; burst: 5 reviews by this author on 2024-03-05"
