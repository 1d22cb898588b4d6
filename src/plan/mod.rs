//! The plan: the Terraform view of a valid model. It decides every resource, label, reference and
//! derived set (associations, propagations, allowed prefixes, VPC routes), and hands each generated
//! file a `Serialize` context for its template. Templates only decide how it is written.

pub mod audit;
pub mod billing;
pub mod bucket;
pub mod checks;
pub mod egress;
pub mod endpoints;
pub mod identity;
pub mod ingress;
mod interconnect;
pub mod labels;
pub mod layout;
pub mod manifest;
pub mod naming;
pub mod network;
pub mod payments;
pub mod policies;
mod refusals;
mod stack;
pub mod storage;

use crate::diag::Diagnostics;
use crate::model::{Component, Model};
use crate::validate::ValidModel;
use labels::LabelSpace;
use serde::Serialize;
use std::sync::Arc;

pub use interconnect::InterconnectView;
pub use network::NetworkView;
pub use stack::{OutputsView, ProvidersView, VersionsView};

/// A Terraform expression that is a reference (`aws_vpc.agents.id`), not a string. It serializes as
/// `{"$ref": "..."}`, which the `hcl` template filter writes as a traversal after checking its syntax.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Ref {
    #[serde(rename = "$ref")]
    pub path: String,
    /// Text after the reference: `"${PATH}SUFFIX"` (e.g. an ARN's `/*`).
    #[serde(rename = "$suffix", skip_serializing_if = "Option::is_none")]
    pub suffix: Option<String>,
    /// Text before the reference: `"PREFIX${PATH}"` (e.g. a query naming a resource's id).
    #[serde(rename = "$prefix", skip_serializing_if = "Option::is_none")]
    pub prefix: Option<String>,
}

impl Ref {
    pub fn new(path: impl Into<String>) -> Self {
        Ref {
            path: path.into(),
            suffix: None,
            prefix: None,
        }
    }

    /// Literal text, then the reference, written as a template string.
    #[must_use]
    pub fn with_prefix(mut self, prefix: impl Into<String>) -> Self {
        self.prefix = Some(prefix.into());
        self
    }

    /// The reference followed by literal text, written as a template string.
    #[must_use]
    pub fn with_suffix(mut self, suffix: impl Into<String>) -> Self {
        self.suffix = Some(suffix.into());
        self
    }

    /// `TYPE.LABEL.ATTRIBUTE`.
    pub fn attr(resource_type: &str, label: &str, attribute: &str) -> Self {
        Ref::new(format!("{resource_type}.{label}.{attribute}"))
    }
}

/// A template context: the view, converted to the template engine's value only when it is rendered
/// (and dropped after), so a large stack never holds every file's converted value at once.
pub type Context = Box<dyn Fn() -> minijinja::Value + Send + Sync>;

/// One file of the stack: its name, the template that writes it, and the template's context.
pub struct PlannedFile {
    pub name: &'static str,
    pub template: &'static str,
    /// A large file comes in several parts, each a slice of the view, rendered with the same
    /// template and concatenated in order (every section of a template is a loop or a condition
    /// over its own field, so slices render exactly the text the whole view would).
    pub contexts: Vec<Context>,
}

impl PlannedFile {
    /// Terraform files are parsed back and formatted; the README is Markdown.
    pub fn is_terraform(&self) -> bool {
        std::path::Path::new(self.name)
            .extension()
            .is_some_and(|e| e == "tf")
    }
}

/// The stacks of one blueprint: `generated/<platform>/` when it lives in one account; otherwise
/// `generated/<platform>/<stack>/` per stack and `generated/<platform>/manifest.json` (`layout`).
pub struct Plan {
    pub source: String,
    pub stacks: Vec<StackPlan>,
    /// The manifest of a platform of several stacks (their order, accounts and what crosses
    /// between them), as the JSON `generate` writes.
    pub manifest: Option<manifest::Manifest>,
    /// Every role's trust and permission documents as data (`agentform access`).
    pub policies: policies::Policies,
}

/// One Terraform root: its directory (relative to the output directory) and files.
pub struct StackPlan {
    pub directory: String,
    pub files: Vec<PlannedFile>,
}

/// Plans the stack of a valid model. Files for components the blueprint does not use are absent.
/// Refused, with diagnostics at the blueprint lines concerned, when the names or documents it
/// decides would fail at apply (see `refusals`), or when two components' resources would get the
/// same Terraform label (`AF206`, see `labels`).
pub fn plan(valid: &ValidModel) -> Result<Plan, Diagnostics> {
    let model = valid.model();
    let layout = layout::layout(model);
    let crossings = layout::crossings(model, &layout);
    let mut stacks = Vec::with_capacity(layout.stacks.len());
    let mut all_policies: Option<policies::Policies> = None;
    let mut refused = Diagnostics::default();
    let diagram = stack::diagram(valid);
    for (index, spec) in layout.stacks.iter().enumerate() {
        let projected;
        let stack_model = if layout.is_single() {
            model
        } else {
            projected = crate::model::accounts::project(
                model,
                spec.account,
                spec.phase == layout::Phase::Build,
            );
            &projected
        };
        let scope = layout::Scope {
            model: stack_model,
            layout: &layout,
            stack: index,
            crossings: &crossings,
        };
        let directory = if layout.is_single() {
            model.platform.name.value.clone()
        } else {
            format!("{}/{}", model.platform.name.value, spec.name)
        };
        match plan_stack(valid, &scope, &diagram, directory) {
            Ok((stack, policies)) => {
                stacks.push(stack);
                match &mut all_policies {
                    None => all_policies = Some(policies),
                    Some(all) => {
                        all.roles.extend(policies.roles);
                        all.managers.extend(policies.managers);
                    }
                }
            }
            Err(diagnostics) => refused.extend(diagnostics),
        }
    }
    if refused.has_errors() {
        return Err(refused);
    }
    let mut policies = all_policies.expect("a platform has at least one stack");
    policies.account.clone_from(&model.platform.account_id);
    Ok(Plan {
        source: model.source.clone(),
        stacks,
        manifest: (!layout.is_single()).then(|| manifest::manifest(model, &layout, &crossings)),
        policies,
    })
}

/// Plans one stack: the files of what its scope holds.
fn plan_stack(
    valid: &ValidModel,
    scope: &layout::Scope,
    diagram: &str,
    directory: String,
) -> Result<(StackPlan, policies::Policies), Diagnostics> {
    let model = scope.model;
    let vpcs_here = (0..model.vpcs.len())
        .map(crate::model::VpcId)
        .filter(|&v| scope.vpc(v) || scope.vpc_routes(v))
        .count();
    let mut labels = LabelSpace::with_capacity(16 * vpcs_here + 256);
    let network = network::plan(model, valid.intent(), valid.reach(), &mut labels, scope);
    let checks = Arc::new(checks::plan(
        model,
        valid.intent(),
        &network,
        &mut labels,
        scope,
    ));
    let interconnect = interconnect::plan(model, &network, &mut labels, scope).map(Arc::new);
    let storage = storage::plan(model, &network, &mut labels).map(Arc::new);
    let endpoints = Arc::new(endpoints::plan(model, &network, &mut labels, scope));
    let identity = identity::plan(model, &mut labels);
    let payments = payments::plan(model, &mut labels).map(Arc::new);
    let billing = billing::plan(model, &mut labels)
        .filter(|_| scope.builds(model.accounts.default))
        .map(Arc::new);
    let policies = policies::collect(model, identity.as_ref(), payments.as_deref());
    let uses_awscc = interconnect.as_ref().is_some_and(|i| i.uses_awscc)
        || storage
            .as_deref()
            .is_some_and(storage::StorageView::uses_awscc)
        || payments.as_ref().is_some_and(|p| p.via_awscc);
    let mut files = vec![
        file(
            "versions.tf",
            "versions.tf.j2",
            stack::versions(model, uses_awscc, scope),
        ),
        file(
            "providers.tf",
            "providers.tf.j2",
            stack::providers(model, uses_awscc),
        ),
    ];
    let remote = stack::remote_state(model, scope, &mut labels);
    if !remote.stacks.is_empty() {
        files.push(file("remote_state.tf", "remote_state.tf.j2", remote));
    }
    let ingress = ingress::plan(model, &mut labels).map(Arc::new);
    let audit = audit::plan(
        model,
        payments.as_deref(),
        storage.as_deref(),
        ingress.as_deref(),
        &mut labels,
    )
    .map(Arc::new);
    let outputs = stack::outputs(
        model,
        &network,
        interconnect.as_deref(),
        ingress.as_deref(),
        payments.as_deref(),
        &mut labels,
        scope,
    );
    if !network.is_empty() {
        let count = network::parts(&network).len();
        let network = Arc::new(network);
        files.push(PlannedFile {
            name: "network.tf",
            template: "network.tf.j2",
            contexts: (0..count)
                .map(|i| {
                    let network = Arc::clone(&network);
                    Box::new(move || {
                        minijinja::Value::from(minijinja::value::Serde(
                            &network::parts(&network)[i],
                        ))
                    }) as Context
                })
                .collect(),
        });
    }
    if let Some(interconnect) = &interconnect {
        files.push(shared(
            "interconnect.tf",
            "interconnect.tf.j2",
            Arc::clone(interconnect),
        ));
    }
    if let Some(ingress) = &ingress {
        files.push(shared("ingress.tf", "ingress.tf.j2", Arc::clone(ingress)));
    }
    if let Some(storage) = &storage {
        files.push(shared("storage.tf", "storage.tf.j2", Arc::clone(storage)));
    }
    if !endpoints.is_empty() {
        files.push(shared(
            "endpoints.tf",
            "endpoints.tf.j2",
            Arc::clone(&endpoints),
        ));
    }
    if let Some(identity) = identity {
        files.push(file("identity.tf", "identity.tf.j2", identity));
    }
    if let Some(payments) = &payments {
        files.push(shared(
            "payments.tf",
            "payments.tf.j2",
            Arc::clone(payments),
        ));
    }
    if let Some(audit) = audit.as_ref().filter(|a| a.dedicated.is_some()) {
        files.push(shared("audit.tf", "audit.tf.j2", Arc::clone(audit)));
    }
    if let Some(billing) = &billing {
        files.push(shared("billing.tf", "billing.tf.j2", Arc::clone(billing)));
    }
    if !checks.checks.is_empty() {
        files.push(shared("checks.tf", "checks.tf.j2", Arc::clone(&checks)));
    }
    if !outputs.outputs.is_empty() {
        files.push(file("outputs.tf", "outputs.tf.j2", outputs));
    }
    let file_names: Vec<&str> = files.iter().map(|f| f.name).collect();
    let readme = stack::readme(
        valid,
        scope,
        diagram,
        &file_names,
        &checks,
        uses_awscc,
        interconnect.as_deref(),
        ingress.as_deref(),
        storage.as_deref(),
        payments.as_deref(),
        audit.as_deref(),
        &endpoints,
    );
    files.push(file("README.md", "README.md.j2", readme));
    let mut refused = Diagnostics::default();
    refusals::check(model, payments.as_deref(), audit.as_deref(), &mut refused);
    labels.report(&mut refused);
    if refused.has_errors() {
        return Err(refused);
    }
    Ok((StackPlan { directory, files }, policies))
}

/// The ARNs an `allow` reference to a component stands for, as literal strings or references.
/// Spelled from the component's name with the label functions its view claims with: the roles are
/// planned first, and `diff` plans them alone.
pub fn component_arns(model: &Model, component: Component) -> Vec<serde_json::Value> {
    match component {
        Component::EndpointService(id) => vec![ingress::endpoint_service_arn(model.ingress(id))],
        Component::IngressLogs(id) => ingress::log_bucket_arns(model, model.ingress(id)),
        Component::FileSystem(id) => storage::arns(model, id, None),
        Component::AccessPoint(id, index) => storage::arns(model, id, Some(index)),
        Component::PaymentManager(id) => payments::arns(model, id),
    }
}

fn file(
    name: &'static str,
    template: &'static str,
    view: impl Serialize + Send + Sync + 'static,
) -> PlannedFile {
    shared(name, template, Arc::new(view))
}

/// A file whose view is also read by another file's view (the README's).
fn shared(
    name: &'static str,
    template: &'static str,
    view: Arc<impl Serialize + Send + Sync + 'static>,
) -> PlannedFile {
    PlannedFile {
        name,
        template,
        contexts: vec![Box::new(move || {
            minijinja::Value::from(minijinja::value::Serde(&*view))
        })],
    }
}
