//! Lowering the `audit_trail` block: a dedicated trail (with its bucket's retention) or an existing
//! organization trail (its ARN). At most one per blueprint.

use super::TopBlock;
use super::identity::arn_part;
use super::reader::BlockReader;
use crate::diag::{Code, Diagnostic, Diagnostics, did_you_mean};
use crate::model::{AuditTrail, AuditTrailKind, DEFAULT_AUDIT_RETENTION_DAYS};
use crate::schema;

/// The values of `trail`.
pub const CHOICES: &[&str] = &["dedicated", "organization"];

/// The blueprint's audit trail; none when it has none, or when the block has an error (reported).
pub(super) fn lower(top: &[TopBlock], diagnostics: &mut Diagnostics) -> Option<AuditTrail> {
    let mut blocks = top.iter().filter(|b| b.block.ident == "audit_trail");
    let first = blocks.next()?;
    let mut ok = true;
    for extra in blocks {
        diagnostics.push(
            Diagnostic::error(
                Code::AuditTrailCount,
                extra.name.span,
                format!(
                    "a second audit_trail `{}`: one platform has one audit trail",
                    extra.name.value
                ),
            )
            .with_label(first.name.span, "first audit_trail declared here")
            .with_help("keep one `audit_trail` block"),
        );
        ok = false;
    }
    let owner = format!("audit_trail `{}`", first.name.value);
    let r = BlockReader::new(
        first.block,
        &schema::AUDIT_TRAIL,
        owner.clone(),
        diagnostics,
    );
    let choice = r.string("trail", diagnostics);
    let arn = r.string("organization_trail_arn", diagnostics);
    let retention = r.u32("retention_days", diagnostics);
    let organization = match &choice {
        None => false,
        Some(c) if c.value == "dedicated" => false,
        Some(c) if c.value == "organization" => true,
        Some(c) => {
            let mut d = Diagnostic::error(
                Code::AuditTrailChoice,
                c.span,
                format!("{owner}: `trail = \"{}\"` is not a choice", c.value),
            );
            d = d.with_help(did_you_mean(&c.value, CHOICES.iter().copied()).unwrap_or_else(
                || "`trail` is `\"dedicated\"` (the stack creates the trail) or `\"organization\"` (an existing organization trail records the platform)".to_string(),
            ));
            diagnostics.push(d);
            return None;
        }
    };
    let kind = if organization {
        if let Some(days) = &retention {
            diagnostics.push(
                Diagnostic::error(
                    Code::AuditRetention,
                    days.span,
                    format!("{owner} relies on an organization trail: the stack creates no bucket to retain its logs"),
                )
                .with_help("remove `retention_days`; the organization trail's bucket keeps the logs for as long as it is configured to"),
            );
            ok = false;
        }
        match arn {
            None => {
                diagnostics.push(
                    Diagnostic::error(
                        Code::OrganizationTrail,
                        choice.as_ref().map_or(first.name.span, |c| c.span),
                        format!("{owner} relies on an organization trail but does not name it"),
                    )
                    .with_help("add `organization_trail_arn = \"arn:aws:cloudtrail:us-east-1:111122223333:trail/org-trail\"`, the ARN of the trail that records this account"),
                );
                return None;
            }
            Some(arn) if !valid_trail_arn(&arn.value) => {
                diagnostics.push(
                    Diagnostic::error(
                        Code::OrganizationTrail,
                        arn.span,
                        format!("`{}` is not the ARN of a CloudTrail trail", arn.value),
                    )
                    .with_help(
                        "a trail's ARN is `arn:PARTITION:cloudtrail:REGION:ACCOUNT:trail/NAME`",
                    ),
                );
                return None;
            }
            Some(trail_arn) => AuditTrailKind::Organization { trail_arn },
        }
    } else {
        if let Some(arn) = &arn {
            diagnostics.push(
                Diagnostic::error(
                    Code::OrganizationTrail,
                    arn.span,
                    format!("{owner} creates its own trail: `organization_trail_arn` would name a trail nothing relies on"),
                )
                .with_help("remove `organization_trail_arn`, or set `trail = \"organization\"` to rely on that trail instead"),
            );
            ok = false;
        }
        let retention_days = match retention {
            None => DEFAULT_AUDIT_RETENTION_DAYS,
            Some(days) if days.value == 0 || days.value > 36_500 => {
                diagnostics.push(
                    Diagnostic::error(
                        Code::AuditRetention,
                        days.span,
                        format!(
                            "`retention_days` of {owner} is {}; S3 Object Lock retains 1 to 36500 days",
                            days.value
                        ),
                    )
                    .with_help("audit logs are commonly kept one year or more: `retention_days = 365`"),
                );
                return None;
            }
            Some(days) => days.value,
        };
        AuditTrailKind::Dedicated { retention_days }
    };
    ok.then(|| AuditTrail {
        name: first.name.clone(),
        kind,
    })
}

/// `arn:PARTITION:cloudtrail:REGION:ACCOUNT:trail/NAME`, the name made of what CloudTrail accepts
/// (letters, digits, `.`, `_`, `-`; 3 to 128 characters).
fn valid_trail_arn(arn: &str) -> bool {
    let region = arn.split(':').nth(3).unwrap_or("");
    arn_part(arn, "cloudtrail", "trail/").is_some_and(|name| {
        (3..=128).contains(&name.len())
            && name
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'))
    }) && super::platform::REGIONS.contains(&region)
}

#[cfg(test)]
mod tests {
    use super::valid_trail_arn;

    #[test]
    fn only_trail_arns_name_a_trail() {
        assert!(valid_trail_arn(
            "arn:aws:cloudtrail:us-east-1:111122223333:trail/org-trail"
        ));
        assert!(valid_trail_arn(
            "arn:aws-us-gov:cloudtrail:us-gov-west-1:111122223333:trail/a.b_c-d"
        ));
        assert!(!valid_trail_arn("arn:aws:s3:::org-trail-logs"));
        assert!(!valid_trail_arn(
            "arn:aws:cloudtrail:us-east-1:111122223333:eventdatastore/x"
        ));
        assert!(!valid_trail_arn(
            "arn:aws:cloudtrail:mars-1:111122223333:trail/org-trail"
        ));
        assert!(!valid_trail_arn(
            "arn:aws:cloudtrail:us-east-1:111122223333:trail/a*"
        ));
        assert!(!valid_trail_arn(
            "arn:aws:cloudtrail:us-east-1:1111:trail/org-trail"
        ));
    }
}
