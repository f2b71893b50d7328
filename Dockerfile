# ecomintel: one image for the Streamlit app, the RQ workers and the scheduler (the command differs; see compose.yaml).
FROM python:3.11-slim AS base

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

WORKDIR /app

# Build tools only for wheels that need compiling; removed in the same layer to keep the image small.
# libgomp1 stays: lightgbm's wheel links the system OpenMP runtime (installed by name, so autoremove keeps it;
# tests/test_deploy_files.py checks every system library the wheels link against is in the image).
COPY requirements.txt ./
RUN apt-get update \
 && apt-get install -y --no-install-recommends build-essential libgomp1 \
 && pip install -r requirements.txt \
 && apt-get purge -y build-essential && apt-get autoremove -y && rm -rf /var/lib/apt/lists/*

COPY pyproject.toml README.md ./
COPY ecomintel ./ecomintel
COPY workers ./workers
COPY pages ./pages
COPY ui ./ui
COPY app.py ./
COPY .streamlit ./.streamlit
COPY assets ./assets
COPY data/samples ./data/samples
# Editable (as `make` does): the package stays in /app, so what it finds next to itself at run time
# (data/samples for the demo tenant and the default sentiment model) is there for `ecomintel …` too,
# and the CLI, the workers and `streamlit run app.py` all import the same copy.
RUN pip install --no-deps -e . && useradd --create-home --uid 10001 ecomintel && mkdir -p /app/var && chown ecomintel /app/var
USER ecomintel

# 8501 the app, 9464 the app's Prometheus metrics, 9465 a worker's or the scheduler's metrics.
EXPOSE 8501 9464 9465
# `ecomintel health` checks the database, migrations, Redis, workers, the scheduler and the last syncs and
# exits non-zero when one fails (compose.yaml adds the app's own HTTP check for the app service).
HEALTHCHECK --interval=30s --timeout=10s --start-period=60s --retries=3 CMD ["ecomintel", "health"]
# Migrate (idempotent), load the demo tenant when ECOMINTEL_DEMO_MODE=1 and it is empty, then serve; `exec` makes
# streamlit the container's main process, so `docker stop` (SIGTERM) reaches it instead of stopping at sh.
CMD ["sh", "-c", "ecomintel init --demo && exec streamlit run app.py --server.port 8501 --server.address 0.0.0.0"]
