"""Deployment files that cannot run here (no Docker engine): parsed and cross-checked instead.

alerts.yml: `promtool check rules` when promtool is installed; always parsed, every rule complete, and every
metric an expression names is one ecomintel really exports (a renamed metric would silently disable an
alert). The Grafana dashboard likewise. compose.yaml has the services the README promises; the Dockerfile
runs as a non-root user with `ecomintel health` as its healthcheck.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess

import pytest
import yaml
from prometheus_client import generate_latest
from prometheus_client.parser import text_string_to_metric_families

import ecomintel.metrics_server  # QueueDepthCollector: the names in COLLECTED_AT_SCRAPE
import ecomintel.observability  # noqa: F401  (defines the metrics)
from tests.conftest import ROOT

DEPLOY = ROOT / "deploy"
COLLECTED_AT_SCRAPE = {"ecomintel_queue_depth", "ecomintel_redis_up"}  # metrics_server.QueueDepthCollector


def exported_names() -> set[str]:
    return {f.name for f in text_string_to_metric_families(generate_latest().decode())} | COLLECTED_AT_SCRAPE


def metric_names(expr: str) -> set[str]:
    return {re.sub(r"_(total|bucket|count|sum)$", "", n) for n in re.findall(r"\becomintel_[a-z0-9_]+", expr)}


def alert_rules() -> list[dict[str, object]]:
    doc = yaml.safe_load((DEPLOY / "prometheus" / "alerts.yml").read_text(encoding="utf-8"))
    return [rule for group in doc["groups"] for rule in group["rules"]]


def test_alert_rules_are_complete_and_use_real_metrics() -> None:
    rules = alert_rules()
    names = {str(r["alert"]) for r in rules}
    for needed in ("EcomintelAskErrorRate", "EcomintelAskLatencyP95High", "EcomintelQueueBacklog",
                   "EcomintelSyncFailures", "EcomintelLLMBudgetNearlySpent"):
        assert needed in names
    known = exported_names()
    for rule in rules:
        assert {"alert", "expr", "for", "labels", "annotations"} <= set(rule), rule
        assert rule["labels"]["severity"] in ("warning", "critical")  # type: ignore[index]
        assert rule["annotations"]["summary"]  # type: ignore[index]
        used = metric_names(str(rule["expr"]))
        assert used and used <= known, (rule["alert"], used - known)


@pytest.mark.skipif(shutil.which("promtool") is None, reason="promtool not installed (rules parsed above)")
def test_promtool_accepts_the_rules() -> None:
    done = subprocess.run(["promtool", "check", "rules", str(DEPLOY / "prometheus" / "alerts.yml")],
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr


def test_grafana_dashboard_queries_real_metrics() -> None:
    dash = json.loads((DEPLOY / "grafana" / "ecomintel.json").read_text(encoding="utf-8"))
    known = exported_names()
    exprs = [t["expr"] for p in dash["panels"] for t in p["targets"]]
    assert len(exprs) >= 10
    for expr in exprs:
        used = metric_names(expr)
        assert used and used <= known, (expr, used - known)
    assert len({p["id"] for p in dash["panels"]}) == len(dash["panels"])


def test_prometheus_scrapes_every_service() -> None:
    config = yaml.safe_load((DEPLOY / "prometheus" / "prometheus.yml").read_text(encoding="utf-8"))
    jobs = {j["job_name"] for j in config["scrape_configs"]}
    assert jobs == {"ecomintel-app", "ecomintel-worker", "ecomintel-scheduler"}
    assert config["rule_files"] == ["/etc/prometheus/alerts.yml"]


def test_compose_and_dockerfile() -> None:
    compose = yaml.safe_load((ROOT / "compose.yaml").read_text(encoding="utf-8"))
    services = compose["services"]
    assert set(services) == {"app", "worker", "scheduler", "postgres", "redis", "prometheus"}
    assert services["scheduler"]["command"] == ["ecomintel", "scheduler"]
    assert "ecomintel worker" in " ".join(services["worker"]["command"])
    assert services["worker"]["environment"]["PROMETHEUS_MULTIPROC_DIR"]
    assert "ecomintel health" in " ".join(services["app"]["healthcheck"]["test"])
    for name in ("app", "worker", "scheduler"):
        env = services[name]["environment"]
        assert env["ECOMINTEL_REDIS_URL"].startswith("redis://") and "postgresql" in env["ECOMINTEL_DATABASE_URL"]
    dockerfile = (ROOT / "Dockerfile").read_text(encoding="utf-8")
    assert re.search(r"^FROM python:3\.\d+-slim", dockerfile, re.M)
    assert re.search(r"^USER (?!root)\w+", dockerfile, re.M)
    assert 'HEALTHCHECK' in dockerfile and '"ecomintel", "health"' in dockerfile
