"""Connector name → class. A new connector is one file and one line here."""

from __future__ import annotations

from ecomintel.errors import InputError
from ecomintel.sync.http_feed import HttpFeedConnector
from ecomintel.sync.price_tracker import PriceTracker
from ecomintel.sync.protocol import Connector
from ecomintel.sync.shopify import ShopifyConnector

CONNECTORS: dict[str, type[Connector]] = {
    HttpFeedConnector.name: HttpFeedConnector,
    ShopifyConnector.name: ShopifyConnector,
    PriceTracker.name: PriceTracker,
}


def connector_class(name: str) -> type[Connector]:
    try:
        return CONNECTORS[name]
    except KeyError:
        raise InputError(f"Unknown connector {name!r}.", f"Use one of {', '.join(sorted(CONNECTORS))}.") from None
