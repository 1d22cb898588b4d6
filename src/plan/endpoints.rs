//! `endpoints.tf`: the AWS service endpoints of every VPC. Per VPC with interface endpoints, one
//! security group admitting HTTPS (443) from the VPC's CIDR only, and one interface endpoint per
//! service (`model::endpoints`: the VPC's explicit list, or what its roles need), private DNS on,
//! in the VPC's subnets, with an endpoint policy restricting it to the platform's account where
//! the service allows one. And the S3 gateway endpoint, one per VPC whatever asks for it (an
//! `s3_files` workspace, `image_pulls`, a role's `s3:` actions): the one owner of that decision.

use super::Ref;
use super::labels::{LabelSpace, Resource};
use super::naming::{self, Tags, tags};
use super::network::NetworkView;
use crate::model::endpoints::EndpointPolicy;
use crate::model::{Model, VpcId};
use serde::Serialize;

#[derive(Serialize)]
pub struct EndpointsView {
    pub vpcs: Vec<VpcEndpointsView>,
    /// VPCs that get the S3 gateway endpoint.
    pub gateway_endpoints: Vec<GatewayEndpointView>,
}

impl EndpointsView {
    pub fn is_empty(&self) -> bool {
        self.vpcs.is_empty() && self.gateway_endpoints.is_empty()
    }
}

#[derive(Serialize)]
pub struct VpcEndpointsView {
    pub vpc: String,
    pub cidr: String,
    pub vpc_id: Ref,
    pub security_group: Resource,
    pub security_group_id: Ref,
    pub security_group_name: String,
    pub subnet_ids: Vec<Ref>,
    pub tags: Tags,
    /// Whether the list is the blueprint's own (`endpoints = [...]`), not derived.
    pub explicit: bool,
    pub endpoints: Vec<InterfaceEndpointView>,
}

#[derive(Serialize)]
pub struct InterfaceEndpointView {
    pub label: Resource,
    /// The short name (`bedrock-runtime`).
    pub service: &'static str,
    pub service_name: String,
    /// `data.aws_iam_policy_document` of its endpoint policy, when it gets one.
    pub policy: Option<PolicyView>,
    /// Why it has no policy, when it has none.
    pub no_policy: Option<&'static str>,
    /// Why the VPC has it: `role: reasons` per role, or the explicit list.
    pub reasons: Vec<String>,
    /// The roles that need it (backquoted), for the file's comment.
    pub roles: Vec<String>,
    pub tags: Tags,
}

#[derive(Serialize)]
pub struct PolicyView {
    pub document: Resource,
    pub json: Ref,
    pub account_id: String,
    /// `PREFIX:*`: the service's own actions, nothing else.
    pub actions: String,
    /// For STS: the roles of the account (`arn:PARTITION:iam::ACCOUNT:role/*`).
    pub roles_arn: Option<String>,
}

#[derive(Serialize)]
pub struct GatewayEndpointView {
    pub label: Resource,
    pub vpc: String,
    pub vpc_id: Ref,
    pub route_table_id: Ref,
    pub service_name: String,
}

pub fn plan(
    model: &Model,
    network: &NetworkView,
    labels: &mut LabelSpace,
    scope: &super::layout::Scope,
) -> EndpointsView {
    let mut vpcs = Vec::new();
    let mut gateway_endpoints = Vec::new();
    for (index, vpc) in model.vpcs.iter().enumerate() {
        if !scope.vpc(crate::model::VpcId(index)) {
            continue;
        }
        let id = VpcId(index);
        let view = network.vpc(crate::model::VpcId(index));
        let vpc_label = &view.label.label;
        let services = model.endpoint_services(id);
        if !services.is_empty() {
            let owner = labels.owner(
                format!("the AWS service endpoints of vpc `{}`", vpc.name.value),
                vpc.name.span,
            );
            let needs = model.endpoint_needs(id);
            let security_group = labels.claim(
                owner,
                "aws_security_group",
                format!("{vpc_label}_endpoints"),
            );
            let endpoints = services
                .iter()
                .map(|service| {
                    let label = format!("{vpc_label}_{}", service.name.replace(['-', '.'], "_"));
                    let policy = match service.policy {
                        EndpointPolicy::Default(_) => None,
                        EndpointPolicy::PrincipalAccount | EndpointPolicy::RolesOfAccount => {
                            let document = labels.claim(
                                owner,
                                "data.aws_iam_policy_document",
                                format!("{label}_endpoint"),
                            );
                            Some(PolicyView {
                                json: document.r("json"),
                                document,
                                account_id: model.platform.account_id.clone(),
                                actions: format!("{}:*", service.iam_prefix),
                                roles_arn: (service.policy == EndpointPolicy::RolesOfAccount).then(
                                    || {
                                        format!(
                                            "arn:{}:iam::{}:role/*",
                                            naming::partition(&model.platform.region),
                                            model.platform.account_id
                                        )
                                    },
                                ),
                            })
                        }
                    };
                    let (reasons, roles) = if vpc.endpoints.is_some() {
                        (vec!["listed in `endpoints`".to_string()], Vec::new())
                    } else {
                        let mut reasons: Vec<String> = Vec::new();
                        let mut roles: Vec<String> = Vec::new();
                        for role in needs
                            .iter()
                            .filter(|n| n.service == Some(service.name))
                            .map(|n| n.role)
                            .collect::<std::collections::BTreeSet<_>>()
                        {
                            let mut whys: Vec<String> = Vec::new();
                            for n in needs
                                .iter()
                                .filter(|n| n.role == role && n.service == Some(service.name))
                            {
                                let why = n.why.to_string();
                                if !whys.contains(&why) {
                                    whys.push(why);
                                }
                            }
                            let name = &model.role(role).name.value;
                            reasons.push(format!("iam_role `{name}`: {}", whys.join(", ")));
                            roles.push(format!("`{name}`"));
                        }
                        if vpc.image_pulls() && service.name.starts_with("ecr.") {
                            reasons.push("`image_pulls = true`".to_string());
                        }
                        (reasons, roles)
                    };
                    InterfaceEndpointView {
                        label: labels.claim(owner, "aws_vpc_endpoint", label),
                        service: service.name,
                        service_name: format!(
                            "com.amazonaws.{}.{}",
                            model.platform.region, service.name
                        ),
                        no_policy: match service.policy {
                            EndpointPolicy::Default(why) => Some(why),
                            _ => None,
                        },
                        policy,
                        reasons,
                        roles,
                        tags: tags(
                            model,
                            &format!("{}-{}", vpc.name.value, service.name),
                            &format!("vpc.{}", vpc.name.value),
                        ),
                    }
                })
                .collect();
            let p = &model.platform;
            vpcs.push(VpcEndpointsView {
                vpc: vpc.name.value.clone(),
                cidr: vpc.cidr.value.to_string(),
                vpc_id: view.vpc_id.clone(),
                security_group_id: security_group.r("id"),
                security_group,
                security_group_name: naming::aws_name(
                    &[&p.name.value, &p.environment, &vpc.name.value, "endpoints"],
                    255,
                ),
                subnet_ids: view.subnets.iter().map(|s| s.subnet_id.clone()).collect(),
                tags: tags(
                    model,
                    &format!("{}-endpoints", vpc.name.value),
                    &format!("vpc.{}", vpc.name.value),
                ),
                explicit: vpc.endpoints.is_some(),
                endpoints,
            });
        }
        if model.s3_gateway(id) {
            let owner = labels.owner(
                format!("the S3 gateway endpoint of vpc `{}`", vpc.name.value),
                vpc.name.span,
            );
            gateway_endpoints.push(GatewayEndpointView {
                label: labels.claim(owner, "aws_vpc_endpoint", format!("{vpc_label}_s3")),
                vpc: vpc.name.value.clone(),
                vpc_id: view.vpc_id.clone(),
                route_table_id: view.route_table_id.clone(),
                service_name: format!("com.amazonaws.{}.s3", model.platform.region),
            });
        }
    }
    EndpointsView {
        vpcs,
        gateway_endpoints,
    }
}
