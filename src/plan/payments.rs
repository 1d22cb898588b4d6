//! `payments.tf`: each `payment_manager`. Always (hashicorp/aws): the four roles AWS recommends
//! (control plane; management with an explicit deny on `ProcessPayment`; process-payment, held by
//! the platform's mediation layer; resource retrieval, assumed by AgentCore), and the mediation
//! layer's parts: the guardrail policy document in an SSM parameter, the payment ledger (a DynamoDB
//! table that cannot be deleted, recovers to any second of 35 days and denies item updates and
//! deletes, plus an S3 archive under Object Lock in compliance mode), and the budget alarms on an
//! encrypted SNS topic. Then the payment manager, its credential providers and connectors through
//! hashicorp/awscc when allowed (no hashicorp/aws release has them), else not at all (a warning and
//! manual steps in the README).

use super::bucket::{BucketLabels, BucketView, LifecycleView};
use super::labels::{LabelSpace, Owner, Resource};
use super::naming;
use super::naming::{Tags, tags};
use super::{Ref, identity};
use crate::model::{
    Authorizer, Connector, Model, PaymentManager, PaymentManagerId, Principal, WalletProvider,
    targets,
};
use serde::Serialize;
use serde_json::{Value, json};

/// The CloudWatch namespace the mediation layer publishes its payment metrics in.
pub const METRIC_NAMESPACE: &str = "Agentform/Payments";
/// USD spent since 00:00 UTC, published after every payment (statistic `Maximum`).
pub const METRIC_DAILY_SPEND: &str = "DailySpend";
/// One per payment made (statistic `Sum`).
pub const METRIC_PAYMENTS: &str = "Payments";
/// Where AgentCore payments publishes its own metrics (`SpendAmount`, `PaymentRequestCount`,
/// `PaymentFailureCount`, `Throttles`, ...; devguide "Observability with Amazon CloudWatch" for
/// payments). The devguide names the metrics and dimensions but not the namespace; AgentCore's other
/// metrics are documented in `AWS/Bedrock-AgentCore`.
pub const SERVICE_NAMESPACE: &str = "AWS/Bedrock-AgentCore";
/// Metrics Insights queries read the last three hours: a longer burst window stays on our metric.
pub const INSIGHTS_MAX_MINUTES: u32 = 180;
/// Where the managed AWS MCP Server publishes its metrics (Agent Toolkit for AWS user guide, "AWS
/// MCP Server CloudWatch metrics": `Invocation`, `Success`, `UserError`, `SystemError`, `Throttle`).
pub const AWS_MCP_NAMESPACE: &str = "AWS-MCP";
/// The metrics' one dimension: the payment manager's blueprint name.
pub const METRIC_DIMENSION: &str = "PaymentManager";
/// The guardrail document's schema identifier; bumped on incompatible changes.
pub const GUARDRAIL_SCHEMA: &str = "agentform.payments.guardrails/v1";
/// SSM parameter tiers: standard values hold 4 KB, advanced ones 8 KB.
pub const STANDARD_PARAMETER_BYTES: usize = 4_096;
pub const ADVANCED_PARAMETER_BYTES: usize = 8_192;
/// The longest value a reference in the guardrail document can take: every one names a resource
/// of this stack (role ARNs without path, a table name of at most 255, a bucket, a manager ARN).
const REFERENCE_BYTES: usize = 256;

/// Whether the targets can create the payment manager, connectors and credential providers.
pub fn expressible(model: &Model) -> bool {
    targets::payments(&model.platform.providers)
}

#[derive(Serialize)]
pub struct PaymentsView {
    /// Whether the manager and connectors are created (each manager's `awscc` says it too).
    #[serde(skip)]
    pub via_awscc: bool,
    pub managers: Vec<ManagerView>,
}

#[derive(Serialize)]
pub struct ManagerView {
    pub name: String,
    pub label: String,
    pub labels: ManagerLabels,
    /// The payment manager through hashicorp/awscc; none when the targets cannot create it.
    pub awscc: Option<AwsccManagerView>,
    /// The payment manager's AWS name: letters and digits, starting with a letter, at most 48.
    pub manager_name: String,
    pub authorizer_type: &'static str,
    pub jwt: Option<Value>,
    pub description: String,
    pub key_description: String,
    pub account_root: String,
    /// The platform's account, for `aws:SourceAccount` conditions.
    pub account_id: String,
    pub tags: Tags,
    pub awscc_tags: Vec<Value>,
    pub roles: Vec<PaymentRoleView>,
    pub connectors: Vec<ConnectorView>,
    pub guardrails: GuardrailsView,
    pub ledger: LedgerView,
    pub alerts: AlertsView,
    /// Vended log delivery, when the stack creates the manager.
    pub log_delivery: Option<LogDeliveryView>,
    /// CloudWatch Logs in this region, for the key policy.
    pub logs_principal: String,
    pub coinbase: bool,
}

/// The key, the guardrail parameter, the ledger table and its policy, the archive's Object Lock,
/// the alert topic, and the references between them (the archive bucket's are its own).
#[derive(Serialize)]
pub struct ManagerLabels {
    /// `data.aws_iam_policy_document` of the key policy.
    pub key_document: Resource,
    pub key: Resource,
    pub parameter: Resource,
    pub table: Resource,
    /// `data.aws_iam_policy_document` of the table's resource policy.
    pub table_document: Resource,
    pub table_policy: Resource,
    pub object_lock: Resource,
    pub topic: Resource,
    pub key_json: Ref,
    pub key_arn: Ref,
    pub table_arn: Ref,
    pub table_document_json: Ref,
    pub topic_arn: Ref,
}

/// The payment manager as hashicorp/awscc creates it.
#[derive(Serialize)]
pub struct AwsccManagerView {
    pub manager: Resource,
    pub manager_id: Ref,
    pub manager_arn: Ref,
    /// The retrieval role AgentCore assumes, and its policy (which the manager waits for).
    pub retrieval_role_arn: Ref,
    pub retrieval_policy_done: Ref,
}

/// One of the four roles.
#[derive(Serialize)]
pub struct PaymentRoleView {
    /// `control`, `management`, `process` or `retrieval`.
    pub kind: &'static str,
    #[serde(flatten)]
    pub iam: identity::IamRoleView,
    /// The Marketplace subscription policy: on the control role when a connector is Coinbase's.
    pub marketplace: Option<MarketplaceView>,
}

#[derive(Serialize)]
pub struct MarketplaceView {
    pub attachment: Resource,
    pub role_name: Ref,
}

#[derive(Serialize)]
pub struct ConnectorView {
    pub name: String,
    /// The credential provider and the connector, when created (through hashicorp/awscc).
    pub awscc: Option<ConnectorResources>,
    pub connector_name: String,
    pub connector_type: &'static str,
    pub vendor_key: &'static str,
    pub provider_name: String,
    pub secret_arn: String,
    /// The credential provider's `provider_configuration_input`.
    pub configuration: Value,
    /// Input variables for identifiers the blueprint does not give.
    pub variables: Vec<VariableView>,
}

#[derive(Serialize)]
pub struct ConnectorResources {
    pub credential_provider: Resource,
    pub connector: Resource,
    pub credential_provider_arn: Ref,
    pub authorization_url: Ref,
}

#[derive(Serialize)]
pub struct VariableView {
    /// Claimed as kind `variable`; referenced as `var.NAME`.
    pub name: Resource,
    pub description: String,
}

#[derive(Serialize)]
pub struct GuardrailsView {
    pub parameter_name: String,
    pub tier: &'static str,
    /// The document, as an HCL object for `jsonencode`.
    pub document: Value,
    /// The most bytes the document can take once Terraform resolves its references.
    #[serde(skip)]
    pub bound: usize,
}

#[derive(Serialize)]
pub struct LedgerView {
    pub table_name: String,
    pub retention_days: u32,
    /// The archive bucket: Object Lock, SSE-KMS with the payments key, expiring after retention.
    pub archive: BucketView,
}

#[derive(Serialize)]
pub struct AlertsView {
    pub topic_name: String,
    pub namespace: &'static str,
    pub daily_spend_metric: &'static str,
    pub payments_metric: &'static str,
    pub dimensions: Value,
    pub thresholds: Vec<ThresholdAlarmView>,
    pub burst: BurstAlarmView,
    /// Alarms on the service's own metrics (only when the stack creates the manager: the queries
    /// name its id).
    pub service: Vec<ServiceAlarmView>,
    /// The mediation layer stopped publishing `DailySpend` (its heartbeat, every 5 minutes).
    pub silent: SilentAlarmView,
    /// On the managed AWS MCP Server's own metrics (namespace `AWS-MCP`, account-wide): with the
    /// first payment manager, when a role declares `aws_mcp_server`.
    pub aws_mcp: Vec<ServiceAlarmView>,
}

/// An alarm on a Metrics Insights query over the service's metrics of one payment manager (all
/// their other dimensions, connector, agent, currency, summed).
#[derive(Serialize)]
pub struct ServiceAlarmView {
    pub label: Resource,
    pub alarm_name: String,
    pub description: String,
    pub query: Value,
    pub period: u32,
    pub threshold: u32,
}

#[derive(Serialize)]
pub struct SilentAlarmView {
    pub label: Resource,
    pub alarm_name: String,
    pub description: String,
}

/// Vended logs of the payment manager delivered to a log group (devguide "Observability with
/// Amazon CloudWatch": `AllowVendedLogDeliveryForResource`, a delivery source of log type
/// `APPLICATION_LOGS`, a destination, a delivery).
#[derive(Serialize)]
pub struct LogDeliveryView {
    pub log_group: Resource,
    pub log_group_name: String,
    pub log_group_arn_pattern: String,
    pub source: Resource,
    pub source_name: String,
    pub destination: Resource,
    pub destination_name: String,
    pub delivery: Resource,
    pub log_group_arn: Ref,
    pub destination_arn: Ref,
    pub source_name_ref: Ref,
    pub manager_arn: Ref,
}

#[derive(Serialize)]
pub struct ThresholdAlarmView {
    pub label: Resource,
    pub alarm_name: String,
    pub description: String,
    pub threshold: Value,
}

#[derive(Serialize)]
pub struct BurstAlarmView {
    pub label: Resource,
    pub alarm_name: String,
    pub description: String,
    pub period: u32,
    pub threshold: u32,
    /// On the service's `PaymentRequestCount` (a Metrics Insights query) when the stack creates the
    /// manager and the window is at most three hours; else on our own `Payments`.
    pub query: Option<Value>,
}

pub fn plan(model: &Model, labels: &mut LabelSpace) -> Option<PaymentsView> {
    if model.payment_managers.is_empty() {
        return None;
    }
    let via_awscc = expressible(model);
    Some(PaymentsView {
        via_awscc,
        managers: model
            .payment_managers
            .iter()
            .map(|m| manager(model, labels, via_awscc, m))
            .collect(),
    })
}

/// The payment manager's ARN, for `allow` references (`payment_manager.NAME`): empty when the
/// targets cannot create it (the `targets` rule warns; the README lists the grant).
pub fn arns(model: &Model, id: PaymentManagerId) -> Vec<Value> {
    if !expressible(model) {
        return Vec::new();
    }
    let label = naming::snake(&model.payment_manager(id).name.value);
    vec![json!(Ref::attr(
        "awscc_bedrockagentcore_payment_manager",
        &label,
        "payment_manager_arn"
    ))]
}

/// `research` + `control` → `research__payments_control`: a payment role's label.
fn role_label(manager: &PaymentManager, kind: &str) -> String {
    format!("{}__payments_{kind}", naming::snake(&manager.name.value))
}

/// `research` + `coinbase` → `research__coinbase`: a connector's label.
fn connector_label(manager: &PaymentManager, connector: &Connector) -> String {
    format!(
        "{}__{}",
        naming::snake(&manager.name.value),
        naming::snake(&connector.name.value)
    )
}

/// The S3 archive bucket of a manager's ledger (S3 bucket names are global: the account id is
/// part of it).
pub fn ledger_bucket(model: &Model, manager: &PaymentManager) -> String {
    let p = &model.platform;
    naming::aws_name(
        &[
            &p.name.value,
            &p.environment,
            &manager.name.value,
            "ledger",
            &p.account_id,
        ],
        63,
    )
}

/// The most bytes a guardrail document can take: its text, each reference counted at its longest.
fn document_bound(document: &Value) -> usize {
    let text = serde_json::to_string(document).unwrap_or_default();
    let references = text.matches("\"$ref\"").count();
    text.len() + references * REFERENCE_BYTES
}

fn manager(
    model: &Model,
    labels: &mut LabelSpace,
    via_awscc: bool,
    m: &PaymentManager,
) -> ManagerView {
    let p = &model.platform;
    let partition = naming::partition(&p.region);
    let label = naming::snake(&m.name.value);
    let tags = tags(
        model,
        &m.name.value,
        &format!("payment_manager.{}", m.name.value),
    );
    let g = &m.guardrails;
    let owner = labels.owner(format!("payment_manager `{}`", m.name.value), m.name.span);
    let claim = |labels: &mut LabelSpace, kind, suffix: &str| {
        labels.claim(owner, kind, format!("{label}{suffix}"))
    };
    let key_document = claim(labels, "data.aws_iam_policy_document", "_payments_key");
    let key = claim(labels, "aws_kms_key", "_payments");
    let parameter = claim(labels, "aws_ssm_parameter", "_guardrails");
    let table = claim(labels, "aws_dynamodb_table", "_ledger");
    let table_document = claim(labels, "data.aws_iam_policy_document", "_ledger_table");
    let table_policy = claim(labels, "aws_dynamodb_resource_policy", "_ledger");
    let archive = BucketLabels::claim(
        labels,
        owner,
        &format!("{label}_ledger"),
        &format!("{label}_ledger_bucket"),
    );
    let object_lock = claim(labels, "aws_s3_bucket_object_lock_configuration", "_ledger");
    let topic = claim(labels, "aws_sns_topic", "_payment_alerts");
    let thresholds = g
        .alert_at_percent
        .iter()
        .map(|percent| {
            claim(
                labels,
                "aws_cloudwatch_metric_alarm",
                &format!("__daily_spend_{}", percent.value),
            )
        })
        .collect::<Vec<_>>();
    let burst = claim(labels, "aws_cloudwatch_metric_alarm", "__burst");
    let silent = claim(labels, "aws_cloudwatch_metric_alarm", "__mediation_silent");
    let manager = via_awscc.then(|| claim(labels, "awscc_bedrockagentcore_payment_manager", ""));
    let manager_arn = manager.as_ref().map(|r| r.r("payment_manager_arn"));
    let query = |metric: &str| {
        manager.as_ref().map(|manager| {
            json!(
                manager
                    .r("payment_manager_id")
                    .with_prefix(format!(
                        "SELECT SUM({metric}) FROM \"{SERVICE_NAMESPACE}\" WHERE PaymentManagerId = '"
                    ))
                    .with_suffix("'")
            )
        })
    };
    let service_alarm = |labels: &mut LabelSpace,
                         suffix: &str,
                         metric: &str,
                         what: &str|
     -> Option<ServiceAlarmView> {
        let query = query(metric)?;
        Some(ServiceAlarmView {
            label: claim(
                labels,
                "aws_cloudwatch_metric_alarm",
                &format!("__{suffix}"),
            ),
            alarm_name: naming::aws_name(
                &[
                    &p.name.value,
                    &p.environment,
                    &m.name.value,
                    &suffix.replace('_', "-"),
                ],
                255,
            ),
            description: format!(
                "Payment manager {}: {what} in 5 minutes (AgentCore's own {metric}, all connectors and agents).",
                m.name.value
            ),
            query,
            period: 300,
            threshold: 1,
        })
    };
    let service = [
        service_alarm(
            labels,
            "payment_failures",
            "PaymentFailureCount",
            "a failed payment",
        ),
        service_alarm(
            labels,
            "payment_throttles",
            "Throttles",
            "a throttled request",
        ),
    ]
    .into_iter()
    .flatten()
    .collect::<Vec<_>>();
    let first = model
        .payment_managers
        .first()
        .is_some_and(|f| f.name.value == m.name.value);
    let aws_mcp = if first && model.iam_roles.iter().any(|r| r.aws_mcp_server) {
        [
            (
                "aws_mcp_user_errors",
                "UserError",
                "A call through the AWS MCP Server refused (4XX: denied, invalid)",
            ),
            (
                "aws_mcp_system_errors",
                "SystemError",
                "A call through the AWS MCP Server failed (5XX)",
            ),
        ]
        .into_iter()
        .map(|(suffix, metric, what)| ServiceAlarmView {
            label: claim(
                labels,
                "aws_cloudwatch_metric_alarm",
                &format!("__{suffix}"),
            ),
            alarm_name: naming::aws_name(
                &[&p.name.value, &p.environment, &suffix.replace('_', "-")],
                255,
            ),
            description: format!(
                "{what} in 5 minutes (the server's own {metric}, every tool, this account)."
            ),
            query: json!(format!("SELECT SUM({metric}) FROM \"{AWS_MCP_NAMESPACE}\"")),
            period: 300,
            threshold: 1,
        })
        .collect()
    } else {
        Vec::new()
    };
    let burst_query = (g.burst.window_minutes.value <= INSIGHTS_MAX_MINUTES)
        .then(|| query("PaymentRequestCount"))
        .flatten();
    let log_delivery = manager.as_ref().map(|manager| {
        let log_group = claim(labels, "aws_cloudwatch_log_group", "_payments");
        let source = claim(labels, "aws_cloudwatch_log_delivery_source", "_payments");
        let destination = claim(
            labels,
            "aws_cloudwatch_log_delivery_destination",
            "_payments",
        );
        let delivery = claim(labels, "aws_cloudwatch_log_delivery", "_payments");
        let log_group_name = format!(
            "/aws/vendedlogs/bedrock-agentcore/payments/{}",
            naming::aws_name(&[&p.name.value, &p.environment, &m.name.value], 200)
        );
        LogDeliveryView {
            log_group_arn_pattern: format!(
                "arn:{}:logs:{}:{}:log-group:{log_group_name}",
                naming::partition(&p.region),
                p.region,
                p.account_id
            ),
            log_group_name,
            source_name: naming::aws_name(
                &[&p.name.value, &p.environment, &m.name.value, "payments"],
                60,
            ),
            destination_name: naming::aws_name(
                &[
                    &p.name.value,
                    &p.environment,
                    &m.name.value,
                    "payments-logs",
                ],
                60,
            ),
            log_group_arn: log_group.r("arn"),
            destination_arn: destination.r("arn"),
            source_name_ref: source.r("name"),
            manager_arn: manager.r("payment_manager_arn"),
            log_group,
            source,
            destination,
            delivery,
        }
    });
    let roles = roles(
        model,
        labels,
        m,
        &tags,
        &ManagerRefs {
            key: key.r("arn"),
            parameter: parameter.r("arn"),
            table: table.r("arn"),
            archive: archive.bucket_arn.clone(),
            manager: manager_arn.clone(),
        },
    );
    let retrieval = &roles[3].iam.labels;
    let awscc = manager.map(|manager| AwsccManagerView {
        manager_id: manager.r("payment_manager_id"),
        manager_arn: manager.r("payment_manager_arn"),
        retrieval_role_arn: retrieval.role.r("arn"),
        retrieval_policy_done: retrieval
            .policy
            .as_ref()
            .map_or_else(|| retrieval.role.whole(), |p| p.policy.whole()),
        manager,
    });
    let document = guardrail_document(model, m, manager_arn, &table, &archive);
    let bound = document_bound(&document);
    let dimensions = json!({ METRIC_DIMENSION: m.name.value });
    let alarm = |suffix: &str| {
        naming::aws_name(&[&p.name.value, &p.environment, &m.name.value, suffix], 255)
    };
    ManagerView {
        labels: ManagerLabels {
            key_json: key_document.r("json"),
            key_arn: key.r("arn"),
            table_arn: table.r("arn"),
            table_document_json: table_document.r("json"),
            topic_arn: topic.r("arn"),
            key_document,
            key: key.clone(),
            parameter,
            table,
            table_document,
            table_policy,
            object_lock,
            topic,
        },
        manager_name: manager_name(model, m),
        authorizer_type: match m.authorizer {
            Authorizer::AwsIam => "AWS_IAM",
            Authorizer::CustomJwt { .. } => "CUSTOM_JWT",
        },
        jwt: match &m.authorizer {
            Authorizer::AwsIam => None,
            Authorizer::CustomJwt {
                discovery_url,
                allowed_audience,
                allowed_clients,
            } => {
                let mut jwt = serde_json::Map::new();
                jwt.insert("discovery_url".into(), json!(discovery_url.value));
                if !allowed_audience.is_empty() {
                    jwt.insert("allowed_audience".into(), json!(allowed_audience));
                }
                if !allowed_clients.is_empty() {
                    jwt.insert("allowed_clients".into(), json!(allowed_clients));
                }
                Some(Value::Object(jwt))
            }
        },
        description: manager_description(model, m),
        key_description: format!(
            "{} {} payments {}: ledger, archive, guardrails and alerts",
            p.name.value, p.environment, m.name.value
        ),
        account_root: format!("arn:{partition}:iam::{}:root", p.account_id),
        account_id: p.account_id.clone(),
        roles,
        connectors: m
            .connectors
            .iter()
            .map(|c| connector(model, labels, awscc.as_ref(), m, c))
            .collect(),
        awscc,
        guardrails: GuardrailsView {
            parameter_name: format!(
                "/agentform/{}/{}/payments/{}/guardrails",
                p.name.value, p.environment, m.name.value
            ),
            tier: if bound > STANDARD_PARAMETER_BYTES {
                "Advanced"
            } else {
                "Standard"
            },
            document,
            bound,
        },
        ledger: LedgerView {
            table_name: naming::aws_name(
                &[&p.name.value, &p.environment, &m.name.value, "payment-ledger"],
                255,
            ),
            retention_days: m.ledger.retention_days.value,
            archive: BucketView {
                labels: archive,
                bucket: ledger_bucket(model, m),
                tags: tags.clone(),
                object_lock: true,
                key_arn: Some(json!(key.r("arn"))),
                lifecycle: LifecycleView {
                    id: "retention",
                    expiration_days: Some(m.ledger.retention_days.value),
                    after_versioning: true,
                },
            },
        },
        alerts: AlertsView {
            topic_name: naming::aws_name(
                &[&p.name.value, &p.environment, &m.name.value, "payment-alerts"],
                256,
            ),
            namespace: METRIC_NAMESPACE,
            daily_spend_metric: METRIC_DAILY_SPEND,
            payments_metric: METRIC_PAYMENTS,
            thresholds: g
                .alert_at_percent
                .iter()
                .zip(thresholds)
                .map(|(percent, label)| {
                    let amount = g.daily_limit.value.percent(percent.value);
                    ThresholdAlarmView {
                        label,
                        alarm_name: alarm(&format!("daily-spend-{}pct", percent.value)),
                        description: format!(
                            "Payment manager {}: {}% of the daily limit ({} {}) spent today: {} {} or more.",
                            m.name.value,
                            percent.value,
                            g.currency.value,
                            g.daily_limit.value,
                            g.currency.value,
                            amount
                        ),
                        threshold: decimal_number(amount.micros),
                    }
                })
                .collect(),
            burst: BurstAlarmView {
                label: burst,
                alarm_name: alarm("payment-burst"),
                description: format!(
                    "Payment manager {}: {} payments within {} minutes, the burst cap (drain attack?).",
                    m.name.value, g.burst.max_payments.value, g.burst.window_minutes.value
                ),
                period: g.burst.window_minutes.value * 60,
                threshold: g.burst.max_payments.value,
                query: burst_query,
            },
            service,
            aws_mcp,
            silent: SilentAlarmView {
                label: silent,
                alarm_name: alarm("mediation-silent"),
                description: format!(
                    "Payment manager {}: the mediation layer published no {METRIC_DAILY_SPEND} for 15 minutes (it publishes every 5 minutes, 0 on a quiet day): the budget alarms are blind.",
                    m.name.value
                ),
            },
            dimensions,
        },
        log_delivery,
        logs_principal: format!("logs.{}.amazonaws.com", p.region),
        coinbase: m
            .connectors
            .iter()
            .any(|c| c.provider.value == WalletProvider::CoinbaseCdp),
        awscc_tags: tags
            .iter()
            .map(|(k, v)| json!({ "key": k, "value": v }))
            .collect(),
        tags,
        label,
        name: m.name.value.clone(),
    }
}

/// The manager's description within the API's pattern `[a-zA-Z0-9\s]+` (API reference,
/// `CreatePaymentManager`): every other character of the names becomes a space.
pub fn manager_description(model: &Model, m: &PaymentManager) -> String {
    let p = &model.platform;
    format!(
        "{} {} payment manager {}",
        p.name.value, p.environment, m.name.value
    )
    .chars()
    .map(|c| if c.is_ascii_alphanumeric() { c } else { ' ' })
    .collect::<String>()
    .split_whitespace()
    .collect::<Vec<_>>()
    .join(" ")
}

/// Letters and digits of platform, environment and manager names, starting with a letter, at most
/// 48 characters (shortened deterministically with a hash suffix).
pub fn manager_name(model: &Model, m: &PaymentManager) -> String {
    let p = &model.platform;
    let joined: String = [&p.name.value, &p.environment, &m.name.value]
        .iter()
        .flat_map(|part| part.chars())
        .filter(char::is_ascii_alphanumeric)
        .collect();
    if joined.len() <= 48 {
        return joined;
    }
    let hash = naming::aws_name(&[&joined], 8);
    let hash: String = hash.chars().filter(char::is_ascii_alphanumeric).collect();
    format!("{}{}", &joined[..48 - hash.len().min(8)], hash)
}

/// `1234500` micro-units → `1.2345` as a JSON number (exact for amounts below 2^53 micro-units).
fn decimal_number(micros: u64) -> Value {
    let text = crate::model::Money { micros }.to_string();
    serde_json::from_str(&text).unwrap_or(Value::Null)
}

/// The guardrail policy the mediation layer enforces (schema in the README).
fn guardrail_document(
    model: &Model,
    m: &PaymentManager,
    manager_arn: Option<Ref>,
    table: &Resource,
    archive: &BucketLabels,
) -> Value {
    let g = &m.guardrails;
    json!({
        "schema": GUARDRAIL_SCHEMA,
        "payment_manager": m.name.value,
        "payment_manager_arn": manager_arn.map_or(Value::Null, |arn| json!(arn)),
        "currency": g.currency.value,
        "limits": {
            "daily": g.daily_limit.value.to_string(),
            "session": g.session_limit.value.to_string(),
            "payment": g.payment_limit.value.to_string(),
            "max_payments_per_day": g.max_payments_per_day.value,
        },
        "session_expiry_minutes": g.session_expiry_minutes.value,
        "burst": {
            "window_minutes": g.burst.window_minutes.value,
            "max_payments": g.burst.max_payments.value,
        },
        "allowed_merchants": g.allowed_merchants.value.iter().map(|m| m.value.clone()).collect::<Vec<_>>(),
        "deny_phases": g.deny_phases.iter().map(|p| p.value.clone()).collect::<Vec<_>>(),
        "alert_at_percent": g.alert_at_percent.iter().map(|p| p.value).collect::<Vec<_>>(),
        "agent_role_arns": m.agents.iter().map(|a| {
            json!(Ref::attr("aws_iam_role", &naming::snake(&model.role(a.value).name.value), "arn"))
        }).collect::<Vec<_>>(),
        "ledger": {
            "table": json!(table.r("name")),
            "archive_bucket": json!(archive.bucket.r("bucket")),
        },
        "metrics": {
            "namespace": METRIC_NAMESPACE,
            "daily_spend": METRIC_DAILY_SPEND,
            "payments": METRIC_PAYMENTS,
            "dimensions": { METRIC_DIMENSION: m.name.value },
        },
    })
}

fn connector(
    model: &Model,
    labels: &mut LabelSpace,
    manager: Option<&AwsccManagerView>,
    m: &PaymentManager,
    c: &Connector,
) -> ConnectorView {
    let label = connector_label(m, c);
    let owner = connector_owner(labels, m, c);
    // Without awscc the connector is a manual step: its label stays reserved, so that allowing
    // awscc never reveals a collision in a blueprint accepted today.
    let connector = labels.claim(owner, "awscc_bedrockagentcore_payment_connector", &label);
    let awscc = manager.map(|_| {
        let credential_provider = labels.claim(
            owner,
            "awscc_bedrockagentcore_payment_credential_provider",
            &label,
        );
        ConnectorResources {
            credential_provider_arn: credential_provider.r("credential_provider_arn"),
            authorization_url: connector.r("authorization_url"),
            credential_provider,
            connector,
        }
    });
    let secret = |json_key: &str| json!({ "secret_id": c.credential_secret_arn.value, "json_key": json_key });
    let mut variables = Vec::new();
    let mut identifier = |given: &Option<crate::diag::Spanned<String>>, what: &str, key: &str| {
        if let Some(value) = given {
            return json!(value.value);
        }
        let name = format!("{label}_{key}");
        let reference = json!(Ref::new(format!("var.{name}")));
        if awscc.is_some() {
            variables.push(VariableView {
                description: format!(
                    "{what} of connector `{}` (payment manager `{}`): an identifier, not a secret. Set `{key}` in the blueprint to stop asking for it.",
                    c.name.value, m.name.value
                ),
                name: labels.claim(owner, "variable", name),
            });
        }
        reference
    };
    let (vendor_key, configuration) = match c.provider.value {
        WalletProvider::CoinbaseCdp => (
            "coinbase_cdp",
            json!({ "coinbase_cdp_configuration": {
                "api_key_id": identifier(&c.api_key_id, "Coinbase CDP API key id", "api_key_id"),
                "api_key_secret_source": "EXTERNAL",
                "api_key_secret_config": secret("api_key_secret"),
                "wallet_secret_source": "EXTERNAL",
                "wallet_secret_config": secret("wallet_secret"),
            }}),
        ),
        WalletProvider::StripePrivy => (
            "stripe_privy",
            json!({ "stripe_privy_configuration": {
                "app_id": identifier(&c.app_id, "Privy app id", "app_id"),
                "app_secret_source": "EXTERNAL",
                "app_secret_config": secret("app_secret"),
                "authorization_id": identifier(&c.authorization_id, "Privy authorization key id", "authorization_id"),
                "authorization_private_key_source": "EXTERNAL",
                "authorization_private_key_config": secret("authorization_private_key"),
            }}),
        ),
    };
    ConnectorView {
        name: c.name.value.clone(),
        connector_name: c.name.value.replace('-', "_"),
        connector_type: c.provider.value.vendor(),
        vendor_key,
        provider_name: credential_provider_name(model, m, c),
        secret_arn: c.credential_secret_arn.value.clone(),
        configuration,
        variables,
        awscc,
    }
}

/// A connector's credential provider: `<platform>-<env>-<manager>-<connector>`, at most 48.
fn credential_provider_name(model: &Model, m: &PaymentManager, c: &Connector) -> String {
    let p = &model.platform;
    naming::aws_name(
        &[&p.name.value, &p.environment, &m.name.value, &c.name.value],
        48,
    )
}

/// The owner of a connector's labels.
fn connector_owner(labels: &mut LabelSpace, m: &PaymentManager, c: &Connector) -> Owner {
    labels.owner(
        format!(
            "connector `{}` of payment_manager `{}`",
            c.name.value, m.name.value
        ),
        c.name.span,
    )
}

/// A statement of a payment role, but for its resources (which name the manager's own).
struct Grant {
    sid: &'static str,
    effect: &'static str,
    actions: &'static [&'static str],
}

// The statements follow the devguide page "IAM roles for AgentCore payments"
// (docs.aws.amazon.com/bedrock-agentcore/latest/devguide/payments-iam-roles.html): its actions, and
// its resources narrowed to this account, region and payment manager.
const PAYMENT_MANAGERS: Grant = Grant {
    sid: "PaymentManagers",
    effect: "Allow",
    actions: &[
        "bedrock-agentcore:CreatePaymentManager",
        "bedrock-agentcore:GetPaymentManager",
        "bedrock-agentcore:ListPaymentManagers",
        "bedrock-agentcore:UpdatePaymentManager",
        "bedrock-agentcore:DeletePaymentManager",
    ],
};
const PAYMENT_CONNECTORS: Grant = Grant {
    sid: "PaymentConnectors",
    effect: "Allow",
    actions: &[
        "bedrock-agentcore:CreatePaymentConnector",
        "bedrock-agentcore:GetPaymentConnector",
        "bedrock-agentcore:ListPaymentConnectors",
        "bedrock-agentcore:UpdatePaymentConnector",
        "bedrock-agentcore:DeletePaymentConnector",
    ],
};
const CREDENTIAL_PROVIDERS: Grant = Grant {
    sid: "CredentialProviders",
    effect: "Allow",
    actions: &[
        "bedrock-agentcore:CreatePaymentCredentialProvider",
        "bedrock-agentcore:GetPaymentCredentialProvider",
        "bedrock-agentcore:ListPaymentCredentialProviders",
        "bedrock-agentcore:UpdatePaymentCredentialProvider",
        "bedrock-agentcore:DeletePaymentCredentialProvider",
    ],
};
const VENDED_LOG_DELIVERY: Grant = Grant {
    sid: "VendedLogDelivery",
    effect: "Allow",
    actions: &["bedrock-agentcore:AllowVendedLogDeliveryForResource"],
};
const PASS_RETRIEVAL_ROLE: Grant = Grant {
    sid: "PassRetrievalRole",
    effect: "Allow",
    actions: &["iam:PassRole"],
};
const READ_GUARDRAILS: Grant = Grant {
    sid: "ReadGuardrails",
    effect: "Allow",
    actions: &["ssm:GetParameter"],
};
const PAYMENTS_KEY: Grant = Grant {
    sid: "PaymentsKey",
    effect: "Allow",
    actions: &["kms:Decrypt", "kms:GenerateDataKey"],
};
const INSTRUMENTS_AND_SESSIONS: Grant = Grant {
    sid: "InstrumentsAndSessions",
    effect: "Allow",
    actions: &[
        "bedrock-agentcore:CreatePaymentInstrument",
        "bedrock-agentcore:GetPaymentInstrument",
        "bedrock-agentcore:ListPaymentInstruments",
        "bedrock-agentcore:DeletePaymentInstrument",
        "bedrock-agentcore:CreatePaymentSession",
        "bedrock-agentcore:GetPaymentSession",
        "bedrock-agentcore:ListPaymentSessions",
        "bedrock-agentcore:DeletePaymentSession",
    ],
};
const NEVER_PROCESS_PAYMENTS: Grant = Grant {
    sid: "NeverProcessPayments",
    effect: "Deny",
    actions: &["bedrock-agentcore:ProcessPayment"],
};
const PROCESS_PAYMENTS: Grant = Grant {
    sid: "ProcessPayments",
    effect: "Allow",
    actions: &["bedrock-agentcore:ProcessPayment"],
};
const READ_INSTRUMENTS_AND_SESSIONS: Grant = Grant {
    sid: "ReadInstrumentsAndSessions",
    effect: "Allow",
    actions: &[
        "bedrock-agentcore:GetPaymentInstrument",
        "bedrock-agentcore:GetPaymentInstrumentBalance",
        "bedrock-agentcore:GetPaymentSession",
    ],
};
/// The process role never writes sessions or instruments, whatever else the account grants it.
const NEVER_WRITE_SESSIONS: Grant = Grant {
    sid: "NeverWriteSessions",
    effect: "Deny",
    actions: &[
        "bedrock-agentcore:CreatePaymentSession",
        "bedrock-agentcore:DeletePaymentSession",
        "bedrock-agentcore:CreatePaymentInstrument",
        "bedrock-agentcore:DeletePaymentInstrument",
    ],
};
const APPEND_TO_LEDGER: Grant = Grant {
    sid: "AppendToLedger",
    effect: "Allow",
    actions: &["dynamodb:PutItem", "dynamodb:GetItem", "dynamodb:Query"],
};
const ARCHIVE_PAYMENTS: Grant = Grant {
    sid: "ArchivePayments",
    effect: "Allow",
    actions: &["s3:PutObject"],
};
const PUBLISH_PAYMENT_METRICS: Grant = Grant {
    sid: "PublishPaymentMetrics",
    effect: "Allow",
    actions: &["cloudwatch:PutMetricData"],
};
const WORKLOAD_IDENTITY_MANAGEMENT: Grant = Grant {
    sid: "WorkloadIdentityManagement",
    effect: "Allow",
    actions: &[
        "bedrock-agentcore:CreateWorkloadIdentity",
        "bedrock-agentcore:DeleteWorkloadIdentity",
    ],
};
const WORKLOAD_IDENTITY_ACCESS: Grant = Grant {
    sid: "WorkloadIdentityAccess",
    effect: "Allow",
    actions: &["bedrock-agentcore:GetWorkloadAccessToken"],
};
const PAYMENT_TOKEN_BASE_ACCESS: Grant = Grant {
    sid: "PaymentTokenBaseAccess",
    effect: "Allow",
    actions: &["bedrock-agentcore:GetResourcePaymentToken"],
};
const PAYMENT_TOKEN_ACCESS: Grant = Grant {
    sid: "PaymentTokenAccess",
    effect: "Allow",
    actions: &["bedrock-agentcore:GetResourcePaymentToken"],
};
const READ_WALLET_CREDENTIALS: Grant = Grant {
    sid: "ReadWalletCredentials",
    effect: "Allow",
    actions: &["secretsmanager:GetSecretValue"],
};

/// Every statement the payment roles can hold.
const GRANTS: [&Grant; 20] = [
    &PAYMENT_MANAGERS,
    &PAYMENT_CONNECTORS,
    &CREDENTIAL_PROVIDERS,
    &VENDED_LOG_DELIVERY,
    &PASS_RETRIEVAL_ROLE,
    &READ_GUARDRAILS,
    &PAYMENTS_KEY,
    &INSTRUMENTS_AND_SESSIONS,
    &NEVER_PROCESS_PAYMENTS,
    &PROCESS_PAYMENTS,
    &READ_INSTRUMENTS_AND_SESSIONS,
    &NEVER_WRITE_SESSIONS,
    &APPEND_TO_LEDGER,
    &ARCHIVE_PAYMENTS,
    &PUBLISH_PAYMENT_METRICS,
    &WORKLOAD_IDENTITY_MANAGEMENT,
    &WORKLOAD_IDENTITY_ACCESS,
    &PAYMENT_TOKEN_BASE_ACCESS,
    &PAYMENT_TOKEN_ACCESS,
    &READ_WALLET_CREDENTIALS,
];

fn statement(grant: &Grant, resources: Vec<Value>) -> identity::PolicyStatementView {
    identity::PolicyStatementView {
        sid: grant.sid.to_string(),
        effect: grant.effect,
        actions: grant.actions.iter().map(ToString::to_string).collect(),
        resources,
        conditions: Vec::new(),
    }
}

fn condition(test: &'static str, variable: &str, values: Vec<Value>) -> identity::ConditionView {
    identity::ConditionView {
        test,
        variable: variable.to_string(),
        values,
    }
}

/// What the payment roles are granted on: the manager's own resources.
struct ManagerRefs {
    key: Ref,
    parameter: Ref,
    table: Ref,
    archive: Ref,
    /// The payment manager, when the stack creates it.
    manager: Option<Ref>,
}

/// The ARN of a principal trusted by a payment role: a blueprint role's (a reference), or as given.
fn principal_arn(model: &Model, principal: &Principal) -> Value {
    match principal {
        Principal::Role(id) => json!(Ref::attr(
            "aws_iam_role",
            &naming::snake(&model.role(*id).name.value),
            "arn"
        )),
        Principal::Arn(arn) => json!(arn),
    }
}

/// How the README names a trusted principal: `` role `NAME` `` of the blueprint, or its ARN.
pub fn principal_text(model: &Model, principal: &Principal) -> String {
    match principal {
        Principal::Role(id) => format!("role `{}`", model.role(*id).name.value),
        Principal::Arn(arn) => format!("`{arn}`"),
    }
}

/// The four roles, with their trust and permissions: control, management, process, retrieval.
#[allow(clippy::too_many_lines)]
fn roles(
    model: &Model,
    labels: &mut LabelSpace,
    m: &PaymentManager,
    tags: &Tags,
    refs: &ManagerRefs,
) -> Vec<PaymentRoleView> {
    let p = &model.platform;
    let partition = naming::partition(&p.region);
    let arn = |resource: &str| {
        format!(
            "arn:{partition}:bedrock-agentcore:{}:{}:{resource}",
            p.region, p.account_id
        )
    };
    let name = manager_name(model, m);
    // A payment manager's id is its name, a hyphen and a suffix AgentCore chooses.
    let this_manager_pattern = arn(&format!("payment-manager/{name}-*"));
    let under = |suffix: &str| match &refs.manager {
        Some(manager) => json!(manager.clone().with_suffix(suffix)),
        None => json!(format!("{this_manager_pattern}{suffix}")),
    };
    let this_manager = refs
        .manager
        .as_ref()
        .map_or_else(|| json!(this_manager_pattern), |arn| json!(arn));
    let trusted = |principals: &[crate::diag::Spanned<Principal>]| -> Vec<Value> {
        principals
            .iter()
            .map(|a| principal_arn(model, &a.value))
            .collect()
    };
    let assume = |principal_type, principals: Vec<Value>, conditions| identity::StatementView {
        actions: vec!["sts:AssumeRole"],
        principal_type,
        principals,
        conditions,
    };
    let key = json!(refs.key);
    let parameter = json!(refs.parameter);
    let role_name = |kind: &str| {
        naming::aws_name(
            &[
                &p.name.value,
                &p.environment,
                &m.name.value,
                "payments",
                kind,
            ],
            64,
        )
    };
    // The statement passing the retrieval role joins these once that role is claimed (the roles
    // claim their labels in the order they are written).
    let control = vec![
        statement(&PAYMENT_MANAGERS, vec![json!(arn("payment-manager/*"))]),
        statement(
            &PAYMENT_CONNECTORS,
            vec![json!(arn("payment-manager/*/connector/*"))],
        ),
        statement(
            &CREDENTIAL_PROVIDERS,
            vec![json!(arn("token-vault/*/paymentcredentialprovider/*"))],
        ),
        statement(&VENDED_LOG_DELIVERY, vec![json!(arn("payment-manager/*"))]),
    ];

    let read_guardrails = [
        statement(&READ_GUARDRAILS, vec![parameter.clone()]),
        statement(&PAYMENTS_KEY, vec![key.clone()]),
    ];
    let mut management = vec![
        statement(
            &INSTRUMENTS_AND_SESSIONS,
            vec![
                this_manager.clone(),
                under("/instrument/*"),
                under("/session/*"),
            ],
        ),
        statement(&NEVER_PROCESS_PAYMENTS, vec![json!("*")]),
    ];
    management.extend(read_guardrails.iter().cloned());

    let mut process = vec![
        statement(
            &PROCESS_PAYMENTS,
            vec![this_manager.clone(), under("/session/*")],
        ),
        statement(
            &READ_INSTRUMENTS_AND_SESSIONS,
            vec![under("/instrument/*"), under("/session/*")],
        ),
        statement(&NEVER_WRITE_SESSIONS, vec![json!("*")]),
    ];
    process.extend(read_guardrails);
    process.push(statement(
        &APPEND_TO_LEDGER,
        vec![
            json!(refs.table),
            json!(refs.table.clone().with_suffix("/index/*")),
        ],
    ));
    process.push(statement(
        &ARCHIVE_PAYMENTS,
        vec![json!(refs.archive.clone().with_suffix("/payments/*"))],
    ));
    let mut metrics = statement(&PUBLISH_PAYMENT_METRICS, vec![json!("*")]);
    metrics.conditions.push(condition(
        "StringEquals",
        "cloudwatch:namespace",
        vec![json!(METRIC_NAMESPACE)],
    ));
    process.push(metrics);

    // The retrieval role: the devguide's base permissions (workload identity and payment token)
    // and, per connector, the payment token of its credential provider and its secret.
    let directory = arn("workload-identity-directory/default");
    let own_identities = arn(&format!(
        "workload-identity-directory/default/workload-identity/{name}-*"
    ));
    let mut retrieval = vec![
        statement(
            &WORKLOAD_IDENTITY_MANAGEMENT,
            vec![
                json!(directory),
                json!(arn(
                    "workload-identity-directory/default/workload-identity/*"
                )),
            ],
        ),
        statement(
            &WORKLOAD_IDENTITY_ACCESS,
            vec![json!(directory), json!(own_identities)],
        ),
        statement(
            &PAYMENT_TOKEN_BASE_ACCESS,
            vec![
                json!(arn("token-vault/default")),
                json!(directory),
                json!(own_identities),
            ],
        ),
        statement(
            &PAYMENT_TOKEN_ACCESS,
            m.connectors
                .iter()
                .map(|c| {
                    if refs.manager.is_some() {
                        json!(Ref::attr(
                            "awscc_bedrockagentcore_payment_credential_provider",
                            &connector_label(m, c),
                            "credential_provider_arn"
                        ))
                    } else {
                        json!(arn(&format!(
                            "token-vault/default/paymentcredentialprovider/{}",
                            credential_provider_name(model, m, c)
                        )))
                    }
                })
                .collect(),
        ),
    ];
    let mut secrets = statement(&READ_WALLET_CREDENTIALS, {
        let mut secrets: Vec<&str> = m
            .connectors
            .iter()
            .map(|c| c.credential_secret_arn.value.as_str())
            .collect();
        secrets.sort_unstable();
        secrets.dedup();
        secrets.into_iter().map(|s| json!(s)).collect()
    });
    secrets.conditions.push(condition(
        "StringEquals",
        "aws:ResourceAccount",
        vec![json!(p.account_id)],
    ));
    retrieval.push(secrets);

    let coinbase = m
        .connectors
        .iter()
        .any(|c| c.provider.value == WalletProvider::CoinbaseCdp);
    let mut role = |kind: &'static str,
                    description: String,
                    trust,
                    statements: Vec<identity::PolicyStatementView>| {
        let owner = labels.owner(
            format!("the {kind} role of payment_manager `{}`", m.name.value),
            m.name.span,
        );
        let label = role_label(m, kind);
        let iam_labels = identity::IamRoleLabels::claim(labels, owner, &label, &statements);
        let marketplace = (kind == "control" && coinbase).then(|| MarketplaceView {
            attachment: labels.claim(
                owner,
                "aws_iam_role_policy_attachment",
                format!("{label}_marketplace"),
            ),
            role_name: iam_labels.role.r("name"),
        });
        PaymentRoleView {
            kind,
            marketplace,
            iam: identity::IamRoleView {
                labels: iam_labels,
                role_name: role_name(kind),
                description,
                max_session_seconds: None,
                tags: Some(tags.clone()),
                trust,
                statements,
                policy_name: format!("payments-{kind}"),
            },
        }
    };
    let mut roles = vec![
        role(
            "control",
            format!(
                "Administers payment manager {}: managers, connectors, credential providers",
                m.name.value
            ),
            assume("AWS", trusted(&m.admin_principals), Vec::new()),
            control,
        ),
        role(
            "management",
            format!(
                "Payment instruments and sessions of {}; never processes payments",
                m.name.value
            ),
            assume("AWS", trusted(&m.session_principals), Vec::new()),
            management,
        ),
        role(
            "process",
            format!(
                "The mediation layer of {}: processes payments within the guardrails, records them; never writes sessions",
                m.name.value
            ),
            assume("AWS", trusted(&m.payment_principals), Vec::new()),
            process,
        ),
        role(
            "retrieval",
            format!(
                "Assumed by AgentCore payments to fetch the wallet credentials of {}",
                m.name.value
            ),
            assume(
                "Service",
                vec![json!("bedrock-agentcore.amazonaws.com")],
                vec![
                    condition(
                        "StringEquals",
                        "aws:SourceAccount",
                        vec![json!(p.account_id)],
                    ),
                    condition(
                        "ArnLike",
                        "aws:SourceArn",
                        vec![json!(this_manager_pattern)],
                    ),
                ],
            ),
            retrieval,
        ),
    ];
    let mut pass = statement(
        &PASS_RETRIEVAL_ROLE,
        vec![json!(roles[3].iam.labels.role.r("arn"))],
    );
    pass.conditions.push(condition(
        "StringEquals",
        "iam:PassedToService",
        vec![json!("bedrock-agentcore.amazonaws.com")],
    ));
    roles[0].iam.statements.push(pass);
    roles
}

/// What an agent never does: pay, or write sessions and instruments (agents ask the mediation
/// layer, which holds the process-payment role).
const AGENTS_NEVER_PAY: Grant = Grant {
    sid: "AgentsNeverPay",
    effect: "Deny",
    actions: &[
        "bedrock-agentcore:ProcessPayment",
        "bedrock-agentcore:CreatePaymentSession",
        "bedrock-agentcore:DeletePaymentSession",
        "bedrock-agentcore:CreatePaymentInstrument",
        "bedrock-agentcore:DeletePaymentInstrument",
    ],
};
/// What an agent never does through the managed AWS MCP Server (its `call_aws` tool calls AWS with
/// the agent's own credentials): pay, touch sessions or payment resources, change its budget (the
/// guardrail parameter) or IAM. The Agent Toolkit user guide ("Identity-based policy examples for
/// AWS MCP Server") denies by the condition keys `aws:ViaAWSMCPService` and `aws:CalledViaAWSMCP`;
/// `aws-mcp:*` actions no longer have any effect.
const NO_WRITES_VIA_AWS_MCP: &[&str] = &[
    "bedrock-agentcore:ProcessPayment",
    "bedrock-agentcore:CreatePaymentSession",
    "bedrock-agentcore:DeletePaymentSession",
    "bedrock-agentcore:CreatePaymentInstrument",
    "bedrock-agentcore:DeletePaymentInstrument",
    "bedrock-agentcore:UpdatePaymentManager",
    "bedrock-agentcore:DeletePaymentManager",
    "bedrock-agentcore:CreatePaymentConnector",
    "bedrock-agentcore:UpdatePaymentConnector",
    "bedrock-agentcore:DeletePaymentConnector",
    "ssm:PutParameter",
    "ssm:DeleteParameter",
    "ssm:LabelParameterVersion",
    "iam:Attach*",
    "iam:Create*",
    "iam:Delete*",
    "iam:Detach*",
    "iam:PassRole",
    "iam:Put*",
    "iam:SetDefaultPolicyVersion",
    "iam:Update*",
];

/// The explicit denies an agent role of some payment manager gets: never pay, and no payment,
/// budget or IAM writes through the AWS MCP Server (either of its two condition keys).
/// A role that declares `aws_mcp_server = true` gets the two denies through the server too.
pub fn agent_denies(
    model: &Model,
    role: crate::model::IamRoleId,
) -> Vec<identity::PolicyStatementView> {
    let agent = model
        .payment_managers
        .iter()
        .any(|m| m.agents.iter().any(|a| a.value == role));
    if !agent && !model.role(role).aws_mcp_server {
        return Vec::new();
    }
    let via = |sid: &str, test: &'static str, variable: &str, value: &str| {
        identity::PolicyStatementView {
            sid: sid.to_string(),
            effect: "Deny",
            actions: NO_WRITES_VIA_AWS_MCP
                .iter()
                .map(ToString::to_string)
                .collect(),
            resources: vec![json!("*")],
            conditions: vec![condition(test, variable, vec![json!(value)])],
        }
    };
    let mut denies = Vec::new();
    if agent {
        denies.push(statement(&AGENTS_NEVER_PAY, vec![json!("*")]));
    }
    denies.push(via(
        "NoWritesViaAwsMcp",
        "Bool",
        "aws:ViaAWSMCPService",
        "true",
    ));
    denies.push(via(
        "NoWritesCalledViaAwsMcp",
        "Null",
        "aws:CalledViaAWSMCP",
        "false",
    ));
    denies
}

/// Every IAM action the payment roles can be granted or denied, for the catalogue test.
pub fn actions() -> impl Iterator<Item = &'static str> {
    GRANTS.iter().flat_map(|g| g.actions.iter().copied())
}

#[cfg(test)]
mod tests {
    use crate::model::actions::{self, Lookup};
    use crate::plan::naming::Tags;

    /// The payment roles are generated, not written in a blueprint, so the identity rule never sees
    /// them: every action they can grant or deny must still be one the catalogue knows, and every
    /// statement of the roles planned for a blueprint is one of `GRANTS`.
    #[test]
    fn every_action_of_the_payment_roles_is_in_the_catalogue() {
        let text = std::fs::read_to_string("tests/fixtures/valid/payments.hcl").unwrap();
        let source = crate::source::SourceFile::from_text("payments.hcl", &text);
        let model = crate::analyze(&source, &crate::lower::Overrides::default())
            .into_valid()
            .expect("valid");
        let known: Vec<&str> = super::actions().collect();
        assert!(known.contains(&"bedrock-agentcore:ProcessPayment"));
        for m in &model.model().payment_managers {
            let refs = super::ManagerRefs {
                key: super::Ref::new("k"),
                parameter: super::Ref::new("p"),
                table: super::Ref::new("t"),
                archive: super::Ref::new("a"),
                manager: None,
            };
            for role in super::roles(
                model.model(),
                &mut crate::plan::labels::LabelSpace::default(),
                m,
                &Tags::new(),
                &refs,
            ) {
                for s in role.iam.statements {
                    let grant = super::GRANTS
                        .iter()
                        .find(|g| g.sid == s.sid)
                        .unwrap_or_else(|| panic!("statement `{}` is not in GRANTS", s.sid));
                    assert_eq!(grant.actions, s.actions.as_slice(), "{}", s.sid);
                }
            }
        }
        for action in known {
            let (service, name) = action.split_once(':').unwrap();
            assert!(
                matches!(actions::lookup(service, name), Lookup::Known(_)),
                "`{action}` is not in the catalogue"
            );
        }
    }

    /// Names and descriptions within the API's patterns (API reference `CreatePaymentManager`,
    /// `CreatePaymentConnector`): a manager named with a hyphen included.
    #[test]
    fn names_and_descriptions_are_ones_the_api_accepts() {
        let text = std::fs::read_to_string("tests/fixtures/valid/payments.hcl").unwrap();
        let source = crate::source::SourceFile::from_text("payments.hcl", &text);
        let valid = crate::analyze(&source, &crate::lower::Overrides::default())
            .into_valid()
            .expect("valid");
        let model = valid.model();
        assert!(
            model
                .payment_managers
                .iter()
                .any(|m| m.name.value.contains('-'))
        );
        let starts_with_letter =
            |s: &str| s.chars().next().is_some_and(|c| c.is_ascii_alphabetic());
        for m in &model.payment_managers {
            let name = super::manager_name(model, m);
            assert!(starts_with_letter(&name) && name.len() <= 48, "{name}");
            assert!(name.chars().all(|c| c.is_ascii_alphanumeric()), "{name}");
            let description = super::manager_description(model, m);
            assert!(!description.is_empty(), "{description}");
            assert!(
                description
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == ' '),
                "{description}"
            );
            for c in &m.connectors {
                let connector = c.name.value.replace('-', "_");
                assert!(starts_with_letter(&connector) && connector.len() <= 48);
                assert!(
                    connector
                        .chars()
                        .all(|c| c.is_ascii_alphanumeric() || c == '_')
                );
            }
        }
    }
}
