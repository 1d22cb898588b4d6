//! `identity.tf`: one IAM role per `iam_role`, its trust policy and permissions as local
//! `aws_iam_policy_document` data sources (no AWS call), and what each trust kind needs besides:
//! the EKS Pod Identity association, or the Roles Anywhere trust anchor and profile.

use super::Ref;
use super::labels::{LabelSpace, Owner, Resource};
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
    pub labels: IamRoleLabels,
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

/// The role's resources and the references between them.
#[derive(Serialize)]
pub struct IamRoleLabels {
    /// `data.aws_iam_policy_document` of the trust policy.
    pub trust: Resource,
    pub role: Resource,
    pub trust_json: Ref,
    /// The inline policy, present when the role has statements.
    pub policy: Option<InlinePolicyLabels>,
}

#[derive(Serialize)]
pub struct InlinePolicyLabels {
    /// `data.aws_iam_policy_document` of the permissions.
    pub document: Resource,
    pub policy: Resource,
    pub role_id: Ref,
    pub document_json: Ref,
}

impl IamRoleLabels {
    /// Claims the role `label` (first, so a collision names it) and its documents for `owner`.
    pub fn claim(
        space: &mut LabelSpace,
        owner: Owner,
        label: &str,
        statements: &[PolicyStatementView],
    ) -> Self {
        let role = space.claim(owner, "aws_iam_role", label);
        let trust = space.claim(
            owner,
            "data.aws_iam_policy_document",
            format!("{label}_trust"),
        );
        let policy = (!statements.is_empty()).then(|| {
            let document = space.claim(owner, "data.aws_iam_policy_document", label);
            InlinePolicyLabels {
                policy: space.claim(owner, "aws_iam_role_policy", label),
                role_id: role.r("id"),
                document_json: document.r("json"),
                document,
            }
        });
        IamRoleLabels {
            trust_json: trust.r("json"),
            trust,
            role,
            policy,
        }
    }
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
    pub association: Resource,
    pub role_arn: Ref,
    pub cluster: String,
    pub namespace: String,
    pub service_account: String,
}

#[derive(Serialize)]
pub struct RolesAnywhereView {
    /// The trust anchor, when the stack creates it from an ACM Private CA.
    pub anchor: Option<TrustAnchorView>,
    pub profile: Resource,
    pub profile_name: String,
    pub role_arn: Ref,
}

#[derive(Serialize)]
pub struct TrustAnchorView {
    pub anchor: Resource,
    pub name: String,
    pub acm_pca_arn: String,
}

pub fn plan(model: &Model, labels: &mut LabelSpace) -> Option<IdentityView> {
    (!model.iam_roles.is_empty()).then(|| IdentityView {
        roles: model
            .iam_roles
            .iter()
            .enumerate()
            .map(|(i, r)| self::role(model, labels, r, crate::model::IamRoleId(i)))
            .collect(),
    })
}

fn role(
    model: &Model,
    labels: &mut LabelSpace,
    role: &IamRole,
    id: crate::model::IamRoleId,
) -> RoleView {
    let p = &model.platform;
    let owner = labels.owner(format!("iam_role `{}`", role.name.value), role.name.span);
    let label = naming::snake(&role.name.value);
    let mut statements: Vec<PolicyStatementView> = policy_statements(model, role);
    // An agent of a payment manager: explicit denies of paying, directly or through the AWS MCP
    // Server (decided with the payment roles).
    statements.extend(super::payments::agent_denies(model, id));
    let iam_labels = IamRoleLabels::claim(labels, owner, &label, &statements);
    let role_arn = iam_labels.role.r("arn");
    let text = |s: &str| Value::String(s.to_string());
    // `<platform>-<environment>-<role>`: the role's IAM name (decided in the model, where
    // `validate` compares ARNs against it).
    let qualified = naming::role_name(p, role);
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
                association: labels.claim(owner, "aws_eks_pod_identity_association", &label),
                role_arn: role_arn.clone(),
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
            let (anchor_view, anchor_arn) = match anchor {
                TrustAnchor::FromAcmPca(pca) => {
                    let created = TrustAnchorView {
                        anchor: labels.claim(owner, "aws_rolesanywhere_trust_anchor", &label),
                        name: naming::aws_name(
                            &[&p.name.value, &p.environment, &role.name.value],
                            255,
                        ),
                        acm_pca_arn: pca.value.clone(),
                    };
                    let arn = json!(created.anchor.r("arn"));
                    (Some(created), arn)
                }
                TrustAnchor::Existing(arn) => (None, text(&arn.value)),
            };
            roles_anywhere = Some(RolesAnywhereView {
                anchor: anchor_view,
                profile: labels.claim(owner, "aws_rolesanywhere_profile", &label),
                profile_name: naming::aws_name(
                    &[&p.name.value, &p.environment, &role.name.value],
                    255,
                ),
                role_arn: role_arn.clone(),
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
        // Named roles and users only (lowering refuses an account, `AF705`): the principal is the
        // caller itself, so no condition is needed to pin it.
        Trust::Principals { arns } => StatementView {
            actions: vec!["sts:AssumeRole"],
            principal_type: "AWS",
            principals: arns.iter().map(|a| text(&a.value)).collect(),
            conditions: Vec::new(),
        },
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
        tags: Some(role_tags(model, role, id)),
        trust,
        statements,
        policy_name: role.name.value.clone(),
        labels: iam_labels,
    };
    RoleView {
        name: role.name.value.clone(),
        trust_kind: role.trust.kind(),
        iam,
        pod_identity,
        roles_anywhere,
    }
}

/// The statements of a role's `allow` blocks. A statement whose targets the stack cannot create
/// (S3 Files on a target without it) is left out; the `targets` rule warns and the README lists the
/// grant as a manual step.
fn policy_statements(model: &Model, role: &IamRole) -> Vec<PolicyStatementView> {
    let text = |s: &str| Value::String(s.to_string());
    role.allows
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
        .collect()
}

/// `read-tools` → `ReadTools`: statement ids are alphanumeric.
/// A workload role's tags: its component and, for an agent of a payment manager, the agent's name
/// (`agentform:agent`). Amazon Bedrock attributes inference cost to the calling IAM principal with
/// the tags of that principal, so these split model spend per agent once activated (`billing`).
fn role_tags(model: &Model, role: &IamRole, id: crate::model::IamRoleId) -> naming::Tags {
    let mut tags = naming::tags(
        model,
        &role.name.value,
        &format!("iam_role.{}", role.name.value),
    );
    if model
        .payment_managers
        .iter()
        .any(|m| m.agents.iter().any(|a| a.value == id))
    {
        tags.insert(naming::TAG_AGENT.to_string(), role.name.value.clone());
    }
    tags
}

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
