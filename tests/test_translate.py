"""German, French and Spanish question words read as English ones — and English words left alone."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ecomintel.ask.translate import translate_question


@pytest.mark.parametrize(("question", "english"), [
    ("Top-Kunden nach Umsatz 2011", "Top-customers nach Umsatz 2011"),  # "nach Umsatz": Umsatz is read later
    ("ventes par mois 2011", "ventes by month 2011"),
    ("pedidos por país en 2011", "orders by country en 2011"),
    ("Umsatz pro Monat", "Umsatz per month"),
    ("Bestellungen nach Land", "orders by country"),
    ("meilleurs produits", "best products"),
])
def test_foreign_question_words_become_english(question: str, english: str) -> None:
    assert translate_question(question)[0] == english


@pytest.mark.parametrize("question", ["below par products", "who pays the most", "pro tips for clients",
                                      "top 10 products by revenue last month"])
def test_english_questions_are_unchanged(question: str) -> None:
    assert translate_question(question) == (question, [])


def test_protected_catalogue_words_stay_as_typed() -> None:
    assert translate_question("revenue of the artikel bag", frozenset({"artikel"}))[0] == "revenue of the artikel bag"


@given(st.text(max_size=200))
def test_translation_never_fails_and_notes_each_word(text: str) -> None:
    out, notes = translate_question(text)
    assert isinstance(out, str)
    assert (out == text) == (not notes)
