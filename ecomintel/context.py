"""RequestContext: who is asking, for which tenant. Passed explicitly to every core function.

Why explicit: tenant isolation is only as strong as the weakest query; a context that travels as an
argument (never a global or thread-local) makes every data access visibly scoped and testable.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field

ROLES = ("admin", "analyst", "viewer")


@dataclass(frozen=True)
class RequestContext:
    """The tenant and user on whose behalf the core works. `role` is one of ROLES."""

    tenant_id: int
    user_id: int | None = None
    role: str = "analyst"
    request_id: str = field(default_factory=lambda: uuid.uuid4().hex[:12])

    def __post_init__(self) -> None:
        if not isinstance(self.tenant_id, int) or self.tenant_id <= 0:
            raise ValueError("RequestContext needs a positive integer tenant_id")
        if self.role not in ROLES:
            raise ValueError(f"unknown role {self.role!r}; expected one of {ROLES}")

    @property
    def can_write(self) -> bool:
        return self.role in ("admin", "analyst")
