//! The headline of a diff and its pull-request comment, written by `templates/diff.md.j2`: Rust
//! decides what is shown (every list capped, the headline and the whole under their bounds), the
//! template how.

use super::resources::{Replaced, Updated};
use super::semantic::{LimitChange, ReachChange};
use super::{Change, Diff};
use crate::segregation::reach::Cell;
use crate::segregation::report::Status;
use minijinja::value::Serde;
use minijinja::{Environment, UndefinedBehavior, Value};
use serde::Serialize;

/// Items shown per list before "… and N more".
const LIST_CAP: usize = 50;
/// Items named in one headline line.
const HEADLINE_CAP: usize = 5;
/// The headline stops after this many bytes.
const HEADLINE_BYTES: usize = 10_000;
/// The markdown stays under this many characters (GitHub's comment limit is 65,536).
pub const MARKDOWN_CAP: usize = 60_000;

fn named(items: &[String], cap: usize) -> String {
    let mut text: Vec<String> = items.iter().take(cap).cloned().collect();
    if items.len() > cap {
        text.push(format!("… and {} more", items.len() - cap));
    }
    text.join(", ")
}

fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

fn pair_text(c: &ReachChange) -> String {
    let [a, b] = &c.segments;
    let pair = if a == b {
        format!("within `{a}`")
    } else {
        format!("`{a}` ↔ `{b}`")
    };
    if c.through.is_empty() {
        pair
    } else {
        let through: Vec<String> = c.through.iter().map(|t| format!("`{t}`")).collect();
        format!("{pair} (through {})", through.join(", "))
    }
}

pub(super) fn summary(d: &Diff) -> Vec<String> {
    let mut lines = Vec::new();
    for (change, verb) in [
        (Change::Gained, "gains reachability"),
        (Change::Lost, "loses reachability"),
        (Change::Changed, "changes reachability"),
    ] {
        let pairs: Vec<String> = d
            .reachability
            .iter()
            .filter(|c| c.change == change)
            .map(|c| {
                let mut text = pair_text(c);
                if change == Change::Gained && !c.intended {
                    text.push_str(" (not intended: leak)");
                }
                text
            })
            .collect();
        if !pairs.is_empty() {
            let subject = plural(pairs.len(), "segment pair", "segment pairs");
            let verb = if pairs.len() == 1 {
                verb.to_string()
            } else {
                verb.replacen("gains", "gain", 1)
                    .replacen("loses", "lose", 1)
                    .replacen("changes", "change", 1)
            };
            lines.push(format!("{subject} {verb}: {}", named(&pairs, HEADLINE_CAP)));
        }
    }
    if d.reachability.is_empty() {
        lines.push("No segment pair gains or loses reachability".to_string());
    }
    for i in &d.ingress {
        let mut parts = Vec::new();
        match i.change {
            Change::Added => parts.push("is new".to_string()),
            Change::Removed => parts.push("is removed".to_string()),
            _ => {}
        }
        let list = |label: &str, items: &[String]| {
            let items: Vec<String> = items.iter().map(|x| format!("`{x}`")).collect();
            (!items.is_empty()).then(|| format!("{label} {}", named(&items, HEADLINE_CAP)))
        };
        if i.change != Change::Removed {
            parts.extend(list("gains consumer VPCs", &i.consumers_added));
            parts.extend(list("gains principals", &i.principals_added));
        }
        if i.change != Change::Added {
            parts.extend(list("loses consumer VPCs", &i.consumers_removed));
            parts.extend(list("loses principals", &i.principals_removed));
        }
        for (label, role) in [
            ("context-fetch role", &i.context_fetch_role),
            ("context-modify role", &i.context_modify_role),
        ] {
            if let Some([b, a]) = role {
                parts.push(format!("{label} `{b}` → `{a}`"));
            }
        }
        lines.push(format!("MCP ingress `{}` {}", i.ingress, parts.join("; ")));
    }
    for p in &d.payments {
        let mut parts = Vec::new();
        match p.change {
            Change::Added => parts.push("is new".to_string()),
            Change::Removed => parts.push("is removed".to_string()),
            _ => {}
        }
        if p.change == Change::Changed {
            for l in &p.limits {
                parts.push(format!(
                    "`{}` {} ({} → {})",
                    l.limit,
                    l.direction,
                    l.before.as_deref().unwrap_or("none"),
                    l.after.as_deref().unwrap_or("none")
                ));
            }
        }
        for (label, items) in [
            ("agents added", &p.agents_added),
            ("agents removed", &p.agents_removed),
            ("merchants added", &p.merchants_added),
            ("merchants removed", &p.merchants_removed),
            ("connectors added", &p.connectors_added),
            ("connectors removed", &p.connectors_removed),
        ] {
            if !items.is_empty() && p.change == Change::Changed {
                let items: Vec<String> = items.iter().map(|x| format!("`{x}`")).collect();
                parts.push(format!("{label}: {}", named(&items, HEADLINE_CAP)));
            }
        }
        lines.push(format!(
            "Spending authority of payment manager `{}`: {}",
            p.payment_manager,
            parts.join("; ")
        ));
    }
    if !d.iam.is_empty() {
        let added: usize = d.iam.iter().map(|r| r.actions_added.len()).sum();
        let removed: usize = d.iam.iter().map(|r| r.actions_removed.len()).sum();
        let roles: Vec<String> = d.iam.iter().map(|r| format!("`{}`", r.role)).collect();
        lines.push(format!(
            "IAM: {} added, {} removed across {}: {}",
            plural(added, "action", "actions"),
            removed,
            plural(d.iam.len(), "role", "roles"),
            named(&roles, HEADLINE_CAP)
        ));
    }
    let r = &d.resources;
    if !r.replaced.is_empty() {
        let items: Vec<String> = r
            .replaced
            .iter()
            .filter(|x| x.because_of.is_empty())
            .map(|x| format!("`{}` (`{}`)", x.address, x.arguments.join("`, `")))
            .collect();
        lines.push(format!(
            "{} will be **replaced** (destroyed and created again), starting with {}",
            plural(r.replaced.len(), "resource", "resources"),
            named(&items, HEADLINE_CAP)
        ));
    }
    if !(r.added.is_empty()
        && r.destroyed.is_empty()
        && r.updated.is_empty()
        && r.replaced.is_empty())
    {
        lines.push(format!(
            "Resources: {} added, {} destroyed, {} updated in place, {} replaced",
            r.added.len(),
            r.destroyed.len(),
            r.updated.len(),
            r.replaced.len()
        ));
    }
    lines
}

/// The comment's template, embedded so the binary works from any directory.
const TEMPLATE: &str = include_str!("../../templates/diff.md.j2");

/// A list as a section shows it: at most [`LIST_CAP`] rows, and how many more there are.
#[derive(Serialize)]
struct List<T> {
    /// The entries the section's title counts.
    count: usize,
    rows: Vec<T>,
    more: usize,
}

fn list<T>(count: usize, rows: Vec<T>) -> List<T> {
    let more = rows.len().saturating_sub(LIST_CAP);
    List {
        count,
        rows: rows.into_iter().take(LIST_CAP).collect(),
        more,
    }
}

#[derive(Serialize)]
struct ReachRow<'a> {
    transit_gateway: &'a str,
    pair: String,
    change: &'static str,
    before: Option<Cell>,
    after: Option<Cell>,
    status: &'static str,
}

/// A row of the ingress, spending and IAM tables: `item` (a list entry of its owner), `role` (a
/// context role before and after) or `limit`.
#[derive(Serialize)]
struct Row<'a> {
    kind: &'static str,
    owner: &'a str,
    label: &'a str,
    item: Option<&'a str>,
    before: Option<&'a str>,
    after: Option<&'a str>,
    limit: Option<&'a LimitChange>,
}

impl<'a> Row<'a> {
    fn item(owner: &'a str, label: &'a str, item: &'a str) -> Self {
        Row {
            kind: "item",
            owner,
            label,
            item: Some(item),
            before: None,
            after: None,
            limit: None,
        }
    }
}

/// One row per item of each list, in order.
fn owned_rows<'a>(rows: &mut Vec<Row<'a>>, owner: &'a str, lists: &[(&'a str, &'a Vec<String>)]) {
    for (label, items) in lists {
        rows.extend(items.iter().map(|x| Row::item(owner, label, x)));
    }
}

/// A section of the comment, in the order they appear.
#[derive(Serialize)]
#[serde(tag = "name", rename_all = "snake_case")]
enum Section<'a> {
    Reach {
        count: usize,
        list: List<ReachRow<'a>>,
    },
    Ingress {
        count: usize,
        list: List<Row<'a>>,
    },
    Payments {
        count: usize,
        list: List<Row<'a>>,
    },
    Iam {
        count: usize,
        list: List<Row<'a>>,
    },
    Resources {
        replaced: List<&'a Replaced>,
        added: List<&'a String>,
        destroyed: List<&'a String>,
        updated: List<&'a Updated>,
    },
}

/// What the template writes: Rust has decided which headline lines and sections fit.
#[derive(Serialize)]
struct Document<'a> {
    old: &'a str,
    new: &'a str,
    changed: bool,
    headline: &'a [String],
    headline_more: usize,
    sections: Vec<Section<'a>>,
    cut: bool,
}

impl Diff {
    /// A pull-request comment: the headline first, details collapsed, every list capped and the
    /// whole under [`MARKDOWN_CAP`] characters.
    pub fn markdown(&self) -> String {
        self.render_markdown()
            .expect("the embedded diff template renders")
    }

    fn render_markdown(&self) -> Result<String, minijinja::Error> {
        let mut env = Environment::new();
        env.set_undefined_behavior(UndefinedBehavior::Strict);
        env.set_syntax(
            minijinja::syntax::SyntaxConfig::builder()
                .keep_trailing_newline(true)
                .build()?,
        );
        env.add_template("diff.md.j2", TEMPLATE)?;
        let template = env.get_template("diff.md.j2")?;
        let mut captured = template.render_captured(())?;
        captured.with_state_mut(|state| {
            let mut call = |name: &str, value: Value| state.call_macro(name, &[value]);
            let mut document = Document {
                old: &self.old,
                new: &self.new,
                changed: self.has_changes(),
                headline: &[],
                headline_more: 0,
                sections: Vec::new(),
                cut: false,
            };
            if !document.changed {
                return call("document", Value::from(Serde(&document)));
            }
            let mut len = call("title", Value::from(Serde(&document)))?.len();
            // The headline has a line per ingress and payment manager that changed: bound it too.
            let mut shown = self.summary.len();
            for (i, line) in self.summary.iter().enumerate() {
                if len + line.len() > HEADLINE_BYTES {
                    shown = i;
                    document.headline_more = self.summary.len() - i;
                    len += call("headline_more", Value::from(document.headline_more))?.len();
                    break;
                }
                len += call("headline_line", Value::from(line.as_str()))?.len();
            }
            document.headline = &self.summary[..shown];
            let closing = state.call_macro("closing", &[])?.len();
            let mut call = |name: &str, value: Value| state.call_macro(name, &[value]);
            for section in self.sections() {
                let text = call("section", Value::from(Serde(&section)))?;
                if len + text.len() + closing > MARKDOWN_CAP {
                    document.cut = true;
                    break;
                }
                len += text.len();
                document.sections.push(section);
            }
            call("document", Value::from(Serde(&document)))
        })
    }

    /// The sections with something to show.
    fn sections(&self) -> Vec<Section<'_>> {
        let mut out = Vec::new();
        if !self.reachability.is_empty() {
            let rows = self
                .reachability
                .iter()
                .map(|c| ReachRow {
                    transit_gateway: &c.transit_gateway,
                    pair: pair_text(c),
                    change: match c.change {
                        Change::Gained => "gained",
                        Change::Lost => "lost",
                        _ => "changed",
                    },
                    before: c.before,
                    after: c.after,
                    status: c.status.map_or("—", Status::symbol),
                })
                .collect();
            out.push(Section::Reach {
                count: self.reachability.len(),
                list: list(self.reachability.len(), rows),
            });
        }
        if !self.ingress.is_empty() {
            let mut rows = Vec::new();
            for i in &self.ingress {
                owned_rows(
                    &mut rows,
                    &i.ingress,
                    &[
                        ("consumer VPC added", &i.consumers_added),
                        ("consumer VPC removed", &i.consumers_removed),
                        ("principal added", &i.principals_added),
                        ("principal removed", &i.principals_removed),
                    ],
                );
                for (label, role) in [
                    ("context-fetch role", &i.context_fetch_role),
                    ("context-modify role", &i.context_modify_role),
                ] {
                    if let Some([b, a]) = role {
                        rows.push(Row {
                            kind: "role",
                            owner: &i.ingress,
                            label,
                            item: None,
                            before: Some(b),
                            after: Some(a),
                            limit: None,
                        });
                    }
                }
            }
            out.push(Section::Ingress {
                count: self.ingress.len(),
                list: list(self.ingress.len(), rows),
            });
        }
        if !self.payments.is_empty() {
            let mut rows = Vec::new();
            for p in &self.payments {
                rows.extend(p.limits.iter().map(|l| Row {
                    kind: "limit",
                    owner: &p.payment_manager,
                    label: "",
                    item: None,
                    before: None,
                    after: None,
                    limit: Some(l),
                }));
                owned_rows(
                    &mut rows,
                    &p.payment_manager,
                    &[
                        ("agent added", &p.agents_added),
                        ("agent removed", &p.agents_removed),
                        ("merchant added", &p.merchants_added),
                        ("merchant removed", &p.merchants_removed),
                        ("connector added", &p.connectors_added),
                        ("connector removed", &p.connectors_removed),
                    ],
                );
            }
            out.push(Section::Payments {
                count: self.payments.len(),
                list: list(self.payments.len(), rows),
            });
        }
        if !self.iam.is_empty() {
            let mut rows = Vec::new();
            for r in &self.iam {
                owned_rows(
                    &mut rows,
                    &r.role,
                    &[
                        ("action added", &r.actions_added),
                        ("action removed", &r.actions_removed),
                        ("target added", &r.targets_added),
                        ("target removed", &r.targets_removed),
                    ],
                );
            }
            out.push(Section::Iam {
                count: self.iam.len(),
                list: list(self.iam.len(), rows),
            });
        }
        let r = &self.resources;
        if !(r.replaced.is_empty()
            && r.added.is_empty()
            && r.destroyed.is_empty()
            && r.updated.is_empty())
        {
            out.push(Section::Resources {
                replaced: list(r.replaced.len(), r.replaced.iter().collect()),
                added: list(r.added.len(), r.added.iter().collect()),
                destroyed: list(r.destroyed.len(), r.destroyed.iter().collect()),
                updated: list(r.updated.len(), r.updated.iter().collect()),
            });
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diff::resources::{Replaced, ResourceChanges};

    /// A pair whose traffic now passes through a VPC says so in the headline.
    #[test]
    fn a_pair_through_a_vpc_names_it() {
        let change = |through: Vec<String>| ReachChange {
            transit_gateway: "hub".into(),
            segments: ["apps".into(), "data".into()],
            change: Change::Gained,
            before: None,
            after: None,
            intended: true,
            status: None,
            through,
        };
        assert_eq!(pair_text(&change(Vec::new())), "`apps` ↔ `data`");
        assert_eq!(
            pair_text(&change(vec!["vpc.inspection".into()])),
            "`apps` ↔ `data` (through `vpc.inspection`)"
        );
    }

    /// Lists are capped per section; when the sections together would still pass the cap, the
    /// later ones are cut with a note. Rows this long do not come out of real blueprints easily,
    /// so the diff is built by hand.
    #[test]
    fn markdown_stays_under_the_cap() {
        let long = |i: usize| {
            format!(
                "aws_ec2_transit_gateway_route_table_propagation.{}_{i}",
                "x".repeat(900)
            )
        };
        let resources = ResourceChanges {
            added: (0..500).map(long).collect(),
            destroyed: (0..500).map(long).collect(),
            updated: Vec::new(),
            replaced: (0..500)
                .map(|i| Replaced {
                    address: long(i),
                    arguments: vec!["vpc_id".into()],
                    because_of: vec![long(i + 1)],
                })
                .collect(),
        };
        let mut diff = Diff {
            old: "old.hcl".into(),
            new: "new.hcl".into(),
            summary: Vec::new(),
            reachability: Vec::new(),
            ingress: Vec::new(),
            payments: Vec::new(),
            iam: Vec::new(),
            resources,
        };
        diff.summary = summary(&diff);
        let text = diff.markdown();
        assert!(text.len() <= MARKDOWN_CAP, "{} bytes", text.len());
        assert!(text.contains("Details cut to stay within a comment"));
        assert!(text.starts_with("### agentform diff: `old.hcl` → `new.hcl`\n\n- No segment pair"));
    }
}
