//! Accounts: what a platform across several AWS accounts needs, and the links between components
//! that cannot cross an account boundary the way the blueprint declares them.
//!
//! Why: each resource is created by the account that owns it (`provider-facts.md` §9.4). A link
//! between two components of different accounts either fails at apply (a consumer endpoint the
//! endpoint service's permissions do not admit, load balancers or mount targets in another
//! account's subnets, a Direct Connect gateway association without its proposal) or needs
//! resource policies, proposals and acceptances in two stacks that agentform does not generate
//! yet. Both are refused here, naming both components and both accounts, instead of in the middle
//! of an apply. A platform of several stacks needs the remote state backend its stacks exchange
//! values through (`AF962`), a stack order (no accounts attached to each other's gateways in a
//! circle), and stack names that do not collide (`AF960`).
//!
//! Example: `account = "tenants"` on an `mcp_ingress` whose VPC is in account `network` is
//! `AF961` at that `account`; a platform whose VPC is in another account than its gateway and
//! without `state { }` is `AF962` at the platform's name.

use crate::diag::{Code, Diagnostic, Diagnostics, Span};
use crate::model::accounts::{AccountId, Placement, ShareWith};
use crate::model::{Component, IamRoleId, Model, Principal, Target, TgwId, naming};
use crate::validate::Facts;

pub fn check(model: &Model, _: &Facts, diagnostics: &mut Diagnostics) {
    stack_names(model, diagnostics);
    if !model.accounts.spans_accounts() {
        return;
    }
    state_backend(model, diagnostics);
    organization_units(model, diagnostics);
    network_placement(model, diagnostics);
    ingress_consumers(model, diagnostics);
    access_points(model, diagnostics);
    allows(model, diagnostics);
    payment_roles(model, diagnostics);
    context_roles(model, diagnostics);
    dedicated_routing(model, diagnostics);
    attachment_cycle(model, diagnostics);
}

/// One end of a link between two components: what it is, where it lives, and where to point when
/// its account was not written.
struct End {
    what: String,
    placement: Placement,
    name: Span,
}

impl End {
    fn account<'m>(&self, model: &'m Model) -> &'m str {
        &model.accounts.account(self.placement.account).name.value
    }

    fn label(&self, model: &Model) -> String {
        let account = self.account(model);
        if self.placement.written.is_some() {
            format!("{} is placed in account `{account}` here", self.what)
        } else {
            format!("{} is in account `{account}` (by default)", self.what)
        }
    }
}

/// A link between two ends in different accounts: at the `account =` that was written (the first
/// end's, else the second's), or else at the first end's name; a label at the other end.
fn across(model: &Model, a: &End, b: &End, message: String) -> Diagnostic {
    let (primary, other, other_at) = match (a.placement.written, b.placement.written) {
        (Some(at), other) => (at, b, other.unwrap_or(b.name)),
        (None, Some(at)) => (at, a, a.name),
        (None, None) => (a.name, b, b.name),
    };
    Diagnostic::error(Code::CrossAccount, primary, message).with_label(other_at, other.label(model))
}

fn vpc_end(model: &Model, vpc: usize) -> End {
    End {
        what: format!("vpc `{}`", model.vpcs[vpc].name.value),
        placement: model.accounts.vpcs[vpc],
        name: model.vpcs[vpc].name.span,
    }
}

fn role_end(model: &Model, role: IamRoleId) -> End {
    End {
        what: format!("iam_role `{}`", model.role(role).name.value),
        placement: model.accounts.iam_roles[role.0],
        name: model.role(role).name.span,
    }
}

fn ingress_end(model: &Model, ingress: usize) -> End {
    End {
        what: format!("mcp_ingress `{}`", model.ingresses[ingress].name.value),
        placement: model.accounts.ingresses[ingress],
        name: model.ingresses[ingress].name.span,
    }
}

fn storage_end(model: &Model, storage: usize) -> End {
    End {
        what: format!("s3_files `{}`", model.s3_files[storage].name.value),
        placement: model.accounts.s3_files[storage],
        name: model.s3_files[storage].name.span,
    }
}

fn manager_end(model: &Model, manager: usize) -> End {
    End {
        what: format!(
            "payment_manager `{}`",
            model.payment_managers[manager].name.value
        ),
        placement: model.accounts.payment_managers[manager],
        name: model.payment_managers[manager].name.span,
    }
}

fn tgw_end(model: &Model, tgw: TgwId) -> End {
    End {
        what: format!(
            "transit_gateway `{}`",
            model.transit_gateways[tgw.0].name.value
        ),
        placement: model.accounts.transit_gateways[tgw.0],
        name: model.transit_gateways[tgw.0].name.span,
    }
}

fn differ(a: &End, b: &End) -> bool {
    a.placement.account != b.placement.account
}

/// `AF962`: several stacks exchange values through a remote state backend.
fn state_backend(model: &Model, diagnostics: &mut Diagnostics) {
    let platform = &model.platform;
    if platform.state.is_some() {
        return;
    }
    let accounts = &model.accounts;
    let mut used: Vec<AccountId> = accounts
        .transit_gateways
        .iter()
        .chain(&accounts.vpcs)
        .chain(&accounts.interconnects)
        .chain(&accounts.ingresses)
        .chain(&accounts.s3_files)
        .chain(&accounts.iam_roles)
        .chain(&accounts.payment_managers)
        .chain(&accounts.audit_trail)
        .map(|p| p.account)
        .chain([accounts.default])
        .collect();
    used.sort();
    used.dedup();
    let names: Vec<String> = used
        .iter()
        .map(|a| format!("`{}`", accounts.account(*a).name.value))
        .collect();
    diagnostics.push(
        Diagnostic::error(
            Code::StateBackend,
            platform.name.span,
            format!(
                "platform `{}` spans accounts {} but declares no remote state backend for their stacks",
                platform.name.value,
                names.join(", ")
            ),
        )
        .with_help(format!(
            "add to the platform block: `state {{ bucket = \"{}-{}-terraform-state\" }}` (S3 with native lock files; `region` defaults to `{}`, `key_prefix` to `{}`): each account's stacks keep their state there and read the values other stacks publish",
            platform.name.value, platform.environment, platform.region, platform.name.value
        )),
    );
}

/// `AF960`: an account named like another account's routing or routes stack.
fn stack_names(model: &Model, diagnostics: &mut Diagnostics) {
    let accounts = &model.accounts;
    if !accounts.declared {
        return;
    }
    for account in &accounts.list {
        for other in &accounts.list {
            let name = &account.name.value;
            let Some(suffix) = name
                .strip_prefix(other.name.value.as_str())
                .and_then(|rest| rest.strip_prefix('-'))
                .filter(|s| ["routing", "routes"].contains(s))
            else {
                continue;
            };
            let holds = if suffix == "routing" {
                "routing of its shared transit gateways (accepters, route tables, associations, propagations)"
            } else {
                "VPC routes toward other accounts' transit gateways"
            };
            diagnostics.push(
                Diagnostic::error(
                    Code::AccountDeclaration,
                    account.name.span,
                    format!(
                        "account `{name}` has the name of the stack that holds account `{}`'s {holds}",
                        other.name.value
                    ),
                )
                .with_label(other.name.span, format!("account `{}` is declared here", other.name.value))
                .with_help(format!(
                    "stacks are named after their account, and `<account>-routing` and `<account>-routes` after the account whose routing waits for other accounts: rename account `{name}`"
                )),
            );
        }
    }
}

/// `AF960`: a gateway shared with the organizational units of its attached accounts, one of which
/// declares none.
fn organization_units(model: &Model, diagnostics: &mut Diagnostics) {
    let accounts = &model.accounts;
    for (i, share) in accounts.share_with.iter().enumerate() {
        if share.value != ShareWith::OrganizationUnits {
            continue;
        }
        for a in accounts.attached_accounts(model, TgwId(i)) {
            let account = accounts.account(a);
            if account.organization_unit.is_some() {
                continue;
            }
            diagnostics.push(
                Diagnostic::error(
                    Code::AccountDeclaration,
                    share.span,
                    format!(
                        "transit_gateway `{}` is shared with the organizational units of its attached accounts, but account `{}` declares no `organization_unit`",
                        model.transit_gateways[i].name.value, account.name.value
                    ),
                )
                .with_label(account.name.span, format!("account `{}` attaches a VPC to the gateway", account.name.value))
                .with_help(format!(
                    "add `organization_unit = \"arn:aws:organizations::MANAGEMENT:ou/o-ORG/ou-ROOT-OU\"` to account `{}`, or share with each account by id: `share_with = \"accounts\"`",
                    account.name.value
                )),
            );
        }
    }
}

/// `AF961` (a): an ingress or a file system in another account than its VPC; an interconnect in
/// another account than its gateway.
fn network_placement(model: &Model, diagnostics: &mut Diagnostics) {
    for (i, ingress) in model.ingresses.iter().enumerate() {
        let a = ingress_end(model, i);
        let b = vpc_end(model, ingress.vpc.value.0);
        if differ(&a, &b) {
            diagnostics.push(
                across(
                    model,
                    &a,
                    &b,
                    format!(
                        "{} is in account `{}` but its vpc `{}` is in account `{}`: its load balancers and endpoint service live in the VPC's subnets",
                        a.what,
                        a.account(model),
                        model.vpcs[ingress.vpc.value.0].name.value,
                        b.account(model)
                    ),
                )
                .with_help("place the ingress in the VPC's account (remove its `account`, it defaults to its VPC's): only the account that owns a subnet, or one it shares the subnet with, creates resources in it"),
            );
        }
    }
    for (i, storage) in model.s3_files.iter().enumerate() {
        let a = storage_end(model, i);
        let b = vpc_end(model, storage.vpc.value.0);
        if differ(&a, &b) {
            diagnostics.push(
                across(
                    model,
                    &a,
                    &b,
                    format!(
                        "{} is in account `{}` but its vpc `{}` is in account `{}`: its mount targets live in the VPC's subnets",
                        a.what,
                        a.account(model),
                        model.vpcs[storage.vpc.value.0].name.value,
                        b.account(model)
                    ),
                )
                .with_help("place the file system in the VPC's account (remove its `account`, it defaults to its VPC's): only the account that owns a subnet, or one it shares the subnet with, creates resources in it"),
            );
        }
    }
    for (i, interconnect) in model.interconnects.iter().enumerate() {
        let a = End {
            what: format!("interconnect `{}`", interconnect.name.value),
            placement: model.accounts.interconnects[i],
            name: interconnect.name.span,
        };
        let b = tgw_end(model, interconnect.transit_gateway);
        if differ(&a, &b) {
            diagnostics.push(
                across(
                    model,
                    &a,
                    &b,
                    format!(
                        "{} is in account `{}` but its {} is in account `{}`: associating a Direct Connect gateway with another account's transit gateway needs an association proposal, which is not generated",
                        a.what,
                        a.account(model),
                        b.what,
                        b.account(model)
                    ),
                )
                .with_help("place the interconnect in its gateway's account (remove its `account`, it defaults to its gateway's)"),
            );
        }
    }
}

/// Whether an endpoint service's `allowed_principals` admit a principal of `account_id`: `*`, the
/// account's root, or one of its roles or users.
fn admits(principals: &[crate::diag::Spanned<String>], account_id: &str) -> bool {
    principals
        .iter()
        .any(|p| p.value == "*" || p.value.split(':').nth(4) == Some(account_id))
}

/// `AF961` (b): a consumer VPC in another account than the ingress.
fn ingress_consumers(model: &Model, diagnostics: &mut Diagnostics) {
    for (i, ingress) in model.ingresses.iter().enumerate() {
        let service = ingress_end(model, i);
        for consumer in &ingress.consumers {
            let vpc = vpc_end(model, consumer.value.0);
            if !differ(&vpc, &service) {
                continue;
            }
            let consumer_account = model.accounts.account(vpc.placement.account);
            let (message, help) = if admits(&ingress.allowed_principals, &consumer_account.id) {
                (
                    format!(
                        "consumer {} of {} is in account `{}`, the ingress in account `{}`: cross-account consumers are not generated yet",
                        vpc.what,
                        service.what,
                        vpc.account(model),
                        service.account(model)
                    ),
                    format!(
                        "the consumer's endpoint would be created by account `{}`'s stack and accepted by account `{}`'s; place vpc `{}` in account `{}` for now",
                        vpc.account(model),
                        service.account(model),
                        model.vpcs[consumer.value.0].name.value,
                        service.account(model)
                    ),
                )
            } else {
                (
                    format!(
                        "consumer {} of {} is in account `{}` ({}), which `allowed_principals` does not admit: AWS refuses its endpoint",
                        vpc.what,
                        service.what,
                        vpc.account(model),
                        consumer_account.id
                    ),
                    format!(
                        "place vpc `{}` in account `{}` (cross-account consumers are not generated yet); an endpoint service admits only the principals it lists, so a consumer in account `{}` would also need `arn:aws:iam::{}:root` (or one of its roles) in `allowed_principals`",
                        model.vpcs[consumer.value.0].name.value,
                        service.account(model),
                        vpc.account(model),
                        consumer_account.id
                    ),
                )
            };
            diagnostics.push(
                across(model, &vpc, &service, message)
                    .with_label(consumer.span, "named as a consumer here")
                    .with_help(help),
            );
        }
    }
}

/// `AF961` (c): an access point used by a role of another account than its file system.
fn access_points(model: &Model, diagnostics: &mut Diagnostics) {
    for (i, storage) in model.s3_files.iter().enumerate() {
        let fs = storage_end(model, i);
        for point in &storage.access_points {
            for role in &point.roles {
                let r = role_end(model, role.value);
                if !differ(&r, &fs) {
                    continue;
                }
                diagnostics.push(
                    across(
                        model,
                        &r,
                        &fs,
                        format!(
                            "{} of account `{}` is a role of access point `{}` of {} in account `{}`: cross-account mounts are not generated",
                            r.what,
                            r.account(model),
                            point.name.value,
                            fs.what,
                            fs.account(model)
                        ),
                    )
                    .with_label(role.span, "named here")
                    .with_help(format!(
                        "place iam_role `{}` in account `{}`: across accounts, both the file-system policy (written by the file system's stack) and the role's own policy (written by its account's stack) must allow the mount",
                        model.role(role.value).name.value,
                        fs.account(model)
                    )),
                );
            }
        }
    }
}

/// The account, and a description, of a component an `allow` names.
fn component_end(model: &Model, component: Component) -> End {
    match component {
        Component::EndpointService(id) => ingress_end(model, id.0),
        Component::IngressLogs(id) => End {
            what: format!("the logs of mcp_ingress `{}`", model.ingress(id).name.value),
            ..ingress_end(model, id.0)
        },
        Component::FileSystem(id) => storage_end(model, id.0),
        Component::AccessPoint(id, point) => End {
            what: format!(
                "access point `{}` of s3_files `{}`",
                model.storage(id).access_points[point].name.value,
                model.storage(id).name.value
            ),
            ..storage_end(model, id.0)
        },
        Component::PaymentManager(id) => manager_end(model, id.0),
    }
}

/// `AF961` (d): a role allowed on a component of another account, or running in a VPC of another
/// account.
fn allows(model: &Model, diagnostics: &mut Diagnostics) {
    for (i, role) in model.iam_roles.iter().enumerate() {
        let r = role_end(model, IamRoleId(i));
        for allow in &role.allows {
            for target in &allow.on {
                let Target::Component(component) = target.value else {
                    continue;
                };
                let c = component_end(model, component);
                if !differ(&r, &c) {
                    continue;
                }
                diagnostics.push(
                    across(
                        model,
                        &r,
                        &c,
                        format!(
                            "{} of account `{}` is allowed on {} in account `{}`: cross-account access is not generated",
                            r.what,
                            r.account(model),
                            c.what,
                            c.account(model)
                        ),
                    )
                    .with_label(target.span, format!("`allow \"{}\"` names it here", allow.name.value))
                    .with_help(format!(
                        "place iam_role `{}` in account `{}`: across accounts, the resource's side must admit the role as well as the role's own policy, and the generated stacks grant access within one account only",
                        role.name.value,
                        c.account(model)
                    )),
                );
            }
        }
        for vpc in &role.runs_in {
            let v = vpc_end(model, vpc.value.0);
            if !differ(&r, &v) {
                continue;
            }
            diagnostics.push(
                across(
                    model,
                    &r,
                    &v,
                    format!(
                        "{} of account `{}` runs in {} of account `{}`: workloads assuming a role of another account are not generated",
                        r.what,
                        r.account(model),
                        v.what,
                        v.account(model)
                    ),
                )
                .with_label(vpc.span, "named in `runs_in` here")
                .with_help(format!(
                    "place iam_role `{}` in account `{}`: its trust, its VPC endpoints and its firewall allow-lists are generated for workloads of its own account",
                    role.name.value,
                    v.account(model)
                )),
            );
        }
    }
}

/// The blueprint role a payment principal is: by name, or by the ARN its own account gives it.
fn blueprint_role(model: &Model, principal: &Principal) -> Option<IamRoleId> {
    match principal {
        Principal::Role(id) => Some(*id),
        Principal::Arn(arn) => (0..model.iam_roles.len()).map(IamRoleId).find(|&id| {
            let account = model
                .accounts
                .account(model.accounts.iam_roles[id.0].account);
            let name = naming::role_name(&model.platform, model.role(id));
            *arn == format!(
                "arn:{}:iam::{}:role/{name}",
                naming::partition(&model.platform.region),
                account.id
            )
        }),
    }
}

/// `AF961` (e): a payment manager whose agents or principals are roles of another account.
fn payment_roles(model: &Model, diagnostics: &mut Diagnostics) {
    for (i, manager) in model.payment_managers.iter().enumerate() {
        let m = manager_end(model, i);
        let agents = manager
            .agents
            .iter()
            .map(|a| (Some(a.value), a.span, "`agents`"));
        let principals = [
            (&manager.admin_principals, "`admin_principals`"),
            (&manager.session_principals, "`session_principals`"),
            (&manager.payment_principals, "`payment_principals`"),
        ]
        .into_iter()
        .flat_map(|(list, field)| {
            list.iter()
                .map(move |p| (blueprint_role(model, &p.value), p.span, field))
        });
        for (role, span, field) in agents.chain(principals) {
            let Some(role) = role else { continue };
            let r = role_end(model, role);
            if !differ(&r, &m) {
                continue;
            }
            diagnostics.push(
                across(
                    model,
                    &r,
                    &m,
                    format!(
                        "{} of account `{}` is named in {field} of {} in account `{}`: cross-account payment roles are not generated",
                        r.what,
                        r.account(model),
                        m.what,
                        m.account(model)
                    ),
                )
                .with_label(span, format!("named in {field} here"))
                .with_help(format!(
                    "place iam_role `{}` in account `{}`: the payment manager's roles trust, and its guardrails name, roles of the stack that creates them",
                    model.role(role).name.value,
                    m.account(model)
                )),
            );
        }
    }
}

/// `AF961` (e): an ingress whose context roles are roles of another account.
fn context_roles(model: &Model, diagnostics: &mut Diagnostics) {
    for (i, ingress) in model.ingresses.iter().enumerate() {
        let service = ingress_end(model, i);
        for (role, field) in [
            (&ingress.context_fetch_role, "context_fetch_role"),
            (&ingress.context_modify_role, "context_modify_role"),
        ] {
            let r = role_end(model, role.value);
            if !differ(&r, &service) {
                continue;
            }
            diagnostics.push(
                across(
                    model,
                    &r,
                    &service,
                    format!(
                        "{} of account `{}` is the `{field}` of {} in account `{}`: the MCP servers behind the ingress would assume a role of another account, which is not generated",
                        r.what,
                        r.account(model),
                        service.what,
                        service.account(model)
                    ),
                )
                .with_label(role.span, format!("`{field}` names it here"))
                .with_help(format!(
                    "place iam_role `{}` in account `{}`, where the MCP servers run",
                    model.role(role.value).name.value,
                    service.account(model)
                )),
            );
        }
    }
}

/// `AF961` (f): a VPC with dedicated route tables that route back to the gateway (egress,
/// firewall, forwarding) in another account than its gateway.
fn dedicated_routing(model: &Model, diagnostics: &mut Diagnostics) {
    for (i, vpc) in model.vpcs.iter().enumerate() {
        let what = if vpc.internet_egress.is_some() {
            "`internet_egress`"
        } else if vpc.firewall.is_some() {
            "a `firewall`"
        } else if vpc.forwards() {
            "`forwards = true`"
        } else {
            continue;
        };
        let v = vpc_end(model, i);
        let t = tgw_end(model, vpc.transit_gateway);
        if !differ(&v, &t) {
            continue;
        }
        diagnostics.push(
            across(
                model,
                &v,
                &t,
                format!(
                    "{} has {what} and is in account `{}`, its {} in account `{}`: such a VPC is generated only in its gateway's account for now",
                    v.what,
                    v.account(model),
                    t.what,
                    t.account(model)
                ),
            )
            .with_help(format!(
                "place vpc `{}` in account `{}`: its dedicated route tables send traffic back to the gateway, and their routes are planned with the gateway's routing; the other accounts' VPCs reach it through the shared gateway",
                vpc.name.value,
                t.account(model)
            )),
        );
    }
}

/// `AF961` (g): accounts attached to each other's gateways in a circle.
fn attachment_cycle(model: &Model, diagnostics: &mut Diagnostics) {
    let Some(cycle) = model.accounts.attachment_cycle(model) else {
        return;
    };
    let accounts = &model.accounts;
    let name = |a: AccountId| accounts.account(a).name.value.as_str();
    // For each step of the circle (an account needing the next one's gateway), the first VPC that
    // makes it.
    let steps: Vec<(usize, AccountId, AccountId)> = cycle
        .iter()
        .enumerate()
        .filter_map(|(k, &from)| {
            let to = cycle[(k + 1) % cycle.len()];
            (0..model.vpcs.len())
                .find(|&v| {
                    accounts.vpcs[v].account == from
                        && accounts.transit_gateways[model.vpcs[v].transit_gateway.0].account == to
                })
                .map(|v| (v, from, to))
        })
        .collect();
    let Some(&(first, from, to)) = steps.iter().min_by_key(|(v, _, _)| *v) else {
        return;
    };
    let mut circle: Vec<&str> = cycle.iter().map(|&a| name(a)).collect();
    circle.push(name(cycle[0]));
    let at = |v: usize| accounts.vpcs[v].written.unwrap_or(model.vpcs[v].name.span);
    let gateway = |v: usize| {
        &model.transit_gateways[model.vpcs[v].transit_gateway.0]
            .name
            .value
    };
    let mut d = Diagnostic::error(
        Code::CrossAccount,
        at(first),
        format!(
            "accounts are attached to each other's transit gateways in a circle ({}): vpc `{}` of account `{}` attaches to transit_gateway `{}` of account `{}`, so no stack order exists",
            circle.join(" → "),
            model.vpcs[first].name.value,
            name(from),
            gateway(first),
            name(to)
        ),
    );
    for &(v, from, to) in steps.iter().filter(|(v, _, _)| *v != first) {
        d = d.with_label(
            at(v),
            format!(
                "vpc `{}` of account `{}` attaches to transit_gateway `{}` of account `{}`",
                model.vpcs[v].name.value,
                name(from),
                gateway(v),
                name(to)
            ),
        );
    }
    diagnostics.push(d.with_help(
        "a gateway is built before the accounts that attach to it, and each account's VPCs after the gateways they attach to: keep the gateways of a circle in one account (a network account) and attach the others' VPCs to them",
    ));
}

#[cfg(test)]
mod tests {
    use crate::diag::{Code, Diagnostics};
    use crate::segregation::report::Matrices;

    /// The codes every diagnostic of a blueprint carries, after lowering and validation.
    fn codes(text: &str) -> Vec<(Code, String)> {
        let source = crate::source::SourceFile::from_text("accounts.hcl", text);
        let mut diagnostics = Diagnostics::default();
        let body = crate::syntax::parse(&source, &mut diagnostics).expect("parses");
        let model = crate::lower::lower(
            &body,
            "accounts.hcl",
            &crate::lower::Overrides::default(),
            &mut diagnostics,
        )
        .expect("lowers");
        let _ = crate::validate::validate(model, Matrices::Segments, &mut diagnostics);
        diagnostics
            .into_sorted("accounts.hcl", None)
            .into_iter()
            .map(|d| (d.code, d.message))
            .collect()
    }

    /// Three accounts, each component with what it links to: a network account with the gateway,
    /// a shared-services VPC and its MCP ingress, consumers and context roles; an agents account
    /// with its VPC, workspace and roles; a tenants account with a spoke.
    const CONSISTENT: &str = r#"
platform "agents" {
  environment = "prod"
  region      = "us-east-1"
  account     = "network"
  state {
    bucket = "agents-prod-terraform-state"
  }
}

account "network" {
  id = "111111111111"
}

account "agents" {
  id = "222222222222"
}

account "tenants" {
  id = "333333333333"
}

transit_gateway "core" {
  segment "shared" { connects_to = ["agents", "tenants"] }
  segment "agents" {}
  segment "tenants" { isolated = true }
}

vpc "shared" {
  cidr    = "10.30.0.0/16"
  azs     = ["us-east-1a", "us-east-1b"]
  subnets = ["10.30.0.0/24", "10.30.1.0/24"]
  segment = "shared"
}

vpc "agents" {
  account = "agents"
  cidr    = "10.10.0.0/16"
  azs     = ["us-east-1a", "us-east-1b"]
  subnets = ["10.10.0.0/24", "10.10.1.0/24"]
  segment = "agents"
}

vpc "tenant-a" {
  account = "tenants"
  cidr    = "10.20.0.0/16"
  azs     = ["us-east-1a", "us-east-1b"]
  subnets = ["10.20.0.0/24", "10.20.1.0/24"]
  segment = "tenants"
}

mcp_ingress "tools" {
  vpc                 = "shared"
  certificate_arn     = "arn:aws:acm:us-east-1:111111111111:certificate/0f1e2d3c-aaaa-bbbb-cccc-123456789abc"
  client_auth         = "oidc"
  allowed_principals  = ["arn:aws:iam::111111111111:root"]
  consumers           = ["shared"]
  context_fetch_role  = "mcp-context-fetch"
  context_modify_role = "mcp-context-modify"
}

iam_role "mcp-context-fetch" {
  pod_identity {
    cluster         = "shared"
    namespace       = "mcp"
    service_account = "context-fetch"
  }
  allow "read-context" {
    actions = ["s3:GetObject"]
    on      = ["arn:aws:s3:::agents-prod-context/*"]
  }
}

iam_role "mcp-context-modify" {
  pod_identity {
    cluster         = "shared"
    namespace       = "mcp"
    service_account = "context-modify"
  }
  allow "write-context" {
    actions = ["s3:PutObject"]
    on      = ["arn:aws:s3:::agents-prod-context/*"]
  }
}

s3_files "workspace" {
  bucket            = "agents-prod-workspace"
  vpc               = "agents"
  expire_after_days = 7
  access_point "research" {
    uid            = 1001
    gid            = 1001
    root_directory = "/research"
    roles          = ["research-agent"]
  }
}

iam_role "research-agent" {
  account = "agents"
  runs_in = ["agents"]
  pod_identity {
    cluster         = "agents"
    namespace       = "agents"
    service_account = "research"
  }
  allow "workspace" {
    actions = ["s3files:ClientMount", "s3files:ClientWrite"]
    on      = ["s3_files.workspace.research"]
  }
}
"#;

    fn account_codes(found: &[(Code, String)]) -> Vec<&(Code, String)> {
        found
            .iter()
            .filter(|(c, _)| {
                matches!(
                    c,
                    Code::AccountDeclaration | Code::CrossAccount | Code::StateBackend
                )
            })
            .collect()
    }

    #[test]
    fn components_placed_with_what_they_link_to_pass() {
        let found = codes(CONSISTENT);
        assert!(account_codes(&found).is_empty(), "{found:?}");
        assert!(
            !found.iter().any(|(c, _)| *c == Code::AwsReject),
            "the ingress's principals are of its own account: {found:?}"
        );
    }

    #[test]
    fn moving_one_component_breaks_exactly_its_links() {
        // The workspace follows its VPC into account `agents`; moving the role back to the
        // platform's account breaks its access point and its `runs_in`.
        let moved = CONSISTENT.replace("  account = \"agents\"\n  runs_in", "  runs_in");
        let found = codes(&moved);
        let messages: Vec<&str> = account_codes(&found)
            .iter()
            .map(|(_, m)| m.as_str())
            .collect();
        assert_eq!(messages.len(), 3, "{found:?}");
        assert!(
            messages
                .iter()
                .all(|m| m.contains("iam_role `research-agent` of account `network`"))
        );
        assert!(
            messages
                .iter()
                .any(|m| m.contains("access point `research`"))
        );
        assert!(messages.iter().any(|m| m.contains("runs in vpc `agents`")));
        assert!(
            messages
                .iter()
                .any(|m| m.contains("is allowed on access point `research`"))
        );
    }

    #[test]
    fn one_account_needs_no_state_backend() {
        let single = CONSISTENT
            .replace("  account = \"agents\"\n", "")
            .replace("  account = \"tenants\"\n", "");
        let found = codes(&single);
        assert!(account_codes(&found).is_empty(), "{found:?}");
        let without_state = single.replace(
            "  state {\n    bucket = \"agents-prod-terraform-state\"\n  }\n",
            "",
        );
        assert!(account_codes(&codes(&without_state)).is_empty());
        let spread = CONSISTENT.replace(
            "  state {\n    bucket = \"agents-prod-terraform-state\"\n  }\n",
            "",
        );
        let found = codes(&spread);
        assert_eq!(
            account_codes(&found)
                .iter()
                .map(|(c, _)| *c)
                .collect::<Vec<_>>(),
            [Code::StateBackend],
            "{found:?}"
        );
    }

    #[test]
    fn an_endpoint_service_admits_an_account_by_its_root_a_role_or_a_star() {
        let list = |items: &[&str]| -> Vec<crate::diag::Spanned<String>> {
            items
                .iter()
                .map(|s| crate::diag::Spanned::new((*s).to_string(), crate::diag::Span::NONE))
                .collect()
        };
        let id = "222222222222";
        assert!(super::admits(
            &list(&["arn:aws:iam::222222222222:root"]),
            id
        ));
        assert!(super::admits(
            &list(&[
                "arn:aws:iam::111111111111:root",
                "arn:aws:iam::222222222222:role/mcp"
            ]),
            id
        ));
        assert!(super::admits(&list(&["*"]), id));
        assert!(!super::admits(
            &list(&["arn:aws:iam::111111111111:root"]),
            id
        ));
        assert!(!super::admits(&list(&[]), id));
    }
}
