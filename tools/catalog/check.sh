#!/usr/bin/env bash
# Regenerate the catalog from the pinned sources into a temp dir and compare it byte for byte
# with the committed data/catalog/catalog.tsv. Exits 1 on drift, 2 if generation failed.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
if ! python3 "$here/generate.py" --out "$tmp"; then
  echo "catalog check: generation failed" >&2
  exit 2
fi
if cmp "$tmp/catalog.tsv" "$root/data/catalog/catalog.tsv"; then
  echo "catalog check: data/catalog/catalog.tsv matches the pinned sources"
else
  echo "catalog check: data/catalog/catalog.tsv differs from what the pinned sources produce;" \
    "re-run python3 tools/catalog/generate.py and commit the result" >&2
  exit 1
fi
