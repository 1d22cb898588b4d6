//! The semantic comparison of two models: segment reachability (from the segregation engine), who
//! may reach each MCP ingress, spending authority per payment manager, and IAM grants per role.

use super::Change;
use crate::model::{Guardrails, Model, PaymentManager};
use crate::segregation::report::Status;
use crate::validate::ValidModel;
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};

/// A pair of segments (unordered: reachability needs both directions) whose reachability changed.
#[derive(Debug, Serialize)]
pub struct ReachChange {
    pub transit_gateway: String,
    pub segments: [String; 2],
    /// `gained` (no attachment pair had traffic before), `lost` (none has now) or `changed`.
    pub change: Change,
    /// Attachment pairs by verdict, before and after (`null` where the segment did not exist).
    pub before: Option<crate::segregation::reach::Cell>,
    pub after: Option<crate::segregation::reach::Cell>,
    /// Whether the blueprint intends the pair to talk, after the change.
    pub intended: bool,
    /// How the pair compares with the intent after the change (`leak`, `ok`, …).
    pub status: Option<Status>,
    /// The VPCs its traffic passes through after the change, either way.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub through: Vec<String>,
}

#[derive(Debug, Serialize)]
pub struct IngressChange {
    pub ingress: String,
    /// `added`, `removed` or `changed`.
    pub change: Change,
    pub consumers_added: Vec<String>,
    pub consumers_removed: Vec<String>,
    pub principals_added: Vec<String>,
    pub principals_removed: Vec<String>,
    /// `[old, new]` when the context-fetch or context-modify role changed.
    pub context_fetch_role: Option<[String; 2]>,
    pub context_modify_role: Option<[String; 2]>,
}

#[derive(Debug, Serialize)]
pub struct PaymentChange {
    pub payment_manager: String,
    pub change: Change,
    pub limits: Vec<LimitChange>,
    pub agents_added: Vec<String>,
    pub agents_removed: Vec<String>,
    pub merchants_added: Vec<String>,
    pub merchants_removed: Vec<String>,
    /// `NAME (provider)`.
    pub connectors_added: Vec<String>,
    pub connectors_removed: Vec<String>,
}

#[derive(Debug, Serialize)]
pub struct LimitChange {
    /// `daily_limit`, `session_limit`, `payment_limit`, `max_payments_per_day`, `burst` or
    /// `currency`.
    pub limit: &'static str,
    pub before: Option<String>,
    pub after: Option<String>,
    /// `raised`, `lowered`, `added`, `removed` or `changed` (currency).
    pub direction: &'static str,
}

#[derive(Debug, Serialize)]
pub struct RoleChange {
    pub role: String,
    pub change: Change,
    pub actions_added: Vec<String>,
    pub actions_removed: Vec<String>,
    /// Policy resources (`*`, ARNs, `${aws_….arn}` references).
    pub targets_added: Vec<String>,
    pub targets_removed: Vec<String>,
}

pub(super) fn reachability(old: &ValidModel, new: &ValidModel) -> Vec<ReachChange> {
    type Key = (String, String, String);
    let cells = |valid: &ValidModel| {
        let report = valid.reach();
        let mut out: BTreeMap<Key, (crate::segregation::reach::Cell, bool, Status, Vec<String>)> =
            BTreeMap::new();
        for g in &report.transit_gateways {
            for c in &g.segment_matrix {
                // Unordered pairs: the verdict of a pair combines both directions, so (a, b) and
                // (b, a) count the same attachment pairs.
                let (a, b) = if c.from <= c.to {
                    (&c.from, &c.to)
                } else {
                    (&c.to, &c.from)
                };
                let entry = out
                    .entry((g.name.clone(), a.clone(), b.clone()))
                    .or_insert((c.pairs, c.intended, c.status, Vec::new()));
                entry.3.extend(c.through.iter().cloned());
                entry.3.sort();
                entry.3.dedup();
            }
        }
        out
    };
    let before = cells(old);
    let after = cells(new);
    let traffic = |c: &crate::segregation::reach::Cell| c.full + c.partial + c.one_way > 0;
    let keys: BTreeSet<&Key> = before.keys().chain(after.keys()).collect();
    let mut out = Vec::new();
    for key in keys {
        let b = before.get(key);
        let a = after.get(key);
        let had = b.is_some_and(|(c, ..)| traffic(c));
        let has = a.is_some_and(|(c, ..)| traffic(c));
        let change = match (had, has) {
            (false, true) => Change::Gained,
            (true, false) => Change::Lost,
            (true, true) if b.map(|x| x.0) != a.map(|x| x.0) => Change::Changed,
            _ => continue,
        };
        out.push(ReachChange {
            transit_gateway: key.0.clone(),
            segments: [key.1.clone(), key.2.clone()],
            change,
            before: b.map(|x| x.0),
            after: a.map(|x| x.0),
            intended: a.is_some_and(|x| x.1),
            status: a.map(|x| x.2),
            through: a.map(|x| x.3.clone()).unwrap_or_default(),
        });
    }
    out.sort_by_key(|c| c.change);
    out
}

// ---------------------------------------------------------------------------------------------
// MCP ingress

pub(super) fn ingress(old: &Model, new: &Model) -> Vec<IngressChange> {
    struct Access {
        consumers: BTreeSet<String>,
        principals: BTreeSet<String>,
        fetch: String,
        modify: String,
    }
    let access = |model: &Model| -> BTreeMap<String, Access> {
        model
            .ingresses
            .iter()
            .map(|i| {
                let access = Access {
                    consumers: i
                        .consumers
                        .iter()
                        .map(|v| model.vpc(v.value).name.value.clone())
                        .collect(),
                    principals: i
                        .allowed_principals
                        .iter()
                        .map(|p| p.value.clone())
                        .collect(),
                    fetch: model.role(i.context_fetch_role.value).name.value.clone(),
                    modify: model.role(i.context_modify_role.value).name.value.clone(),
                };
                (i.name.value.clone(), access)
            })
            .collect()
    };
    let before = access(old);
    let after = access(new);
    let empty = Access {
        consumers: BTreeSet::new(),
        principals: BTreeSet::new(),
        fetch: String::new(),
        modify: String::new(),
    };
    let names: BTreeSet<&String> = before.keys().chain(after.keys()).collect();
    let mut out = Vec::new();
    for name in names {
        let (b, a) = (before.get(name), after.get(name));
        let change = match (b, a) {
            (None, Some(_)) => Change::Added,
            (Some(_), None) => Change::Removed,
            _ => Change::Changed,
        };
        let (b, a) = (b.unwrap_or(&empty), a.unwrap_or(&empty));
        let role = |x: &String, y: &String| {
            (change == Change::Changed && x != y).then(|| [x.clone(), y.clone()])
        };
        let entry = IngressChange {
            ingress: name.clone(),
            change,
            consumers_added: minus(&a.consumers, &b.consumers),
            consumers_removed: minus(&b.consumers, &a.consumers),
            principals_added: minus(&a.principals, &b.principals),
            principals_removed: minus(&b.principals, &a.principals),
            context_fetch_role: role(&b.fetch, &a.fetch),
            context_modify_role: role(&b.modify, &a.modify),
        };
        let changed = change != Change::Changed
            || !(entry.consumers_added.is_empty()
                && entry.consumers_removed.is_empty()
                && entry.principals_added.is_empty()
                && entry.principals_removed.is_empty()
                && entry.context_fetch_role.is_none()
                && entry.context_modify_role.is_none());
        if changed {
            out.push(entry);
        }
    }
    out
}

fn minus(a: &BTreeSet<String>, b: &BTreeSet<String>) -> Vec<String> {
    a.difference(b).cloned().collect()
}

// ---------------------------------------------------------------------------------------------
// Payments

pub(super) fn payments(old: &Model, new: &Model) -> Vec<PaymentChange> {
    let before = managers(old);
    let after = managers(new);
    let names: BTreeSet<&String> = before.keys().chain(after.keys()).collect();
    let mut out = Vec::new();
    for name in names {
        let (b, a) = (before.get(name), after.get(name));
        let change = match (b, a) {
            (None, Some(_)) => Change::Added,
            (Some(_), None) => Change::Removed,
            _ => Change::Changed,
        };
        let agents = |m: Option<&&PaymentManager>, model: &Model| -> BTreeSet<String> {
            m.map(|m| {
                m.agents
                    .iter()
                    .map(|r| model.role(r.value).name.value.clone())
                    .collect()
            })
            .unwrap_or_default()
        };
        let merchants = |m: Option<&&PaymentManager>| -> BTreeSet<String> {
            m.map(|m| {
                m.guardrails
                    .allowed_merchants
                    .value
                    .iter()
                    .map(|h| h.value.clone())
                    .collect()
            })
            .unwrap_or_default()
        };
        let connectors = |m: Option<&&PaymentManager>| -> BTreeSet<String> {
            m.map(|m| {
                m.connectors
                    .iter()
                    .map(|c| format!("{} ({})", c.name.value, c.provider.value.as_str()))
                    .collect()
            })
            .unwrap_or_default()
        };
        let (agents_b, agents_a) = (agents(b, old), agents(a, new));
        let (merchants_b, merchants_a) = (merchants(b), merchants(a));
        let (connectors_b, connectors_a) = (connectors(b), connectors(a));
        let entry = PaymentChange {
            payment_manager: name.clone(),
            change,
            limits: limits(b.map(|m| &m.guardrails), a.map(|m| &m.guardrails)),
            agents_added: minus(&agents_a, &agents_b),
            agents_removed: minus(&agents_b, &agents_a),
            merchants_added: minus(&merchants_a, &merchants_b),
            merchants_removed: minus(&merchants_b, &merchants_a),
            connectors_added: minus(&connectors_a, &connectors_b),
            connectors_removed: minus(&connectors_b, &connectors_a),
        };
        let changed = change != Change::Changed
            || !(entry.limits.is_empty()
                && entry.agents_added.is_empty()
                && entry.agents_removed.is_empty()
                && entry.merchants_added.is_empty()
                && entry.merchants_removed.is_empty()
                && entry.connectors_added.is_empty()
                && entry.connectors_removed.is_empty());
        if changed {
            out.push(entry);
        }
    }
    out
}

fn managers(model: &Model) -> BTreeMap<String, &PaymentManager> {
    model
        .payment_managers
        .iter()
        .map(|m| (m.name.value.clone(), m))
        .collect()
}

/// Limit changes, each with its direction. A burst is compared as a rate (payments per minute).
fn limits(before: Option<&Guardrails>, after: Option<&Guardrails>) -> Vec<LimitChange> {
    // (name, text, comparable magnitude as a fraction numerator/denominator)
    let values = |g: &Guardrails| -> Vec<(&'static str, String, u128, u128)> {
        let money = |m: crate::model::Money| format!("{m} {}", g.currency.value);
        vec![
            (
                "daily_limit",
                money(g.daily_limit.value),
                u128::from(g.daily_limit.value.micros),
                1,
            ),
            (
                "session_limit",
                money(g.session_limit.value),
                u128::from(g.session_limit.value.micros),
                1,
            ),
            (
                "payment_limit",
                money(g.payment_limit.value),
                u128::from(g.payment_limit.value.micros),
                1,
            ),
            (
                "max_payments_per_day",
                g.max_payments_per_day.value.to_string(),
                u128::from(g.max_payments_per_day.value),
                1,
            ),
            (
                "burst",
                format!(
                    "{} payments per {} min",
                    g.burst.max_payments.value, g.burst.window_minutes.value
                ),
                u128::from(g.burst.max_payments.value),
                u128::from(g.burst.window_minutes.value.max(1)),
            ),
        ]
    };
    let mut out = Vec::new();
    if let (Some(b), Some(a)) = (before, after)
        && b.currency.value != a.currency.value
    {
        out.push(LimitChange {
            limit: "currency",
            before: Some(b.currency.value.clone()),
            after: Some(a.currency.value.clone()),
            direction: "changed",
        });
    }
    let b = before.map(values).unwrap_or_default();
    let a = after.map(values).unwrap_or_default();
    let names = [
        "daily_limit",
        "session_limit",
        "payment_limit",
        "max_payments_per_day",
        "burst",
    ];
    for name in names {
        let old = b.iter().find(|v| v.0 == name);
        let new = a.iter().find(|v| v.0 == name);
        let direction = match (old, new) {
            (None, Some(_)) => "added",
            (Some(_), None) => "removed",
            (Some(o), Some(n)) => {
                // o.2 / o.3 against n.2 / n.3, exactly.
                match (n.2 * o.3).cmp(&(o.2 * n.3)) {
                    std::cmp::Ordering::Greater => "raised",
                    std::cmp::Ordering::Less => "lowered",
                    std::cmp::Ordering::Equal if o.1 != n.1 => "changed",
                    std::cmp::Ordering::Equal => continue,
                }
            }
            (None, None) => continue,
        };
        out.push(LimitChange {
            limit: name,
            before: old.map(|v| v.1.clone()),
            after: new.map(|v| v.1.clone()),
            direction,
        });
    }
    out
}

// ---------------------------------------------------------------------------------------------
// IAM

pub(super) fn iam(old: &Model, new: &Model) -> Vec<RoleChange> {
    let grants = |model: &Model| -> BTreeMap<String, (BTreeSet<String>, BTreeSet<String>)> {
        let mut out = BTreeMap::new();
        for role in
            crate::plan::identity::plan(model, &mut crate::plan::labels::LabelSpace::default())
                .map(|v| v.roles)
                .unwrap_or_default()
        {
            let mut actions = BTreeSet::new();
            let mut targets = BTreeSet::new();
            for s in &role.iam.statements {
                actions.extend(s.actions.iter().cloned());
                targets.extend(s.resources.iter().map(policy_resource));
            }
            out.insert(role.name, (actions, targets));
        }
        out
    };
    let before = grants(old);
    let after = grants(new);
    let empty = (BTreeSet::new(), BTreeSet::new());
    let names: BTreeSet<&String> = before.keys().chain(after.keys()).collect();
    let mut out = Vec::new();
    for name in names {
        let (b, a) = (before.get(name), after.get(name));
        let change = match (b, a) {
            (None, Some(_)) => Change::Added,
            (Some(_), None) => Change::Removed,
            _ => Change::Changed,
        };
        let (b, a) = (b.unwrap_or(&empty), a.unwrap_or(&empty));
        let entry = RoleChange {
            role: name.clone(),
            change,
            actions_added: minus(&a.0, &b.0),
            actions_removed: minus(&b.0, &a.0),
            targets_added: minus(&a.1, &b.1),
            targets_removed: minus(&b.1, &a.1),
        };
        if change != Change::Changed
            || !(entry.actions_added.is_empty()
                && entry.actions_removed.is_empty()
                && entry.targets_added.is_empty()
                && entry.targets_removed.is_empty())
        {
            out.push(entry);
        }
    }
    out
}

/// A policy resource as the generated HCL writes it: a literal, or `${reference}suffix`.
fn policy_resource(value: &serde_json::Value) -> String {
    match value {
        serde_json::Value::String(s) => s.clone(),
        serde_json::Value::Object(o) => {
            let path = o.get("$ref").and_then(|v| v.as_str()).unwrap_or_default();
            let suffix = o
                .get("$suffix")
                .and_then(|v| v.as_str())
                .unwrap_or_default();
            format!("${{{path}}}{suffix}")
        }
        other => other.to_string(),
    }
}
