"""The sign-in policy in effect: lockout, session length, invitation lifetime and the cookie key.

Why the cookie key is generated into the data directory when unset: a key in the repository would be the
same for every install (anyone could forge cookies), and a key generated per process would sign everybody
out on every restart. One random key per install, written once with owner-only permissions, is neither.
"""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass
from pathlib import Path

from ecomintel.config import Settings

COOKIE_NAME = "ecomintel_auth"
KEY_FILE = "auth_cookie_key"
MIN_PASSWORD = 8
MAX_PASSWORD = 200


@dataclass(frozen=True)
class AuthPolicy:
    max_attempts: int = 5
    lockout_minutes: float = 15.0
    session_hours: float = 12.0
    invite_hours: float = 72.0

    @classmethod
    def from_settings(cls, settings: Settings) -> AuthPolicy:
        return cls(max_attempts=settings.login_max_attempts, lockout_minutes=settings.login_lockout_minutes,
                   session_hours=settings.session_hours, invite_hours=settings.invite_hours)


def cookie_key(settings: Settings) -> str:
    """ECOMINTEL_AUTH_COOKIE_KEY, else the install's key file (created on first use, mode 0600)."""
    if settings.auth_cookie_key:
        return settings.auth_cookie_key
    path = Path(settings.data_dir) / KEY_FILE
    if path.exists():
        return path.read_text(encoding="utf-8").strip()
    path.parent.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(48)
    try:  # O_EXCL: two processes starting at once agree on the first key written
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_text(encoding="utf-8").strip()
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(key)
    return key
