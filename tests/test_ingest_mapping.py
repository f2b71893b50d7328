"""Column mapping: known names, fuzzy fallback, overrides, and the MissingColumns message."""

from __future__ import annotations

import pytest

from ecomintel.errors import InputError, MissingColumns
from ecomintel.ingest.fields import FIELDS, required_fields
from ecomintel.ingest.mapping import auto_map, resolve_mapping

RETAIL = ["InvoiceNo", "StockCode", "Description", "Quantity", "InvoiceDate", "UnitPrice", "CustomerID", "Country"]
CLOTHING = ["Unnamed: 0", "Clothing ID", "Age", "Title", "Review Text", "Rating", "Recommended IND",
            "Positive Feedback Count", "Division Name", "Department Name", "Class Name"]
AMAZON = ["product_id", "product_name", "category", "discounted_price", "actual_price", "discount_percentage",
          "rating", "rating_count", "about_product", "user_id", "user_name", "review_id", "review_title",
          "review_content", "img_link", "product_link"]


def test_online_retail_columns() -> None:
    m = auto_map(RETAIL, "sales")
    assert {k: v for k, v in m.items() if v} == {
        "order_id": "InvoiceNo", "sku": "StockCode", "product_name": "Description", "quantity": "Quantity",
        "sold_at": "InvoiceDate", "unit_price": "UnitPrice", "customer_id": "CustomerID", "country": "Country"}


def test_clothing_reviews_columns() -> None:
    m = auto_map(CLOTHING, "reviews")
    assert (m["text"], m["sku"], m["category"], m["helpful_count"], m["rating"], m["title"]) == (
        "Review Text", "Clothing ID", "Class Name", "Positive Feedback Count", "Rating", "Title")


def test_amazon_and_abt_buy_product_columns() -> None:
    m = auto_map(AMAZON, "products")
    assert (m["sku"], m["name"], m["price"], m["list_price"], m["rating_count"], m["category"]) == (
        "product_id", "product_name", "discounted_price", "actual_price", "rating_count", "category")
    b = auto_map(["id", "name", "description", "manufacturer", "price"], "products")
    assert (b["sku"], b["name"], b["brand"], b["price"]) == ("id", "name", "manufacturer", "price")


def test_fuzzy_fallback_for_near_names() -> None:
    m = auto_map(["Invoice No.", "Stock Code", "Qty", "Unit Price", "Invoice Date"], "sales")
    assert (m["order_id"], m["sku"], m["quantity"], m["unit_price"], m["sold_at"]) == (
        "Invoice No.", "Stock Code", "Qty", "Unit Price", "Invoice Date")
    assert auto_map(["Quantityy"], "sales")["quantity"] == "Quantityy"


def test_override_wins_and_frees_the_column() -> None:
    m = resolve_mapping([*RETAIL, "Ref"], "sales", {"order_id": "Ref", "product_name": "Country"})
    assert m["order_id"] == "Ref" and m["product_name"] == "Country"
    assert m["country"] is None  # Country now belongs to product_name only
    with pytest.raises(MissingColumns, match="sku"):
        resolve_mapping(RETAIL, "sales", {"sku": ""})


def test_missing_columns_lists_fields_and_suggestions() -> None:
    with pytest.raises(MissingColumns) as info:
        resolve_mapping(["Invoice Number", "Code", "Qty", "Price Each", "Date Sold"], "sales")
    err = info.value
    assert "sold_at" in err.missing
    assert "Date Sold" in err.suggestions["sold_at"]
    assert "sold_at" in err.user_message() and "Date Sold" in err.user_message()


def test_defaults_fill_required_fields_and_bad_names_are_errors() -> None:
    m = resolve_mapping(["Invoice", "SKU", "Qty", "Price"], "sales", defaults={"sold_at": "2011-01-01"})
    assert m["sold_at"] is None
    with pytest.raises(InputError, match="Unknown sales field"):
        resolve_mapping(RETAIL, "sales", {"nonsense": "InvoiceNo"})
    with pytest.raises(InputError, match="not in the file"):
        resolve_mapping(RETAIL, "sales", {"order_id": "Nope"})


def test_every_kind_has_required_fields() -> None:
    for kind in FIELDS:
        assert required_fields(kind)
