#!/usr/bin/env bash
# scpsim next to parliament and iam-policy-validator on the same inputs.
#
#   bash benches/compare/run.sh
#
# 1. Creates a venv in target/compare/venv (git-ignored, like .ci/moto.sh's) and pip-installs
#    the pinned versions below.
# 2. Builds scpsim in release (`cargo build --release`; SCPSIM_NO_BUILD=1 skips it).
# 3. Times each tool on the 199 files of fixtures/corpus with hyperfine (median of 10 runs,
#    --ignore-failure: linters exit non-zero when they find something).
# 4. Runs each tool on every lint reference case (fixtures/cases/lint/*.json) and counts what
#    it finds and misses (heuristic documented in benches/compare/cases.py).
#
# Results go to target/compare/results/ (hyperfine JSON + markdown, cases.md, cases.json,
# env.txt). Needs network access to PyPI (and Debian's archive if hyperfine is missing) and a
# few minutes; it is not part of `cargo test` or .ci/run. Figures are in BENCHMARKS.md,
# section "Linters side by side".
#
# iam-policy-validator downloads AWS's service reference
# (https://servicereference.us-east-1.amazonaws.com/) at run time. If that host answers, the
# script downloads it once with `iam-validator sync-services` and times the tool in its
# offline mode on that copy (so network latency is not timed). If it does not answer, the
# script says so and feeds the same offline mode (--aws-services-dir) with AWS's format
# converted from scpsim's own catalog (benches/compare/service_reference.py), so the tool can
# run at all; its catalog-based findings then reflect that data.
set -euo pipefail

PARLIAMENT_VERSION=1.6.4
IAM_POLICY_VALIDATOR_VERSION=1.31.4
RUNS=${RUNS:-10}

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
cd "$ROOT"
HERE=benches/compare
BASE=target/compare
VENV=$BASE/venv
OUT=$BASE/results
WORK=$BASE/work
mkdir -p "$BASE" "$OUT" "$WORK"
rm -rf "${OUT:?}"/* "${WORK:?}"/*

say() { printf '\n== %s\n' "$*"; }

say "venv and pinned tools"
if [ ! -x "$VENV/bin/python" ]; then
  python3 -m venv "$VENV"
fi
"$VENV/bin/pip" install -q --disable-pip-version-check \
  "parliament==$PARLIAMENT_VERSION" "iam-policy-validator==$IAM_POLICY_VALIDATOR_VERSION"
PARLIAMENT="$VENV/bin/parliament"
IPV="$VENV/bin/iam-validator"

if ! command -v hyperfine >/dev/null 2>&1; then
  say "installing hyperfine"
  apt-get update -qq && apt-get install -y -qq hyperfine
fi

if [ "${SCPSIM_NO_BUILD:-0}" != 1 ]; then
  say "cargo build --release"
  cargo build --release
fi
SCPSIM=target/release/scpsim

say "iam-policy-validator: AWS service reference"
SERVICES=$WORK/aws_services
if "$VENV/bin/python" - <<'EOF'
import sys, urllib.request
try:
    urllib.request.urlopen("https://servicereference.us-east-1.amazonaws.com/", timeout=15).read(1)
except Exception as e:
    print(f"unreachable: {e}")
    sys.exit(1)
EOF
then
  REFERENCE="AWS's service reference, downloaded by iam-validator sync-services"
  "$IPV" sync-services --output-dir "$SERVICES"
else
  REFERENCE="UNREACHABLE from this machine; offline mode fed with scpsim's catalog converted to AWS's format (benches/compare/service_reference.py)"
  echo "AWS's service reference is unreachable: iam-policy-validator cannot fetch it."
  echo "Online mode, for the record (expected to fail):"
  echo '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]}' \
    > "$WORK/probe.json"
  set +e
  timeout 120 "$IPV" validate --format json --path "$WORK/probe.json" \
    > "$WORK/online.out" 2> "$WORK/online.err"
  echo "  exit $?; last line of stderr: $(tail -n 1 "$WORK/online.err")"
  set -e
  python3 "$HERE/service_reference.py" data/catalog/catalog.tsv "$SERVICES"
fi

{
  echo "date: $(date -u '+%Y-%m-%d %H:%M UTC')"
  echo "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(uname -sr)"
  echo "cpu: $(awk -F': ' '/model name/ {print $2; exit}' /proc/cpuinfo)"
  echo "load average before timing: $(cut -d' ' -f1-3 /proc/loadavg)"
  echo "scpsim: $($SCPSIM --version)"
  echo "parliament: $("$VENV/bin/pip" show parliament | awk '/^Version/ {print $2}')"
  echo "iam-policy-validator: $("$VENV/bin/pip" show iam-policy-validator | awk '/^Version/ {print $2}')"
  echo "python: $("$VENV/bin/python" --version)"
  echo "hyperfine: $(hyperfine --version)"
  echo "iam-policy-validator service reference: $REFERENCE"
} | tee "$OUT/env.txt"

CORPUS=fixtures/corpus
echo "corpus: $(find "$CORPUS" -name '*.json' | wc -l) JSON files"

# parliament 1.6.4's --directory mode aborts the whole run on the first file it cannot
# analyse (Exception: Unknown data format: ArrayOfARN); list those files so the timed CLI run
# excludes them, and time the library driver (one process, all files, crashes caught) too.
say "parliament: files its CLI cannot analyse"
"$VENV/bin/python" "$HERE/parliament_all.py" "$CORPUS" > "$WORK/parliament_all.jsonl" \
  2> "$WORK/parliament_all.err" || true
cat "$WORK/parliament_all.err"
CRASHERS=$("$VENV/bin/python" -c '
import json, re, sys, os
names = [os.path.basename(json.loads(l)["file"]) for l in open(sys.argv[1]) if "\"crash\"" in l]
print("|".join(re.escape(n) for n in names))' "$WORK/parliament_all.jsonl")
echo "excluded from the CLI run: ${CRASHERS:-none}"
PARL_EXCLUDE=()
if [ -n "$CRASHERS" ]; then
  PARL_EXCLUDE=(--exclude_pattern ".*($CRASHERS)\$")
fi

say "timing on $CORPUS (median of $RUNS runs)"
CMD_SCPSIM="$SCPSIM lint --format json $CORPUS"
CMD_PARL_CLI="$PARLIAMENT --json --directory $CORPUS --include_policy_extension .json ${PARL_EXCLUDE[*]}"
CMD_PARL_API="$VENV/bin/python $HERE/parliament_all.py $CORPUS"
CMD_IPV="$IPV validate --format json --path $CORPUS --aws-services-dir $SERVICES"
printf '%s\n' "$CMD_SCPSIM" "$CMD_PARL_CLI" "$CMD_PARL_API" "$CMD_IPV" > "$OUT/commands.txt"

hyperfine -N --ignore-failure --warmup 3 --runs "$RUNS" \
  --export-json "$OUT/scpsim.json" --export-markdown "$OUT/scpsim.md" \
  -n scpsim "$CMD_SCPSIM"
# hyperfine -N splits a command on whitespace (no shell), so the exclude pattern is one word
hyperfine -N --ignore-failure --warmup 1 --runs "$RUNS" \
  --export-json "$OUT/parliament.json" --export-markdown "$OUT/parliament.md" \
  -n "parliament CLI --directory" "$CMD_PARL_CLI" \
  -n "parliament library driver" "$CMD_PARL_API"
hyperfine -N --ignore-failure --warmup 1 --runs "$RUNS" \
  --export-json "$OUT/iam-policy-validator.json" --export-markdown "$OUT/iam-policy-validator.md" \
  -n iam-policy-validator "$CMD_IPV"
echo "load average after timing: $(cut -d' ' -f1-3 /proc/loadavg)" | tee -a "$OUT/env.txt"

say "what each tool reports on the corpus (one run each)"
set +e -f
$SCPSIM lint --format json $CORPUS > "$WORK/scpsim_corpus.json" 2>/dev/null
$CMD_PARL_CLI > "$WORK/parliament_corpus.jsonl" 2>"$WORK/parliament_corpus.err"
$CMD_IPV > "$WORK/ipv_corpus.json" 2>"$WORK/ipv_corpus.err"
set -e +f
python3 - "$WORK" <<'EOF' | tee "$OUT/corpus_findings.txt"
import json, sys
w = sys.argv[1]
s = json.load(open(f"{w}/scpsim_corpus.json"))["summary"]
print(f"scpsim: {s['errors']} errors, {s['warnings']} warnings, {s['info']} info, "
      f"{s['input_errors']} input errors")
n = sum(1 for l in open(f"{w}/parliament_corpus.jsonl") if l.startswith("{"))
print(f"parliament (CLI, excluded files not counted): {n} findings")
d = json.load(open(f"{w}/ipv_corpus.json"))
print(f"iam-policy-validator: {d['total_issues']} issues on {d['total_policies']} policies, "
      f"severity counts {d.get('severity_counts')}")
EOF

say "reference cases"
python3 "$HERE/cases.py" --cases fixtures/cases/lint --scpsim "$SCPSIM" \
  --parliament "$PARLIAMENT" --iam-validator "$IPV" --aws-services-dir "$SERVICES" \
  --work "$WORK/cases" --json "$OUT/cases.json" | tee "$OUT/cases.md"

say "medians (s)"
python3 - "$OUT" <<'EOF' | tee "$OUT/medians.md"
import json, sys
out = sys.argv[1]
print("| tool | median | min | max | runs |")
print("|---|---|---|---|---|")
for name in ("scpsim", "parliament", "iam-policy-validator"):
    for r in json.load(open(f"{out}/{name}.json"))["results"]:
        t = r["times"]
        print(f"| {r['command']} | {r['median']:.3f} s | {min(t):.3f} s | {max(t):.3f} s | {len(t)} |")
EOF
echo "results in $OUT"
