"""Validation: one chunk of text cells → typed rows ready to store, plus a reason for every rejected row.

Rules (sales, shared with bench/ask which replicates them independently): a row is rejected when order_id
or sku is empty, quantity is not a number or is 0, unit_price is not a number or is negative, or sold_at is
not a date. Returns (invoice `C…` or negative quantity) are kept with is_return=True; unit price 0 is
valid (free items); missing customer / country / name are fine (NULL). Products: sku required, prices ≥ 0,
average rating 0–5, counts whole numbers. Reviews: text, title or rating required, rating 1–5, dates must parse.
Why reasons as text per row: they are stored with the rejected row and shown to the person who uploaded
the file, who must be able to fix the file from them alone.
Optional fields (issue 11): a cell of an optional field that cannot be read (a product rating of '|', a
currency 'pounds') no longer rejects the row: the value is left empty and the row gets a *warning* with the
same wording (`Prepared.warnings`, counted and listed in the import result). Required fields still reject.
A review without text is kept when it has a title or a rating, with the warning "no text".
Currency (issue 11): a row's currency is its currency cell when there is one, else the symbol or code written
in its price cell (`₹1,099`, `$399.00`, `12 EUR`), else the currency an amount column's header names
(`Price (EUR)`, `price_usd`, `Preis (€)`: ingest/currency.py; resolve_mapping refuses headers that disagree),
else the default the upload gave (the tenant's currency on the Upload page).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import numpy as np
import pandas as pd

from ecomintel.ingest import normalize as nz
from ecomintel.ingest.dedup import content_keys, line_keys
from ecomintel.ingest.mapping import mapped_currency
from ecomintel.ingest.spam import spam_flags

NO_TEXT = "no text"  # the warning (and stored flag) of a review kept without text
PRICE_FIELD = {"sales": "unit_price", "products": "price", "listings": "price"}
_CELL_CURRENCY = (r"(?i)^\s*(?P<pre>us\$|rs\.?|[₹$€£¥₩₽]|(?:gbp|usd|eur|inr|jpy|aud|cad|chf)\b)"
                  r"|(?P<post>[₹$€£¥₩₽]|\b(?:gbp|usd|eur|inr|jpy|aud|cad|chf))\s*$")
CURRENCY_SYMBOLS = {"£": "GBP", "$": "USD", "US$": "USD", "€": "EUR", "₹": "INR", "RS": "INR", "RS.": "INR",
                    "¥": "JPY", "₩": "KRW", "₽": "RUB"}
MIN_YEAR, MAX_YEAR = 1970, 2100


@dataclass
class Prepared:
    """Typed rows (index = the chunk's row index) and the rejection reasons ('' = row is valid)."""

    frame: pd.DataFrame
    reasons: pd.Series
    warnings: pd.Series | None = None  # per row: optional values left empty, "no text" ('' = none)

    @property
    def ok(self) -> np.ndarray:
        return np.asarray(self.reasons.eq("").to_numpy(), dtype=bool)

    def valid(self) -> pd.DataFrame:
        """The rows without reasons — the frame itself when every row is valid (the usual case: no copy)."""
        ok = self.ok
        return self.frame if ok.all() else self.frame[ok]


class Reasons:
    """Accumulates '; '-joined reasons per row, touching only the failing rows."""

    def __init__(self, index: pd.Index) -> None:
        self.values = pd.Series("", index=index, dtype=nz.TEXT)

    def add(self, mask: Any, message: str | pd.Series | Callable[[np.ndarray], pd.Series]) -> None:
        """`message`: one text, a Series of texts, or a function of the mask giving the failing rows' texts
        (so per-row messages quoting the cell are only built for rows that fail — on a clean 50,000-row
        chunk, quoting every cell up front cost more than the checks themselves)."""
        mask = np.asarray(mask, dtype=bool)
        if not mask.any():
            return
        if callable(message):
            msg = message(mask)  # already the failing rows only
        elif isinstance(message, pd.Series):
            msg = message[mask]
        else:
            msg = pd.Series(message, index=self.values.index[mask])
        current = self.values[mask]
        combined = current.where(current.eq(""), current + "; ") + msg.astype(nz.TEXT)
        self.values[mask] = combined.to_numpy()


class Cells:
    """Text of each field for one chunk: the mapped column, a constant default, or '' when neither."""

    def __init__(self, chunk: pd.DataFrame, mapping: Mapping[str, str | None],
                 defaults: Mapping[str, Any] | None) -> None:
        self.chunk, self.mapping, self.defaults = chunk, mapping, dict(defaults or {})
        self._text: dict[str, pd.Series] = {}  # column → stripped text, computed once per chunk

    def _column_text(self, column: str) -> pd.Series:
        if column not in self._text:
            self._text[column] = nz.as_text(self.chunk[column])
        return self._text[column]

    def mapped(self, field: str) -> pd.Series:
        """The mapped column's text without the default ('' everywhere when the field is not mapped)."""
        column = self.mapping.get(field)
        if column is None:
            return pd.Series("", index=self.chunk.index, dtype=nz.TEXT)
        return self._column_text(column)

    def __call__(self, field: str) -> pd.Series:
        column = self.mapping.get(field)
        if column is not None:
            text = self._column_text(column)
            if field in self.defaults:  # a default fills the gaps of a mapped column
                text = text.where(text.ne(""), str(self.defaults[field]))
            return text
        value = "" if self.defaults.get(field) is None else str(self.defaults[field]).strip()
        return pd.Series(value, index=self.chunk.index, dtype=nz.TEXT)


def _quote(text: pd.Series) -> pd.Series:
    return "'" + text.str.slice(0, 40) + "'"


def _quoted(name: str, text: pd.Series, tail: str) -> Callable[[np.ndarray], pd.Series]:
    """Lazy `name 'cell' tail` messages, built only for the rows of the mask."""
    return lambda mask: f"{name} " + _quote(text[mask]) + tail


def _number(name: str, text: pd.Series, reasons: Reasons, *, required: bool = False,
            minimum: float | None = None, maximum: float | None = None, nonzero: bool = False) -> pd.Series:
    values = nz.parse_number(text)
    empty = text.eq("").to_numpy()
    bad = values.isna().to_numpy() & ~empty
    reasons.add(bad, _quoted(name, text, " is not a number"))
    if required:
        reasons.add(empty, f"{name} is empty")
    if nonzero:
        reasons.add(values.eq(0).to_numpy(), f"{name} is 0")
    if minimum is not None:
        reasons.add(values.lt(minimum).to_numpy(), _quoted(name, text, f" is below {minimum:g}"))
    if maximum is not None:
        reasons.add(values.gt(maximum).to_numpy(), _quoted(name, text, f" is above {maximum:g}"))
    return values


def _whole(name: str, text: pd.Series, reasons: Reasons, *, minimum: int | None = None) -> pd.Series:
    values = nz.parse_number(text)
    bad = (values.isna() | ~np.isclose(values.fillna(0), values.fillna(0).round())).to_numpy() & text.ne("").to_numpy()
    reasons.add(bad, _quoted(name, text, " is not a whole number"))
    if minimum is not None:
        reasons.add(values.lt(minimum).to_numpy(), _quoted(name, text, f" is below {minimum}"))
    out = values.where(~bad).round()
    return out.astype("Int64")


def _date(name: str, text: pd.Series, reasons: Reasons, *, required: bool = False) -> pd.Series:
    values = nz.parse_datetime(text)
    empty = text.eq("").to_numpy()
    bad = values.isna().to_numpy() & ~empty
    reasons.add(bad, _quoted(name, text, " is not a date"))
    if required:
        reasons.add(empty, f"{name} is empty")
    years = values.dt.year
    out_of_range = (years.lt(MIN_YEAR) | years.gt(MAX_YEAR)).fillna(False).to_numpy()
    reasons.add(out_of_range, _quoted(name, text, f" is outside {MIN_YEAR}–{MAX_YEAR}"))
    return values


def _required_text(name: str, values: pd.Series, reasons: Reasons, max_len: int) -> None:
    reasons.add(values.isna().to_numpy(), f"{name} is empty")
    _max_len(name, values, reasons, max_len)


def _max_len(name: str, values: pd.Series, reasons: Reasons, max_len: int) -> None:
    lengths = nz.text_lengths(values if values.dtype == nz.TEXT else values.where(values.notna(), "").astype(nz.TEXT))
    reasons.add(lengths > max_len, f"{name} is longer than {max_len} characters")


def _truncate(values: pd.Series, max_len: int) -> pd.Series:
    text = values if values.dtype == nz.TEXT else values.where(values.notna(), "").astype(nz.TEXT)
    long = nz.text_lengths(text) > max_len
    if not long.any():
        return values
    out = values.copy()
    out[long] = text[long].str.slice(0, max_len).to_numpy()
    return out


def _currency(text: pd.Series, reasons: Reasons) -> pd.Series:
    if not text.ne("").any():  # no currency column (most sales files): nothing to check, cell by cell
        return pd.Series(None, index=text.index, dtype=object)
    code = text.str.upper().replace(CURRENCY_SYMBOLS)
    bad = code.ne("").to_numpy() & ~code.str.fullmatch(r"[A-Z]{3}").fillna(False).to_numpy()
    reasons.add(bad, _quoted("currency", text, " is not a 3-letter code"))
    out = code.astype(object)
    out[code.eq("").to_numpy() | bad] = None
    return out


def _optional(parse: Callable[..., pd.Series], name: str, text: pd.Series, warnings: Reasons,
              **kwargs: Any) -> pd.Series:
    """`parse` for an optional field: a cell it would reject is left empty and warned about instead."""
    scratch = Reasons(text.index)
    values = parse(name, text, scratch, **kwargs)
    bad = scratch.values.ne("").to_numpy()
    if not bad.any():
        return values
    warnings.add(bad, scratch.values + " (left empty)")
    if values.dtype == object:
        out = values.copy()
        out[bad] = None
        return out
    return values.mask(bad)


def detect_currency(cells: Cells, kind: str, warnings: Reasons) -> pd.Series:
    """Each row's currency code (object, None when unknown): the currency cell, else the price cell's symbol or
    code, else the price header's code, else the default. An unreadable currency cell is left to the next
    source, with a warning."""
    explicit = _optional(lambda _n, text, rs: _currency(text, rs), "currency", cells.mapped("currency"), warnings)
    price_field = PRICE_FIELD.get(kind)
    found = explicit
    if price_field is not None:
        price_text = cells.mapped(price_field)
        marked = price_text.str.contains(r"[^\d\s.,()+\-]", regex=True).fillna(False).to_numpy()
        if marked.any():
            parts = price_text[marked].str.extract(_CELL_CURRENCY)
            token = parts["pre"].fillna(parts["post"]).str.upper().str.replace(r"\s", "", regex=True)
            codes = token.map(lambda t: CURRENCY_SYMBOLS.get(t, t if isinstance(t, str) and len(t) == 3 else None))
            filled = found.copy()
            gaps = filled.isna().to_numpy()
            take = np.zeros(len(filled), dtype=bool)
            take[np.flatnonzero(marked)] = codes.notna().to_numpy()
            take &= gaps
            if take.any():
                filled[take] = codes[codes.notna()].reindex(filled.index[take]).to_numpy()
            found = filled
        from_header = mapped_currency(cells.mapping, kind)  # any amount header: they agree (resolve_mapping)
        if from_header is not None:
            found = found.where(found.notna(), from_header)
    default = cells.defaults.get("currency")
    if default:
        code = str(default).strip().upper()
        code = CURRENCY_SYMBOLS.get(code, code)
        if re.fullmatch(r"[A-Z]{3}", code):
            found = found.where(found.notna(), code)
    out = found.astype(object)
    out[pd.isna(out).to_numpy()] = None
    return out


def _attributes(chunk: pd.DataFrame, mapping: Mapping[str, str | None]) -> pd.Series:
    """Unmapped columns as a JSON-able dict per row (percent and numeric columns become numbers)."""
    used = {c for c in mapping.values() if c}
    rest = [c for c in chunk.columns if c not in used]
    if not rest:
        return pd.Series(None, index=chunk.index, dtype=object)
    columns: dict[str, list[Any]] = {}
    for c in rest:
        text = nz.as_text(chunk[c])
        filled = text.ne("")
        values: pd.Series = text.astype(object)
        if filled.any():
            sample = text[filled]
            if sample.str.fullmatch(r"-?\d+(?:\.\d+)?\s*%").all():
                values = nz.parse_percent(text).astype(object)
            elif pd.to_numeric(sample, errors="coerce").notna().all() and sample.str.len().max() < 16:
                nums = pd.to_numeric(text.where(filled), errors="coerce")
                values = nums.astype(object) if not nums.dropna().mod(1).eq(0).all() else nums.astype("Int64").astype(object)
        values = values.where(filled, None)
        columns[str(c)] = values.tolist()
    keys = list(columns)
    records = []
    for row in zip(*columns.values(), strict=True):
        rec = {k: v for k, v in zip(keys, row, strict=True) if v is not None and v is not pd.NA and v == v}
        records.append(rec or None)
    return pd.Series(records, index=chunk.index, dtype=object)


def _check_line_totals(text: pd.Series, computed: pd.Series, warnings: Reasons) -> None:
    """Warn on the rows whose line-total column cannot be read or disagrees with quantity × unit price (by more
    than a cent and 0.5%). Why only warn: revenue is always quantity × unit price, so every answer adds the same
    thing whatever the export puts in its total column (discounts, shipping, an order total on the first line);
    the warning says where the file's own totals differ, instead of dropping them silently."""
    stated = nz.parse_number(text)
    unread = stated.isna().to_numpy() & text.ne("").to_numpy()
    warnings.add(unread, _quoted("revenue", text, " is not a number (revenue = quantity × unit price)"))
    gap = (stated - computed).abs()
    differs = (gap > np.maximum(0.01, 0.005 * computed.abs())).fillna(False).to_numpy()
    warnings.add(differs, lambda rows: "line total " + text[rows].str.slice(0, 20) + " ≠ quantity × unit price "
                 + computed[rows].map("{:.2f}".format) + " (revenue uses quantity × unit price)")


def _fill_from_order(frame: pd.DataFrame, columns: Sequence[str], valid: np.ndarray) -> None:
    """An order's lines without a customer, country or currency take the order's (from a line that has one).

    Why: Shopify-style exports write the order's columns (Email, Billing Country, Currency) on its first line
    only; the other lines would count as an unknown customer in an unspecified country. An order has one
    customer, one country and one currency, so nothing a file states is changed. Line keys are computed before
    (from the file's own cells), so lines stored earlier still deduplicate. Within a chunk: the part of an
    order that falls into the next chunk keeps its gaps."""
    orders = frame["order_id"]
    for c in columns:
        col = frame[c]
        missing = col.isna().to_numpy()
        if not missing.any() or missing.all():
            continue
        have = ~missing & valid  # only a stored line speaks for its order (a rejected one is not kept)
        known = pd.Series(col[have].to_numpy(), index=orders[have].to_numpy())
        fill = known[~known.index.duplicated()].reindex(orders[missing].to_numpy()).to_numpy()
        found = pd.notna(fill)
        if found.any():
            values = col.astype(object)
            values.iloc[np.flatnonzero(missing)[found]] = fill[found]
            frame[c] = values.astype(col.dtype)


def prepare_sales(chunk: pd.DataFrame, mapping: Mapping[str, str | None],
                  defaults: Mapping[str, Any] | None = None) -> Prepared:
    """Text columns stay in pandas' string dtype (missing = NA) until the writers convert them once."""
    cells = Cells(chunk, mapping, defaults)
    reasons, warnings = Reasons(chunk.index), Reasons(chunk.index)
    order_id = nz.id_text(cells("order_id"))
    sku = nz.id_text(cells("sku"))
    _required_text("order_id", order_id, reasons, 64)
    _required_text("sku", sku, reasons, 100)
    quantity = _number("quantity", cells("quantity"), reasons, required=True, nonzero=True)
    unit_price = _number("unit_price", cells("unit_price"), reasons, required=True, minimum=0)
    sold_at = _date("sold_at", cells("sold_at"), reasons, required=True)
    customer_id = nz.id_text(cells("customer_id"))
    _max_len("customer_id", customer_id, reasons, 64)
    is_return = (order_id.str.upper().str.startswith("C").fillna(False) | quantity.lt(0)).astype(bool)
    revenue = quantity * unit_price
    if cells.mapping.get("revenue"):
        _check_line_totals(cells("revenue"), revenue, warnings)
    frame = pd.DataFrame({
        "order_id": order_id,
        "sku": sku,
        "product_name": nz.optional_text(cells("product_name")),
        "quantity": quantity,
        "unit_price": unit_price,
        "revenue": revenue,
        "currency": detect_currency(cells, "sales", warnings),
        "customer_id": customer_id,
        "country": _truncate(nz.optional_text(cells("country")), 100),
        "channel": _truncate(nz.optional_text(cells("channel")), 100),
        "marketplace": _truncate(nz.optional_text(cells("marketplace")), 100),
        "sold_at": sold_at,
        "is_return": is_return,
    }, index=chunk.index)
    prepared = Prepared(frame, reasons.values, warnings.values)
    ok = prepared.ok
    if ok.all():
        keys = line_keys(frame)
    else:
        keys = pd.Series(None, index=chunk.index, dtype=object)
        if ok.any():
            keys[ok] = line_keys(frame[ok]).to_numpy()
    frame.insert(0, "line_key", keys)
    _fill_from_order(frame, ("customer_id", "country", "currency"), ok)  # after the keys: they hash the file's cells
    return prepared


def prepare_products(chunk: pd.DataFrame, mapping: Mapping[str, str | None],
                     defaults: Mapping[str, Any] | None = None) -> Prepared:
    cells = Cells(chunk, mapping, defaults)
    reasons, warnings = Reasons(chunk.index), Reasons(chunk.index)
    sku = nz.clean_id(cells("sku"))
    _required_text("sku", sku, reasons, 100)
    marketplace = nz.clean_text(cells("marketplace"))
    _max_len("marketplace", marketplace, reasons, 100)
    frame = pd.DataFrame({
        "sku": sku,
        "name": nz.clean_text(cells("name")),
        "brand": _truncate(nz.clean_text(cells("brand")), 200),
        "category": _truncate(nz.clean_text(cells("category")), 500),
        "marketplace": marketplace.where(marketplace.notna(), ""),
        "price": _optional(_number, "price", cells("price"), warnings, minimum=0),
        "list_price": _optional(_number, "list_price", cells("list_price"), warnings, minimum=0),
        "cost": _optional(_number, "cost", cells("cost"), warnings, minimum=0),
        "currency": detect_currency(cells, "products", warnings),
        "inventory_level": _optional(_whole, "inventory_level", cells("inventory_level"), warnings),
        "lead_time_days": _optional(_whole, "lead_time_days", cells("lead_time_days"), warnings, minimum=0),
        "rating": _optional(_number, "rating", cells("rating"), warnings, minimum=0, maximum=5),
        "rating_count": _optional(_whole, "rating_count", cells("rating_count"), warnings, minimum=0),
        "attributes": _attributes(chunk, mapping),
        "updated_at": pd.Timestamp(datetime.now(UTC).replace(tzinfo=None)),
    }, index=chunk.index)
    return Prepared(frame, reasons.values, warnings.values)


def prepare_reviews(chunk: pd.DataFrame, mapping: Mapping[str, str | None],
                    defaults: Mapping[str, Any] | None = None) -> Prepared:
    cells = Cells(chunk, mapping, defaults)
    reasons, warnings = Reasons(chunk.index), Reasons(chunk.index)
    sku = nz.clean_id(cells("sku"))
    _max_len("sku", sku, reasons, 100)
    text, title = nz.clean_text(cells("text")), nz.clean_text(cells("title"))
    rating = _optional(_number, "rating", cells("rating"), warnings, minimum=1, maximum=5)
    no_text = text.isna().to_numpy()
    reasons.add(no_text & (title.isna() & rating.isna()).to_numpy(), "text is empty and the review has no title or rating")
    warnings.add(no_text & (title.notna() | rating.notna()).to_numpy(), NO_TEXT)
    created_at = _optional(_date, "created_at", cells("created_at"), warnings)
    frame = pd.DataFrame({
        "sku": sku,
        "product_name": nz.clean_text(cells("product_name")),
        "category": _truncate(nz.clean_text(cells("category")), 500),
        "rating": rating,
        "title": title,
        "text": text,
        "author": _truncate(nz.clean_text(cells("author")), 200),
        "created_at": created_at,
        "verified": nz.parse_bool(cells("verified")),
        "helpful_count": _optional(_whole, "helpful_count", cells("helpful_count"), warnings, minimum=0),
        "attributes": _attributes(chunk, mapping),
    }, index=chunk.index)
    external = nz.clean_id(cells("review_id"))
    hashed = content_keys(chunk, [str(c) for c in chunk.columns])  # no id: the identical row is the same review
    long_ids = external.astype("str").str.len().gt(64).fillna(False).to_numpy()
    if long_ids.any():
        external[long_ids] = content_keys(pd.DataFrame({"id": external[long_ids]}), ["id"]).to_numpy()
    frame.insert(0, "review_key", external.where(external.notna(), hashed))
    is_spam, spam_reasons = spam_flags(text, title)
    frame["is_spam"], frame["spam_reasons"] = is_spam, spam_reasons
    if no_text.any():  # the stored row says so too (attributes.quality_flag), for the Data Quality browser
        attributes: list[dict[str, Any] | None] = [a if isinstance(a, dict) else None
                                                   for a in frame["attributes"].tolist()]
        for i in np.flatnonzero(no_text):
            attributes[i] = {**(attributes[i] or {}), "quality_flag": NO_TEXT}
        frame["attributes"] = pd.Series(attributes, index=frame.index, dtype=object)
    return Prepared(frame, reasons.values, warnings.values)


def prepare_listings(chunk: pd.DataFrame, mapping: Mapping[str, str | None],
                     defaults: Mapping[str, Any] | None = None) -> Prepared:
    """Competitor (or marketplace) price observations. A row needs a price (> 0) and a sku or a title; without
    a sku the key is a hash of the normalised title ("title:…"), so the same title is the same listing. A
    missing observed_at is the upload time (the file is a snapshot); a missing seller or marketplace is ''.
    `obs_key` identifies one observation (marketplace, seller, sku, time, price): uploading it again stores
    nothing twice (db/listing_store.py)."""
    cells = Cells(chunk, mapping, defaults)
    reasons, warnings = Reasons(chunk.index), Reasons(chunk.index)
    sku, title = nz.clean_id(cells("sku")), nz.clean_text(cells("title"))
    reasons.add((sku.isna() & title.isna()).to_numpy(), "sku and title are both empty")
    _max_len("sku", sku, reasons, 100)
    titled = sku.isna() & title.notna()
    if titled.any():
        norm = title[titled].astype("str").str.lower().str.replace(r"\s+", " ", regex=True).str.strip()
        sku[titled] = ("title:" + content_keys(pd.DataFrame({"t": norm}), ["t"]).str.slice(0, 24)).to_numpy()
    marketplace, seller = nz.clean_text(cells("marketplace")), nz.clean_text(cells("seller"))
    _max_len("marketplace", marketplace, reasons, 100)
    _max_len("seller", seller, reasons, 200)
    price = _number("price", cells("price"), reasons, required=True, minimum=0, nonzero=True)
    observed = _date("observed_at", cells("observed_at"), reasons)
    now = pd.Timestamp(datetime.now(UTC).replace(tzinfo=None)).floor("s")
    frame = pd.DataFrame({
        "sku": sku,
        "title": title,
        "brand": _truncate(nz.clean_text(cells("brand")), 200),
        "category": _truncate(nz.clean_text(cells("category")), 500),
        "marketplace": marketplace.where(marketplace.notna(), ""),
        "seller": seller.where(seller.notna(), ""),
        "price": price,
        "list_price": _optional(_number, "list_price", cells("list_price"), warnings, minimum=0),
        "currency": detect_currency(cells, "listings", warnings),
        "url": nz.clean_text(cells("url")),
        "observed_at": observed.where(observed.notna(), now),
    }, index=chunk.index)
    frame["obs_key"] = content_keys(frame, ["marketplace", "seller", "sku", "observed_at", "price"]).to_numpy()
    return Prepared(frame, reasons.values, warnings.values)


PREPARERS = {"sales": prepare_sales, "products": prepare_products, "reviews": prepare_reviews,
             "listings": prepare_listings}
