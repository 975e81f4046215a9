#!/usr/bin/env bash
# Builds the seed corpora of the fuzz targets under fuzz/seeds/<target>/ (not committed) from
# ../shared/corpus (real policies), ../shared/cases (lint and simulate reference cases) and
# the repository's fixtures. Usage: fuzz/seed.sh [SHARED_DIR]   (default: ../shared, i.e.
# /work/shared beside the repository). Needs python3.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
repo="$(dirname "$here")"
shared="${1:-$(dirname "$repo")/shared}"
out="$here/seeds"
rm -rf "$out"
mkdir -p "$out"/{policy_parse,engine,org_load,condition_values}

python3 - "$repo" "$shared" "$out" <<'PY'
import hashlib, json, os, sys
from pathlib import Path

repo, shared, out = map(Path, sys.argv[1:4])
RS, US = "\x1e", "\x1f"

def put(target, data):
    if isinstance(data, str):
        data = data.encode()
    name = hashlib.sha1(data).hexdigest()[:16]
    (out / target / name).write_bytes(data)

def policies():
    """Every policy text: the shared corpus, the repo's fixtures/policies, lint case texts."""
    roots = [shared / "corpus", repo / "policies", repo / "fixtures"]
    for root in roots:
        for p in sorted(root.rglob("*.json")):
            text = p.read_text(errors="replace")
            try:
                v = json.loads(text)
            except ValueError:
                yield text  # broken fixtures are good seeds too
                continue
            if isinstance(v, dict) and "policy_text" in v:
                yield v["policy_text"]
            elif isinstance(v, dict) and "Statement" in v:
                yield text
    for p in sorted((shared / "cases" / "lint").glob("*.json")):
        v = json.loads(p.read_text())
        if "policy_text" in v:
            yield v["policy_text"]

texts = list(dict.fromkeys(policies()))
for t in texts:
    put("policy_parse", t)

# engine: 3 selector bytes, then policy A, policy B, principal, action, resource, region,
# context entries, separated by RS.
def engine_seed(a, abits, b, bbits, opts, req):
    ctx = []
    for k, v in (req.get("context") or {}).items():
        vals = v if isinstance(v, list) else [v]
        ctx.append(k + "=" + US.join(str(x) for x in vals))
    fields = [a, b, req.get("principal", ""), req.get("action", ""),
              req.get("resource", "*"), req.get("region", "") or ""] + ctx
    return bytes([abits, bbits, opts]) + RS.join(fields).encode()

dump = lambda d: json.dumps(d, indent=2)
for p in sorted((shared / "cases" / "simulate").glob("*.json")):
    c = json.loads(p.read_text())
    req = c.get("request") or {}
    slots = []  # (policy, bits)
    for i, node in enumerate(c.get("scps") or []):
        for pol in node:
            slots.append((pol, 1 if i == 0 else 2))
    for node in c.get("rcps") or []:
        for pol in node:
            slots.append((pol, 4))
    for key, bit in (("identity", 8), ("boundary", 16)):
        for pol in c.get(key) or []:
            slots.append((pol, bit))
    for key, bit in (("session", 32), ("resource_policy", 64), ("resource", 64)):
        pol = c.get(key)
        if isinstance(pol, dict):
            slots.append((pol, bit))
    # Pairs of slots, so every policy of the case appears in some seed.
    for i in range(0, max(len(slots), 1), 2):
        a = slots[i] if i < len(slots) else ({}, 0)
        b = slots[i + 1] if i + 1 < len(slots) else ({}, 0)
        for opts in (0, 8):
            put("engine", engine_seed(dump(a[0]), a[1], dump(b[0]), b[1], opts, req))

# A few corpus policies as SCPs over identity allow-all, with a generic request.
allow_all = dump({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]})
generic = {"principal": "arn:aws:iam::111122223333:role/Dev", "action": "s3:PutObject",
           "resource": "arn:aws:s3:::bucket/key", "region": "eu-west-1",
           "context": {"aws:PrincipalTag/team": "dev", "aws:SourceIp": "10.1.2.3"}}
for t in texts[:80]:
    put("engine", engine_seed(t, 2, allow_all, 1 | 8, 8, generic))

# org_load: every org file in the fixtures.
for p in sorted(list(repo.rglob("org.yaml")) + list((repo / "fixtures" / "orgs").rglob("*.yaml"))
                + list(repo.rglob("org.json"))):
    if "target" in p.parts or "fuzz" in p.parts:
        continue
    put("org_load", p.read_bytes())

# condition_values: selector byte (operator index in the target's list), key, policy values,
# `--`, request values. Values from the corpus's Condition blocks, plus hand-picked edge cases.
OPS = ["StringEquals", "StringNotEquals", "StringEqualsIgnoreCase", "StringNotEqualsIgnoreCase",
       "StringLike", "StringNotLike", "NumericEquals", "NumericNotEquals", "NumericLessThan",
       "NumericLessThanEquals", "NumericGreaterThan", "NumericGreaterThanEquals", "DateEquals",
       "DateNotEquals", "DateLessThan", "DateLessThanEquals", "DateGreaterThan",
       "DateGreaterThanEquals", "Bool", "BinaryEquals", "IpAddress", "NotIpAddress", "ArnEquals",
       "ArnLike", "ArnNotEquals", "ArnNotLike", "Null"]
def cond_seed(op, key, pvals, rvals):
    base = op.split(":")[-1]
    if_exists = base.endswith("IfExists")
    base = base[: -len("IfExists")] if if_exists else base
    if base not in OPS:
        return
    sel = OPS.index(base)
    if op.startswith("ForAnyValue:"):
        sel |= 1 << 5
    elif op.startswith("ForAllValues:"):
        sel |= 2 << 5
    if if_exists:
        sel |= 0x80
    body = "\n".join([key] + [str(v) for v in pvals] + ["--"] + [str(v) for v in rvals])
    put("condition_values", bytes([sel]) + body.encode())

samples = {
    "Numeric": ["0", "-1", "1.5", "1e308", "1e309", "-0", "NaN", "inf", "0x10", "00012", " 7"],
    "Date": ["2025-01-01", "2025-01-01T00:00:00Z", "2024-02-29T23:59:59.999999999+05:30",
             "1735689600", "1735689600.5", "-1", "9999-12-31T23:59:59-0000", "2025-13-01",
             "2025-02-30", "2025-01-01T24:00:00Z", "+2025-01-01"],
    "Ip": ["10.0.0.0/8", "10.1.2.3", "0.0.0.0/0", "::/0", "2001:db8::/32", "::ffff:10.0.0.1",
           "10.0.0.0/33", "256.1.1.1", "fe80::1%eth0", "10.0.0.1/32"],
    "Arn": ["arn:aws:iam::*:role/Admin*", "arn:aws:s3:::bucket/*", "arn:*:*:*:*:*", "arn:aws:iam",
            "arn:aws:iam::111122223333:role/${aws:PrincipalTag/team}", "*", "arn:aws:s3:::b?c*"],
    "Bool": ["true", "false", "True", "TRUE", "1", ""],
    "Binary": ["QmluYXJ5VmFsdWU=", "QQ==", "QQ", "!!!", ""],
    "String": ["${aws:username}", "${aws:PrincipalTag/team, 'none'}", "${*}${?}${$}", "a*b?c",
               "${unterminated", "x" * 300],
}
for op, vals in [("NumericLessThan", samples["Numeric"]), ("DateGreaterThan", samples["Date"]),
                 ("IpAddress", samples["Ip"]), ("ArnLike", samples["Arn"]),
                 ("Bool", samples["Bool"]), ("BinaryEquals", samples["Binary"]),
                 ("StringLike", samples["String"])]:
    cond_seed(op, "aws:Key", vals, vals[:3])
    cond_seed("ForAllValues:" + op, "aws:Key", vals[:3], vals)
    cond_seed(op + "IfExists", "aws:Key", vals[1:2], vals[2:4])

def walk_conditions(doc):
    if not isinstance(doc, dict):
        return
    stmts = doc.get("Statement")
    for s in stmts if isinstance(stmts, list) else [stmts]:
        if isinstance(s, dict) and isinstance(s.get("Condition"), dict):
            for op, block in s["Condition"].items():
                if isinstance(block, dict):
                    for k, v in block.items():
                        yield op, k, v if isinstance(v, list) else [v]

for t in texts:
    try:
        doc = json.loads(t)
    except ValueError:
        continue
    for op, k, vals in walk_conditions(doc):
        cond_seed(op, k, vals, vals[:1])
PY

for t in policy_parse engine org_load condition_values; do
    printf '%-17s %5d seeds\n' "$t" "$(ls "$out/$t" | wc -l)"
done
