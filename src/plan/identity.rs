//! `identity.tf`: one IAM role per `iam_role`, its trust policy and permissions as local
//! `aws_iam_policy_document` data sources (no AWS call), and what each trust kind needs besides:
//! the EKS Pod Identity association, or the Roles Anywhere trust anchor and profile.

use super::Ref;
use super::naming;
use super::naming::Tags;
use crate::model::{IamRole, Model, Target, Trust, TrustAnchor};
use serde::Serialize;
use serde_json::{Value, json};

#[derive(Serialize)]
pub struct IdentityView {
    pub roles: Vec<RoleView>,
}

#[derive(Serialize)]
pub struct RoleView {
    pub name: String,
    pub trust_kind: &'static str,
    #[serde(flatten)]
    pub iam: IamRoleView,
    pub pod_identity: Option<PodIdentityView>,
    pub roles_anywhere: Option<RolesAnywhereView>,
}

/// An IAM role as the `iam_role` macro of `templates/macros.tf.j2` writes it (workload roles here,
/// payment roles in `payments.tf`): trust document, role, and its inline policy when it has
/// statements.
#[derive(Serialize)]
pub struct IamRoleView {
    pub label: String,
    pub role_name: String,
    pub description: String,
    /// `max_session_duration`, when set.
    pub max_session_seconds: Option<u32>,
    pub tags: Option<Tags>,
    pub trust: StatementView,
    pub statements: Vec<PolicyStatementView>,
    /// The inline policy's name.
    pub policy_name: String,
}

/// The trust statement: who may assume the role, and the conditions that pin it.
#[derive(Serialize)]
pub struct StatementView {
    pub actions: Vec<&'static str>,
    pub principal_type: &'static str,
    pub principals: Vec<Value>,
    pub conditions: Vec<ConditionView>,
}

#[derive(Clone, Serialize)]
pub struct ConditionView {
    pub test: &'static str,
    pub variable: String,
    pub values: Vec<Value>,
}

#[derive(Clone, Serialize)]
pub struct PolicyStatementView {
    pub sid: String,
    pub effect: &'static str,
    pub actions: Vec<String>,
    /// ARNs, `*`, or references to the ARNs of resources the stack emits.
    pub resources: Vec<Value>,
    pub conditions: Vec<ConditionView>,
}

#[derive(Serialize)]
pub struct PodIdentityView {
    pub cluster: String,
    pub namespace: String,
    pub service_account: String,
}

#[derive(Serialize)]
pub struct RolesAnywhereView {
    /// Set when the stack creates the trust anchor from an ACM Private CA.
    pub create_anchor_from: Option<String>,
    pub anchor_name: String,
    pub profile_name: String,
}

pub fn plan(model: &Model) -> Option<IdentityView> {
    (!model.iam_roles.is_empty()).then(|| IdentityView {
        roles: model.iam_roles.iter().map(|r| role(model, r)).collect(),
    })
}

fn role(model: &Model, role: &IamRole) -> RoleView {
    let p = &model.platform;
    let label = naming::snake(&role.name.value);
    let text = |s: &str| Value::String(s.to_string());
    // `<platform>-<environment>-<role>`: the role's AWS name, and its anchor's and profile's.
    let qualified = naming::aws_name(&[&p.name.value, &p.environment, &role.name.value], 64);
    let mut pod_identity = None;
    let mut roles_anywhere = None;
    let trust = match &role.trust {
        Trust::Irsa {
            oidc_provider_arn,
            issuer,
            namespace,
            service_account,
        } => StatementView {
            actions: vec!["sts:AssumeRoleWithWebIdentity"],
            principal_type: "Federated",
            principals: vec![text(&oidc_provider_arn.value)],
            conditions: vec![
                ConditionView {
                    test: "StringEquals",
                    variable: format!("{issuer}:sub"),
                    values: vec![text(&format!(
                        "system:serviceaccount:{}:{}",
                        namespace.value, service_account.value
                    ))],
                },
                ConditionView {
                    test: "StringEquals",
                    variable: format!("{issuer}:aud"),
                    values: vec![text("sts.amazonaws.com")],
                },
            ],
        },
        Trust::PodIdentity {
            cluster,
            namespace,
            service_account,
        } => {
            pod_identity = Some(PodIdentityView {
                cluster: cluster.value.clone(),
                namespace: namespace.value.clone(),
                service_account: service_account.value.clone(),
            });
            StatementView {
                actions: vec!["sts:AssumeRole", "sts:TagSession"],
                principal_type: "Service",
                principals: vec![text("pods.eks.amazonaws.com")],
                conditions: vec![
                    ConditionView {
                        test: "StringEquals",
                        variable: "aws:SourceAccount".to_string(),
                        values: vec![text(&p.account_id)],
                    },
                    ConditionView {
                        test: "StringEquals",
                        variable: "aws:RequestTag/eks-cluster-name".to_string(),
                        values: vec![text(&cluster.value)],
                    },
                    ConditionView {
                        test: "StringEquals",
                        variable: "aws:RequestTag/kubernetes-namespace".to_string(),
                        values: vec![text(&namespace.value)],
                    },
                    ConditionView {
                        test: "StringEquals",
                        variable: "aws:RequestTag/kubernetes-service-account".to_string(),
                        values: vec![text(&service_account.value)],
                    },
                ],
            }
        }
        Trust::RolesAnywhere {
            anchor,
            common_name,
        } => {
            let anchor_arn = match anchor {
                TrustAnchor::Existing(arn) => text(&arn.value),
                TrustAnchor::FromAcmPca(_) => {
                    json!(Ref::attr("aws_rolesanywhere_trust_anchor", &label, "arn"))
                }
            };
            roles_anywhere = Some(RolesAnywhereView {
                create_anchor_from: match anchor {
                    TrustAnchor::FromAcmPca(arn) => Some(arn.value.clone()),
                    TrustAnchor::Existing(_) => None,
                },
                anchor_name: naming::aws_name(
                    &[&p.name.value, &p.environment, &role.name.value],
                    255,
                ),
                profile_name: naming::aws_name(
                    &[&p.name.value, &p.environment, &role.name.value],
                    255,
                ),
            });
            StatementView {
                actions: vec!["sts:AssumeRole", "sts:SetSourceIdentity", "sts:TagSession"],
                principal_type: "Service",
                principals: vec![text("rolesanywhere.amazonaws.com")],
                conditions: vec![
                    ConditionView {
                        test: "StringEquals",
                        variable: "aws:PrincipalTag/x509Subject/CN".to_string(),
                        values: vec![text(&common_name.value)],
                    },
                    ConditionView {
                        test: "ArnEquals",
                        variable: "aws:SourceArn".to_string(),
                        values: vec![anchor_arn],
                    },
                ],
            }
        }
        Trust::Service { principal } => StatementView {
            actions: vec!["sts:AssumeRole"],
            principal_type: "Service",
            principals: vec![text(&principal.value)],
            conditions: vec![ConditionView {
                test: "StringEquals",
                variable: "aws:SourceAccount".to_string(),
                values: vec![text(&p.account_id)],
            }],
        },
    };
    let iam = IamRoleView {
        role_name: qualified,
        description: role.description.clone().unwrap_or_else(|| {
            format!(
                "{} {} workload role {} ({})",
                p.name.value,
                p.environment,
                role.name.value,
                role.trust.kind()
            )
        }),
        max_session_seconds: Some(role.max_session_seconds.value),
        tags: None,
        trust,
        // A statement whose targets the stack cannot create (S3 Files on a target without it)
        // is left out; the `targets` rule warns and the README lists the grant as a manual step.
        statements: role
            .allows
            .iter()
            .map(|a| PolicyStatementView {
                sid: sid(&a.name.value),
                effect: "Allow",
                actions: a.actions.iter().map(|x| x.value.clone()).collect(),
                resources: a
                    .on
                    .iter()
                    .flat_map(|t| match &t.value {
                        Target::Any => vec![text("*")],
                        Target::Arn(arn) => vec![text(arn)],
                        Target::Component(c) => super::component_arns(model, *c),
                    })
                    .collect(),
                conditions: Vec::new(),
            })
            .filter(|s| !s.resources.is_empty())
            .collect(),
        policy_name: role.name.value.clone(),
        label,
    };
    RoleView {
        name: role.name.value.clone(),
        trust_kind: role.trust.kind(),
        iam,
        pod_identity,
        roles_anywhere,
    }
}

/// `read-tools` → `ReadTools`: statement ids are alphanumeric.
pub fn sid(name: &str) -> String {
    name.split('-')
        .map(|part| {
            let mut chars = part.chars();
            chars.next().map_or_else(String::new, |c| {
                c.to_ascii_uppercase().to_string() + chars.as_str()
            })
        })
        .collect()
}
