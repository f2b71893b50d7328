"""The audit log an admin reads and exports names batches, sync runs and reports by their per-tenant number and
users and invitations by name — never by a global database id, which would show how busy the other tenants
are (issue 12). On SQLite and PostgreSQL, with another tenant's activity first so global ids and numbers differ."""

from __future__ import annotations

import csv
import io

import sqlalchemy as sa

from ecomintel import audit
from ecomintel.accounts import invites, users
from ecomintel.accounts.policy import AuthPolicy
from ecomintel.config import load_settings
from ecomintel.context import RequestContext
from ecomintel.db.repository import Repository
from ecomintel.ingest.pipeline import ingest_file
from ecomintel.sync.runner import run_source
from ecomintel.sync.sources import configure_source
from tests.conftest import new_tenant_ctx
from tests.sync_servers import Reply, ScriptedServer

SETTINGS = load_settings({})
POLICY = AuthPolicy(max_attempts=3, lockout_minutes=10, session_hours=2, invite_hours=1)
HEADER = "InvoiceNo,StockCode,Description,Quantity,InvoiceDate,UnitPrice,CustomerID,Country\n"
FEED = "sku,name,price\nK-1,Kettle,30.00\nK-2,Toaster,25.50\n"
GLOBAL_ID_KEYS = {"id", "user_id", "batch_id", "run_id", "user", "invite", "report_id_global"}


def _sales(tag: str) -> bytes:
    return (HEADER + f"{tag}1,85123A,HEART,2,2011-11-01 10:00,2.95,17850,United Kingdom\n"
            f"{tag}2,22423,CAKESTAND,1,2011-11-02 11:00,12.75,17851,United Kingdom\n").encode()


def _activity(repo: Repository, server: ScriptedServer, tag: str) -> dict[str, int]:
    """Two imports (the second a repeat of the first) and a sync; returns the global ids they got."""
    first = ingest_file(repo, "sales", _sales(tag), file_name=f"{tag}.csv", settings=SETTINGS,
                        defaults={"currency": "GBP"})
    again = ingest_file(repo, "sales", _sales(tag), file_name=f"{tag}.csv", settings=SETTINGS,
                        defaults={"currency": "GBP"})
    assert (first.status, again.status) == ("done", "duplicate_file")
    configure_source(repo, name="feed", connector="http_feed", options={"url": server.url("/feed.csv"),
                                                                         "kind": "products"})
    run = run_source(repo, SETTINGS, "feed")
    return {"first": int(first.batch_id or 0), "again": int(again.batch_id or 0), "run": int(run["id"])}


def test_audit_details_carry_per_tenant_numbers_and_names(engine: sa.Engine) -> None:
    with ScriptedServer() as server:
        server.route("/feed.csv", Reply(200, FEED))
        other = new_tenant_ctx(engine, "busy", role="admin")
        _activity(Repository(engine, other), server, "O")  # the other tenant's rows come first
        admin = new_tenant_ctx(engine, "audnum", role="admin")
        repo = Repository(engine, admin)
        ids = _activity(repo, server, "A")
    assert ids["first"] > 1 and ids["run"] > 1  # global ids: not what this tenant's admin may see

    name = f"carol{admin.tenant_id}"
    users.add_user(engine, admin, f"bob{admin.tenant_id}", "correct horse battery", role="viewer")
    used = invites.create_invite(engine, admin, "analyst", POLICY, note="for carol")
    invites.accept_invite(engine, used.code, name, "correct horse battery")
    invites.create_invite(engine, admin, "viewer", POLICY, note="spare")
    spare = next(i for i in invites.list_invites(engine, admin) if i["note"] == "spare")
    assert invites.revoke_invite(engine, admin, int(spare["id"]))

    rows = audit.entries(engine, admin, limit=100)
    assert rows and all(not (GLOBAL_ID_KEYS & set(r)) for r in rows)  # no global row or user ids as columns
    details = {r["action"]: r["detail"] for r in reversed(rows)}  # the latest of each action
    for detail in details.values():
        assert not (GLOBAL_ID_KEYS & set(detail or {}))
    assert details["ingest.duplicate_file"]["batch"] == 2 and details["ingest.duplicate_file"]["same_as"] == 1
    assert details["sync"]["run"] == 1
    ingests = [r["detail"] for r in rows if r["action"] == "ingest"]
    assert sorted(d["batch"] for d in ingests) == [1, 3]  # the upload, then the sync's import
    assert details["user_added"]["username"] == f"bob{admin.tenant_id}"
    assert details["invite_used"] == {"username": name, "role": "analyst", "note": "for carol",
                                      "invited_at": details["invite_used"]["invited_at"]}
    assert (details["invite_revoked"]["role"], details["invite_revoked"]["note"]) == ("viewer", "spare")

    exported = list(csv.reader(io.StringIO(audit.export_csv(engine, admin).decode("utf-8-sig"))))
    assert exported[0] == ["created_at", "action", "username", "detail", "request_id"]
    assert len(exported) == len(rows) + 1
    assert audit.entries(engine, RequestContext(tenant_id=other.tenant_id, role="admin"), action="user_added") == []
