"""Configuring sync sources (Settings page and `ecomintel sync add`): checked before anything is stored.

Why check here and not in the connector: a wrong schedule, a pasted token or a feed without a URL should
be refused when the analyst types it, with a hint, not discovered by a failed run at 03:00.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from ecomintel.errors import InputError
from ecomintel.sync.price_tracker import targets_of
from ecomintel.sync.registry import connector_class
from ecomintel.sync.schedule import parse_schedule
from ecomintel.sync.secrets import check_reference

if TYPE_CHECKING:
    from ecomintel.db.repository import Repository


def check_options(connector: str, options: Mapping[str, Any]) -> dict[str, Any]:
    """The options, checked for what each connector cannot run without."""
    opts = dict(options)
    if connector == "http_feed" and not str(opts.get("url") or "").startswith(("http://", "https://")):
        raise InputError("A feed needs an http(s) URL.", "e.g. https://supplier.example/feeds/prices.csv")
    if connector == "shopify" and not str(opts.get("base_url") or "").startswith(("http://", "https://")):
        raise InputError("A Shopify source needs its API base URL.",
                         "e.g. https://yourshop.myshopify.com/admin/api/2024-10")
    if connector == "shopify" and "resources" in opts:
        resources = [str(r) for r in opts.get("resources") or []]
        if not resources or set(resources) - {"products", "orders"}:
            raise InputError("A Shopify source syncs products, orders or both.", "Pick at least one of them.")
        opts["resources"] = resources
    if connector == "price_tracker":
        opts["urls"] = [t.__dict__ for t in targets_of(opts.get("urls") or [])]
        if not opts["urls"] and not opts.get("use_listing_urls"):
            raise InputError("The price tracker needs product page URLs (or use the listings' urls).",
                             "Paste one URL per line.")
    return opts


def configure_source(repo: Repository, *, name: str, connector: str, options: Mapping[str, Any],
                     secret_ref: str | None = None, schedule: str | None = None, enabled: bool = True) -> int:
    """Create or replace source `name` of the repository's tenant; returns its id."""
    name = name.strip()
    if not name or len(name) > 100:
        raise InputError("A sync source needs a name (up to 100 characters).")
    connector_class(connector)
    parse_schedule(schedule)
    source_id = repo.save_sync_source({"name": name, "connector": connector,
                                       "options": check_options(connector, options),
                                       "secret_ref": check_reference(secret_ref),
                                       "schedule": (schedule or "").strip() or None, "enabled": enabled})
    repo.audit("sync.configure", {"source": name, "connector": connector, "schedule": schedule})
    return source_id


def set_enabled(repo: Repository, name: str, enabled: bool) -> None:
    """Switch source `name` on or off: a disabled source is never scheduled but can still be run on demand."""
    repo.get_sync_source(name)  # NotFound with a hint for a stale name
    repo.save_sync_source({"name": name, "enabled": enabled})
    repo.audit("sync.configure", {"source": name, "enabled": enabled})


def remove_source(repo: Repository, name: str) -> None:
    """Delete source `name`; its runs stay in the history (the Data Quality page still shows them)."""
    from ecomintel.errors import NotFound

    if not repo.delete_sync_source(name):
        raise NotFound(f"No sync source named {name!r}.")
    repo.audit("sync.remove", {"source": name})
