#!/usr/bin/env bash
# bench/vs-limit.sh — Relasi beside "limit", a bare net/http + SQLite
# contacts server that does the least a contacts API can do (no auth, no
# validation, no history, no search index), in one run on one machine, so
# that the ratios mean something on a shared, noisy box.
#
# Both get the same generated contacts (ROWS, default 100,000) through their
# own import, then the same wrk load (bench/limit.lua's twin, the limit's
# bench.lua) with CONNS connections for DURATION per request kind:
#
#   get     GET one contact by a random ID
#   list    50 contacts whose name (Relasi: first_name startswith, and
#           last_name for "budi.s") or e-mail (limit) starts with a prefix
#   search  Relasi's global search for the same prefixes (limit has none:
#           the ratio is to limit's list)
#   create  POST a new contact
#
# It prints a Markdown table of req/s, p50 and p99 for each, and Relasi ÷
# limit, and the two imports' rows per second.
#
#   LIMIT_DIR=path/to/limit bench/vs-limit.sh
#
# Needs Go, wrk (Debian: apt-get install -y wrk) and curl.
set -euo pipefail
cd "$(dirname "$0")/.."

LIMIT_DIR=${LIMIT_DIR:-../shared/limit}
ROWS=${ROWS:-100000}
CONNS=${CONNS:-32}
THREADS=${THREADS:-2}
DURATION=${DURATION:-15s}
WORK=${WORK:-/tmp/relasi-vs-limit}
LIMIT_ADDR=${LIMIT_ADDR:-127.0.0.1:18181}
RELASI_ADDR=${RELASI_ADDR:-127.0.0.1:18182}

command -v wrk >/dev/null || { echo "bench/vs-limit.sh: needs wrk (apt-get install -y wrk)" >&2; exit 1; }
[ -f "$LIMIT_DIR/bench.lua" ] || { echo "bench/vs-limit.sh: no limit server in LIMIT_DIR=$LIMIT_DIR" >&2; exit 1; }

mkdir -p "$WORK/bin"
rm -rf "$WORK/limit.db"* "$WORK/relasi"
go -C "$LIMIT_DIR" build -o "$WORK/bin/" ./cmd/limit ./cmd/gen
go build -o "$WORK/bin/relasi" ./cmd/relasi
LUA="$LIMIT_DIR/bench.lua"

"$WORK/bin/gen" -n "$ROWS" -seed 42 -o "$WORK/contacts.csv" >&2

now() { date +%s.%N; }
rate() { awk -v n="$1" -v a="$2" -v b="$3" 'BEGIN { printf "%d", n / (b - a) }'; }

echo "== import into limit" >&2
t0=$(now); "$WORK/bin/limit" -db "$WORK/limit.db" -import "$WORK/contacts.csv" >&2; t1=$(now)
limit_import=$(rate "$ROWS" "$t0" "$t1")

echo "== relasi import (every check on)" >&2
R=("$WORK/bin/relasi")
"${R[@]}" user create --data-dir "$WORK/relasi" --email admin@bench.local --name Admin --role admin --password 'bench-rahasia-123' >&2
# HubSpot's "other" lifecycle stage has no Relasi counterpart: left empty
# rather than refused, so that both servers hold every row.
echo '{"lifecycle_stage": {"field": "lifecycle_stage", "values": {"other": "!empty"}}}' >"$WORK/mapping.json"
t0=$(now); "${R[@]}" import contacts "$WORK/contacts.csv" --mapping "$WORK/mapping.json" --data-dir "$WORK/relasi" --as admin@bench.local >&2; t1=$(now)
relasi_import=$(rate "$ROWS" "$t0" "$t1")
TOKEN=$("${R[@]}" token create --data-dir "$WORK/relasi" --email admin@bench.local --name bench)
ACCOUNT=1

"$WORK/bin/limit" -db "$WORK/limit.db" -addr "$LIMIT_ADDR" >"$WORK/limit.log" 2>&1 &
limit_pid=$!
"${R[@]}" serve --data-dir "$WORK/relasi" --addr "$RELASI_ADDR" >"$WORK/relasi.log" 2>&1 &
relasi_pid=$!
trap 'kill $limit_pid $relasi_pid 2>/dev/null || true' EXIT
for u in "http://$LIMIT_ADDR/contacts/1" "http://$RELASI_ADDR/healthz"; do
	for _ in $(seq 100); do curl -fsS -o /dev/null "$u" 2>/dev/null && break; sleep 0.1; done
done

# run NAME URL MODE ARGS…: one wrk run; prints "req/s p50 p99 non2xx".
run() {
	local url=$1; shift
	wrk -t"$THREADS" -c"$CONNS" -d"$DURATION" --latency -s "$LUA" "$url" -- "$@" 2>&1 |
		awk '/^RESULT/ { print $3, $4, $5, $7 }'
}

declare -A L R_
echo "== load: $CONNS connections, $DURATION each" >&2
L[get]=$(run "http://$LIMIT_ADDR" id '/contacts/%d' "$ROWS")
R_[get]=$(BENCH_TOKEN=$TOKEN run "http://$RELASI_ADDR" id '/api/v1/contacts/%d' "$ROWS")
L[list]=$(run "http://$LIMIT_ADDR" list '/contacts?limit=50&q={p}')
R_[list]=$(BENCH_TOKEN=$TOKEN run "http://$RELASI_ADDR" list '/api/v1/contacts?limit=50&filter={name}')
R_[search]=$(BENCH_TOKEN=$TOKEN run "http://$RELASI_ADDR" list '/api/v1/search?limit=50&q={p}')
L[search]=${L[list]}
L[create]=$(run "http://$LIMIT_ADDR" post '/contacts')
R_[create]=$(BENCH_TOKEN=$TOKEN run "http://$RELASI_ADDR" rpost '/api/v1/contacts' "$ACCOUNT")

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "—" }'; }

echo
echo "$ROWS contacts, SQLite, $CONNS connections for $DURATION each, one run on $(nproc) cores ($(date -u +%Y-%m-%d))."
echo
echo "| request | Relasi req/s | p50 / p99 ms | limit req/s | p50 / p99 ms | Relasi ÷ limit |"
echo "|---|---:|---:|---:|---:|---:|"
for k in get list search create; do
	read -r rq rp50 rp99 rbad <<<"${R_[$k]}"
	read -r lq lp50 lp99 lbad <<<"${L[$k]}"
	note=""
	[ "$rbad" != "0" ] && note=" ($rbad not 2xx)"
	[ "$k" = search ] && note="$note (to limit's list)"
	echo "| $k | $rq | $rp50 / $rp99 | $lq | $lp50 / $lp99 | $(ratio "$rq" "$lq")$note |"
done
echo "| import $ROWS rows | $relasi_import rows/s | | $limit_import rows/s | | $(ratio "$relasi_import" "$limit_import") |"
