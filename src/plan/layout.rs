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
