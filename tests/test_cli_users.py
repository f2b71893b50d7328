"""`ecomintel users add`: a user who can then sign in; passwords never on the command line."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from ecomintel.db.engine import make_engine
from ecomintel.db.tenants import authenticate
from tests.conftest import ROOT


def _cli(args: list[str], db: Path, stdin: str = "") -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "ECOMINTEL_DATABASE_URL": f"sqlite:///{db}", "ECOMINTEL_DEMO_MODE": "1"}
    return subprocess.run([sys.executable, "-m", "ecomintel", *args], input=stdin, capture_output=True,
                          text=True, env=env, cwd=ROOT, timeout=120)


def test_users_add_then_authenticate(tmp_path: Path) -> None:
    db = tmp_path / "u.db"
    assert _cli(["ingest", "sales", str(ROOT / "data/samples/online_retail_small.csv"), "--tenant", "acme",
                 "--quiet"], db).returncode == 0
    done = _cli(["users", "add", "ann", "--tenant", "acme", "--role", "viewer", "--password-stdin"], db,
                stdin="long enough secret\n")
    assert done.returncode == 0, done.stderr
    assert "added to tenant 'acme' as viewer" in done.stdout
    engine = make_engine(f"sqlite:///{db}")
    user = authenticate(engine, "ann", "long enough secret")
    assert user is not None and user.role == "viewer"
    assert authenticate(engine, "ann", "wrong") is None


def test_users_add_errors_are_one_line(tmp_path: Path) -> None:
    db = tmp_path / "u.db"
    missing = _cli(["users", "add", "bob", "--tenant", "nope", "--password-stdin"], db, stdin="long enough secret\n")
    assert missing.returncode == 2
    assert missing.stderr.startswith("error: No tenant named 'nope'") and "Traceback" not in missing.stderr
    _cli(["ingest", "sales", str(ROOT / "data/samples/online_retail_small.csv"), "--tenant", "acme", "--quiet"], db)
    short = _cli(["users", "add", "bob", "--tenant", "acme", "--password-stdin"], db, stdin="short\n")
    assert short.returncode == 2 and "Password too short" in short.stderr
