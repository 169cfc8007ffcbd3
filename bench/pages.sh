#!/usr/bin/env bash
# pages.sh times the pages issue 3 promises are fast at 100,000 contacts:
# list pages with their sorts and quick filters, a deep keyset page, the
# pipeline board, the contact and account 360° pages, the home page and
# global search, in the browser UI and through the API, for each user given.
#
# It signs in through the login form (cookie jar + CSRF field), creates an
# API token per user with `relasi token create`, then requests every URL
# WARM times untimed and RUNS times timed, and prints the median, min and
# max of curl's time_total in milliseconds (127.0.0.1: that is the
# server's time plus well under a millisecond of loopback).
#
# Usage (see bench/README.md):
#   RELASI_DATA_DIR=/tmp/perf/sqlite bench/pages.sh http://127.0.0.1:8080
#   RELASI_DB=postgres://… bench/pages.sh http://127.0.0.1:8081
#
# Environment:
#   RELASI      the relasi binary (default: relasi on PATH), for tokens
#   RELASI_DB / RELASI_DATA_DIR   the database the server uses (for tokens)
#   USERS       e-mails to measure as (default: the demo admin and budi.sales)
#   PASSWORD    their password (default: the demo's relasi-demo)
#   RUNS, WARM  timed and untimed requests per URL (default 10 and 2)
#   ONLY        an extended regexp: measure only the rows whose name matches
#   CONTACT, ACCOUNT  IDs for the 360° pages (default: from the newest order)
#   SORTS       non-empty: also time every list sort and quick filter
#   SECTION     write the tables into docs/performance.md under this name
#               (TITLE and ENGINE head the section)
set -euo pipefail

base=${1:-http://127.0.0.1:8080}
relasi=${RELASI:-relasi}
users=${USERS:-admin@relasi.demo budi.sales@relasi.demo}
password=${PASSWORD:-relasi-demo}
runs=${RUNS:-10}
warm=${WARM:-2}
only=${ONLY:-.}

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# json FIELD reads one top-level or first-item field from JSON on stdin,
# without needing jq: good enough for ids, cursors and phone numbers.
json() { grep -o "\"$1\":[^,}]*" | head -n 1 | sed -e "s/^\"$1\"://" -e 's/[]["]//g'; }

login() { # login EMAIL JAR
	local csrf
	csrf=$(curl -sf -c "$2" -b "$2" "$base/login" | grep -o 'name="csrf_token" value="[^"]*"' | sed 's/.*value="//; s/"$//')
	curl -sf -c "$2" -b "$2" -o /dev/null --data-urlencode "csrf_token=$csrf" \
		--data-urlencode "email=$1" --data-urlencode "password=$password" "$base/login"
}

# measure NAME ARGS... requests a URL (the last argument) with curl ARGS and
# prints one row: name, HTTP status, bytes, median/min/max milliseconds.
measure() {
	local name=$1
	shift
	[[ $name =~ $only ]] || return 0
	local i status bytes out
	for ((i = 0; i < warm; i++)); do curl -s -o /dev/null "$@"; done
	: >"$work/times"
	for ((i = 0; i < runs; i++)); do
		out=$(curl -s -o /dev/null -w '%{http_code} %{size_download} %{time_total}' "$@")
		read -r status bytes t <<<"$out"
		awk -v t="$t" 'BEGIN { printf "%.1f\n", t * 1000 }' >>"$work/times"
	done
	sort -n "$work/times" | awk -v name="$name" -v status="$status" -v bytes="$bytes" '
		{ v[NR] = $1 }
		END {
			m = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
			printf "| %-44s | %3s | %8d | %7.1f | %7.1f | %7.1f |\n", name, status, bytes, m, v[1], v[NR]
		}'
}

run_pages() {
for email in $users; do
	jar="$work/jar"
	rm -f "$jar"
	login "$email" "$jar"
	token=$("$relasi" token create --email "$email" --name "bench-pages" 2>/dev/null | tail -n 1)
	auth=(-H "Authorization: Bearer $token")
	web=(-b "$jar")

	# Records to open: the customer of the newest order this user may see
	# (so the 360° page has purchases), its account, its first phone, and a
	# cursor 20 pages deep into the default contact list.
	# A user who sees no order (or no such account) gets the first contact
	# and account of their lists instead.
	order=$(curl -sf "${auth[@]}" "$base/api/v1/orders?limit=1&filter=contact_id%20is%20not%20null%20and%20account_id%20is%20not%20null" || true)
	contact=${CONTACT:-$(json contact_id <<<"$order")}
	account=${ACCOUNT:-$(json account_id <<<"$order")}
	if ! curl -sf -o /dev/null "${auth[@]}" "$base/api/v1/contacts/${contact:-0}"; then
		contact=$(curl -sf "${auth[@]}" "$base/api/v1/contacts?limit=1" | json id)
	fi
	if ! curl -sf -o /dev/null "${auth[@]}" "$base/api/v1/accounts/${account:-0}"; then
		account=$(curl -sf "${auth[@]}" "$base/api/v1/accounts?limit=1" | json id)
	fi
	phone=$(curl -sf "${auth[@]}" "$base/api/v1/contacts/${contact:-0}" | json phones || true)
	cursor=""
	for ((i = 0; i < 20; i++)); do
		cursor=$(curl -sf "${auth[@]}" "$base/api/v1/contacts?limit=50${cursor:+&cursor=$cursor}" | json next_cursor || true)
	done

	echo
	echo "#### $email on $base (contact $contact, account $account, phone $phone; median of $runs after $warm warm-ups)"
	echo
	echo "| request                                      |  st |    bytes |  median |     min |     max |"
	echo "|----------------------------------------------|-----|----------|---------|---------|---------|"
	measure "GET /contacts" "${web[@]}" "$base/contacts"
	measure "GET /contacts?sort=last_name" "${web[@]}" "$base/contacts?sort=last_name"
	measure "GET /contacts?sort=-last_name" "${web[@]}" "$base/contacts?sort=-last_name"
	measure "GET /contacts?filter=city = \"Surabaya\"" "${web[@]}" "$base/contacts?filter=city%20%3D%20%22Surabaya%22"
	measure "GET /contacts?filter=account.employees < 20" "${web[@]}" "$base/contacts?filter=account.employees%20%3C%2020"
	measure "GET /contacts?filter=last_activity_at < -90d" "${web[@]}" "$base/contacts?filter=last_activity_at%20%3C%20-90d"
	measure "GET /contacts?cursor=(page 21)" "${web[@]}" "$base/contacts?cursor=$cursor"
	measure "GET /accounts" "${web[@]}" "$base/accounts"
	measure "GET /accounts?sort=name" "${web[@]}" "$base/accounts?sort=name"
	measure "GET /leads" "${web[@]}" "$base/leads"
	measure "GET /leads?filter=overdue = true" "${web[@]}" "$base/leads?filter=overdue%20%3D%20true"
	measure "GET /opportunities" "${web[@]}" "$base/opportunities"
	measure "GET /activities" "${web[@]}" "$base/activities"
	measure "GET /orders" "${web[@]}" "$base/orders"
	measure "GET /deals/board" "${web[@]}" "$base/deals/board"
	measure "GET /contacts/{id} (360°)" "${web[@]}" "$base/contacts/$contact"
	measure "GET /contacts/{id}/timeline" "${web[@]}" "$base/contacts/$contact/timeline"
	measure "GET /accounts/{id} (360°)" "${web[@]}" "$base/accounts/$account"
	measure "GET /accounts/{id}/timeline" "${web[@]}" "$base/accounts/$account/timeline"
	measure "GET / (home, my open tasks)" "${web[@]}" "$base/"
	measure "GET /search?q=budi" "${web[@]}" "$base/search?q=budi"
	measure "GET /search?q=bud (type-ahead)" "${web[@]}" -H "HX-Request: true" "$base/search?q=bud"
	measure "GET /search?q=0812" "${web[@]}" "$base/search?q=0812"
	measure "GET /search?q=(full phone)" "${web[@]}" "$base/search?q=${phone/+/%2B}"
	measure "GET /search?q=logistik" "${web[@]}" "$base/search?q=logistik"
	measure "API contacts" "${auth[@]}" "$base/api/v1/contacts"
	measure "API contacts?sort=last_name" "${auth[@]}" "$base/api/v1/contacts?sort=last_name"
	measure "API contacts?filter=city = \"Surabaya\"" "${auth[@]}" "$base/api/v1/contacts?filter=city%20%3D%20%22Surabaya%22"
	measure "API contacts?filter=last_activity_at < -90d" "${auth[@]}" "$base/api/v1/contacts?filter=last_activity_at%20%3C%20-90d"
	measure "API contacts?cursor=(page 21)" "${auth[@]}" "$base/api/v1/contacts?cursor=$cursor"
	measure "API contacts/{id}/timeline" "${auth[@]}" "$base/api/v1/contacts/$contact/timeline"
	measure "API accounts/{id}/timeline" "${auth[@]}" "$base/api/v1/accounts/$account/timeline"
	measure "API pipelines/{default}/board" "${auth[@]}" "$base/api/v1/pipelines/1/board"
	measure "API search?q=budi" "${auth[@]}" "$base/api/v1/search?q=budi"
	measure "API search?q=0812" "${auth[@]}" "$base/api/v1/search?q=0812"
	measure "API search?q=(full phone)" "${auth[@]}" "$base/api/v1/search?q=${phone/+/%2B}"
	measure "API search?q=logistik" "${auth[@]}" "$base/api/v1/search?q=logistik"

	# Every sort a list offers on its default columns (ascending and
	# descending where the order has ties) and every quick filter, through
	# the API (the web list runs the same query).
	[[ -n ${SORTS:-} ]] || continue
	echo
	echo "#### $email: list sorts and quick filters (API)"
	echo
	echo "| request                                      |  st |    bytes |  median |     min |     max |"
	echo "|----------------------------------------------|-----|----------|---------|---------|---------|"
	for q in \
		contacts?sort=first_name contacts?sort=-first_name contacts?sort=account_id contacts?sort=city contacts?sort=-city \
		contacts?sort=lifecycle_stage contacts?sort=-lifecycle_stage contacts?sort=-last_activity_at \
		'contacts?filter=contact_role = "buyer"' 'contacts?filter=source = "web_form"' 'contacts?filter=lifecycle_stage = "customer"' \
		'contacts?filter=last_activity_at > -7d' 'contacts?filter=last_activity_at is null' \
		accounts?sort=industry accounts?sort=-employees accounts?sort=city 'accounts?filter=industry = "retail"' \
		leads?sort=email leads?sort=phone leads?sort=rating leads?sort=-status leads?sort=-score leads?sort=company \
		'leads?filter=rating = "hot"' 'leads?filter=status = "new"' 'leads?filter=source = "web_form"' \
		opportunities?sort=account_id opportunities?sort=-amount opportunities?sort=close_date opportunities?sort=stage_id \
		'opportunities?filter=currency = "USD"' \
		activities?sort=kind activities?sort=-kind activities?sort=-due_at activities?sort=done activities?sort=-done \
		activities?sort=contact_id activities?sort=subject \
		'activities?filter=kind = "call"' 'activities?filter=related_type = "contacts"' \
		orders?sort=contact_id orders?sort=account_id orders?sort=-ordered_at orders?sort=status orders?sort=-total \
		'orders?filter=status = "paid"' 'orders?filter=currency = "USD"'; do
		measure "API $q" "${auth[@]}" "$base/api/v1/$(sed -e 's/ /%20/g' -e 's/"/%22/g' -e 's/=%20/%3D%20/' -e 's/>/%3E/' <<<"$q")"
	done
done
}

# SECTION (e.g. pages-sqlite) also writes the tables into
# docs/performance.md, with TITLE and ENGINE for its heading.
if [[ -n ${SECTION:-} ]]; then
	run_pages | tee /dev/stderr | (cd "$(dirname "$0")/.." && go run ./bench/perfdoc -name "$SECTION" -title "${TITLE:-Pages}" -engine "${ENGINE:-}")
else
	run_pages
fi
