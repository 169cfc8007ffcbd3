#!/usr/bin/env bash
# bench/gobench.sh — the Go benchmarks of the hot paths, on SQLite and
# PostgreSQL: the filter compiler, the contact list (filters and sorts, and
# the startswith type-ahead at 100,000 contacts), global search, the
# pipeline board, the importer and the exporter. Prints
# benchstat-ready output and writes a summary into docs/performance.md
# (section go-benchmarks).
#
# To compare a change: run `COUNT=6 DOC=0 bench/gobench.sh > old.txt` before
# and `… > new.txt` after, then `go run golang.org/x/perf/cmd/benchstat@latest
# old.txt new.txt`.
set -euo pipefail
cd "$(dirname "$0")/.."

export RELASI_TEST_POSTGRES_URL=${RELASI_TEST_POSTGRES_URL:-postgres://postgres@127.0.0.1:5432/test?sslmode=disable}
COUNT=${COUNT:-1}
out=$(mktemp)
trap 'rm -f "$out"' EXIT

go test -run '^$' -count "$COUNT" -benchtime "${BENCHTIME:-1s}" -timeout 60m \
	-bench 'BenchmarkCompile|BenchmarkListContacts|BenchmarkListStartsWith|BenchmarkSearch|BenchmarkBoard|BenchmarkImportContacts|BenchmarkExport' \
	./internal/filter ./internal/records ./internal/deals ./internal/imports ./internal/exports | tee "$out"

[[ ${DOC:-1} == 0 ]] && exit 0
{
	echo "\`bench/gobench.sh\` (\`go test -bench\`, one run of each; both engines where the benchmark takes a database). ns/op is per call: a compiled filter, a page of 50 contacts, a search, a whole board, an import of 5,000 rows, an export."
	echo
	echo "| benchmark | ns/op | per op | other |"
	echo "|---|---:|---:|---|"
	awk '/^Benchmark/ {
		name = $1; sub(/-[0-9]+$/, "", name); ns = $3
		human = (ns >= 1e9) ? sprintf("%.2f s", ns / 1e9) : (ns >= 1e6) ? sprintf("%.1f ms", ns / 1e6) : (ns >= 1e3) ? sprintf("%.1f µs", ns / 1e3) : sprintf("%d ns", ns)
		other = ""
		for (i = 5; i < NF; i += 2) other = other (other == "" ? "" : ", ") $i " " $(i + 1)
		printf "| %s | %d | %s | %s |\n", name, ns, human, other
	}' "$out"
} | go run ./bench/perfdoc -name go-benchmarks -title "Go benchmarks"
