//! MCP ingress policy: principals never `*` and reachable by the ingress's own account; connection
//! acceptance on; distinct context roles (fetch reads only); zones covered.
//!
//! Why: the endpoint service is the MCP service's only door. A `*` principal opens it to every AWS
//! account; a fetch role that can write turns every read-only tool into a writer; a consumer in an
//! AZ the service does not cover gets no endpoint interface there.
//!
//! Example: `allowed_principals = ["*"]` is `AF801` at that entry; `context_fetch_role` and
//! `context_modify_role` naming the same role is `AF803`; an ingress VPC with one AZ is `AF804`.

use crate::diag::{Code, Diagnostic, Diagnostics};
use crate::model::actions;
use crate::model::{IamRole, McpIngress, Model, Target};
use crate::validate::Facts;
use std::collections::BTreeSet;

pub fn check(model: &Model, _: &Facts, diagnostics: &mut Diagnostics) {
    for (i, ingress) in model.ingresses.iter().enumerate() {
        // The ingress's own account creates the endpoints of its consumers (those of other
        // accounts are `AF961`).
        let account = &model
            .accounts
            .account(model.accounts.ingresses[i].account)
            .id;
        principals(account, ingress, diagnostics);
        if !ingress.acceptance_required.value {
            diagnostics.push(
                Diagnostic::warning(
                    Code::AcceptanceOff,
                    ingress.acceptance_required.span,
                    format!(
                        "mcp_ingress `{}` accepts every allowed principal's endpoint without review",
                        ingress.name.value
                    ),
                )
                .with_help("set `acceptance_required = true`; the stack accepts its own consumers' endpoints"),
            );
        }
        context_roles(model, ingress, diagnostics);
        zones(model, ingress, diagnostics);
    }
}

fn principals(account: &str, ingress: &McpIngress, diagnostics: &mut Diagnostics) {
    for principal in &ingress.allowed_principals {
        if principal.value == "*" {
            diagnostics.push(
                Diagnostic::error(
                    Code::PublicPrincipal,
                    principal.span,
                    format!(
                        "mcp_ingress `{}` allows `*`: any AWS account could connect to the MCP service",
                        ingress.name.value
                    ),
                )
                .with_help(format!(
                    "list the principals that may connect, e.g. `arn:aws:iam::{account}:root`"
                )),
            );
        }
    }
    let own = ingress
        .allowed_principals
        .iter()
        .any(|p| p.value == "*" || p.value.split(':').nth(4) == Some(account));
    if !own && let Some(first) = ingress.allowed_principals.first() {
        diagnostics.push(
            Diagnostic::error(
                Code::AwsReject,
                first.span,
                format!(
                    "no principal of account {account} may use mcp_ingress `{}`, so the stack could not create its consumers' endpoints",
                    ingress.name.value
                ),
            )
            .with_help(format!(
                "add `arn:aws:iam::{account}:root` (or the role that runs `terraform apply`)"
            )),
        );
    }
}

fn context_roles(model: &Model, ingress: &McpIngress, diagnostics: &mut Diagnostics) {
    let fetch_ref = &ingress.context_fetch_role;
    let modify_ref = &ingress.context_modify_role;
    let fetch = model.role(fetch_ref.value);
    let modify = model.role(modify_ref.value);
    if fetch_ref.value == modify_ref.value {
        diagnostics.push(
            Diagnostic::error(
                Code::ContextRoles,
                modify_ref.span,
                format!(
                    "mcp_ingress `{}` uses iam_role `{}` both to fetch and to modify context",
                    ingress.name.value, fetch.name.value
                ),
            )
            .with_label(fetch_ref.span, "the fetch role")
            .with_help(
                "give context modification its own role, so read-only tools can never write",
            ),
        );
        return;
    }
    for allow in &fetch.allows {
        for action in &allow.actions {
            let (service, name) = action.value.split_once(':').unwrap_or(("", "*"));
            // An unknown action is AF703's to report.
            let writes = actions::lookup(service, name)
                .changes_resources()
                .unwrap_or(false);
            if writes && !name.contains(['*', '?']) {
                diagnostics.push(
                    Diagnostic::error(
                        Code::ContextRoles,
                        action.span,
                        format!(
                            "iam_role `{}` fetches context for mcp_ingress `{}` but `{}` changes resources",
                            fetch.name.value, ingress.name.value, action.value
                        ),
                    )
                    .with_label(fetch_ref.span, "used as the context fetch role here")
                    .with_help(format!(
                        "move the action to the context modify role `{}`",
                        modify.name.value
                    )),
                );
            }
        }
    }
    if !fetch.allows.is_empty() && permissions(fetch) == permissions(modify) {
        diagnostics.push(
            Diagnostic::error(
                Code::ContextRoles,
                modify_ref.span,
                format!(
                    "iam_roles `{}` (fetch) and `{}` (modify) of mcp_ingress `{}` grant the same permissions",
                    fetch.name.value, modify.name.value, ingress.name.value
                ),
            )
            .with_label(fetch_ref.span, "the fetch role")
            .with_help("the modify role exists to hold the actions that change context; give it those"),
        );
    }
}

/// A role's permissions as a set of (action, target) pairs.
fn permissions(role: &IamRole) -> BTreeSet<(String, String)> {
    role.allows
        .iter()
        .flat_map(|a| {
            a.actions.iter().flat_map(move |action| {
                a.on.iter().map(move |t| {
                    let target = match &t.value {
                        Target::Any => "*".to_string(),
                        Target::Arn(arn) => arn.clone(),
                        Target::Component(c) => format!("{c:?}"),
                    };
                    (action.value.clone(), target)
                })
            })
        })
        .collect()
}

fn zones(model: &Model, ingress: &McpIngress, diagnostics: &mut Diagnostics) {
    let vpc = model.vpc(ingress.vpc.value);
    if vpc.azs.len() < 2 {
        diagnostics.push(
            Diagnostic::warning(
                Code::IngressZones,
                ingress.vpc.span,
                format!(
                    "mcp_ingress `{}` sits in VPC `{}`, which has subnets in {} availability zone; the service fails with that zone",
                    ingress.name.value,
                    vpc.name.value,
                    vpc.azs.len()
                ),
            )
            .with_help("give the ingress VPC subnets in at least two AZs"),
        );
    }
    let covered: BTreeSet<&str> = vpc.azs.iter().map(|az| az.value.as_str()).collect();
    for consumer in &ingress.consumers {
        let c = model.vpc(consumer.value);
        let missing: Vec<&str> = c
            .azs
            .iter()
            .map(|az| az.value.as_str())
            .filter(|az| !covered.contains(az))
            .collect();
        if missing.is_empty() {
            continue;
        }
        let list = missing
            .iter()
            .map(|az| format!("`{az}`"))
            .collect::<Vec<_>>()
            .join(", ");
        let covered_list = covered.iter().copied().collect::<Vec<_>>().join(", ");
        if missing.len() == c.azs.len() {
            diagnostics.push(
                Diagnostic::error(
                    Code::IngressZones,
                    consumer.span,
                    format!(
                        "consumer VPC `{}` of mcp_ingress `{}` has no subnet in an AZ the service covers ({covered_list}), so it cannot have an endpoint",
                        c.name.value, ingress.name.value
                    ),
                )
                .with_help("give the consumer a subnet in one of those AZs, or the ingress VPC a subnet in the consumer's"),
            );
        } else {
            diagnostics.push(
                Diagnostic::warning(
                    Code::IngressZones,
                    consumer.span,
                    format!(
                        "consumer VPC `{}` of mcp_ingress `{}` has subnets in {list}, which the service does not cover; clients there cross zones to reach it",
                        c.name.value, ingress.name.value
                    ),
                )
                .with_help(format!(
                    "add subnets in {list} to the ingress VPC `{}`",
                    vpc.name.value
                )),
            );
        }
    }
}
