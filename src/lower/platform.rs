//! Lowering the `platform` block: account, region, environment, tags and provider targets.
//! The defaults of the platform live here, and the README's blueprint reference repeats them.

use super::reader::BlockReader;
use super::{Overrides, TopBlock};
use crate::diag::{Code, Diagnostic, Diagnostics, Span, Spanned, did_you_mean};
use crate::model::accounts::StateBackend;
use crate::model::{Platform, ProviderTargets, Version};
use crate::schema;
use std::collections::BTreeMap;

/// `aws_provider` when the blueprint does not say: the release line the provider facts were read from.
pub const DEFAULT_AWS_PROVIDER: &str = "~> 6.69";
/// `awscc_provider` when the blueprint does not say.
pub const DEFAULT_AWSCC_PROVIDER: &str = "~> 1.106";

/// AWS Regions (commercial, GovCloud and China partitions) as of this release.
pub const REGIONS: &[&str] = &[
    "af-south-1",
    "ap-east-1",
    "ap-east-2",
    "ap-northeast-1",
    "ap-northeast-2",
    "ap-northeast-3",
    "ap-south-1",
    "ap-south-2",
    "ap-southeast-1",
    "ap-southeast-2",
    "ap-southeast-3",
    "ap-southeast-4",
    "ap-southeast-5",
    "ap-southeast-6",
    "ap-southeast-7",
    "ca-central-1",
    "ca-west-1",
    "cn-north-1",
    "cn-northwest-1",
    "eu-central-1",
    "eu-central-2",
    "eu-north-1",
    "eu-south-1",
    "eu-south-2",
    "eu-west-1",
    "eu-west-2",
    "eu-west-3",
    "il-central-1",
    "me-central-1",
    "me-south-1",
    "mx-central-1",
    "sa-east-1",
    "us-east-1",
    "us-east-2",
    "us-gov-east-1",
    "us-gov-west-1",
    "us-west-1",
    "us-west-2",
];

/// The platform block, and its `account` attribute (the default account's name, when the
/// blueprint declares `account` blocks: `accounts_declared`; `account_id` is then not written and
/// is filled in by `lower::accounts`).
pub(super) fn lower(
    top: &[TopBlock],
    overrides: &Overrides,
    accounts_declared: bool,
    diagnostics: &mut Diagnostics,
) -> Option<(Platform, Option<Spanned<String>>)> {
    let mut platforms = top.iter().filter(|b| b.block.ident == "platform");
    let Some(first) = platforms.next() else {
        if !top.is_empty() {
            let at = top.first().map_or(Span::START, |b| b.block.span);
            diagnostics.push(
                Diagnostic::error(Code::Platform, at, "the blueprint has no `platform` block")
                    .with_help("add `platform \"NAME\" { environment = \"prod\"  region = \"us-east-1\"  account_id = \"123456789012\" }`"),
            );
        }
        return None;
    };
    for extra in platforms {
        diagnostics.push(
            Diagnostic::error(
                Code::Platform,
                extra.name.span,
                format!(
                    "a second platform `{}`: one blueprint file describes one platform",
                    extra.name.value
                ),
            )
            .with_label(first.name.span, "first platform declared here")
            .with_help("put each platform in its own blueprint file"),
        );
    }
    let owner = format!("platform `{}`", first.name.value);
    let r = BlockReader::new(first.block, &schema::PLATFORM, owner, diagnostics);

    let environment = r.required_string("environment", "\"prod\"", diagnostics);
    if let Some(env) = &environment
        && !super::valid_name(&env.value)
    {
        diagnostics.push(
            Diagnostic::error(Code::InvalidValue, env.span, format!("environment `{}` is not a valid name", env.value))
                .with_help("environments match `[a-z][a-z0-9-]*`, e.g. `prod`; they become part of AWS names and tags"),
        );
    }
    let region = r.required_string("region", "\"us-east-1\"", diagnostics);
    if let Some(region) = &region
        && !REGIONS.contains(&region.value.as_str())
    {
        let mut d = Diagnostic::error(
            Code::AwsReject,
            region.span,
            format!("AWS has no region `{}`", region.value),
        );
        if let Some(help) = did_you_mean(&region.value, REGIONS.iter().copied()) {
            d = d.with_help(help);
        }
        diagnostics.push(d);
    }
    let account = r.string("account", diagnostics);
    let account_id = if accounts_declared {
        if let Some(written) = r.string("account_id", diagnostics) {
            diagnostics.push(
                Diagnostic::error(
                    Code::AccountDeclaration,
                    written.span,
                    format!("{}: `account_id` with `account` blocks", r.owner()),
                )
                .with_help("the blueprint declares its accounts: name the platform's own with `account = \"NAME\"` instead of `account_id`"),
            );
            None
        } else {
            Some(Spanned::new(String::new(), Span::NONE))
        }
    } else {
        r.required_string("account_id", "\"123456789012\"", diagnostics)
    };
    if let Some(account) = account_id.as_ref().filter(|_| !accounts_declared)
        && !(account.value.len() == 12 && account.value.bytes().all(|b| b.is_ascii_digit()))
    {
        diagnostics.push(
            Diagnostic::error(
                Code::AwsReject,
                account.span,
                format!("account id `{}` is not 12 digits", account.value),
            )
            .with_help(
                "AWS account ids are exactly 12 digits, written as a string: `\"123456789012\"`",
            ),
        );
    }
    let tags = lower_tags(&r, diagnostics);
    let providers = lower_providers(&r, overrides, diagnostics);
    let cost_allocation_tags = r
        .bool("cost_allocation_tags", diagnostics)
        .is_none_or(|b| b.value);
    let state = lower_state(&r, first, region.as_ref(), diagnostics);

    let platform = Platform {
        name: first.name.clone(),
        environment: environment?.value,
        region: region?.value,
        account_id: account_id?.value,
        tags: tags?,
        providers: providers?,
        cost_allocation_tags,
        state: state.ok()?,
    };
    Some((platform, account))
}

/// `state { bucket region key_prefix }`: `Ok(None)` when absent, `Err` on an error (reported).
fn lower_state(
    r: &BlockReader,
    platform: &TopBlock,
    region: Option<&Spanned<String>>,
    diagnostics: &mut Diagnostics,
) -> Result<Option<StateBackend>, ()> {
    let blocks: Vec<_> = r.blocks("state").collect();
    let block = match blocks.as_slice() {
        [] => return Ok(None),
        [one] => *one,
        [first, second, ..] => {
            diagnostics.push(
                Diagnostic::error(
                    Code::DuplicateAttribute,
                    second.span,
                    format!("{} has more than one `state` block", r.owner()),
                )
                .with_label(first.span, "first declared here"),
            );
            return Err(());
        }
    };
    let owner = format!("the `state` of platform `{}`", platform.name.value);
    let s = BlockReader::new(block, &schema::STATE, owner, diagnostics);
    let bucket = s
        .required_string("bucket", "\"agentform-state-111111111111\"", diagnostics)
        .ok_or(())?;
    if let Err(problem) = crate::lower::storage::bucket_name(&bucket.value) {
        diagnostics.push(Diagnostic::error(
            Code::AwsReject,
            bucket.span,
            format!("state bucket `{}`: {problem}", bucket.value),
        ));
        return Err(());
    }
    let state_region = match s.string("region", diagnostics) {
        Some(written) if !REGIONS.contains(&written.value.as_str()) => {
            let mut d = Diagnostic::error(
                Code::AwsReject,
                written.span,
                format!("AWS has no region `{}`", written.value),
            );
            if let Some(help) = did_you_mean(&written.value, REGIONS.iter().copied()) {
                d = d.with_help(help);
            }
            diagnostics.push(d);
            return Err(());
        }
        Some(written) => written.value,
        None => region.ok_or(())?.value.clone(),
    };
    let key_prefix = match s.string("key_prefix", diagnostics) {
        Some(p) if p.value.is_empty() || p.value.starts_with('/') || p.value.ends_with('/') => {
            diagnostics.push(
                Diagnostic::error(
                    Code::InvalidValue,
                    p.span,
                    format!("`key_prefix` `{}` must not be empty or start or end with `/`", p.value),
                )
                .with_help("each stack's state is `<key_prefix>/<stack>/terraform.tfstate`; the default is the platform's name"),
            );
            return Err(());
        }
        Some(p) => p.value,
        None => platform.name.value.clone(),
    };
    Ok(Some(StateBackend {
        bucket,
        region: state_region,
        key_prefix,
        span: block.span,
    }))
}

fn lower_tags(r: &BlockReader, diagnostics: &mut Diagnostics) -> Option<BTreeMap<String, String>> {
    let Some(entries) = r.string_map("tags", diagnostics) else {
        return Some(BTreeMap::new());
    };
    let mut ok = true;
    for (key, value) in &entries {
        let problem = if key.value.to_ascii_lowercase().starts_with("aws:") {
            Some(format!(
                "tag key `{}` uses the reserved `aws:` prefix",
                key.value
            ))
        } else if key.value.is_empty() || key.value.chars().count() > 128 {
            Some(format!(
                "tag key `{}` must be 1 to 128 characters",
                key.value
            ))
        } else if key.value.starts_with("agentform:") {
            Some(format!(
                "tag key `{}` uses the `agentform:` prefix agentform reserves for its own tags",
                key.value
            ))
        } else {
            None
        };
        if let Some(message) = problem {
            diagnostics.push(Diagnostic::error(Code::AwsReject, key.span, message));
            ok = false;
        }
        if value.value.chars().count() > 256 {
            diagnostics.push(Diagnostic::error(
                Code::AwsReject,
                value.span,
                format!(
                    "the value of tag `{}` is longer than 256 characters",
                    key.value
                ),
            ));
            ok = false;
        }
    }
    ok.then(|| {
        entries
            .into_iter()
            .map(|(k, v)| (k.value, v.value))
            .collect()
    })
}

fn lower_providers(
    r: &BlockReader,
    overrides: &Overrides,
    diagnostics: &mut Diagnostics,
) -> Option<ProviderTargets> {
    let aws = match &overrides.aws_provider {
        Some(cli) => Spanned::new(cli.clone(), Span::NONE),
        None => r
            .string("aws_provider", diagnostics)
            .unwrap_or_else(|| Spanned::new(DEFAULT_AWS_PROVIDER.to_string(), Span::NONE)),
    };
    let awscc_constraint = r
        .string("awscc_provider", diagnostics)
        .unwrap_or_else(|| Spanned::new(DEFAULT_AWSCC_PROVIDER.to_string(), Span::NONE));
    let awscc = r.bool("awscc", diagnostics).is_some_and(|b| b.value) && !overrides.no_awscc;

    let aws_floor = constraint_floor(&aws, "aws_provider", diagnostics);
    let awscc_floor = constraint_floor(&awscc_constraint, "awscc_provider", diagnostics);
    Some(ProviderTargets {
        aws_constraint: aws.value,
        aws_floor: aws_floor?,
        awscc,
        awscc_constraint: awscc_constraint.value,
        awscc_floor: awscc_floor?,
    })
}

/// The lowest version a Terraform version constraint admits (`~> 6.69` → 6.69.0, `>= 6.40, < 7` →
/// 6.40.0, `5.100` → 5.100.0). A constraint without a lower bound is rejected: availability of
/// resource types is decided against this floor.
pub fn lowest_admitted(constraint: &str) -> Result<Version, String> {
    let mut floor: Option<Version> = None;
    for part in constraint.split(',') {
        let part = part.trim();
        let (op, version) = ["~>", ">=", "<=", "!=", "=", ">", "<"]
            .iter()
            .find_map(|op| part.strip_prefix(op).map(|rest| (*op, rest.trim())))
            .unwrap_or(("=", part));
        let v = Version::parse(version)
            .ok_or_else(|| format!("`{part}` is not a version constraint"))?;
        let lower = match op {
            "~>" | ">=" | "=" => Some(v),
            ">" => Some(Version::new(v.major, v.minor, v.patch + 1)),
            _ => None,
        };
        if let Some(lower) = lower {
            floor = Some(floor.map_or(lower, |f| f.max(lower)));
        }
    }
    floor.ok_or_else(|| "the constraint has no lower bound".to_string())
}

fn constraint_floor(
    constraint: &Spanned<String>,
    key: &str,
    diagnostics: &mut Diagnostics,
) -> Option<Version> {
    match lowest_admitted(&constraint.value) {
        Ok(v) => Some(v),
        Err(problem) => {
            let (span, origin) = if constraint.span.line == 0 {
                (Span::START, format!("--{}", key.replace('_', "-")))
            } else {
                (constraint.span, format!("`{key}`"))
            };
            diagnostics.push(
                Diagnostic::error(
                    Code::ProviderVersion,
                    span,
                    format!("{origin} = `{}` cannot be used: {problem}", constraint.value),
                )
                .with_help("write a Terraform version constraint with a lower bound, such as `~> 6.69` or `5.100`"),
            );
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::lowest_admitted;
    use crate::model::Version;

    #[test]
    fn constraints_yield_their_lowest_admitted_version() {
        assert_eq!(lowest_admitted("~> 6.69"), Ok(Version::new(6, 69, 0)));
        assert_eq!(lowest_admitted("5.100"), Ok(Version::new(5, 100, 0)));
        assert_eq!(
            lowest_admitted(">= 6.40, < 7.0"),
            Ok(Version::new(6, 40, 0))
        );
        assert_eq!(lowest_admitted("> 6.39.9"), Ok(Version::new(6, 39, 10)));
        assert!(lowest_admitted("< 7").is_err());
        assert!(lowest_admitted("six").is_err());
    }
}
