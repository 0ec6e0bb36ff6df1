#!/usr/bin/env bash
# The PostgreSQL cluster altan-cloud's database tests run against: our own
# (15/altan_test on 127.0.0.1:54329), so that tests may create and drop
# databases and load pg_cron without touching the machine's cluster on 5432.
#
# Idempotent: creates the cluster the first time, (re)writes its settings,
# (re)starts it when they changed or it is down, creates the database
# altan_test. Prints exactly one line on stdout, the URL to use:
#   postgres://postgres@127.0.0.1:54329/altan_test
# Everything else goes to stderr. Needs Debian's postgresql-common tools, the
# PostgreSQL 15 server and pg_cron; creating the cluster needs root (or the
# postgres user), a cluster already set up and running does not.
set -euo pipefail

VERSION=15
# Overridable only to try the script on a throw-away cluster beside the real one.
CLUSTER="${ALTAN_TEST_CLUSTER:-altan_test}"
PORT="${ALTAN_TEST_PORT:-54329}"
DATABASE=altan_test
BIN="/usr/lib/postgresql/$VERSION/bin"
CONF_DIR="/etc/postgresql/$VERSION/$CLUSTER"
INSTALL="apt-get install -y postgresql-$VERSION postgresql-$VERSION-cron"

say() { echo "test-db: $*" >&2; }
die() {
  echo "test-db: $*" >&2
  exit 1
}

# What the tests cannot do without, checked before anything is changed.
if [[ ! -x "$BIN/postgres" ]] || ! command -v pg_createcluster >/dev/null || ! command -v pg_ctlcluster >/dev/null; then
  die "the PostgreSQL $VERSION server (with Debian's postgresql-common tools) is not installed; install it: $INSTALL"
fi
if [[ ! -f "/usr/lib/postgresql/$VERSION/lib/pg_cron.so" ]]; then
  die "pg_cron for PostgreSQL $VERSION is not installed; install it: $INSTALL"
fi

# Test runs may start this script concurrently (two vitest runs, CI and a
# developer): one at a time, so the cluster is created and started once.
exec 9>"${TMPDIR:-/tmp}/altan-test-db-$CLUSTER.lock"
flock 9

if [[ ! -f "$CONF_DIR/postgresql.conf" ]]; then
  say "creating cluster $VERSION/$CLUSTER on port $PORT"
  # manual: the machine's init scripts leave it alone; trust: a test cluster
  # on loopback, no passwords (pg_hba.conf is rewritten below anyway).
  pg_createcluster "$VERSION" "$CLUSTER" --port "$PORT" --start-conf=manual --locale=C.UTF-8 -- --auth=trust >&2 ||
    die "cannot create the cluster (run as root or as postgres)"
fi

# Writes $2 to $1 when it differs; returns 0 when the file changed.
write_if_changed() {
  local file="$1" content="$2"
  if [[ -f "$file" ]] && [[ "$(cat "$file")" == "$content" ]]; then
    return 1
  fi
  printf '%s\n' "$content" >"$file" || die "cannot write $file (run as root or as postgres)"
  chown postgres:postgres "$file" 2>/dev/null || true
  return 0
}

changed=0
mkdir -p "$CONF_DIR/conf.d"
# conf.d is read after postgresql.conf (Debian's include_dir), so these win.
if write_if_changed "$CONF_DIR/conf.d/altan-test.conf" "# Written by altan-cloud's scripts/test-db.sh; rewritten on every run.
port = $PORT
listen_addresses = '127.0.0.1'
# test files run in parallel, each with a few connections
max_connections = 200
shared_preload_libraries = 'pg_cron'
cron.database_name = '$DATABASE'
# throw-away data: durability only costs time
fsync = off
synchronous_commit = off
full_page_writes = off"; then changed=1; fi

# Debian's template says scram-sha-256 for host lines whatever initdb was told:
# the whole file is ours.
if write_if_changed "$CONF_DIR/pg_hba.conf" "# Written by altan-cloud's scripts/test-db.sh: a test cluster, trust on loopback only.
# TYPE  DATABASE  USER  ADDRESS       METHOD
local   all       all                 trust
host    all       all   127.0.0.1/32  trust
host    all       all   ::1/128       trust"; then changed=1; fi

# 9>&-: the server must not inherit the lock, or it would hold it for its whole life.
if pg_ctlcluster "$VERSION" "$CLUSTER" status >/dev/null 2>&1 9>&-; then
  if [[ $changed == 1 ]]; then
    say "settings changed: restarting $VERSION/$CLUSTER"
    pg_ctlcluster "$VERSION" "$CLUSTER" restart >&2 9>&- || die "cannot restart the cluster (run as root or as postgres)"
  fi
else
  say "starting $VERSION/$CLUSTER"
  pg_ctlcluster "$VERSION" "$CLUSTER" start >&2 9>&- || die "cannot start the cluster (see /var/log/postgresql/postgresql-$VERSION-$CLUSTER.log)"
fi

pg_isready -q -h 127.0.0.1 -p "$PORT" -t 30 || die "the cluster does not accept connections on 127.0.0.1:$PORT"

psql() { "$BIN/psql" -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$PORT" -U postgres "$@"; }

# A cluster set up by hand, or by an older version of this script, may not say trust.
method="$(psql -d postgres -tAc "SELECT auth_method FROM pg_hba_file_rules WHERE type = 'host' AND address = '127.0.0.1' ORDER BY line_number LIMIT 1")" ||
  die "cannot connect to 127.0.0.1:$PORT as postgres without a password"
[[ "$method" == trust ]] || die "pg_hba.conf of $VERSION/$CLUSTER says '$method' for 127.0.0.1, not trust"

preload="$(psql -d postgres -tAc "SHOW shared_preload_libraries")"
[[ "$preload" == *pg_cron* ]] || die "pg_cron is not loaded by $VERSION/$CLUSTER (shared_preload_libraries = '$preload')"

if [[ -z "$(psql -d postgres -tAc "SELECT 1 FROM pg_database WHERE datname = '$DATABASE'")" ]]; then
  say "creating database $DATABASE"
  psql -d postgres -c "CREATE DATABASE $DATABASE" >&2
fi

echo "postgres://postgres@127.0.0.1:$PORT/$DATABASE"
