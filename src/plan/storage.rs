//! `storage.tf`: each `s3_files` workspace. Always: the bucket (versioned, SSE-KMS with its own key,
//! public access blocked, TLS-only, lifecycle), the role S3 Files assumes and the NFS security group
//! (the VPC's S3 gateway endpoint is decided and written by `plan::endpoints`). Then the file system, one mount target per AZ subnet, the
//! access points and the file-system policy, through hashicorp/aws (6.40 or later), else
//! hashicorp/awscc when allowed, else not at all (a warning and a manual step in the README).

use super::bucket::{BucketLabels, BucketView, LifecycleView};
use super::labels::{LabelSpace, Owner, Resource};
use super::naming;
use super::naming::{Tags, tags};
use super::network::NetworkView;
use super::{Ref, identity};
use crate::model::{Model, S3Files, S3FilesId, targets};
use serde::Serialize;
use serde_json::{Value, json};

pub use crate::model::targets::Via;

pub fn via(model: &Model) -> Via {
    targets::storage_via(&model.platform.providers)
}

#[derive(Serialize)]
pub struct StorageView {
    /// Which provider creates the file systems (the README's manual steps); the template reads
    /// each workspace's `aws` or `awscc` file system instead.
    #[serde(skip)]
    pub via: Via,
    pub workspaces: Vec<WorkspaceView>,
}

impl StorageView {
    pub fn uses_awscc(&self) -> bool {
        self.via == Via::Awscc
    }
}

#[derive(Serialize)]
pub struct WorkspaceView {
    pub name: String,
    pub labels: WorkspaceLabels,
    pub bucket: String,
    pub bucket_arn: String,
    pub vpc: String,
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
    /// One per AZ subnet of the VPC (created by the file system, or by hand).
    pub mount_targets: Vec<MountTargetView>,
    pub access_points: Vec<AccessPointView>,
    /// The file system and what hangs on it, through hashicorp/aws or hashicorp/awscc; neither
    /// when the targets cannot create S3 Files.
    pub aws: Option<FileSystemView>,
    pub awscc: Option<FileSystemView>,
    pub tags: Tags,
    /// awscc takes tags as a list of `{ key, value }`.
    pub awscc_tags: Vec<Value>,
}

/// The key, the role S3 Files assumes, the NFS security group, and the references between them
/// (the bucket's are its own).
#[derive(Serialize)]
pub struct WorkspaceLabels {
    /// `data.aws_iam_policy_document` of the key policy.
    pub key_document: Resource,
    pub key: Resource,
    /// `data.aws_iam_policy_document` of the role's trust and permissions.
    pub trust_document: Resource,
    pub role: Resource,
    pub role_document: Resource,
    pub role_policy: Resource,
    pub security_group: Resource,
    pub key_json: Ref,
    pub key_arn: Ref,
    pub trust_json: Ref,
    pub role_id: Ref,
    pub role_arn: Ref,
    pub role_policy_json: Ref,
    pub security_group_id: Ref,
    pub vpc_id: Ref,
    /// For the file system's `depends_on`.
    pub role_policy_done: Ref,
}

#[derive(Serialize)]
pub struct MountTargetView {
    pub subnet_id: Ref,
    pub az: String,
}

#[derive(Serialize, Clone)]
pub struct AccessPointView {
    pub name: String,
    pub uid: u32,
    pub gid: u32,
    pub root_directory: String,
    pub permissions: String,
    pub role_arns: Vec<Ref>,
    pub roles: Vec<String>,
    pub sid: String,
}

/// The file system, its mount targets and access points, and its policy, as one provider creates
/// them.
#[derive(Serialize)]
pub struct FileSystemView {
    pub file_system: Resource,
    pub file_system_id: Ref,
    pub arn: Ref,
    pub mount_targets: Vec<MountTargetResource>,
    pub access_points: Vec<AccessPointResource>,
    /// `data.aws_iam_policy_document` of the file-system policy, and the policy.
    pub policy_document: Resource,
    pub policy: Resource,
    pub policy_json: Ref,
}

#[derive(Serialize)]
pub struct MountTargetResource {
    pub label: Resource,
    pub subnet_id: Ref,
}

#[derive(Serialize)]
pub struct AccessPointResource {
    pub label: Resource,
    pub arn: Ref,
    #[serde(flatten)]
    pub access_point: AccessPointView,
}

/// The resource types, and the attributes read from them, of one provider's S3 Files.
struct Kinds {
    file_system: &'static str,
    mount_target: &'static str,
    access_point: &'static str,
    policy: &'static str,
    id: &'static str,
    file_system_arn: &'static str,
    access_point_arn: &'static str,
}

const AWS: Kinds = Kinds {
    file_system: "aws_s3files_file_system",
    mount_target: "aws_s3files_mount_target",
    access_point: "aws_s3files_access_point",
    policy: "aws_s3files_file_system_policy",
    id: "id",
    file_system_arn: "arn",
    access_point_arn: "arn",
};

const AWSCC: Kinds = Kinds {
    file_system: "awscc_s3files_file_system",
    mount_target: "awscc_s3files_mount_target",
    access_point: "awscc_s3files_access_point",
    policy: "awscc_s3files_file_system_policy",
    id: "file_system_id",
    file_system_arn: "file_system_arn",
    access_point_arn: "access_point_arn",
};

pub fn plan(model: &Model, network: &NetworkView, labels: &mut LabelSpace) -> Option<StorageView> {
    if model.s3_files.is_empty() {
        return None;
    }
    Some(StorageView {
        via: via(model),
        workspaces: model
            .s3_files
            .iter()
            .map(|s| workspace(model, network, labels, via(model), s))
            .collect(),
    })
}

/// `workspace` + `research` → `workspace__research`: an access point's label.
fn access_point_label(storage: &S3Files, index: usize) -> String {
    format!(
        "{}__{}",
        naming::snake(&storage.name.value),
        naming::snake(&storage.access_points[index].name.value)
    )
}

/// The owner of an access point's labels.
fn access_point_owner(labels: &mut LabelSpace, storage: &S3Files, index: usize) -> Owner {
    let ap = &storage.access_points[index];
    labels.owner(
        format!(
            "access_point `{}` of s3_files `{}`",
            ap.name.value, storage.name.value
        ),
        ap.name.span,
    )
}

/// The resource types S3 Files gets from the targets; none when they cannot create it.
fn kinds(via: Via) -> Option<&'static Kinds> {
    match via {
        Via::Aws => Some(&AWS),
        Via::Awscc => Some(&AWSCC),
        Via::None => None,
    }
}

/// The ARNs an `allow` reference to a workspace (or one of its access points) stands for; empty
/// when the targets cannot create S3 Files (the `targets` rule warns, and the README lists the
/// grant as a manual step). The same labels and types as the view's.
pub fn arns(model: &Model, id: S3FilesId, access_point: Option<usize>) -> Vec<Value> {
    let Some(kinds) = kinds(via(model)) else {
        return Vec::new();
    };
    let storage = model.storage(id);
    let label = naming::snake(&storage.name.value);
    let mut arns = vec![json!(Ref::attr(
        kinds.file_system,
        &label,
        kinds.file_system_arn
    ))];
    if let Some(index) = access_point {
        arns.push(json!(Ref::attr(
            kinds.access_point,
            &access_point_label(storage, index),
            kinds.access_point_arn
        )));
    }
    arns
}

fn workspace(
    model: &Model,
    network: &NetworkView,
    labels: &mut LabelSpace,
    via: Via,
    storage: &S3Files,
) -> WorkspaceView {
    let p = &model.platform;
    let partition = naming::partition(&p.region);
    let label = naming::snake(&storage.name.value);
    let vpc = model.vpc(storage.vpc.value);
    let vpc_view = network.vpc(storage.vpc.value);
    let tags = tags(
        model,
        &storage.name.value,
        &format!("s3_files.{}", storage.name.value),
    );
    let owner = labels.owner(
        format!("s3_files `{}`", storage.name.value),
        storage.name.span,
    );
    let s3 = BucketLabels::claim(labels, owner, &label, &format!("{label}_bucket"));
    let key_document = labels.claim(
        owner,
        "data.aws_iam_policy_document",
        format!("{label}_key"),
    );
    let key = labels.claim(owner, "aws_kms_key", &label);
    let key_arn = key.r("arn");
    let trust_document = labels.claim(
        owner,
        "data.aws_iam_policy_document",
        format!("{label}_s3files_trust"),
    );
    let role = labels.claim(owner, "aws_iam_role", format!("{label}_s3files"));
    let role_document = labels.claim(
        owner,
        "data.aws_iam_policy_document",
        format!("{label}_s3files"),
    );
    let role_policy = labels.claim(owner, "aws_iam_role_policy", format!("{label}_s3files"));
    let security_group = labels.claim(owner, "aws_security_group", format!("{label}_nfs"));
    let mount_targets: Vec<MountTargetView> = vpc
        .azs
        .iter()
        .zip(&vpc_view.subnets)
        .map(|(az, subnet)| MountTargetView {
            subnet_id: subnet.subnet_id.clone(),
            az: az.value.clone(),
        })
        .collect();
    let access_points: Vec<AccessPointView> = storage
        .access_points
        .iter()
        .map(|ap| AccessPointView {
            name: ap.name.value.clone(),
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
        })
        .collect();
    let file_system = kinds(via).map(|kinds| {
        let file_system = labels.claim(owner, kinds.file_system, &label);
        let policy_document = labels.claim(
            owner,
            "data.aws_iam_policy_document",
            format!("{label}_file_system"),
        );
        let file_system_id = file_system.r(kinds.id);
        FileSystemView {
            arn: file_system.r(kinds.file_system_arn),
            mount_targets: vpc
                .azs
                .iter()
                .zip(&mount_targets)
                .map(|(az, mt)| MountTargetResource {
                    label: labels.claim(
                        owner,
                        kinds.mount_target,
                        format!("{label}__{}", naming::snake(&az.value)),
                    ),
                    subnet_id: mt.subnet_id.clone(),
                })
                .collect(),
            access_points: access_points
                .iter()
                .enumerate()
                .map(|(i, ap)| {
                    let ap_owner = access_point_owner(labels, storage, i);
                    let resource =
                        labels.claim(ap_owner, kinds.access_point, access_point_label(storage, i));
                    AccessPointResource {
                        arn: resource.r(kinds.access_point_arn),
                        label: resource,
                        access_point: ap.clone(),
                    }
                })
                .collect(),
            policy_json: policy_document.r("json"),
            policy: labels.claim(owner, kinds.policy, &label),
            policy_document,
            file_system_id,
            file_system,
        }
    });
    if via == Via::None {
        // Reserved as hashicorp/aws would create them: raising the provider must not reveal a
        // collision in a blueprint accepted today.
        for i in 0..storage.access_points.len() {
            let ap_owner = access_point_owner(labels, storage, i);
            labels.claim(ap_owner, AWS.access_point, access_point_label(storage, i));
        }
    }
    let (aws, awscc) = match via {
        Via::Aws => (file_system, None),
        Via::Awscc => (None, file_system),
        Via::None => (None, None),
    };
    WorkspaceView {
        labels: WorkspaceLabels {
            key_json: key_document.r("json"),
            key_arn: key_arn.clone(),
            trust_json: trust_document.r("json"),
            role_id: role.r("id"),
            role_arn: role.r("arn"),
            role_policy_json: role_document.r("json"),
            security_group_id: security_group.r("id"),
            vpc_id: vpc_view.vpc_id.clone(),
            role_policy_done: role_policy.whole(),
            key_document,
            key,
            trust_document,
            role,
            role_document,
            role_policy,
            security_group,
        },
        aws,
        awscc,
        bucket_arn: format!("arn:{partition}:s3:::{}", storage.bucket.value),
        bucket: storage.bucket.value.clone(),
        vpc: vpc.name.value.clone(),
        vpc_cidr: vpc.cidr.value.to_string(),
        s3: BucketView {
            labels: s3,
            bucket: storage.bucket.value.clone(),
            tags: tags.clone(),
            object_lock: false,
            key_arn: Some(json!(key_arn)),
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
        mount_targets,
        access_points,
        awscc_tags: tags
            .iter()
            .map(|(k, v)| json!({ "key": k, "value": v }))
            .collect(),
        tags,
        name: storage.name.value.clone(),
    }
}
