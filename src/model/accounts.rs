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
