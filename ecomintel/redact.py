"""Secrets out of what we show: `redact_url` for connection URLs in messages and logs.

Why its own module: the cache, the job runner and the worker all name the Redis they could not reach, and
none of them should own the rule (nor import the others to get it). It imports nothing, so anything can use it.
"""

from __future__ import annotations


def redact_url(url: str) -> str:
    """`url` without its credentials: `redis://:secret@host:6379/0` → `redis://***@host:6379/0`.

    Everything up to the last `@` is replaced, so a password with an unescaped `/` or `@` is hidden too
    (a path containing `@` is shortened as well: over-redacting is the safe side). A URL without an `@` is
    returned unchanged.
    """
    if "@" not in url:
        return url
    scheme, sep, rest = url.partition("://")
    if not sep:
        scheme, rest = "", url
    return f"{scheme}{sep}***@{rest.rsplit('@', 1)[1]}"
