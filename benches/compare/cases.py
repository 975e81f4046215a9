#!/usr/bin/env python3
"""Run scpsim, parliament and iam-policy-validator on every lint reference case and count
what each finds and misses.

usage: cases.py --cases DIR --scpsim BIN --parliament BIN --iam-validator BIN
                [--aws-services-dir DIR] [--work DIR] [--json OUT]

Each case (fixtures/cases/lint/*.json, see fixtures/cases/README.md) has `policy_text`,
`policy_type` and `expect_findings` (each with a `code_hint` and an optional `line`). The
policy text is written to a file and given to each tool:

- scpsim:               scpsim lint --format json --policy-type TYPE FILE
- parliament:           parliament --json < FILE   (reads stdin; it has no policy-type option,
                        every policy is checked as an identity policy)
- iam-policy-validator: iam-validator validate --format json --policy-type T --path FILE
                        [--aws-services-dir DIR]   (T: SERVICE_CONTROL_POLICY,
                        RESOURCE_CONTROL_POLICY, IDENTITY_POLICY, RESOURCE_POLICY)

Heuristic, the same for the three tools. A tool's finding is turned into one lower-case text
(scpsim: rule id + message; parliament: issue + title + detail; iam-policy-validator:
check_id + issue_type + message). An expected finding is FOUND when some finding
  1. matches the case's keyword pattern in KEYWORDS below (written from the code_hint, loose
     enough to accept any wording of the same problem), and
  2. has severity above "info" (scpsim info, iam-policy-validator info; parliament INFO), and
  3. points at the expected line within +-1, or gives no line, or the case has no line.
A finding meeting 1 and 2 but at another line counts as "found, other line" (shown as
`found (line N)`), and is counted as found in the totals. Otherwise the case is MISSED.
A clean case (expect_findings is []) PASSES when the tool reports nothing above "info";
each finding above "info" there is a FALSE POSITIVE (listed by id).
"""
import argparse
import json
import re
import subprocess
import sys
import tempfile
from pathlib import Path

# case file stem -> regex (case-insensitive) a finding's text must match
KEYWORDS = {
    "101-notipaddress-deny-without-viaawsservice":
        r"viaawsservice|(notipaddress|sourceip).*(aws service|endpoint|vpc)",
    "103-condition-operator-wrong-case": r"operator",
    "40-unknown-service-prefix-typo": r"(prefix|service).*dyanmodb|dyanmodb.*(prefix|service)",
    "44-effect-wrong-case": r"effect",
    "45-duplicate-sid-identity-policy": r"sid.*(dup|uniq)|(dup|uniq).*sid",
    "48-trailing-comma-invalid-json": r"json|pars|syntax|trailing comma",
    "50-scp-with-principal-element": r"principal",
    "51-scp-condition-in-allow-now-valid": r"global|exempt",
    "53-scp-size-counts-whitespace": r"size|characters|quota|length|too (large|long)|exceed",
    "58-rcp-custom-allow-not-supported": r"allow.*(rcp|resource.control)|(rcp|resource.control).*allow",
    "59-notprincipal-with-allow": r"not.?principal",
    "60-policy-variable-without-version": r"version",
    "61-notaction-with-allow-warning": r"not.?action",
    "63-sid-with-space-and-hyphen": r"sid",
}

IPV_TYPES = {
    "scp": "SERVICE_CONTROL_POLICY",
    "rcp": "RESOURCE_CONTROL_POLICY",
    "identity": "IDENTITY_POLICY",
    "resource": "RESOURCE_POLICY",
}


def run(cmd, stdin_path=None):
    stdin = open(stdin_path, "rb") if stdin_path else subprocess.DEVNULL
    try:
        p = subprocess.run(cmd, stdin=stdin, capture_output=True, text=True, timeout=300)
    finally:
        if stdin_path:
            stdin.close()
    return p


def scpsim(args, path, kind):
    p = run([args.scpsim, "lint", "--format", "json", "--policy-type", kind, str(path)])
    try:
        doc = json.loads(p.stdout)
    except json.JSONDecodeError:
        return None, f"no JSON (exit {p.returncode}): {p.stderr.strip()[:200]}"
    out = []
    for f in doc.get("findings", []):
        out.append({
            "id": f["rule"],
            "text": f"{f['rule']} {f['message']}",
            "line": f.get("line"),
            "reportable": f["severity"] in ("error", "warning"),
        })
    for e in doc.get("input_errors", []):
        out.append({"id": "input-error", "text": f"input-error {json.dumps(e)}",
                    "line": e.get("line") if isinstance(e, dict) else None, "reportable": True})
    return out, None


def parliament(args, path, _kind):
    p = run([args.parliament, "--json"], stdin_path=path)
    out = []
    for line in p.stdout.splitlines():
        line = line.strip()
        if not line.startswith("{"):
            continue
        f = json.loads(line)
        loc = f.get("location") or {}
        out.append({
            "id": f.get("issue"),
            "text": f"{f.get('issue')} {f.get('title')} {json.dumps(f.get('detail'))} "
                    f"{loc.get('string', '')}",
            "line": loc.get("line"),
            "reportable": f.get("severity") != "INFO",
        })
    if p.returncode not in (0, 1) or (p.returncode == 1 and not out):
        return None, f"exit {p.returncode}: {p.stderr.strip().splitlines()[-1:]}"
    return out, None


def iam_validator(args, path, kind):
    cmd = [args.iam_validator, "validate", "--format", "json", "--policy-type",
           IPV_TYPES[kind], "--path", str(path)]
    if args.aws_services_dir:
        cmd += ["--aws-services-dir", args.aws_services_dir]
    p = run(cmd)
    start = p.stdout.find("{")
    try:
        doc = json.loads(p.stdout[start:]) if start >= 0 else None
    except json.JSONDecodeError:
        doc = None
    if doc is None:
        err = (p.stderr.strip().splitlines() or [""])[-1]
        return None, f"no JSON (exit {p.returncode}): {err[:200]}"
    out = []
    for r in doc.get("results", []):
        for f in r.get("issues", []):
            out.append({
                "id": f.get("check_id") or f.get("issue_type"),
                "text": f"{f.get('check_id')} {f.get('issue_type')} {f.get('message')}",
                "line": f.get("line_number"),
                "reportable": (f.get("severity") or "").lower() != "info",
            })
    return out, None


TOOLS = [("scpsim", scpsim), ("parliament", parliament), ("iam-policy-validator", iam_validator)]


def judge(case_name, expect, findings):
    rep = [f for f in findings if f["reportable"]]
    if not expect:
        if not rep:
            return "passed", []
        return "false positive", sorted({f["id"] for f in rep})
    results = []
    for e in expect:
        pat = re.compile(KEYWORDS[case_name], re.I | re.S)
        hits = [f for f in rep if pat.search(f["text"].lower())]
        if not hits:
            results.append(("missed", None))
            continue
        line = e.get("line")
        exact = [f for f in hits if line is None or f["line"] is None or abs(f["line"] - line) <= 1]
        if exact:
            results.append(("found", exact[0]["id"]))
        else:
            results.append((f"found (line {hits[0]['line']})", hits[0]["id"]))
    # one expected finding per case in the current set; keep the worst if more
    worst = next((r for r in results if r[0] == "missed"), results[0])
    return worst[0], [worst[1]] if worst[1] else []


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--cases", required=True)
    ap.add_argument("--scpsim", required=True)
    ap.add_argument("--parliament", required=True)
    ap.add_argument("--iam-validator", required=True)
    ap.add_argument("--aws-services-dir")
    ap.add_argument("--work")
    ap.add_argument("--json")
    args = ap.parse_args()
    work = Path(args.work or tempfile.mkdtemp(prefix="scpsim-cases-"))
    work.mkdir(parents=True, exist_ok=True)

    rows = []
    for case_file in sorted(Path(args.cases).glob("*.json"),
                            key=lambda p: int(p.name.split("-")[0])):
        case = json.loads(case_file.read_text(encoding="utf-8"))
        name = case_file.stem
        path = work / f"{name}.json"
        path.write_text(case["policy_text"], encoding="utf-8")
        expect = case["expect_findings"]
        row = {"case": name, "policy_type": case["policy_type"],
               "expected": "; ".join(e["code_hint"] for e in expect) or "(clean)",
               "tools": {}}
        for tool, fn in TOOLS:
            findings, err = fn(args, path, case["policy_type"])
            if err is not None:
                row["tools"][tool] = {"verdict": "did not run", "ids": [err]}
            else:
                verdict, ids = judge(name, expect, findings)
                row["tools"][tool] = {"verdict": verdict, "ids": ids,
                                      "all": [(f["id"], f["line"], f["reportable"], f["text"][:200])
                                              for f in findings]}
        rows.append(row)

    # markdown
    names = [t for t, _ in TOOLS]
    print("| case | type | expected | " + " | ".join(names) + " |")
    print("|---|---|---|" + "---|" * len(names))
    for r in rows:
        cells = []
        for t in names:
            v = r["tools"][t]
            cell = v["verdict"]
            if v["verdict"] == "false positive":
                cell += ": " + ", ".join(f"`{i}`" for i in v["ids"])
            elif v["verdict"].startswith("found") and v["ids"]:
                cell += f" (`{v['ids'][0]}`)"
            elif v["verdict"] == "did not run":
                cell += ": " + v["ids"][0]
            cells.append(cell)
        exp = r["expected"].replace("|", "\\|")
        print(f"| {r['case']} | {r['policy_type']} | {exp} | " + " | ".join(cells) + " |")
    n_find = sum(1 for r in rows if r["expected"] != "(clean)")
    n_clean = len(rows) - n_find
    tot = []
    for t in names:
        found = sum(1 for r in rows if r["tools"][t]["verdict"].startswith("found"))
        missed = sum(1 for r in rows if r["tools"][t]["verdict"] == "missed")
        passed = sum(1 for r in rows if r["tools"][t]["verdict"] == "passed")
        fp = sum(1 for r in rows if r["tools"][t]["verdict"] == "false positive")
        tot.append(f"found {found}/{n_find}, missed {missed}; clean passed {passed}/{n_clean}, "
                   f"false positive {fp}")
    print("| **total** | | | " + " | ".join(tot) + " |")
    if args.json:
        Path(args.json).write_text(json.dumps(rows, indent=1), encoding="utf-8")


if __name__ == "__main__":
    sys.exit(main())
