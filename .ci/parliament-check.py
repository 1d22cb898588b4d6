"""Runs parliament over every policy file under DIR and fails on any finding that
.ci/parliament-suppressions.tsv does not suppress. A suppression names the finding's issue, a
pattern of the policy file (fnmatch, relative to DIR) and a text the finding's detail must contain,
and says why; a suppression that matches nothing is an error too, so the file cannot go stale.

    python3 .ci/parliament-check.py DIR .ci/parliament-suppressions.tsv
"""
import fnmatch
import json
import os
import sys

from parliament import analyze_policy_string

root, suppressions_file = sys.argv[1], sys.argv[2]
suppressions = []
for line in open(suppressions_file):
    if not line.strip() or line.startswith("#"):
        continue
    issue, pattern, detail, why = line.rstrip("\n").split("\t")
    assert why.strip(), f"suppression without a reason: {line}"
    suppressions.append({"issue": issue, "pattern": pattern, "detail": detail, "used": 0})

files = sorted(
    os.path.relpath(os.path.join(d, f), root) for d, _, fs in os.walk(root) for f in fs if f.endswith(".json")
)
unsuppressed = []
for name in files:
    doc = json.load(open(os.path.join(root, name)))
    # A one-value list and the value are the same condition to IAM; parliament 1.6.4 crashes on
    # some one-value lists (jsoncfg "Expected a ConfigJSONObject"), so it gets the value.
    for statement in doc["Statement"] if isinstance(doc["Statement"], list) else [doc["Statement"]]:
        for test in statement.get("Condition", {}).values():
            for key, value in test.items():
                if isinstance(value, list) and len(value) == 1:
                    test[key] = value[0]
    text = json.dumps(doc)
    policy = analyze_policy_string(text, include_community_auditors=False, ignore_private_auditors=False)
    for finding in policy.findings:
        detail = json.dumps(finding.detail, default=str)
        hit = [
            s for s in suppressions
            if s["issue"] == finding.issue and fnmatch.fnmatch(name, s["pattern"]) and s["detail"] in detail
        ]
        for s in hit:
            s["used"] += 1
        if not hit:
            unsuppressed.append(f"{name}: {finding.issue} {detail}")
print(f"parliament: {len(files)} policy documents")
stale = [s for s in suppressions if not s["used"]]
for s in stale:
    print(f"unused suppression (remove it): {s['issue']} {s['pattern']} {s['detail']}")
for u in unsuppressed:
    print(u)
sys.exit(1 if unsuppressed or stale else 0)
