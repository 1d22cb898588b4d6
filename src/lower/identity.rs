//! Lowering `iam_role` blocks: exactly one trust block, `allow` blocks with `service:Action` names
//! and targets (ARNs, `*`, or references to components the stack emits).

use super::reader::BlockReader;
use super::{Names, TopBlock, resolve, single_label, unknown_reference};
use crate::diag::{Code, Diagnostic, Diagnostics, Spanned, did_you_mean};
use crate::model::{
    Allow, Component, IamRole, IngressId, PaymentManagerId, S3Files, S3FilesId, Target, Trust,
    TrustAnchor, VpcId,
};
use crate::schema;

/// The session length AWS allows for a role, in seconds (IAM `MaxSessionDuration`).
const SESSION_SECONDS: std::ops::RangeInclusive<u32> = 3_600..=43_200;
pub const DEFAULT_MAX_SESSION_SECONDS: u32 = 3_600;

const TRUST_KINDS: [&str; 5] = [
    "irsa",
    "pod_identity",
    "roles_anywhere",
    "service",
    "principals",
];

pub(super) fn lower(
    top: &TopBlock,
    names: &Names,
    s3_files: &[Option<S3Files>],
    diagnostics: &mut Diagnostics,
) -> Option<IamRole> {
    let owner = format!("iam_role `{}`", top.name.value);
    let r = BlockReader::new(top.block, &schema::IAM_ROLE, owner.clone(), diagnostics);
    let description = r.string("description", diagnostics).map(|d| d.value);
    // The managed AWS MCP Server as a declared dependency of the role.
    let aws_mcp_server = r
        .bool("aws_mcp_server", diagnostics)
        .is_some_and(|b| b.value);
    let runs_in = runs_in(&r, names, &owner, diagnostics);
    let max_session_seconds = r
        .u32("max_session_seconds", diagnostics)
        .unwrap_or_else(|| Spanned::new(DEFAULT_MAX_SESSION_SECONDS, top.name.span));
    if !SESSION_SECONDS.contains(&max_session_seconds.value) {
        diagnostics.push(
            Diagnostic::error(
                Code::AwsReject,
                max_session_seconds.span,
                format!(
                    "`max_session_seconds` of {owner} is {}; IAM accepts 3600 to 43200",
                    max_session_seconds.value
                ),
            )
            .with_help("sessions last between one and twelve hours"),
        );
    }

    let trusts: Vec<_> = top
        .block
        .body
        .blocks
        .iter()
        .filter(|b| TRUST_KINDS.contains(&b.ident.as_str()))
        .collect();
    let trust = match trusts.as_slice() {
        [] => {
            diagnostics.push(
                Diagnostic::error(
                    Code::MissingAttribute,
                    top.name.span,
                    format!("{owner} has no trust: nobody could assume it"),
                )
                .with_help("add exactly one of `irsa { ... }`, `pod_identity { ... }`, `roles_anywhere { ... }`, `service { ... }`, `principals { ... }`"),
            );
            None
        }
        [block] => lower_trust(block, &owner, diagnostics),
        [first, second, ..] => {
            diagnostics.push(
                Diagnostic::error(
                    Code::InvalidValue,
                    second.span,
                    format!(
                        "{owner} has two trusts (`{}` and `{}`); a role has exactly one",
                        first.ident, second.ident
                    ),
                )
                .with_label(first.span, "first trust")
                .with_help("one role per kind of workload: split it into two roles"),
            );
            None
        }
    };

    let mut allows: Vec<Allow> = Vec::new();
    for block in r.blocks("allow") {
        let Some(name) = single_label(block, diagnostics) else {
            continue;
        };
        if let Some(first) = allows.iter().find(|a| a.name.value == name.value) {
            diagnostics.push(
                Diagnostic::error(
                    Code::DuplicateName,
                    name.span,
                    format!("{owner} declares `allow \"{}\"` twice", name.value),
                )
                .with_label(first.name.span, "first declared here"),
            );
            continue;
        }
        let ar = BlockReader::new(
            block,
            &schema::ALLOW,
            format!("allow `{}` of {owner}", name.value),
            diagnostics,
        );
        let actions = ar.required_string_list("actions", "[\"s3:GetObject\"]", diagnostics);
        let on = ar.required_string_list("on", "[\"arn:aws:s3:::bucket/*\"]", diagnostics);
        for action in actions.iter().flatten() {
            if !valid_action(&action.value) {
                diagnostics.push(
                    Diagnostic::error(
                        Code::InvalidValue,
                        action.span,
                        format!("`{}` is not an IAM action", action.value),
                    )
                    .with_help("write `service:Action`, such as `s3:GetObject`"),
                );
            }
        }
        let on = on.map(|on| {
            on.iter()
                .filter_map(|t| target(t, names, s3_files, diagnostics))
                .collect::<Vec<_>>()
        });
        if let (Some(actions), Some(on)) = (actions, on) {
            allows.push(Allow { name, actions, on });
        }
    }

    Some(IamRole {
        name: top.name.clone(),
        description,
        max_session_seconds,
        trust: trust?,
        allows,
        aws_mcp_server,
        runs_in,
    })
}

/// `runs_in`: the VPCs the role's workloads run in, each once.
fn runs_in(
    r: &BlockReader,
    names: &Names,
    owner: &str,
    diagnostics: &mut Diagnostics,
) -> Vec<Spanned<VpcId>> {
    let mut out: Vec<Spanned<VpcId>> = Vec::new();
    for name in r.string_list("runs_in", diagnostics).unwrap_or_default() {
        let Some(id) = resolve(names, "vpc", &name, diagnostics) else {
            continue;
        };
        if let Some(first) = out.iter().find(|v| v.value.0 == id.value) {
            diagnostics.push(
                Diagnostic::error(
                    Code::DuplicateName,
                    name.span,
                    format!("{owner} lists vpc `{}` twice in `runs_in`", name.value),
                )
                .with_label(first.span, "first listed here"),
            );
            continue;
        }
        out.push(Spanned::new(VpcId(id.value), name.span));
    }
    out
}

fn lower_trust(
    block: &crate::syntax::Block,
    owner: &str,
    diagnostics: &mut Diagnostics,
) -> Option<Trust> {
    let schema = schema::IAM_ROLE.block(&block.ident).expect("a trust kind");
    if !block.labels.is_empty() {
        diagnostics.push(Diagnostic::error(
            Code::Labels,
            block.labels[0].span,
            format!("`{}` takes no label", block.ident),
        ));
        return None;
    }
    let r = BlockReader::new(
        block,
        schema,
        format!("`{}` of {owner}", block.ident),
        diagnostics,
    );
    let kubernetes = |r: &BlockReader, diagnostics: &mut Diagnostics| {
        let namespace = r.required_string("namespace", "\"agents\"", diagnostics);
        let service_account = r.required_string("service_account", "\"research\"", diagnostics);
        for field in [&namespace, &service_account].into_iter().flatten() {
            if !valid_kubernetes_name(&field.value) {
                diagnostics.push(
                    Diagnostic::error(
                        Code::InvalidValue,
                        field.span,
                        format!("`{}` is not a Kubernetes name", field.value),
                    )
                    .with_help(
                        "lowercase letters, digits and `-`, at most 63 characters; never `*`",
                    ),
                );
            }
        }
        (namespace, service_account)
    };
    match block.ident.as_str() {
        "irsa" => {
            let arn = r.required_string(
                "oidc_provider_arn",
                "\"arn:aws:iam::123456789012:oidc-provider/oidc.eks.REGION.amazonaws.com/id/ID\"",
                diagnostics,
            );
            let (namespace, service_account) = kubernetes(&r, diagnostics);
            let arn = arn?;
            let issuer = match arn_part(&arn.value, "iam", "oidc-provider/") {
                Some(issuer) if !issuer.is_empty() && !issuer.contains('*') => issuer.to_string(),
                _ => {
                    diagnostics.push(
                        Diagnostic::error(
                            Code::InvalidValue,
                            arn.span,
                            format!("`{}` is not an IAM OIDC provider ARN", arn.value),
                        )
                        .with_help("write `arn:aws:iam::ACCOUNT:oidc-provider/oidc.eks.REGION.amazonaws.com/id/ID`"),
                    );
                    return None;
                }
            };
            Some(Trust::Irsa {
                oidc_provider_arn: arn,
                issuer,
                namespace: namespace?,
                service_account: service_account?,
            })
        }
        "pod_identity" => {
            let cluster = r.required_string("cluster", "\"agents\"", diagnostics);
            let (namespace, service_account) = kubernetes(&r, diagnostics);
            Some(Trust::PodIdentity {
                cluster: cluster?,
                namespace: namespace?,
                service_account: service_account?,
            })
        }
        "roles_anywhere" => {
            let existing = r.string("trust_anchor_arn", diagnostics);
            let pca = r.string("acm_pca_arn", diagnostics);
            let common_name =
                r.required_string("common_name", "\"mcp-modify.agents.internal\"", diagnostics);
            if let Some(cn) = &common_name
                && (cn.value.is_empty() || cn.value.contains('*'))
            {
                diagnostics.push(Diagnostic::error(
                    Code::InvalidValue,
                    cn.span,
                    "`common_name` must name one certificate subject, without wildcards",
                ));
            }
            let anchor = match (existing, pca) {
                (Some(arn), None) => {
                    check_arn(
                        &arn,
                        "rolesanywhere",
                        "trust-anchor/",
                        "a Roles Anywhere trust anchor",
                        diagnostics,
                    );
                    TrustAnchor::Existing(arn)
                }
                (None, Some(arn)) => {
                    check_arn(
                        &arn,
                        "acm-pca",
                        "certificate-authority/",
                        "an ACM Private CA",
                        diagnostics,
                    );
                    TrustAnchor::FromAcmPca(arn)
                }
                (Some(a), Some(b)) => {
                    diagnostics.push(
                        Diagnostic::error(
                            Code::InvalidValue,
                            b.span,
                            "give either `trust_anchor_arn` (an existing anchor) or `acm_pca_arn` (create one), not both",
                        )
                        .with_label(a.span, "the existing anchor"),
                    );
                    return None;
                }
                (None, None) => {
                    r.missing(
                        "trust_anchor_arn",
                        "\"arn:aws:rolesanywhere:REGION:ACCOUNT:trust-anchor/ID\" (or `acm_pca_arn`)",
                        diagnostics,
                    );
                    return None;
                }
            };
            Some(Trust::RolesAnywhere {
                anchor,
                common_name: common_name?,
            })
        }
        "principals" => {
            let arns = r.required_string_list(
                "arns",
                "[\"arn:aws:iam::123456789012:role/mediation\"]",
                diagnostics,
            )?;
            let mut ok = !arns.is_empty();
            if arns.is_empty() {
                diagnostics.push(
                    Diagnostic::error(
                        Code::InvalidValue,
                        block.span,
                        format!("`principals` of {owner} names nobody: nobody could assume it"),
                    )
                    .with_help("list the roles or users that may assume it: `arns = [\"arn:aws:iam::ACCOUNT:role/NAME\"]`"),
                );
            }
            for arn in &arns {
                if let Some(diagnostic) = named_principal(arn, owner) {
                    diagnostics.push(diagnostic);
                    ok = false;
                }
            }
            ok.then_some(Trust::Principals { arns })
        }
        _ => {
            let principal =
                r.required_string("principal", "\"lambda.amazonaws.com\"", diagnostics)?;
            let valid = principal
                .value
                .strip_suffix(".amazonaws.com")
                .is_some_and(|host| {
                    !host.is_empty()
                        && host.bytes().all(|b| {
                            b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'.'
                        })
                });
            if !valid {
                diagnostics.push(
                    Diagnostic::error(
                        Code::InvalidValue,
                        principal.span,
                        format!("`{}` is not an AWS service principal", principal.value),
                    )
                    .with_help("service principals look like `lambda.amazonaws.com`; for people and workloads use another trust kind"),
                );
                return None;
            }
            Some(Trust::Service { principal })
        }
    }
}

/// Why `arn` is not one named IAM role or user, if it is not: an account (its root ARN or bare
/// id) is `AF705`; a wildcard or anything else is not a principal ARN.
fn named_principal(arn: &Spanned<String>, owner: &str) -> Option<Diagnostic> {
    let value = arn.value.as_str();
    let account_id = |s: &str| s.len() == 12 && s.bytes().all(|b| b.is_ascii_digit());
    let resource = arn_resource(value, "iam");
    if account_id(value) || resource == Some("root") {
        return Some(
            Diagnostic::error(
                Code::AccountTrust,
                arn.span,
                format!("{owner} would trust the whole account of `{value}`: every principal there allowed `sts:AssumeRole` could take it"),
            )
            .with_help("name the roles or users that may assume it (`arn:aws:iam::ACCOUNT:role/NAME`)"),
        );
    }
    let named = resource.is_some_and(|r| {
        let name = r.strip_prefix("role/").or_else(|| r.strip_prefix("user/"));
        name.is_some_and(|n| {
            !n.is_empty()
                && n.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b"+=,.@_-/".contains(&b))
                && !n.starts_with('/')
                && !n.ends_with('/')
        })
    });
    (!named).then(|| {
        Diagnostic::error(
            Code::InvalidValue,
            arn.span,
            format!("`{value}` is not the ARN of one IAM role or user"),
        )
        .with_help("write `arn:aws:iam::ACCOUNT:role/NAME` or `arn:aws:iam::ACCOUNT:user/NAME`; wildcards are not allowed in a trust")
    })
}

/// The resource part of an ARN of `service` with no region and a 12-digit account.
fn arn_resource<'a>(arn: &'a str, service: &str) -> Option<&'a str> {
    let mut parts = arn.splitn(6, ':');
    let (Some("arn"), Some(partition), Some(s), Some(""), Some(account), Some(resource)) = (
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
    ) else {
        return None;
    };
    let known_partition = matches!(partition, "aws" | "aws-cn" | "aws-us-gov");
    (known_partition
        && s == service
        && account.len() == 12
        && account.bytes().all(|b| b.is_ascii_digit()))
    .then_some(resource)
}

/// The resource part of `arn:PARTITION:SERVICE:REGION:ACCOUNT:RESOURCE` after `prefix`, when the
/// ARN has that service and a 12-digit account.
pub(super) fn arn_part<'a>(arn: &'a str, service: &str, prefix: &str) -> Option<&'a str> {
    let mut parts = arn.splitn(6, ':');
    let (Some("arn"), Some(_partition), Some(s), Some(_region), Some(account), Some(resource)) = (
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
    ) else {
        return None;
    };
    (s == service && account.len() == 12 && account.bytes().all(|b| b.is_ascii_digit()))
        .then(|| resource.strip_prefix(prefix))
        .flatten()
}

fn check_arn(
    arn: &Spanned<String>,
    service: &str,
    prefix: &str,
    what: &str,
    diagnostics: &mut Diagnostics,
) {
    if arn_part(&arn.value, service, prefix).is_none_or(|id| id.is_empty() || id.contains('*')) {
        diagnostics.push(Diagnostic::error(
            Code::InvalidValue,
            arn.span,
            format!("`{}` is not the ARN of {what}", arn.value),
        ));
    }
}

/// `service:Action`: a service prefix and an action name (wildcards are judged by the rules).
fn valid_action(action: &str) -> bool {
    action == "*"
        || action.split_once(':').is_some_and(|(service, name)| {
            !service.is_empty()
                && !name.is_empty()
                && service
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
                && name
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'*' || b == b'?')
        })
}

/// An `on` entry: `*`, an ARN, or a reference to a component the stack emits (`kind.name[.child]`).
fn target(
    target: &Spanned<String>,
    names: &Names,
    s3_files: &[Option<S3Files>],
    diagnostics: &mut Diagnostics,
) -> Option<Spanned<Target>> {
    let value = target.value.as_str();
    if value == "*" {
        return Some(Spanned::new(Target::Any, target.span));
    }
    if value.starts_with("arn:") {
        if value.splitn(6, ':').count() < 6 {
            diagnostics.push(
                Diagnostic::error(
                    Code::InvalidValue,
                    target.span,
                    format!("`{value}` is not an ARN"),
                )
                .with_help("ARNs have six `:`-separated parts: `arn:PARTITION:SERVICE:REGION:ACCOUNT:RESOURCE`"),
            );
            return None;
        }
        return Some(Spanned::new(Target::Arn(value.to_string()), target.span));
    }
    let mut parts = value.splitn(3, '.');
    let (kind, name, child) = (parts.next().unwrap_or_default(), parts.next(), parts.next());
    let component = match (kind, name) {
        ("mcp_ingress", Some(name)) => {
            let Some(index) = names.index_of("mcp_ingress", name) else {
                unknown_reference(names, "mcp_ingress", name, target.span, diagnostics);
                return None;
            };
            let id = IngressId(index);
            match child {
                None => Component::EndpointService(id),
                Some("logs") => Component::IngressLogs(id),
                Some(other) => {
                    diagnostics.push(
                        Diagnostic::error(
                            Code::UnknownReference,
                            target.span,
                            format!("`{value}`: mcp_ingress `{name}` has no part `{other}`"),
                        )
                        .with_help("`mcp_ingress.NAME` is the endpoint service; `mcp_ingress.NAME.logs` is its access-log bucket"),
                    );
                    return None;
                }
            }
        }
        ("s3_files", Some(name)) => {
            let Some(index) = names.index_of("s3_files", name) else {
                unknown_reference(names, "s3_files", name, target.span, diagnostics);
                return None;
            };
            let id = S3FilesId(index);
            match child {
                None => Component::FileSystem(id),
                Some(ap) => {
                    // A block that did not lower was reported already.
                    let lowered = s3_files.get(index).and_then(Option::as_ref)?;
                    let Some(position) = lowered
                        .access_points
                        .iter()
                        .position(|a| a.name.value == ap)
                    else {
                        let known = lowered.access_points.iter().map(|a| a.name.value.as_str());
                        let mut d = Diagnostic::error(
                            Code::UnknownReference,
                            target.span,
                            format!("`{value}`: s3_files `{name}` has no access point `{ap}`"),
                        );
                        if let Some(help) = did_you_mean(ap, known) {
                            d = d.with_help(help);
                        }
                        diagnostics.push(d);
                        return None;
                    };
                    Component::AccessPoint(id, position)
                }
            }
        }
        ("payment_manager", Some(name)) => {
            let Some(index) = names.index_of("payment_manager", name) else {
                unknown_reference(names, "payment_manager", name, target.span, diagnostics);
                return None;
            };
            if let Some(child) = child {
                diagnostics.push(Diagnostic::error(
                    Code::UnknownReference,
                    target.span,
                    format!("`{value}`: payment_manager `{name}` has no part `{child}`"),
                ));
                return None;
            }
            Component::PaymentManager(PaymentManagerId(index))
        }
        _ => {
            let mut d = Diagnostic::error(
                Code::InvalidValue,
                target.span,
                format!(
                    "`{value}` is neither an ARN, `*`, nor a reference to a component the stack emits"
                ),
            );
            d = d.with_help(
                match did_you_mean(kind, ["mcp_ingress", "s3_files", "payment_manager"]) {
                    Some(help) if name.is_some() => help,
                    _ => {
                        "write an ARN such as `arn:aws:s3:::bucket/prefix/*`, or `mcp_ingress.NAME`"
                            .to_string()
                    }
                },
            );
            diagnostics.push(d);
            return None;
        }
    };
    Some(Spanned::new(Target::Component(component), target.span))
}

fn valid_kubernetes_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 63
        && name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'.')
}
