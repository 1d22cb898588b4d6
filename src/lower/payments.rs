//! Lowering `payment_manager` blocks: the authorizer, the agents (roles), the connectors with their
//! Secrets Manager references, the guardrails (money as exact decimals) and the ledger. Relations
//! between values (limits in order, thresholds increasing, burst under the daily cap) are judged by
//! the `payments` rule; here each value is read and checked on its own.

use super::identity::arn_part;
use super::ingress::{arn_matches, valid_dns_name};
use super::reader::BlockReader;
use super::{Names, TopBlock, resolve, single_label};
use crate::diag::{Code, Diagnostic, Diagnostics, Span, Spanned};
use crate::model::{
    Authorizer, Burst, Connector, Guardrails, IamRoleId, Ledger, Money, Name, PaymentManager,
    Principal, WalletProvider,
};
use crate::schema;
use crate::syntax::Block;

pub(super) fn lower(
    top: &TopBlock,
    names: &Names,
    diagnostics: &mut Diagnostics,
) -> Option<PaymentManager> {
    let owner = format!("payment_manager `{}`", top.name.value);
    let r = BlockReader::new(
        top.block,
        &schema::PAYMENT_MANAGER,
        owner.clone(),
        diagnostics,
    );
    let authorizer = authorizer(&r, top, &owner, diagnostics);

    let agent_names = r.required_string_list("agents", "[\"research-agent\"]", diagnostics);
    if agent_names.as_ref().is_some_and(Vec::is_empty) {
        diagnostics.push(
            Diagnostic::error(
                Code::MissingAttribute,
                r.span_of("agents").unwrap_or(top.name.span),
                format!("{owner} lists no `agents`: no role could ask for a payment"),
            )
            .with_help("name the roles that may ask the mediation layer to pay, e.g. `agents = [\"research-agent\"]`"),
        );
    }
    let agents = agent_names.map(|list| {
        list.iter()
            .filter_map(|agent| resolve(names, "iam_role", agent, diagnostics))
            .map(|id| Spanned::new(IamRoleId(id.value), id.span))
            .collect::<Vec<_>>()
    });
    if let Some(span) = r.span_of("mediation_principals") {
        diagnostics.push(
            Diagnostic::error(
                Code::InvalidValue,
                span,
                format!("{owner}: `mediation_principals` trusted one principal with both sessions and payments"),
            )
            .with_help("name the principals of each duty: `session_principals` (instruments and sessions) and `payment_principals` (ProcessPayment), different ones; and `admin_principals`"),
        );
    }
    let admin_principals = principals(&r, "admin_principals", names, &owner, diagnostics);
    let session_principals = principals(&r, "session_principals", names, &owner, diagnostics);
    let payment_principals = principals(&r, "payment_principals", names, &owner, diagnostics);

    let mut connectors: Vec<Connector> = Vec::new();
    let mut connectors_ok = true;
    for block in r.blocks("connector") {
        let Some(name) = single_label(block, diagnostics) else {
            connectors_ok = false;
            continue;
        };
        if let Some(first) = connectors.iter().find(|c| c.name.value == name.value) {
            diagnostics.push(
                Diagnostic::error(
                    Code::DuplicateName,
                    name.span,
                    format!("{owner} declares `connector \"{}\"` twice", name.value),
                )
                .with_label(first.name.span, "first declared here"),
            );
            connectors_ok = false;
            continue;
        }
        match connector(block, name, &owner, diagnostics) {
            Some(c) => connectors.push(c),
            None => connectors_ok = false,
        }
    }
    if connectors_ok && connectors.is_empty() {
        diagnostics.push(
            Diagnostic::error(
                Code::MissingAttribute,
                top.name.span,
                format!("{owner} has no `connector`: it could not reach a wallet"),
            )
            .with_help("add `connector \"NAME\" { provider = \"coinbase_cdp\", credential_secret_arn = \"arn:aws:secretsmanager:...\" }`"),
        );
    }

    let guardrails = one_block(&r, "guardrails", top.name.span, &owner, diagnostics)
        .and_then(|block| guardrails(block, &owner, diagnostics));
    let ledger = one_block(&r, "ledger", top.name.span, &owner, diagnostics).and_then(|block| {
        let r = BlockReader::new(
            block,
            &schema::LEDGER,
            format!("the ledger of {owner}"),
            diagnostics,
        );
        let retention_days = r.required_u32("retention_days", "2555", diagnostics)?;
        if retention_days.value == 0 || retention_days.value > 36_500 {
            diagnostics.push(
                Diagnostic::error(
                    Code::AwsReject,
                    retention_days.span,
                    format!(
                        "`retention_days` of the ledger of {owner} is {}; S3 Object Lock retains 1 to 36500 days",
                        retention_days.value
                    ),
                )
                .with_help("financial records are commonly kept seven years: `retention_days = 2555`"),
            );
            return None;
        }
        Some(Ledger { retention_days })
    });

    Some(PaymentManager {
        name: top.name.clone(),
        authorizer: authorizer?,
        agents: agents?,
        admin_principals: admin_principals?,
        session_principals: session_principals?,
        payment_principals: payment_principals?,
        connectors: connectors_ok.then_some(connectors)?,
        guardrails: guardrails?,
        ledger: ledger?,
    })
}

/// The principals trusted by one payment role: blueprint role names, or IAM role and user ARNs.
/// Required and non-empty; an account root is refused (it would trust every principal of the
/// account whose own policies allow `sts:AssumeRole`).
fn principals(
    r: &BlockReader,
    key: &'static str,
    names: &Names,
    owner: &str,
    diagnostics: &mut Diagnostics,
) -> Option<Vec<Spanned<Principal>>> {
    let example = match key {
        "admin_principals" => "[\"payments-admin\"]",
        "session_principals" => "[\"payments-sessions\"]",
        _ => "[\"payments-mediator\"]",
    };
    let list = r.required_string_list(key, example, diagnostics)?;
    if list.is_empty() {
        let span = r.span_of(key)?;
        diagnostics.push(
            Diagnostic::error(
                Code::MissingAttribute,
                span,
                format!("{owner} lists no `{key}`: nobody could assume that payment role"),
            )
            .with_help("name an `iam_role` of the blueprint or an IAM role ARN"),
        );
        return None;
    }
    let mut out = Vec::new();
    let mut ok = true;
    for item in &list {
        if item.value.starts_with("arn:") {
            if arn_part(&item.value, "iam", "root") == Some("") {
                diagnostics.push(
                    Diagnostic::error(
                        Code::InvalidValue,
                        item.span,
                        format!("`{key}` of {owner} names the account root `{}`", item.value),
                    )
                    .with_help("an account root trusts every principal of the account that its own policies allow; name the role (an `iam_role` of the blueprint, or `arn:aws:iam::ACCOUNT:role/NAME`)"),
                );
                ok = false;
            } else if arn_matches(&item.value, "iam", "role/")
                || arn_matches(&item.value, "iam", "user/")
            {
                out.push(Spanned::new(Principal::Arn(item.value.clone()), item.span));
            } else {
                diagnostics.push(
                    Diagnostic::error(
                        Code::InvalidValue,
                        item.span,
                        format!("`{}` is not an IAM role or user ARN", item.value),
                    )
                    .with_help("write `arn:aws:iam::ACCOUNT:role/NAME`, or the name of an `iam_role` of the blueprint"),
                );
                ok = false;
            }
        } else if let Some(id) = resolve(names, "iam_role", item, diagnostics) {
            out.push(Spanned::new(Principal::Role(IamRoleId(id.value)), id.span));
        } else {
            ok = false;
        }
    }
    ok.then_some(out)
}

/// Exactly one nested block `ident`.
fn one_block<'a>(
    r: &BlockReader<'a>,
    ident: &'static str,
    at: Span,
    owner: &str,
    diagnostics: &mut Diagnostics,
) -> Option<&'a Block> {
    let blocks: Vec<&Block> = r.blocks(ident).collect();
    match blocks.as_slice() {
        [one] => Some(one),
        [] => {
            diagnostics.push(
                Diagnostic::error(
                    Code::MissingAttribute,
                    at,
                    format!("{owner} has no `{ident}` block"),
                )
                .with_help(format!(
                    "add `{ident} {{ ... }}` (see the README's blueprint reference)"
                )),
            );
            None
        }
        [first, second, ..] => {
            diagnostics.push(
                Diagnostic::error(
                    Code::DuplicateAttribute,
                    second.span,
                    format!("{owner} has more than one `{ident}` block"),
                )
                .with_label(first.span, "first declared here"),
            );
            None
        }
    }
}

fn authorizer(
    r: &BlockReader,
    top: &TopBlock,
    owner: &str,
    diagnostics: &mut Diagnostics,
) -> Option<Authorizer> {
    let kind = r.required_string("authorizer", "\"aws_iam\"", diagnostics)?;
    let jwt: Vec<&Block> = r.blocks("jwt").collect();
    match kind.value.as_str() {
        "aws_iam" => {
            if let Some(block) = jwt.first() {
                diagnostics.push(
                    Diagnostic::error(
                        Code::InvalidValue,
                        block.span,
                        format!("{owner} has a `jwt` block but `authorizer = \"aws_iam\"`"),
                    )
                    .with_help("remove the `jwt` block, or set `authorizer = \"custom_jwt\"`"),
                );
                return None;
            }
            Some(Authorizer::AwsIam)
        }
        "custom_jwt" => {
            let block = one_block(r, "jwt", top.name.span, owner, diagnostics)?;
            let r = BlockReader::new(
                block,
                &schema::JWT,
                format!("the jwt authorizer of {owner}"),
                diagnostics,
            );
            let discovery_url = r.required_string(
                "discovery_url",
                "\"https://issuer.example.com/.well-known/openid-configuration\"",
                diagnostics,
            )?;
            if !discovery_url.value.starts_with("https://")
                || !discovery_url
                    .value
                    .ends_with("/.well-known/openid-configuration")
            {
                diagnostics.push(
                    Diagnostic::error(
                        Code::AwsReject,
                        discovery_url.span,
                        format!(
                            "`discovery_url` `{}` is not an OIDC discovery URL",
                            discovery_url.value
                        ),
                    )
                    .with_help("an `https://` URL ending in `/.well-known/openid-configuration`"),
                );
                return None;
            }
            let allowed_audience = r.string_list("allowed_audience", diagnostics);
            let allowed_clients = r.string_list("allowed_clients", diagnostics);
            let audience: Vec<String> = allowed_audience
                .unwrap_or_default()
                .into_iter()
                .map(|a| a.value)
                .collect();
            let clients: Vec<String> = allowed_clients
                .unwrap_or_default()
                .into_iter()
                .map(|a| a.value)
                .collect();
            if audience.is_empty() && clients.is_empty() {
                diagnostics.push(
                    Diagnostic::error(
                        Code::MissingAttribute,
                        block.span,
                        format!("the jwt authorizer of {owner} accepts any token of the issuer"),
                    )
                    .with_help("set `allowed_audience` or `allowed_clients`"),
                );
                return None;
            }
            Some(Authorizer::CustomJwt {
                discovery_url,
                allowed_audience: audience,
                allowed_clients: clients,
            })
        }
        other => {
            diagnostics.push(
                Diagnostic::error(
                    Code::InvalidValue,
                    kind.span,
                    format!("`authorizer` of {owner} is `{other}`"),
                )
                .with_help("write `aws_iam` (SigV4 callers) or `custom_jwt` (OIDC bearer tokens)"),
            );
            None
        }
    }
}

fn connector(
    block: &Block,
    name: Name,
    owner: &str,
    diagnostics: &mut Diagnostics,
) -> Option<Connector> {
    let owner = format!("connector `{}` of {owner}", name.value);
    let r = BlockReader::new(block, &schema::CONNECTOR, owner.clone(), diagnostics);
    // The label becomes the connector's name (`-` → `_`): `^[a-zA-Z][a-zA-Z0-9_]{0,47}$`.
    if name.value.len() > 48 {
        diagnostics.push(
            Diagnostic::error(
                Code::AwsReject,
                name.span,
                format!(
                    "connector name `{}` has {} characters; AgentCore takes at most 48",
                    name.value,
                    name.value.len()
                ),
            )
            .with_help("shorten the connector's label"),
        );
        return None;
    }
    let provider = r
        .required_string("provider", "\"coinbase_cdp\"", diagnostics)
        .and_then(|p| {
            let found = WalletProvider::ALL
                .into_iter()
                .find(|w| w.as_str() == p.value);
            if found.is_none() {
                diagnostics.push(
                    Diagnostic::error(
                        Code::InvalidValue,
                        p.span,
                        format!("`provider` of {owner} is `{}`", p.value),
                    )
                    .with_help("AgentCore payments connects `coinbase_cdp` or `stripe_privy`"),
                );
            }
            found.map(|w| Spanned::new(w, p.span))
        });
    let secret = r.required_string(
        "credential_secret_arn",
        "\"arn:aws:secretsmanager:REGION:ACCOUNT:secret:NAME\"",
        diagnostics,
    );
    // A literal secret here is the secret detector's (AF501): do not echo it again.
    let secret = secret.filter(|s| {
        let literal_secret = diagnostics.reported(Code::Secret, s.span);
        if !literal_secret
            && arn_part(&s.value, "secretsmanager", "secret:").is_none_or(str::is_empty)
        {
            diagnostics.push(
                Diagnostic::error(
                    Code::InvalidValue,
                    s.span,
                    format!("`credential_secret_arn` of {owner} is not a Secrets Manager secret ARN"),
                )
                .with_help("credentials live in Secrets Manager: give `arn:aws:secretsmanager:REGION:ACCOUNT:secret:NAME`"),
            );
        }
        !literal_secret
    });
    let marketplace_subscribed = r.bool("marketplace_subscribed", diagnostics);
    let api_key_id = r.string("api_key_id", diagnostics);
    let app_id = r.string("app_id", diagnostics);
    let authorization_id = r.string("authorization_id", diagnostics);
    let provider = provider?;
    let foreign: &[(&Option<Spanned<String>>, &str)] = match provider.value {
        WalletProvider::CoinbaseCdp => {
            &[(&app_id, "app_id"), (&authorization_id, "authorization_id")]
        }
        WalletProvider::StripePrivy => &[(&api_key_id, "api_key_id")],
    };
    for (value, key) in foreign {
        if let Some(value) = value {
            diagnostics.push(Diagnostic::error(
                Code::InvalidValue,
                value.span,
                format!(
                    "`{key}` does not apply to {owner}: its provider is `{}`",
                    provider.value.as_str()
                ),
            ));
            return None;
        }
    }
    match (provider.value, &marketplace_subscribed) {
        (WalletProvider::CoinbaseCdp, Some(s)) if s.value => {}
        (WalletProvider::CoinbaseCdp, subscribed) => {
            diagnostics.push(
                Diagnostic::error(
                    Code::MarketplaceSubscription,
                    subscribed.as_ref().map_or(name.span, |s| s.span),
                    format!("{owner} needs the account subscribed to the AWS Marketplace listing \"Coinbase Wallets for AgentCore Payments\" before `terraform apply`"),
                )
                .with_help("subscribe the account in AWS Marketplace (an administrator with the AWS managed policy `AWSMarketplaceManageSubscriptions`), then set `marketplace_subscribed = true` on the connector"),
            );
            return None;
        }
        (WalletProvider::StripePrivy, Some(s)) => {
            diagnostics.push(Diagnostic::error(
                Code::InvalidValue,
                s.span,
                format!("`marketplace_subscribed` does not apply to {owner}: only Coinbase CDP needs the Marketplace subscription"),
            ));
            return None;
        }
        (WalletProvider::StripePrivy, None) => {}
    }
    for id in [&api_key_id, &app_id, &authorization_id]
        .into_iter()
        .flatten()
    {
        if id.value.is_empty()
            || id.value.len() > 512
            || !id
                .value
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        {
            diagnostics.push(
                Diagnostic::error(
                    Code::AwsReject,
                    id.span,
                    format!("an identifier of {owner} is not 1 to 512 letters, digits, `-` or `_`"),
                )
                .with_help(
                    "identifiers, not secrets, go here; secrets stay in the Secrets Manager secret",
                ),
            );
            return None;
        }
    }
    Some(Connector {
        name,
        provider,
        credential_secret_arn: secret?,
        api_key_id,
        app_id,
        authorization_id,
        marketplace_subscribed,
    })
}

fn guardrails(block: &Block, owner: &str, diagnostics: &mut Diagnostics) -> Option<Guardrails> {
    let owner = format!("the guardrails of {owner}");
    let r = BlockReader::new(block, &schema::GUARDRAILS, owner.clone(), diagnostics);
    let currency = r.required_string("currency", "\"USD\"", diagnostics);
    let mut money = |key: &str, example: &str| {
        let text = r.required_string(key, example, diagnostics)?;
        match Money::parse(&text.value) {
            Ok(m) if m.micros > 0 => Some(Spanned::new(m, text.span)),
            Ok(_) => {
                diagnostics.push(Diagnostic::error(
                    Code::InvalidValue,
                    text.span,
                    format!("`{key}` of {owner} is zero: nothing could ever be paid"),
                ));
                None
            }
            Err(why) => {
                diagnostics.push(
                    Diagnostic::error(
                        Code::InvalidValue,
                        text.span,
                        format!("`{key}` of {owner} is `{}`, not an amount", text.value),
                    )
                    .with_help(format!("{why}; money is a decimal string, never a float")),
                );
                None
            }
        }
    };
    let daily_limit = money("daily_limit", "\"50.00\"");
    let session_limit = money("session_limit", "\"5.00\"");
    let payment_limit = money("payment_limit", "\"0.25\"");
    let max_payments_per_day = r.required_u32("max_payments_per_day", "500", diagnostics);
    let session_expiry_minutes = r.required_u32("session_expiry_minutes", "60", diagnostics);
    let alert_at_percent = r.u32_list("alert_at_percent", diagnostics);
    let merchants = r.required_string_list(
        "allowed_merchants",
        "[\"api.market-data.example.com\"]",
        diagnostics,
    );
    for merchant in merchants.iter().flatten() {
        if !valid_dns_name(&merchant.value) {
            diagnostics.push(
                Diagnostic::error(
                    Code::InvalidValue,
                    merchant.span,
                    format!("merchant `{}` is not a host name", merchant.value),
                )
                .with_help("list merchant hosts in lowercase, e.g. `api.market-data.example.com` (no scheme, path or wildcard)"),
            );
        }
    }
    let deny_phases = r.string_list("deny_phases", diagnostics);
    for phase in deny_phases.iter().flatten() {
        if !super::valid_name(&phase.value) {
            diagnostics.push(
                Diagnostic::error(
                    Code::InvalidValue,
                    phase.span,
                    format!("deny phase `{}` is not a phase name", phase.value),
                )
                .with_help("phase names match `[a-z][a-z0-9-]{0,62}`, as the agents report them"),
            );
        }
    }
    let burst = one_block(&r, "burst", block.span, &owner, diagnostics).and_then(|b| {
        let r = BlockReader::new(
            b,
            &schema::BURST,
            format!("the burst cap of {owner}"),
            diagnostics,
        );
        let window_minutes = r.required_u32("window_minutes", "10", diagnostics);
        let max_payments = r.required_u32("max_payments", "40", diagnostics);
        Some(Burst {
            span: b.span,
            window_minutes: window_minutes?,
            max_payments: max_payments?,
        })
    });
    let merchants_span = r.span_of("allowed_merchants").unwrap_or(block.span);
    Some(Guardrails {
        span: block.span,
        currency: currency?,
        daily_limit: daily_limit?,
        session_limit: session_limit?,
        payment_limit: payment_limit?,
        max_payments_per_day: max_payments_per_day?,
        session_expiry_minutes: session_expiry_minutes?,
        alert_at_percent: alert_at_percent.unwrap_or_default(),
        allowed_merchants: Spanned::new(merchants?, merchants_span),
        burst: burst?,
        deny_phases: deny_phases.unwrap_or_default(),
    })
}
