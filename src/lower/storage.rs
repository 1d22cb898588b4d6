//! Lowering `s3_files` blocks: the bucket name (as AWS accepts it), the VPC, the expiry, and each
//! `access_point` with its POSIX identity, absolute root directory and roles.

use super::reader::BlockReader;
use super::{Names, TopBlock, resolve, single_label};
use crate::diag::{Code, Diagnostic, Diagnostics, Spanned};
use crate::model::{AccessPoint, IamRoleId, S3Files, VpcId};
use crate::schema;

/// Mode of an access point's root directory when it creates it (owner and group may enter).
pub const DEFAULT_PERMISSIONS: &str = "0750";

pub(super) fn lower(
    top: &TopBlock,
    names: &Names,
    diagnostics: &mut Diagnostics,
) -> Option<S3Files> {
    let owner = format!("s3_files `{}`", top.name.value);
    let r = BlockReader::new(top.block, &schema::S3_FILES, owner.clone(), diagnostics);
    let bucket = r.required_string("bucket", "\"agents-prod-workspace\"", diagnostics);
    if let Some(b) = &bucket
        && let Err(why) = bucket_name(&b.value)
    {
        diagnostics.push(
            Diagnostic::error(
                Code::AwsReject,
                b.span,
                format!("S3 rejects bucket name `{}`: {why}", b.value),
            )
            .with_help("3 to 63 lowercase letters, digits, `-` and `.`, starting and ending with a letter or digit"),
        );
    }
    let vpc = r
        .required_string("vpc", "\"agents\"", diagnostics)
        .and_then(|v| resolve(names, "vpc", &v, diagnostics))
        .map(|v| Spanned::new(VpcId(v.value), v.span));
    let expire_after_days = r.u32("expire_after_days", diagnostics);
    if let Some(days) = &expire_after_days
        && days.value == 0
    {
        diagnostics.push(Diagnostic::error(
            Code::InvalidValue,
            days.span,
            "`expire_after_days` must be at least 1 (leave it out to keep objects)",
        ));
    }

    let mut access_points: Vec<AccessPoint> = Vec::new();
    let mut ok = true;
    for block in r.blocks("access_point") {
        let Some(name) = single_label(block, diagnostics) else {
            ok = false;
            continue;
        };
        if let Some(first) = access_points.iter().find(|a| a.name.value == name.value) {
            diagnostics.push(
                Diagnostic::error(
                    Code::DuplicateName,
                    name.span,
                    format!("{owner} declares `access_point \"{}\"` twice", name.value),
                )
                .with_label(first.name.span, "first declared here"),
            );
            ok = false;
            continue;
        }
        match access_point(block, name, &owner, names, diagnostics) {
            Some(ap) => access_points.push(ap),
            None => ok = false,
        }
    }
    if ok && access_points.is_empty() {
        diagnostics.push(
            Diagnostic::error(
                Code::MissingAttribute,
                top.name.span,
                format!("{owner} has no `access_point`: no workload could mount it"),
            )
            .with_help("add `access_point \"NAME\" { uid = 1001, gid = 1001, root_directory = \"/NAME\", roles = [\"ROLE\"] }`"),
        );
    }
    Some(S3Files {
        name: top.name.clone(),
        bucket: bucket?,
        vpc: vpc?,
        expire_after_days,
        access_points: ok.then_some(access_points)?,
    })
}

fn access_point(
    block: &crate::syntax::Block,
    name: crate::model::Name,
    owner: &str,
    names: &Names,
    diagnostics: &mut Diagnostics,
) -> Option<AccessPoint> {
    let owner = format!("access_point `{}` of {owner}", name.value);
    let r = BlockReader::new(block, &schema::ACCESS_POINT, owner.clone(), diagnostics);
    let uid = r.required_u32("uid", "1001", diagnostics);
    let gid = r.required_u32("gid", "1001", diagnostics);
    let root = r.required_string("root_directory", "\"/research\"", diagnostics);
    if let Some(root) = &root
        && !valid_root(&root.value)
    {
        diagnostics.push(
            Diagnostic::error(
                Code::InvalidValue,
                root.span,
                format!("`root_directory` of {owner} is `{}`; it must be an absolute path", root.value),
            )
            .with_help("start with `/`, without `.` or `..` segments or empty segments, at most 100 characters: e.g. `/research`"),
        );
    }
    let permissions = r
        .string("permissions", diagnostics)
        .unwrap_or_else(|| Spanned::new(DEFAULT_PERMISSIONS.to_string(), name.span));
    let octal = (3..=4).contains(&permissions.value.len())
        && permissions
            .value
            .bytes()
            .all(|b| (b'0'..=b'7').contains(&b));
    if !octal {
        diagnostics.push(Diagnostic::error(
            Code::InvalidValue,
            permissions.span,
            format!(
                "`permissions` of {owner} is `{}`; write an octal mode such as `0750`",
                permissions.value
            ),
        ));
    }
    let roles = r.required_string_list("roles", "[\"research-agent\"]", diagnostics);
    if roles.as_ref().is_some_and(Vec::is_empty) {
        diagnostics.push(Diagnostic::error(
            Code::MissingAttribute,
            name.span,
            format!("{owner} lists no `roles`: nobody could mount through it"),
        ));
    }
    let roles: Option<Vec<_>> = roles.map(|list| {
        list.iter()
            .filter_map(|role| resolve(names, "iam_role", role, diagnostics))
            .map(|id| Spanned::new(IamRoleId(id.value), id.span))
            .collect()
    });
    if !octal || root.as_ref().is_some_and(|r| !valid_root(&r.value)) {
        return None;
    }
    Some(AccessPoint {
        name,
        uid: uid?,
        gid: gid?,
        root_directory: root?,
        permissions,
        roles: roles?,
    })
}

/// An absolute path: `/` followed by non-empty segments, no `.` or `..`, at most 100 characters.
fn valid_root(path: &str) -> bool {
    path.len() <= 100
        && path.starts_with('/')
        && (path == "/"
            || path[1..]
                .split('/')
                .all(|s| !s.is_empty() && s != "." && s != ".."))
}

/// The S3 general-purpose bucket naming rules.
pub fn bucket_name(name: &str) -> Result<(), &'static str> {
    let bytes = name.as_bytes();
    if !(3..=63).contains(&name.len()) {
        return Err("names are 3 to 63 characters long");
    }
    if !bytes
        .iter()
        .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || *b == b'-' || *b == b'.')
    {
        return Err("only lowercase letters, digits, `-` and `.` are allowed");
    }
    let edge = |b: u8| b.is_ascii_lowercase() || b.is_ascii_digit();
    if !edge(bytes[0]) || !edge(bytes[bytes.len() - 1]) {
        return Err("names start and end with a letter or digit");
    }
    if name.contains("..") || name.contains(".-") || name.contains("-.") {
        return Err("dots may not be adjacent to each other or to `-`");
    }
    if name.split('.').count() == 4 && name.split('.').all(|p| p.parse::<u8>().is_ok()) {
        return Err("names may not look like an IP address");
    }
    for prefix in ["xn--", "sthree-", "amzn-s3-demo-"] {
        if name.starts_with(prefix) {
            return Err("the prefix is reserved by AWS");
        }
    }
    for suffix in ["-s3alias", "--ol-s3", "--x-s3", "--table-s3", ".mrap"] {
        if name.ends_with(suffix) {
            return Err("the suffix is reserved by AWS");
        }
    }
    Ok(())
}
