#!/usr/bin/env bash
# `make loadtest`: mixed reads and writes at 20 users for 5 minutes against the app as production runs it, on
# 127.0.0.1 only, then every write the clients saw acknowledged is looked for in the database (docs/reliability.md).
#
#   make loadtest                                   # the full run: 20 users, 5 minutes
#   make loadtest LOADTEST_ARGS="--duration 30s"    # a quick one (also --users N)
#
# It starts: a redis-server of its own on a free port (broker and cache), gunicorn (2 workers, DEBUG off) and one
# Celery worker, on a PostgreSQL database of its own (`connectivity_loadtest`, dropped and re-seeded each run with
# seed_demo). PostgreSQL is the one at LOADTEST_PG (default postgres://postgres@127.0.0.1:5432). Locust 2.47.0
# lives in its own virtualenv under var/loadtest (gevent patches the process it runs in).
set -euo pipefail

cd "$(dirname "$0")/.."
ROOT=$PWD
PY=$ROOT/.venv/bin/python
DURATION=5m
USERS=20
while [ $# -gt 0 ]; do
    case "$1" in
        --duration) DURATION=$2; shift 2 ;;
        --users) USERS=$2; shift 2 ;;
        *) echo "usage: loadtest/run.sh [--duration 5m] [--users 20]" >&2; exit 2 ;;
    esac
done

OUT=$ROOT/var/loadtest
LOCUST_VENV=$OUT/venv
PG=${LOADTEST_PG:-postgres://postgres@127.0.0.1:5432}
DB=connectivity_loadtest
mkdir -p "$OUT"

if ! "$LOCUST_VENV/bin/locust" --version 2>/dev/null | grep -q "2.47.0"; then
    echo "Installing locust 2.47.0 into $LOCUST_VENV"
    python3 -m venv "$LOCUST_VENV"
    "$LOCUST_VENV/bin/pip" install --quiet --disable-pip-version-check "locust==2.47.0"
fi

free_port() { "$PY" -c "
import socket, sys
for port in range(int(sys.argv[1]), int(sys.argv[1]) + 200):
    with socket.socket() as s:
        try:
            s.bind(('127.0.0.1', port))
        except OSError:
            continue
        print(port)
        break" "$1"; }

PIDS=()
cleanup() {
    for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
    for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
}
trap cleanup EXIT

REDIS_PORT=$(free_port 6400)
redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --save '' --appendonly no >"$OUT/redis.log" 2>&1 &
PIDS+=($!)
WEB_PORT=$(free_port 8400)

export DATABASE_URL="$PG/$DB"
export CELERY_BROKER_URL="redis://127.0.0.1:$REDIS_PORT/0"
export CACHE_URL="redis://127.0.0.1:$REDIS_PORT/1"
export DEBUG=false
export SECRET_KEY="loadtest-$(head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n')"
export ALLOWED_HOSTS=127.0.0.1
# Plain HTTP on 127.0.0.1: no redirect to https, and cookies without the Secure flag so the clients send them.
export SECURE_SSL_REDIRECT=false SESSION_COOKIE_SECURE=false CSRF_COOKIE_SECURE=false SECURE_HSTS_SECONDS=0
export VAR_DIR=$OUT/app
export EMAIL_BACKEND=django.core.mail.backends.locmem.EmailBackend
export LOG_LEVEL=WARNING
unset DJANGO_SETTINGS_MODULE

echo "Database $DB: fresh, migrated, seeded"
"$PY" - "$PG" "$DB" <<'EOF'
import sys
import psycopg2
server, name = sys.argv[1], sys.argv[2]
conn = psycopg2.connect(f"{server}/postgres")
conn.autocommit = True
with conn.cursor() as cursor:
    cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    cursor.execute(f'CREATE DATABASE "{name}"')
EOF
"$PY" manage.py migrate --noinput -v0
"$PY" manage.py seed_demo --quiet
"$PY" manage.py collectstatic --noinput -v0
TOKEN=$("$PY" manage.py create_api_client loadtest --scopes read,write 2>/dev/null | tail -n 1)

"$PY" -m gunicorn connectivity.wsgi:application --bind "127.0.0.1:$WEB_PORT" --workers 2 --timeout 30 \
    --access-logfile "$OUT/access.log" --error-logfile "$OUT/gunicorn.log" &
PIDS+=($!)
"$PY" -m celery -A connectivity worker --pool=solo --loglevel=WARNING --without-gossip --without-mingle \
    >"$OUT/worker.log" 2>&1 &
PIDS+=($!)
for _ in $(seq 1 120); do
    curl -fsS -o /dev/null "http://127.0.0.1:$WEB_PORT/login/" && break
    sleep 0.5
done

ACKS=$OUT/acks.jsonl
: >"$ACKS"
rm -f "$OUT"/stats_*.csv
echo "Locust: $USERS users for $DURATION against http://127.0.0.1:$WEB_PORT"
STARTED=$(date -u +%Y-%m-%dT%H:%M:%SZ)
LOADTEST_TOKEN=$TOKEN LOADTEST_ACKS=$ACKS "$LOCUST_VENV/bin/locust" -f loadtest/locustfile.py --headless \
    -u "$USERS" -r 5 -t "$DURATION" --stop-timeout 10 --host "http://127.0.0.1:$WEB_PORT" \
    --csv "$OUT/stats" --only-summary --loglevel WARNING >"$OUT/locust.log" 2>&1 || true

echo "Counting: every acknowledged write against the database"
"$PY" loadtest/report.py --stats "$OUT/stats_stats.csv" --failures "$OUT/stats_failures.csv" --acks "$ACKS" \
    --access-log "$OUT/access.log" --started "$STARTED" --commit "${LOADTEST_COMMIT:-$(git rev-parse --short HEAD 2>/dev/null || echo unknown)}" --users "$USERS" --duration "$DURATION" \
    | tee "$OUT/report.txt"
