"""Deployment files that cannot run here (no Docker engine): parsed and cross-checked instead.

alerts.yml: `promtool check rules` when promtool is installed; always parsed, every rule complete, and every
metric an expression names is one ecomintel really exports (a renamed metric would silently disable an
alert). The Grafana dashboard likewise. compose.yaml has the services the README promises; the Dockerfile
runs as a non-root user with `ecomintel health` as its healthcheck.

The mismatch classes a review of these files found, each kept out by a test: an environment name compose sets
that config.py does not read (a typo configures nothing), ports that differ from the settings' defaults or the
scrape config, commands the CLI does not have, a password written into compose.yaml, the app connecting as the
postgres image's superuser (which bypasses row-level security; deploy/postgres/initdb/ makes a role that
cannot, run here against the real PostgreSQL), no shared volume at ECOMINTEL_DATA_DIR, and an image missing
files the code reads next to itself (assets/, data/samples/).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from typing import Any

import pytest
import sqlalchemy as sa
import yaml
from prometheus_client import generate_latest
from prometheus_client.parser import text_string_to_metric_families

import ecomintel.metrics_server  # QueueDepthCollector: the names in COLLECTED_AT_SCRAPE
import ecomintel.observability  # noqa: F401  (defines the metrics)
from ecomintel import samples
from ecomintel.cli import build_parser
from ecomintel.config import SETTINGS, endpoint_key_variable, load_settings
from ecomintel.db import rls
from ecomintel.db.engine import current_revision, head_revision, make_engine, migrate
from tests.conftest import ROOT, fresh_pg_database

DEPLOY = ROOT / "deploy"
ECOMINTEL_SERVICES = ("app", "worker", "scheduler")
# names the ecomintel services may set that are not settings: prometheus-client's multiprocess folder, and the
# variables sync sources refer to as env:NAME (a secret's reference, README "Syncs")
NOT_SETTINGS = {"PROMETHEUS_MULTIPROC_DIR", "SHOPIFY_TOKEN", "FEED_TOKEN"}
ENDPOINT_KEY_PREFIX = endpoint_key_variable("")  # ECOMINTEL_LLM_KEY_<NAME>: one per ECOMINTEL_LLM_ENDPOINTS name


def is_known_name(name: str) -> bool:
    """A setting of config.py, a per-endpoint LLM key variable, or one of the known extras."""
    return (name in {s.name for s in SETTINGS} or name in NOT_SETTINGS
            or (name.startswith(ENDPOINT_KEY_PREFIX) and len(name) > len(ENDPOINT_KEY_PREFIX)))
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


def compose() -> dict[str, Any]:
    return yaml.safe_load((ROOT / "compose.yaml").read_text(encoding="utf-8"))


def interpolated(value: str, env: dict[str, str]) -> str:
    """compose's `${NAME}`, `${NAME:-default}` and `${NAME:?error}` with `env` (unset names: default or empty)."""
    def one(match: re.Match[str]) -> str:
        name, op, rest = match.group(1), match.group(2) or "", match.group(3) or ""
        if name in env:
            return env[name]
        return rest if op == ":-" else ""
    return re.sub(r"\$\{([A-Za-z_][A-Za-z0-9_]*)(:-|:\?)?([^}]*)\}", one, value)


def test_compose_sets_only_names_config_reads() -> None:
    """Every ECOMINTEL_* name compose sets or interpolates is a setting of config.py (a misspelt name would
    silently configure nothing); other names are settings (API keys) or the few known extras."""
    text = (ROOT / "compose.yaml").read_text(encoding="utf-8")
    used = set(re.findall(r"\$\{(ECOMINTEL_[A-Z0-9_]+)", text))
    services = compose()["services"]
    for name in ECOMINTEL_SERVICES:
        env = services[name]["environment"]
        assert all(is_known_name(k) for k in env), (name, [k for k in env if not is_known_name(k)])
        used |= {k for k in env if k.startswith("ECOMINTEL_")}
    assert all(is_known_name(k) for k in used), [k for k in used if not is_known_name(k)]
    assert not is_known_name("ECOMINTEL_METRICS_PROT") and not is_known_name(ENDPOINT_KEY_PREFIX)


def test_compose_environment_loads_as_settings() -> None:
    """The services' environment, interpolated as compose would with an .env, is accepted by load_settings
    and says what the deployment needs: PostgreSQL as a role other than the superuser, Redis, the data dir."""
    services = compose()["services"]
    dotenv = {"POSTGRES_PASSWORD": "s3cret", "POSTGRES_APP_PASSWORD": "app5ecret"}
    for name in ECOMINTEL_SERVICES:
        env = {k: interpolated(str(v), dotenv) for k, v in services[name]["environment"].items()}
        settings = load_settings(env)
        url = sa.make_url(settings.database_url)
        assert url.drivername == "postgresql+psycopg" and url.host == "postgres", name
        assert url.username != services["postgres"]["environment"]["POSTGRES_USER"], "the app must not be the superuser"
        assert url.password == dotenv["POSTGRES_APP_PASSWORD"]
        assert settings.redis_url == "redis://redis:6379/0"
        assert any(v.split(":", 1)[1] == settings.data_dir for v in services[name]["volumes"]), name


def test_no_password_is_written_in_compose() -> None:
    """Secrets come from the environment / .env (deploy/env.example lists them), never from the file."""
    services = compose()["services"]
    pg = services["postgres"]["environment"]
    for key in ("POSTGRES_PASSWORD", "POSTGRES_APP_PASSWORD"):
        assert re.fullmatch(r"\$\{" + key + r":\?[^}]+\}", pg[key]), (key, pg[key])
    for name in ECOMINTEL_SERVICES:
        env = services[name]["environment"]
        password = sa.make_url(interpolated(env["ECOMINTEL_DATABASE_URL"], {"POSTGRES_APP_PASSWORD": "X"})).password
        assert password == "X", "the database password must come from ${POSTGRES_APP_PASSWORD}"
        secrets = {"OPENAI_API_KEY", "GEMINI_API_KEY", "ECOMINTEL_AUTH_COOKIE_KEY", *NOT_SETTINGS} - {
            "PROMETHEUS_MULTIPROC_DIR"} | {k for k in env if k.startswith(ENDPOINT_KEY_PREFIX)}
        for key in secrets:
            assert str(env[key]).startswith("${"), (name, key)
    example = (DEPLOY / "env.example").read_text(encoding="utf-8")
    for key in ("POSTGRES_PASSWORD", "POSTGRES_APP_PASSWORD"):
        assert re.search(rf"^{key}=$", example, re.M), f"{key} must be listed in deploy/env.example, empty"
    assert ".env" in (ROOT / ".gitignore").read_text(encoding="utf-8").split()


def test_ports_match_the_settings_and_the_scrape_config() -> None:
    defaults = load_settings({})
    services = compose()["services"]
    assert services["app"]["expose"] == [str(defaults.metrics_port)]
    assert services["worker"]["expose"] == services["scheduler"]["expose"] == [str(defaults.worker_metrics_port)]
    for name in ECOMINTEL_SERVICES:  # compose keeps the defaults (a changed port must change everywhere)
        assert not {"ECOMINTEL_METRICS_PORT", "ECOMINTEL_WORKER_METRICS_PORT"} & set(services[name]["environment"])
    assert "8501:8501" in services["app"]["ports"] and "8501" in services["app"]["healthcheck"]["test"][1]
    scrape = yaml.safe_load((DEPLOY / "prometheus" / "prometheus.yml").read_text(encoding="utf-8"))
    ports = {}
    for job in scrape["scrape_configs"]:
        for sd in job.get("dns_sd_configs", []):
            ports[job["job_name"]] = sd["port"]
        for st in job.get("static_configs", []):
            ports[job["job_name"]] = int(st["targets"][0].rsplit(":", 1)[1])
    assert ports == {"ecomintel-app": defaults.metrics_port, "ecomintel-worker": defaults.worker_metrics_port,
                     "ecomintel-scheduler": defaults.worker_metrics_port}
    dockerfile = (ROOT / "Dockerfile").read_text(encoding="utf-8")
    exposed = re.search(r"^EXPOSE (.+)$", dockerfile, re.M)
    assert exposed and set(exposed.group(1).split()) == {"8501", str(defaults.metrics_port),
                                                         str(defaults.worker_metrics_port)}


def test_service_commands_exist_in_the_cli_and_makefile() -> None:
    services = compose()["services"]
    parser = build_parser()
    worker = services["worker"]["command"][-1].rsplit("exec ", 1)[1].split()
    for argv in (services["scheduler"]["command"], worker, ["health"], ["init", "--demo"]):
        args = argv[1:] if argv[0] == "ecomintel" else argv
        parser.parse_args(args)  # SystemExit on an unknown command or option
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    assert re.search(r"^worker:.*\n\t\$\(BIN\)/ecomintel worker$", makefile, re.M)
    dockerfile = (ROOT / "Dockerfile").read_text(encoding="utf-8")
    assert "ecomintel init --demo && exec streamlit run app.py" in dockerfile  # exec: SIGTERM reaches streamlit


def test_image_holds_what_the_code_reads_next_to_itself() -> None:
    """The image COPYs each path the app and the CLI read from the checkout, and installs the package
    editable so `samples.SAMPLES_DIR` (found relative to the package) is inside the image."""
    dockerfile = (ROOT / "Dockerfile").read_text(encoding="utf-8")
    copied = {m.group(1) for m in re.finditer(r"^COPY (\S+) ", dockerfile, re.M)}
    needed = {"ecomintel", "workers", "pages", "ui", "app.py", ".streamlit", "assets", "data/samples",
              "pyproject.toml", "requirements.txt"}
    assert needed <= copied, needed - copied
    assert (ROOT / "assets" / "favicon.png").exists()  # app.py's page icon
    assert samples.SAMPLES_DIR.relative_to(ROOT).as_posix() == "data/samples"
    assert re.search(r"pip install --no-deps -e \.", dockerfile), "a non-editable install loses data/samples"
    ignored = (ROOT / ".dockerignore").read_text(encoding="utf-8").split()
    assert {".env", ".venv", ".git"} <= set(ignored)
    assert not needed & set(ignored)


def test_postgres_init_script_makes_an_app_role_bound_by_rls() -> None:
    """deploy/postgres/initdb/ run as the image runs it (psql as the superuser, once), against the test
    PostgreSQL: the role it creates is no superuser, cannot bypass RLS, owns its database and can migrate it."""
    script = DEPLOY / "postgres" / "initdb" / "10-ecomintel-app-role.sh"
    assert os.access(script, os.X_OK)
    pg_volume = compose()["services"]["postgres"]["volumes"]
    assert "./deploy/postgres/initdb:/docker-entrypoint-initdb.d:ro" in pg_volume
    if shutil.which("psql") is None:
        pytest.fail("psql is needed to run the init script (install postgresql-client)")
    name = f"ecomintel_initdb_{os.getpid()}"
    with fresh_pg_database(name + "_scratch") as admin_url:  # skips/fails like every PostgreSQL test
        admin = sa.make_url(admin_url)
        env = {**os.environ, "PGHOST": admin.host or "127.0.0.1", "PGPORT": str(admin.port or 5432),
               "POSTGRES_USER": admin.username or "postgres", "PGPASSWORD": admin.password or "",
               "POSTGRES_APP_USER": name, "POSTGRES_APP_DB": name, "POSTGRES_APP_PASSWORD": "app5ecret"}
        owner = sa.create_engine(admin_url, isolation_level="AUTOCOMMIT")
        try:
            done = subprocess.run(["sh", str(script)], env=env, capture_output=True, text=True, timeout=60)
            assert done.returncode == 0, done.stdout + done.stderr
            app_url = admin.set(username=name, password="app5ecret", database=name)
            engine = make_engine(app_url.render_as_string(hide_password=False))
            migrate(engine)  # the app migrates as its own role (README "Accounts and roles")
            with engine.connect() as conn:
                assert current_revision(conn) == head_revision()
                assert not rls.bypasses_rls(conn)
                assert rls.owns_table(conn, "sales")
            engine.dispose()
        finally:
            with owner.connect() as conn:
                conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
                conn.execute(sa.text(f'DROP ROLE IF EXISTS "{name}"'))
            owner.dispose()


# what python:3.11-slim (Debian bookworm) has without installing anything: glibc, libgcc, libstdc++, zlib
SLIM_BASE_LIBS = {"libc.so.6", "libm.so.6", "libpthread.so.0", "libdl.so.2", "librt.so.1", "libresolv.so.2",
                  "libutil.so.1", "libgcc_s.so.1", "libstdc++.so.6", "libz.so.1", "ld-linux-x86-64.so.2"}
DEBIAN_PACKAGE_OF = {"libgomp.so.1": "libgomp1"}  # a library the wheels need from the system → its package


def test_image_keeps_the_system_libraries_the_wheels_link_against() -> None:
    """Every shared library an installed wheel loads from the system (not vendored in site-packages) is in the
    slim base or installed by name in the Dockerfile, so `apt-get autoremove` after the build keeps it
    (lightgbm's libgomp.so.1 was removed with build-essential: forecasting could not import in the image)."""
    if shutil.which("ldd") is None:
        pytest.fail("ldd is needed to read the libraries the wheels link against")
    import sysconfig

    site = sysconfig.get_paths()["purelib"]
    objects = [os.path.join(d, f) for d, _, files in os.walk(site) for f in files if ".so" in f]
    needed: dict[str, str] = {}
    for start in range(0, len(objects), 200):
        out = subprocess.run(["ldd", *objects[start:start + 200]], capture_output=True, text=True).stdout
        current = ""
        for line in out.splitlines():
            if not line.startswith("\t"):
                current = line.rstrip(":")
            elif "=> /" in line and site not in line:
                needed.setdefault(line.split()[0], current)
    missing = {lib: where for lib, where in needed.items() if lib not in SLIM_BASE_LIBS | set(DEBIAN_PACKAGE_OF)}
    assert not missing, f"system libraries the image may lack (add the package to the Dockerfile): {missing}"
    dockerfile = (ROOT / "Dockerfile").read_text(encoding="utf-8")
    installed = re.search(r"apt-get install -y --no-install-recommends ([^\\\n&]+)", dockerfile)
    assert installed, "the Dockerfile's apt-get install line"
    for lib in needed.keys() & DEBIAN_PACKAGE_OF.keys():
        assert DEBIAN_PACKAGE_OF[lib] in installed.group(1).split(), (lib, DEBIAN_PACKAGE_OF[lib])
