#!/usr/bin/env bash
# bench/import.sh — a contacts CSV with Indonesian headers (default
# 1,000,000 rows, a few hundred bad rows and duplicates) through
# `relasi import` with validation, phone normalisation and dedupe on, on
# SQLite and PostgreSQL: rows per second and peak RSS of the process, the
# error report and the undo; and, in the same run, sqlite3's raw `.import`
# of the same file into an empty table, for the ratio. Writes the
# "import" section of docs/performance.md.
#
#   bench/import.sh                      # both engines, 1,000,000 rows
#   ROWS=100000 ENGINES=sqlite bench/import.sh
set -euo pipefail
cd "$(dirname "$0")/.."

ROWS=${ROWS:-1000000}
ENGINES=${ENGINES:-sqlite postgres}
WORK=${WORK:-/tmp/relasi-bench-import}
export RELASI_TEST_POSTGRES_URL=${RELASI_TEST_POSTGRES_URL:-postgres://postgres@127.0.0.1:5432/test?sslmode=disable}
command -v sqlite3 >/dev/null || { echo "bench/import.sh: needs the sqlite3 command-line tool (apt-get install sqlite3)" >&2; exit 1; }
[ -x /usr/bin/time ] || { echo "bench/import.sh: needs /usr/bin/time (apt-get install time)" >&2; exit 1; }
mkdir -p "$WORK"
: > "$WORK/results"

for engine in $ENGINES; do
	echo "== relasi import on $engine ($ROWS rows)" >&2
	RELASI_BENCH_DIR=$WORK RELASI_BENCH_ROWS=$ROWS RELASI_BENCH_ENGINE=$engine RELASI_BENCH_UNDO=1 \
		go test ./cmd/relasi -run '^$' -bench ImportMillionRows -benchtime 1x -timeout 8h | tee "$WORK/$engine.log" >&2
	grep '^RESULT' "$WORK/$engine.log" >> "$WORK/results" || { echo "bench/import.sh: the $engine run failed" >&2; exit 1; }
	grep -q '^ok' "$WORK/$engine.log" || { echo "bench/import.sh: the $engine run failed its checks" >&2; exit 1; }
done

if grep -q '^RESULT import engine=sqlite ' "$WORK/results"; then
	echo "== sqlite3 .import of the same file" >&2
	rm -f "$WORK/raw.db"
	/usr/bin/time -v sqlite3 "$WORK/raw.db" ".import --csv $WORK/kontak.csv raw" 2> "$WORK/sqlite3.time"
	raw_rows=$(sqlite3 "$WORK/raw.db" 'SELECT COUNT(*) FROM raw')
	raw_secs=$(awk -F': ' '/Elapsed \(wall clock\)/ { n = split($2, p, ":"); s = 0; for (i = 1; i <= n; i++) s = s * 60 + p[i]; print s }' "$WORK/sqlite3.time")
	raw_rss=$(awk -F': ' '/Maximum resident set size/ { print int($2 / 1024) }' "$WORK/sqlite3.time")
	echo "RESULT raw engine=sqlite rows=$raw_rows secs=$raw_secs rss_mb=$raw_rss" >> "$WORK/results"
fi
cat "$WORK/results" >&2

# field NAME LINE: the value of NAME=… in a RESULT line.
field() { sed -n "s/.* $1=\([^ ]*\).*/\1/p" <<<"$2"; }
rate() { awk -v n="$1" -v s="$2" 'BEGIN { if (s > 0) printf "%d", n / s; else print "—" }'; }

# One section per engine, so that the engines can be measured in separate runs.
for engine in $ENGINES; do
	{
		echo "A generated contacts file: $ROWS rows, Indonesian headers (Nama Depan, Nama Belakang, Telepon, Surel, Perusahaan, Jabatan, Kota), $(du -m "$WORK/kontak.csv" | cut -f1) MB, with bad phones, bad e-mails, rows without a name and repeated contacts (another spelling of the same phone and e-mail)."
		echo "\`relasi import contacts kontak.csv\` validates every row like a form, normalises phones to E.164, skips duplicates against the database and within the file, links or creates the company's account, writes history, lookups and the search index, and commits batches of 500 rows with a checkpoint; each command ran under \`/usr/bin/time -v\` (peak RSS is the whole process)."
		echo
		echo "| what | rows | created / skipped / failed | seconds | rows/s | peak RSS |"
		echo "|---|---:|---|---:|---:|---:|"
		grep " engine=$engine " "$WORK/results" | while read -r line; do
			kind=$(awk '{print $2}' <<<"$line"); secs=$(field secs "$line"); rss=$(field rss_mb "$line")
			case $kind in
			import) rows=$(field rows "$line")
				echo "| relasi import | $rows | $(field created "$line") / $(field skipped "$line") / $(field failed "$line") | $secs | $(rate "$rows" "$secs") | $rss MB |" ;;
			report) echo "| error report (\`relasi import --errors 1\`) | $(field rows "$line") rejected | | $secs | | $rss MB |" ;;
			undo) rows=$(field records "$line")
				echo "| undo (\`relasi import --undo 1\`) | $rows records | | $secs | $(rate "$rows" "$secs") | $rss MB |" ;;
			raw) rows=$(field rows "$line")
				echo "| sqlite3 \`.import --csv\` into an empty table, no checks | $rows | | $secs | $(rate "$rows" "$secs") | $rss MB |" ;;
			esac
		done
		imp=$(grep "^RESULT import engine=$engine " "$WORK/results")
		raw=$(grep "^RESULT raw engine=$engine " "$WORK/results" || true)
		if [ -n "$raw" ]; then
			ratio=$(awk -v a="$(field secs "$imp")" -v b="$(field secs "$raw")" 'BEGIN { printf "%.0f", a / b }')
			echo
			echo "relasi import took **${ratio}×** the time of sqlite3's raw \`.import\` of the same file (target: at most 2×; see “Import” under the targets for why it is not met)."
		fi
	} | go run ./bench/perfdoc -name "import-$engine" -title "Import: $ROWS contacts from CSV — $engine" -engine "$engine"
done
