"""Writes every IAM policy document a Terraform plan renders (`terraform show -json PLAN`) as one
JSON file per `aws_iam_policy_document`, for parliament. Documents Terraform could read at plan time
come whole from `prior_state`; the others (they name resources created by the same apply) are
rebuilt from the plan's statements, each unknown resource or principal ARN replaced by the ARN its referenced
resource will have, made from the planned name (the table below; an unknown type is an error). An
unknown element of a statement that references S3 buckets stands for the bucket and its objects.

    python3 .ci/iam-policies.py PLAN.json OUT_DIR
"""
import json
import os
import sys

plan = json.load(open(sys.argv[1]))
out = sys.argv[2]
os.makedirs(out, exist_ok=True)
region = "us-east-1"
account = "123456789012"
for provider in plan.get("configuration", {}).get("provider_config", {}).values():
    region = provider.get("expressions", {}).get("region", {}).get("constant_value", region)


def resources(module):
    yield from module.get("resources", [])
    for child in module.get("child_modules", []):
        yield from resources(child)


planned = {r["address"]: r for r in resources(plan.get("planned_values", {}).get("root_module", {}))}
prior = {r["address"]: r for r in resources(plan.get("prior_state", {}).get("values", {}).get("root_module", {}))}
config = {r["address"]: r for r in plan["configuration"]["root_module"].get("resources", [])}

# ARN of a resource the apply creates, from its planned values (partition aws).
ARNS = {
    "aws_s3_bucket": lambda v: f"arn:aws:s3:::{v['bucket']}",
    "aws_iam_role": lambda v: f"arn:aws:iam::{account}:role/{v['name']}",
    "aws_kms_key": lambda v: f"arn:aws:kms:{region}:{account}:key/00000000-0000-0000-0000-000000000000",
    "aws_ssm_parameter": lambda v: f"arn:aws:ssm:{region}:{account}:parameter{'' if v['name'].startswith('/') else '/'}{v['name']}",
    "aws_dynamodb_table": lambda v: f"arn:aws:dynamodb:{region}:{account}:table/{v['name']}",
    "aws_cloudwatch_log_group": lambda v: f"arn:aws:logs:{region}:{account}:log-group:{v['name']}",
    "aws_sns_topic": lambda v: f"arn:aws:sns:{region}:{account}:{v['name']}",
    "aws_vpc_endpoint_service": lambda v: f"arn:aws:ec2:{region}:{account}:vpc-endpoint-service/vpce-svc-00000000000000000",
}


def arn_of(reference):
    address = reference.rsplit(".", 1)[0] if reference.endswith(".arn") else reference
    if address in prior and "arn" in prior[address].get("values", {}):
        return prior[address]["values"]["arn"]
    resource = planned.get(address)
    if resource is None or resource["type"] not in ARNS:
        sys.exit(f"{sys.argv[1]}: cannot make the ARN of {reference} (add its type to .ci/iam-policies.py)")
    return ARNS[resource["type"]](resource["values"])


def document(statements, unknown, expressions):
    out = {"Version": "2012-10-17", "Statement": []}
    for i, s in enumerate(statements):
        statement = {"Effect": s.get("effect") or "Allow"}
        if s.get("sid"):
            statement["Sid"] = s["sid"]
        if s.get("actions"):
            statement["Action"] = s["actions"]
        refs = sorted({r[:-4] if r.endswith(".arn") else r
                       for r in expressions[i].get("resources", {}).get("references", [])})
        refs = [r for r in refs if not any(o != r and o.startswith(r + ".") for o in refs)]
        listed = []
        unknown_resources = (unknown[i] or {}).get("resources") or []
        for j, value in enumerate(s.get("resources") or []):
            if j < len(unknown_resources) and unknown_resources[j]:
                for ref in refs:
                    arn = arn_of(ref)
                    listed.append(arn)
                    if arn.startswith("arn:aws:s3:::"):
                        listed.append(arn + "/*")
            else:
                listed.append(value)
        if listed:
            statement["Resource"] = sorted(set(listed))
        principal_exprs = expressions[i].get("principals") or []
        for k, p in enumerate(s.get("principals") or []):
            if p["type"] == "*":
                statement["Principal"] = "*"  # as Terraform renders type "*"
                continue
            identifiers = [x for x in p["identifiers"] if x is not None]
            if len(identifiers) < len(p["identifiers"]):
                # Unknown at plan time: roles of the same apply, named by their references.
                refs = (principal_exprs[k] if k < len(principal_exprs) else {}).get("identifiers", {}).get("references", [])
                refs = sorted({r for r in refs if r.endswith(".arn")})
                if not refs:
                    sys.exit(f"{sys.argv[1]}: an unknown principal of {statements} names no resource")
                identifiers += [arn_of(r) for r in refs]
            statement.setdefault("Principal", {})[p["type"]] = sorted(identifiers)
        for c in s.get("condition") or []:
            statement.setdefault("Condition", {}).setdefault(c["test"], {})[c["variable"]] = c["values"]
        out["Statement"].append(statement)
    return out


written = 0
for address, r in prior.items():
    if r["type"] == "aws_iam_policy_document" and r.get("values", {}).get("json"):
        with open(os.path.join(out, address + ".json"), "w") as f:
            f.write(r["values"]["json"])
        written += 1
for change in plan.get("resource_changes", []):
    if change["type"] != "aws_iam_policy_document" or change["address"] in prior:
        continue
    after = change["change"]["after"] or {}
    unknown = change["change"]["after_unknown"].get("statement") or []
    unknown += [{}] * (len(after.get("statement") or []) - len(unknown))
    expressions = config[change["address"]]["expressions"].get("statement", [])
    expressions += [{}] * (len(after.get("statement") or []) - len(expressions))
    with open(os.path.join(out, change["address"] + ".json"), "w") as f:
        json.dump(document(after.get("statement") or [], unknown, expressions), f, indent=1)
    written += 1
print(f"{sys.argv[1]}: {written} policy documents")
