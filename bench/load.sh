#!/usr/bin/env bash
# LOAD-01..05 (RELIABILITY.md) against gunicorn on PostgreSQL on loopback; see bench/load.py.
#   bench/load.sh                   10 s per wrk run (about two minutes)
#   LOAD_SECONDS=30 bench/load.sh   the catalogue's 30 s runs
# Needs wrk (apt-get install wrk), redis-server, and PostgreSQL at LOAD_DATABASE_URL
# (default postgres://postgres@127.0.0.1:5432/postgres; the database newsroom_load is recreated).
set -euo pipefail
cd "$(dirname "$0")/.."
command -v wrk >/dev/null || { echo "wrk is not installed: apt-get install wrk" >&2; exit 2; }
command -v redis-server >/dev/null || { echo "redis-server is not installed: apt-get install redis-server" >&2; exit 2; }
exec .venv/bin/python bench/load.py "$@"
