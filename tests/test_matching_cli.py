"""`ecomintel match LEFT RIGHT --out PAIRS.csv` on exports with other headers, delimiters and encodings."""

from __future__ import annotations

import csv
import gzip
from pathlib import Path

import openpyxl
import pytest

from ecomintel.cli import run
from ecomintel.matching import read_catalogue

SAMPLES = Path(__file__).resolve().parents[1] / "data" / "samples"

OURS = [  # (sku, name, maker, price) — a shop's catalogue with accents and a euro price
    ("S-001", "Sony Bravia KDL-40V4100 40\" LCD Fernseher", "Sony", "899,00 €"),
    ("S-002", "Canon PIXMA MP620 Multifunktionsdrucker", "Canon", "149,90 €"),
    ("S-003", "Transcend 8GB microSDHC Speicherkarte TS8GUSDHC6", "Transcend", "12,50 €"),
    ("S-004", "Kaffeemühle aus Holz, handgefertigt", "Zassenhaus", "49,00 €"),
]
THEIRS = [  # (asin, title, brand, price)
    ("B001", "SONY KDL40V4100 Bravia 40in LCD HDTV", "Sony Electronics", "$949.99"),
    ("B002", "Canon Pixma MP-620 Wireless All-in-One Printer", "Canon U.S.A.", "$129.00"),
    ("B003", "Transcend 8 GB microSDHC Class 6 (TS8GUSDHC6)", "Transcend Information", "$9.99"),
    ("B004", "Transcend 16 GB microSDHC Class 6 (TS16GUSDHC6)", "Transcend Information", "$19.99"),
    ("B005", "Garmin nüvi 255W GPS", "Garmin", "$199.00"),
]


def write_semicolon_cp1252(path: Path) -> Path:
    lines = ["Artikelnummer;Product Name;Manufacturer;Price"] + [";".join(r) for r in OURS]
    path.write_bytes(("\r\n".join(lines) + "\r\n").encode("cp1252"))
    return path


def write_tsv_gz(path: Path) -> Path:
    with gzip.open(path, "wt", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh, delimiter="\t")
        writer.writerow(["asin", "item_title", "brand_name", "current_price"])
        writer.writerows(THEIRS)
    return path


def write_xlsx_without_names(path: Path) -> Path:
    """Headers that say nothing (`col1`…): the columns must be found by their content."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["col1", "col2", "col3"])
    for asin, title, _brand, price in THEIRS:
        ws.append([asin, title, price])
    wb.save(path)
    return path


def read_pairs(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def test_match_semicolon_cp1252_against_tsv_gz(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    left = write_semicolon_cp1252(tmp_path / "ours.csv")
    right = write_tsv_gz(tmp_path / "theirs.tsv.gz")
    out = tmp_path / "pairs.csv"
    related = tmp_path / "related.csv"
    assert run(["match", str(left), str(right), "--out", str(out), "--related", str(related)]) == 0
    pairs = read_pairs(out)
    assert list(pairs[0]) == ["left_id", "right_id", "score"]
    found = {(p["left_id"], p["right_id"]) for p in pairs}
    assert found == {("S-001", "B001"), ("S-002", "B002"), ("S-003", "B003")}
    assert all(0.5 <= float(p["score"]) <= 1 for p in pairs)
    assert ("S-003", "B004") in {(p["left_id"], p["right_id"]) for p in read_pairs(related)}  # 8 GB vs 16 GB
    printed = capsys.readouterr().out
    assert "title←Product Name" in printed and "brand←Manufacturer" in printed and "id←Artikelnummer" in printed
    assert "matched 3 pairs" in printed and " s" in printed.splitlines()[-1]


def test_columns_found_by_content(tmp_path: Path) -> None:
    frame = read_catalogue(write_xlsx_without_names(tmp_path / "export.xlsx"))
    assert frame.attrs["columns"] == {"id": "col1", "title": "col2", "price": "col3"}
    left = write_semicolon_cp1252(tmp_path / "ours.csv")
    out = tmp_path / "pairs.csv"
    assert run(["match", str(left), str(tmp_path / "export.xlsx"), "--out", str(out)]) == 0
    assert {(p["left_id"], p["right_id"]) for p in read_pairs(out)} >= {("S-001", "B001"), ("S-003", "B003")}


def test_row_numbers_are_ids_when_there_is_no_id_column(tmp_path: Path) -> None:
    path = tmp_path / "names.csv"
    path.write_text("title|price\nSony KDL-40V4100 TV|899\nCanon MP620 printer|149\n", encoding="utf-8")
    frame = read_catalogue(path)
    assert frame["id"].tolist() == ["1", "2"] and "id" not in frame.attrs["columns"]


def test_clear_errors(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    right = write_tsv_gz(tmp_path / "theirs.tsv.gz")
    no_title = tmp_path / "numbers.csv"
    no_title.write_text("a,b\n1,2\n3,4\n", encoding="utf-8")
    binary = tmp_path / "image.csv"
    binary.write_bytes(bytes(range(256)) * 4)
    for bad, message in ((no_title, "no title/name column"), (binary, "not a text table"),
                         (tmp_path / "missing.csv", "File not found")):
        assert run(["match", str(bad), str(right), "--out", str(tmp_path / "p.csv")]) == 2
        err = capsys.readouterr().err
        assert err.startswith("error: ") and message in err and "Traceback" not in err
    assert run(["match", str(right), str(right), "--out", str(tmp_path / "no" / "dir.csv")]) == 2
    assert "Cannot write" in capsys.readouterr().err
    assert run(["match", str(right), str(right), "--out", str(tmp_path / "p.csv"), "--threshold", "2"]) == 2


def test_abt_buy_sample_through_the_cli(tmp_path: Path) -> None:
    out = tmp_path / "pairs.csv"
    assert run(["match", str(SAMPLES / "abt.csv"), str(SAMPLES / "buy.csv"), "--out", str(out)]) == 0
    pairs = read_pairs(out)
    with (SAMPLES / "abt_buy_matches.csv").open(encoding="latin-1") as fh:
        truth = {(r["idAbt"], r["idBuy"]) for r in csv.DictReader(fh)}
    tp = len({(p["left_id"], p["right_id"]) for p in pairs} & truth)
    assert tp / len(pairs) >= 0.93 and tp / len(truth) >= 0.87
