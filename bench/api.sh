#!/usr/bin/env bash
# api.sh measures issue 5's "API under load" and "Footprint" on one engine:
#
#   - start-up: `relasi serve` from exec to its first 200 on /healthz, five
#     times (median and slowest), and its resident memory a second later;
#   - load: bench/loadgen with 32 clients, each scenario (get, list,
#     search, timeline, create, move) alone for 30 seconds;
#   - peak resident memory (VmHWM) of the server after the load.
#
# It builds relasi and loadgen, makes the demo data once (a million
# contacts take minutes; later runs reuse it), creates an API token for
# the demo admin, and writes the sections api-ENGINE and footprint-ENGINE
# of docs/performance.md with bench/perfdoc.
#
# Usage (see bench/README.md):
#   bench/api.sh sqlite
#   CONTACTS=20000 DURATION=5s bench/api.sh postgres
#
# Environment:
#   CONTACTS    demo size (default 1000000: 100,000 accounts, 200,000 deals,
#               2,000,000 activities, 500,000 orders)
#   CLIENTS     concurrent API clients (default 32)
#   DURATION    per scenario (default 30s); WARMUP before each (default 2s)
#   SCENARIOS   comma-separated subset of get,list,search,timeline,create,move
#   BENCH_DIR   binaries, logs and the SQLite data (default /tmp/bench)
#   DATA_DIR    SQLite data directory (default $BENCH_DIR/sqlite-$CONTACTS)
#   PG_URL      PostgreSQL server (default postgres://postgres@127.0.0.1:5432)
#   PG_DB       database for the demo (default relasi_bench)
#   PORT        the server's port on 127.0.0.1 (default 18090)
#   RESET=1     remake the demo data even when it is there
#   DOC=0       print the sections only; leave docs/performance.md alone
#
# Needs bash, go, curl and, for PostgreSQL, psql; no jq.
set -euo pipefail

engine=${1:-}
case $engine in
sqlite | postgres) ;;
*)
	echo "usage: bench/api.sh sqlite|postgres" >&2
	exit 2
	;;
esac
cd "$(dirname "$0")/.."

contacts=${CONTACTS:-1000000}
clients=${CLIENTS:-32}
duration=${DURATION:-30s}
warmup=${WARMUP:-2s}
scenarios=${SCENARIOS:-get,list,search,timeline,create,move}
bench_dir=${BENCH_DIR:-/tmp/bench}
port=${PORT:-18090}
base="http://127.0.0.1:$port"
bin="$bench_dir/relasi"
loadgen="$bench_dir/loadgen"
log="$bench_dir/api-$engine-server.log"

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

say() { echo "api.sh: $*" >&2; }

say "building relasi and loadgen into $bench_dir"
go build -o "$bin" ./cmd/relasi
go build -o "$loadgen" ./bench/loadgen

# storage: the flags that point relasi at the benchmark database.
if [[ $engine == sqlite ]]; then
	data_dir=${DATA_DIR:-$bench_dir/sqlite-$contacts}
	storage=(--data-dir "$data_dir")
	unset RELASI_DB
else
	pg_url=${PG_URL:-postgres://postgres@127.0.0.1:5432}
	pg_db=${PG_DB:-relasi_bench}
	data_dir="$bench_dir/postgres-data" # backups only; the data is in PostgreSQL
	export RELASI_DB="$pg_url/$pg_db?sslmode=disable"
	storage=(--data-dir "$data_dir")
fi

# The demo is made once per scale and remembered: on SQLite by a marker
# file in the data directory, on PostgreSQL by the database's comment.
# Either holds the demo's own summary line.
demo_made=""
if [[ $engine == sqlite ]]; then
	marker="$data_dir/demo-done"
	if [[ ${RESET:-} == 1 ]]; then
		rm -rf "$data_dir"
	fi
	if [[ -f $marker ]]; then
		demo_made=$(cat "$marker")
	elif [[ -e $data_dir ]]; then
		say "$data_dir exists but holds no finished demo; remove it or run with RESET=1"
		exit 1
	fi
else
	admin_url="$pg_url/postgres?sslmode=disable"
	exists=$(psql "$admin_url" -Atc "SELECT 1 FROM pg_database WHERE datname = '$pg_db'")
	if [[ -n $exists && ${RESET:-} == 1 ]]; then
		psql "$admin_url" -qc "DROP DATABASE $pg_db" >/dev/null
		exists=""
	fi
	if [[ -z $exists ]]; then
		psql "$admin_url" -qc "CREATE DATABASE $pg_db" >/dev/null
	fi
	demo_made=$(psql "$admin_url" -Atc "SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = '$pg_db'")
	if [[ -z $demo_made ]] && [[ $(psql "$RELASI_DB" -Atc "SELECT count(*) FROM information_schema.tables WHERE table_name = 'contacts'") != 0 ]]; then
		say "$pg_db has tables but no finished demo; run with RESET=1 to remake it"
		exit 1
	fi
fi
if [[ -n $demo_made && $demo_made != "contacts=$contacts;"* ]]; then
	say "the benchmark database holds another demo ($demo_made); run with RESET=1 to remake it with $contacts contacts"
	exit 1
fi
if [[ -z $demo_made ]]; then
	say "making the demo with $contacts contacts (a million take several minutes)"
	mkdir -p "$data_dir"
	summary=$("$bin" demo --contacts "$contacts" "${storage[@]}" 2>"$work/demo.log" | sed -n 1p) || {
		cat "$work/demo.log" >&2
		exit 1
	}
	demo_made="contacts=$contacts; $summary"
	if [[ $engine == sqlite ]]; then
		echo "$demo_made" >"$marker"
	else
		# What autovacuum would have done by the time anyone used the data.
		say "VACUUM ANALYZE"
		psql "$RELASI_DB" -qc "VACUUM ANALYZE" >/dev/null
		psql "$admin_url" -qc "COMMENT ON DATABASE $pg_db IS '${demo_made//\'/\'\'}'" >/dev/null
	fi
fi
say "data: ${demo_made#*; }"

token=$("$bin" token create --email admin@relasi.demo --name bench-api "${storage[@]}" 2>"$work/token.log" | tail -n 1) || {
	cat "$work/token.log" >&2
	exit 1
}

# Start-up: five starts, timed by loadgen's 2 ms poll of /healthz.
say "start-up: 5 runs"
: >"$log"
"$loadgen" -startup -runs 5 -base "$base" -server-log "$log" -- "$bin" serve --addr "127.0.0.1:$port" "${storage[@]}" >"$work/startup"
value() { grep "^$1=" "$work/startup" | cut -d= -f2; }

# Load: one server for every scenario, as in production.
"$bin" serve --addr "127.0.0.1:$port" "${storage[@]}" >>"$log" 2>&1 &
server_pid=$!
for ((i = 0; i < 3000; i++)); do
	curl -sf -o /dev/null "$base/healthz" && break
	kill -0 "$server_pid" 2>/dev/null || {
		say "the server stopped; see $log"
		exit 1
	}
	sleep 0.01
done
"$loadgen" -base "$base" -token "$token" -clients "$clients" -duration "$duration" -warmup "$warmup" \
	-scenarios "$scenarios" >"$work/load.md"
status_kb() { awk -v k="$1:" '$1 == k { print $2 }' "/proc/$server_pid/status"; }
hwm_kb=$(status_kb VmHWM)
rss_kb=$(status_kb VmRSS)
kill "$server_pid"
wait "$server_pid" 2>/dev/null || true
server_pid=""

# mb turns kB (KiB, as /proc gives them) into MB of 10^6 bytes.
mb() { awk -v kb="$1" 'BEGIN { printf "%.0f", kb * 1024 / 1e6 }'; }
met() { awk -v v="$1" -v t="$2" 'BEGIN { print (v < t) ? "yes" : "**no**" }'; }
startup_median=$(value startup_median_ms)
startup_max=$(value startup_max_ms)
idle_mb=$(mb "$(value idle_rss_kb)")
peak_mb=$(mb "$hwm_kb")
after_mb=$(mb "$rss_kb")
data="Data: \`relasi demo --contacts $contacts\` (${demo_made#*; }). Server and load generator on the same machine, sharing its cores; the server logs every request to a file."

# server_times prints the server's own time per route from its request
# log (duration_ms), to tell time in the server from time in the queue.
server_times() {
	grep 'msg=request' "$log" | awk '{
		m = r = d = ""
		for (i = 1; i <= NF; i++) {
			split($i, kv, "=")
			if (kv[1] == "method") m = kv[2]
			else if (kv[1] == "route") r = kv[2]
			else if (kv[1] == "duration_ms") d = kv[2]
		}
		if (r ~ /^\/api\//) printf "%s %s\t%s\n", m, r, d
	}' | sort -t "$(printf '\t')" -k1,1 -k2,2n | awk -F '\t' '
		function row() { printf "| %s | %d | %.1f | %.1f | %.1f | %.1f |\n", k, n, v[int(n * 0.5) + 1], v[int(n * 0.9) + 1], v[int(n * 0.99) + 1], v[n] }
		$1 != k { if (n) row(); k = $1; n = 0 }
		{ v[++n] = $2 }
		END { if (n) row() }'
}

{
	echo "$data"
	echo
	cat "$work/load.md"
	echo
	echo "The server's own time per route (its request log's duration_ms, warm-ups and discovery included), in ms:"
	echo
	echo "| Route | Requests | p50 | p90 | p99 | Max |"
	echo "|---|--:|--:|--:|--:|--:|"
	server_times
	echo
	echo "Targets (issue 5) are for SQLite with 32 clients. Run: \`CONTACTS=$contacts CLIENTS=$clients DURATION=$duration bench/api.sh $engine\`."
} >"$work/api.md"

{
	echo "$data"
	echo
	echo "| Measure | Value | Target | Met |"
	echo "|---|--:|--:|---|"
	echo "| Start-up to the first 200 on /healthz, median of 5 | $startup_median ms | < 300 ms | $(met "$startup_median" 300) |"
	echo "| Start-up, slowest of 5 | $startup_max ms | < 300 ms | $(met "$startup_max" 300) |"
	echo "| Resident memory 1 s after start (VmRSS), median of 5 | $idle_mb MB | | |"
	echo "| Resident memory at the end of the load run (VmRSS) | $after_mb MB | | |"
	echo "| Peak resident memory over start-up and the load run (VmHWM) | $peak_mb MB | < 150 MB | $(met "$peak_mb" 150) |"
	echo
	echo "Start-ups: $(value startup_ms | sed 's/,/, /g') ms. Memory of the relasi process only (MB = 10^6 bytes)$([[ $engine == postgres ]] && echo ", not of PostgreSQL"). The load run is the one of \"API under load — $engine\": $clients clients, $duration per scenario."
} >"$work/footprint.md"

cat "$work/api.md"
echo
cat "$work/footprint.md"
if [[ ${DOC:-1} != 0 ]]; then
	go run ./bench/perfdoc -name "api-$engine" -title "API under load — $engine" -engine "$engine" <"$work/api.md"
	go run ./bench/perfdoc -name "footprint-$engine" -title "Footprint — $engine" -engine "$engine" <"$work/footprint.md"
fi
