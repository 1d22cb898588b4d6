//! `storage.tf`: each `s3_files` workspace. Always: the bucket (versioned, SSE-KMS with its own key,
//! public access blocked, TLS-only, lifecycle), the role S3 Files assumes, the NFS security group and
//! an S3 gateway endpoint in the VPC. Then the file system, one mount target per AZ subnet, the
//! access points and the file-system policy, through hashicorp/aws (6.40 or later), else
//! hashicorp/awscc when allowed, else not at all (a warning and a manual step in the README).

use super::bucket::{BucketLabels, BucketView, LifecycleView};
use super::labels::LabelSpace;
use super::naming;
use super::naming::{Tags, tags};
use super::{Ref, identity};
use crate::model::{Model, S3Files, S3FilesId, targets};
use serde::Serialize;
use serde_json::{Value, json};
use std::collections::BTreeSet;

pub use crate::model::targets::Via;

pub fn via(model: &Model) -> Via {
    targets::storage_via(&model.platform.providers)
}

#[derive(Serialize)]
pub struct StorageView {
    pub via: Via,
    pub workspaces: Vec<WorkspaceView>,
    /// VPCs that get an S3 gateway endpoint (one per VPC, whatever the number of workspaces).
    pub gateway_endpoints: Vec<GatewayEndpointView>,
}

impl StorageView {
    pub fn uses_awscc(&self) -> bool {
        self.via == Via::Awscc
    }
}

#[derive(Serialize)]
pub struct WorkspaceView {
    pub name: String,
    pub label: String,
    pub bucket: String,
    pub bucket_arn: String,
    pub vpc: String,
    pub vpc_label: String,
    pub vpc_cidr: String,
    /// The workspace bucket (SSE-KMS with the workspace's key).
    pub s3: BucketView,
    pub key_description: String,
    pub account_root: String,
    pub role_name: String,
    pub account_id: String,
    pub file_system_arn_pattern: String,
    pub event_rule_arn: String,
    pub security_group_name: String,
    /// The file system's id and the type of its policy resource, per provider (`None` when omitted).
    pub file_system_id: Option<Ref>,
    pub policy_type: &'static str,
    pub mount_targets: Vec<MountTargetView>,
    pub access_points: Vec<AccessPointView>,
    pub tags: Tags,
    /// awscc takes tags as a list of `{ key, value }`.
    pub awscc_tags: Vec<Value>,
}

#[derive(Serialize)]
pub struct MountTargetView {
    pub label: String,
    pub subnet_id: Ref,
    pub az: String,
}

#[derive(Serialize)]
pub struct AccessPointView {
    pub name: String,
    pub label: String,
    pub uid: u32,
    pub gid: u32,
    pub root_directory: String,
    pub permissions: String,
    pub role_arns: Vec<Ref>,
    pub roles: Vec<String>,
    pub arn: Option<Ref>,
    pub sid: String,
}

#[derive(Serialize)]
pub struct GatewayEndpointView {
    pub label: String,
    pub vpc: String,
    pub vpc_id: Ref,
    pub route_table_id: Ref,
    pub service_name: String,
}

pub fn plan(model: &Model, labels: &mut LabelSpace) -> Option<StorageView> {
    if model.s3_files.is_empty() {
        return None;
    }
    let vpcs: BTreeSet<_> = model.s3_files.iter().map(|s| s.vpc.value).collect();
    Some(StorageView {
        via: via(model),
        workspaces: model
            .s3_files
            .iter()
            .map(|s| workspace(model, labels, via(model), s))
            .collect(),
        gateway_endpoints: vpcs
            .into_iter()
            .map(|id| {
                let vpc = model.vpc(id);
                let label = naming::snake(&vpc.name.value);
                GatewayEndpointView {
                    label: format!("{label}_s3"),
                    vpc: vpc.name.value.clone(),
                    vpc_id: Ref::attr("aws_vpc", &label, "id"),
                    route_table_id: Ref::attr("aws_route_table", &label, "id"),
                    service_name: format!("com.amazonaws.{}.s3", model.platform.region),
                }
            })
            .collect(),
    })
}

/// `workspace` + `research` → `workspace__research`: an access point's label.
pub fn access_point_label(storage: &S3Files, index: usize) -> String {
    format!(
        "{}__{}",
        naming::snake(&storage.name.value),
        naming::snake(&storage.access_points[index].name.value)
    )
}

/// The ARNs an `allow` reference to a workspace (or one of its access points) stands for; empty
/// when the targets cannot create S3 Files (the `targets` rule warns, and the README lists the
/// grant as a manual step).
pub fn arns(model: &Model, id: S3FilesId, access_point: Option<usize>) -> Vec<Value> {
    let storage = model.storage(id);
    let label = naming::snake(&storage.name.value);
    let (fs, fs_arn, ap, ap_arn) = match via(model) {
        Via::Aws => (
            "aws_s3files_file_system",
            "arn",
            "aws_s3files_access_point",
            "arn",
        ),
        Via::Awscc => (
            "awscc_s3files_file_system",
            "file_system_arn",
            "awscc_s3files_access_point",
            "access_point_arn",
        ),
        Via::None => return Vec::new(),
    };
    let mut arns = vec![json!(Ref::attr(fs, &label, fs_arn))];
    if let Some(index) = access_point {
        arns.push(json!(Ref::attr(
            ap,
            &access_point_label(storage, index),
            ap_arn
        )));
    }
    arns
}

fn workspace(model: &Model, labels: &mut LabelSpace, via: Via, storage: &S3Files) -> WorkspaceView {
    let p = &model.platform;
    let partition = naming::partition(&p.region);
    let label = naming::snake(&storage.name.value);
    let vpc = model.vpc(storage.vpc.value);
    let vpc_label = naming::snake(&vpc.name.value);
    let tags = tags(
        model,
        &storage.name.value,
        &format!("s3_files.{}", storage.name.value),
    );
    let (file_system_id, policy_type, access_point_arn) = match via {
        Via::Aws => (
            Some(Ref::attr("aws_s3files_file_system", &label, "id")),
            "aws_s3files_file_system_policy",
            ("aws_s3files_access_point", "arn"),
        ),
        Via::Awscc => (
            Some(Ref::attr(
                "awscc_s3files_file_system",
                &label,
                "file_system_id",
            )),
            "awscc_s3files_file_system_policy",
            ("awscc_s3files_access_point", "access_point_arn"),
        ),
        Via::None => (None, "", ("", "")),
    };
    WorkspaceView {
        file_system_id,
        policy_type,
        bucket_arn: format!("arn:{partition}:s3:::{}", storage.bucket.value),
        bucket: storage.bucket.value.clone(),
        vpc: vpc.name.value.clone(),
        vpc_cidr: vpc.cidr.value.to_string(),
        s3: BucketView {
            labels: {
                let owner = labels.owner(
                    format!("s3_files `{}`", storage.name.value),
                    storage.name.span,
                );
                BucketLabels::claim(labels, owner, &label, &format!("{label}_bucket"))
            },
            bucket: storage.bucket.value.clone(),
            tags: tags.clone(),
            object_lock: false,
            key_arn: Some(json!(Ref::attr("aws_kms_key", &label, "arn"))),
            lifecycle: LifecycleView {
                id: "workspace",
                expiration_days: storage.expire_after_days.as_ref().map(|d| d.value),
                after_versioning: true,
            },
        },
        key_description: format!(
            "{} {} S3 Files workspace {}",
            p.name.value, p.environment, storage.name.value
        ),
        account_root: format!("arn:{partition}:iam::{}:root", p.account_id),
        role_name: naming::aws_name(
            &[
                &p.name.value,
                &p.environment,
                &storage.name.value,
                "s3files",
            ],
            64,
        ),
        account_id: p.account_id.clone(),
        file_system_arn_pattern: format!(
            "arn:{partition}:s3files:{}:{}:file-system/*",
            p.region, p.account_id
        ),
        event_rule_arn: format!(
            "arn:{partition}:events:{}:{}:rule/DO-NOT-DELETE-S3-Files*",
            p.region, p.account_id
        ),
        security_group_name: naming::aws_name(
            &[&p.name.value, &p.environment, &storage.name.value, "nfs"],
            255,
        ),
        mount_targets: vpc
            .azs
            .iter()
            .map(|az| {
                let subnet = format!("{vpc_label}_{}", naming::snake(&az.value));
                MountTargetView {
                    label: format!("{label}__{}", naming::snake(&az.value)),
                    subnet_id: Ref::attr("aws_subnet", &subnet, "id"),
                    az: az.value.clone(),
                }
            })
            .collect(),
        access_points: storage
            .access_points
            .iter()
            .enumerate()
            .map(|(i, ap)| AccessPointView {
                name: ap.name.value.clone(),
                label: access_point_label(storage, i),
                uid: ap.uid.value,
                gid: ap.gid.value,
                root_directory: ap.root_directory.value.clone(),
                permissions: ap.permissions.value.clone(),
                role_arns: ap
                    .roles
                    .iter()
                    .map(|r| {
                        Ref::attr(
                            "aws_iam_role",
                            &naming::snake(&model.role(r.value).name.value),
                            "arn",
                        )
                    })
                    .collect(),
                roles: ap
                    .roles
                    .iter()
                    .map(|r| model.role(r.value).name.value.clone())
                    .collect(),
                sid: identity::sid(&format!("mount-{}", ap.name.value)),
                arn: (via != Via::None).then(|| {
                    Ref::attr(
                        access_point_arn.0,
                        &access_point_label(storage, i),
                        access_point_arn.1,
                    )
                }),
            })
            .collect(),
        awscc_tags: tags
            .iter()
            .map(|(k, v)| json!({ "key": k, "value": v }))
            .collect(),
        tags,
        vpc_label,
        label,
        name: storage.name.value.clone(),
    }
}
