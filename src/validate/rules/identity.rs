//! Least privilege for `iam_role` permissions: no wildcard actions, no write actions on `*`, no
//! action names the catalogue does not know; and roles that grant nothing and that nothing uses.
//!
//! Why: a wildcard or a write on `*` grants what nobody reviewed; a misspelled action silently
//! grants nothing, so the workload fails at run time instead of at review.
//!
//! Example: `actions = ["s3:*"]` is `AF701` at that entry; `actions = ["s3:PutObject"]` with
//! `on = ["*"]` is `AF702`; `s3:GetObjct` is `AF703` with "did you mean `s3:GetObject`?".

use crate::diag::{Code, Diagnostic, Diagnostics};
use crate::model::actions::{self, Lookup};
use crate::model::{IamRoleId, Model, Target};
use crate::validate::Facts;
use crate::validate::graph::{Edge, Node};

pub fn check(model: &Model, facts: &Facts, diagnostics: &mut Diagnostics) {
    for (index, role) in model.iam_roles.iter().enumerate() {
        for allow in &role.allows {
            let any = allow.on.iter().find(|t| t.value == Target::Any);
            for action in &allow.actions {
                let (service, name) = action.value.split_once(':').unwrap_or(("", "*"));
                if name.contains('*') || name.contains('?') {
                    diagnostics.push(
                        Diagnostic::error(
                            Code::WildcardAction,
                            action.span,
                            format!(
                                "`allow \"{}\"` of iam_role `{}` grants the wildcard action `{}`",
                                allow.name.value, role.name.value, action.value
                            ),
                        )
                        .with_help("list the actions the workload calls, e.g. `s3:GetObject`"),
                    );
                    continue;
                }
                // The managed AWS MCP Server's own actions are still listed but authorize nothing:
                // the downstream service authorizes each call (Agent Toolkit user guide).
                if service == "aws-mcp"
                    && matches!(actions::lookup(service, name), Lookup::Known(_))
                {
                    diagnostics.push(
                        Diagnostic::warning(
                            Code::NoEffectAction,
                            action.span,
                            format!(
                                "`{}` in `allow \"{}\"` of iam_role `{}` has no effect: the AWS MCP Server's own actions no longer authorize anything",
                                action.value, allow.name.value, role.name.value
                            ),
                        )
                        .with_help("grant the downstream actions the role calls through the server; to restrict calls through it, use the condition keys `aws:ViaAWSMCPService` and `aws:CalledViaAWSMCP`"),
                    );
                    continue;
                }
                let lookup = actions::lookup(service, name);
                let Some(write) = lookup.changes_resources() else {
                    let mut d = Diagnostic::error(
                        Code::UnknownAction,
                        action.span,
                        format!(
                            "`{}` in `allow \"{}\"` of iam_role `{}` is not an IAM action of `{service}`",
                            action.value, allow.name.value, role.name.value
                        ),
                    );
                    if let Lookup::Unknown(Some(help)) = &lookup {
                        d = d.with_help(help.clone());
                    }
                    diagnostics.push(d);
                    continue;
                };
                if write && let Some(any) = any {
                    diagnostics.push(
                        Diagnostic::error(
                            Code::WriteOnAny,
                            action.span,
                            format!(
                                "`allow \"{}\"` of iam_role `{}` grants `{}`, which changes resources, on `*`",
                                allow.name.value, role.name.value, action.value
                            ),
                        )
                        .with_label(any.span, "every resource")
                        .with_help("name the targets in `on` (ARNs), or keep `*` for read and list actions only"),
                    );
                }
            }
        }
        let node = Node::Role(IamRoleId(index));
        let referenced = !facts.graph.incoming(node, Edge::UsesRole).is_empty()
            || !facts.graph.incoming(node, Edge::MaySpend).is_empty();
        if role.allows.is_empty() && !referenced {
            diagnostics.push(
                Diagnostic::warning(
                    Code::Unused,
                    role.name.span,
                    format!(
                        "iam_role `{}` grants nothing and no component uses it",
                        role.name.value
                    ),
                )
                .with_help("add `allow` blocks, or remove the role"),
            );
        }
    }
}
