"""`ecomintel sentiment FILE --out SCORED.csv` and `ecomintel models list|train|activate` on real files."""

from __future__ import annotations

import csv
import gzip
import io
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest

from ecomintel import cli
from tests.conftest import ROOT, SAMPLES
from tests.sentiment_helpers import TrainedInstall, trained_install


@pytest.fixture(scope="module")
def install(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TrainedInstall]:
    trained = trained_install(tmp_path_factory.mktemp("cli-sentiment"))
    yield trained
    trained.engine.dispose()


@pytest.fixture
def env(install: TrainedInstall, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    for key, value in install.env.items():
        monkeypatch.setenv(key, value)
    return install.env


def _read_out(path: Path) -> pd.DataFrame:
    data = path.read_bytes()
    if path.name.endswith(".gz"):
        data = gzip.decompress(data)
    return pd.read_csv(io.BytesIO(data), dtype=str, keep_default_na=False, encoding="utf-8-sig")


def test_scores_the_clothing_export_row_for_row(env: dict[str, str], tmp_path: Path,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    source = SAMPLES / "clothing_reviews_3000.csv"
    out = tmp_path / "scored.csv"
    assert cli.run(["sentiment", str(source), "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "reviews/s" in printed and "'Review Text'" in printed and "'Title'" in printed
    original = pd.read_csv(source, dtype=str, keep_default_na=False)
    scored = _read_out(out)
    assert len(scored) == len(original) == 3000
    assert scored["Clothing ID"].tolist() == original["Clothing ID"].tolist()  # input order, every row
    assert set(scored["sentiment_label"]) <= {"positive", "neutral", "negative"}
    assert scored["sentiment_score"].astype(float).between(-1, 1).all()
    # the labels agree with the stars far better than chance
    stars = original["Rating"].astype(int)
    labels = scored["sentiment_label"]
    assert (labels[stars == 5] == "positive").mean() > 0.85
    assert (labels[stars == 1] == "negative").mean() > 0.6


def test_other_headers_encoding_delimiter_and_empty_texts(env: dict[str, str], tmp_path: Path,
                                                          capsys: pytest.CaptureFixture[str]) -> None:
    source = tmp_path / "export.csv"
    lines = ["id;review_title;review_content;stars",
             "a1;Café quality;Naïve of me to buy it: cheap, broke in a week, waste of money;1",
             "a2;;;3",
             "a3;Superb;Absolutely love it, works perfectly and looks great;5",
             "a4;=cmd|' /C calc'!A0;fine;4"]
    source.write_bytes(("\r\n".join(lines) + "\r\n").encode("cp1252"))
    out = tmp_path / "out" / "scored.csv"
    assert cli.run(["sentiment", str(source), "--out", str(out), "--json"]) == 0
    summary = json.loads(capsys.readouterr().out)
    assert summary["text_column"] == "review_content" and summary["title_column"] == "review_title"
    assert summary["rows"] == 4 and summary["not_judged"] == 1
    scored = _read_out(out)
    assert scored["id"].tolist() == ["a1", "a2", "a3", "a4"]
    assert scored["review_title"][0] == "Café quality"  # cp1252 decoded, written back as UTF-8
    assert scored["sentiment_label"].tolist()[:3] == ["negative", "neutral", "positive"]
    assert scored["sentiment_reason"][1] == "too short to judge"
    assert scored["review_title"][3].startswith("'=")  # formula injection neutralised


def test_gzipped_tsv_with_body_and_summary_columns(env: dict[str, str], tmp_path: Path) -> None:
    source = tmp_path / "reviews.tsv.gz"
    buf = io.StringIO()
    writer = csv.writer(buf, delimiter="\t")
    writer.writerow(["summary", "body", "overall"])
    texts = [("Great", "Love this, would buy again"), ("Awful", "Terrible, it broke, very disappointed")] * 30
    for title, body in texts:
        writer.writerow([title, body, ""])
    source.write_bytes(gzip.compress(buf.getvalue().encode("utf-8")))
    out = tmp_path / "scored.csv.gz"
    assert cli.run(["sentiment", str(source), "--out", str(out)]) == 0
    scored = _read_out(out)
    assert len(scored) == 60
    assert scored["sentiment_label"].tolist() == ["positive", "negative"] * 30


def test_a_file_without_a_text_column_is_one_clear_error(env: dict[str, str], tmp_path: Path,
                                                         capsys: pytest.CaptureFixture[str]) -> None:
    source = tmp_path / "prices.csv"
    source.write_text("sku,price\nA,1.5\n", encoding="utf-8")
    assert cli.run(["sentiment", str(source), "--out", str(tmp_path / "x.csv")]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: No review text column") and "--text-column" in err
    assert cli.run(["sentiment", str(source), "--out", str(tmp_path / "x.csv"), "--text-column", "nope"]) == 2


def test_models_list_activate_and_train(env: dict[str, str], install: TrainedInstall, tmp_path: Path,
                                        capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.run(["models", "list"]) == 0
    listing = capsys.readouterr().out
    active = install.registry.active("sentiment")
    assert active is not None and "* " in listing and active.version in listing and "bin-F1" in listing
    vader = next(v for v in install.registry.versions("sentiment") if v.name == "vader")
    try:
        assert cli.run(["models", "activate", "sentiment", vader.version]) == 0
        assert install.registry.active("sentiment").version == vader.version  # type: ignore[union-attr]
        assert cli.run(["models", "activate", "sentiment", "nope"]) == 2
    finally:
        install.registry.activate("sentiment", active.version)
    small = tmp_path / "rated.csv"
    pd.read_csv(SAMPLES / "clothing_reviews_3000.csv", dtype=str).head(600).to_csv(small, index=False)
    capsys.readouterr()
    assert cli.run(["models", "train", "sentiment", "--data", str(small), "--no-activate", "--json"]) == 0
    trained = json.loads(capsys.readouterr().out)
    assert {v["name"] for v in trained["registered"]} == {"tfidf-lr", "vader"}
    assert trained["active"] == active.version  # --no-activate kept the analyst's choice
    assert all(v["metrics"]["train_source"] == "rated.csv" for v in trained["registered"])


def test_the_console_command_in_a_subprocess(install: TrainedInstall, tmp_path: Path) -> None:
    source = tmp_path / "r.csv"
    source.write_text("text\nlove it\n\"hate it, returned\"\n", encoding="utf-8")
    out = tmp_path / "o.csv"
    proc = subprocess.run([sys.executable, "-m", "ecomintel", "sentiment", str(source), "--out", str(out)],
                          cwd=ROOT, env={**os.environ, **install.env}, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    assert "scored 2 reviews" in proc.stdout and "reviews/s" in proc.stdout
    assert _read_out(out)["sentiment_label"].tolist() == ["positive", "negative"]
