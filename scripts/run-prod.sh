#!/usr/bin/env bash
# `make run-prod`: the production profile on one machine, from a fresh clone. A PostgreSQL
# cluster and a Redis of its own on loopback ports, under instance/prod/ (PORTAL_PROD_DIR);
# migrations, the demo city once, then gunicorn, a Celery worker and beat under honcho
# (Procfile.prod), configured by environment variables only. Ctrl-C stops all of it,
# PostgreSQL and Redis included. docs/operations.md, "make run-prod".
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
VENV=${VENV:-$ROOT/.venv}
PORT=${PORT:-8000}
PG_PORT=${PG_PORT:-54329}
PG_OPTIONS=${PG_OPTIONS:-}  # more server settings, e.g. "-c shared_buffers=256MB"
REDIS_PORT=${REDIS_PORT:-63790}
DIR=${PORTAL_PROD_DIR:-$ROOT/instance/prod}
PGBIN=${PGBIN:-/usr/lib/postgresql/15/bin}
REDIS_SERVER=${REDIS_SERVER:-$(command -v redis-server || true)}

say() { echo "run-prod: $*" >&2; }
[ -x "$PGBIN/initdb" ] || { say "needs PostgreSQL's server binaries in $PGBIN (apt-get install postgresql-15, or set PGBIN)"; exit 1; }
[ -n "$REDIS_SERVER" ] || { say "needs redis-server (apt-get install redis-server)"; exit 1; }

# initdb and postgres refuse to run as root: as root they run as the postgres user.
as_pg() { if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
wait_port() {  # port, name
  for _ in $(seq 200); do (: >"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0; sleep 0.05; done
  say "$2 did not start on port $1"; return 1
}

mkdir -p "$DIR/redis"
chmod 711 "$DIR"  # the postgres user must reach pg/ inside; nothing else is readable
PG=$DIR/pg
PGDATA=$PG/data
# Secrets live here, never in the repository: the Flask key and the database password.
for secret in secret_key pg_password; do
  [ -s "$DIR/$secret" ] || (umask 077; "$VENV/bin/python" -c 'import secrets; print(secrets.token_urlsafe(32))' >"$DIR/$secret")
done
PG_PASSWORD=$(cat "$DIR/pg_password")

if [ ! -f "$PGDATA/PG_VERSION" ]; then
  say "creating the PostgreSQL cluster in $PGDATA"
  mkdir -p "$PG"
  [ "$(id -u)" -ne 0 ] || chown postgres:postgres "$PG"
  chmod 700 "$PG"
  as_pg test -w "$PG" || { say "the postgres user cannot reach $PG: set PORTAL_PROD_DIR to a folder whose parents it may enter"; exit 1; }
  (umask 077; cp "$DIR/pg_password" "$PG/pwfile")
  [ "$(id -u)" -ne 0 ] || chown postgres:postgres "$PG/pwfile"
  # Over TCP only with the password; the socket lives in pg/ (mode 700) for the setup below.
  as_pg "$PGBIN/initdb" -D "$PGDATA" -U postgres --pwfile="$PG/pwfile" --auth-host=scram-sha-256 \
    --auth-local=trust -E UTF8 --locale=C.UTF-8 >"$PG/initdb.log"
  rm -f "$PG/pwfile"
fi

REDIS_PID=
cleanup() {
  trap - EXIT INT TERM
  if [ -n "$REDIS_PID" ]; then kill "$REDIS_PID" 2>/dev/null || true; wait "$REDIS_PID" 2>/dev/null || true; fi
  as_pg "$PGBIN/pg_ctl" -D "$PGDATA" -m fast -w stop >/dev/null 2>&1 || true
  say "PostgreSQL and Redis stopped."
}
trap cleanup EXIT
trap 'exit 130' INT TERM

as_pg "$PGBIN/pg_ctl" -D "$PGDATA" -l "$PG/log" -w \
  -o "-k $PG -p $PG_PORT -c listen_addresses=127.0.0.1 $PG_OPTIONS" start >/dev/null
setsid "$REDIS_SERVER" --bind 127.0.0.1 --port "$REDIS_PORT" --dir "$DIR/redis" --save '' \
  --appendonly yes --loglevel warning &
REDIS_PID=$!
wait_port "$REDIS_PORT" redis-server
if [ "$(as_pg "$PGBIN/psql" -h "$PG" -p "$PG_PORT" -U postgres -tAc "SELECT 1 FROM pg_database WHERE datname = 'portal'")" != 1 ]; then
  as_pg "$PGBIN/createdb" -h "$PG" -p "$PG_PORT" -U postgres portal
fi

export PORTAL_PROFILE=production FLASK_APP=portal VENV PORT PORTAL_PROD_DIR=$DIR PORTAL_INSTANCE=$DIR
export SECRET_KEY; SECRET_KEY=$(cat "$DIR/secret_key")
export DATABASE_URL="postgresql+psycopg://postgres:$PG_PASSWORD@127.0.0.1:$PG_PORT/portal"
export REDIS_URL="redis://127.0.0.1:$REDIS_PORT/0"
export PORTAL_BASE_URL=${PORTAL_BASE_URL:-http://127.0.0.1:$PORT}
export MAIL_BACKEND=${MAIL_BACKEND:-mailbox}  # no SMTP server here: mail in the admins' mailbox
# A try-out on plain http://127.0.0.1: the browser would drop Secure cookies (no login), and
# no proxy sits in front of gunicorn.
export SESSION_COOKIE_SECURE=${SESSION_COOKIE_SECURE:-0} PROXY_COUNT=${PROXY_COUNT:-0}

"$VENV/bin/flask" db upgrade
if [ ! -f "$PG/seeded" ]; then "$VENV/bin/flask" seed && touch "$PG/seeded"; fi
rm -rf "$DIR/metrics" && mkdir -p "$DIR/metrics"  # prometheus-client's multiprocess files

echo
echo "  The portal (production profile): $PORTAL_BASE_URL/   (Ctrl-C stops everything)"
echo "  PostgreSQL 127.0.0.1:$PG_PORT, Redis 127.0.0.1:$REDIS_PORT; health: $PORTAL_BASE_URL/healthz, metrics: $PORTAL_BASE_URL/metrics"
"$VENV/bin/python" -c "from portal.seed import demo_accounts; print(demo_accounts())" | sed 's/^/  /'
echo
"$VENV/bin/honcho" start -f Procfile.prod
