#!/usr/bin/env python3
"""Write a synthetic organization for scpsim benches and scaling tests.

Usage: python3 tools/synth-org.py ACCOUNTS OUT_DIR [--depth D] [--seed S]

The layout is the example organization's (fixtures/orgs/example): the same guardrails from
policies/, a root, Security/Infrastructure/Workloads/Sandbox/Suspended OUs, and Workloads
nested D levels deep (business units -> teams -> environments). Accounts are spread over the
leaf OUs; one account in ten also gets DenyRestrictedServices attached directly and one in
seven gets RequireImdsV2, so chains are not all identical. Deterministic for a given seed.
"""
import argparse
import os
import random
import shutil

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
EXAMPLE = os.path.join(ROOT, "fixtures", "orgs", "example")

POLICIES = [
    ("FullAWSAccess", "scp", "full-aws-access.json"),
    ("DenyLeaveOrganization", "scp", "deny-leave-organization.json"),
    ("DenyMemberRootUser", "scp", "deny-member-root-user.json"),
    ("ProtectOrganizationAccessRole", "scp", "protect-org-access-role.json"),
    ("DenyOutsideApprovedRegions", "scp", "deny-outside-approved-regions.json"),
    ("DenyRestrictedServices", "scp", "deny-restricted-services.json"),
    ("RequireImdsV2", "scp", "require-imdsv2.json"),
    ("ProtectCloudTrail", "scp", "protect-cloudtrail.json"),
    ("ProtectGuardDuty", "scp", "protect-guardduty.json"),
    ("DenyAll", "scp", "deny-all.json"),
    ("RCPFullAWSAccess", "rcp", "rcp-full-aws-access.json"),
    ("EnforceTls", "rcp", "enforce-https.json"),
]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("accounts", type=int)
    ap.add_argument("out")
    ap.add_argument("--depth", type=int, default=3)
    ap.add_argument("--seed", type=int, default=1)
    a = ap.parse_args()
    rnd = random.Random(a.seed)
    os.makedirs(os.path.join(a.out, "policies"), exist_ok=True)
    for _, _, f in POLICIES:
        shutil.copy(os.path.join(EXAMPLE, "policies", f), os.path.join(a.out, "policies", f))

    counter = [0]

    def ou_id():
        counter[0] += 1
        return "ou-syn1-%08d" % counter[0]

    acct = [100000000000]

    def account(name):
        acct[0] += 1
        scps = ["FullAWSAccess"]
        if acct[0] % 10 == 0:
            scps.append("DenyRestrictedServices")
        if acct[0] % 7 == 0:
            scps.append("RequireImdsV2")
        return '{id: "%d", name: %s, scps: [%s], rcps: [RCPFullAWSAccess]}' % (
            acct[0], name, ", ".join(scps))

    lines = []
    emit = lines.append
    emit("# Synthetic organization written by tools/synth-org.py")
    emit("version: 1")
    emit("organization_id: o-synthetic01")
    emit('management_account_id: "100000000001"')
    emit("policies:")
    for name, kind, f in POLICIES:
        emit("  - {name: %s, type: %s, file: policies/%s}" % (name, kind, f))
    emit("root:")
    emit("  id: r-syn1")
    emit("  scps: [FullAWSAccess, DenyLeaveOrganization, DenyMemberRootUser, ProtectOrganizationAccessRole]")
    emit("  rcps: [RCPFullAWSAccess, EnforceTls]")
    emit("  accounts:")
    emit("    - " + account("management"))
    emit("  ous:")

    # Leaf OUs: Workloads/<bu>/<team>/<env> for depth 3, plus Sandbox and Infrastructure.
    leaves = []

    def ou(indent, name, scps, depth, path):
        pad = " " * indent
        emit(pad + "- id: " + ou_id())
        emit(pad + "  name: " + name)
        emit(pad + "  scps: [%s]" % ", ".join(scps))
        emit(pad + "  rcps: [RCPFullAWSAccess]")
        if depth == 0:
            leaves.append((indent, path + [name]))
            emit(pad + "  accounts: @@%d@@" % (len(leaves) - 1))
            return
        emit(pad + "  ous:")
        kids = ["prod", "dev"] if depth == 1 else ["unit%d" % i for i in range(3)]
        for k in kids:
            extra = ["DenyRestrictedServices"] if k == "prod" else []
            ou(indent + 4, k, ["FullAWSAccess"] + extra, depth - 1, path + [name])

    ou(4, "Security", ["FullAWSAccess", "ProtectCloudTrail", "ProtectGuardDuty"], 0, [])
    ou(4, "Infrastructure", ["FullAWSAccess", "DenyOutsideApprovedRegions"], 0, [])
    ou(4, "Workloads", ["FullAWSAccess", "DenyOutsideApprovedRegions", "ProtectCloudTrail"], a.depth, [])
    ou(4, "Sandbox", ["FullAWSAccess", "DenyOutsideApprovedRegions", "DenyRestrictedServices"], 0, [])
    ou(4, "Suspended", ["DenyAll"], 0, [])

    per_leaf = [[] for _ in leaves]
    for i in range(a.accounts - 1):
        per_leaf[rnd.randrange(len(leaves))].append(i)
    text = "\n".join(lines) + "\n"
    for li, (indent, _) in enumerate(leaves):
        pad = " " * (indent + 4)
        accts = per_leaf[li]
        if not accts:
            block = "[]"
        else:
            block = "\n" + "\n".join(pad + "- " + account("acct-%05d" % i) for i in accts)
        text = text.replace("@@%d@@" % li, block)
    with open(os.path.join(a.out, "org.yaml"), "w") as f:
        f.write(text)


if __name__ == "__main__":
    main()
