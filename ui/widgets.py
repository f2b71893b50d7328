"""Small widgets more than one page uses: the "Load sample data" button, an ingest result panel, and a
grid of question buttons.

Why shared: Home (empty tenant call to action) and Upload both load samples and show what an import
did; Home and Ask both offer questions to click; one implementation keeps the wording and the numbers
identical on every page.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pandas as pd
import streamlit as st

from ecomintel.db.repository import Repository
from ui import errors, state


def progress_bar(text: str, slot: Any = None) -> Callable[[float, str], None]:
    """A st.progress bar (in `slot`, e.g. an st.empty() to clear afterwards) and the
    `progress(fraction, message)` callback the core functions take."""
    bar = (slot or st).progress(0.0, text=text)

    def update(fraction: float, message: str = "") -> None:
        bar.progress(min(max(float(fraction), 0.0), 1.0), text=message or text)

    return update


def question_buttons(questions: list[str], *, key: str, on_click: Callable[..., None], columns: int = 2,
                     icon: str | None = None) -> None:
    """One button per question in a grid; clicking one calls `on_click(question)` (a callback, so the
    question is asked on the very next run). Examples, follow-ups and cannot-answer suggestions use it."""
    if not questions:
        return
    longest = max(len(q) for q in questions)  # buttons cut long labels: fewer, wider columns instead
    fit = 3 if longest <= 38 else 2 if longest <= 60 else 1
    cells = st.columns(max(1, min(columns, fit, len(questions))))
    for i, question in enumerate(questions):
        cells[i % len(cells)].button(question, key=f"{key}_{i}", on_click=on_click, args=(question,),
                                     icon=icon, width="stretch")


def sample_loader(repo: Repository, key: str) -> None:
    """The "Load sample data" button: loads data/samples into the current tenant with a progress bar."""
    if st.button("Load sample data", key=key, type="primary", icon=":material/dataset:",
                 help="Online Retail sales (Sep–Dec 2011), clothing reviews and product listings."):
        with errors.guarded("loading the sample data", request_id=repo.ctx.request_id):
            from ecomintel.samples import load_samples

            results = load_samples(repo, state.settings(), progress=progress_bar("Loading samples…"))
            st.session_state["result_samples"] = [r.to_dict() for r in results]
            st.rerun()  # redraw the page and the sidebar with the loaded data
    samples_message()


def samples_message() -> None:
    """What the last "Load sample data" of this session loaded (kept across the rerun that follows it)."""
    loaded = st.session_state.get("result_samples")
    if loaded:
        st.success("Sample data loaded: " + "; ".join(
            f"{r['file_name']} → {r['accepted']:,} {r['kind']} rows ({r['status']})" for r in loaded))


def result_panel(repo: Repository, result: dict[str, Any]) -> None:
    """What one import did: counts, rejected rows with reasons (+ CSV download) and a profile."""
    status = result.get("status")
    name = result.get("file_name") or "file"
    if status == "done":
        st.success(f"Imported {name}: {result.get('message') or 'done'}", icon=":material/check_circle:")
    elif status == "duplicate_file":
        st.info(f"{name} was imported before; nothing was added. {result.get('message') or ''}",
                icon=":material/content_copy:")
    else:
        st.error(f"Import of {name} failed: {result.get('message') or 'see the log'}")
    cols = st.columns(6)
    for col, (label, key) in zip(cols, [("Rows in file", "rows_total"), ("Accepted", "accepted"),
                                        ("Rejected", "rejected"), ("Duplicates", "duplicates"),
                                        ("Returns", "returns"), ("Kept with warnings", "warnings")], strict=True):
        col.metric(label, f"{int(result.get(key) or 0):,}")
    if result.get("currency_note"):
        st.warning(result["currency_note"], icon=":material/currency_exchange:")
    profile = result.get("profile") or {}
    if profile:
        st.markdown("**Profile of the valid rows**")
        cells = st.columns(3)
        shown = [(k, v) for k, v in profile.items() if v not in (None, "", [], {})]
        currencies = profile.get("currencies")
        # money in the file's one currency ("revenue net: 8,191.07 GBP"); mixed currencies are said above
        unit = f" {currencies[0]}" if isinstance(currencies, list | tuple) and len(currencies) == 1 else ""
        for i, (key, value) in enumerate(shown):
            money = unit if str(key).startswith("revenue") else ""
            cells[i % 3].markdown(f"{str(key).replace('_', ' ')}: **{_fmt(value)}{money}**")
    if result.get("warning_rows"):
        import pandas as pd

        from ecomintel.ingest.export import to_safe_csv

        warned = pd.DataFrame(result["warning_rows"])
        st.markdown(f"**Rows kept with a warning** ({int(result.get('warnings') or 0):,}; first {len(warned):,} "
                    "shown) — optional values that could not be read were left empty, line totals that are not "
                    "quantity × unit price (revenue uses quantity × unit price), reviews without text")
        st.dataframe(warned, hide_index=True, key=f"warned_{result.get('batch_number')}")
        st.download_button("Download warnings (CSV)", to_safe_csv(warned),
                           file_name=f"warnings_batch_{result.get('batch_number')}.csv", mime="text/csv",
                           icon=":material/download:", key=f"dl_warned_{result.get('batch_number')}")
    if int(result.get("rejected") or 0) and result.get("batch_id"):
        rejected = repo.rejected(int(result["batch_id"]))
        first = [c for c in ("row", "reasons") if c in rejected.columns]
        rejected = rejected[first + [c for c in rejected.columns if c not in first]]
        st.markdown(f"**Rejected rows** ({len(rejected):,}) — stored with their reasons, nothing else lost")
        st.dataframe(rejected.head(1000), hide_index=True, key=f"rejected_{result.get('batch_number')}")
        from ecomintel.ingest.export import to_safe_csv

        st.download_button("Download rejected rows (CSV)", to_safe_csv(rejected),
                           file_name=f"rejected_batch_{result.get('batch_number')}.csv", mime="text/csv",
                           icon=":material/download:", key=f"dl_rejected_{result.get('batch_number')}")


def _fmt(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:,.2f}"
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, dict):
        return ", ".join(f"{k}: {_fmt(v)}" for k, v in value.items())
    if isinstance(value, list | tuple):
        return ", ".join(_fmt(v) for v in value)
    return str(value)


NOT_IN_FILE = "— not in the file —"


def mapping_editor(kind: str, columns: list[str], guessed: dict[str, str | None], key: str) -> dict[str, str]:
    """One selectbox per field of `kind` (required ones marked *), pre-set to the automatic mapping.

    Returns {field: column} for the fields mapped to a column; `key` must change with the file so a new
    file starts from its own automatic mapping.
    """
    from ecomintel.ingest.fields import FIELDS

    options = [NOT_IN_FILE, *columns]
    mapping: dict[str, str] = {}
    cells = st.columns(3)
    for i, spec in enumerate(FIELDS[kind]):
        guess = guessed.get(spec.name)
        chosen = cells[i % 3].selectbox(
            f"{field_label(spec.name)}{' *' if spec.required else ''}", options,
            index=options.index(guess) if guess in options else 0,
            help=spec.help + (" Required." if spec.required else "") + f" (field `{spec.name}`)",
            key=f"{key}_{spec.name}")
        if chosen and chosen != NOT_IN_FILE:
            mapping[spec.name] = chosen
    return mapping


_ACRONYMS = {"sku": "SKU", "url": "URL"}


def field_label(name: str) -> str:
    """A field as people write it: `order_id` → "Order id", `sku` → "SKU", `unit_price` → "Unit price"."""
    text = " ".join(_ACRONYMS.get(w, w) for w in name.split("_"))
    return text[:1].upper() + text[1:]


def batch_history(repo: Repository, limit: int = 20) -> None:
    """Recent imports of this tenant: file, kind, when, counts, status."""
    batches = repo.list_batches(limit)
    if not batches:
        st.caption("No imports yet.")
        return
    frame = pd.DataFrame(batches)
    frame = frame[["number", "file_name", "kind", "source", "created_at", "rows_total", "rows_accepted",
                   "rows_rejected", "rows_duplicate", "rows_returns", "status", "elapsed_ms"]]
    frame.columns = ["batch", "file", "kind", "source", "when (UTC)", "rows", "accepted", "rejected",
                     "duplicates", "returns", "status", "ms"]
    st.dataframe(frame, hide_index=True, key="batch_history")
