#!/usr/bin/env bash
# soak.sh runs the mixed soak against a real `relasi serve` on one engine:
# 32 clients for 10 minutes, each request drawn from reads (get, list,
# search, timeline), writes (create, update with If-Match), imports and
# exports, through `bench/loadgen -soak`. It passes when no answer was a
# 5xx, the server's memory is flat after warm-up, and every write the
# server acknowledged with a 2xx reads back as acknowledged at the end.
#
# It builds relasi and loadgen, makes a fresh demo database (the soak
# changes the data, so each run starts from the same state), creates an
# API token for the demo admin, and writes the section soak-ENGINE of
# docs/performance.md with bench/perfdoc.
#
# Usage (see bench/README.md):
#   bench/soak.sh sqlite
#   DURATION=1m DOC=0 bench/soak.sh postgres     # a quick check
#
# Environment:
#   CONTACTS    demo size (default 20000: 2,000 accounts, 4,000 deals,
#               40,000 activities, 10,000 orders)
#   CLIENTS     concurrent API clients (default 32)
#   DURATION    how long the soak runs (default 10m)
#   WARMUP      memory samples before this do not count (default 2m)
#   SAMPLE      how often memory is sampled (default 10s)
#   BENCH_DIR   binaries, logs and the SQLite data (default /tmp/bench-soak)
#   PG_URL      PostgreSQL server (default postgres://postgres@127.0.0.1:5432)
#   PG_DB       database for the soak (default relasi_soak; dropped and made again)
#   PORT        the server's port on 127.0.0.1 (default 18095)
#   DOC=0       print the section only; leave docs/performance.md alone
#
# Needs bash, go, curl and, for PostgreSQL, psql.
set -euo pipefail

engine=${1:-}
case $engine in
sqlite | postgres) ;;
*)
	echo "usage: bench/soak.sh sqlite|postgres" >&2
	exit 2
	;;
esac
cd "$(dirname "$0")/.."

contacts=${CONTACTS:-20000}
clients=${CLIENTS:-32}
duration=${DURATION:-10m}
warmup=${WARMUP:-2m}
sample=${SAMPLE:-10s}
bench_dir=${BENCH_DIR:-/tmp/bench-soak}
port=${PORT:-18095}
base="http://127.0.0.1:$port"
bin="$bench_dir/relasi"
loadgen="$bench_dir/loadgen"
log="$bench_dir/soak-$engine-server.log"

mkdir -p "$bench_dir"
work=$(mktemp -d)
server_pid=""
cleanup() {
	if [[ -n $server_pid ]]; then
		kill "$server_pid" 2>/dev/null || true
		wait "$server_pid" 2>/dev/null || true
	fi
	rm -rf "$work"
}
trap cleanup EXIT

say() { echo "soak.sh: $*" >&2; }

say "building relasi and loadgen into $bench_dir"
go build -o "$bin" ./cmd/relasi
go build -o "$loadgen" ./bench/loadgen

data_dir="$bench_dir/$engine-data"
rm -rf "$data_dir"
mkdir -p "$data_dir"
storage=(--data-dir "$data_dir")
if [[ $engine == sqlite ]]; then
	unset RELASI_DB
else
	pg_url=${PG_URL:-postgres://postgres@127.0.0.1:5432}
	pg_db=${PG_DB:-relasi_soak}
	admin_url="$pg_url/postgres?sslmode=disable"
	psql "$admin_url" -qc "DROP DATABASE IF EXISTS $pg_db" >/dev/null
	psql "$admin_url" -qc "CREATE DATABASE $pg_db" >/dev/null
	export RELASI_DB="$pg_url/$pg_db?sslmode=disable"
fi

say "making the demo with $contacts contacts"
summary=$("$bin" demo --contacts "$contacts" "${storage[@]}" 2>"$work/demo.log" | sed -n 1p) || {
	cat "$work/demo.log" >&2
	exit 1
}
if [[ $engine == postgres ]]; then
	psql "$RELASI_DB" -qc "VACUUM ANALYZE" >/dev/null
fi
token=$("$bin" token create --email admin@relasi.demo --name bench-soak "${storage[@]}" 2>"$work/token.log" | tail -n 1) || {
	cat "$work/token.log" >&2
	exit 1
}

"$bin" serve --addr "127.0.0.1:$port" "${storage[@]}" >"$log" 2>&1 &
server_pid=$!
for ((i = 0; i < 3000; i++)); do
	curl -sf -o /dev/null "$base/healthz" && break
	kill -0 "$server_pid" 2>/dev/null || {
		say "the server stopped; see $log"
		exit 1
	}
	sleep 0.01
done

say "soak: $clients clients for $duration"
soak_rc=0
"$loadgen" -soak -pid "$server_pid" -base "$base" -token "$token" -clients "$clients" -duration "$duration" \
	-soak-warmup "$warmup" -sample "$sample" >"$work/soak.md" || soak_rc=$?
kill "$server_pid"
wait "$server_pid" 2>/dev/null || true
server_pid=""
panics=$(grep -c 'panic\|level=ERROR' "$log" || true)
# What they were: each distinct message once, with how often it came.
what=$(grep 'panic\|level=ERROR' "$log" | sed -n 's/.*msg="\{0,1\}\([^"=]*\)"\{0,1\} [a-z_]*=.*/\1/p' | sort | uniq -c |
	awk '{ n = $1; $1 = ""; printf "%s%s × %d", sep, substr($0, 2), n; sep = "; " }')

{
	echo "Data: \`relasi demo --contacts $contacts\` ($summary), made fresh for the run. Server and load generator on the same machine, sharing its cores; the server logs every request to a file."
	echo
	cat "$work/soak.md"
	echo
	echo "Errors or panics in the server's log: $panics${what:+ ($what)}. Run: \`CONTACTS=$contacts CLIENTS=$clients DURATION=$duration bench/soak.sh $engine\`."
} >"$work/section.md"
cat "$work/section.md"
if [[ ${DOC:-1} != 0 ]]; then
	go run ./bench/perfdoc -name "soak-$engine" -title "Soak: ten minutes of mixed load — $engine" -engine "$engine" <"$work/section.md"
fi
if [[ $soak_rc != 0 ]]; then
	say "the soak failed (loadgen exit $soak_rc)"
	exit "$soak_rc"
fi
