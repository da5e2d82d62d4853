#!/usr/bin/env bash
# The test command: gofmt, go vet, go test -race against real Postgres and
# ClickHouse, and every benchmark run once.
#
# Works on a fresh Debian 12 machine as root (CI=true, no stdin) and is
# idempotent: services already running are reused.
#
#   SENTRAZONE_TEST_POSTGRES_URL    use this Postgres instead of the local one
#   SENTRAZONE_TEST_CLICKHOUSE_URL  use this ClickHouse instead of the local one
#   SENTRAZONE_CI_STATE_DIR         where the script keeps its state
#                                   (default /var/tmp/sentrazone-ci)
#
# Without the URLs it installs (apt) and starts what is missing:
#   Postgres: the Debian cluster, role sentrazone_test (password kept in the
#             state dir, CREATEDB), database sentrazone_test, on 127.0.0.1.
#   ClickHouse: clickhouse-server as user clickhouse with its own config,
#             listening on 127.0.0.1:9000 (native) and :8123 (HTTP), data and
#             logs under $SENTRAZONE_CI_STATE_DIR/clickhouse, user default
#             without password from localhost only, database sentrazone_test.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
STATE_DIR=${SENTRAZONE_CI_STATE_DIR:-/var/tmp/sentrazone-ci}
TEST_DB=sentrazone_test
PG_ROLE=sentrazone_test
CH_HOST=127.0.0.1
CH_TCP_PORT=9000
CH_HTTP_PORT=8123
WAIT_SECONDS=${SENTRAZONE_CI_WAIT_SECONDS:-90}

step() { printf '==> %s\n' "$*"; }
note() { printf '    %s\n' "$*"; }
die() { printf 'test.sh: error: %s\n' "$*" >&2; exit 1; }

# as_root runs a command as root (directly, or through sudo when not root).
as_root() {
	if [[ $EUID -eq 0 ]]; then
		"$@"
	elif command -v sudo >/dev/null 2>&1; then
		sudo -n "$@"
	else
		die "need root (or sudo) to run: $*"
	fi
}

# as_user USER CMD... runs a command as another OS user.
as_user() {
	local user=$1
	shift
	if [[ $EUID -eq 0 ]]; then
		runuser -u "$user" -- "$@"
	else
		sudo -n -u "$user" -- "$@"
	fi
}

APT_UPDATED=0
apt_install() {
	command -v apt-get >/dev/null 2>&1 || die "apt-get not found; install $* by hand"
	if [[ $APT_UPDATED -eq 0 ]]; then
		as_root apt-get update -q
		APT_UPDATED=1
	fi
	# 9>&- : services started by the package must not inherit the setup lock.
	as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q "$@" 9>&-
}

# ---------------------------------------------------------------- toolchain

ensure_toolchain() {
	step "toolchain"
	command -v go >/dev/null 2>&1 || die "go is not on PATH (Go $(sed -n 's/^go //p' "$ROOT/go.mod") or newer is needed)"
	# go test -race needs cgo, hence a C compiler.
	if ! command -v gcc >/dev/null 2>&1; then
		note "installing gcc (needed by go test -race)"
		apt_install gcc libc6-dev
	fi
	note "$(go version)"
}

# ----------------------------------------------------------------- postgres

# pg_cluster prints "version name port status" of the cluster to use: the one
# on port 5432 if any, else the first one.
pg_cluster() {
	pg_lsclusters -h 2>/dev/null | awk '
		$3 == 5432 { print $1, $2, $3, $4; found = 1; exit }
		first == "" { first = $1 " " $2 " " $3 " " $4 }
		END { if (!found && first != "") print first }'
}

ensure_postgres() {
	step "postgres"
	if [[ -n ${SENTRAZONE_TEST_POSTGRES_URL:-} ]]; then
		note "using SENTRAZONE_TEST_POSTGRES_URL from the environment"
		return
	fi
	if ! command -v pg_lsclusters >/dev/null 2>&1 || ! ls /usr/lib/postgresql/*/bin/postgres >/dev/null 2>&1; then
		note "installing postgresql"
		apt_install postgresql
	fi
	local cluster
	cluster=$(pg_cluster)
	if [[ -z $cluster ]]; then
		local ver
		ver=$(ls /usr/lib/postgresql | sort -n | tail -1)
		note "creating cluster $ver/main"
		as_root pg_createcluster "$ver" main 9>&-
		cluster=$(pg_cluster)
	fi
	local ver name port status
	read -r ver name port status <<<"$cluster"
	if [[ $status != online* ]]; then
		note "starting cluster $ver/$name"
		as_root pg_ctlcluster --skip-systemctl-redirect "$ver" "$name" start 9>&- ||
			note "pg_ctlcluster start failed; waiting anyway"
	fi
	note "waiting for 127.0.0.1:$port"
	local i
	for ((i = 0; i < WAIT_SECONDS; i++)); do
		pg_isready -q -h 127.0.0.1 -p "$port" && break
		sleep 1
	done
	if ! pg_isready -q -h 127.0.0.1 -p "$port"; then
		tail -n 30 "/var/log/postgresql/postgresql-$ver-$name.log" >&2 2>/dev/null || true
		die "postgres $ver/$name did not answer on 127.0.0.1:$port within ${WAIT_SECONDS}s"
	fi

	# Over the Unix socket as the postgres OS user: works with Debian's
	# default peer auth as well as with trust.
	local pw_file="$STATE_DIR/postgres-password" pw
	if [[ ! -s $pw_file ]]; then
		(umask 077 && od -An -tx1 -N16 /dev/urandom | tr -d ' \n' >"$pw_file")
	fi
	pw=$(<"$pw_file")
	as_user postgres psql -X -q -v ON_ERROR_STOP=1 -p "$port" -d postgres -v pw="$pw" <<SQL
SELECT 'CREATE ROLE $PG_ROLE' WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '$PG_ROLE')\gexec
ALTER ROLE $PG_ROLE WITH LOGIN CREATEDB PASSWORD :'pw';
SELECT 'CREATE DATABASE $TEST_DB OWNER $PG_ROLE' WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = '$TEST_DB')\gexec
SQL
	export SENTRAZONE_TEST_POSTGRES_URL="postgres://$PG_ROLE:$pw@127.0.0.1:$port/$TEST_DB?sslmode=disable"
	psql -X -q -t -c 'SELECT 1' "$SENTRAZONE_TEST_POSTGRES_URL" >/dev/null ||
		die "cannot connect as $PG_ROLE to 127.0.0.1:$port/$TEST_DB (check pg_hba.conf allows password auth on 127.0.0.1)"
	note "postgres://$PG_ROLE:***@127.0.0.1:$port/$TEST_DB"
}

# --------------------------------------------------------------- clickhouse

CH_DIR="$STATE_DIR/clickhouse"

ch_query() {
	timeout 20 clickhouse-client --host "$CH_HOST" --port "$CH_TCP_PORT" --query "$1"
}

ch_answers() {
	ch_query 'SELECT 1' >/dev/null 2>&1
}

write_clickhouse_config() {
	mkdir -p "$CH_DIR"/{data,tmp,user_files,format_schemas,log}
	cat >"$CH_DIR/config.xml" <<XML
<?xml version="1.0"?>
<!-- Written by scripts/test.sh: a test server for Sentrazone, loopback only. -->
<yandex>
    <logger>
        <level>information</level>
        <log>$CH_DIR/log/clickhouse-server.log</log>
        <errorlog>$CH_DIR/log/clickhouse-server.err.log</errorlog>
        <size>50M</size>
        <count>2</count>
    </logger>
    <listen_host>$CH_HOST</listen_host>
    <tcp_port>$CH_TCP_PORT</tcp_port>
    <http_port>$CH_HTTP_PORT</http_port>
    <max_connections>1024</max_connections>
    <keep_alive_timeout>3</keep_alive_timeout>
    <max_concurrent_queries>100</max_concurrent_queries>
    <uncompressed_cache_size>134217728</uncompressed_cache_size>
    <mark_cache_size>134217728</mark_cache_size>
    <path>$CH_DIR/data/</path>
    <tmp_path>$CH_DIR/tmp/</tmp_path>
    <user_files_path>$CH_DIR/user_files/</user_files_path>
    <format_schema_path>$CH_DIR/format_schemas/</format_schema_path>
    <users_config>$CH_DIR/users.xml</users_config>
    <default_profile>default</default_profile>
    <default_database>default</default_database>
    <timezone>UTC</timezone>
    <mlock_executable>false</mlock_executable>
    <max_table_size_to_drop>0</max_table_size_to_drop>
    <max_partition_size_to_drop>0</max_partition_size_to_drop>
</yandex>
XML
	cat >"$CH_DIR/users.xml" <<'XML'
<?xml version="1.0"?>
<!-- Written by scripts/test.sh: user default, no password, localhost only. -->
<yandex>
    <profiles>
        <default>
            <max_memory_usage>4000000000</max_memory_usage>
            <load_balancing>random</load_balancing>
        </default>
    </profiles>
    <users>
        <default>
            <password></password>
            <networks>
                <ip>::1</ip>
                <ip>127.0.0.1</ip>
            </networks>
            <profile>default</profile>
            <quota>default</quota>
        </default>
    </users>
    <quotas>
        <default>
            <interval>
                <duration>3600</duration>
                <queries>0</queries>
                <errors>0</errors>
                <result_rows>0</result_rows>
                <read_rows>0</read_rows>
                <execution_time>0</execution_time>
            </interval>
        </default>
    </quotas>
</yandex>
XML
}

start_clickhouse() {
	local pid_file="$CH_DIR/clickhouse-server.pid"
	if [[ -s $pid_file ]] && kill -0 "$(<"$pid_file")" 2>/dev/null; then
		note "clickhouse-server (pid $(<"$pid_file")) is running but not answering yet"
		return
	fi
	write_clickhouse_config
	rm -f "$pid_file"
	local -a run=()
	# Run as the clickhouse user (the package's), which must own the data.
	if id clickhouse >/dev/null 2>&1; then
		as_root chown -R clickhouse:clickhouse "$CH_DIR"
		if as_user clickhouse test -w "$CH_DIR/data"; then
			run=(as_user clickhouse)
		else
			note "user clickhouse cannot reach $CH_DIR; running as $(id -un)"
		fi
	fi
	note "starting clickhouse-server (data and logs in $CH_DIR)"
	# 9>&- : the daemon must not inherit the setup lock.
	"${run[@]}" clickhouse-server --config-file="$CH_DIR/config.xml" \
		--pid-file="$pid_file" --daemon 9>&- ||
		note "clickhouse-server --daemon exited with $?; waiting anyway"
}

ensure_clickhouse() {
	step "clickhouse"
	if [[ -n ${SENTRAZONE_TEST_CLICKHOUSE_URL:-} ]]; then
		note "using SENTRAZONE_TEST_CLICKHOUSE_URL from the environment"
		return
	fi
	if ! command -v clickhouse-server >/dev/null 2>&1 || ! command -v clickhouse-client >/dev/null 2>&1; then
		note "installing clickhouse-server and clickhouse-client"
		apt_install clickhouse-server clickhouse-client
	fi
	if ch_answers; then
		note "reusing the server answering on $CH_HOST:$CH_TCP_PORT"
	else
		start_clickhouse
		note "waiting for $CH_HOST:$CH_TCP_PORT"
		local i
		for ((i = 0; i < WAIT_SECONDS; i++)); do
			ch_answers && break
			sleep 1
		done
		if ! ch_answers; then
			local f
			for f in "$CH_DIR"/log/*.log; do
				[[ -s $f ]] || continue
				printf -- '--- tail of %s\n' "$f" >&2
				tail -n 30 "$f" >&2
			done
			die "clickhouse did not answer on $CH_HOST:$CH_TCP_PORT within ${WAIT_SECONDS}s"
		fi
	fi
	ch_query "CREATE DATABASE IF NOT EXISTS $TEST_DB"
	export SENTRAZONE_TEST_CLICKHOUSE_URL="clickhouse://$CH_HOST:$CH_TCP_PORT/$TEST_DB"
	note "$SENTRAZONE_TEST_CLICKHOUSE_URL ($(ch_query 'SELECT version()'))"
}

# --------------------------------------------------------------------- main

cd "$ROOT"
mkdir -p "$STATE_DIR"
chmod 755 "$STATE_DIR" 2>/dev/null || true # the clickhouse user must traverse it

# One setup at a time per machine; released before the tests run.
exec 9>"$STATE_DIR/setup.lock"
flock 9

ensure_toolchain
ensure_postgres
ensure_clickhouse

exec 9>&-

step "gofmt"
unformatted=$(gofmt -l .)
if [[ -n $unformatted ]]; then
	printf '%s\n' "$unformatted" >&2
	die "gofmt: the files above need gofmt -w"
fi

step "go vet"
go vet ./...

step "go test"
go test -race -count=1 -timeout 15m ./...

# Every Go benchmark once, so that none rots; no timing is asserted (the
# figures are in docs/PERFORMANCE.md, measured apart).
step "go test -bench (each benchmark once)"
go test -run '^$' -bench . -benchtime 1x -count=1 -timeout 10m ./...
