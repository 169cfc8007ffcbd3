#!/bin/sh
# Copies the pinned browser libraries from npm into the embedded static
# assets. The copies are committed, so building Relasi needs Go only; run
# this after changing a version in package.json.
set -eu
cd "$(dirname "$0")/.."
npm ci --no-audit --no-fund --ignore-scripts
dest=internal/web/static/vendor
mkdir -p "$dest"
cp node_modules/htmx.org/dist/htmx.min.js "$dest/htmx.min.js"
cp node_modules/sortablejs/Sortable.min.js "$dest/sortable.min.js"
for lib in htmx.org sortablejs; do
	v=$(node -p "require('./node_modules/$lib/package.json').version")
	echo "$lib $v"
done > "$dest/VERSIONS"
echo "vendored into $dest:"; cat "$dest/VERSIONS"
