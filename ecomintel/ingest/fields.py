"""The fields each kind of file can fill, in display order, with the column names they are known by.

Why a table: the Upload page shows it as the mapping form, the automatic mapper reads the aliases, the
CLI's `--map` validates field names against it, and MissingColumns lists the required ones — one source.
"""

from __future__ import annotations

from dataclasses import dataclass

KINDS = ("sales", "products", "reviews", "listings")


@dataclass(frozen=True)
class FieldSpec:
    """One target field: `name`, whether a row cannot exist without it, help text, and known aliases."""

    name: str
    required: bool
    help: str
    aliases: tuple[str, ...] = ()


FIELDS: dict[str, tuple[FieldSpec, ...]] = {
    "sales": (
        FieldSpec("order_id", True, "Order / invoice number (an id starting with C is a cancellation).",
                  ("invoiceno", "invoice", "invoice_no", "invoice_id", "invoice_number", "order", "orderid",
                   "order_no", "order_number", "transaction_id", "receipt", "amazon_order_id", "bestellnummer",
                   "bestell_nr", "auftragsnummer", "auftrag", "numero_commande", "commande", "n_commande")),
        FieldSpec("sku", True, "Product code (SKU / stock code).",
                  ("stockcode", "stock_code", "product_id", "productid", "item_id", "item_code", "product_code",
                   "article", "asin", "custom_label", "variant_sku", "seller_sku", "artikelnummer", "artikel_nr",
                   "art_nr", "reference", "ref")),
        FieldSpec("product_name", False, "Product name or description.",
                  ("description", "product", "product_description", "item_name", "item", "title", "name",
                   "artikelname", "bezeichnung", "artikel", "produkt", "designation", "nom_produit", "libelle")),
        FieldSpec("quantity", True, "Units sold (negative for returns).",
                  ("qty", "units", "quantity_sold", "units_sold", "amount_units", "quantity_purchased",
                   "lineitem_quantity", "menge", "anzahl", "stuck", "quantite")),
        FieldSpec("unit_price", True, "Price of one unit.",
                  ("unitprice", "price", "unit_cost", "price_each", "item_price", "sale_price", "lineitem_price",
                   "item_cost", "price_per_unit", "sold_for", "preis", "einzelpreis", "stuckpreis", "prix",
                   "prix_unitaire")),
        FieldSpec("revenue", False, "Line total; recomputed as quantity × unit price.",
                  ("total", "line_total", "amount", "sales", "net_sales", "total_price")),
        FieldSpec("currency", False, "ISO currency code (e.g. GBP).",
                  ("currency_code", "curr", "order_currency", "wahrung", "devise")),
        FieldSpec("customer_id", False, "Customer identifier.",
                  ("customerid", "customer", "client_id", "buyer_id", "user_id", "customer_no", "customer_number",
                   "email", "customer_email", "buyer_email", "username", "buyer_username", "buyer", "kunde",
                   "kundennummer", "kunden_nr", "client")),
        FieldSpec("country", False, "Country of the customer.", ("country_name", "nation", "ship_country", "land",
                                                                  "pays")),
        FieldSpec("channel", False, "Sales channel (web, store, …).", ("sales_channel", "source")),
        FieldSpec("marketplace", False, "Marketplace (amazon.in, ebay, own shop …).", ("market", "platform", "store")),
        FieldSpec("sold_at", True, "Date and time of the sale.",
                  ("invoicedate", "invoice_date", "date", "order_date", "datetime", "timestamp", "sale_date",
                   "created_at", "time", "purchase_date", "bestelldatum", "datum", "date_commande")),
    ),
    "products": (
        FieldSpec("sku", True, "Product code (SKU / ASIN / id).",
                  ("product_id", "productid", "id", "stockcode", "stock_code", "item_id", "asin", "code", "variant_sku",
                   "seller_sku", "artikelnummer", "reference")),
        FieldSpec("name", False, "Product name.",
                  ("product_name", "title", "product_title", "description", "item_name", "product", "bezeichnung",
                   "nom")),
        FieldSpec("brand", False, "Brand or manufacturer.",
                  ("manufacturer", "maker", "vendor", "make", "hersteller", "marke", "marque")),
        FieldSpec("category", False, "Category (a path like A|B|C is kept as is).",
                  ("category_path", "product_category", "categories", "department", "class_name", "type")),
        FieldSpec("marketplace", False, "Marketplace the listing belongs to.", ("market", "platform", "store", "site")),
        FieldSpec("price", False, "Current selling price.",
                  ("discounted_price", "sale_price", "selling_price", "current_price", "offer_price", "unitprice",
                   "unit_price", "variant_price", "preis", "verkaufspreis", "prix")),
        FieldSpec("list_price", False, "List / original price.",
                  ("actual_price", "mrp", "original_price", "regular_price", "msrp", "rrp", "compare_at_price",
                   "variant_compare_at_price", "uvp", "listenpreis")),
        FieldSpec("cost", False, "Unit cost.",
                  ("unit_cost", "cogs", "purchase_price", "cost_price", "cost_per_item", "einkaufspreis")),
        FieldSpec("currency", False, "ISO currency code.", ("currency_code", "curr")),
        FieldSpec("inventory_level", False, "Units in stock.",
                  ("stock", "inventory", "qty_on_hand", "on_hand", "quantity", "variant_inventory_qty", "lagerbestand",
                   "bestand", "quantite")),
        FieldSpec("lead_time_days", False, "Replenishment lead time in days.", ("lead_time", "leadtime")),
        FieldSpec("rating", False, "Average rating (1–5).", ("stars", "avg_rating", "average_rating", "score")),
        FieldSpec("rating_count", False, "Number of ratings.", ("ratings", "num_ratings", "reviews_count", "review_count")),
    ),
    "reviews": (
        FieldSpec("review_id", False, "External review id (deduplication key; a content hash when absent).",
                  ("id", "reviewid", "review_key", "key")),
        FieldSpec("sku", False, "Product code the review is about.",
                  ("clothing_id", "product_id", "productid", "item_id", "asin", "stockcode")),
        FieldSpec("product_name", False, "Product name.", ("product", "item_name", "product_title")),
        FieldSpec("category", False, "Product category.", ("class_name", "department_name", "product_category")),
        FieldSpec("rating", False, "Star rating 1–5.", ("stars", "score", "review_rating", "overall")),
        FieldSpec("title", False, "Review title.", ("review_title", "summary", "headline")),
        FieldSpec("text", True, "Review text.",
                  ("review_text", "review", "review_content", "content", "body", "comment", "review_body")),
        FieldSpec("author", False, "Reviewer name or id.", ("user_name", "reviewer", "user", "username", "reviewer_name",
                                                             "reviewerid", "reviewer_id", "consumer_user_id")),
        FieldSpec("created_at", False, "When the review was written.",
                  ("date", "review_date", "created", "timestamp", "time", "reviewed_at")),
        FieldSpec("verified", False, "Verified purchase (yes/no).", ("verified_purchase", "is_verified")),
        FieldSpec("helpful_count", False, "Helpful / positive feedback votes.",
                  ("positive_feedback_count", "helpful", "helpful_votes", "votes")),
    ),
    # competitor (or marketplace) prices: one row per observation; sku or title identifies the product
    "listings": (
        FieldSpec("sku", False, "The listing's product code (ASIN, item id, SKU); a title identifies it when empty.",
                  ("asin", "item_id", "itemid", "product_id", "productid", "listing_id", "id", "stockcode",
                   "offer_id", "code", "item_number")),
        FieldSpec("title", False, "Listing title / product name (used for matching, and as the key without a sku).",
                  ("name", "product_name", "product_title", "item_name", "listing_title", "description", "product")),
        FieldSpec("brand", False, "Brand or manufacturer.", ("manufacturer", "maker", "make", "vendor_brand")),
        FieldSpec("category", False, "Category.", ("category_path", "product_category", "department", "categories_root")),
        FieldSpec("marketplace", False, "Marketplace or site (amazon.de, ebay, a shop's domain).",
                  ("market", "platform", "site", "channel", "store", "source", "domain")),
        FieldSpec("seller", False, "Seller / competitor name.",
                  ("seller_name", "merchant", "merchant_name", "competitor", "shop", "vendor", "retailer",
                   "sold_by")),
        FieldSpec("price", True, "The listing's (sale) price.",
                  ("sale_price", "current_price", "offer_price", "discounted_price", "selling_price", "amount",
                   "price_amount", "buybox_price", "buy_box_price", "buy_box_current", "buy_box", "unit_price", "preis",
                   "prix")),
        FieldSpec("list_price", False, "List / original price before a discount (promotions).",
                  ("actual_price", "mrp", "original_price", "regular_price", "msrp", "rrp", "was_price",
                   "compare_at_price", "uvp", "listenpreis", "list_price_current")),
        FieldSpec("currency", False, "ISO currency code.", ("currency_code", "curr")),
        FieldSpec("url", False, "Listing URL.", ("link", "product_url", "page_url", "listing_url", "href")),
        FieldSpec("observed_at", False, "When the price was seen (the upload time when empty).",
                  ("date", "timestamp", "scraped_at", "crawled_at", "checked_at", "captured_at", "seen_at",
                   "time", "datetime", "observed", "collected_at", "checked_on", "scraped_on", "last_checked")),
    ),
}


def field_names(kind: str) -> list[str]:
    return [f.name for f in fields_of(kind)]


def required_fields(kind: str) -> list[str]:
    return [f.name for f in fields_of(kind) if f.required]


def fields_of(kind: str) -> tuple[FieldSpec, ...]:
    """The field specs of `kind`; an unknown kind is a user error (CLI argument, page selector)."""
    from ecomintel.errors import InputError

    if kind not in FIELDS:
        raise InputError(f"Unknown data kind {kind!r}.", f"Use one of {', '.join(KINDS)}.")
    return FIELDS[kind]
