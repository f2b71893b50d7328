"""ingest_file end to end on SQLite AND PostgreSQL: samples, bad input, dedup, returns, lineage, failures."""

from __future__ import annotations

import io

import pandas as pd
import pytest
import sqlalchemy as sa

from ecomintel.config import load_settings
from ecomintel.db import models as m
from ecomintel.db.repository import Repository
from ecomintel.errors import EmptyFile, FileTooLarge, Forbidden, InputError, MissingColumns, UnreadableFile
from ecomintel.ingest.export import to_safe_csv
from ecomintel.ingest.pipeline import ingest_file, preview_file
from ecomintel.samples import SMALL_SALES, load_samples
from tests.conftest import SAMPLES, new_tenant_ctx

SETTINGS = load_settings({})
HEADER = "InvoiceNo,StockCode,Description,Quantity,InvoiceDate,UnitPrice,CustomerID,Country\n"


def csv(*lines: str) -> bytes:
    return (HEADER + "".join(line + "\n" for line in lines)).encode()


def rows(repo: Repository, table: sa.Table) -> pd.DataFrame:
    return repo.frame(repo.scoped(table))


def test_small_sales_sample_loads_with_plausible_counts(repo: Repository) -> None:
    seen: list[float] = []
    r = ingest_file(repo, "sales", SAMPLES / SMALL_SALES, settings=SETTINGS.replace(ingest_chunk_rows=3000),
                    defaults={"currency": "GBP"}, progress=lambda f, _m: seen.append(f))
    assert r.status == "done" and r.rows_total == 11_627
    assert r.accepted + r.rejected + r.duplicates == r.rows_total
    assert r.accepted > 11_000 and r.rejected == 0
    stored = rows(repo, m.sales)
    assert len(stored) == r.accepted
    assert set(stored["batch_id"]) == {r.batch_id}
    assert set(stored["currency"]) == {"GBP"}
    assert r.returns == int(stored["is_return"].sum()) > 0
    returns = stored[stored["is_return"]]
    assert (returns["order_id"].str.startswith("C") | (returns["quantity"] < 0)).all()
    assert (stored["revenue"] - stored["quantity"] * stored["unit_price"]).abs().max() < 1e-9
    assert not stored["customer_id"].dropna().str.endswith(".0").any()
    assert r.profile["date_min"].startswith("2011-10-05") and r.profile["date_max"].startswith("2011-11-10")
    assert r.profile["revenue_net"] == pytest.approx(stored["revenue"].sum(), abs=0.01)
    assert seen == sorted(seen) and seen[-1] == 1.0 and len(seen) >= 4
    batch = repo.get_batch(r.batch_id)
    assert (batch["status"], batch["rows_accepted"], batch["sha256"]) == ("done", r.accepted, r.sha256)
    assert any(e["action"] == "ingest" for e in repo.audit_entries())


def test_all_samples_load(engine: sa.Engine) -> None:
    repo = Repository(engine, new_tenant_ctx(engine, "samples"))
    results = {r.file_name: r for r in load_samples(repo, SETTINGS, sales_file=SMALL_SALES)}
    assert all(r.status == "done" for r in results.values())
    assert results["clothing_reviews_3000.csv"].accepted == 3000
    assert results["amazon_india_products.csv"].accepted > 1300  # 1,351 distinct product ids
    assert results["abt.csv"].accepted == 1081
    assert (results["buy.csv"].kind, results["buy.csv"].accepted, results["buy.csv"].rejected) == ("listings", 590, 502)
    products = rows(repo, m.products)
    assert set(products["marketplace"]) == {"amazon.in", "abt", ""}  # "": the shop's own stock levels
    india = products[products["marketplace"] == "amazon.in"]
    assert set(india["currency"]) == {"INR"} and india["price"].between(1, 200_000).all()
    assert (india["list_price"].dropna() >= india.loc[india["list_price"].notna(), "price"]).mean() > 0.95
    cable = india[india["sku"] == "B07JW9H4J1"].iloc[0]
    assert (cable["price"], cable["list_price"], cable["rating_count"]) == (399.0, 1099.0, 24269)
    assert cable["attributes"]["discount_percentage"] == 64.0
    reviews = rows(repo, m.reviews)
    assert reviews["rating"].between(1, 5).all() and reviews["review_key"].is_unique
    assert reviews["sku"].notna().all() and reviews["text"].notna().mean() > 0.9
    # loading the samples again doubles nothing
    again = load_samples(repo, SETTINGS, sales_file=SMALL_SALES)
    assert {r.status for r in again} == {"duplicate_file"}
    assert len(rows(repo, m.products)) == len(products) and len(rows(repo, m.reviews)) == len(reviews)


def test_unparseable_values_are_rejected_with_reasons_and_the_rest_loads(repo: Repository) -> None:
    data = csv("1,A,ok,2,2011-12-01 08:00:00,1.50,17850.0,UK",
               "2,B,bad date,2,not a date,1.50,,UK",
               "3,C,bad price,2,2011-12-01 08:00:00,£abc,,UK",
               "4,D,neg price,2,2011-12-01 08:00:00,-1,,UK",
               "5,E,zero qty,0,2011-12-01 08:00:00,1,,UK",
               ",F,no order,1,2011-12-01 08:00:00,1,,UK",
               "7,,no sku,1,2011-12-01 08:00:00,1,,UK",
               "8,H,free,3,01.12.2011,0,,UK",
               "9,I,messy,1,12/31/2011 13:05,\"1.234,50\",,UK")
    r = ingest_file(repo, "sales", data, settings=SETTINGS, file_name="mixed.csv")
    assert (r.status, r.rows_total, r.accepted, r.rejected) == ("done", 9, 3, 6)
    rejected = repo.rejected(r.batch_id)
    reasons = dict(zip(rejected["row"], rejected["reasons"], strict=True))
    assert reasons == {2: "sold_at 'not a date' is not a date", 3: "unit_price '£abc' is not a number",
                       4: "unit_price '-1' is below 0", 5: "quantity is 0", 6: "order_id is empty",
                       7: "sku is empty"}
    assert rejected.loc[rejected["row"] == 3, "UnitPrice"].item() == "£abc"  # the original cell text
    stored = rows(repo, m.sales).set_index("order_id")
    assert stored.loc["8", "unit_price"] == 0 and stored.loc["8", "sold_at"] == pd.Timestamp(2011, 12, 1)
    assert stored.loc["9", "unit_price"] == 1234.5 and stored.loc["9", "sold_at"] == pd.Timestamp(2011, 12, 31, 13, 5)


def test_duplicate_rows_are_stored_once(repo: Repository) -> None:
    line = "1,A,x,2,2011-12-01 08:00:00,1.50,17850.0,UK"
    r = ingest_file(repo, "sales", csv(line, line, line.replace("17850.0", "17850"), "1,A,x,3,2011-12-01 08:00:00,1.5,,UK"),
                    settings=SETTINGS)
    assert (r.accepted, r.duplicates) == (2, 2)  # 17850.0 and 17850 are the same customer
    # overlapping second file: the known line is a duplicate, the new one is stored
    r2 = ingest_file(repo, "sales", csv(line, "2,B,y,1,2011-12-02 08:00:00,2,,UK"), settings=SETTINGS)
    assert (r2.accepted, r2.duplicates) == (1, 1)
    assert len(rows(repo, m.sales)) == 3


def test_same_file_twice_is_recognised_and_force_doubles_nothing(repo: Repository) -> None:
    data = (SAMPLES / SMALL_SALES).read_bytes()
    first = ingest_file(repo, "sales", data, settings=SETTINGS, file_name="a.csv")
    version = repo.data_version()
    second = ingest_file(repo, "sales", io.BytesIO(data), settings=SETTINGS, file_name="renamed.csv")
    assert second.status == "duplicate_file" and f"batch {first.batch_number} (a.csv)" in second.message
    assert repo.data_version() == version
    assert repo.get_batch(second.batch_id)["status"] == "skipped"
    forced = ingest_file(repo, "sales", data, settings=SETTINGS, file_name="a.csv", force=True)
    assert (forced.status, forced.accepted, forced.duplicates) == ("done", 0, forced.rows_total)
    assert repo.data_version() == version  # nothing stored, nothing to invalidate
    assert len(rows(repo, m.sales)) == first.accepted


def test_data_version_bumps_once_per_storing_ingest(repo: Repository) -> None:
    v0 = repo.data_version()
    ingest_file(repo, "sales", SAMPLES / SMALL_SALES, settings=SETTINGS.replace(ingest_chunk_rows=1000))
    assert repo.data_version() == v0 + 1  # 12 chunks, one bump
    ingest_file(repo, "sales", csv("1,A,x,2,not a date,1,,UK"), settings=SETTINGS)
    assert repo.data_version() == v0 + 1  # nothing stored


def test_formula_cells_are_stored_as_text_and_neutralised_on_export(repo: Repository) -> None:
    data = csv('1,A,=HYPERLINK("http://evil.example"),2,2011-12-01 08:00:00,1,,@SUM(1+1)',
               "2,B,+cmd|' /C calc'!A0,=1+2,2011-12-01 08:00:00,1,,UK")
    r = ingest_file(repo, "sales", data, settings=SETTINGS)
    assert (r.accepted, r.rejected) == (1, 1)
    stored = rows(repo, m.sales).iloc[0]
    assert stored["product_name"] == '=HYPERLINK("http://evil.example")' and stored["country"] == "@SUM(1+1)"
    rejected = repo.rejected(r.batch_id)
    assert rejected["reasons"].item() == "quantity '=1+2' is not a number"
    exported = to_safe_csv(rejected).decode("utf-8-sig")
    assert "'=1+2" in exported and "'+cmd" in exported
    back = pd.read_csv(io.StringIO(exported), dtype=str)
    assert not back.drop(columns=["row"]).apply(lambda col: col.str.match(r"^[=+\-@]")).any().any()


def test_bad_files_raise_before_anything_is_stored(repo: Repository, tmp_path) -> None:
    cases = [(b"", EmptyFile), (HEADER.encode(), EmptyFile), (bytes(range(256)) * 10, UnreadableFile),
             (b"id,name,price\n1,x,2\n", MissingColumns)]
    for data, error in cases:
        with pytest.raises(error):
            ingest_file(repo, "sales", data, settings=SETTINGS)
    big = tmp_path / "big.csv"
    big.write_bytes(csv(*["1,A,x,2,2011-12-01 08:00:00,1,,UK"] * 40_000))
    with pytest.raises(FileTooLarge, match="1 MB"):
        ingest_file(repo, "sales", big, settings=SETTINGS.replace(max_upload_mb=1))
    assert rows(repo, m.sales).empty and repo.list_batches() == []


def test_missing_columns_message_suggests_mappings(repo: Repository) -> None:
    data = b"Invoice Number,Code,Qty,Price Each,Date Sold\n1,A,1,2,2011-01-01\n"
    with pytest.raises(MissingColumns) as info:
        ingest_file(repo, "sales", data, settings=SETTINGS)
    assert "sold_at" in info.value.missing and "Date Sold" in info.value.suggestions["sold_at"]
    r = ingest_file(repo, "sales", data, settings=SETTINGS, mapping={"sold_at": "Date Sold", "sku": "Code"})
    assert r.accepted == 1


@pytest.mark.parametrize("encoding", ["utf-8", "cp1252"])
def test_failure_midway_marks_the_batch_failed_and_keeps_earlier_data(repo: Repository, encoding: str) -> None:
    good = ingest_file(repo, "sales", csv("1,A,x,2,2011-12-01 08:00:00,1,,UK"), settings=SETTINGS)
    version = repo.data_version()
    # past Arrow's first 1 MB block: a cp1252 file's first block fails Arrow's UTF-8 check, the file is read
    # transcoded, and the long line must still be refused (pandas 2's chunked reader would cut it short)
    lines = [f"{i},S{i},Caf\u00e9 cr\u00e8me,1,2011-12-02 08:00:00,1,,UK" for i in range(10, 30_010)]
    lines.insert(25_000, "99,Z,x,1,2011-12-02 08:00:00,1,,UK,EXTRA,FIELDS")  # malformed line starting a chunk
    data = (HEADER + "".join(line + "\n" for line in lines)).encode(encoding)
    try:  # refused before loading (UTF-8: the whole-file probe sees the line) or failed midway, rolled back
        r = ingest_file(repo, "sales", data, settings=SETTINGS.replace(ingest_chunk_rows=5_000))
    except UnreadableFile as exc:
        assert "malformed line" in exc.user_message() and "EXTRA" in exc.user_message()
    else:
        assert r.status == "failed" and "Nothing from this file was stored" in r.message
        assert "line" in r.message.lower()
        assert repo.get_batch(r.batch_id)["status"] == "failed"
    stored = rows(repo, m.sales)
    assert stored["batch_id"].tolist() == [good.batch_id]  # earlier data intact, no partial batch
    assert repo.data_version() == version


def test_a_long_first_line_is_refused_not_cut(repo: Repository) -> None:
    data = csv("99,Z,x,1,2011-12-02 08:00:00,1,,UK,EXTRA,FIELDS", "10,S10,x,1,2011-12-02 08:00:00,1,,UK")
    try:
        r = ingest_file(repo, "sales", data, settings=SETTINGS)
    except UnreadableFile as exc:
        assert "malformed line" in exc.user_message()
    else:
        assert r.status == "failed"
    assert rows(repo, m.sales).empty


def test_products_latest_wins_within_file_and_across_uploads(repo: Repository) -> None:
    first = b"sku,name,price,brand\nP1,Old name,10,Acme\nP2,Two,20,Acme\nP1,New name,\"1,099.00\",Acme\n"
    r = ingest_file(repo, "products", first, settings=SETTINGS, defaults={"marketplace": "shop"})
    assert (r.accepted, r.duplicates) == (2, 1)
    r2 = ingest_file(repo, "products", b"sku,name,price\nP1,Newest,12\nP3,Three,-4\n", settings=SETTINGS,
                     defaults={"marketplace": "shop"})
    # an optional price that cannot be right (-4) is left empty with a warning; the row is kept (issue 11)
    assert (r2.accepted, r2.updated, r2.rejected, r2.warnings) == (2, 1, 0, 1)
    products = rows(repo, m.products).set_index("sku")
    assert products.loc["P1", "name"] == "Newest" and products.loc["P1", "price"] == 12
    assert products.loc["P1", "batch_id"] == r2.batch_id and products.loc["P2", "batch_id"] == r.batch_id
    assert products.loc["P1", "brand"] is None or pd.isna(products.loc["P1", "brand"])  # the new row replaced it
    assert pd.isna(products.loc["P3", "price"])
    assert r2.warning_rows[0]["row"] == 2 and "below 0 (left empty)" in r2.warning_rows[0]["warnings"]


def test_reviews_dedup_rating_rules_and_spam_flags(repo: Repository) -> None:
    data = (b"review_id,product_id,rating,review_text,date\n"
            b"r1,P1,5,Lovely dress fits well,2024-01-02\n"
            b"r1,P1,4,Lovely dress fits well (edited),2024-01-03\n"
            b"r2,P1,7,Out of range,2024-01-02\n"
            b"r3,P2,1,BUY NOW at www.cheap-dresses.example GREAT DEALS,2024-01-02\n"
            b"r4,P2,3,,\n")
    r = ingest_file(repo, "reviews", data, settings=SETTINGS)
    # the optional rating 7 is left empty with a warning; r4 has no text but a rating: kept, flagged "no text"
    assert (r.accepted, r.rejected, r.duplicates, r.warnings, r.no_text) == (4, 0, 1, 2, 1)
    reviews = rows(repo, m.reviews).set_index("review_key")
    assert reviews.loc["r1", "rating"] == 4 and "edited" in reviews.loc["r1", "text"]  # latest wins
    assert bool(reviews.loc["r3", "is_spam"]) and "link" in reviews.loc["r3", "spam_reasons"]
    assert not bool(reviews.loc["r1", "is_spam"])
    assert pd.isna(reviews.loc["r2", "rating"])
    assert reviews.loc["r4", "attributes"]["quality_flag"] == "no text"
    assert any("rating '7' is above 5 (left empty)" in w["warnings"] for w in r.warning_rows)
    assert "1 reviews kept without text" in r.message


def test_preview_proposes_mapping_without_storing(repo: Repository) -> None:
    p = preview_file(SAMPLES / "clothing_reviews_3000.csv", kind="reviews", settings=SETTINGS, n=5)
    assert len(p.head) == 5 and p.mapping["text"] == "Review Text" and p.missing == []
    p2 = preview_file(SAMPLES / "abt.csv", kind="sales", settings=SETTINGS)
    assert "order_id" in p2.missing and p2.encoding in ("cp1252", "latin-1")
    assert repo.list_batches() == []


def test_viewers_cannot_ingest(engine: sa.Engine) -> None:
    viewer = Repository(engine, new_tenant_ctx(engine, "view", role="viewer"))
    with pytest.raises(Forbidden):
        ingest_file(viewer, "sales", csv("1,A,x,2,2011-12-01 08:00:00,1,,UK"), settings=SETTINGS)


def test_tsv_xlsx_and_semicolon_files_load_the_same_rows(repo: Repository, tmp_path) -> None:
    lines = ["1,A,x,2,2011-12-01 08:00:00,1.5,17850.0,UK", "2,B,y,1,2011-12-02 09:00:00,2,,France"]
    base = pd.read_csv(io.BytesIO(csv(*lines)), dtype=str, keep_default_na=False)
    semi = base.to_csv(index=False, sep=";").replace("1.5", "1,5").encode("cp1252")
    tsv = base.to_csv(index=False, sep="\t").encode("utf-8-sig")
    xlsx = tmp_path / "s.xlsx"
    base.to_excel(xlsx, index=False)
    totals = []
    for source, name in ((semi, "s.csv"), (tsv, "s.tsv"), (xlsx, None)):
        t = new_tenant_ctx(repo.engine, "fmt")
        r = ingest_file(Repository(repo.engine, t), "sales", source, settings=SETTINGS, file_name=name)
        assert r.accepted == 2, (name, r)
        totals.append(round(rows(Repository(repo.engine, t), m.sales)["revenue"].sum(), 6))
    assert totals == [5.0, 5.0, 5.0]


def _sales_indexes(engine: sa.Engine) -> set[str]:
    return {ix["name"] for ix in sa.inspect(engine).get_indexes("sales")}


def test_large_load_rebuilds_indexes_and_a_failed_one_keeps_them(engine: sa.Engine, monkeypatch) -> None:
    """On PostgreSQL `engine` is the app role beside a separate owner: it cannot drop indexes, so it loads with
    them in place; the owner test below takes the rebuild path."""
    _large_load(engine, monkeypatch)


@pytest.mark.postgres
def test_large_load_as_the_table_owner_rebuilds_indexes_on_postgres(pg_owner_engine: sa.Engine, monkeypatch) -> None:
    _large_load(pg_owner_engine, monkeypatch)


def _large_load(engine: sa.Engine, monkeypatch) -> None:
    from ecomintel.ingest import pipeline

    monkeypatch.setattr(pipeline, "DEFER_INDEXES_MIN_ROWS", 1000)  # a "large" load without a large file
    before = _sales_indexes(engine)
    assert {"ix_sales_cover_sold_at", "ix_sales_cover_sku"} <= before
    repo = Repository(engine, new_tenant_ctx(engine, "big"))
    lines = [f"{i // 3},S{i % 97},item,{1 + i % 5},2011-11-{1 + i % 28:02d} 10:00:00,1.25,{i % 50},UK" for i in range(6000)]
    r = ingest_file(repo, "sales", csv(*lines), settings=SETTINGS.replace(ingest_chunk_rows=1000))
    assert r.status == "done" and r.accepted == 6000
    assert _sales_indexes(engine) == before
    assert repo.sales_totals()["lines"] == 6000
    # a quote that never closes: Arrow's probe gives the file to pandas, which fails at it mid-load
    broken = [*lines[:5500], '1,A,"x,1,2011-11-01 10:00:00,1,,UK', *lines[5500:]]
    other = Repository(engine, new_tenant_ctx(engine, "big"))
    failed = ingest_file(other, "sales", csv(*broken), settings=SETTINGS.replace(ingest_chunk_rows=1000))
    assert failed.status == "failed"
    assert _sales_indexes(engine) == before and rows(other, m.sales).empty


def test_lineage_counts_rows_per_batch_as_they_are_now(repo: Repository) -> None:
    from ecomintel.ingest.lineage import rows_by_batch

    a = ingest_file(repo, "products", b"sku,name,price\nP1,One,1\nP2,Two,2\n", settings=SETTINGS)
    b = ingest_file(repo, "products", b"sku,name,price\nP2,Two v2,3\n", settings=SETTINGS)
    s = ingest_file(repo, "sales", csv("1,A,x,2,2011-12-01 08:00:00,1,,UK"), settings=SETTINGS)
    lineage = rows_by_batch(repo).set_index("id")
    assert lineage.loc[a.batch_id, "rows_now"] == 1  # P2 moved to the newer batch (latest wins)
    assert lineage.loc[b.batch_id, "rows_now"] == 1 and lineage.loc[s.batch_id, "rows_now"] == 1
    assert lineage.loc[a.batch_id, "rows_accepted"] == 2


def test_the_currency_in_a_price_header_is_stored_unless_a_cell_says_otherwise(repo: Repository, tmp_path) -> None:
    """A German shop's products export (`Preis (€)`, `UVP in EUR`), a sales file with `unit_price_gbp`, a
    listings file with `Price [INR]` and a Currency column that wins over the header: what is stored."""
    german = tmp_path / "artikel.csv"
    german.write_text("Artikelnummer;Bezeichnung;Preis (€);UVP in EUR\nA1;Wasserkocher;29,90;39,90\n"
                      "A2;Toaster;19,90;\n", encoding="utf-8")
    r = ingest_file(repo, "products", german, settings=SETTINGS, defaults={"currency": "GBP"})
    assert (r.status, r.accepted, r.mapping["price"], r.mapping["list_price"]) == ("done", 2, "Preis (€)", "UVP in EUR")
    products = rows(repo, m.products).set_index("sku")
    assert set(products["currency"]) == {"EUR"}  # the header beats the upload's default
    assert (products.loc["A1", "price"], products.loc["A1", "list_price"]) == (29.9, 39.9)
    sales = tmp_path / "orders.csv"
    sales.write_text("order_id,sku,quantity,unit_price_gbp,sold_at\n1,A1,2,3.50,2024-01-05\n", encoding="utf-8")
    r = ingest_file(repo, "sales", sales, settings=SETTINGS)
    assert r.mapping["unit_price"] == "unit_price_gbp" and set(rows(repo, m.sales)["currency"]) == {"GBP"}
    listings = tmp_path / "competitors.csv"
    listings.write_text("sku,seller,Price [INR],Currency\nB1,Shop A,1099,\nB2,Shop B,12.5,USD\n", encoding="utf-8")
    r = ingest_file(repo, "listings", listings, settings=SETTINGS)
    stored = rows(repo, m.listings).set_index("sku")["currency"].to_dict()
    assert stored == {"B1": "INR", "B2": "USD"}  # the Currency cell wins; an empty one leaves the header's
    assert "2 currencies" in r.message


def test_amount_headers_in_two_currencies_are_refused_before_storing(repo: Repository, tmp_path) -> None:
    mixed = tmp_path / "mixed.csv"
    mixed.write_text("sku,Price (EUR),List price (USD)\nA,10,12\n", encoding="utf-8")
    with pytest.raises(InputError, match="different currencies") as info:
        ingest_file(repo, "products", mixed, settings=SETTINGS)
    assert "'Price (EUR)' (price) is EUR" in info.value.user_message()
    assert rows(repo, m.products).empty and rows(repo, m.ingestion_batches).empty
    r = ingest_file(repo, "products", mixed, settings=SETTINGS, mapping={"list_price": ""})
    assert r.accepted == 1 and set(rows(repo, m.products)["currency"]) == {"EUR"}


SHOPIFY_ORDERS = (
    "Name,Email,Financial Status,Currency,Total,Created at,Lineitem quantity,Lineitem name,Lineitem price,"
    "Lineitem sku,Billing Name,Billing Country\n"
    "#1001,anna@example.com,paid,EUR,64.70,2024-03-01 10:15:20 +0100,2,Linen Shirt - M,29.90,LS-M-01,Anna K,DE\n"
    "#1001,,,,,2024-03-01 10:15:20 +0100,1,Canvas Tote,12.00,CT-01,,\n"
    "#1002,ben@example.com,paid,EUR,28.90,2024-03-02 18:39:58 +0100,1,Canvas Tote,12.00,CT-01,Ben L,FR\n"
    "#1003,,paid,EUR,9.00,2024-03-03 08:00:00 +0100,1,Socks,9.00,SO-01,,\n")


def test_a_shopify_orders_export_loads_with_its_order_columns_on_every_line(repo: Repository) -> None:
    """Shopify writes an order's customer, country and currency on its first line only; the order's other
    lines take them, a line of an order without them stays without (the guest order #1003)."""
    r = ingest_file(repo, "sales", SHOPIFY_ORDERS.encode(), settings=SETTINGS, file_name="orders_export.csv")
    assert r.status == "done" and r.accepted == 4
    assert (r.mapping["order_id"], r.mapping["sku"], r.mapping["product_name"], r.mapping["customer_id"]) == (
        "Name", "Lineitem sku", "Lineitem name", "Email")
    got = rows(repo, m.sales).sort_values(["order_id", "sku"])
    assert got["customer_id"].tolist() == ["anna@example.com", "anna@example.com", "ben@example.com", None]
    assert got["country"].tolist() == ["DE", "DE", "FR", None]
    assert got["currency"].tolist() == ["EUR"] * 4
    assert got["product_name"].tolist() == ["Canvas Tote", "Linen Shirt - M", "Canvas Tote", "Socks"]


def test_a_rejected_line_does_not_speak_for_its_order(repo: Repository) -> None:
    """The order's first line (the one with the customer and country) is rejected: it is not stored, so the
    order's other lines keep no customer and no country rather than values from a line that is not there."""
    data = SHOPIFY_ORDERS.replace(",2,Linen Shirt - M,", ",0,Linen Shirt - M,")  # quantity 0: rejected
    r = ingest_file(repo, "sales", data.encode(), settings=SETTINGS, file_name="orders_export.csv")
    assert (r.accepted, r.rejected) == (3, 1)
    got = rows(repo, m.sales).sort_values(["order_id", "sku"])
    assert got["customer_id"].tolist() == [None, "ben@example.com", None]
    assert got["country"].tolist() == [None, "FR", None]


def test_a_german_shop_export_loads_as_it_is(repo: Repository) -> None:
    """Windows-1252, semicolons, day-first dates, decimal commas with thousands dots and a € sign, German headers."""
    text = ("Bestellnummer;Bestelldatum;Artikelnummer;Artikelname;Menge;Einzelpreis;Kunde;Land\n"
            '10001;02.01.2024 09:15;A-100;Tasse "Blau";2;12,50 €;K-1;Deutschland\n'
            "10002;03.01.2024 17:40;A-300;Schüssel groß;3;1.049,00 €;K-3;Österreich\n")
    r = ingest_file(repo, "sales", text.encode("cp1252"), settings=SETTINGS, file_name="bestellungen.csv")
    assert (r.status, r.accepted, r.rejected, r.encoding) == ("done", 2, 0, "cp1252")
    got = rows(repo, m.sales).sort_values("order_id")
    assert got["revenue"].tolist() == [25.0, 3147.0] and got["currency"].tolist() == ["EUR", "EUR"]
    assert got["product_name"].tolist() == ['Tasse "Blau"', "Schüssel groß"]
    assert got["sold_at"].astype(str).tolist() == ["2024-01-02 09:15:00", "2024-01-03 17:40:00"]


def test_line_totals_that_are_not_quantity_times_price_are_warned_not_used(repo: Repository) -> None:
    """Revenue is quantity × unit price whatever the export's total column holds (an order total, a discount,
    an unreadable cell): the rows where they differ are kept with a warning that says so."""
    data = (b"order,sku,qty,price,total,date\n1,A,2,10.00,20.00,2011-01-03\n2,A,1,10.00,8.50,2011-01-04\n"
            b"3,B,1,5.00,5,O,2011-01-05\n").replace(b"5,O", b'"5,O"')
    r = ingest_file(repo, "sales", data, settings=SETTINGS, file_name="totals.csv", defaults={"currency": "EUR"})
    assert (r.accepted, r.rejected, r.warnings) == (3, 0, 2) and r.mapping["revenue"] == "total"
    why = [w["warnings"] for w in r.warning_rows]
    assert "line total 8.50 ≠ quantity × unit price 10.00" in why[0] and "is not a number" in why[1]
    assert "2 rows kept with a warning" in r.message
    assert sorted(rows(repo, m.sales)["revenue"].tolist()) == [5.0, 10.0, 20.0]
