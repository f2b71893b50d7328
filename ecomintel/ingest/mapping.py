"""Column mapping: which column of the file fills which field.

Order of trust: an explicit override (page form / `--map`) > an exact name or known alias > a fuzzy match
(rapidfuzz) good enough to be unambiguous. Why fuzzy only as a fallback: a wrong automatic guess loads
wrong numbers silently, so fuzzy guesses need a high score and never steal a column claimed exactly.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

from rapidfuzz import fuzz, process

from ecomintel.errors import InputError, MissingColumns
from ecomintel.ingest.fields import fields_of

FUZZY_MIN_SCORE = 85.0
SUGGEST_MIN_SCORE = 65.0


def norm_name(name: str) -> str:
    """`Review Text` → `review_text`, `InvoiceNo` → `invoiceno`, ` Unit-Price ` → `unit_price`."""
    return re.sub(r"[^a-z0-9]+", "_", str(name).strip().lower()).strip("_")


def auto_map(columns: Sequence[str], kind: str) -> dict[str, str | None]:
    """{field: column or None} for every field of `kind`, from names, aliases, then fuzzy matching."""
    specs = fields_of(kind)
    normed = {norm_name(c): c for c in reversed(list(columns))}  # first occurrence wins
    mapping: dict[str, str | None] = {s.name: None for s in specs}
    taken: set[str] = set()
    # pass 1: the field's own name; pass 2: aliases in order (earlier aliases are stronger)
    for spec in specs:
        col = normed.get(spec.name)
        if col is not None and col not in taken:
            mapping[spec.name] = col
            taken.add(col)
    for spec in specs:
        if mapping[spec.name] is not None:
            continue
        for alias in spec.aliases:
            col = normed.get(alias)
            if col is not None and col not in taken:
                mapping[spec.name] = col
                taken.add(col)
                break
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
    choices = {c: norm_name(c) for c in columns}
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
        n = norm_name(c)
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
    return mapping
