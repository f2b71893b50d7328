"""Secret references: a sync source stores *where* its secret is, never the secret.

    env:SHOPIFY_TOKEN   the value of environment variable SHOPIFY_TOKEN (of the process running the sync)
    file:shopify_token  the contents of <ECOMINTEL_SECRETS_DIR>/shopify_token (Docker/Kubernetes secrets)

Why only references: the database is backed up, copied to laptops and read by the data-quality pages; a
token in a row leaks with all of them. A reference is harmless to store and show, and rotating the secret
needs no database change. Anything else (a bare token pasted into Settings) is refused with a hint.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from pathlib import Path

from ecomintel.errors import InputError

_REF = re.compile(r"^(env|file):([A-Za-z0-9_.\-]{1,128})$")


def check_reference(ref: str | None) -> str | None:
    """The reference normalised (stripped), None for empty; InputError for anything that is not one."""
    ref = (ref or "").strip()
    if not ref:
        return None
    if not _REF.match(ref) or ".." in ref:
        raise InputError("A secret must be given as a reference, not pasted: `env:VARIABLE` or `file:NAME`.",
                         "Put the token in an environment variable (or a file in ECOMINTEL_SECRETS_DIR) and "
                         "enter e.g. env:SHOPIFY_TOKEN. Secrets are never stored in the database.")
    return ref


def resolve_secret(ref: str | None, *, secrets_dir: str, env: Mapping[str, str] | None = None) -> str | None:
    """The secret a reference points to; None without a reference; InputError when it points at nothing."""
    ref = check_reference(ref)
    if ref is None:
        return None
    kind, _, name = ref.partition(":")
    if kind == "env":
        value = (os.environ if env is None else env).get(name)
        if not value:
            raise InputError(f"The secret {ref} is not set in this process's environment.",
                             f"Set {name} for the app, the workers and the scheduler.")
        return value
    path = Path(secrets_dir) / name
    try:
        return path.read_text(encoding="utf-8").strip()
    except OSError as exc:
        raise InputError(f"The secret {ref} could not be read ({exc.__class__.__name__}).",
                         f"Create {path} (ECOMINTEL_SECRETS_DIR is {secrets_dir}).") from exc


def reference_status(ref: str | None, *, secrets_dir: str, env: Mapping[str, str] | None = None) -> str:
    """Whether a reference points at something *in this process* ("set", "not set", "file found", "no file",
    "" without a reference) — shown next to it in Settings so a typo is seen before the 03:00 run. Never the
    value. Workers and the scheduler have their own environment: the caption says so."""
    ref = (ref or "").strip()
    if not ref or not _REF.match(ref):
        return ""
    kind, _, name = ref.partition(":")
    if kind == "env":
        return "set" if (os.environ if env is None else env).get(name) else "not set"
    return "file found" if (Path(secrets_dir) / name).is_file() else "no file"
