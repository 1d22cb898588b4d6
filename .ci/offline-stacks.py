#!/usr/bin/env python3
"""Lists the Terraform roots of one platform's output directory for an offline plan, and prepares
each: the directory itself, or for a platform across accounts each stack of manifest.json, in
apply order. For a stack with a declared S3 backend it writes `agentform_ci_backend_override.tf`
(a local backend) and, for each stack it reads, a local state holding the outputs the manifest
says it reads, with values of their shape (the generated files stay as they are). Prints one
line per stack: `<directory> <init flag>` (`-backend=false` when there is no backend to set up).
"""
import json
import os
import sys

VALUES = [
    ("_transit_gateway_id", "tgw-0123456789abcdef0"),
    ("_transit_gateway_share_arn",
     "arn:aws:ram:us-east-1:111111111111:resource-share/0f0f0f0f-0000-4000-8000-000000000000"),
    ("_attachment_id", "tgw-attach-0123456789abcdef0"),
    ("_route_table_id", "rtb-0123456789abcdef0"),
]


def value(output):
    for suffix, v in VALUES:
        if output.endswith(suffix):
            return v
    sys.exit(f"offline-stacks: no value for a stack output named {output}")


def prepare(stack, reads):
    with open(os.path.join(stack, "versions.tf")) as f:
        backend = 'backend "s3"' in f.read()
    text = ""
    if backend:
        text += 'terraform {\n  backend "local" {}\n}\n'
    for read in reads:
        upstream = read["stack"]
        path = f"upstream-{upstream}.tfstate"
        state = {"version": 4, "terraform_version": "1.11.0", "serial": 1,
                 "lineage": "agentform-ci", "resources": [],
                 "outputs": {o: {"value": value(o), "type": "string"} for o in read["outputs"]}}
        with open(os.path.join(stack, path), "w") as f:
            json.dump(state, f)
        label = upstream.replace("-", "_")
        text += (f'\ndata "terraform_remote_state" "{label}" {{\n  backend = "local"\n'
                 f'  config = {{\n    path = "{path}"\n  }}\n}}\n')
    if text:
        with open(os.path.join(stack, "agentform_ci_backend_override.tf"), "w") as f:
            f.write("# Written by .ci/offline-stacks.py into a scratch copy.\n" + text)
    print(stack, "" if backend else "-backend=false")


def main():
    platform = sys.argv[1]
    manifest = os.path.join(platform, "manifest.json")
    if not os.path.isfile(manifest):
        prepare(platform, [])
        return
    with open(manifest) as f:
        data = json.load(f)
    for stack in data["stacks"]:
        prepare(os.path.join(platform, stack["directory"]), stack["reads"])


main()
