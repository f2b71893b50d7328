"""The Arrow fast path of `open_table(fast=True)` (whole-file ingests) gives exactly what the pandas path
gives — same columns, cells, row numbering, encoding and delimiter — or steps aside for it."""

from __future__ import annotations

import csv
import gzip
import io

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ecomintel.errors import UnreadableFile
from ecomintel.ingest.readers import load_source, open_table
from tests.conftest import SAMPLES

PANDAS_3 = int(pd.__version__.split(".")[0]) >= 3
HEADER = "InvoiceNo,StockCode,Description,Quantity,InvoiceDate,UnitPrice,CustomerID,Country\n"


def _read(data: bytes, fast: bool, chunk_rows: int = 3, name: str = "f.csv") -> tuple[pd.DataFrame, object, dict]:
    table = open_table(load_source(data, max_mb=50, file_name=name), chunk_rows, fast=fast)
    chunks = list(table.chunks())
    info = {"columns": table.columns, "encoding": table.encoding, "delimiter": table.delimiter,
            "sizes": [len(c) for c in chunks], "progress": table.progress()}
    return pd.concat(chunks), table, info


def _same(data: bytes, chunk_rows: int = 3, name: str = "f.csv") -> None:
    fast, _, fast_info = _read(data, True, chunk_rows, name)
    slow, _, slow_info = _read(data, False, chunk_rows, name)
    assert fast_info == slow_info
    # on pandas 2 the pandas path's text is the object dtype and the Arrow path's Arrow strings (pandas 3: both
    # `str`); the cells must be the same either way
    pd.testing.assert_frame_equal(fast, slow, check_dtype=PANDAS_3)


@pytest.mark.parametrize("body", [
    HEADER + "536365,85123A,\"WHITE, HANGING\",6,2010-12-01 08:26:00,2.55,17850.0,United Kingdom\n" * 7,
    HEADER + "1,A,\"two\nlines\",1,2011-01-01,1,,UK\r\n2,B,\"quote \"\"x\"\"\",2,2011-01-02,2,,UK\r\n",
    HEADER + "1,A,x,1,2011-01-01,1,,UK\n\n\n2,B,y,2,2011-01-02,2,,UK\n",  # blank lines skipped
    HEADER + "1,A,,1,2011-01-01,1,,\n2,B,\"\",2,2011-01-02,2,\"\",UK\n",  # empty and quoted-empty cells
    HEADER + "1,A,x,1,2011-01-01,1,,UK\n2,B,y,2\n",  # a short row: pandas pads it, Arrow steps aside
    "a;b;c\n1;2;3\n4;5;6\n7;8;9\n10;11;12\n",
    "a,a,b\n1,2,3\n4,5,6\n",  # duplicate header names: pandas renames, Arrow steps aside
    "a, b ,c\n1,2,3\n",  # header names with spaces around them
    "name,city\nZoë,Köln\n=1+2,@x\n",
])
def test_fast_path_reads_like_pandas(body: str) -> None:
    _same(body.encode())
    _same(gzip.compress(body.encode()), name="f.csv.gz")


def test_non_utf8_and_bom_files_read_alike_and_name_their_encoding() -> None:
    text = HEADER + "1,A,Crème brûlée,1,2011-01-01,1,,Côte d'Ivoire\n"
    for data, encoding in [(text.encode("cp1252"), "cp1252"), (text.encode("utf-8-sig"), "utf-8-sig")]:
        _same(data)
        assert _read(data, True)[2]["encoding"] == encoding


def test_shipped_samples_read_alike() -> None:
    for name in ("online_retail_small.csv", "clothing_reviews_3000.csv", "abt.csv", "amazon_india_products.csv"):
        _same((SAMPLES / name).read_bytes(), chunk_rows=1000, name=name)


def test_a_row_with_too_many_fields_is_still_unreadable() -> None:
    data = (HEADER + "1,A,x,1,2011-01-01,1,,UK\n" * 5 + "2,B,y,2,2011-01-02,2,,UK,EXTRA\n").encode()
    with pytest.raises(UnreadableFile):
        _read(data, True, chunk_rows=2)


cell = st.text(alphabet=st.sampled_from(list("ab ,;\"'\n\r\t=+-@éß€0123456789.")), max_size=8)


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.lists(cell, min_size=3, max_size=3), min_size=1, max_size=12), st.integers(1, 5),
       st.sampled_from(["\n", "\r\n"]))
def test_any_well_formed_csv_reads_alike(rows: list[list[str]], chunk_rows: int, newline: str) -> None:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator=newline)
    writer.writerow(["sku", "name", "price"])
    writer.writerows(rows)
    data = out.getvalue().encode()
    try:
        slow = _read(data, False, chunk_rows)
    except Exception as exc:  # whatever pandas refuses, the fast path refuses the same way
        with pytest.raises(type(exc)):
            _read(data, True, chunk_rows)
        return
    fast = _read(data, True, chunk_rows)
    assert fast[2] == slow[2]
    pd.testing.assert_frame_equal(fast[0], slow[0], check_dtype=PANDAS_3)


def test_the_fast_path_engages_for_ordinary_files_and_not_for_padded_ones() -> None:
    from ecomintel.ingest.readers import _arrow_table

    def engaged(data: bytes) -> bool:
        raw = load_source(data, max_mb=50)
        return _arrow_table(raw, False, raw.data[:65536], 100) is not None

    assert engaged((SAMPLES / "online_retail_small.csv").read_bytes())
    assert not engaged((HEADER + "1,A,x,1,2011-01-01,1,,UK\n2,B,y,2\n").encode())  # short row
    assert not engaged(b"a,a\n1,2\n")  # pandas would rename the second "a"
