#!/usr/bin/env bash
# bench/import-web.sh — a CSV through the web UI of a running Relasi, as a
# person does it: sign in, upload on /imports/new, keep the guessed
# mapping, let the check (a dry run, in the background for large files)
# finish, start the import, wait for it, then undo it. Prints the counts
# and how long each step took; the server does the work in River jobs.
#
#   bench/import-web.sh http://127.0.0.1:18080 /tmp/relasi-bench-import/kontak.csv
#
# Environment: RELASI (the binary, for an API token to poll with),
# RELASI_DB / RELASI_DATA_DIR (the server's database), EMAIL, PASSWORD
# (default: the demo admin), UNDO=0 to keep the imported records.
set -euo pipefail

base=${1:?usage: bench/import-web.sh BASE_URL FILE}
file=${2:?usage: bench/import-web.sh BASE_URL FILE}
relasi=${RELASI:-relasi}
email=${EMAIL:-admin@relasi.demo}
password=${PASSWORD:-relasi-demo}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
jar=$work/jar

json() { grep -o "\"$1\":[^,}]*" | head -n 1 | sed -e "s/^\"$1\"://" -e 's/[]["]//g'; }
csrf() { curl -sf -c "$jar" -b "$jar" "$base$1" | grep -o 'name="csrf_token" value="[^"]*"' | head -n 1 | sed 's/.*value="//; s/"$//'; }
now() { date +%s.%N; }
since() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }'; }

token=$("$relasi" token create --email "$email" --name "bench-import-web" 2>/dev/null | tail -n 1)
curl -sf -c "$jar" -b "$jar" -o /dev/null --data-urlencode "csrf_token=$(csrf /login)" \
	--data-urlencode "email=$email" --data-urlencode "password=$password" "$base/login"

# wait ID STATUS...: poll the API until the import reaches one of STATUS.
wait_for() {
	local id=$1 status
	shift
	while :; do
		status=$(curl -sf -H "Authorization: Bearer $token" "$base/api/v1/imports/$id" | json status)
		for s in "$@"; do [[ $status == "$s" ]] && return 0; done
		[[ $status == failed ]] && { echo "import $id failed:" >&2; curl -s -H "Authorization: Bearer $token" "$base/api/v1/imports/$id" >&2; exit 1; }
		sleep 1
	done
}
counts() { curl -sf -H "Authorization: Bearer $token" "$base/api/v1/imports/$1" | grep -o '"counts":{[^}]*}'; }

t=$(now)
mapping=$(curl -s -c "$jar" -b "$jar" -o /dev/null -w '%{redirect_url}' -F "csrf_token=$(csrf /imports/new)" \
	-F entity=contacts -F "file=@$file" "$base/imports/new")
[[ $mapping =~ /imports/([0-9]+)/mapping ]] || { echo "the upload did not lead to the mapping page: '$mapping'" >&2; exit 1; }
check_id=${BASH_REMATCH[1]}
echo "upload of $(du -m "$file" | cut -f1) MB: $(since "$t") s (import $check_id)"

# The guessed mapping, as the page's selects hold it.
page=$(curl -sf -c "$jar" -b "$jar" "$base/imports/$check_id/mapping")
form=(--data-urlencode "csrf_token=$(grep -o 'name="csrf_token" value="[^"]*"' <<<"$page" | head -n 1 | sed 's/.*value="//; s/"$//')" \
	--data-urlencode on_duplicate=skip --data-urlencode save_mapping=1)
while read -r name value; do
	form+=(--data-urlencode "$name=$value")
	echo "  column $name → ${value:-(left out)}"
done < <(awk '/<select id="col_/ { match($0, /id="col_[0-9]+"/); name = substr($0, RSTART + 4, RLENGTH - 5); sel = "" }
	/<option value="[^"]*" selected>/ && name != "" { match($0, /<option value="[^"]*" selected>/); sel = substr($0, RSTART + 15, RLENGTH - 26) }
	/<\/select>/ && name != "" { print name, sel; name = "" }' <<<"$page")

t=$(now)
curl -sf -c "$jar" -b "$jar" -o /dev/null "${form[@]}" "$base/imports/$check_id/mapping"
wait_for "$check_id" done
echo "check (dry run): $(since "$t") s, $(counts "$check_id")"

t=$(now)
started=$(curl -s -c "$jar" -b "$jar" -o /dev/null -w '%{redirect_url}' --data-urlencode "csrf_token=$(csrf "/imports/$check_id")" "$base/imports/$check_id/start")
[[ $started =~ /imports/([0-9]+)$ ]] || { echo "start did not lead to the import: '$started'" >&2; exit 1; }
id=${BASH_REMATCH[1]}
wait_for "$id" done
secs=$(since "$t")
echo "import $id: $secs s, $(counts "$id")"
rows=$(curl -sf -H "Authorization: Bearer $token" "$base/api/v1/imports/$id" | json total_rows)
awk -v n="$rows" -v s="$secs" 'BEGIN { printf "  %d rows/s\n", n / s }'
curl -sf -b "$jar" "$base/imports/$id/errors.csv" -o "$work/errors.csv"
echo "error report: $(($(wc -l <"$work/errors.csv") - 1)) rejected rows"

if [[ ${UNDO:-1} != 0 ]]; then
	t=$(now)
	curl -sf -c "$jar" -b "$jar" -o /dev/null --data-urlencode "csrf_token=$(csrf "/imports/$id")" "$base/imports/$id/undo"
	wait_for "$id" undone
	echo "undo: $(since "$t") s, $(counts "$id")"
fi
