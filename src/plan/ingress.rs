//! `ingress.tf`: each `mcp_ingress` as an internal MCP service behind PrivateLink.
//!
//! Consumer VPC → interface endpoint → endpoint service → internal NLB (TCP pass-through) → target
//! group of type `alb` → internal ALB (TLS with the ACM certificate, mTLS through a trust store when
//! asked) → target group of the MCP servers. WAF rate-limits the ALB; the ALB and WAF log to one
//! encrypted, private bucket with a lifecycle.

use super::Ref;
use super::bucket::{BucketView, LifecycleView};
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
    pub label: String,
    /// The ingress VPC's blueprint name and Terraform label.
    pub vpc: String,
    pub vpc_label: String,
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

#[derive(Serialize)]
pub struct TrustStoreView {
    pub name: String,
    pub bucket: String,
    pub key: String,
}

/// An interface endpoint in one consumer VPC, with the security group that admits the port from
/// that VPC's CIDR only.
#[derive(Serialize)]
pub struct ConsumerView {
    pub vpc: String,
    pub label: String,
    pub vpc_id: Ref,
    pub cidr: String,
    /// The consumer's subnets in AZs the service covers.
    pub subnet_ids: Vec<Ref>,
    pub private_dns_enabled: bool,
    pub security_group_name: String,
    pub tags: Tags,
}

pub fn plan(model: &Model) -> Option<IngressView> {
    (!model.ingresses.is_empty()).then(|| IngressView {
        ingresses: model.ingresses.iter().map(|i| ingress(model, i)).collect(),
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

fn ingress(model: &Model, ingress: &McpIngress) -> IngressPlan {
    let p = &model.platform;
    let label = label(ingress);
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
            ConsumerView {
                vpc: consumer.name.value.clone(),
                label: consumer_label(ingress, &consumer.name.value),
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
        vpc_label,
        port: ingress.port.value,
        backend_port: ingress.backend_port,
        health_check_path: ingress.health_check_path.clone(),
        certificate_arn: ingress.certificate_arn.value.clone(),
        ssl_policy: SSL_POLICY,
        client_auth: ingress.client_auth.as_str(),
        trust_store: match &ingress.client_auth {
            ClientAuth::Oidc => None,
            ClientAuth::Mtls { ca_bundle } => Some(TrustStoreView {
                name: name("clients", 32),
                bucket: ca_bundle.bucket.clone(),
                key: ca_bundle.key.clone(),
            }),
        },
        // Load balancer and target group names: at most 32 characters.
        nlb_name: name("nlb", 32),
        alb_name: name("alb", 32),
        alb_target_group_name: name("alb", 32),
        servers_target_group_name: name("servers", 32),
        waf_name: name("waf", 128),
        rate_limit: ingress.rate_limit.value,
        logs: BucketView {
            label: format!("{label}_logs"),
            bucket: log_bucket(model, ingress),
            tags: tags.clone(),
            object_lock: false,
            key_arn: None,
            lifecycle: LifecycleView {
                id: "expire-logs",
                expiration_days: Some(ingress.log_retention_days),
                after_versioning: false,
            },
            policy_document: format!("{label}_logs"),
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
