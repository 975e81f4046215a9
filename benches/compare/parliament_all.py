#!/usr/bin/env python3
"""Lint every *.json under DIR with parliament in one process, through its library API
(parliament.cli.analyze_policy_string, what `parliament --directory` calls per file).

`parliament --directory` stops at the first file it cannot analyse (parliament 1.6.4 raises
`Exception: Unknown data format: ArrayOfARN` on some corpus files and exits), so this driver
catches the exception per file, counts it, and goes on. Prints one JSON finding per line, then
a summary line on stderr.

usage: parliament_all.py DIR
"""
import json
import sys
from pathlib import Path

from parliament.cli import analyze_policy_string


def main() -> int:
    files = sorted(Path(sys.argv[1]).rglob("*.json"))
    crashed, findings = 0, 0
    for path in files:
        try:
            policy = analyze_policy_string(path.read_text(encoding="utf-8"), str(path))
        except Exception as e:  # noqa: BLE001  parliament raises bare Exception
            crashed += 1
            print(json.dumps({"file": str(path), "crash": f"{type(e).__name__}: {e}"}))
            continue
        for f in policy.findings:
            findings += 1
            print(json.dumps({"file": str(path), "issue": f.issue, "detail": str(f.detail)}))
    print(f"parliament_all: {len(files)} files, {findings} findings, {crashed} files crashed",
          file=sys.stderr)
    return 1 if findings or crashed else 0


if __name__ == "__main__":
    sys.exit(main())
