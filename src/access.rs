//! `agentform access`: who may call which action on which component, intended against actual,
//! like `reach` for packets. The actual answer comes from the stack's generated policies (trust,
//! permission documents, explicit denies: `plan::policies`), evaluated here with IAM's rules
//! (an explicit deny wins, then an allow, else an implicit deny); the intent is the payment flow
//! of the design notes and AWS's devguide ("IAM roles for AgentCore payments"), written down here
//! independently of how the plan builds the policies.
//!
//! Rows per payment manager: agent → mediation → `ProcessPayment` (the agent cannot pay, directly
//! or through the AWS MCP Server; only the payment principals assume the process role, which
//! pays); retrieval → secret (only AgentCore, for this manager, assumes the retrieval role, which
//! reads the connectors' secrets and payment tokens); sessions (only the session principals
//! assume the management role, which creates sessions and never pays; the process role cannot
//! create sessions); administration. And per payment role, the actions it is granted against the
//! actions the devguide's flow needs.
//!
//! `tests/access.rs` asks an independent evaluator (`@cloud-copilot/iam-simulate`) every request
//! of every stack and requires the same answer.

use crate::plan::policies::{ManagerFacts, Policies, RolePolicies};
use serde::Serialize;
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;

/// One request: a principal (a role ARN or a service) calling an action on a resource.
#[derive(Debug, Clone, Serialize)]
pub struct Request {
    pub principal: String,
    pub action: String,
    pub resource: String,
    /// Request context keys (`aws:SourceArn`, `aws:ViaAWSMCPService`, ...).
    pub context: BTreeMap<String, String>,
    /// `identity`: the principal's own policies decide (same account, no resource policy);
    /// `trust`: the role's trust policy decides (`sts:AssumeRole` on the resource).
    pub decided_by: &'static str,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Decision {
    Allowed,
    ExplicitlyDenied,
    ImplicitlyDenied,
}

impl Decision {
    pub fn allowed(self) -> bool {
        self == Decision::Allowed
    }

    fn text(self) -> &'static str {
        match self {
            Decision::Allowed => "allow",
            Decision::ExplicitlyDenied => "deny (explicit)",
            Decision::ImplicitlyDenied => "deny",
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct Row {
    pub flow: &'static str,
    pub who: String,
    pub action: String,
    pub on: String,
    pub via: &'static str,
    pub intended: bool,
    pub actual: Decision,
    pub request: Request,
}

/// A payment role's granted actions against the flow's.
#[derive(Debug, Clone, Serialize)]
pub struct RoleGrants {
    pub role: String,
    pub intended: Vec<String>,
    pub extra: Vec<String>,
    pub missing: Vec<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ManagerAccess {
    pub payment_manager: String,
    pub rows: Vec<Row>,
    pub roles: Vec<RoleGrants>,
}

#[derive(Debug, Clone, Serialize)]
pub struct AccessReport {
    pub blueprint: String,
    pub managers: Vec<ManagerAccess>,
    /// The documents the rows were decided on, by role ARN (for independent evaluators).
    #[serde(skip)]
    pub policies: Policies,
}

impl AccessReport {
    pub fn has_findings(&self) -> bool {
        self.managers.iter().any(|m| {
            m.rows.iter().any(|r| r.intended != r.actual.allowed())
                || m.roles
                    .iter()
                    .any(|g| !g.extra.is_empty() || !g.missing.is_empty())
        })
    }

    /// The report as a terminal table.
    pub fn table(&self) -> String {
        let mut out = String::new();
        let _ = writeln!(out, "access: {}", self.blueprint);
        if self.managers.is_empty() {
            let _ = writeln!(out, "no payment manager: no payment flow to check");
        }
        for m in &self.managers {
            let _ = writeln!(out, "\npayment manager `{}`", m.payment_manager);
            let header = [
                "flow", "who", "action", "on", "via", "intended", "actual", "",
            ];
            let mut lines: Vec<[String; 8]> = vec![header.map(str::to_string)];
            for r in &m.rows {
                let ok = r.intended == r.actual.allowed();
                lines.push([
                    r.flow.to_string(),
                    r.who.clone(),
                    r.action.clone(),
                    r.on.clone(),
                    r.via.to_string(),
                    if r.intended { "allow" } else { "deny" }.to_string(),
                    r.actual.text().to_string(),
                    if ok { "ok" } else { "DIFFERS" }.to_string(),
                ]);
            }
            let widths: Vec<usize> = (0..8)
                .map(|i| lines.iter().map(|l| l[i].len()).max().unwrap_or(0))
                .collect();
            for l in &lines {
                let text: Vec<String> = l
                    .iter()
                    .zip(&widths)
                    .map(|(cell, w)| format!("{cell:<w$}"))
                    .collect();
                let _ = writeln!(out, "{}", text.join("  ").trim_end());
            }
            let _ = writeln!(
                out,
                "\ngranted actions of the payment roles, against the flow:"
            );
            for g in &m.roles {
                if g.extra.is_empty() && g.missing.is_empty() {
                    let _ = writeln!(
                        out,
                        "  {}: exactly the {} actions the flow needs",
                        g.role,
                        g.intended.len()
                    );
                } else {
                    let _ = writeln!(
                        out,
                        "  {}: DIFFERS; extra: [{}]; missing: [{}]",
                        g.role,
                        g.extra.join(", "),
                        g.missing.join(", ")
                    );
                }
            }
        }
        out
    }
}

/// What each payment role's flow needs (devguide "IAM roles for AgentCore payments", the
/// retrieval role's base and per-connector permissions, the mediation layer's ledger, guardrails
/// and metrics).
const INTENDED: &[(&str, &[&str])] = &[
    (
        "control",
        &[
            "bedrock-agentcore:AllowVendedLogDeliveryForResource",
            "bedrock-agentcore:CreatePaymentConnector",
            "bedrock-agentcore:CreatePaymentCredentialProvider",
            "bedrock-agentcore:CreatePaymentManager",
            "bedrock-agentcore:DeletePaymentConnector",
            "bedrock-agentcore:DeletePaymentCredentialProvider",
            "bedrock-agentcore:DeletePaymentManager",
            "bedrock-agentcore:GetPaymentConnector",
            "bedrock-agentcore:GetPaymentCredentialProvider",
            "bedrock-agentcore:GetPaymentManager",
            "bedrock-agentcore:ListPaymentConnectors",
            "bedrock-agentcore:ListPaymentCredentialProviders",
            "bedrock-agentcore:ListPaymentManagers",
            "bedrock-agentcore:UpdatePaymentConnector",
            "bedrock-agentcore:UpdatePaymentCredentialProvider",
            "bedrock-agentcore:UpdatePaymentManager",
            "iam:PassRole",
        ],
    ),
    (
        "management",
        &[
            "bedrock-agentcore:CreatePaymentInstrument",
            "bedrock-agentcore:CreatePaymentSession",
            "bedrock-agentcore:DeletePaymentInstrument",
            "bedrock-agentcore:DeletePaymentSession",
            "bedrock-agentcore:GetPaymentInstrument",
            "bedrock-agentcore:GetPaymentSession",
            "bedrock-agentcore:ListPaymentInstruments",
            "bedrock-agentcore:ListPaymentSessions",
            "kms:Decrypt",
            "kms:GenerateDataKey",
            "ssm:GetParameter",
        ],
    ),
    (
        "process",
        &[
            "bedrock-agentcore:GetPaymentInstrument",
            "bedrock-agentcore:GetPaymentInstrumentBalance",
            "bedrock-agentcore:GetPaymentSession",
            "bedrock-agentcore:ProcessPayment",
            "cloudwatch:PutMetricData",
            "dynamodb:GetItem",
            "dynamodb:PutItem",
            "dynamodb:Query",
            "kms:Decrypt",
            "kms:GenerateDataKey",
            "s3:PutObject",
            "ssm:GetParameter",
        ],
    ),
    (
        "retrieval",
        &[
            "bedrock-agentcore:CreateWorkloadIdentity",
            "bedrock-agentcore:DeleteWorkloadIdentity",
            "bedrock-agentcore:GetResourcePaymentToken",
            "bedrock-agentcore:GetWorkloadAccessToken",
            "secretsmanager:GetSecretValue",
        ],
    ),
];

/// The managed AWS MCP Server's request context: both condition keys it adds.
fn via_mcp() -> BTreeMap<String, String> {
    BTreeMap::from([
        ("aws:ViaAWSMCPService".to_string(), "true".to_string()),
        (
            "aws:CalledViaAWSMCP".to_string(),
            "aws-mcp.amazonaws.com".to_string(),
        ),
    ])
}

pub fn analyze(blueprint: &str, policies: &Policies) -> AccessReport {
    AccessReport {
        blueprint: blueprint.to_string(),
        managers: policies
            .managers
            .iter()
            .map(|m| manager(policies, m))
            .collect(),
        policies: policies.clone(),
    }
}

fn short(arn: &str) -> String {
    arn.rsplit(['/', ':']).next().unwrap_or(arn).to_string()
}

fn manager(policies: &Policies, m: &ManagerFacts) -> ManagerAccess {
    let mut rows = Vec::new();
    let role_name = |arn: &str| {
        policies
            .roles
            .iter()
            .find(|r| r.arn == arn)
            .map_or_else(|| format!("`{arn}`"), |r| r.name.clone())
    };
    let mut push = |flow: &'static str,
                    principal: &str,
                    action: &str,
                    resource: &str,
                    context: BTreeMap<String, String>,
                    intended: bool| {
        let decided_by = if action == "sts:AssumeRole" {
            "trust"
        } else {
            "identity"
        };
        let via = if context.contains_key("aws:ViaAWSMCPService") {
            "AWS MCP Server"
        } else if let Some(source) = context.get("aws:SourceArn") {
            if source.contains("another-manager") {
                "for another manager"
            } else {
                "for this manager"
            }
        } else {
            "direct"
        };
        let request = Request {
            principal: principal.to_string(),
            action: action.to_string(),
            resource: resource.to_string(),
            context,
            decided_by,
        };
        rows.push(Row {
            flow,
            who: if principal.starts_with("arn:") {
                role_name(principal)
            } else {
                principal.to_string()
            },
            action: action.to_string(),
            on: if resource.contains(":role/") {
                role_name(resource)
            } else {
                short(resource)
            },
            via,
            intended,
            actual: decide(policies, &request),
            request,
        });
    };
    let none = BTreeMap::new;
    let pay = "bedrock-agentcore:ProcessPayment";
    let create_session = "bedrock-agentcore:CreatePaymentSession";
    let assume = "sts:AssumeRole";
    for agent in &m.agents {
        push("agent pays", agent, pay, &m.manager_arn, none(), false);
        push("agent pays", agent, pay, &m.manager_arn, via_mcp(), false);
        push("agent pays", agent, assume, &m.process, none(), false);
        push("agent pays", agent, assume, &m.management, none(), false);
        push(
            "agent pays",
            agent,
            create_session,
            &m.manager_arn,
            none(),
            false,
        );
        push(
            "agent pays",
            agent,
            "bedrock-agentcore:UpdatePaymentManager",
            &m.manager_arn,
            via_mcp(),
            false,
        );
        push(
            "agent pays",
            agent,
            "iam:PutRolePolicy",
            agent,
            via_mcp(),
            false,
        );
    }
    for payer in &m.payment_principals {
        push("mediation pays", payer, assume, &m.process, none(), true);
        if !m.session_principals.contains(payer) {
            push(
                "mediation pays",
                payer,
                assume,
                &m.management,
                none(),
                false,
            );
        }
    }
    push(
        "mediation pays",
        &m.process,
        pay,
        &m.manager_arn,
        none(),
        true,
    );
    push(
        "mediation pays",
        &m.process,
        create_session,
        &m.manager_arn,
        none(),
        false,
    );
    for session in &m.session_principals {
        push("sessions", session, assume, &m.management, none(), true);
        if !m.payment_principals.contains(session) {
            push("sessions", session, assume, &m.process, none(), false);
        }
    }
    push(
        "sessions",
        &m.management,
        create_session,
        &m.manager_arn,
        none(),
        true,
    );
    push(
        "sessions",
        &m.management,
        pay,
        &m.manager_arn,
        none(),
        false,
    );
    let account = policies.account.clone();
    let from = |arn: &str| {
        BTreeMap::from([
            ("aws:SourceAccount".to_string(), account.clone()),
            ("aws:SourceArn".to_string(), arn.to_string()),
        ])
    };
    let service = "bedrock-agentcore.amazonaws.com";
    push(
        "retrieval",
        service,
        assume,
        &m.retrieval,
        from(&m.manager_arn),
        true,
    );
    let other = m
        .manager_arn
        .rsplit_once('/')
        .map_or_else(String::new, |(base, _)| {
            format!("{base}/another-manager-x1y2")
        });
    push(
        "retrieval",
        service,
        assume,
        &m.retrieval,
        from(&other),
        false,
    );
    let in_account = BTreeMap::from([("aws:ResourceAccount".to_string(), account.clone())]);
    for secret in &m.secrets {
        push(
            "retrieval",
            &m.retrieval,
            "secretsmanager:GetSecretValue",
            secret,
            in_account.clone(),
            true,
        );
    }
    for provider in &m.credential_providers {
        push(
            "retrieval",
            &m.retrieval,
            "bedrock-agentcore:GetResourcePaymentToken",
            provider,
            none(),
            true,
        );
    }
    push(
        "retrieval",
        &m.retrieval,
        "bedrock-agentcore:GetWorkloadAccessToken",
        &m.workload_identity,
        none(),
        true,
    );
    push(
        "retrieval",
        &m.retrieval,
        pay,
        &m.manager_arn,
        none(),
        false,
    );
    for admin in &m.admin_principals {
        push("administration", admin, assume, &m.control, none(), true);
    }
    push(
        "administration",
        &m.control,
        "bedrock-agentcore:CreatePaymentConnector",
        &format!("{}/connector/example-connector", m.manager_arn),
        none(),
        true,
    );
    push(
        "administration",
        &m.control,
        pay,
        &m.manager_arn,
        none(),
        false,
    );

    let roles = INTENDED
        .iter()
        .map(|(kind, intended)| {
            let arn = match *kind {
                "control" => &m.control,
                "management" => &m.management,
                "process" => &m.process,
                _ => &m.retrieval,
            };
            let granted = policies
                .roles
                .iter()
                .find(|r| &r.arn == arn)
                .map(granted_actions)
                .unwrap_or_default();
            let intended: BTreeSet<String> = intended.iter().map(ToString::to_string).collect();
            RoleGrants {
                role: kind.to_string(),
                extra: granted.difference(&intended).cloned().collect(),
                missing: intended.difference(&granted).cloned().collect(),
                intended: intended.into_iter().collect(),
            }
        })
        .collect();
    ManagerAccess {
        payment_manager: m.name.clone(),
        rows,
        roles,
    }
}

/// The actions a role's Allow statements name.
fn granted_actions(role: &RolePolicies) -> BTreeSet<String> {
    statements(&role.identity)
        .filter(|s| s.get("Effect").and_then(Value::as_str) == Some("Allow"))
        .flat_map(|s| strings(s.get("Action")))
        .collect()
}

fn statements(document: &Value) -> impl Iterator<Item = &Value> {
    document
        .get("Statement")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
}

fn strings(value: Option<&Value>) -> Vec<String> {
    match value {
        Some(Value::String(s)) => vec![s.clone()],
        Some(Value::Array(items)) => items
            .iter()
            .filter_map(Value::as_str)
            .map(ToString::to_string)
            .collect(),
        _ => Vec::new(),
    }
}

/// IAM's decision for one request: the principal's identity policies, or the role's trust policy
/// for `sts:AssumeRole` (same account: the trust naming the principal suffices).
pub fn decide(policies: &Policies, request: &Request) -> Decision {
    let (document, by_principal) = if request.decided_by == "trust" {
        let Some(role) = policies.roles.iter().find(|r| r.arn == request.resource) else {
            return Decision::ImplicitlyDenied;
        };
        (&role.trust, true)
    } else {
        let Some(role) = policies.roles.iter().find(|r| r.arn == request.principal) else {
            return Decision::ImplicitlyDenied;
        };
        (&role.identity, false)
    };
    let mut allowed = false;
    for s in statements(document) {
        let action = strings(s.get("Action"))
            .iter()
            .any(|a| glob(&a.to_lowercase(), &request.action.to_lowercase()));
        let resource = by_principal
            || strings(s.get("Resource"))
                .iter()
                .any(|r| glob(r, &request.resource));
        let principal = !by_principal || principal_matches(s.get("Principal"), &request.principal);
        if !(action
            && resource
            && principal
            && conditions_hold(s.get("Condition"), &request.context))
        {
            continue;
        }
        match s.get("Effect").and_then(Value::as_str) {
            Some("Deny") => return Decision::ExplicitlyDenied,
            Some("Allow") => allowed = true,
            _ => {}
        }
    }
    if allowed {
        Decision::Allowed
    } else {
        Decision::ImplicitlyDenied
    }
}

fn principal_matches(principal: Option<&Value>, caller: &str) -> bool {
    let Some(Value::Object(map)) = principal else {
        return false;
    };
    map.values()
        .any(|v| strings(Some(v)).iter().any(|p| p == caller || p == "*"))
}

fn conditions_hold(condition: Option<&Value>, context: &BTreeMap<String, String>) -> bool {
    let Some(Value::Object(operators)) = condition else {
        return true;
    };
    operators.iter().all(|(operator, keys)| {
        let Value::Object(keys) = keys else {
            return false;
        };
        keys.iter().all(|(key, values)| {
            let values = strings(Some(values));
            let given = context.get(key);
            match operator.as_str() {
                "Null" => values.iter().any(|v| (v == "true") == given.is_none()),
                "StringEquals" | "ArnEquals" => {
                    given.is_some_and(|g| values.iter().any(|v| v == g))
                }
                "StringLike" | "ArnLike" => {
                    given.is_some_and(|g| values.iter().any(|v| glob(v, g)))
                }
                "Bool" => given.is_some_and(|g| values.iter().any(|v| v.eq_ignore_ascii_case(g))),
                // An operator this evaluator does not know never holds: the statement does not
                // apply (the independent evaluator in tests/access.rs would disagree loudly).
                _ => false,
            }
        })
    })
}

/// IAM wildcard matching: `*` any run of characters, `?` one.
fn glob(pattern: &str, text: &str) -> bool {
    let (p, t): (Vec<char>, Vec<char>) = (pattern.chars().collect(), text.chars().collect());
    let (mut pi, mut ti, mut star, mut mark) = (0, 0, None, 0);
    while ti < t.len() {
        if pi < p.len() && (p[pi] == '?' || p[pi] == t[ti]) {
            pi += 1;
            ti += 1;
        } else if pi < p.len() && p[pi] == '*' {
            star = Some(pi);
            mark = ti;
            pi += 1;
        } else if let Some(s) = star {
            pi = s + 1;
            mark += 1;
            ti = mark;
        } else {
            return false;
        }
    }
    while pi < p.len() && p[pi] == '*' {
        pi += 1;
    }
    pi == p.len()
}

#[cfg(test)]
mod tests {
    use super::glob;

    #[test]
    fn iam_wildcards() {
        assert!(glob(
            "arn:aws:x:*:1:payment-manager/a-*",
            "arn:aws:x:r:1:payment-manager/a-b/session/c"
        ));
        assert!(glob("iam:put*", "iam:putrolepolicy"));
        assert!(!glob("iam:put*", "iam:getrole"));
        assert!(glob("a?c", "abc"));
        assert!(!glob("a?c", "ac"));
        assert!(glob("*", ""));
    }
}
