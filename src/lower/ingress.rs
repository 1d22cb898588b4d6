//! Lowering `mcp_ingress` blocks: the ingress VPC, its consumers and its two context roles are
//! resolved by name; certificate, principals and the mTLS CA bundle are checked for shape. Policy
//! (principals never `*`, acceptance, zones, role permissions) is judged by `validate::rules::ingress`.

use super::identity::arn_part;
use super::reader::BlockReader;
use super::{Names, TopBlock, resolve};
use crate::diag::{Code, Diagnostic, Diagnostics, Spanned, did_you_mean};
use crate::model::{ClientAuth, IamRoleId, McpIngress, S3Object, VpcId};
use crate::schema;

/// Defaults of optional `mcp_ingress` attributes (documented in the README's blueprint reference).
pub const DEFAULT_PORT: u16 = 443;
pub const DEFAULT_RATE_LIMIT: u32 = 2_000;
pub const DEFAULT_BACKEND_PORT: u16 = 8_443;
pub const DEFAULT_HEALTH_CHECK_PATH: &str = "/health";
pub const DEFAULT_LOG_RETENTION_DAYS: u32 = 90;

/// The limits AWS WAF accepts for a rate-based rule (requests per 5-minute window).
const RATE_LIMITS: std::ops::RangeInclusive<u32> = 10..=2_000_000_000;

pub(super) fn lower(
    top: &TopBlock,
    names: &Names,
    diagnostics: &mut Diagnostics,
) -> Option<McpIngress> {
    let owner = format!("mcp_ingress `{}`", top.name.value);
    let r = BlockReader::new(top.block, &schema::MCP_INGRESS, owner.clone(), diagnostics);

    let vpc = r
        .required_string("vpc", "\"mcp\"", diagnostics)
        .and_then(|v| resolve(names, "vpc", &v, diagnostics))
        .map(|v| Spanned::new(VpcId(v.value), v.span));
    let port = tcp_port(&r, "port", DEFAULT_PORT, top, diagnostics);
    let backend_port = tcp_port(&r, "backend_port", DEFAULT_BACKEND_PORT, top, diagnostics);
    let certificate_arn = r.required_string(
        "certificate_arn",
        "\"arn:aws:acm:REGION:ACCOUNT:certificate/ID\"",
        diagnostics,
    );
    if let Some(arn) = &certificate_arn
        && !arn_matches(&arn.value, "acm", "certificate/")
    {
        diagnostics.push(
            Diagnostic::error(
                Code::InvalidValue,
                arn.span,
                format!("`{}` is not the ARN of an ACM certificate", arn.value),
            )
            .with_help(
                "write `arn:aws:acm:REGION:ACCOUNT:certificate/ID`; the ALB terminates TLS with it",
            ),
        );
    }
    let client_auth = client_auth(&r, &owner, diagnostics);

    let allowed_principals = r.required_string_list(
        "allowed_principals",
        "[\"arn:aws:iam::123456789012:root\"]",
        diagnostics,
    );
    for principal in allowed_principals.iter().flatten() {
        // `*` is a policy question (AF801), judged by the ingress rule with its own code.
        if principal.value != "*" && !valid_principal(&principal.value) {
            diagnostics.push(
                Diagnostic::error(
                    Code::InvalidValue,
                    principal.span,
                    format!("`{}` is not an IAM principal ARN", principal.value),
                )
                .with_help("write an account root (`arn:aws:iam::ACCOUNT:root`), a role (`arn:aws:iam::ACCOUNT:role/NAME`) or a user ARN"),
            );
        }
    }
    let consumer_names = r.required_string_list("consumers", "[\"agents\"]", diagnostics);
    if consumer_names.as_ref().is_some_and(Vec::is_empty) {
        diagnostics.push(
            Diagnostic::error(
                Code::MissingAttribute,
                top.name.span,
                format!("{owner} has no consumers: no VPC would get an endpoint"),
            )
            .with_help("list the VPCs whose workloads call the MCP service, e.g. `consumers = [\"agents\"]`"),
        );
    }
    let consumers = consumer_names.map(|list| {
        let mut out: Vec<Spanned<VpcId>> = Vec::new();
        for name in &list {
            let Some(id) = resolve(names, "vpc", name, diagnostics) else {
                continue;
            };
            if let Some(first) = out.iter().find(|c| c.value.0 == id.value) {
                diagnostics.push(
                    Diagnostic::error(
                        Code::DuplicateName,
                        name.span,
                        format!("{owner} lists consumer `{}` twice", name.value),
                    )
                    .with_label(first.span, "first listed here"),
                );
                continue;
            }
            out.push(Spanned::new(VpcId(id.value), name.span));
        }
        out
    });

    let acceptance_required = r
        .bool("acceptance_required", diagnostics)
        .unwrap_or_else(|| Spanned::new(true, top.name.span));
    let private_dns_name = r.string("private_dns_name", diagnostics);
    if let Some(dns) = &private_dns_name
        && !valid_dns_name(&dns.value)
    {
        diagnostics.push(
            Diagnostic::error(
                Code::InvalidValue,
                dns.span,
                format!("`{}` is not a DNS name", dns.value),
            )
            .with_help("write a fully qualified name you control, such as `mcp.agents.internal.example.com`"),
        );
    }
    let private_dns_verified = r.bool("private_dns_verified", diagnostics);
    if let Some(verified) = &private_dns_verified
        && verified.value
        && private_dns_name.is_none()
    {
        diagnostics.push(Diagnostic::error(
            Code::InvalidValue,
            verified.span,
            format!("{owner} sets `private_dns_verified` without a `private_dns_name`"),
        ));
    }
    let rate_limit = r
        .u32("rate_limit", diagnostics)
        .unwrap_or_else(|| Spanned::new(DEFAULT_RATE_LIMIT, top.name.span));
    if !RATE_LIMITS.contains(&rate_limit.value) {
        diagnostics.push(
            Diagnostic::error(
                Code::AwsReject,
                rate_limit.span,
                format!(
                    "`rate_limit` of {owner} is {}; AWS WAF accepts 10 to 2000000000 requests per 5 minutes",
                    rate_limit.value
                ),
            ),
        );
    }
    let role = |key: &str, example: &str, diagnostics: &mut Diagnostics| {
        r.required_string(key, example, diagnostics)
            .and_then(|name| resolve(names, "iam_role", &name, diagnostics))
            .map(|id| Spanned::new(IamRoleId(id.value), id.span))
    };
    let context_fetch_role = role("context_fetch_role", "\"mcp-context-fetch\"", diagnostics);
    let context_modify_role = role("context_modify_role", "\"mcp-context-modify\"", diagnostics);

    let health_check_path = r.string("health_check_path", diagnostics).map_or_else(
        || DEFAULT_HEALTH_CHECK_PATH.to_string(),
        |p| {
            if !p.value.starts_with('/') || p.value.len() > 1024 {
                diagnostics.push(Diagnostic::error(
                    Code::InvalidValue,
                    p.span,
                    format!(
                        "`health_check_path` `{}` must start with `/` (at most 1024 characters)",
                        p.value
                    ),
                ));
            }
            p.value
        },
    );
    let log_retention_days = r.u32("log_retention_days", diagnostics);
    if let Some(days) = &log_retention_days
        && days.value == 0
    {
        diagnostics.push(Diagnostic::error(
            Code::InvalidValue,
            days.span,
            "`log_retention_days` must be at least 1",
        ));
    }

    Some(McpIngress {
        name: top.name.clone(),
        vpc: vpc?,
        port: port?,
        certificate_arn: certificate_arn?,
        client_auth: client_auth?,
        allowed_principals: allowed_principals?,
        consumers: consumers?,
        acceptance_required,
        private_dns_name,
        private_dns_verified: private_dns_verified.is_some_and(|v| v.value),
        rate_limit,
        context_fetch_role: context_fetch_role?,
        context_modify_role: context_modify_role?,
        backend_port: backend_port?.value,
        health_check_path,
        log_retention_days: log_retention_days.map_or(DEFAULT_LOG_RETENTION_DAYS, |d| d.value),
    })
}

/// A TCP port (1-65535), defaulting to `default` at the block's name.
fn tcp_port(
    r: &BlockReader,
    key: &str,
    default: u16,
    top: &TopBlock,
    diagnostics: &mut Diagnostics,
) -> Option<Spanned<u16>> {
    let Some(value) = r.u32(key, diagnostics) else {
        return Some(Spanned::new(default, top.name.span));
    };
    match u16::try_from(value.value) {
        Ok(port) if port > 0 => Some(Spanned::new(port, value.span)),
        _ => {
            diagnostics.push(Diagnostic::error(
                Code::InvalidValue,
                value.span,
                format!("`{key}` is {}; a TCP port is 1 to 65535", value.value),
            ));
            None
        }
    }
}

fn client_auth(r: &BlockReader, owner: &str, diagnostics: &mut Diagnostics) -> Option<ClientAuth> {
    let kind = r.required_string("client_auth", "\"oidc\" (or \"mtls\")", diagnostics);
    let bundle = r.string("trust_store_bundle", diagnostics);
    let kind = kind?;
    match kind.value.as_str() {
        "oidc" => {
            if let Some(bundle) = bundle {
                diagnostics.push(
                    Diagnostic::error(
                        Code::InvalidValue,
                        bundle.span,
                        format!("{owner} authenticates clients with OIDC tokens; `trust_store_bundle` is for `client_auth = \"mtls\"`"),
                    )
                    .with_label(kind.span, "client authentication chosen here"),
                );
                return None;
            }
            Some(ClientAuth::Oidc)
        }
        "mtls" => {
            let Some(bundle) = bundle else {
                r.missing(
                    "trust_store_bundle",
                    "\"s3://BUCKET/KEY.pem\" (the CA bundle that signs client certificates)",
                    diagnostics,
                );
                return None;
            };
            let parsed = bundle.value.strip_prefix("s3://").and_then(|rest| {
                let (bucket, key) = rest.split_once('/')?;
                (!bucket.is_empty() && !key.is_empty() && !key.ends_with('/')).then(|| S3Object {
                    bucket: bucket.to_string(),
                    key: key.to_string(),
                })
            });
            if parsed.is_none() {
                diagnostics.push(
                    Diagnostic::error(
                        Code::InvalidValue,
                        bundle.span,
                        format!("`{}` is not an S3 object URI", bundle.value),
                    )
                    .with_help("write `s3://BUCKET/KEY.pem`: the PEM bundle of the CAs that sign client certificates"),
                );
            }
            parsed.map(|ca_bundle| ClientAuth::Mtls { ca_bundle })
        }
        other => {
            diagnostics.push(
                Diagnostic::error(
                    Code::InvalidValue,
                    kind.span,
                    format!("unknown client authentication `{other}`"),
                )
                .with_help(did_you_mean(other, ["oidc", "mtls"]).unwrap_or_else(|| {
                    "`oidc` (the MCP server validates bearer tokens) or `mtls` (the ALB verifies client certificates)".to_string()
                })),
            );
            None
        }
    }
}

/// An ARN of `service` whose resource is `prefix` followed by an id without wildcards.
pub(super) fn arn_matches(arn: &str, service: &str, prefix: &str) -> bool {
    arn_part(arn, service, prefix).is_some_and(|id| !id.is_empty() && !id.contains('*'))
}

/// An IAM principal for an endpoint service: account root, role or user ARN, no wildcards.
pub(super) fn valid_principal(arn: &str) -> bool {
    arn_matches(arn, "iam", "role/")
        || arn_matches(arn, "iam", "user/")
        || arn_part(arn, "iam", "root") == Some("")
}

/// A fully qualified DNS name: dot-separated labels of letters, digits and `-`.
pub(super) fn valid_dns_name(name: &str) -> bool {
    name.len() <= 253
        && name.contains('.')
        && name.split('.').all(|label| {
            !label.is_empty()
                && label.len() <= 63
                && !label.starts_with('-')
                && !label.ends_with('-')
                && label
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        })
}
