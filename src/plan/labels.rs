//! The label space: every Terraform resource and data source the plan creates, with the blueprint
//! component that owns it. Views get their labels here ([`LabelSpace::claim`]), so a label a view
//! writes is always one the collision check has seen.
//!
//! Why: labels join blueprint names with `_` and `__` (`core` + `tenant-a` → `core_tenant_a`), so
//! two different components could map to one label and overwrite each other in the generated stack.
//!
//! Example: transit gateway `a` with segment `b-c`, and transit gateway `a-b` with segment `c`; or
//! segment `x--vpc-a` with vpc `b`, and segment `x` with vpc `a--vpc-b` (propagation labels).

use super::Ref;
use crate::diag::{Code, Diagnostic, Diagnostics, Span};
use serde::{Serialize, Serializer};
use std::collections::hash_map::Entry;
use std::collections::{HashMap, HashSet};
use std::hash::{BuildHasherDefault, Hasher};

/// FNV-1a: the label space hashes every label of the stack (140,000 at 10,000 VPCs), and none of its
/// keys come from an adversary, so a fast non-keyed hash beats the default SipHash.
#[derive(Default)]
struct Fnv(u64);

impl Hasher for Fnv {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        let mut hash = if self.0 == 0 {
            0xcbf2_9ce4_8422_2325
        } else {
            self.0
        };
        for &b in bytes {
            hash ^= u64::from(b);
            hash = hash.wrapping_mul(0x0100_0000_01b3);
        }
        self.0 = hash;
    }
}

type FastMap<K, V> = HashMap<K, V, BuildHasherDefault<Fnv>>;

/// A resource or data source of the stack: its type (`data.`-prefixed for a data source, `check`
/// for a check block) and its label. It serializes as its label, which is what a template writes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Resource {
    pub kind: &'static str,
    pub label: String,
}

impl Resource {
    /// A reference to one of its attributes: `TYPE.LABEL.ATTRIBUTE`.
    pub fn r(&self, attribute: &str) -> Ref {
        Ref::attr(self.kind, &self.label, attribute)
    }

    /// The resource itself (for `depends_on`): `TYPE.LABEL`.
    pub fn whole(&self) -> Ref {
        Ref::new(format!("{}.{}", self.kind, self.label))
    }
}

impl Serialize for Resource {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.label)
    }
}

/// The component that owns labels: how a diagnostic names it, and the block that declares it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Owner(usize);

#[derive(Default)]
pub struct LabelSpace {
    owners: Vec<(String, Span)>,
    by_description: FastMap<String, Owner>,
    /// (type, label) → the owner that claimed it first. Only looked up, never iterated.
    seen: FastMap<(&'static str, String), Owner>,
    /// Owner pairs already reported: a collision of two components is one diagnostic, however
    /// many of their resources collide.
    reported: HashSet<(Owner, Owner)>,
    diagnostics: Vec<Diagnostic>,
}

impl LabelSpace {
    /// A label space sized for about `labels` labels (a stack has about 15 per VPC), so that the
    /// maps do not rehash while a large network is planned.
    pub fn with_capacity(labels: usize) -> Self {
        LabelSpace {
            owners: Vec::with_capacity(labels / 4),
            by_description: FastMap::with_capacity_and_hasher(
                labels / 4,
                BuildHasherDefault::default(),
            ),
            seen: FastMap::with_capacity_and_hasher(labels, BuildHasherDefault::default()),
            ..LabelSpace::default()
        }
    }

    /// The owner described as `what` (e.g. "segment `b-c` of transit_gateway `a`"), declared at
    /// `span`; the same description is the same owner.
    pub fn owner(&mut self, what: impl Into<String>, span: Span) -> Owner {
        let what = what.into();
        if let Some(&owner) = self.by_description.get(&what) {
            return owner;
        }
        let owner = Owner(self.owners.len());
        self.owners.push((what.clone(), span));
        self.by_description.insert(what, owner);
        owner
    }

    /// Registers the resource `kind` `label` as created by `owner`; a label another owner already
    /// has for this type is a collision.
    pub fn claim(
        &mut self,
        owner: Owner,
        kind: &'static str,
        label: impl Into<String>,
    ) -> Resource {
        let label = label.into();
        let other = match self.seen.entry((kind, label.clone())) {
            Entry::Vacant(entry) => {
                entry.insert(owner);
                return Resource { kind, label };
            }
            Entry::Occupied(entry) => *entry.get(),
        };
        if other != owner && self.reported.insert((owner, other)) {
            {
                let (what, span) = &self.owners[owner.0];
                let (other_what, other_span) = &self.owners[other.0];
                self.diagnostics.push(
                    Diagnostic::error(
                        Code::LabelCollision,
                        *span,
                        format!(
                            "{what} and {other_what} would both become Terraform label `{label}`"
                        ),
                    )
                    .with_label(*other_span, "the other component"),
                );
            }
        }
        Resource { kind, label }
    }

    /// Adds the collisions found to `diagnostics`.
    pub fn report(self, diagnostics: &mut Diagnostics) {
        for d in self.diagnostics {
            diagnostics.push(d);
        }
    }
}
