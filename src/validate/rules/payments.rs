//! Spending guardrails that hold together, values the AgentCore payments API takes, and agents
//! that can only spend through the mediation layer.
//!
//! Why: a daily limit below the session limit, a threshold list out of order or an empty merchant
//! list all generate valid Terraform that enforces something nobody meant; an agent role granted
//! `ProcessPayment` bypasses every guardrail.
//!
//! Example: `daily_limit = "4.00"` with `session_limit = "5.00"` is `AF901` at `daily_limit`;
//! `session_expiry_minutes = 600` is `AF902`; `alert_at_percent = [50, 40]` is `AF903` at `40`.
//!
//! The guardrail document's size (`AF907`) is checked by the plan, which builds the document.

use crate::diag::{Code, Diagnostic, Diagnostics};
use crate::model::{IamRoleId, Model, PAYMENT_REGIONS, PaymentManager, Principal, naming};
use crate::validate::Facts;

const SESSION_EXPIRY_MINUTES: std::ops::RangeInclusive<u32> = 15..=480;
const BURST_WINDOW_MINUTES: std::ops::RangeInclusive<u32> = 1..=1_440;
const CURRENCIES: [&str; 1] = ["USD"];

pub fn check(model: &Model, _: &Facts, diagnostics: &mut Diagnostics) {
    for m in &model.payment_managers {
        limits(m, diagnostics);
        api_values(m, diagnostics);
        thresholds(m, diagnostics);
        if m.guardrails.allowed_merchants.value.is_empty() {
            diagnostics.push(
                Diagnostic::error(
                    Code::NoMerchants,
                    m.guardrails.allowed_merchants.span,
                    format!(
                        "payment_manager `{}` allows no merchant: payments are denied by default, so none could succeed",
                        m.name.value
                    ),
                )
                .with_help("list the merchant hosts agents may pay, e.g. `allowed_merchants = [\"api.market-data.example.com\"]`"),
            );
        }
        agents_never_pay(model, m, diagnostics);
        separation_of_duties(model, m, diagnostics);
        if !PAYMENT_REGIONS.contains(&model.platform.region.as_str()) {
            diagnostics.push(
                Diagnostic::warning(
                    Code::PaymentsRegion,
                    m.name.span,
                    format!(
                        "AgentCore payments is not documented in region `{}`: payment_manager `{}` may not be creatable there",
                        model.platform.region, m.name.value
                    ),
                )
                .with_help(format!("documented regions: {}", PAYMENT_REGIONS.join(", "))),
            );
        }
    }
}

/// `payment_limit <= session_limit <= daily_limit`; burst cap <= daily count.
fn limits(m: &PaymentManager, diagnostics: &mut Diagnostics) {
    let g = &m.guardrails;
    let pairs = [
        (
            &g.daily_limit,
            "daily_limit",
            &g.session_limit,
            "session_limit",
        ),
        (
            &g.session_limit,
            "session_limit",
            &g.payment_limit,
            "payment_limit",
        ),
    ];
    for (larger, larger_name, smaller, smaller_name) in pairs {
        if larger.value < smaller.value {
            diagnostics.push(
                Diagnostic::error(
                    Code::SpendingLimits,
                    larger.span,
                    format!(
                        "`{larger_name}` ({} {}) of payment_manager `{}` is below `{smaller_name}` ({} {})",
                        g.currency.value, larger.value, m.name.value, g.currency.value, smaller.value
                    ),
                )
                .with_label(smaller.span, format!("`{smaller_name}` is set here"))
                .with_help("limits nest: `payment_limit <= session_limit <= daily_limit`"),
            );
        }
    }
    if g.burst.max_payments.value > g.max_payments_per_day.value {
        diagnostics.push(
            Diagnostic::error(
                Code::SpendingLimits,
                g.burst.max_payments.span,
                format!(
                    "the burst cap of payment_manager `{}` ({} payments) is above `max_payments_per_day` ({})",
                    m.name.value, g.burst.max_payments.value, g.max_payments_per_day.value
                ),
            )
            .with_label(g.max_payments_per_day.span, "the daily cap")
            .with_help("the burst cap is at most the daily cap"),
        );
    }
    for (value, what) in [
        (&g.max_payments_per_day, "max_payments_per_day"),
        (&g.burst.max_payments, "burst.max_payments"),
    ] {
        if value.value == 0 {
            diagnostics.push(Diagnostic::error(
                Code::SpendingLimits,
                value.span,
                format!(
                    "`{what}` of payment_manager `{}` is 0: no payment could ever be made",
                    m.name.value
                ),
            ));
        }
    }
}

fn api_values(m: &PaymentManager, diagnostics: &mut Diagnostics) {
    let g = &m.guardrails;
    if !SESSION_EXPIRY_MINUTES.contains(&g.session_expiry_minutes.value) {
        diagnostics.push(
            Diagnostic::error(
                Code::PaymentApi,
                g.session_expiry_minutes.span,
                format!(
                    "`session_expiry_minutes` of payment_manager `{}` is {}; payment sessions last 15 to 480 minutes",
                    m.name.value, g.session_expiry_minutes.value
                ),
            )
            .with_help("`CreatePaymentSession` takes `expiryTimeInMinutes` between 15 and 480"),
        );
    }
    if !CURRENCIES.contains(&g.currency.value.as_str()) {
        diagnostics.push(
            Diagnostic::error(
                Code::PaymentApi,
                g.currency.span,
                format!(
                    "`currency` of payment_manager `{}` is `{}`; the AgentCore payments API takes `USD` only",
                    m.name.value, g.currency.value
                ),
            )
            .with_help("write `currency = \"USD\"`"),
        );
    }
    if !BURST_WINDOW_MINUTES.contains(&g.burst.window_minutes.value) {
        diagnostics.push(
            Diagnostic::error(
                Code::PaymentApi,
                g.burst.window_minutes.span,
                format!(
                    "`window_minutes` of the burst cap of payment_manager `{}` is {}; the burst alarm's period is 1 to 1440 minutes",
                    m.name.value, g.burst.window_minutes.value
                ),
            ),
        );
    }
}

/// Strictly increasing, each within (0, 100].
fn thresholds(m: &PaymentManager, diagnostics: &mut Diagnostics) {
    let mut previous: Option<&crate::diag::Spanned<u32>> = None;
    for percent in &m.guardrails.alert_at_percent {
        if percent.value == 0 || percent.value > 100 {
            diagnostics.push(
                Diagnostic::error(
                    Code::AlertThresholds,
                    percent.span,
                    format!(
                        "alert threshold {}% of payment_manager `{}` is outside (0, 100]",
                        percent.value, m.name.value
                    ),
                )
                .with_help("thresholds are percentages of the daily limit, e.g. `[50, 75, 90]`"),
            );
        } else if let Some(before) = previous
            && percent.value <= before.value
        {
            diagnostics.push(
                Diagnostic::error(
                    Code::AlertThresholds,
                    percent.span,
                    format!(
                        "alert threshold {}% of payment_manager `{}` does not increase on {}%",
                        percent.value, m.name.value, before.value
                    ),
                )
                .with_label(before.span, "the threshold before it")
                .with_help("list thresholds in strictly increasing order"),
            );
        }
        previous = Some(percent);
    }
}

/// No role in `agents` may be granted `ProcessPayment`.
fn agents_never_pay(model: &Model, m: &PaymentManager, diagnostics: &mut Diagnostics) {
    for agent in &m.agents {
        let role = model.role(agent.value);
        for allow in &role.allows {
            for action in &allow.actions {
                let (service, name) = action.value.split_once(':').unwrap_or(("", ""));
                // Wildcards that would cover it are `AF701` already.
                if service == "bedrock-agentcore" && name == "ProcessPayment" {
                    diagnostics.push(
                        Diagnostic::error(
                            Code::AgentPays,
                            action.span,
                            format!(
                                "iam_role `{}` is an agent of payment_manager `{}` and is granted `{}`: it could pay without the guardrails",
                                role.name.value, m.name.value, action.value
                            ),
                        )
                        .with_label(agent.span, "named as an agent here")
                        .with_help("remove the action: agents ask the mediation layer, which holds the process-payment role"),
                    );
                }
            }
        }
    }
}

/// A principal named in a payment manager, where the blueprint names it.
type Trusted = crate::diag::Spanned<Principal>;

/// The blueprint role a principal is, written by name or as the ARN of the IAM role the stack
/// creates for it (`arn:aws:iam::ACCOUNT:role/<platform>-<environment>-<role>`).
fn blueprint_role(model: &Model, principal: &Principal) -> Option<IamRoleId> {
    match principal {
        Principal::Role(id) => Some(*id),
        Principal::Arn(arn) => (0..model.iam_roles.len())
            .map(IamRoleId)
            .find(|id| naming::role_arn(&model.platform, model.role(*id)) == *arn),
    }
}

/// Whether two principals are the same IAM identity, however each is written.
fn same_principal(model: &Model, a: &Principal, b: &Principal) -> bool {
    a == b || blueprint_role(model, a).is_some_and(|r| blueprint_role(model, b) == Some(r))
}

/// Session management and payment processing trusted by different principals, never an agent:
/// one principal holding both could create a session with a larger budget and pay against it.
fn separation_of_duties(model: &Model, m: &PaymentManager, diagnostics: &mut Diagnostics) {
    let text = |p: &Principal| match p {
        Principal::Role(id) => format!("iam_role `{}`", model.role(*id).name.value),
        Principal::Arn(arn) => match blueprint_role(model, p) {
            Some(id) => format!("`{arn}` (iam_role `{}`)", model.role(id).name.value),
            None => format!("`{arn}`"),
        },
    };
    for payer in &m.payment_principals {
        if let Some(session) = m
            .session_principals
            .iter()
            .find(|s| same_principal(model, &s.value, &payer.value))
        {
            diagnostics.push(
                Diagnostic::error(
                    Code::SeparationOfDuties,
                    payer.span,
                    format!(
                        "{} of payment_manager `{}` may both manage sessions and process payments",
                        text(&payer.value),
                        m.name.value
                    ),
                )
                .with_label(session.span, "trusted with session management here")
                .with_help(
                    "name different principals in `session_principals` and `payment_principals`",
                ),
            );
        }
    }
    // A blueprint role trusted with one duty must not hold the other through its own `allow`s.
    let duties: [(&[Trusted], &[&str], &str); 2] = [
        (
            &m.payment_principals,
            &[
                "CreatePaymentSession",
                "DeletePaymentSession",
                "CreatePaymentInstrument",
            ],
            "process payments",
        ),
        (
            &m.session_principals,
            &["ProcessPayment"],
            "manage sessions",
        ),
    ];
    for (principals, other_duty, duty) in duties {
        for principal in principals {
            let Some(id) = blueprint_role(model, &principal.value) else {
                continue;
            };
            let role = model.role(id);
            for action in role.allows.iter().flat_map(|a| &a.actions) {
                let (service, name) = action.value.split_once(':').unwrap_or(("", ""));
                if service == "bedrock-agentcore" && other_duty.contains(&name) {
                    diagnostics.push(
                        Diagnostic::error(
                            Code::SeparationOfDuties,
                            action.span,
                            format!(
                                "iam_role `{}` may {duty} for payment_manager `{}` and is granted `{}` itself",
                                role.name.value, m.name.value, action.value
                            ),
                        )
                        .with_label(principal.span, "trusted with that duty here")
                        .with_help("remove the action: session management and payment processing stay with different principals"),
                    );
                }
            }
        }
    }
    for agent in &m.agents {
        let as_principal = Principal::Role(agent.value);
        let role = &model.role(agent.value).name.value;
        if let Some(payer) = m
            .payment_principals
            .iter()
            .find(|p| same_principal(model, &p.value, &as_principal))
        {
            diagnostics.push(
                Diagnostic::error(
                    Code::AgentPays,
                    payer.span,
                    format!(
                        "iam_role `{role}` is an agent of payment_manager `{}` and may assume its process-payment role: it could pay without the guardrails",
                        m.name.value
                    ),
                )
                .with_label(agent.span, "named as an agent here")
                .with_help("agents ask the mediation layer; trust the mediation layer's own role in `payment_principals`"),
            );
        }
        if let Some(session) = m
            .session_principals
            .iter()
            .find(|p| same_principal(model, &p.value, &as_principal))
        {
            diagnostics.push(
                Diagnostic::error(
                    Code::SeparationOfDuties,
                    session.span,
                    format!(
                        "iam_role `{role}` is an agent of payment_manager `{}` and may assume its management role: it could raise its own budget",
                        m.name.value
                    ),
                )
                .with_label(agent.span, "named as an agent here")
                .with_help("sessions are created by deterministic code, never by an agent: name another principal in `session_principals`"),
            );
        }
    }
}
