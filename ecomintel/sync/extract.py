"""Price, currency and availability from a product page.

Order of trust: schema.org JSON-LD (`<script type="application/ld+json">` with a Product/Offer/AggregateOffer,
also inside `@graph`), then schema.org microdata (`itemtype=…/Offer` with itemprop price / priceCurrency /
availability), then the CSS selectors configured for the page's host (`{"price": ".price", "currency": …,
"availability": …}`) for shops that publish no structured data. Structured data first because it is what
the shop itself publishes for search engines: it survives redesigns that break selectors.

Pure functions over HTML text (BeautifulSoup with the stdlib parser; soupsieve for the selectors), so the
tracker, the bench and the tests share them.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from bs4 import BeautifulSoup, Tag

SYMBOLS = {"$": "USD", "US$": "USD", "€": "EUR", "£": "GBP", "¥": "JPY", "₹": "INR", "₩": "KRW", "₽": "RUB",
           "CHF": "CHF", "Rs": "INR", "Rs.": "INR", "zł": "PLN", "kr": "SEK"}
_CODE = re.compile(r"\b([A-Z]{3})\b")


@dataclass(frozen=True)
class Offer:
    """What a page says about the product's offer; `method` tells where it was found."""

    price: float
    currency: str | None
    availability: str | None
    method: str  # json-ld | microdata | css
    sku: str | None = None
    name: str | None = None
    seller: str | None = None


def parse_price(text: Any) -> float | None:
    """A number from price text: '£1,299.99', '1.299,99 €', '12', 12.5 → float; None when there is none."""
    if isinstance(text, int | float):
        return float(text) if text == text else None
    digits = re.sub(r"[^\d.,]", "", str(text or ""))
    if not re.search(r"\d", digits):
        return None
    if "," in digits and "." in digits:
        decimal = "," if digits.rfind(",") > digits.rfind(".") else "."
    elif "," in digits:
        decimal = "," if len(digits) - digits.rfind(",") - 1 in (1, 2) else ""
    elif digits.count(".") == 1:
        decimal = "."
    else:
        decimal = ""
    thousands = {",", "."} - {decimal}
    for mark in thousands:
        digits = digits.replace(mark, "")
    if decimal == ",":
        digits = digits.replace(",", ".")
    try:
        return float(digits.strip("."))
    except ValueError:
        return None


def currency_of(text: Any) -> str | None:
    """An ISO code from '£', 'EUR', '1,299.99 USD' …; None when there is no hint."""
    value = str(text or "").strip()
    if not value:
        return None
    code = _CODE.search(value)
    if code:
        return code.group(1)
    for symbol in sorted(SYMBOLS, key=len, reverse=True):
        if symbol in value:
            return SYMBOLS[symbol]
    return None


def availability_of(value: Any) -> str | None:
    """'https://schema.org/InStock' → 'InStock'; free text kept short ('In stock' → 'In stock')."""
    text = str(value or "").strip()
    if not text:
        return None
    return text.rstrip("/").rsplit("/", 1)[-1][:40]


def _types(node: Mapping[str, Any]) -> set[str]:
    t = node.get("@type")
    values = t if isinstance(t, list) else [t]
    return {str(v).rsplit("/", 1)[-1] for v in values if v}


def _walk(node: Any) -> Iterator[dict[str, Any]]:
    if isinstance(node, list):
        for item in node:
            yield from _walk(item)
    elif isinstance(node, dict):
        yield node
        for key in ("@graph", "offers", "mainEntity", "itemListElement"):
            if key in node:
                yield from _walk(node[key])


def _offer_from_ld(node: Mapping[str, Any], product: Mapping[str, Any] | None) -> Offer | None:
    price = node.get("price", node.get("lowPrice"))
    spec = node.get("priceSpecification")
    if price is None and isinstance(spec, dict):
        price = spec.get("price")
    value = parse_price(price)
    if value is None:
        return None
    currency = node.get("priceCurrency") or (spec.get("priceCurrency") if isinstance(spec, dict) else None)
    seller = node.get("seller")
    product = product or {}
    return Offer(price=value, currency=str(currency).upper()[:3] if currency else currency_of(price),
                 availability=availability_of(node.get("availability")), method="json-ld",
                 sku=str(product.get("sku")) if product.get("sku") else None,
                 name=str(product.get("name")) if product.get("name") else None,
                 seller=str(seller.get("name")) if isinstance(seller, dict) and seller.get("name") else None)


def from_json_ld(soup: BeautifulSoup) -> Offer | None:
    for script in soup.find_all("script", attrs={"type": re.compile(r"ld\+json", re.I)}):
        try:
            document = json.loads(script.string or script.get_text() or "")
        except (json.JSONDecodeError, TypeError):
            continue  # one broken block (common) must not hide a good one
        for node in _walk(document):
            types = _types(node)
            if "Product" in types:
                for offer in _walk(node.get("offers")):
                    found = _offer_from_ld(offer, node)
                    if found:
                        return found
            if types & {"Offer", "AggregateOffer"}:
                found = _offer_from_ld(node, None)
                if found:
                    return found
    return None


def _prop(scope: Tag, name: str) -> str | None:
    el = scope.find(itemprop=name)
    if not isinstance(el, Tag):
        return None
    for attr in ("content", "href", "value"):
        if el.get(attr):
            return str(el.get(attr))
    return el.get_text(" ", strip=True) or None


def from_microdata(soup: BeautifulSoup) -> Offer | None:
    for scope in soup.find_all(itemtype=re.compile(r"schema\.org/(Aggregate)?Offer", re.I)):
        raw = _prop(scope, "price") or _prop(scope, "lowPrice")
        value = parse_price(raw)
        if value is None:
            continue
        product = scope.find_parent(itemtype=re.compile(r"schema\.org/Product", re.I))
        currency = _prop(scope, "priceCurrency")
        return Offer(price=value, currency=currency.upper()[:3] if currency else currency_of(raw),
                     availability=availability_of(_prop(scope, "availability")), method="microdata",
                     sku=_prop(product, "sku") if isinstance(product, Tag) else None,
                     name=_prop(product, "name") if isinstance(product, Tag) else None)
    return None


def from_selectors(soup: BeautifulSoup, selectors: Mapping[str, str]) -> Offer | None:
    def text(key: str) -> str | None:
        css = selectors.get(key)
        el = soup.select_one(css) if css else None
        if el is None:
            return None
        return str(el.get("content")) if el.get("content") else el.get_text(" ", strip=True)

    raw = text("price")
    value = parse_price(raw)
    if value is None:
        return None
    currency = text("currency")
    return Offer(price=value, currency=currency_of(currency) if currency else currency_of(raw),
                 availability=availability_of(text("availability")), method="css", name=text("name"))


def extract_offer(html: str, selectors: Mapping[str, str] | None = None) -> Offer | None:
    """The page's offer (JSON-LD, then microdata, then `selectors`), or None when none of them finds a price."""
    soup = BeautifulSoup(html, "html.parser")
    return from_json_ld(soup) or from_microdata(soup) or (from_selectors(soup, selectors) if selectors else None)
