//! The audit trail: where the platform's CloudTrail record lives.

use super::Name;
use crate::diag::Spanned;

/// `retention_days` of a dedicated trail's bucket when the blueprint does not say.
pub const DEFAULT_AUDIT_RETENTION_DAYS: u32 = 365;

#[derive(Debug, Clone)]
pub struct AuditTrail {
    pub name: Name,
    pub kind: AuditTrailKind,
}

#[derive(Debug, Clone)]
pub enum AuditTrailKind {
    /// The stack creates the trail and its bucket; log files are kept this many days under Object
    /// Lock.
    Dedicated { retention_days: u32 },
    /// An existing organization trail records the platform; the stack creates no trail.
    Organization { trail_arn: Spanned<String> },
}
