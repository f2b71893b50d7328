"""The question as the planners see it: stripped, not empty, not too long."""

from __future__ import annotations

from ecomintel.errors import PlanError

MAX_QUESTION_CHARS = 500


def check_question(question: str) -> str:
    """The question stripped; PlanError when it is empty or too long to be a question."""
    text = " ".join((question or "").split())
    if not text:
        raise PlanError("Please type a question.", "For example: top 10 products by revenue last month.")
    if len(text) > MAX_QUESTION_CHARS:
        raise PlanError(f"That question is too long ({len(text)} characters; the limit is {MAX_QUESTION_CHARS}).",
                        "Ask one thing at a time.")
    return text


