//! Accounts: the AWS accounts a platform spans, where each component is placed, how a gateway is
//! shared with the accounts attached to it, and the remote state backend its stacks share.
//!
//! A blueprint without `account` blocks has one account (the platform's `account_id`), named after
//! the platform, and every component is placed in it.

use super::{Model, Name, TgwId};
use crate::diag::{Span, Spanned};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct AccountId(pub usize);

#[derive(Debug, Clone)]
pub struct Account {
    /// The block's label (or the platform's name for the implicit account).
    pub name: Name,
    /// The 12-digit account id.
    pub id: String,
    /// The IAM role Terraform acts as in this account: the role the CI job of each of the
    /// account's stacks assumes (through GitHub's OIDC provider). `None`: the credentials the
    /// runner already has.
    pub role: Option<Spanned<String>>,
    /// The organizational unit the account belongs to (its ARN), when it is a member of an AWS
    /// Organization with resource sharing enabled: shares reach it without an invitation to accept.
    pub organization_unit: Option<Spanned<String>>,
}

/// Where one component lives: its account, and where the blueprint said so (`None` when it is the
/// default: the platform's account, or for an ingress, a file system and an interconnect, the
/// account of their VPC or gateway).
#[derive(Debug, Clone, Copy)]
pub struct Placement {
    pub account: AccountId,
    pub written: Option<Span>,
}

/// How a transit gateway's RAM share names the accounts attached to it (`share_with`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ShareWith {
    /// Each attached account by id (the default): exactly the accounts that attach.
    Accounts,
    /// The organizational units of the attached accounts: every account of those units may attach.
    OrganizationUnits,
}

impl ShareWith {
    pub const CHOICES: &'static [&'static str] = &["accounts", "organization_units"];
}

/// The remote state backend every stack writes its state to and reads the others' from (`platform
/// { state { } }`): S3, with S3-native lock files.
#[derive(Debug, Clone)]
pub struct StateBackend {
    pub bucket: Spanned<String>,
    pub region: String,
    /// Each stack's state is `<key_prefix>/<stack>/terraform.tfstate`.
    pub key_prefix: String,
    pub span: Span,
}

/// The accounts of a platform and the placement of every component, by the index of the
/// component in its `Model` list.
#[derive(Debug, Clone)]
pub struct Accounts {
    pub list: Vec<Account>,
    /// The platform's account (`platform { account = "NAME" }`, or the implicit one).
    pub default: AccountId,
    /// Whether the blueprint declares `account` blocks.
    pub declared: bool,
    pub transit_gateways: Vec<Placement>,
    /// Per transit gateway, `share_with` and where it was written.
    pub share_with: Vec<Spanned<ShareWith>>,
    pub vpcs: Vec<Placement>,
    pub interconnects: Vec<Placement>,
    pub ingresses: Vec<Placement>,
    pub s3_files: Vec<Placement>,
    pub iam_roles: Vec<Placement>,
    pub payment_managers: Vec<Placement>,
    pub audit_trail: Option<Placement>,
}

impl Accounts {
    pub fn account(&self, id: AccountId) -> &Account {
        &self.list[id.0]
    }

    /// Whether components live in more than one account.
    pub fn spans_accounts(&self) -> bool {
        let first = self.default;
        let all = self
            .transit_gateways
            .iter()
            .chain(&self.vpcs)
            .chain(&self.interconnects)
            .chain(&self.ingresses)
            .chain(&self.s3_files)
            .chain(&self.iam_roles)
            .chain(&self.payment_managers)
            .chain(&self.audit_trail);
        all.map(|p| p.account).any(|a| a != first)
    }

    /// The accounts whose VPCs attach to a gateway, other than its own, in order.
    pub fn attached_accounts(&self, model: &Model, tgw: TgwId) -> Vec<AccountId> {
        let owner = self.transit_gateways[tgw.0].account;
        let mut accounts: Vec<AccountId> = model
            .vpcs
            .iter()
            .zip(&self.vpcs)
            .filter(|(vpc, p)| vpc.transit_gateway == tgw && p.account != owner)
            .map(|(_, p)| p.account)
            .collect();
        accounts.sort();
        accounts.dedup();
        accounts
    }

    /// Whether a gateway is shared: a VPC of another account attaches to it.
    pub fn is_shared(&self, model: &Model, tgw: TgwId) -> bool {
        !self.attached_accounts(model, tgw).is_empty()
    }

    /// Accounts attached to each other's gateways in a circle (A's VPC on B's gateway, B's on
    /// A's): each one's stack would need the other's first, so no order exists. The accounts of
    /// the first circle found, in order.
    pub fn attachment_cycle(&self, model: &Model) -> Option<Vec<AccountId>> {
        // spoke -> owners whose build it needs
        let mut needs: Vec<Vec<AccountId>> = vec![Vec::new(); self.list.len()];
        for (i, placement) in self.transit_gateways.iter().enumerate() {
            for a in self.attached_accounts(model, TgwId(i)) {
                needs[a.0].push(placement.account);
            }
        }
        // 0 unvisited, 1 on the path, 2 done.
        let mut state = vec![0u8; self.list.len()];
        let mut path: Vec<AccountId> = Vec::new();
        (0..self.list.len()).find_map(|a| {
            (state[a] == 0)
                .then(|| visit(AccountId(a), &needs, &mut state, &mut path))
                .flatten()
        })
    }
}

/// Depth-first search for a circle in `needs` (spoke account -> owner accounts).
fn visit(
    a: AccountId,
    needs: &[Vec<AccountId>],
    state: &mut [u8],
    path: &mut Vec<AccountId>,
) -> Option<Vec<AccountId>> {
    state[a.0] = 1;
    path.push(a);
    for &b in &needs[a.0] {
        if state[b.0] == 1 {
            let start = path.iter().position(|&p| p == b).expect("on the path");
            return Some(path[start..].to_vec());
        }
        if state[b.0] == 0
            && let Some(cycle) = visit(b, needs, state, path)
        {
            return Some(cycle);
        }
    }
    path.pop();
    state[a.0] = 2;
    None
}

/// The model as one account's stack sees it: the platform's account is that account, and the
/// components placed elsewhere that the stack does not plan by scope (ingresses, file systems,
/// roles, payment managers, the audit trail) are left out, the references between the remaining
/// ones renumbered. Gateways, VPCs and interconnects stay whole: the segregation intent and the
/// reachability report index them, and the network plan decides per stack what of them to write.
/// Validation has rejected references between components of different accounts (`AF961`), so no
/// reference points at a component left out.
///
/// `components = false` leaves out every ingress, file system, role, payment manager and audit
/// trail: a stack that only routes (a gateway owner's routing, an account's routes) holds none.
pub fn project(model: &Model, account: AccountId, components: bool) -> Model {
    use super::{Component, IamRoleId, IngressId, PaymentManagerId, Principal, S3FilesId, Target};
    let accounts = &model.accounts;
    let here = |p: &Placement| components && p.account == account;
    let keep = |placements: &[Placement]| -> Vec<Option<usize>> {
        let mut next = 0;
        placements
            .iter()
            .map(|p| {
                here(p).then(|| {
                    next += 1;
                    next - 1
                })
            })
            .collect()
    };
    let ingresses = keep(&accounts.ingresses);
    let files = keep(&accounts.s3_files);
    let roles = keep(&accounts.iam_roles);
    let managers = keep(&accounts.payment_managers);
    let role = |id: IamRoleId| IamRoleId(roles[id.0].expect("AF961: a role of the same account"));
    let spanned_role = |r: &Spanned<IamRoleId>| Spanned::new(role(r.value), r.span);
    let principal = |p: &Spanned<Principal>| {
        Spanned::new(
            match &p.value {
                Principal::Role(id) => Principal::Role(role(*id)),
                Principal::Arn(arn) => Principal::Arn(arn.clone()),
            },
            p.span,
        )
    };
    let component = |c: Component| match c {
        Component::EndpointService(i) => {
            Component::EndpointService(IngressId(ingresses[i.0].expect("AF961")))
        }
        Component::IngressLogs(i) => {
            Component::IngressLogs(IngressId(ingresses[i.0].expect("AF961")))
        }
        Component::FileSystem(f) => Component::FileSystem(S3FilesId(files[f.0].expect("AF961"))),
        Component::AccessPoint(f, ap) => {
            Component::AccessPoint(S3FilesId(files[f.0].expect("AF961")), ap)
        }
        Component::PaymentManager(m) => {
            Component::PaymentManager(PaymentManagerId(managers[m.0].expect("AF961")))
        }
    };
    let filtered = |placements: &[Placement]| {
        placements
            .iter()
            .filter(|p| here(p))
            .copied()
            .collect::<Vec<_>>()
    };
    let mut projected = Model {
        source: model.source.clone(),
        platform: model.platform.clone(),
        transit_gateways: model.transit_gateways.clone(),
        vpcs: model.vpcs.clone(),
        interconnects: model.interconnects.clone(),
        ingresses: model
            .ingresses
            .iter()
            .zip(&ingresses)
            .filter(|(_, k)| k.is_some())
            .map(|(i, _)| {
                let mut i = i.clone();
                i.context_fetch_role = spanned_role(&i.context_fetch_role);
                i.context_modify_role = spanned_role(&i.context_modify_role);
                i
            })
            .collect(),
        s3_files: model
            .s3_files
            .iter()
            .zip(&files)
            .filter(|(_, k)| k.is_some())
            .map(|(f, _)| {
                let mut f = f.clone();
                for ap in &mut f.access_points {
                    ap.roles = ap.roles.iter().map(spanned_role).collect();
                }
                f
            })
            .collect(),
        iam_roles: model
            .iam_roles
            .iter()
            .zip(&roles)
            .filter(|(_, k)| k.is_some())
            .map(|(r, _)| {
                let mut r = r.clone();
                for allow in &mut r.allows {
                    for target in &mut allow.on {
                        if let Target::Component(c) = target.value {
                            target.value = Target::Component(component(c));
                        }
                    }
                }
                r
            })
            .collect(),
        payment_managers: model
            .payment_managers
            .iter()
            .zip(&managers)
            .filter(|(_, k)| k.is_some())
            .map(|(m, _)| {
                let mut m = m.clone();
                m.agents = m.agents.iter().map(spanned_role).collect();
                for list in [
                    &mut m.admin_principals,
                    &mut m.session_principals,
                    &mut m.payment_principals,
                ] {
                    *list = list.iter().map(principal).collect();
                }
                m
            })
            .collect(),
        audit_trail: model
            .audit_trail
            .clone()
            .filter(|_| accounts.audit_trail.as_ref().is_some_and(here)),
        vpc_tenants: model.vpc_tenants.clone(),
        accounts: Accounts {
            ingresses: filtered(&accounts.ingresses),
            s3_files: filtered(&accounts.s3_files),
            iam_roles: filtered(&accounts.iam_roles),
            payment_managers: filtered(&accounts.payment_managers),
            audit_trail: accounts.audit_trail.filter(|p| here(p)),
            ..accounts.clone()
        },
    };
    projected
        .platform
        .account_id
        .clone_from(&accounts.list[account.0].id);
    projected
}
