"""Product matching: which product of one catalogue is which product of another (issue 8 item 2).

Frames in, pairs out, no database inside — the pricing agent stores the pairs per tenant and the analyst's
confirm/reject decisions (which always win over a re-run).

Public API (stable; the pricing agent, the `ecomintel match` CLI and bench/matching.py use exactly this):

    match_products(left: pd.DataFrame, right: pd.DataFrame, *, threshold: float | None = None) -> pd.DataFrame
        left/right: columns `id`, `title`; optional `brand`, `description`, `price` (text like `$1,299.00`,
        `24.99 GBP` or numbers) and `model` (a model-number column). Returns columns
            left_id, right_id  the frames' ids, as text
            score              0..1
            method             the evidence that decided: "model_number" (equal model numbers),
                               "model_number~" (one extends the other by colour/region letters),
                               "model_number(description)", "fuzzy+tfidf", "fuzzy+tfidf(codes differ)",
                               for related pairs "variant(model)" / "variant(gb)" / "variant(in)" /
                               "variant(colour)" …
            relation           "same" (one-to-one: each id at most once among the `same` rows, score ≥
                               threshold, default 0.5) or "related" (a variant: the same model family in
                               another size/colour/capacity; a few per left row, never one-to-one)
        `same` rows first, then `related`, each by descending score. InputError if a frame lacks id/title.

    read_catalogue(path, *, max_mb=200) -> pd.DataFrame
        Any export (.csv/.tsv/.csv.gz/.xlsx, delimiter and encoding detected by ecomintel/ingest/readers.py)
        → the frame above; the id/title/brand/description/price/model columns are found by name and, failing
        that, by content; `frame.attrs["columns"]` says which were used.

Modules: normalize (titles, units, brand aliases), codes (model numbers and their agreement), prepare
(per-row facts), blocking (candidate pairs), features, score, assign (one-to-one), variants, match (the
pipeline), catalogue (reading exports), cli_match (`ecomintel match`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ecomintel.matching.catalogue import read_catalogue
    from ecomintel.matching.match import DEFAULT_THRESHOLD, match_products

__all__ = ["DEFAULT_THRESHOLD", "match_products", "read_catalogue"]


def __getattr__(name: str) -> Any:
    """Lazy exports: `import ecomintel.matching.cli_match` (for `ecomintel --help`) must not import pandas."""
    if name == "read_catalogue":
        from ecomintel.matching.catalogue import read_catalogue

        return read_catalogue
    if name in ("match_products", "DEFAULT_THRESHOLD"):
        from ecomintel.matching import match

        return getattr(match, name)
    raise AttributeError(f"module 'ecomintel.matching' has no attribute {name!r}")
