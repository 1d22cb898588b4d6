//! Storage: S3 Files workspaces. An S3 bucket (versioned, SSE-KMS, private) mounted as an NFS file
//! system in one VPC, with access points that pin a POSIX identity and a root directory, each usable
//! only by the roles named for it.

use super::{IamRoleId, Name, VpcId};
use crate::diag::Spanned;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct S3FilesId(pub usize);

#[derive(Debug, Clone)]
pub struct S3Files {
    pub name: Name,
    /// The bucket's name (created by the stack).
    pub bucket: Spanned<String>,
    /// The VPC whose subnets get one mount target each.
    pub vpc: Spanned<VpcId>,
    /// Objects expire this many days after creation; `None` keeps them.
    pub expire_after_days: Option<Spanned<u32>>,
    pub access_points: Vec<AccessPoint>,
}

#[derive(Debug, Clone)]
pub struct AccessPoint {
    pub name: Name,
    pub uid: Spanned<u32>,
    pub gid: Spanned<u32>,
    /// Absolute path the access point exposes as `/`; created with `permissions` when missing.
    pub root_directory: Spanned<String>,
    /// Octal mode of the root directory when the access point creates it, e.g. `0750`.
    pub permissions: Spanned<String>,
    /// Roles that may mount (and write) through this access point.
    pub roles: Vec<Spanned<IamRoleId>>,
}
