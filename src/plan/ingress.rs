//! `ingress.tf`: each `mcp_ingress` as an internal MCP service behind PrivateLink.
//!
//! Consumer VPC → interface endpoint → endpoint service → internal NLB (TCP pass-through) → target
//! group of type `alb` → internal ALB (TLS with the ACM certificate, mTLS through a trust store when
//! asked) → target group of the MCP servers. WAF rate-limits the ALB; the ALB and WAF log to one
//! encrypted, private bucket with a lifecycle.

use super::Ref;
use super::bucket::{BucketLabels, BucketView, LifecycleView};
use super::labels::{LabelSpace, Resource};
use super::naming;
use super::naming::{Tags, tags};
use crate::model::{ClientAuth, McpIngress, Model};
use serde::Serialize;
use serde_json::{Value, json};
use std::collections::BTreeSet;

/// TLS 1.3 with 1.2 as the floor: the ALB's HTTPS listener policy.
const SSL_POLICY: &str = "ELBSecurityPolicy-TLS13-1-2-2021-06";

#[derive(Serialize)]
pub struct IngressView {
    pub ingresses: Vec<IngressPlan>,
}

#[derive(Serialize)]
pub struct IngressPlan {
    pub name: String,
    /// The ingress's label: its output names start with it (the README names them).
    #[serde(skip)]
    pub label: String,
    pub labels: IngressLabels,
    /// The ingress VPC's blueprint name.
    pub vpc: String,
    pub vpc_cidr: String,
    pub subnet_ids: Vec<Ref>,
    pub azs: Vec<String>,
    pub port: u16,
    pub backend_port: u16,
    pub health_check_path: String,
    pub certificate_arn: String,
    pub ssl_policy: &'static str,
    pub client_auth: &'static str,
    pub trust_store: Option<TrustStoreView>,
    pub nlb_name: String,
    pub alb_name: String,
    pub alb_target_group_name: String,
    pub servers_target_group_name: String,
    pub waf_name: String,
    pub rate_limit: u32,
    /// The log bucket (SSE-S3: ELB access logs support no other encryption).
    pub logs: BucketView,
    pub account_id: String,
    pub partition: &'static str,
    pub acceptance_required: bool,
    pub allowed_principals: Vec<String>,
    pub private_dns_name: Option<String>,
    pub consumers: Vec<ConsumerView>,
    pub context_fetch_role: String,
    pub context_modify_role: String,
    pub tags: Tags,
}

/// The resources of one ingress and the references between them (the log bucket's are its own).
#[derive(Serialize)]
pub struct IngressLabels {
    /// `data.aws_elb_service_account`.
    pub elb_account: Resource,
    pub nlb_security_group: Resource,
    pub alb_security_group: Resource,
    pub nlb: Resource,
    pub alb_target_group: Resource,
    pub alb_target_group_attachment: Resource,
    pub nlb_listener: Resource,
    pub alb: Resource,
    pub servers_target_group: Resource,
    pub alb_listener: Resource,
    pub waf: Resource,
    pub waf_association: Resource,
    pub waf_logging: Resource,
    pub endpoint_service: Resource,
    pub vpc_id: Ref,
    pub elb_account_arn: Ref,
    /// Where the ALB and WAF write into the log bucket.
    pub alb_logs_arn: Ref,
    pub waf_logs_arn: Ref,
    pub nlb_security_group_id: Ref,
    pub alb_security_group_id: Ref,
    pub nlb_arn: Ref,
    pub alb_arn: Ref,
    pub alb_target_group_arn: Ref,
    pub servers_target_group_arn: Ref,
    pub alb_listener_done: Ref,
    pub waf_arn: Ref,
    pub endpoint_service_id: Ref,
    pub endpoint_service_name: Ref,
}

#[derive(Serialize)]
pub struct TrustStoreView {
    pub trust_store: Resource,
    pub arn: Ref,
    pub name: String,
    pub bucket: String,
    pub key: String,
}

/// An interface endpoint in one consumer VPC, with the security group that admits the port from
/// that VPC's CIDR only.
#[derive(Serialize)]
pub struct ConsumerView {
    pub vpc: String,
    pub security_group: Resource,
    pub endpoint: Resource,
    /// Present when the service requires acceptance.
    pub accepter: Option<Resource>,
    pub security_group_id: Ref,
    pub endpoint_id: Ref,
    pub vpc_id: Ref,
    pub cidr: String,
    /// The consumer's subnets in AZs the service covers.
    pub subnet_ids: Vec<Ref>,
    pub private_dns_enabled: bool,
    pub security_group_name: String,
    pub tags: Tags,
}

pub fn plan(model: &Model, labels: &mut LabelSpace) -> Option<IngressView> {
    (!model.ingresses.is_empty()).then(|| IngressView {
        ingresses: model
            .ingresses
            .iter()
            .map(|i| ingress(model, labels, i))
            .collect(),
    })
}

/// `tools` → `tools`; a consumer's resources join the ingress and VPC labels with `__` (names never
/// contain `_`, so the join is unambiguous unless names contain `--`, which `labels` checks).
pub fn label(ingress: &McpIngress) -> String {
    naming::snake(&ingress.name.value)
}

pub fn consumer_label(ingress: &McpIngress, vpc: &str) -> String {
    format!("{}__{}", label(ingress), naming::snake(vpc))
}

/// The access-log bucket: WAF delivers to S3 only into buckets named `aws-waf-logs-*`, and the ALB
/// writes its access logs beside them.
pub fn log_bucket(model: &Model, ingress: &McpIngress) -> String {
    let p = &model.platform;
    naming::aws_name(
        &[
            "aws-waf-logs",
            &p.name.value,
            &p.environment,
            &ingress.name.value,
        ],
        63,
    )
}

/// The ARN of an ingress's endpoint service (`mcp_ingress.NAME` in an `allow`).
pub fn endpoint_service_arn(ingress: &McpIngress) -> Value {
    json!(Ref::attr(
        "aws_vpc_endpoint_service",
        &label(ingress),
        "arn"
    ))
}

/// The ARNs of an ingress's log bucket and its objects (`mcp_ingress.NAME.logs`).
pub fn log_bucket_arns(model: &Model, ingress: &McpIngress) -> Vec<Value> {
    let partition = naming::partition(&model.platform.region);
    let bucket = log_bucket(model, ingress);
    vec![
        json!(format!("arn:{partition}:s3:::{bucket}")),
        json!(format!("arn:{partition}:s3:::{bucket}/*")),
    ]
}

fn ingress(model: &Model, labels: &mut LabelSpace, ingress: &McpIngress) -> IngressPlan {
    let p = &model.platform;
    let label = label(ingress);
    let owner = labels.owner(
        format!("mcp_ingress `{}`", ingress.name.value),
        ingress.name.span,
    );
    let claim = |labels: &mut LabelSpace, kind, suffix: &str| {
        labels.claim(owner, kind, format!("{label}{suffix}"))
    };
    let logs = BucketLabels::claim(
        labels,
        owner,
        &format!("{label}_logs"),
        &format!("{label}_logs"),
    );
    let elb_account = claim(labels, "data.aws_elb_service_account", "");
    let nlb_security_group = claim(labels, "aws_security_group", "_nlb");
    let alb_security_group = claim(labels, "aws_security_group", "_alb");
    let nlb = claim(labels, "aws_lb", "_nlb");
    let alb_target_group = claim(labels, "aws_lb_target_group", "_alb");
    let alb_target_group_attachment = claim(labels, "aws_lb_target_group_attachment", "_alb");
    let nlb_listener = claim(labels, "aws_lb_listener", "_nlb");
    let alb = claim(labels, "aws_lb", "_alb");
    let trust_store = match &ingress.client_auth {
        ClientAuth::Oidc => None,
        ClientAuth::Mtls { ca_bundle } => {
            let trust_store = claim(labels, "aws_lb_trust_store", "");
            Some(TrustStoreView {
                arn: trust_store.r("arn"),
                trust_store,
                name: naming::aws_name(
                    &[
                        &p.name.value,
                        &p.environment,
                        &ingress.name.value,
                        "clients",
                    ],
                    32,
                ),
                bucket: ca_bundle.bucket.clone(),
                key: ca_bundle.key.clone(),
            })
        }
    };
    let servers_target_group = claim(labels, "aws_lb_target_group", "_servers");
    let alb_listener = claim(labels, "aws_lb_listener", "_alb");
    let waf = claim(labels, "aws_wafv2_web_acl", "");
    let waf_association = claim(labels, "aws_wafv2_web_acl_association", "");
    let waf_logging = claim(labels, "aws_wafv2_web_acl_logging_configuration", "");
    let endpoint_service = claim(labels, "aws_vpc_endpoint_service", "");
    let vpc = model.vpc(ingress.vpc.value);
    let vpc_label = naming::snake(&vpc.name.value);
    let subnet_label = |vpc_label: &str, az: &str| format!("{vpc_label}_{}", naming::snake(az));
    let covered: BTreeSet<&str> = vpc.azs.iter().map(|az| az.value.as_str()).collect();
    let name = |suffix: &str, max: usize| {
        naming::aws_name(
            &[&p.name.value, &p.environment, &ingress.name.value, suffix],
            max,
        )
    };
    let consumers = ingress
        .consumers
        .iter()
        .map(|c| {
            let consumer = model.vpc(c.value);
            let consumer_label_vpc = naming::snake(&consumer.name.value);
            let consumer_owner = labels.owner(
                format!(
                    "the endpoint of mcp_ingress `{}` in VPC `{}`",
                    ingress.name.value, consumer.name.value
                ),
                c.span,
            );
            let label = consumer_label(ingress, &consumer.name.value);
            let endpoint = labels.claim(consumer_owner, "aws_vpc_endpoint", &label);
            let security_group = labels.claim(consumer_owner, "aws_security_group", &label);
            let accepter = ingress.acceptance_required.value.then(|| {
                labels.claim(
                    consumer_owner,
                    "aws_vpc_endpoint_connection_accepter",
                    &label,
                )
            });
            ConsumerView {
                vpc: consumer.name.value.clone(),
                security_group_id: security_group.r("id"),
                endpoint_id: endpoint.r("id"),
                security_group,
                endpoint,
                accepter,
                vpc_id: Ref::attr("aws_vpc", &consumer_label_vpc, "id"),
                cidr: consumer.cidr.value.to_string(),
                subnet_ids: consumer
                    .azs
                    .iter()
                    .filter(|az| covered.contains(az.value.as_str()))
                    .map(|az| {
                        Ref::attr(
                            "aws_subnet",
                            &subnet_label(&consumer_label_vpc, &az.value),
                            "id",
                        )
                    })
                    .collect(),
                private_dns_enabled: ingress.private_dns_name.is_some()
                    && ingress.private_dns_verified,
                security_group_name: naming::aws_name(
                    &[
                        &p.name.value,
                        &p.environment,
                        &ingress.name.value,
                        "endpoint",
                        &consumer.name.value,
                    ],
                    255,
                ),
                tags: tags(
                    model,
                    &format!("{}-{}", ingress.name.value, consumer.name.value),
                    &format!("mcp_ingress.{}", ingress.name.value),
                ),
            }
        })
        .collect();
    let tags = tags(
        model,
        &ingress.name.value,
        &format!("mcp_ingress.{}", ingress.name.value),
    );
    IngressPlan {
        name: ingress.name.value.clone(),
        vpc: vpc.name.value.clone(),
        vpc_cidr: vpc.cidr.value.to_string(),
        subnet_ids: vpc
            .azs
            .iter()
            .map(|az| Ref::attr("aws_subnet", &subnet_label(&vpc_label, &az.value), "id"))
            .collect(),
        azs: vpc.azs.iter().map(|az| az.value.clone()).collect(),
        port: ingress.port.value,
        backend_port: ingress.backend_port,
        health_check_path: ingress.health_check_path.clone(),
        certificate_arn: ingress.certificate_arn.value.clone(),
        ssl_policy: SSL_POLICY,
        client_auth: ingress.client_auth.as_str(),
        trust_store,
        // Load balancer and target group names: at most 32 characters.
        nlb_name: name("nlb", 32),
        alb_name: name("alb", 32),
        alb_target_group_name: name("alb", 32),
        servers_target_group_name: name("servers", 32),
        waf_name: name("waf", 128),
        rate_limit: ingress.rate_limit.value,
        labels: IngressLabels {
            vpc_id: Ref::attr("aws_vpc", &vpc_label, "id"),
            elb_account_arn: elb_account.r("arn"),
            alb_logs_arn: logs
                .bucket
                .r("arn")
                .with_suffix(format!("/alb/AWSLogs/{}/*", p.account_id)),
            waf_logs_arn: logs
                .bucket
                .r("arn")
                .with_suffix(format!("/AWSLogs/{}/*", p.account_id)),
            nlb_security_group_id: nlb_security_group.r("id"),
            alb_security_group_id: alb_security_group.r("id"),
            nlb_arn: nlb.r("arn"),
            alb_arn: alb.r("arn"),
            alb_target_group_arn: alb_target_group.r("arn"),
            servers_target_group_arn: servers_target_group.r("arn"),
            alb_listener_done: alb_listener.whole(),
            waf_arn: waf.r("arn"),
            endpoint_service_id: endpoint_service.r("id"),
            endpoint_service_name: endpoint_service.r("service_name"),
            elb_account,
            nlb_security_group,
            alb_security_group,
            nlb,
            alb_target_group,
            alb_target_group_attachment,
            nlb_listener,
            alb,
            servers_target_group,
            alb_listener,
            waf,
            waf_association,
            waf_logging,
            endpoint_service,
        },
        logs: BucketView {
            labels: logs,
            bucket: log_bucket(model, ingress),
            tags: tags.clone(),
            object_lock: false,
            key_arn: None,
            lifecycle: LifecycleView {
                id: "expire-logs",
                expiration_days: Some(ingress.log_retention_days),
                after_versioning: false,
            },
        },
        account_id: p.account_id.clone(),
        partition: naming::partition(&p.region),
        acceptance_required: ingress.acceptance_required.value,
        allowed_principals: ingress
            .allowed_principals
            .iter()
            .map(|a| a.value.clone())
            .collect(),
        private_dns_name: ingress.private_dns_name.as_ref().map(|d| d.value.clone()),
        consumers,
        context_fetch_role: model
            .role(ingress.context_fetch_role.value)
            .name
            .value
            .clone(),
        context_modify_role: model
            .role(ingress.context_modify_role.value)
            .name
            .value
            .clone(),
        tags,
        label,
    }
}
