//! AWS names decided from model data alone, shared by `plan` (which writes them) and `validate`
//! (which compares what a blueprint writes against them, e.g. an IAM role named by its ARN).

use super::{IamRole, Platform};

/// Joins parts with `-` and fits the result into `max` characters. A name that is too long keeps
/// its beginning and gets an 8-character hash of the full name, so it stays unique and stable.
pub fn aws_name(parts: &[&str], max: usize) -> String {
    let full = parts.join("-");
    if full.len() <= max {
        return full;
    }
    let hash = format!("{:08x}", fnv1a(full.as_bytes()) & 0xffff_ffff);
    let keep = max.saturating_sub(hash.len() + 1);
    let head = full[..keep].trim_end_matches('-');
    format!("{head}-{hash}")
}

/// FNV-1a: a tiny, stable, dependency-free hash (not for security, only for stable short names).
fn fnv1a(bytes: &[u8]) -> u64 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for &b in bytes {
        hash ^= u64::from(b);
        hash = hash.wrapping_mul(0x0100_0000_01b3);
    }
    hash
}

/// The ARN partition of a region: `aws`, `aws-cn` or `aws-us-gov`.
pub fn partition(region: &str) -> &'static str {
    if region.starts_with("cn-") {
        "aws-cn"
    } else if region.starts_with("us-gov-") {
        "aws-us-gov"
    } else {
        "aws"
    }
}

/// The IAM name of a blueprint role: `<platform>-<environment>-<role>`, within IAM's 64
/// characters.
pub fn role_name(platform: &Platform, role: &IamRole) -> String {
    aws_name(
        &[
            &platform.name.value,
            &platform.environment,
            &role.name.value,
        ],
        64,
    )
}

/// The ARN of a blueprint role's IAM role (no path): `arn:PARTITION:iam::ACCOUNT:role/NAME`.
pub fn role_arn(platform: &Platform, role: &IamRole) -> String {
    format!(
        "arn:{}:iam::{}:role/{}",
        partition(&platform.region),
        platform.account_id,
        role_name(platform, role)
    )
}

#[cfg(test)]
mod tests {
    use super::aws_name;

    #[test]
    fn long_names_are_shortened_stably_and_uniquely() {
        assert_eq!(
            aws_name(&["agents", "prod", "flow-logs"], 64),
            "agents-prod-flow-logs"
        );
        let a = aws_name(&["a".repeat(60).as_str(), "prod", "flow-logs"], 64);
        let b = aws_name(&["a".repeat(60).as_str(), "prod", "flow-logz"], 64);
        assert_eq!(a.len(), 64);
        assert_ne!(a, b);
        assert_eq!(
            a,
            aws_name(&["a".repeat(60).as_str(), "prod", "flow-logs"], 64)
        );
    }
}
