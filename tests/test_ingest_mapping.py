"""Column mapping: known names, fuzzy fallback, overrides, the MissingColumns message, and currency-decorated
headers (`Price (EUR)`, `price_usd`, `Preis (€)`): same field as the plain name, and the header's currency."""

from __future__ import annotations

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ecomintel.errors import InputError, MissingColumns
from ecomintel.ingest.currency import ISO_CODES, split_currency
from ecomintel.ingest.fields import FIELDS, required_fields
from ecomintel.ingest.mapping import auto_map, mapped_currency, resolve_mapping
from ecomintel.ingest.validate import prepare_products

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


# --- currency in the header (issue 11): real exports write the currency into the price column's name -------------

# (header, kind, field it fills, ISO code it says) — as Shopify, Amazon, WooCommerce, eBay and German / French /
# Indian shops write them
DECORATED = [
    ("Price (EUR)", "products", "price", "EUR"),
    ("price_usd", "products", "price", "USD"),
    ("Unit Price ($)", "sales", "unit_price", "USD"),
    ("Preis in EUR", "products", "price", "EUR"),
    ("Preis (€)", "listings", "price", "EUR"),
    ("unit_price_gbp", "sales", "unit_price", "GBP"),
    ("Price [INR]", "listings", "price", "INR"),
    ("Amount EUR", "sales", "revenue", "EUR"),
    ("list price (₹)", "products", "list_price", "INR"),
    ("Prix (en €)", "products", "price", "EUR"),
    ("Selling Price (Rs.)", "products", "price", "INR"),
    ("Variant Price (CAD)", "products", "price", "CAD"),
    ("Lineitem price - AUD", "sales", "unit_price", "AUD"),
    ("EUR Preis", "listings", "price", "EUR"),
    ("Current price, US$", "listings", "price", "USD"),
    ("UVP in Euro", "products", "list_price", "EUR"),
    ("item-price-jpy", "sales", "unit_price", "JPY"),
]


@pytest.mark.parametrize("header, kind, field, code", DECORATED)
def test_a_currency_decorated_header_maps_and_says_its_currency(header: str, kind: str, field: str,
                                                                code: str) -> None:
    assert auto_map(["sku", header], kind)[field] == header
    assert split_currency(header)[1] == code
    assert split_currency(header)[1] == code


def test_a_plain_price_header_still_maps_and_says_no_currency() -> None:
    assert auto_map(["sku", "Price"], "products")["price"] == "Price"
    assert auto_map(["sku", "Price"], "sales")["unit_price"] == "Price"
    assert split_currency("Price") == ("Price", None) and split_currency("Price")[1] is None
    # words that contain a code's letters are not codes; a header that is only a code names no field
    for header in ("Europe price", "Prices", "Cadence", "usdt_balance"):
        assert split_currency(header)[1] is None, header
    assert split_currency("EUR") == ("", "EUR") and auto_map(["sku", "EUR"], "products")["price"] is None
    assert split_currency("EUR/USD rate")[1] is None  # two currencies in one name: not a decoration


def test_an_exact_name_beats_a_decorated_one() -> None:
    m = auto_map(["sku", "Price (EUR)", "price"], "products")
    assert m["price"] == "price"


SHOPIFY_PRODUCTS = ["Handle", "Title", "Body (HTML)", "Vendor", "Type", "Tags", "Variant SKU", "Variant Price",
                    "Variant Compare At Price", "Variant Inventory Qty", "Cost per item"]
WOO_PRODUCTS = ["ID", "Type", "SKU", "Name", "Published", "Sale price (€)", "Regular price (€)", "Stock",
                "Categories"]
WOO_ORDERS = ["Order Number", "Order Date", "Order Currency", "SKU", "Item Name", "Quantity", "Item Cost",
              "Order Total Amount"]
AMAZON_ORDERS = ["amazon-order-id", "purchase-date", "sku", "product-name", "quantity-purchased", "currency",
                 "item-price"]
EBAY_LISTINGS = ["Item number", "Title", "Current price (GBP)", "Start date", "Available quantity"]
GERMAN_PRODUCTS = ["Artikelnummer", "Bezeichnung", "Hersteller", "Preis in EUR", "UVP (€)", "Lagerbestand"]
FRENCH_PRODUCTS = ["Référence", "Nom", "Marque", "Prix (€)", "Quantité"]


def test_shop_exports_map_their_price_columns() -> None:
    s = auto_map(SHOPIFY_PRODUCTS, "products")
    assert (s["sku"], s["name"], s["brand"], s["price"], s["list_price"], s["cost"], s["inventory_level"]) == (
        "Variant SKU", "Title", "Vendor", "Variant Price", "Variant Compare At Price", "Cost per item",
        "Variant Inventory Qty")
    w = auto_map(WOO_PRODUCTS, "products")
    assert (w["sku"], w["name"], w["price"], w["list_price"], w["inventory_level"], w["category"]) == (
        "SKU", "Name", "Sale price (€)", "Regular price (€)", "Stock", "Categories")
    o = auto_map(WOO_ORDERS, "sales")
    assert (o["order_id"], o["sold_at"], o["currency"], o["unit_price"], o["product_name"]) == (
        "Order Number", "Order Date", "Order Currency", "Item Cost", "Item Name")
    a = auto_map(AMAZON_ORDERS, "sales")
    assert (a["order_id"], a["sold_at"], a["quantity"], a["unit_price"], a["currency"]) == (
        "amazon-order-id", "purchase-date", "quantity-purchased", "item-price", "currency")
    e = auto_map(EBAY_LISTINGS, "listings")
    assert (e["sku"], e["title"], e["price"]) == ("Item number", "Title", "Current price (GBP)")
    g = auto_map(GERMAN_PRODUCTS, "products")
    assert (g["sku"], g["name"], g["brand"], g["price"], g["list_price"], g["inventory_level"]) == (
        "Artikelnummer", "Bezeichnung", "Hersteller", "Preis in EUR", "UVP (€)", "Lagerbestand")
    f = auto_map(FRENCH_PRODUCTS, "products")
    assert (f["sku"], f["name"], f["brand"], f["price"], f["inventory_level"]) == (
        "Référence", "Nom", "Marque", "Prix (€)", "Quantité")


def test_price_columns_in_two_currencies_are_refused_not_mixed() -> None:
    with pytest.raises(InputError, match=r"different currencies.*EUR.*USD"):
        resolve_mapping(["sku", "Price (EUR)", "List price (USD)"], "products")
    # two columns that could both be the price: which one is the price is the user's choice
    with pytest.raises(InputError, match=r"Price \(USD\)"):
        resolve_mapping(["sku", "Price (EUR)", "Price (USD)"], "products")
    chosen = resolve_mapping(["sku", "Price (EUR)", "Price (USD)"], "products", {"price": "Price (USD)"})
    assert chosen["price"] == "Price (USD)"
    # one currency in several headers is fine, and so is one decorated header next to plain ones
    same = resolve_mapping(["sku", "Price (EUR)", "List price (€)", "Cost"], "products")
    assert (same["price"], same["list_price"], same["cost"]) == ("Price (EUR)", "List price (€)", "Cost")
    assert mapped_currency(same, "products") == "EUR"


# any synonym of any field, written with any currency decoration, maps to the same field, and says that currency
SYNONYMS = [(kind, spec.name, alias) for kind, specs in FIELDS.items() for spec in specs
            for alias in (spec.name, *spec.aliases)]
CURRENCIES = [(code, code) for code in ISO_CODES] + [
    ("€", "EUR"), ("$", "USD"), ("US$", "USD"), ("£", "GBP"), ("₹", "INR"), ("¥", "JPY"), ("Rs.", "INR")]
DECORATIONS = ["{h} ({c})", "{h} [{c}]", "{h}_{c}", "{h} in {c}", "{h} {c}", "{c} {h}", "{h} - {c}", "{h}, {c}",
               "{h}({c})", "{h} (in {c})", "{c}_{h}"]


def _spelled(alias: str, style: int) -> str:
    words = alias.split("_")
    return ["_".join(words), " ".join(w.title() for w in words), "-".join(words).upper(), " ".join(words)][style]


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(SYNONYMS), st.sampled_from(CURRENCIES), st.sampled_from(DECORATIONS), st.integers(0, 3))
def test_any_synonym_with_any_currency_decoration_maps_the_same(synonym: tuple[str, str, str],
                                                               currency: tuple[str, str], decoration: str,
                                                               style: int) -> None:
    kind, _field, alias = synonym
    symbol, code = currency
    plain = _spelled(alias, style)
    header = decoration.format(h=plain, c=symbol.lower() if style == 0 and symbol.isalpha() else symbol)
    expected = {f for f, c in auto_map([plain], kind).items() if c == plain}
    assert {f for f, c in auto_map([header], kind).items() if c == header} == expected, header
    assert split_currency(header)[1] == code, header


def test_the_header_currency_comes_after_the_row_s_own_and_before_the_default() -> None:
    """Currency cell > symbol or code in the price cell > the header's currency > the upload's default."""
    chunk = pd.DataFrame({"sku": ["A", "B", "C"], "Preis (€)": ["10", "$12.50", "7"], "Currency": ["", "", "CHF"]},
                         dtype="string")
    mapping = resolve_mapping(list(chunk.columns), "products")
    assert (mapping["price"], mapping["currency"]) == ("Preis (€)", "Currency")
    prepared = prepare_products(chunk, mapping, {"currency": "GBP"})
    assert prepared.frame["currency"].tolist() == ["EUR", "USD", "CHF"]
    assert prepared.frame["price"].tolist() == [10.0, 12.5, 7.0]
    plain = pd.DataFrame({"sku": ["A"], "Price": ["10"]}, dtype="string")
    assert prepare_products(plain, resolve_mapping(["sku", "Price"], "products"),
                            {"currency": "GBP"}).frame["currency"].tolist() == ["GBP"]


# Order exports as the shop systems write them: line columns carry the line's prefix ("Lineitem sku"),
# customer columns the customer's ("Billing Country", "Buyer Username"), order columns the order's.
SHOPIFY_ORDERS = ["Name", "Email", "Financial Status", "Paid at", "Fulfillment Status", "Currency", "Subtotal",
                  "Shipping", "Taxes", "Total", "Created at", "Lineitem quantity", "Lineitem name", "Lineitem price",
                  "Lineitem compare at price", "Lineitem sku", "Billing Name", "Billing Country", "Shipping Country"]
EBAY_ORDERS = ["Sales Record Number", "Order Number", "Buyer Username", "Buyer Name", "Buyer Country", "Item Number",
               "Item Title", "Custom Label", "Quantity", "Sold For", "Total Price", "Sale Date"]
ETSY_ITEMS = ["Sale Date", "Item Name", "Buyer", "Quantity", "Price", "Currency", "Transaction ID", "Listing ID",
              "Date Paid", "Ship Country", "Order ID", "SKU"]
WOO_LINES = ["order_id", "order_date", "customer_email", "billing_country", "line_item_sku", "line_item_name",
             "line_item_qty", "line_item_price", "order_currency"]


def test_order_exports_map_line_customer_and_order_columns() -> None:
    s = auto_map(SHOPIFY_ORDERS, "sales")
    assert (s["order_id"], s["sku"], s["product_name"], s["quantity"], s["unit_price"], s["currency"],
            s["customer_id"], s["country"], s["sold_at"]) == (
        "Name", "Lineitem sku", "Lineitem name", "Lineitem quantity", "Lineitem price", "Currency", "Email",
        "Billing Country", "Created at")
    e = auto_map(EBAY_ORDERS, "sales")
    assert (e["order_id"], e["sku"], e["product_name"], e["quantity"], e["unit_price"], e["customer_id"],
            e["country"], e["sold_at"]) == (
        "Order Number", "Custom Label", "Item Title", "Quantity", "Sold For", "Buyer Username", "Buyer Country",
        "Sale Date")
    t = auto_map(ETSY_ITEMS, "sales")
    assert (t["order_id"], t["sku"], t["product_name"], t["customer_id"], t["country"], t["sold_at"]) == (
        "Order ID", "SKU", "Item Name", "Buyer", "Ship Country", "Sale Date")
    w = auto_map(WOO_LINES, "sales")
    assert (w["sku"], w["product_name"], w["quantity"], w["unit_price"], w["customer_id"], w["country"]) == (
        "line_item_sku", "line_item_name", "line_item_qty", "line_item_price", "customer_email", "billing_country")


def test_a_prefix_names_whose_column_it_is() -> None:
    """A customer's name is not the product's name, and a plain 'Name' stays the product where no line
    columns say otherwise."""
    m = auto_map(["Order", "Billing Name", "SKU", "Qty", "Price", "Date"], "sales")
    assert m["product_name"] is None and m["sku"] == "SKU"
    assert auto_map(["Invoice", "Name", "SKU", "Qty", "Price", "Date"], "sales")["product_name"] == "Name"


TRUSTPILOT = ["Review Id", "Review Created (UTC)", "Review Consumer User Id", "Review Title", "Review Content",
              "Review Stars", "Source Of Review", "Review Language", "Reply Content", "Sku", "Product Name"]
AMAZON_REVIEWS = ["asin", "reviewerID", "reviewerName", "helpful", "reviewText", "overall", "summary",
                  "unixReviewTime", "reviewTime"]
JUDGE_ME = ["title", "body", "rating", "review_date", "source", "curated", "reviewer_name", "reviewer_email",
            "product_id", "product_handle", "reply", "reply_date"]


def test_review_platform_exports_map_and_a_reviewer_id_is_never_the_review_id() -> None:
    """A reviewer's id as the review's id would merge all of one person's reviews into one (latest wins)."""
    t = auto_map(TRUSTPILOT, "reviews")
    assert (t["review_id"], t["created_at"], t["rating"], t["title"], t["text"], t["author"], t["sku"]) == (
        "Review Id", "Review Created (UTC)", "Review Stars", "Review Title", "Review Content",
        "Review Consumer User Id", "Sku")
    a = auto_map(AMAZON_REVIEWS, "reviews")
    assert (a["review_id"], a["author"], a["sku"], a["rating"], a["text"], a["title"]) == (
        None, "reviewerID", "asin", "overall", "reviewText", "summary")
    j = auto_map(JUDGE_ME, "reviews")
    assert (j["text"], j["title"], j["rating"], j["created_at"], j["author"], j["sku"]) == (
        "body", "title", "rating", "review_date", "reviewer_name", "product_id")


PRISYNC = ["Product Name", "Product Code", "Brand", "Category", "Your Price", "Competitor", "Competitor Price",
           "Competitor URL", "Date"]
KEEPA = ["ASIN", "Title", "Brand", "Buy Box: Current", "Amazon: Current", "List Price: Current", "Sales Rank: Current",
         "Categories: Root"]


def test_price_tracker_exports_map_the_competitor_s_offer_not_our_price() -> None:
    p = auto_map(PRISYNC, "listings")
    assert (p["sku"], p["title"], p["seller"], p["price"], p["url"], p["observed_at"]) == (
        "Product Code", "Product Name", "Competitor", "Competitor Price", "Competitor URL", "Date")
    k = auto_map(KEEPA, "listings")
    assert (k["sku"], k["title"], k["price"], k["list_price"], k["category"]) == (
        "ASIN", "Title", "Buy Box: Current", "List Price: Current", "Categories: Root")


def test_german_and_french_order_exports_map() -> None:
    d = auto_map(["Bestellnummer", "Bestelldatum", "Artikelnummer", "Artikelname", "Menge", "Einzelpreis", "Kunde",
                  "Land"], "sales")
    assert [d[f] for f in ("order_id", "sold_at", "sku", "product_name", "quantity", "unit_price", "customer_id",
                           "country")] == ["Bestellnummer", "Bestelldatum", "Artikelnummer", "Artikelname", "Menge",
                                           "Einzelpreis", "Kunde", "Land"]
    f = auto_map(["N° commande", "Date commande", "Référence", "Désignation", "Quantité", "Prix unitaire", "Client",
                  "Pays"], "sales")
    assert [f[x] for x in ("order_id", "sold_at", "sku", "product_name", "quantity", "unit_price", "customer_id",
                           "country")] == ["N° commande", "Date commande", "Référence", "Désignation", "Quantité",
                                           "Prix unitaire", "Client", "Pays"]
