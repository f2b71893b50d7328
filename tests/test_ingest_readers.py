"""Readers: formats, encodings, delimiters, and the unreadable / empty / too-large cases."""

from __future__ import annotations

import gzip
import io

import pandas as pd
import pytest

from ecomintel.errors import EmptyFile, FileTooLarge, UnreadableFile
from ecomintel.ingest.readers import detect_encoding, load_source, open_table, sniff_delimiter
from tests.conftest import SAMPLES

ROWS = "InvoiceNo,StockCode,Description,Quantity,InvoiceDate,UnitPrice,CustomerID,Country\n" \
       "536365,85123A,WHITE HANGING HEART,6,2010-12-01 08:26:00,2.55,17850.0,United Kingdom\n" \
       "536366,22633,HAND WARMER,6,2010-12-01 08:28:00,1.85,17850.0,Côte d'Ivoire\n"


def _open(data: bytes, name: str = "f.csv", chunk_rows: int = 1000):
    return open_table(load_source(data, max_mb=5, file_name=name), chunk_rows)


def _all(table) -> pd.DataFrame:
    return pd.concat(list(table.chunks()))


@pytest.mark.parametrize("encoding, expected", [("utf-8", "utf-8"), ("utf-8-sig", "utf-8-sig"),
                                                ("cp1252", "cp1252")])
def test_encodings_are_detected_and_text_survives(encoding: str, expected: str) -> None:
    table = _open(ROWS.encode(encoding))
    assert table.encoding == expected
    df = _all(table)
    assert next(iter(df.columns)) == "InvoiceNo"  # no BOM glued to the first header
    assert df["Country"].tolist()[1] == "Côte d'Ivoire"


def test_latin1_bytes_undefined_in_cp1252_fall_back_to_latin1() -> None:
    data = "a,b\n1,x\x81y\n".encode("latin-1")
    assert detect_encoding(io.BytesIO(data)) == "latin-1"
    assert _all(_open(data))["b"].tolist() == ["x\x81y"]


def test_abt_sample_is_latin1_with_crlf() -> None:
    table = _open((SAMPLES / "abt.csv").read_bytes(), "abt.csv")
    df = _all(table)
    assert table.encoding in ("cp1252", "latin-1")
    assert list(df.columns) == ["id", "name", "description", "price"]
    assert len(df) == 1081
    assert not df["price"].str.contains("\r").any()


@pytest.mark.parametrize("delimiter", [",", ";", "\t", "|"])
def test_delimiters_are_sniffed(delimiter: str) -> None:
    text = ROWS.replace(",", delimiter)
    table = _open(text.encode(), "f.tsv" if delimiter == "\t" else "f.csv")
    assert table.delimiter == delimiter
    assert _all(table)["StockCode"].tolist() == ["85123A", "22633"]


def test_sniffer_ignores_delimiters_inside_quotes() -> None:
    assert sniff_delimiter('a;b;c\n"x, y, z";2;3\n"p,q";5;6\n') == ";"


def test_gzip_csv_reads_like_the_plain_file() -> None:
    plain = _all(_open(ROWS.encode()))
    zipped = _open(gzip.compress(ROWS.encode()), "f.csv.gz")
    assert zipped.compressed
    pd.testing.assert_frame_equal(_all(zipped), plain)


def test_xlsx_is_read_as_text_cells(tmp_path) -> None:
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["InvoiceNo", "StockCode", "Quantity", "InvoiceDate", "UnitPrice", "CustomerID", "Note"])
    from datetime import datetime

    ws.append([536365, "85123A", 6, datetime(2010, 12, 1, 8, 26), 2.55, 17850.0, "=1+2"])
    ws.append([536366, "22633", 6, datetime(2010, 12, 1, 8, 28), 1.85, None, "@SUM(A1)"])
    path = tmp_path / "s.xlsx"
    wb.save(path)
    table = open_table(load_source(path, max_mb=5), 1000)
    df = _all(table)
    assert table.format == "xlsx"
    assert df["InvoiceNo"].tolist() == ["536365", "536366"]
    assert df["InvoiceDate"].tolist()[0] == "2010-12-01 08:26:00"
    assert df["CustomerID"].tolist() == ["17850", ""]
    assert df["Note"].tolist() == ["=1+2", "@SUM(A1)"]  # formulas are text, never evaluated


def test_chunks_continue_the_row_numbering() -> None:
    text = "a,b\n" + "".join(f"{i},{i}\n" for i in range(25))
    chunks = list(_open(text.encode(), chunk_rows=10).chunks())
    assert [len(c) for c in chunks] == [10, 10, 5]
    assert chunks[2].index[0] == 20


@pytest.mark.parametrize("data", [b"", b"   \n\n", gzip.compress(b"", mtime=0)], ids=["empty", "blank-lines", "empty-gzip"])
def test_empty_file(data: bytes) -> None:
    with pytest.raises(EmptyFile, match="empty"):
        _open(data)


def test_header_only() -> None:
    with pytest.raises(EmptyFile, match="header but no data rows"):
        _open(b"InvoiceNo,StockCode,Quantity\n")


@pytest.mark.parametrize("data", [
    bytes(range(256)) * 20,                       # arbitrary binary
    b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" * 50,  # an image renamed .csv
    b"PK\x03\x04" + b"\x00" * 200,                  # a zip that is not a workbook
    b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 200,  # an old .xls
])
def test_binary_renamed_csv_is_unreadable(data: bytes) -> None:
    with pytest.raises(UnreadableFile):
        _open(data, "renamed.csv")


def test_prose_is_not_a_table() -> None:
    text = ("Dear team, please find attached the sales figures for the last quarter.\n"
            "As discussed on Monday, the numbers for October, November and December are final.\n"
            "Kind regards\n"
            "Sam, from the finance team, on behalf of everyone, as always, with thanks.\n")
    with pytest.raises(UnreadableFile, match="does not look like a table"):
        _open(text.encode(), "letter.csv")


def test_too_large_is_refused_before_reading(tmp_path) -> None:
    path = tmp_path / "big.csv"
    path.write_bytes(b"a,b\n" + b"1,2\n" * 300_000)  # ~1.2 MB
    with pytest.raises(FileTooLarge, match="1 MB limit"):
        load_source(path, max_mb=1)
    with pytest.raises(FileTooLarge):
        load_source(path.read_bytes(), max_mb=1)
    with pytest.raises(FileTooLarge):
        load_source(io.BytesIO(path.read_bytes()), max_mb=1)


def test_sha256_is_of_the_raw_bytes() -> None:
    import hashlib

    raw = load_source(ROWS.encode(), max_mb=1)
    assert raw.sha256 == hashlib.sha256(ROWS.encode()).hexdigest()
