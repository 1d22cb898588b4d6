//! Resource types Terraform cannot validate here (hashicorp/awscc, hashicorp/aws 6.x) are checked
//! against the schema dumps in `../shared/provider-schemas/`: every emitted resource type exists,
//! every attribute and nested attribute it sets exists, and every required one is set.
//!
//! The dumps list, per resource, `interface <Name>Config:` (the arguments, `REQUIRED` or
//! `optional`, with their type) and one `interface` per nested object type.

use std::collections::BTreeMap;
use std::path::Path;

const SCHEMAS: &str = "../shared/provider-schemas";

#[derive(Debug)]
struct Argument {
    required: bool,
    /// The nested interface this argument's value follows, if it is an object (or list of them).
    nested: Option<String>,
}

/// Interfaces by name, and the Config interface of each Terraform resource type.
struct Schemas {
    interfaces: BTreeMap<String, BTreeMap<String, Argument>>,
    resources: BTreeMap<String, String>,
}

fn load() -> Schemas {
    let dir = Path::new(SCHEMAS);
    assert!(
        dir.is_dir(),
        "{SCHEMAS} is missing: the provider schema dumps must sit beside the project"
    );
    let mut schemas = Schemas {
        interfaces: BTreeMap::new(),
        resources: BTreeMap::new(),
    };
    for entry in std::fs::read_dir(dir).unwrap().flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        let is_dump = entry.path().extension().is_some_and(|e| e == "txt");
        if !is_dump || name.starts_with("aws-5.100") {
            continue; // aws 5.100 is validated by real Terraform
        }
        let text = std::fs::read_to_string(entry.path()).unwrap();
        // Interface names repeat across dumps (aws 6.x and awscc both have `S3FilesFileSystemConfig`,
        // with different shapes): each dump's interfaces are qualified by its file name.
        let qualify = |interface: &str| format!("{name}::{interface}");
        let mut current: Option<String> = None;
        let mut config: Option<String> = None;
        for line in text.lines() {
            if let Some(interface) = line
                .strip_prefix("interface ")
                .and_then(|l| l.strip_suffix(':'))
            {
                current = Some(qualify(interface));
                if interface.ends_with("Config") && config.is_none() {
                    config = Some(qualify(interface));
                }
                schemas.interfaces.entry(qualify(interface)).or_default();
            } else if line.starts_with("class ") {
                current = None;
            } else if let Some(tf_type) = line.trim().strip_prefix("TF TYPE = ") {
                schemas.resources.insert(
                    tf_type.to_string(),
                    config.clone().expect("a Config interface"),
                );
            } else if let Some(interface) = &current {
                let mut parts = line.split_whitespace();
                let (Some(argument), Some(flag)) = (parts.next(), parts.next()) else {
                    continue;
                };
                let ty = parts
                    .next()
                    .unwrap_or_default()
                    .trim_end_matches("[]")
                    .to_string();
                let argument_entry = Argument {
                    required: flag == "REQUIRED",
                    nested: Some(ty)
                        .filter(|t| t.chars().next().is_some_and(char::is_uppercase))
                        .map(|t| qualify(&t)),
                };
                schemas
                    .interfaces
                    .get_mut(interface)
                    .unwrap()
                    .insert(argument.to_string(), argument_entry);
            }
        }
    }
    schemas
}

/// Arguments Terraform itself accepts on every resource block.
const META_ARGUMENTS: &[&str] = &["depends_on", "count", "for_each", "provider", "lifecycle"];

/// Checks one object (a resource body or a nested object value) against an interface.
fn check_object(
    schemas: &Schemas,
    top_level: bool,
    interface: &str,
    attributes: &[(String, hcl::Expression)],
    at: &str,
    problems: &mut Vec<String>,
) {
    let Some(arguments) = schemas.interfaces.get(interface) else {
        problems.push(format!("{at}: no schema interface `{interface}`"));
        return;
    };
    for (name, value) in attributes {
        if top_level && META_ARGUMENTS.contains(&name.as_str()) {
            continue; // Terraform's own, valid on every resource
        }
        let Some(argument) = arguments.get(name) else {
            problems.push(format!("{at}: `{name}` is not an argument of {interface}"));
            continue;
        };
        if let Some(nested) = &argument.nested
            && schemas.interfaces.contains_key(nested)
        {
            let objects: Vec<&hcl::Object<hcl::ObjectKey, hcl::Expression>> = match value {
                hcl::Expression::Object(o) => vec![o],
                hcl::Expression::Array(items) => items
                    .iter()
                    .filter_map(|i| {
                        if let hcl::Expression::Object(o) = i {
                            Some(o)
                        } else {
                            None
                        }
                    })
                    .collect(),
                _ => Vec::new(),
            };
            for object in objects {
                let entries: Vec<(String, hcl::Expression)> = object
                    .iter()
                    .map(|(k, v)| (key_name(k), v.clone()))
                    .collect();
                check_object(
                    schemas,
                    false,
                    nested,
                    &entries,
                    &format!("{at}.{name}"),
                    problems,
                );
            }
        }
    }
    for (name, argument) in arguments {
        if argument.required && !attributes.iter().any(|(n, _)| n == name) {
            problems.push(format!("{at}: required `{name}` is missing"));
        }
    }
}

fn key_name(key: &hcl::ObjectKey) -> String {
    match key {
        hcl::ObjectKey::Identifier(i) => i.to_string(),
        hcl::ObjectKey::Expression(hcl::Expression::String(s)) => s.clone(),
        other => format!("{other:?}"),
    }
}

/// A block body as the schema checker sees it: attributes, and nested blocks as objects (several
/// blocks of one type as a list of objects).
fn body_entries(body: &hcl::Body) -> Vec<(String, hcl::Expression)> {
    let mut entries: Vec<(String, hcl::Expression)> = body
        .attributes()
        .map(|a| (a.key().to_string(), a.expr().clone()))
        .collect();
    let mut blocks: Vec<(String, Vec<hcl::Expression>)> = Vec::new();
    for block in body.blocks() {
        let mut object = hcl::Object::new();
        for (key, value) in body_entries(block.body()) {
            object.insert(hcl::ObjectKey::from(hcl::Identifier::unchecked(key)), value);
        }
        let name = block.identifier().to_string();
        match blocks.iter_mut().find(|(n, _)| *n == name) {
            Some((_, list)) => list.push(hcl::Expression::Object(object)),
            None => blocks.push((name, vec![hcl::Expression::Object(object)])),
        }
    }
    for (name, mut list) in blocks {
        let value = if list.len() == 1 {
            list.remove(0)
        } else {
            hcl::Expression::Array(list)
        };
        entries.push((name, value));
    }
    entries
}

#[test]
fn resources_terraform_cannot_validate_here_match_the_provider_schemas() {
    let schemas = load();
    assert!(
        schemas
            .resources
            .contains_key("awscc_interconnect_connection")
    );
    let renderer = agentform::render::Renderer::new();
    let blueprints =
        agentform::source::discover(&["blueprints".into(), "tests/fixtures/valid".into()]).unwrap();
    let mut problems = Vec::new();
    let mut checked = std::collections::BTreeSet::new();
    // The default targets, and aws 5.100 with awscc allowed (S3 Files through awscc).
    let targets = [
        agentform::lower::Overrides::default(),
        agentform::lower::Overrides {
            aws_provider: Some("5.100".to_string()),
            no_awscc: false,
        },
    ];
    for (path, overrides) in blueprints
        .iter()
        .flat_map(|p| targets.iter().map(move |o| (p, o)))
    {
        let analysis = agentform::analyze(&agentform::source::SourceFile::read(path), overrides);
        let files = agentform::emit::generate(&analysis.plan.unwrap(), &renderer).unwrap();
        for (name, text) in files
            .iter()
            .filter(|(n, _)| n.extension().is_some_and(|e| e == "tf"))
        {
            let body: hcl::Body = hcl::parse(text).unwrap();
            for block in body.blocks().filter(|b| b.identifier() == "resource") {
                let ty = block.labels()[0].as_str();
                let at = format!("{}: {ty}.{}", name.display(), block.labels()[1].as_str());
                if ty.starts_with("awscc_") && !schemas.resources.contains_key(ty) {
                    problems.push(format!("{at}: resource type `{ty}` is in no schema dump"));
                    continue;
                }
                let Some(config) = schemas.resources.get(ty) else {
                    continue;
                };
                let attributes = body_entries(block.body());
                check_object(&schemas, true, config, &attributes, &at, &mut problems);
                checked.insert(ty.to_string());
            }
        }
    }
    assert!(
        problems.is_empty(),
        "emitted resources do not match the provider schemas:\n{}",
        problems.join("\n")
    );
    for ty in [
        "awscc_interconnect_connection",
        "aws_s3files_file_system",
        "awscc_s3files_access_point",
        "awscc_bedrockagentcore_payment_manager",
        "awscc_bedrockagentcore_payment_connector",
        "awscc_bedrockagentcore_payment_credential_provider",
    ] {
        assert!(
            checked.contains(ty),
            "`{ty}` was never emitted, so never checked against the schema dumps: {checked:?}"
        );
    }
}
