//! Lowering `account` blocks and every component's `account` (and a gateway's `share_with`): one
//! pass over the top-level blocks after the components lowered, so each component's own lowering
//! does not know about accounts.

use super::TopBlock;
use super::reader::BlockReader;
use crate::diag::{Code, Diagnostic, Diagnostics, Span, Spanned, did_you_mean};
use crate::model::accounts::{Account, AccountId, Accounts, Placement, ShareWith};
use crate::model::{Interconnect, McpIngress, Name, Platform, S3Files};

/// What placing needs of the lowered components: the platform (its account id is set here) and the
/// components whose account defaults to their VPC's or gateway's.
pub(super) struct Lowered<'a> {
    pub platform: &'a mut Platform,
    pub interconnects: &'a [Interconnect],
    pub ingresses: &'a [McpIngress],
    pub s3_files: &'a [S3Files],
}
use crate::schema;

/// The component kinds that take `account`, in the order their placements are kept.
const PLACED: [&str; 8] = [
    "transit_gateway",
    "vpc",
    "interconnect",
    "mcp_ingress",
    "s3_files",
    "iam_role",
    "payment_manager",
    "audit_trail",
];

/// The `account` blocks, checked: ids of 12 digits and unique, roles in their account, OU ARNs.
pub(super) fn declared(top: &[TopBlock], diagnostics: &mut Diagnostics) -> Vec<Account> {
    let mut accounts: Vec<Account> = Vec::new();
    for block in top.iter().filter(|b| b.block.ident == "account") {
        let owner = format!("account `{}`", block.name.value);
        let r = BlockReader::new(block.block, &schema::ACCOUNT, owner.clone(), diagnostics);
        let id = r.required_string("id", "\"123456789012\"", diagnostics);
        let role = r.string("role", diagnostics);
        let organization_unit = r.string("organization_unit", diagnostics);
        let Some(id) = id else { continue };
        if !is_account_id(&id.value) {
            diagnostics.push(
                Diagnostic::error(
                    Code::AwsReject,
                    id.span,
                    format!("account id `{}` is not 12 digits", id.value),
                )
                .with_help("AWS account ids are exactly 12 digits, written as a string: `\"123456789012\"`"),
            );
            continue;
        }
        if let Some(first) = accounts.iter().find(|a| a.id == id.value) {
            diagnostics.push(
                Diagnostic::error(
                    Code::AccountDeclaration,
                    id.span,
                    format!(
                        "{owner} has the id of account `{}`: one AWS account is one `account` block",
                        first.name.value
                    ),
                )
                .with_label(first.name.span, "declared here")
                .with_help("place the components of both in one account block"),
            );
            continue;
        }
        if let Some(role) = &role
            && !role_in_account(&role.value, &id.value)
        {
            diagnostics.push(
                Diagnostic::error(
                    Code::AccountDeclaration,
                    role.span,
                    format!(
                        "{owner}: `role` must be an IAM role of account {} (`arn:aws:iam::{}:role/NAME`)",
                        id.value, id.value
                    ),
                )
                .with_help("the role is what the account's stacks run as: the CI job assumes it through GitHub's OIDC provider, so it lives in the account it deploys"),
            );
        }
        if let Some(ou) = &organization_unit
            && !is_organization_unit_arn(&ou.value)
        {
            diagnostics.push(
                Diagnostic::error(
                    Code::AwsReject,
                    ou.span,
                    format!("{owner}: `organization_unit` `{}` is not an organizational unit ARN", ou.value),
                )
                .with_help("write the OU's ARN, as RAM takes it as a principal: `arn:aws:organizations::111111111111:ou/o-a1b2c3d4e5/ou-a1b2-f6g7h8i9`"),
            );
        }
        accounts.push(Account {
            name: block.name.clone(),
            id: id.value,
            role,
            organization_unit,
        });
    }
    accounts
}

fn is_account_id(text: &str) -> bool {
    text.len() == 12 && text.bytes().all(|b| b.is_ascii_digit())
}

fn role_in_account(arn: &str, id: &str) -> bool {
    let mut parts = arn.splitn(6, ':');
    let (Some("arn"), Some(partition), Some("iam"), Some(""), Some(account), Some(resource)) = (
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
    ) else {
        return false;
    };
    partition.starts_with("aws")
        && account == id
        && resource
            .strip_prefix("role/")
            .is_some_and(|name| !name.is_empty())
}

/// `arn:PARTITION:organizations::MANAGEMENT:ou/o-ORG/ou-ROOT-OU`.
fn is_organization_unit_arn(arn: &str) -> bool {
    let mut parts = arn.splitn(6, ':');
    let (Some("arn"), Some(partition), Some("organizations"), Some(""), Some(account), Some(rest)) = (
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
    ) else {
        return false;
    };
    let id = |s: &str, prefix: &str, min: usize| {
        s.strip_prefix(prefix).is_some_and(|r| {
            r.len() >= min
                && r.bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        })
    };
    let segments: Vec<&str> = rest.split('/').collect();
    partition.starts_with("aws")
        && is_account_id(account)
        && matches!(segments.as_slice(), ["ou", org, ou] if id(org, "o-", 10) && id(ou, "ou-", 8))
}

/// Places every component of a lowered model in an account, and sets the platform's account id.
/// `platform_account` is the platform's `account` attribute. Without `account` blocks, the only
/// account is the platform's `account_id`; an `account` attribute anywhere is then an unknown
/// account.
pub(super) fn place(
    top: &[TopBlock],
    declared: Vec<Account>,
    platform_account: Option<Spanned<String>>,
    model: &mut Lowered<'_>,
    diagnostics: &mut Diagnostics,
) -> Option<Accounts> {
    let had_errors = diagnostics.has_errors();
    let declared_any = !declared.is_empty();
    let (list, default) = if declared_any {
        let Some(named) = platform_account else {
            let names: Vec<String> = declared
                .iter()
                .map(|a| format!("`{}`", a.name.value))
                .collect();
            diagnostics.push(
                Diagnostic::error(
                    Code::MissingAttribute,
                    model.platform.name.span,
                    format!(
                        "platform `{}` declares accounts but not which one is its own",
                        model.platform.name.value
                    ),
                )
                .with_help(format!(
                    "add `account = \"NAME\"` to the platform block: the account of every component that does not name one (declared: {})",
                    names.join(", ")
                )),
            );
            return None;
        };
        let default = lookup(&declared, &named, diagnostics)?;
        (declared, default)
    } else {
        if let Some(named) = platform_account {
            unknown(&[], &named, diagnostics);
            return None;
        }
        let implicit = Account {
            name: Name {
                value: model.platform.name.value.clone(),
                span: model.platform.name.span,
            },
            id: model.platform.account_id.clone(),
            role: None,
            organization_unit: None,
        };
        (vec![implicit], AccountId(0))
    };
    model.platform.account_id.clone_from(&list[default.0].id);

    let mut placements: [Vec<Option<Placement>>; 8] = Default::default();
    let mut share_with = Vec::new();
    for block in top {
        let Some(kind) = PLACED.iter().position(|k| *k == block.block.ident) else {
            continue;
        };
        let r = BlockReader::checked(
            block.block,
            format!("{} `{}`", block.block.ident, block.name.value),
        );
        let placement = match r.string("account", diagnostics) {
            None => None,
            Some(named) if declared_any => {
                lookup(&list, &named, diagnostics).map(|account| Placement {
                    account,
                    written: Some(named.span),
                })
            }
            Some(named) => {
                unknown(&[], &named, diagnostics);
                None
            }
        };
        placements[kind].push(placement);
        if kind == 0 {
            let choice = match r.string("share_with", diagnostics) {
                None => Spanned::new(ShareWith::Accounts, Span::NONE),
                Some(c) if c.value == "accounts" => Spanned::new(ShareWith::Accounts, c.span),
                Some(c) if c.value == "organization_units" => {
                    Spanned::new(ShareWith::OrganizationUnits, c.span)
                }
                Some(c) => {
                    let mut d = Diagnostic::error(
                        Code::InvalidValue,
                        c.span,
                        format!(
                            "transit_gateway `{}`: `share_with = \"{}\"` is not a choice",
                            block.name.value, c.value
                        ),
                    );
                    d = d.with_help(did_you_mean(&c.value, ShareWith::CHOICES.iter().copied()).unwrap_or_else(|| {
                        "`share_with` is `\"accounts\"` (each attached account by id, the default) or `\"organization_units\"` (their organizational units)".to_string()
                    }));
                    diagnostics.push(d);
                    Spanned::new(ShareWith::Accounts, c.span)
                }
            };
            share_with.push(choice);
        }
    }
    if diagnostics.has_errors() && !had_errors {
        return None;
    }
    let [
        tgws,
        vpcs,
        interconnects,
        ingresses,
        s3_files,
        roles,
        managers,
        audit,
    ] = placements;
    let or_default = |p: Option<Placement>| {
        p.unwrap_or(Placement {
            account: default,
            written: None,
        })
    };
    let transit_gateways: Vec<Placement> = tgws.into_iter().map(or_default).collect();
    let vpcs: Vec<Placement> = vpcs.into_iter().map(or_default).collect();
    // An interconnect defaults to its gateway's account; an ingress and a file system to their
    // VPC's.
    let interconnects = interconnects
        .into_iter()
        .zip(model.interconnects)
        .map(|(p, i)| {
            p.unwrap_or(Placement {
                account: transit_gateways[i.transit_gateway.0].account,
                written: None,
            })
        })
        .collect();
    let ingresses = ingresses
        .into_iter()
        .zip(model.ingresses)
        .map(|(p, i)| {
            p.unwrap_or(Placement {
                account: vpcs[i.vpc.value.0].account,
                written: None,
            })
        })
        .collect();
    let s3_files = s3_files
        .into_iter()
        .zip(model.s3_files)
        .map(|(p, f)| {
            p.unwrap_or(Placement {
                account: vpcs[f.vpc.value.0].account,
                written: None,
            })
        })
        .collect();
    Some(Accounts {
        list,
        default,
        declared: declared_any,
        transit_gateways,
        share_with,
        vpcs,
        interconnects,
        ingresses,
        s3_files,
        iam_roles: roles.into_iter().map(or_default).collect(),
        payment_managers: managers.into_iter().map(or_default).collect(),
        audit_trail: audit.into_iter().next().map(or_default),
    })
}

fn lookup(
    list: &[Account],
    named: &Spanned<String>,
    diagnostics: &mut Diagnostics,
) -> Option<AccountId> {
    if let Some(i) = list.iter().position(|a| a.name.value == named.value) {
        return Some(AccountId(i));
    }
    unknown(list, named, diagnostics);
    None
}

fn unknown(list: &[Account], named: &Spanned<String>, diagnostics: &mut Diagnostics) {
    let mut d = Diagnostic::error(
        Code::UnknownReference,
        named.span,
        format!("unknown account `{}`", named.value),
    );
    let help = if list.is_empty() {
        Some(format!(
            "declare it: `account \"{}\" {{ id = \"123456789012\" }}`, and name the platform's own with `account = \"NAME\"` in the platform block (instead of `account_id`)",
            named.value
        ))
    } else {
        did_you_mean(&named.value, list.iter().map(|a| a.name.value.as_str())).or_else(|| {
            let all: Vec<String> = list.iter().map(|a| format!("`{}`", a.name.value)).collect();
            Some(format!("declared accounts: {}", all.join(", ")))
        })
    };
    if let Some(help) = help {
        d = d.with_help(help);
    }
    diagnostics.push(d);
}

#[cfg(test)]
mod tests {
    use super::{is_organization_unit_arn, role_in_account};

    #[test]
    fn roles_and_organizational_units_are_checked_by_shape() {
        assert!(role_in_account(
            "arn:aws:iam::111111111111:role/deploy",
            "111111111111"
        ));
        assert!(role_in_account(
            "arn:aws:iam::111111111111:role/ci/deploy",
            "111111111111"
        ));
        assert!(!role_in_account(
            "arn:aws:iam::222222222222:role/deploy",
            "111111111111"
        ));
        assert!(!role_in_account(
            "arn:aws:iam::111111111111:user/deploy",
            "111111111111"
        ));
        assert!(!role_in_account(
            "arn:aws:iam::111111111111:role/",
            "111111111111"
        ));
        assert!(is_organization_unit_arn(
            "arn:aws:organizations::111111111111:ou/o-a1b2c3d4e5/ou-a1b2-f6g7h8i9"
        ));
        assert!(!is_organization_unit_arn("ou-a1b2-f6g7h8i9"));
        assert!(!is_organization_unit_arn(
            "arn:aws:organizations::111111111111:organization/o-a1b2c3d4e5"
        ));
    }
}
