#!/bin/sh
# Runs once, when the postgres container initialises an empty data volume (/docker-entrypoint-initdb.d).
#
# Why: the image's POSTGRES_USER is a superuser, and a superuser bypasses row-level security — the second
# defence of tenant isolation (ecomintel/db/rls.py; README "Accounts and roles"). So the app gets its own login
# role, NOSUPERUSER NOBYPASSRLS, that owns the ecomintel database: it runs the migrations, and the FORCEd RLS
# policies bind it like any other role.
#
# Environment (compose.yaml passes it from your .env): POSTGRES_APP_PASSWORD (required),
# POSTGRES_APP_USER and POSTGRES_APP_DB (both default ecomintel). tests/test_deploy_files.py runs this script
# against a real PostgreSQL and checks the role cannot bypass RLS.
set -eu
: "${POSTGRES_APP_PASSWORD:?set POSTGRES_APP_PASSWORD (the ecomintel role password) in .env}"
app_user="${POSTGRES_APP_USER:-ecomintel}"
app_db="${POSTGRES_APP_DB:-ecomintel}"

psql -v ON_ERROR_STOP=1 --username "${POSTGRES_USER:-postgres}" --dbname postgres \
     -v app_user="$app_user" -v app_db="$app_db" -v app_password="$POSTGRES_APP_PASSWORD" <<'SQL'
CREATE ROLE :"app_user" LOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE PASSWORD :'app_password';
CREATE DATABASE :"app_db" OWNER :"app_user";
SQL
