"""Pages, feeds and settings shared by the sync tests and bench/sync.py."""

from __future__ import annotations

import json

from ecomintel.config import Settings, load_settings


def sync_settings(**changes: object) -> Settings:
    """Settings for syncing against local servers: fast retries, no real politeness delay."""
    base = load_settings({"ECOMINTEL_SYNC_RETRIES": "2", "ECOMINTEL_SYNC_HOST_RPS": "1000",
                          "ECOMINTEL_SYNC_TIMEOUT_S": "2"})
    return base.replace(**changes) if changes else base


def json_ld_page(sku: str, price: float, currency: str = "EUR", availability: str = "InStock",
                 name: str = "Widget") -> str:
    doc = {"@context": "https://schema.org", "@type": "Product", "name": name, "sku": sku,
           "offers": {"@type": "Offer", "price": f"{price:.2f}", "priceCurrency": currency,
                      "availability": f"https://schema.org/{availability}"}}
    return (f"<html><head><title>{name}</title><script type='application/ld+json'>{{broken</script>"
            f"<script type='application/ld+json'>{json.dumps(doc)}</script></head>"
            f"<body><h1>{name}</h1></body></html>")


def microdata_page(sku: str, price: float, currency: str = "GBP", availability: str = "OutOfStock") -> str:
    return (f"<html><body><div itemscope itemtype='https://schema.org/Product'>"
            f"<span itemprop='name'>Gadget {sku}</span><meta itemprop='sku' content='{sku}'>"
            f"<div itemprop='offers' itemscope itemtype='https://schema.org/Offer'>"
            f"<meta itemprop='priceCurrency' content='{currency}'>"
            f"<span itemprop='price' content='{price:.2f}'>£{price:.2f}</span>"
            f"<link itemprop='availability' href='https://schema.org/{availability}'></div></div></body></html>")


def plain_page(price_text: str) -> str:
    return f"<html><body><div class='product'><span class='now-price'>{price_text}</span></div></body></html>"
