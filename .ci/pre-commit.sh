#!/usr/bin/env bash
# Checks the pre-commit hook of .pre-commit-hooks.yaml end to end with `pre-commit try-repo`:
# it must fail on a broken policy and pass on a clean one. pre-commit builds the hook from this
# repository with cargo (language: rust), so this step takes a release build.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
venv="$(mktemp -d)"
work="$(mktemp -d)"
trap 'rm -rf "$venv" "$work"' EXIT
python3 -m venv "$venv"
"$venv/bin/pip" install --quiet 'pre-commit==4.7.0'
export PRE_COMMIT_HOME="$venv/cache"
cd "$work"
git init -q
cp "$root/policies/scp/deny-leave-organization.json" clean.json
cp "$root/fixtures/broken/effect-lowercase.json" broken.json
git add clean.json broken.json
if ! "$venv/bin/pre-commit" try-repo "$root" scpsim-lint --files clean.json; then
  echo "pre-commit check: the hook failed on a clean policy" >&2
  exit 1
fi
if "$venv/bin/pre-commit" try-repo "$root" scpsim-lint --files broken.json; then
  echo "pre-commit check: the hook passed a broken policy" >&2
  exit 1
fi
echo "pre-commit check: the hook passes clean.json and fails broken.json"
