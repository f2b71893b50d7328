"""Column mapping: which column of the file fills which field.

Order of trust: an explicit override (page form / `--map`) > an exact name or known alias > a fuzzy match
(rapidfuzz) good enough to be unambiguous. Why fuzzy only as a fallback: a wrong automatic guess loads
wrong numbers silently, so fuzzy guesses need a high score and never steal a column claimed exactly.
A currency written into a header (`Price (EUR)`, `price_usd`, `Preis (€)`: ingest/currency.py) is not part of
its name: the header matches as its plain name would (a column named exactly wins over a decorated one), and
the currency is the file's when no cell says otherwise (validate.detect_currency). Money columns whose headers
name different currencies are refused by resolve_mapping: one row has one currency, so they would be mixed.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping, Sequence

from rapidfuzz import fuzz, process

from ecomintel.errors import InputError, MissingColumns
from ecomintel.ingest.currency import split_currency
from ecomintel.ingest.fields import FieldSpec, fields_of

FUZZY_MIN_SCORE = 85.0
SUGGEST_MIN_SCORE = 65.0
# the amount fields of each kind: their headers may carry the file's currency, and must agree on it
MONEY_FIELDS = {"sales": ("unit_price", "revenue"), "products": ("price", "list_price", "cost"),
                "listings": ("price", "list_price")}


def norm_name(name: str) -> str:
    """`Review Text` → `review_text`, `InvoiceNo` → `invoiceno`, ` Unit-Price ` → `unit_price`,
    `Référence` → `reference`, `Stückpreis` → `stuckpreis` (accents folded, so aliases stay ASCII)."""
    folded = unicodedata.normalize("NFKD", str(name).strip().lower())
    folded = "".join(ch for ch in folded if not unicodedata.combining(ch))
    return re.sub(r"[^a-z0-9]+", "_", folded).strip("_")


_TIME_ZONE = re.compile(r"_(?:utc|gmt|local_time|local)$")


def bare_name(column: str) -> str:
    """The normalised name without a currency or time-zone decoration: `Price (EUR)` → `price`, `price_usd` →
    `price`, `Created (UTC)` → `created`; a header that is only a currency (`EUR`) keeps its own name."""
    bare, code = split_currency(column)
    name = norm_name(bare) if code is not None and norm_name(bare) else norm_name(column)
    return _TIME_ZONE.sub("", name) or name


# Order exports name what a column describes with a prefix: the line's product ("Lineitem sku", "Item Title"),
# the customer ("Billing Country", "Buyer Username") or the order ("Order Currency"). A prefixed column fills
# only the fields of what its prefix names: "Billing Name" is never the product's name.
PREFIXED_FIELDS: dict[str, tuple[tuple[tuple[str, ...], tuple[str, ...]], ...]] = {
    "sales": ((("lineitem", "line_item", "item", "product", "article"),
               ("sku", "product_name", "quantity", "unit_price", "revenue")),
              (("billing", "shipping", "ship", "buyer", "customer", "delivery"), ("customer_id", "country")),
              (("order", "sale", "transaction"), ("order_id", "sold_at", "currency", "channel", "marketplace"))),
    # price trackers (Prisync, Price2Spy) prefix the competitor's offer: "Competitor Price", "Competitor URL"
    "listings": ((("competitor", "offer", "seller", "merchant"), ("price", "list_price", "url", "currency", "seller")),
                 (("product", "item", "listing"), ("sku", "title", "brand", "category"))),
    # review platforms prefix every column with the review ("Review Stars", "Review Created (UTC)")
    "reviews": ((("review",), ("rating", "created_at", "text", "title", "author", "verified", "helpful_count")),),
}
LINE_PREFIXES = ("lineitem_", "line_item_")  # a file with these (Shopify) calls its order number "Name"


def auto_map(columns: Sequence[str], kind: str) -> dict[str, str | None]:
    """{field: column or None} for every field of `kind`, from names, aliases, prefixed names, then fuzzy
    matching."""
    specs = fields_of(kind)
    bare = {c: bare_name(c) for c in columns}
    # first occurrence wins; a column's own name wins over another's name without its currency
    normed = {bare[c]: c for c in reversed(list(columns))}
    normed.update({norm_name(c): c for c in reversed(list(columns))})
    mapping: dict[str, str | None] = {s.name: None for s in specs}
    taken: set[str] = set()
    line_file = kind == "sales" and any(n.startswith(LINE_PREFIXES) for n in normed)

    def aliases(spec: FieldSpec) -> tuple[str, ...]:
        if not line_file:
            return spec.aliases
        if spec.name == "order_id":
            return (*spec.aliases, "name")
        return tuple(a for a in spec.aliases if a != "name")

    # pass 1: the field's own name; pass 2: aliases in order (earlier aliases are stronger)
    for spec in specs:
        col = normed.get(spec.name)
        if col is not None and col not in taken:
            mapping[spec.name] = col
            taken.add(col)
    for spec in specs:
        if mapping[spec.name] is not None:
            continue
        for alias in aliases(spec):
            col = normed.get(alias)
            if col is not None and col not in taken:
                mapping[spec.name] = col
                taken.add(col)
                break
    # pass 2b: a prefixed name ("Lineitem sku") as the name after its prefix, for the fields the prefix allows
    by_name = {s.name: s for s in specs}
    for prefixes, allowed in PREFIXED_FIELDS.get(kind, ()):
        for col in columns:  # in file order: the first "… Country" wins
            name = bare[col]
            rest = next((name[len(p) + 1:] for p in prefixes if name.startswith(p + "_")), None)
            if rest is None or col in taken:
                continue
            field = next((f for f in allowed if mapping[f] is None
                          and (rest == f or rest in by_name[f].aliases)), None)
            if field is not None:
                mapping[field] = col
                taken.add(col)
    # pass 3: fuzzy, against the field name and its aliases, only over columns nobody claimed
    free = [c for c in columns if c not in taken]
    for spec in specs:
        if mapping[spec.name] is not None or not free:
            continue
        best = _best_fuzzy(spec.name, spec.aliases, free)
        if best is not None and best[1] >= FUZZY_MIN_SCORE:
            mapping[spec.name] = best[0]
            free.remove(best[0])
    return mapping


def _best_fuzzy(name: str, aliases: Sequence[str], columns: Sequence[str]) -> tuple[str, float] | None:
    choices = {c: bare_name(c) for c in columns}
    best: tuple[str, float] | None = None
    for target in (name, *aliases):
        hit = process.extractOne(target, choices, scorer=fuzz.ratio)
        if hit is not None and (best is None or hit[1] > best[1]):
            best = (str(hit[2]), float(hit[1]))
    return best


def suggest(field: str, kind: str, columns: Sequence[str], limit: int = 3) -> list[str]:
    """Columns most like `field` (for the MissingColumns message and the page's hints)."""
    spec = next(s for s in fields_of(kind) if s.name == field)
    scores: dict[str, float] = {}
    for c in columns:
        n = bare_name(c)
        best = 0.0
        for target in (spec.name, *spec.aliases):
            score = float(fuzz.ratio(target, n))
            if len(n) >= 4 and len(target) >= 4 and (n in target or target in n):
                score = max(score, 75.0)
            best = max(best, score)
        scores[c] = best
    ranked = sorted((c for c in columns if scores[c] >= SUGGEST_MIN_SCORE), key=lambda c: -scores[c])
    return ranked[:limit]


def resolve_mapping(columns: Sequence[str], kind: str, override: Mapping[str, str] | None = None,
                    defaults: Mapping[str, object] | None = None) -> dict[str, str | None]:
    """The mapping to use: auto_map with `override` applied; raises MissingColumns for unfilled required
    fields (a field with a constant in `defaults` counts as filled) and InputError for bad overrides."""
    specs = fields_of(kind)
    names = {s.name for s in specs}
    mapping = auto_map(columns, kind)
    for field, column in (override or {}).items():
        if field not in names:
            raise InputError(f"Unknown {kind} field {field!r} in the mapping.", f"Fields: {', '.join(sorted(names))}.")
        if column in (None, ""):
            mapping[field] = None
            continue
        if column not in columns:
            matches = [c for c in columns if norm_name(c) == norm_name(str(column))]
            if not matches:
                raise InputError(f"Column {column!r} (mapped to {field}) is not in the file.",
                                 f"Columns: {', '.join(map(str, columns[:30]))}.")
            column = matches[0]
        for other, col in mapping.items():  # a column explicitly given to one field leaves the others
            if col == column and other != field and other not in (override or {}):
                mapping[other] = None
        mapping[field] = str(column)
    for field in defaults or {}:
        if field not in names:
            raise InputError(f"Unknown {kind} field {field!r} in the defaults.", f"Fields: {', '.join(sorted(names))}.")
    missing = [s.name for s in specs if s.required and mapping[s.name] is None and s.name not in (defaults or {})]
    if missing:
        raise MissingColumns(missing, {f: suggest(f, kind, columns) for f in missing}, [str(c) for c in columns])
    conflict = currency_conflict(columns, kind, mapping, set(override or {}))
    if conflict is not None:
        raise conflict
    return mapping


def mapped_currency(mapping: Mapping[str, str | None], kind: str) -> str | None:
    """The currency the mapped amount columns' headers name (the first one that names one; resolve_mapping has
    made sure they agree), None when none does."""
    for field in MONEY_FIELDS.get(kind, ()):
        column = mapping.get(field)
        code = split_currency(column)[1] if column else None
        if code is not None:
            return code
    return None


def currency_conflict(columns: Sequence[str], kind: str, mapping: Mapping[str, str | None],
                      chosen: set[str]) -> InputError | None:
    """The InputError (returned, for the Upload page to show before importing; resolve_mapping raises it) when the
    amount columns would mix currencies: two mapped ones whose headers name different currencies (`Price (EUR)`
    and `List price (USD)`: one row has one currency), or a field not in `chosen` (mapped automatically) next to
    an unmapped column of the same name in another currency (`Price (EUR)`, `Price (USD)`: which one is the
    price is the user's choice, not the first one's). None when they agree."""
    named = {f: (c, split_currency(c)[1]) for f in MONEY_FIELDS.get(kind, ()) if (c := mapping.get(f))}
    coded = {f: (c, code) for f, (c, code) in named.items() if code is not None}
    if len({code for _c, code in coded.values()}) > 1:
        listed = ", ".join(f"{c!r} ({f}) is {code}" for f, (c, code) in coded.items())
        first = next(iter(coded.values()))[1]
        others = [f for f, (_c, code) in coded.items() if code != first]
        return InputError(f"Amount columns in different currencies: {listed}.",
                          "One row has one currency, so they cannot be stored together: map only the columns of one "
                          f"currency (e.g. set {', '.join(others)} to 'not in the file' on the Upload page, or "
                          f"{' '.join(f'--map {f}=' for f in others)} on the command line), or split the file by "
                          "currency.")
    used = {c for c in mapping.values() if c}
    for field, (column, code) in coded.items():
        if field in chosen:
            continue
        rivals = [c for c in columns if c not in used and split_currency(c)[1] not in (None, code)
                  and bare_name(c) == bare_name(column)]
        if rivals:
            listed = ", ".join(repr(c) for c in [column, *rivals])
            return InputError(f"Several columns could be the {field}, in different currencies: {listed}.",
                              f"Choose one in the mapping (e.g. {field} = {rivals[0]!r}); the others are not "
                              "loaded as amounts.")
    return None
