"""`ecomintel users|tenants|audit|retention …`: the newcomer path, and every command refusing another tenant's
users, forged or unknown tenant names, injection-shaped and oversized input — one line, exit code 2."""

from __future__ import annotations

import io
import json
import sys
from pathlib import Path

import pytest

from ecomintel.accounts import login
from ecomintel.accounts.policy import AuthPolicy
from ecomintel.cli import run
from ecomintel.db.engine import make_engine

PASSWORD = "long enough secret"


@pytest.fixture
def db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    monkeypatch.setenv("ECOMINTEL_DATABASE_URL", url)
    monkeypatch.setenv("ECOMINTEL_DEMO_MODE", "0")
    monkeypatch.setenv("ECOMINTEL_DATA_DIR", str(tmp_path))
    return url


def cli(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], *args: str,
        stdin: str = "") -> tuple[int, str, str]:
    monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
    code = run(list(args))
    out = capsys.readouterr()
    return code, out.out, out.err


def test_newcomer_path_and_forged_tenants(db: str, monkeypatch: pytest.MonkeyPatch,
                                          capsys: pytest.CaptureFixture[str]) -> None:
    def ok(*args: str, stdin: str = "") -> str:
        code, out, err = cli(monkeypatch, capsys, *args, stdin=stdin)
        assert code == 0, err
        return out

    def refused(*args: str, stdin: str = "", says: str = "") -> str:
        code, _, err = cli(monkeypatch, capsys, *args, stdin=stdin)
        assert code == 2 and err.startswith("error: ") and "Traceback" not in err and len(err.splitlines()) == 1, err
        assert says.lower() in err.lower(), err
        return err

    assert "created" in ok("tenants", "add", "acme", "--name", "Acme Ltd")
    ok("tenants", "add", "rival")
    ok("users", "add", "ada", "--tenant", "acme", "--role", "admin", "--password-stdin", stdin=PASSWORD + "\n")
    ok("users", "add", "rob", "--tenant", "rival", "--role", "admin", "--password-stdin", stdin=PASSWORD + "\n")
    invite = json.loads(ok("users", "invite", "--tenant", "acme", "--role", "viewer", "--json"))
    assert invite["link"].endswith(invite["code"]) and invite["role"] == "viewer"
    assert [u["username"] for u in json.loads(ok("users", "list", "--tenant", "acme", "--json"))] == ["ada"]
    assert login.attempt_login(make_engine(db), "ada", PASSWORD, AuthPolicy()).ok

    # rival's user through acme, in every command that names a user
    for args in (("users", "set-role", "rob", "viewer", "--tenant", "acme"),
                 ("users", "disable", "rob", "--tenant", "acme"),
                 ("users", "password", "rob", "--tenant", "acme", "--password-stdin")):
        refused(*args, stdin="taken over password\n", says="No user 'rob' in this tenant")
    assert login.attempt_login(make_engine(db), "rob", PASSWORD, AuthPolicy()).ok  # untouched
    # unknown, forged and injection-shaped tenant names
    for tenant in ("nope", "acme' OR '1'='1", "x" * 5000, "1; DROP TABLE tenants"):
        for args in (("users", "list", "--tenant", tenant), ("audit", "--tenant", tenant),
                     ("retention", "show", "--tenant", tenant), ("users", "invite", "--tenant", tenant)):
            refused(*args)
    refused("tenants", "add", "Robert'); DROP TABLE tenants;--", says="Invalid tenant name")
    refused("tenants", "add", "acme", says="exists already")
    refused("users", "add", "x" * 10_000, "--tenant", "acme", "--password-stdin", stdin=PASSWORD + "\n",
            says="Invalid user name")
    refused("users", "add", "eve", "--tenant", "acme", "--password-stdin", stdin="p" * 100_000 + "\n",
            says="too long")
    refused("retention", "set", "--tenant", "acme", "--months", "reviews_months=-3", says="between")
    refused("tenants", "delete", "acme", "--confirm", "rival", says="confirmation does not match")
    # the audit shows acme's own events only
    events = json.loads(ok("audit", "--tenant", "acme", "--json"))
    assert {"user_added", "invite_created", "login"} <= {e["action"] for e in events}
    assert all("rob" not in json.dumps(e, default=str) for e in events)
    assert "action" in ok("audit", "--tenant", "acme", "--csv").splitlines()[0]
    # and delete acme with the right confirmation: rival keeps everything
    assert "deleted" in ok("tenants", "delete", "acme", "--confirm", "acme")
    slugs = [t["slug"] for t in json.loads(ok("tenants", "--json"))]
    assert slugs == ["rival"]
    assert login.attempt_login(make_engine(db), "ada", PASSWORD, AuthPolicy()).reason == "bad_credentials"
    assert login.attempt_login(make_engine(db), "rob", PASSWORD, AuthPolicy()).ok
