#!/bin/sh
# Runs every Relasi test: unit, storage (SQLite and PostgreSQL), API, CLI,
# multi-process and browser tests. It needs PostgreSQL on 127.0.0.1:5432
# (trust auth, database "test") and Debian's chromium; it installs chromium
# when missing and fails loudly when PostgreSQL cannot be reached, because a
# test suite that skips half its storage tests proves nothing.
set -eu
cd "$(dirname "$0")/.."

: "${RELASI_TEST_POSTGRES_URL:=postgres://postgres@127.0.0.1:5432/test?sslmode=disable}"
export RELASI_TEST_POSTGRES_URL

if ! command -v chromium >/dev/null 2>&1; then
	echo "test.sh: installing chromium for the browser tests" >&2
	if [ "$(id -u)" = 0 ]; then
		apt-get update -qq && apt-get install -y -qq chromium >/dev/null
	else
		sudo apt-get update -qq && sudo apt-get install -y -qq chromium >/dev/null
	fi
fi

if ! pg_isready -q -d "$RELASI_TEST_POSTGRES_URL" 2>/dev/null; then
	echo "test.sh: PostgreSQL at $RELASI_TEST_POSTGRES_URL is not reachable." >&2
	echo "Start it with: pg_ctlcluster --skip-systemctl-redirect \$(ls /etc/postgresql) main start" >&2
	exit 1
fi

exec go test -count=1 -timeout 20m ./...
