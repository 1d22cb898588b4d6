//! The stack's IAM policies as data, for `agentform access`: every role the stack creates (the
//! blueprint's and the payment roles), with its trust and permission documents as the templates
//! write them, and the references between them resolved to example ARNs (the plan knows every
//! name; only ids AWS chooses, like a payment manager's suffix, are examples).
//!
//! The documents are IAM JSON (`Version`, `Statement`, `Effect`, `Action`, `Resource`,
//! `Principal`, `Condition`): what `agentform access` evaluates, and what `tests/access.rs` hands to
//! an independent evaluator.

use super::identity::{
    ConditionView, IamRoleView, IdentityView, PolicyStatementView, StatementView,
};
use super::naming;
use super::payments::PaymentsView;
use crate::model::{Model, Principal};
use serde::Serialize;
use serde_json::{Map, Value, json};
use std::collections::BTreeMap;

/// An example of the id AgentCore appends to a payment manager's name.
pub const EXAMPLE_MANAGER_SUFFIX: &str = "a1b2c3d4e5";

#[derive(Debug, Clone, Serialize, Default)]
pub struct Policies {
    pub account: String,
    pub roles: Vec<RolePolicies>,
    pub managers: Vec<ManagerFacts>,
}

/// One IAM role of the stack.
#[derive(Debug, Clone, Serialize)]
pub struct RolePolicies {
    /// How the blueprint names it: `iam_role research-agent`, `payment_manager research: process`.
    pub name: String,
    pub arn: String,
    pub trust: Value,
    pub identity: Value,
}

/// What the payment flows of one manager involve, as example ARNs.
#[derive(Debug, Clone, Serialize)]
pub struct ManagerFacts {
    pub name: String,
    pub manager_arn: String,
    pub session_arn: String,
    pub instrument_arn: String,
    pub control: String,
    pub management: String,
    pub process: String,
    pub retrieval: String,
    pub agents: Vec<String>,
    pub admin_principals: Vec<String>,
    pub session_principals: Vec<String>,
    pub payment_principals: Vec<String>,
    pub secrets: Vec<String>,
    pub credential_providers: Vec<String>,
    pub workload_identity: String,
}

pub fn collect(
    model: &Model,
    identity: Option<&IdentityView>,
    payments: Option<&PaymentsView>,
) -> Policies {
    let p = &model.platform;
    let partition = naming::partition(&p.region);
    let role_arn = |name: &str| format!("arn:{partition}:iam::{}:role/{name}", p.account_id);
    let agentcore = |resource: &str| {
        format!(
            "arn:{partition}:bedrock-agentcore:{}:{}:{resource}",
            p.region, p.account_id
        )
    };
    let mut values = BTreeMap::new();
    let mut roles: Vec<(String, &IamRoleView)> = Vec::new();
    for role in identity.iter().flat_map(|i| &i.roles) {
        roles.push((format!("iam_role {}", role.name), &role.iam));
    }
    let mut managers = Vec::new();
    for (m, view) in model
        .payment_managers
        .iter()
        .zip(payments.iter().flat_map(|p| &p.managers))
    {
        let manager_arn = agentcore(&format!(
            "payment-manager/{}-{EXAMPLE_MANAGER_SUFFIX}",
            view.manager_name
        ));
        if let Some(awscc) = &view.awscc {
            values.insert(awscc.manager_arn.path.clone(), manager_arn.clone());
            values.insert(
                awscc.manager_id.path.clone(),
                format!("{}-{EXAMPLE_MANAGER_SUFFIX}", view.manager_name),
            );
        }
        let mut providers = Vec::new();
        for c in &view.connectors {
            let arn = agentcore(&format!(
                "token-vault/default/paymentcredentialprovider/{}",
                c.provider_name
            ));
            if let Some(awscc) = &c.awscc {
                values.insert(awscc.credential_provider_arn.path.clone(), arn.clone());
            }
            providers.push(arn);
        }
        let kind_arn = |kind: &str| {
            view.roles
                .iter()
                .find(|r| r.kind == kind)
                .map(|r| role_arn(&r.iam.role_name))
                .unwrap_or_default()
        };
        let principals = |list: &[crate::diag::Spanned<Principal>]| -> Vec<String> {
            list.iter()
                .map(|a| match &a.value {
                    Principal::Role(id) => role_arn(&naming::aws_name(
                        &[&p.name.value, &p.environment, &model.role(*id).name.value],
                        64,
                    )),
                    Principal::Arn(arn) => arn.clone(),
                })
                .collect()
        };
        managers.push(ManagerFacts {
            name: m.name.value.clone(),
            session_arn: format!("{manager_arn}/session/example-session"),
            instrument_arn: format!("{manager_arn}/instrument/example-instrument"),
            manager_arn,
            control: kind_arn("control"),
            management: kind_arn("management"),
            process: kind_arn("process"),
            retrieval: kind_arn("retrieval"),
            agents: m
                .agents
                .iter()
                .map(|a| {
                    role_arn(&naming::aws_name(
                        &[
                            &p.name.value,
                            &p.environment,
                            &model.role(a.value).name.value,
                        ],
                        64,
                    ))
                })
                .collect(),
            admin_principals: principals(&m.admin_principals),
            session_principals: principals(&m.session_principals),
            payment_principals: principals(&m.payment_principals),
            secrets: m
                .connectors
                .iter()
                .map(|c| c.credential_secret_arn.value.clone())
                .collect(),
            credential_providers: providers,
            workload_identity: agentcore(&format!(
                "workload-identity-directory/default/workload-identity/{}-{EXAMPLE_MANAGER_SUFFIX}",
                view.manager_name
            )),
        });
        for r in &view.roles {
            roles.push((
                format!("payment_manager {}: {}", m.name.value, r.kind),
                &r.iam,
            ));
        }
    }
    for (_, iam) in &roles {
        values.insert(iam.labels.role.r("arn").path, role_arn(&iam.role_name));
    }
    let resolve = |v: &Value| resolve(v, &values);
    Policies {
        account: p.account_id.clone(),
        roles: roles
            .iter()
            .map(|(name, iam)| RolePolicies {
                name: name.clone(),
                arn: role_arn(&iam.role_name),
                trust: trust_document(&iam.trust, &resolve),
                identity: identity_document(&iam.statements, &resolve),
            })
            .collect(),
        managers,
    }
}

/// A value of a view: a string, or a reference resolved to its example (unknown ones stay
/// recognisable: `unresolved:PATH`).
fn resolve(value: &Value, values: &BTreeMap<String, String>) -> Value {
    match value {
        Value::Object(map) if map.contains_key("$ref") => {
            let path = map.get("$ref").and_then(Value::as_str).unwrap_or_default();
            let text = |key: &str| map.get(key).and_then(Value::as_str).unwrap_or_default();
            let resolved = values
                .get(path)
                .cloned()
                .unwrap_or_else(|| format!("unresolved:{path}"));
            json!(format!("{}{resolved}{}", text("$prefix"), text("$suffix")))
        }
        other => other.clone(),
    }
}

fn conditions(list: &[ConditionView], resolve: &dyn Fn(&Value) -> Value) -> Option<Value> {
    if list.is_empty() {
        return None;
    }
    let mut out: Map<String, Value> = Map::new();
    for c in list {
        let entry = out
            .entry(c.test.to_string())
            .or_insert_with(|| Value::Object(Map::new()));
        if let Value::Object(keys) = entry {
            keys.insert(
                c.variable.clone(),
                Value::Array(c.values.iter().map(resolve).collect()),
            );
        }
    }
    Some(Value::Object(out))
}

fn trust_document(trust: &StatementView, resolve: &dyn Fn(&Value) -> Value) -> Value {
    let mut statement = json!({
        "Effect": "Allow",
        "Action": trust.actions,
        "Principal": { trust.principal_type: trust.principals.iter().map(resolve).collect::<Vec<_>>() },
    });
    if let Some(c) = conditions(&trust.conditions, resolve) {
        statement["Condition"] = c;
    }
    json!({ "Version": "2012-10-17", "Statement": [statement] })
}

fn identity_document(
    statements: &[PolicyStatementView],
    resolve: &dyn Fn(&Value) -> Value,
) -> Value {
    let statements: Vec<Value> = statements
        .iter()
        .map(|s| {
            let mut statement = json!({
                "Sid": s.sid,
                "Effect": s.effect,
                "Action": s.actions,
                "Resource": s.resources.iter().map(resolve).collect::<Vec<_>>(),
            });
            if let Some(c) = conditions(&s.conditions, resolve) {
                statement["Condition"] = c;
            }
            statement
        })
        .collect();
    json!({ "Version": "2012-10-17", "Statement": statements })
}
