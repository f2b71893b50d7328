"""The matcher (ecomintel/matching) on the shipped Abt-Buy sample and on small hand-made catalogues.

The sample is the whole Abt-Buy benchmark (1,081 × 1,092 products, 1,097 true pairs; data/samples/README.md),
so the floors below are the benchmark's, with a margin under what bench/matching.py measures."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from ecomintel.errors import InputError
from ecomintel.matching import DEFAULT_THRESHOLD, match_products, read_catalogue

SAMPLES = Path(__file__).resolve().parents[1] / "data" / "samples"


@pytest.fixture(scope="module")
def abt_buy() -> tuple[pd.DataFrame, set[tuple[str, str]]]:
    abt = read_catalogue(SAMPLES / "abt.csv")
    buy = read_catalogue(SAMPLES / "buy.csv")
    truth = pd.read_csv(SAMPLES / "abt_buy_matches.csv", dtype=str)
    pairs = match_products(abt, buy)
    return pairs, set(zip(truth["idAbt"], truth["idBuy"], strict=True))


def test_abt_buy_precision_and_recall_floor(abt_buy: tuple[pd.DataFrame, set[tuple[str, str]]]) -> None:
    pairs, truth = abt_buy
    same = pairs[pairs["relation"] == "same"]
    found = set(zip(same["left_id"], same["right_id"], strict=True))
    tp = len(found & truth)
    precision, recall = tp / len(found), tp / len(truth)
    assert precision >= 0.93, precision
    assert recall >= 0.87, recall
    assert 2 * precision * recall / (precision + recall) >= 0.90


def test_output_contract(abt_buy: tuple[pd.DataFrame, set[tuple[str, str]]]) -> None:
    pairs, _ = abt_buy
    assert list(pairs.columns) == ["left_id", "right_id", "score", "method", "relation"]
    assert set(pairs["relation"]) == {"same", "related"}
    assert pairs["score"].between(0, 1).all()
    same = pairs[pairs["relation"] == "same"]
    assert same["left_id"].is_unique and same["right_id"].is_unique  # one-to-one
    assert (same["score"] >= DEFAULT_THRESHOLD).all()
    assert same["score"].is_monotonic_decreasing
    assert {"model_number", "fuzzy+tfidf"} <= set(same["method"])
    assert not set(zip(same["left_id"], same["right_id"], strict=True)) & set(
        zip(pairs.loc[pairs["relation"] == "related", "left_id"], pairs.loc[pairs["relation"] == "related",
                                                                              "right_id"], strict=True))


def test_a_higher_threshold_never_adds_pairs(abt_buy: tuple[pd.DataFrame, set[tuple[str, str]]]) -> None:
    abt = read_catalogue(SAMPLES / "abt.csv").head(200)
    buy = read_catalogue(SAMPLES / "buy.csv")
    loose = match_products(abt, buy, threshold=0.3)
    strict = match_products(abt, buy, threshold=0.8)
    assert (strict["relation"] == "same").sum() < (loose["relation"] == "same").sum()
    assert (strict.loc[strict["relation"] == "same", "score"] >= 0.8).all()


def frame(rows: list[tuple[str, ...]], columns: list[str]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=columns)


def test_model_numbers_decide_across_spellings_and_currencies() -> None:
    ours = frame([("a1", "Toshiba SD-V296 DVD/VCR Combo Player", "$89.00"),
                  ("a2", "Panasonic Viera TH-42PX80U 42\" Plasma TV", "$749.00"),
                  ("a3", "Garden hose 15 m green", "$20")], ["id", "title", "price"])
    theirs = frame([("b1", "TOSHIBA SDV296 combo (DVD + VHS)", "79,90 €"),
                    ("b2", "Panasonic 42in plasma TH42PX80U", "699 EUR"),
                    ("b3", "Panasonic 50in plasma TH50PX80U", "999 EUR"),
                    ("b4", "Electric kettle 1.7 l", "25 EUR")], ["id", "title", "price"])
    pairs = match_products(ours, theirs)
    same = pairs[pairs["relation"] == "same"].set_index("left_id")
    assert same.loc["a1", "right_id"] == "b1" and same.loc["a1", "method"] == "model_number"
    assert same.loc["a2", "right_id"] == "b2" and same.loc["a2", "method"] == "model_number"
    assert "a3" not in same.index  # nothing like it on the other side
    assert "b3" not in set(same["right_id"])


def test_variants_are_related_not_same() -> None:
    ours = frame([("s8", "Transcend 8GB SDHC Class 6 Memory Card", "Transcend"),
                  ("tv40", "Samsung 40' Series 6 LCD HDTV - LN40A650", "Samsung")], ["id", "title", "brand"])
    theirs = frame([("t4", "Transcend 4 GB SDHC Card Class 6", "TRANSCEND INFORMATION"),
                    ("tv46", "Samsung 46in Series 6 LCD HDTV LN46A650", "Samsung Electronics")],
                   ["id", "title", "brand"])
    pairs = match_products(ours, theirs)
    assert (pairs["relation"] == "related").all() and len(pairs) == 2
    assert set(pairs["method"]) == {"variant(gb)", "variant(model)"}


def test_software_versions_are_related_not_same() -> None:
    ours = frame([("o7", "Microsoft Office 2007 Professional (PC)"), ("ps", "Adobe Photoshop Elements 6.0 for Mac")],
                 ["id", "title"])
    theirs = frame([("o3", "microsoft office professional 2003 pc"), ("p5", "adobe photoshop elements 5.0 mac"),
                    ("p6", "Adobe Photoshop Elements 6.0 - Mac")], ["id", "title"])
    pairs = match_products(ours, theirs)
    same = pairs[pairs["relation"] == "same"]
    assert set(zip(same["left_id"], same["right_id"], strict=True)) == {("ps", "p6")}
    related = pairs[pairs["relation"] == "related"]
    assert ("o7", "o3") in set(zip(related["left_id"], related["right_id"], strict=True))
    mac = frame([("m", "Adobe Photoshop Elements 6.0 for Mac")], ["id", "title"])
    win = frame([("w", "Adobe Photoshop Elements 6.0 for Windows")], ["id", "title"])
    assert match_products(mac, win)["relation"].tolist() == ["related"]


def test_brand_conflict_lowers_the_score() -> None:
    ours = frame([("1", "Wireless Optical Mouse M185", "Logitech")], ["id", "title", "brand"])
    same_brand = match_products(ours, frame([("x", "Wireless Optical Mouse", "Logitech")], ["id", "title", "brand"]),
                                threshold=0)
    other_brand = match_products(ours, frame([("x", "Wireless Optical Mouse", "Microsoft")],
                                             ["id", "title", "brand"]), threshold=0)
    assert other_brand["score"].iloc[0] < same_brand["score"].iloc[0]


def test_bad_frames_get_clear_errors_and_empty_frames_no_pairs() -> None:
    good = frame([("1", "Sony KDL-40V4100 LCD TV")], ["id", "title"])
    with pytest.raises(InputError, match="title"):
        match_products(frame([("1", "x")], ["id", "name"]), good)
    with pytest.raises(InputError, match="id"):
        match_products(good, frame([("x",)], ["title"]))
    empty = match_products(good.iloc[0:0], good)
    assert empty.empty and list(empty.columns) == ["left_id", "right_id", "score", "method", "relation"]
    odd = frame([("1", ""), ("2", None), ("3", "!!! ---")], ["id", "title"])
    assert match_products(odd, odd, threshold=0.0)["relation"].isin(["same", "related"]).all()
