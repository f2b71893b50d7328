"""One exception tree. Every error a user can see is an `EcomintelError` with a message written for them.

Why: pages and the CLI render errors in one place (`user_message`), so nothing ever shows a traceback;
code that catches errors can be precise (InputError vs NotFound vs BudgetExceeded) without string matching.

    EcomintelError            base; .message is safe to show, .hint suggests what to do
    ├── InputError            the user's input (a file, a mapping, a question) cannot be used
    │   ├── FileTooLarge
    │   ├── EmptyFile
    │   ├── UnreadableFile    binary, wrong format, undecodable
    │   └── MissingColumns    .missing lists the fields, .suggestions maps them to likely columns
    ├── NotFound              a tenant, batch, report … that does not exist (or is not yours)
    ├── Forbidden             the user's role does not allow this
    ├── BudgetExceeded        the tenant's monthly LLM budget is spent
    ├── ServiceUnavailable    the database / Redis / LLM cannot be reached
    └── PlanError             a question could not be turned into a valid plan
"""

from __future__ import annotations


class EcomintelError(Exception):
    """Base of every error meant for a user; `message` is shown as is, `hint` says what to try."""

    def __init__(self, message: str, hint: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def user_message(self) -> str:
        return f"{self.message} {self.hint}".strip()


class InputError(EcomintelError):
    """The user's input cannot be used as given."""


class FileTooLarge(InputError):
    """The file exceeds ECOMINTEL_MAX_UPLOAD_MB."""


class EmptyFile(InputError):
    """The file has no data rows (empty, or a header only)."""


class UnreadableFile(InputError):
    """The file is not a readable table (binary, wrong format, broken encoding)."""


class MissingColumns(InputError):
    """Required fields have no column; `suggestions` maps each to the closest columns found."""

    def __init__(self, missing: list[str], suggestions: dict[str, list[str]], columns: list[str]) -> None:
        parts = []
        for name in missing:
            close = suggestions.get(name) or []
            parts.append(f"{name} (maybe: {', '.join(close)})" if close else name)
        super().__init__(
            f"Missing required column(s): {'; '.join(parts)}.",
            "Map them explicitly (Upload page mapping, or --map field=column). "
            f"Columns in the file: {', '.join(columns[:30])}.",
        )
        self.missing = missing
        self.suggestions = suggestions
        self.columns = columns


class NotFound(EcomintelError):
    """The thing asked for does not exist for this tenant."""


class Forbidden(EcomintelError):
    """The current role may not do this."""


class BudgetExceeded(EcomintelError):
    """The tenant's LLM budget for this month is used up."""


class ServiceUnavailable(EcomintelError):
    """A backing service (database, Redis, LLM endpoint) is unreachable."""


class PlanError(EcomintelError):
    """The question could not be turned into a valid plan."""
