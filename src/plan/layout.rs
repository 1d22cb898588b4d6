//! The stacks of a platform: one Terraform root when everything lives in one account, otherwise one
//! per account, plus the stacks that must come after attachments exist, in the order they apply.
//!
//! Across accounts, AWS decides who creates what (`provider-facts.md` §9.4): the gateway, its route
//! tables, associations, propagations and the attachment accepter are the gateway owner's; the VPC,
//! its attachment and its routes are the VPC's account's. A shared gateway's routing therefore cannot
//! be applied with the gateway: the attachments are not there yet. And a VPC route toward a gateway
//! fails until its attachment is accepted ("InvalidTransitGatewayID.NotFound" on the first apply,
//! hashicorp/terraform-provider-aws #10025). So a platform across accounts applies in up to four
//! waves, each a stack per account, and no stack is applied twice:
//!
//! 1. `<owner>`: the gateway and its RAM share (and everything else the owner account holds);
//! 2. `<account>`: each other account, its share accepter (outside an organization), VPCs and
//!    attachments (and everything else it holds);
//! 3. `<owner>-routing`: the owner accepts the attachments, tags them, creates the route tables,
//!    associations, propagations and static routes;
//! 4. `<account>-routes`: each other account's VPC routes toward the gateway.
//!
//! One root per account is the default and the only layout generated: each stack is applied with
//! the role of its own account (least privilege, and a failure in one account's apply cannot touch
//! another's), which a single root with provider aliases cannot offer.

use crate::model::accounts::AccountId;
use crate::model::{Model, TgwId, VpcId};
use serde::Serialize;

/// What part of an account's resources a stack holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Phase {
    /// The one stack of a platform in one account: everything.
    Whole,
    /// An account's resources, but not the routing that waits for other accounts.
    Build,
    /// A gateway owner's accepters, attachment tags, route tables, associations, propagations and
    /// static routes of its shared gateways.
    Routing,
    /// An account's VPC routes toward gateways of other accounts.
    Routes,
}

#[derive(Debug, Clone, Serialize)]
pub struct StackSpec {
    pub name: String,
    #[serde(skip)]
    pub account: AccountId,
    pub phase: Phase,
    /// The stacks (indices in `Layout::stacks`) that must be applied first.
    #[serde(skip)]
    pub needs: Vec<usize>,
}

/// The stacks in apply order: every stack comes after the ones it needs.
#[derive(Debug, Clone)]
pub struct Layout {
    pub stacks: Vec<StackSpec>,
    /// Per gateway, whether a VPC of another account attaches to it.
    shared: Vec<bool>,
    /// Per account, its build, routing and routes stacks (each a stack index, when it has one):
    /// the scope asks for them once per resource, so they are looked up, not searched.
    index: Vec<[Option<usize>; 3]>,
}

fn slot(phase: Phase) -> usize {
    match phase {
        Phase::Whole | Phase::Build => 0,
        Phase::Routing => 1,
        Phase::Routes => 2,
    }
}

/// The layout's lookups, from its stacks in their final order.
fn indexed(stacks: Vec<StackSpec>, model: &Model) -> Layout {
    let accounts = &model.accounts;
    let mut index = vec![[None; 3]; accounts.list.len()];
    for (i, stack) in stacks.iter().enumerate() {
        if stack.phase == Phase::Whole {
            index[stack.account.0] = [Some(i); 3];
        } else {
            index[stack.account.0][slot(stack.phase)] = Some(i);
        }
    }
    let shared = (0..model.transit_gateways.len())
        .map(|t| accounts.is_shared(model, TgwId(t)))
        .collect();
    Layout {
        stacks,
        shared,
        index,
    }
}

impl Layout {
    /// Whether the platform is one stack (one account).
    pub fn is_single(&self) -> bool {
        self.stacks.len() == 1 && self.stacks[0].phase == Phase::Whole
    }

    fn find(&self, account: AccountId, phase: Phase) -> Option<usize> {
        self.index
            .get(account.0)
            .and_then(|slots| slots[slot(phase)])
    }

    /// The stack that holds an account's own resources.
    pub fn build(&self, account: AccountId) -> usize {
        self.find(account, Phase::Build)
            .expect("every account that holds a component has a stack")
    }

    /// The stack that holds a gateway's route tables, associations, propagations and static routes.
    pub fn routing_of(&self, model: &Model, tgw: TgwId) -> usize {
        let owner = model.accounts.transit_gateways[tgw.0].account;
        if self.shared[tgw.0] {
            self.find(owner, Phase::Routing)
                .expect("a shared gateway's owner has a routing stack")
        } else {
            self.build(owner)
        }
    }

    /// The stack that holds a VPC's routes toward its gateway.
    pub fn routes_of(&self, model: &Model, vpc: VpcId) -> usize {
        let account = model.accounts.vpcs[vpc.0].account;
        let owner = model.accounts.transit_gateways[model.vpc(vpc).transit_gateway.0].account;
        if account == owner {
            self.build(account)
        } else {
            self.find(account, Phase::Routes)
                .expect("an account attached across accounts has a routes stack")
        }
    }
}

/// Decides the stacks of a model.
pub fn layout(model: &Model) -> Layout {
    let accounts = &model.accounts;
    if !accounts.spans_accounts() {
        return indexed(
            vec![StackSpec {
                name: model.platform.name.value.clone(),
                account: accounts.default,
                phase: Phase::Whole,
                needs: Vec::new(),
            }],
            model,
        );
    }
    // Every account that holds something, and the platform's own (it activates the cost
    // allocation tags), in declaration order.
    let mut holds = vec![false; accounts.list.len()];
    holds[accounts.default.0] = true;
    for p in accounts
        .transit_gateways
        .iter()
        .chain(&accounts.vpcs)
        .chain(&accounts.interconnects)
        .chain(&accounts.ingresses)
        .chain(&accounts.s3_files)
        .chain(&accounts.iam_roles)
        .chain(&accounts.payment_managers)
        .chain(&accounts.audit_trail)
    {
        holds[p.account.0] = true;
    }
    let mut owners_routing = vec![false; accounts.list.len()];
    let mut spokes = vec![false; accounts.list.len()];
    for (i, placement) in accounts.transit_gateways.iter().enumerate() {
        let attached = accounts.attached_accounts(model, TgwId(i));
        if !attached.is_empty() {
            owners_routing[placement.account.0] = true;
        }
        for a in attached {
            spokes[a.0] = true;
        }
    }
    let mut stacks: Vec<StackSpec> = Vec::new();
    let name = |a: usize| accounts.list[a].name.value.clone();
    for a in (0..accounts.list.len()).filter(|&a| holds[a]) {
        stacks.push(StackSpec {
            name: name(a),
            account: AccountId(a),
            phase: Phase::Build,
            needs: Vec::new(),
        });
    }
    for a in (0..accounts.list.len()).filter(|&a| owners_routing[a]) {
        stacks.push(StackSpec {
            name: format!("{}-routing", name(a)),
            account: AccountId(a),
            phase: Phase::Routing,
            needs: Vec::new(),
        });
    }
    for a in (0..accounts.list.len()).filter(|&a| spokes[a]) {
        stacks.push(StackSpec {
            name: format!("{}-routes", name(a)),
            account: AccountId(a),
            phase: Phase::Routes,
            needs: Vec::new(),
        });
    }
    let mut layout = indexed(stacks, model);
    // What each stack needs: a spoke's build needs the owners' builds (gateway id, share); an
    // owner's routing needs its build and every attached account's build (attachment ids); a
    // spoke's routes need its build (route tables) and the owners' routing (accepted attachments).
    let mut needs: Vec<Vec<usize>> = vec![Vec::new(); layout.stacks.len()];
    for (i, placement) in accounts.transit_gateways.iter().enumerate() {
        let owner = placement.account;
        let attached = accounts.attached_accounts(model, TgwId(i));
        if attached.is_empty() {
            continue;
        }
        let owner_build = layout.build(owner);
        let routing = layout
            .find(owner, Phase::Routing)
            .expect("pushed above for every owner of a shared gateway");
        needs[routing].push(owner_build);
        for a in attached {
            let build = layout.build(a);
            let routes = layout
                .find(a, Phase::Routes)
                .expect("pushed above for every attached account");
            needs[build].push(owner_build);
            needs[routing].push(build);
            needs[routes].extend([build, routing, owner_build]);
        }
    }
    for (stack, mut n) in layout.stacks.iter_mut().zip(needs) {
        n.sort_unstable();
        n.dedup();
        stack.needs = n;
    }
    in_apply_order(&layout, model)
}

/// The stacks sorted so each comes after what it needs (declaration order where free). Validation
/// rejects the one cycle the waves allow (accounts attached to each other's gateways in a
/// circle, `Accounts::attachment_cycle`, `AF961`), so there is none here.
fn in_apply_order(layout: &Layout, model: &Model) -> Layout {
    let count = layout.stacks.len();
    let mut placed = vec![None; count];
    let mut order: Vec<usize> = Vec::with_capacity(count);
    while order.len() < count {
        let next = (0..count)
            .find(|&i| {
                placed[i].is_none() && layout.stacks[i].needs.iter().all(|&n| placed[n].is_some())
            })
            .expect("validation rejects stacks that need each other (AF961)");
        placed[next] = Some(order.len());
        order.push(next);
    }
    let stacks = order
        .into_iter()
        .map(|i| {
            let mut stack = layout.stacks[i].clone();
            stack.needs = stack
                .needs
                .iter()
                .map(|&n| placed[n].expect("placed before"))
                .collect();
            stack.needs.sort_unstable();
            stack
        })
        .collect();
    indexed(stacks, model)
}

/// A value one stack hands to others through its state: an output of stack `from`, read by
/// `readers` with `terraform_remote_state`.
#[derive(Debug, Clone)]
pub struct Crossing {
    pub from: usize,
    /// The output's name (also how readers refer to it).
    pub output: String,
    /// What `from` outputs: a reference inside `from`.
    pub value: super::Ref,
    pub description: String,
    pub readers: Vec<usize>,
}

/// Every value crossing stacks, decided from the layout alone (the stacks that export them are
/// planned before the ones that read them, so the list cannot come from what readers asked for).
pub fn crossings(model: &Model, layout: &Layout) -> std::collections::BTreeMap<String, Crossing> {
    use super::naming::snake;
    let mut out = Vec::new();
    if layout.is_single() {
        return std::collections::BTreeMap::new();
    }
    let accounts = &model.accounts;
    for (i, tgw) in model.transit_gateways.iter().enumerate() {
        let g = TgwId(i);
        let attached = accounts.attached_accounts(model, g);
        if attached.is_empty() {
            continue;
        }
        let owner = accounts.transit_gateways[i].account;
        let build = layout.build(owner);
        let routing = layout.routing_of(model, g);
        let label = snake(&tgw.name.value);
        let mut readers = vec![routing];
        for &a in &attached {
            readers.push(layout.build(a));
            readers.push(
                layout
                    .find(a, Phase::Routes)
                    .expect("every attached account has a routes stack"),
            );
        }
        readers.sort_unstable();
        readers.dedup();
        out.push(Crossing {
            from: build,
            output: format!("{label}_transit_gateway_id"),
            value: super::Ref::attr("aws_ec2_transit_gateway", &label, "id"),
            description: format!("Id of transit gateway `{label}`"),
            readers,
        });
        // Only accounts outside the organization accept the share (`ShareAccepterView`).
        let mut share_readers: Vec<usize> = attached
            .iter()
            .filter(|&&a| accounts.account(a).organization_unit.is_none())
            .map(|&a| layout.build(a))
            .collect();
        share_readers.sort_unstable();
        out.push(Crossing {
            from: build,
            output: format!("{label}_transit_gateway_share_arn"),
            value: super::Ref::attr("aws_ram_resource_share", &label, "arn"),
            description: format!(
                "ARN of the RAM share of transit gateway `{label}` (the attached accounts accept it)"
            ),
            readers: share_readers,
        });
        for (v, vpc) in model.vpcs.iter().enumerate() {
            if vpc.transit_gateway != g {
                continue;
            }
            let account = accounts.vpcs[v].account;
            let vpc_label = snake(&vpc.name.value);
            let vpc_build = layout.build(account);
            out.push(Crossing {
                from: vpc_build,
                output: format!("{vpc_label}_attachment_id"),
                value: super::Ref::attr("aws_ec2_transit_gateway_vpc_attachment", &vpc_label, "id"),
                description: format!(
                    "Transit gateway attachment id of VPC `{}` (the gateway's owner accepts, tags, associates and propagates it)",
                    vpc.name.value
                ),
                readers: vec![routing],
            });
            if account != owner {
                out.push(Crossing {
                    from: vpc_build,
                    output: format!("{vpc_label}_route_table_id"),
                    value: super::Ref::attr("aws_route_table", &vpc_label, "id"),
                    description: format!(
                        "Route table id of VPC `{}` (its routes toward the gateway wait for the acceptance)",
                        vpc.name.value
                    ),
                    readers: vec![layout.routes_of(model, VpcId(v))],
                });
            }
        }
    }
    out.into_iter().map(|c| (c.output.clone(), c)).collect()
}

/// What one stack plans, and how it refers to what other stacks made.
pub struct Scope<'a> {
    pub model: &'a Model,
    pub layout: &'a Layout,
    pub stack: usize,
    /// Every crossing of the platform, by output name.
    pub crossings: &'a std::collections::BTreeMap<String, Crossing>,
}

impl Scope<'_> {
    fn whole(&self) -> bool {
        self.layout.is_single()
    }

    pub fn spec(&self) -> &StackSpec {
        &self.layout.stacks[self.stack]
    }

    /// Whether this stack creates a component placed in `account` (its account's build stack).
    pub fn builds(&self, account: AccountId) -> bool {
        self.whole() || self.layout.build(account) == self.stack
    }

    /// Whether this stack creates the gateway itself (and its RAM share).
    pub fn gateway(&self, tgw: TgwId) -> bool {
        self.builds(self.model.accounts.transit_gateways[tgw.0].account)
    }

    /// Whether this stack creates the gateway's route tables, associations, propagations, static
    /// routes (and, when shared, accepts and tags the attachments of other accounts).
    pub fn routing(&self, tgw: TgwId) -> bool {
        self.whole() || self.layout.routing_of(self.model, tgw) == self.stack
    }

    /// Whether this stack creates the VPC (subnets, tables, attachment, flow logs, endpoints).
    pub fn vpc(&self, vpc: VpcId) -> bool {
        self.builds(self.model.accounts.vpcs[vpc.0].account)
    }

    /// Whether this stack creates the VPC's routes toward its gateway.
    pub fn vpc_routes(&self, vpc: VpcId) -> bool {
        self.whole() || self.layout.routes_of(self.model, vpc) == self.stack
    }

    /// Whether a VPC's attachment crosses accounts (the gateway's owner accepts it).
    pub fn crosses(&self, vpc: VpcId) -> bool {
        let accounts = &self.model.accounts;
        accounts.vpcs[vpc.0].account
            != accounts.transit_gateways[self.model.vpc(vpc).transit_gateway.0].account
    }

    /// The `terraform_remote_state` data source of a stack, by stack index.
    pub fn remote_label(&self, stack: usize) -> String {
        super::naming::snake(&self.layout.stacks[stack].name)
    }

    fn remote(&self, output: &str) -> super::Ref {
        let crossing = self
            .crossings
            .get(output)
            .filter(|c| c.readers.contains(&self.stack))
            .map(|c| c.from)
            .expect("every remote value a stack reads is a crossing");
        super::Ref::new(format!(
            "data.terraform_remote_state.{}.outputs.{output}",
            self.remote_label(crossing)
        ))
    }

    /// A gateway's id: its resource here, or the output of its owner's stack.
    pub fn tgw_id(&self, tgw: TgwId) -> super::Ref {
        let label = super::naming::snake(&self.model.transit_gateways[tgw.0].name.value);
        if self.gateway(tgw) {
            super::Ref::attr("aws_ec2_transit_gateway", &label, "id")
        } else {
            self.remote(&format!("{label}_transit_gateway_id"))
        }
    }

    /// The ARN of a gateway's RAM share, from its owner's stack.
    pub fn share_arn(&self, tgw: TgwId) -> super::Ref {
        let label = super::naming::snake(&self.model.transit_gateways[tgw.0].name.value);
        self.remote(&format!("{label}_transit_gateway_share_arn"))
    }

    /// A VPC attachment's id as the routing of its gateway refers to it: the attachment here, the
    /// owner's accepter of an attachment from another account, or the output of the VPC's stack.
    pub fn attachment_id(&self, vpc: VpcId) -> super::Ref {
        let label = super::naming::snake(&self.model.vpc(vpc).name.value);
        if self.vpc(vpc) {
            super::Ref::attr("aws_ec2_transit_gateway_vpc_attachment", &label, "id")
        } else if self.crosses(vpc) {
            super::Ref::attr(
                "aws_ec2_transit_gateway_vpc_attachment_accepter",
                &label,
                "id",
            )
        } else {
            self.remote(&format!("{label}_attachment_id"))
        }
    }

    /// The id of an attachment of another account, as its owner's accepter reads it.
    pub fn remote_attachment_id(&self, vpc: VpcId) -> super::Ref {
        let label = super::naming::snake(&self.model.vpc(vpc).name.value);
        self.remote(&format!("{label}_attachment_id"))
    }

    /// A VPC's route table id: here, or from the VPC's build stack.
    pub fn route_table_id(&self, vpc: VpcId) -> super::Ref {
        let label = super::naming::snake(&self.model.vpc(vpc).name.value);
        if self.vpc(vpc) {
            super::Ref::attr("aws_route_table", &label, "id")
        } else {
            self.remote(&format!("{label}_route_table_id"))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{Phase, layout};
    use crate::diag::Diagnostics;
    use crate::model::Model;
    use crate::model::accounts::AccountId;

    /// A platform whose accounts are declared in `accounts` order (ids 111111111111, 222222222222,
    /// ...), the platform's own the first; gateways as (name, account), each with one segment `s`;
    /// VPCs as (name, account, gateway).
    fn platform(
        accounts: &[&str],
        gateways: &[(&str, &str)],
        vpcs: &[(&str, &str, &str)],
    ) -> Model {
        let mut text = format!(
            "platform \"agents\" {{\n  environment = \"prod\"\n  region = \"us-east-1\"\n  account = \"{}\"\n  state {{\n    bucket = \"agents-prod-terraform-state\"\n  }}\n}}\n",
            accounts[0]
        );
        for (i, name) in accounts.iter().enumerate() {
            let id = format!("{}", i + 1).repeat(12);
            text += &format!("account \"{name}\" {{\n  id = \"{id}\"\n}}\n");
        }
        for (name, account) in gateways {
            text += &format!(
                "transit_gateway \"{name}\" {{\n  account = \"{account}\"\n  segment \"s\" {{}}\n}}\n"
            );
        }
        for (i, (name, account, gateway)) in vpcs.iter().enumerate() {
            let n = i + 10;
            text += &format!(
                "vpc \"{name}\" {{\n  account = \"{account}\"\n  transit_gateway = \"{gateway}\"\n  cidr = \"10.{n}.0.0/16\"\n  azs = [\"us-east-1a\", \"us-east-1b\"]\n  subnets = [\"10.{n}.0.0/24\", \"10.{n}.1.0/24\"]\n  segment = \"s\"\n}}\n"
            );
        }
        let source = crate::source::SourceFile::from_text("accounts.hcl", &text);
        let mut diagnostics = Diagnostics::default();
        let body = crate::syntax::parse(&source, &mut diagnostics).expect("parses");
        let model = crate::lower::lower(
            &body,
            "accounts.hcl",
            &crate::lower::Overrides::default(),
            &mut diagnostics,
        );
        assert!(!diagnostics.has_errors(), "{diagnostics:?}\n{text}");
        model.expect("lowers")
    }

    fn names(model: &Model, cycle: Option<Vec<AccountId>>) -> Option<Vec<String>> {
        cycle.map(|c| {
            c.iter()
                .map(|a| model.accounts.account(*a).name.value.clone())
                .collect()
        })
    }

    /// (name, phase, names of the stacks it needs), in apply order.
    fn stacks(model: &Model) -> Vec<(String, Phase, Vec<String>)> {
        let layout = layout(model);
        layout
            .stacks
            .iter()
            .enumerate()
            .map(|(i, s)| {
                assert!(
                    s.needs.iter().all(|&n| n < i),
                    "`{}` needs a stack applied after it",
                    s.name
                );
                let needs = s
                    .needs
                    .iter()
                    .map(|&n| layout.stacks[n].name.clone())
                    .collect();
                (s.name.clone(), s.phase, needs)
            })
            .collect()
    }

    fn stack(name: &str, phase: Phase, needs: &[&str]) -> (String, Phase, Vec<String>) {
        (
            name.to_string(),
            phase,
            needs.iter().map(ToString::to_string).collect(),
        )
    }

    #[test]
    fn two_accounts_on_each_others_gateways_are_a_circle() {
        let model = platform(
            &["network", "tenants"],
            &[("core", "network"), ("edge", "tenants")],
            &[("a", "tenants", "core"), ("b", "network", "edge")],
        );
        assert_eq!(
            names(&model, model.accounts.attachment_cycle(&model)),
            Some(vec!["network".into(), "tenants".into()])
        );
    }

    #[test]
    fn three_accounts_in_a_ring_are_a_circle_and_a_chain_is_not() {
        let gateways = [("ga", "a"), ("gb", "b"), ("gc", "c")];
        let ring = platform(
            &["a", "b", "c"],
            &gateways,
            &[("x", "a", "gb"), ("y", "b", "gc"), ("z", "c", "ga")],
        );
        assert_eq!(
            names(&ring, ring.accounts.attachment_cycle(&ring)),
            Some(vec!["a".into(), "b".into(), "c".into()])
        );
        let chain = platform(
            &["a", "b", "c"],
            &gateways,
            &[("x", "a", "gb"), ("y", "b", "gc"), ("z", "c", "gc")],
        );
        assert_eq!(chain.accounts.attachment_cycle(&chain), None);
        // A VPC on its own account's gateway is no edge.
        let own = platform(&["a", "b"], &[("ga", "a")], &[("x", "a", "ga")]);
        assert_eq!(own.accounts.attachment_cycle(&own), None);
    }

    #[test]
    fn one_account_is_one_whole_stack() {
        let model = platform(
            &["network", "tenants"],
            &[("core", "network")],
            &[("a", "network", "core")],
        );
        assert!(layout(&model).is_single());
        assert_eq!(stacks(&model), vec![stack("agents", Phase::Whole, &[])]);
    }

    #[test]
    fn three_accounts_apply_gateway_spokes_routing_then_spoke_routes() {
        let model = platform(
            &["network", "agents", "tenants"],
            &[("core", "network")],
            &[
                ("shared", "network", "core"),
                ("agents", "agents", "core"),
                ("tenants", "tenants", "core"),
            ],
        );
        assert_eq!(
            stacks(&model),
            vec![
                stack("network", Phase::Build, &[]),
                stack("agents", Phase::Build, &["network"]),
                stack("tenants", Phase::Build, &["network"]),
                stack(
                    "network-routing",
                    Phase::Routing,
                    &["network", "agents", "tenants"]
                ),
                stack(
                    "agents-routes",
                    Phase::Routes,
                    &["network", "agents", "network-routing"]
                ),
                stack(
                    "tenants-routes",
                    Phase::Routes,
                    &["network", "tenants", "network-routing"]
                ),
            ]
        );
        let l = layout(&model);
        let core = crate::model::TgwId(0);
        assert_eq!(l.stacks[l.routing_of(&model, core)].name, "network-routing");
        let routes: Vec<&str> = (0..3)
            .map(|v| {
                l.stacks[l.routes_of(&model, crate::model::VpcId(v))]
                    .name
                    .as_str()
            })
            .collect();
        assert_eq!(routes, ["network", "agents-routes", "tenants-routes"]);
    }

    #[test]
    fn a_spoke_declared_before_the_gateway_owner_still_applies_after_it() {
        let model = platform(
            &["tenants", "network"],
            &[("core", "network")],
            &[("tenants", "tenants", "core")],
        );
        assert_eq!(
            stacks(&model),
            vec![
                stack("network", Phase::Build, &[]),
                stack("tenants", Phase::Build, &["network"]),
                stack("network-routing", Phase::Routing, &["network", "tenants"]),
                stack(
                    "tenants-routes",
                    Phase::Routes,
                    &["network", "tenants", "network-routing"]
                ),
            ]
        );
    }
}
