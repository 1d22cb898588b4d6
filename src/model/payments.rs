//! Payments: AgentCore payment managers with their connectors (wallet providers, credentials by
//! Secrets Manager reference only), the spending guardrails the platform's mediation layer enforces,
//! and the ledger that records every payment.
//!
//! Agents never pay themselves: the roles named in `agents` may ask the mediation layer, which holds
//! the process-payment role, checks the guardrails, records the payment and publishes the metrics
//! the budget alarms watch.

use super::{IamRoleId, Name};
use crate::diag::{Span, Spanned};
use std::fmt;

/// AgentCore payments exists in these regions (provider-facts §2.1).
pub const PAYMENT_REGIONS: [&str; 4] = ["us-east-1", "us-west-2", "eu-central-1", "ap-southeast-2"];

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct PaymentManagerId(pub usize);

#[derive(Debug, Clone)]
pub struct PaymentManager {
    pub name: Name,
    pub authorizer: Authorizer,
    /// Roles that may ask the mediation layer to pay (never `ProcessPayment` themselves).
    pub agents: Vec<Spanned<IamRoleId>>,
    /// Who may assume the control role (administers managers, connectors, credential providers).
    pub admin_principals: Vec<Spanned<Principal>>,
    /// Who may assume the management role (instruments and sessions; never `ProcessPayment`).
    pub session_principals: Vec<Spanned<Principal>>,
    /// Who may assume the process-payment role (the mediation layer; never creates sessions).
    pub payment_principals: Vec<Spanned<Principal>>,
    pub connectors: Vec<Connector>,
    pub guardrails: Guardrails,
    pub ledger: Ledger,
}

/// A principal named to assume a payment role: a role of the blueprint, or an existing IAM role or
/// user by ARN. Never an account root: that would let every principal of the account whose own
/// policies allow it assume the role.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Principal {
    Role(IamRoleId),
    Arn(String),
}

/// How callers of the payment manager's data plane authenticate.
#[derive(Debug, Clone)]
pub enum Authorizer {
    /// SigV4-signed requests from IAM principals.
    AwsIam,
    /// Bearer tokens from an OIDC issuer.
    CustomJwt {
        discovery_url: Spanned<String>,
        allowed_audience: Vec<String>,
        allowed_clients: Vec<String>,
    },
}

/// A wallet provider connection.
#[derive(Debug, Clone)]
pub struct Connector {
    pub name: Name,
    pub provider: Spanned<WalletProvider>,
    /// The Secrets Manager secret holding the provider's secrets as JSON (keys documented in the
    /// README); never the secret itself.
    pub credential_secret_arn: Spanned<String>,
    /// Non-secret identifiers the credential provider needs: Coinbase CDP's API key id; Stripe
    /// Privy's app id and authorization id. Absent ones become Terraform input variables.
    pub api_key_id: Option<Spanned<String>>,
    pub app_id: Option<Spanned<String>>,
    pub authorization_id: Option<Spanned<String>>,
    /// Coinbase CDP only: the blueprint's acknowledgement that the account is subscribed to the AWS
    /// Marketplace listing "Coinbase Wallets for AgentCore Payments" (the connector cannot be
    /// created before; lowering refuses a Coinbase connector without it).
    pub marketplace_subscribed: Option<Spanned<bool>>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WalletProvider {
    CoinbaseCdp,
    StripePrivy,
}

impl WalletProvider {
    pub const ALL: [WalletProvider; 2] = [WalletProvider::CoinbaseCdp, WalletProvider::StripePrivy];

    /// As written in the blueprint.
    pub fn as_str(self) -> &'static str {
        match self {
            WalletProvider::CoinbaseCdp => "coinbase_cdp",
            WalletProvider::StripePrivy => "stripe_privy",
        }
    }

    /// As the AgentCore API names the vendor (`credentialProviderVendor`, connector `type`).
    pub fn vendor(self) -> &'static str {
        match self {
            WalletProvider::CoinbaseCdp => "CoinbaseCDP",
            WalletProvider::StripePrivy => "StripePrivy",
        }
    }
}

/// The spending policy the mediation layer enforces, published as a JSON document.
#[derive(Debug, Clone)]
pub struct Guardrails {
    /// The `guardrails` block, for diagnostics about the whole.
    pub span: Span,
    pub currency: Spanned<String>,
    pub daily_limit: Spanned<Money>,
    pub session_limit: Spanned<Money>,
    pub payment_limit: Spanned<Money>,
    pub max_payments_per_day: Spanned<u32>,
    pub session_expiry_minutes: Spanned<u32>,
    /// Percentages of the daily limit at which the budget alarms fire.
    pub alert_at_percent: Vec<Spanned<u32>>,
    /// Merchant hosts payments may go to; everything else is denied.
    pub allowed_merchants: Spanned<Vec<Spanned<String>>>,
    pub burst: Burst,
    /// Agent phases (as the agents report them) in which no payment is made.
    pub deny_phases: Vec<Spanned<String>>,
}

/// An aggregate cap against drain attacks: at most `max_payments` in any `window_minutes`.
#[derive(Debug, Clone)]
pub struct Burst {
    pub span: Span,
    pub window_minutes: Spanned<u32>,
    pub max_payments: Spanned<u32>,
}

#[derive(Debug, Clone)]
pub struct Ledger {
    /// How long every payment record stays immutable (S3 Object Lock, compliance mode).
    pub retention_days: Spanned<u32>,
}

/// An amount of money as a decimal string ("50.00"), held exactly in millionths of the unit (USDC
/// has six decimals). Never a float.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Money {
    pub micros: u64,
}

impl Money {
    pub const DECIMALS: usize = 6;

    /// Parses `123`, `0.25` or `50.00`: digits, at most one `.`, at most six decimals.
    pub fn parse(text: &str) -> Result<Money, &'static str> {
        let (whole, fraction) = text.split_once('.').unwrap_or((text, ""));
        let digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
        if whole.is_empty() || !digits(whole) || !digits(fraction) {
            return Err("write digits with an optional `.` and decimals, e.g. `50.00`");
        }
        if text.contains('.') && fraction.is_empty() {
            return Err("write decimals after the `.`, e.g. `50.00`");
        }
        if fraction.len() > Self::DECIMALS {
            return Err("at most six decimals");
        }
        let whole: u64 = whole.parse().map_err(|_| "the amount is too large")?;
        let fraction: u64 = format!("{fraction:0<6}").parse().unwrap_or(0);
        whole
            .checked_mul(1_000_000)
            .and_then(|w| w.checked_add(fraction))
            .map(|micros| Money { micros })
            .ok_or("the amount is too large")
    }

    /// `percent` % of this amount, rounded down to the micro-unit.
    #[must_use]
    pub fn percent(self, percent: u32) -> Money {
        Money {
            micros: u64::try_from(u128::from(self.micros) * u128::from(percent) / 100)
                .unwrap_or(u64::MAX),
        }
    }
}

/// The shortest decimal with at least two decimals: `50.00`, `0.25`, `0.125`, `37.50`.
impl fmt::Display for Money {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let whole = self.micros / 1_000_000;
        let fraction = format!("{:06}", self.micros % 1_000_000);
        let trimmed = fraction.trim_end_matches('0');
        let decimals = if trimmed.len() < 2 {
            &fraction[..2]
        } else {
            trimmed
        };
        write!(f, "{whole}.{decimals}")
    }
}

#[cfg(test)]
mod tests {
    use super::Money;

    #[test]
    fn money_is_exact_decimal() {
        assert_eq!(Money::parse("50.00").unwrap().micros, 50_000_000);
        assert_eq!(Money::parse("0.25").unwrap().micros, 250_000);
        assert_eq!(Money::parse("7").unwrap().micros, 7_000_000);
        assert_eq!(Money::parse("0.000001").unwrap().micros, 1);
        assert!(Money::parse("0.0000001").is_err());
        assert!(Money::parse("1e3").is_err());
        assert!(Money::parse("-1").is_err());
        assert!(Money::parse(".5").is_err());
        assert!(Money::parse("5.").is_err());
        assert!(Money::parse("").is_err());
        assert_eq!(Money::parse("50").unwrap().to_string(), "50.00");
        assert_eq!(Money::parse("0.125").unwrap().to_string(), "0.125");
        assert_eq!(
            Money::parse("50.00").unwrap().percent(75).to_string(),
            "37.50"
        );
        assert_eq!(
            Money::parse("0.10").unwrap().percent(33).to_string(),
            "0.033"
        );
    }
}
