"""`read_catalogue`: any marketplace export → the matcher's frame (`id`, `title`, `brand`, `description`,
`price`, and `model` when the export has a model-number column), finding the columns by name first and by content when the names say nothing.

Why content too: exports name their columns every way (`name`, `Product Name`, `item_title`, `Artikel`,
`col3`); a title column is recognisable anyway (short multi-word text, nearly unique per row), a
description is longer text, a price parses as money, a brand repeats across rows, an id is unique and
short. Reading (encoding, delimiter, gzip, xlsx, size limit) is the ingest's reader
(ecomintel/ingest/readers.py), so a file the Upload page accepts is a file the matcher accepts.
The detected mapping is kept in `frame.attrs["columns"]` ({field: source column}) so the CLI can say what
it used.
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd

from ecomintel.errors import InputError
from ecomintel.ingest.mapping import norm_name
from ecomintel.ingest.readers import load_source, open_table
from ecomintel.matching.prepare import parse_price

FIELDS = ("id", "title", "brand", "description", "price", "model")
NAMES: dict[str, tuple[str, ...]] = {
    "id": ("id", "sku", "product_id", "productid", "item_id", "itemid", "asin", "listing_id", "offer_id", "uid",
           "product_code", "item_number", "article_number", "code", "ean", "upc", "gtin", "key", "idabt",
           "idbuy", "stockcode", "stock_code", "article"),
    "title": ("title", "name", "product_name", "productname", "product_title", "item_name", "item_title",
              "listing_title", "product", "item", "model_name", "offer_title", "designation", "bezeichnung",
              "titre", "nombre", "nom"),
    "description": ("description", "desc", "product_description", "long_description", "details",
                    "description_text", "about_product", "summary", "body", "features", "beschreibung"),
    "brand": ("brand", "manufacturer", "brand_name", "maker", "make", "mfr", "mfg", "vendor", "marque",
              "marca", "hersteller"),
    "model": ("model", "modelno", "model_no", "model_number", "mpn", "part_number", "partnumber", "mfr_part",
              "manufacturer_part_number", "model_id"),
    "price": ("price", "sale_price", "current_price", "selling_price", "discounted_price", "offer_price",
              "unit_price", "price_usd", "price_eur", "price_gbp", "amount", "list_price", "actual_price",
              "retail_price", "msrp", "preis", "prix", "precio"),
}
SHORT_DESCRIPTION = 80  # median characters: a "description" this short is the product's name
_LETTERS = re.compile(r"[^\W\d_]", re.UNICODE)


def read_catalogue(path: str | Path, *, max_mb: int = 200) -> pd.DataFrame:
    """Read a catalogue export (.csv/.tsv/.csv.gz/.xlsx, any delimiter/encoding) into the matcher's frame.

    Raises InputError (clear message, the columns found) when the file cannot be read or has no column
    that can be a title. Without an id column the row number (1 = the first data row) is the id; rows with
    an empty title are skipped, and a repeated id keeps its first row (`attrs["duplicate_ids_dropped"]`)."""
    raw = load_source(path, max_mb=max_mb)
    table = open_table(raw, chunk_rows=100_000)
    frame = pd.concat(list(table.chunks()), ignore_index=True).astype(str)
    mapping = detect_columns(frame)
    if mapping.get("title") is None:
        raise InputError(f"{raw.name}: no title/name column found.",
                         f"Name one column title or name. Columns in the file: {', '.join(frame.columns[:30])}.")
    out = pd.DataFrame()
    id_col = mapping.get("id")
    out["id"] = frame[id_col].str.strip() if id_col else [str(i + 1) for i in range(len(frame))]
    for field in ("title", "brand", "description", "price", "model"):
        col = mapping.get(field)
        if col is not None:
            out[field] = frame[col].str.strip()
    out = out[out["title"].str.len() > 0]
    rows = len(out)
    out = out.drop_duplicates("id", keep="first").reset_index(drop=True)  # a catalogue lists a product once
    if out.empty:
        raise InputError(f"{raw.name}: the title column ({mapping['title']}) is empty on every row.")
    out.attrs["columns"] = {k: v for k, v in mapping.items() if v is not None}
    out.attrs["file"] = raw.name
    out.attrs["duplicate_ids_dropped"] = rows - len(out)
    return out


def detect_columns(frame: pd.DataFrame) -> dict[str, str | None]:
    """{field: column or None}: exact names/aliases first (earlier aliases stronger), then content."""
    columns = [str(c) for c in frame.columns]
    normed = {c: norm_name(c) for c in columns}
    mapping: dict[str, str | None] = dict.fromkeys(FIELDS)
    taken: set[str] = set()
    for field in ("title", "id", "description", "brand", "model", "price"):
        for alias in NAMES[field]:
            col = next((c for c in columns if normed[c] == alias and c not in taken), None)
            if col is not None:
                mapping[field] = col
                taken.add(col)
                break
    for field in ("price", "brand", "description", "title"):  # names containing the word: `Product Name (EN)`
        if mapping[field] is None:
            col = next((c for c in columns if c not in taken and any(
                re.search(rf"(^|_){re.escape(a)}(_|$)", normed[c]) for a in NAMES[field][:3])), None)
            if col is not None:
                mapping[field] = col
                taken.add(col)
    free = [c for c in columns if c not in taken]
    profiles = {c: _profile(frame[c]) for c in free}
    if mapping["title"] is None:
        texts = [c for c in free if profiles[c]["wordy"] >= 0.6 and profiles[c]["unique"] >= 0.5]
        if texts:  # the shortest wordy, mostly unique column is the title; a longer one is the description
            title = min(texts, key=lambda c: profiles[c]["length"])
            mapping["title"] = title
            taken.add(title)
    desc = mapping["description"]
    if mapping["title"] is None and desc is not None and _profile(frame[desc])["length"] <= SHORT_DESCRIPTION:
        mapping["title"], mapping["description"] = desc, None  # Online Retail's `Description` is the name
    free = [c for c in columns if c not in taken]
    if mapping["description"] is None and mapping["title"] is not None:
        title_len = _profile(frame[mapping["title"]])["length"]
        longer = [c for c in free if profiles[c]["wordy"] >= 0.5 and profiles[c]["length"] > 1.5 * title_len]
        if longer:
            description = max(longer, key=lambda c: profiles[c]["length"])
            mapping["description"] = description
            taken.add(description)
    free = [c for c in columns if c not in taken]
    if mapping["price"] is None:
        prices = [c for c in free if profiles[c]["money"] >= 0.6 and profiles[c]["decimal"] >= 0.3]
        if prices:
            price = max(prices, key=lambda c: profiles[c]["money"])
            mapping["price"] = price
            taken.add(price)
    free = [c for c in columns if c not in taken]
    if mapping["id"] is None:
        ids = [c for c in free if profiles[c]["unique"] == 1.0 and profiles[c]["filled"] == 1.0
               and profiles[c]["length"] <= 40 and profiles[c]["spaces"] <= 0.1]
        if ids:
            mapping["id"] = ids[0]
            taken.add(ids[0])
    return mapping


def _profile(series: pd.Series) -> dict[str, float]:
    """Shares over non-empty cells: wordy (letters and a space), unique, money (parses as a price),
    decimal (has a decimal point or currency sign), spaces; and the median length and filled share."""
    values = [v for v in series.astype(str).str.strip().tolist()[:2000] if v and v.lower() not in ("nan", "none")]
    total = max(len(series.head(2000)), 1)
    if not values:
        return {"wordy": 0.0, "unique": 0.0, "money": 0.0, "decimal": 0.0, "spaces": 0.0, "length": 0.0,
                "filled": 0.0}
    n = len(values)
    lengths = sorted(len(v) for v in values)
    return {
        "wordy": sum(1 for v in values if " " in v and len(_LETTERS.findall(v)) >= 3) / n,
        "unique": len(set(values)) / n,
        "money": sum(1 for v in values if parse_price(v)[0] == parse_price(v)[0]
                     and not _LETTERS.search(re.sub(r"(?i)usd|eur|gbp|inr|rs|cad|aud|chf", "", v))) / n,
        "decimal": sum(1 for v in values if re.search(r"\d[.,]\d{2}(?!\d)|[$£€₹¥]", v)) / n,
        "spaces": sum(1 for v in values if " " in v) / n,
        "length": float(lengths[n // 2]),
        "filled": n / total,
    }
