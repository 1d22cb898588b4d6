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
}

impl Layout {
    /// Whether the platform is one stack (one account).
    pub fn is_single(&self) -> bool {
        self.stacks.len() == 1 && self.stacks[0].phase == Phase::Whole
    }

    fn find(&self, account: AccountId, phase: Phase) -> Option<usize> {
        self.stacks
            .iter()
            .position(|s| s.account == account && (s.phase == phase || s.phase == Phase::Whole))
    }

    /// The stack that holds an account's own resources.
    pub fn build(&self, account: AccountId) -> usize {
        self.find(account, Phase::Build)
            .expect("every account that holds a component has a stack")
    }

    /// The stack that holds a gateway's route tables, associations, propagations and static routes.
    pub fn routing_of(&self, model: &Model, tgw: TgwId) -> usize {
        let owner = model.accounts.transit_gateways[tgw.0].account;
        if model.accounts.is_shared(model, tgw) {
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
        return Layout {
            stacks: vec![StackSpec {
                name: model.platform.name.value.clone(),
                account: accounts.default,
                phase: Phase::Whole,
                needs: Vec::new(),
            }],
        };
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
    let mut layout = Layout { stacks };
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
            needs[routes].extend([build, routing]);
        }
    }
    for (stack, mut n) in layout.stacks.iter_mut().zip(needs) {
        n.sort_unstable();
        n.dedup();
        stack.needs = n;
    }
    in_apply_order(&layout)
}

/// The stacks sorted so each comes after what it needs (declaration order where free). Validation
/// rejects the one cycle the waves allow (accounts attached to each other's gateways in a
/// circle, `Accounts::attachment_cycle`, `AF961`), so there is none here.
fn in_apply_order(layout: &Layout) -> Layout {
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
    Layout { stacks }
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
                    &["agents", "network-routing"]
                ),
                stack(
                    "tenants-routes",
                    Phase::Routes,
                    &["tenants", "network-routing"]
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
                    &["tenants", "network-routing"]
                ),
            ]
        );
    }
}
