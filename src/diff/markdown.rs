//! The headline of a diff and its pull-request comment: every list capped, the whole under
//! [`MARKDOWN_CAP`] characters.

use super::semantic::ReachChange;
use super::{Change, Diff};
use crate::segregation::report::Status;
use std::fmt::Write as _;

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
    if a == b {
        format!("within `{a}`")
    } else {
        format!("`{a}` ↔ `{b}`")
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

impl Diff {
    /// A pull-request comment: the headline first, details collapsed, every list capped and the
    /// whole under [`MARKDOWN_CAP`] characters.
    pub fn markdown(&self) -> String {
        let mut out = format!("### agentform diff: `{}` → `{}`\n\n", self.old, self.new);
        if !self.has_changes() {
            out.push_str("No semantic difference: the generated stacks are the same.\n");
            return out;
        }
        // The headline has a line per ingress and payment manager that changed: bound it too.
        for (i, line) in self.summary.iter().enumerate() {
            if out.len() + line.len() > HEADLINE_BYTES {
                let _ = writeln!(out, "- … and {} more", self.summary.len() - i);
                break;
            }
            let _ = writeln!(out, "- {line}");
        }
        let sections = [
            self.reach_section(),
            self.ingress_section(),
            self.payments_section(),
            self.iam_section(),
            self.resources_section(),
        ];
        let closing = "\n_Details cut to stay within a comment; `agentform diff --format json` has everything._\n";
        for section in sections.into_iter().flatten() {
            if out.len() + section.len() + closing.len() > MARKDOWN_CAP {
                out.push_str(closing);
                return out;
            }
            out.push_str(&section);
        }
        out
    }

    fn reach_section(&self) -> Option<String> {
        if self.reachability.is_empty() {
            return None;
        }
        let rows: Vec<String> = self
            .reachability
            .iter()
            .map(|c| {
                let cell = |x: &Option<crate::segregation::reach::Cell>| {
                    x.map_or("—".to_string(), |c| {
                        format!(
                            "{} full, {} partial, {} one-way, {} none",
                            c.full, c.partial, c.one_way, c.none
                        )
                    })
                };
                format!(
                    "| `{}` | {} | {} | {} | {} | {} |",
                    c.transit_gateway,
                    pair_text(c),
                    match c.change {
                        Change::Gained => "gained",
                        Change::Lost => "lost",
                        _ => "changed",
                    },
                    cell(&c.before),
                    cell(&c.after),
                    c.status.map_or("—", Status::symbol),
                )
            })
            .collect();
        Some(details(
            &format!("Reachability ({})", self.reachability.len()),
            "Attachment pairs by verdict, before and after; status against the intent after the change.\n\n\
             | Transit gateway | Segments | Change | Before | After | Status |\n|---|---|---|---|---|---|\n",
            &rows,
        ))
    }

    fn ingress_section(&self) -> Option<String> {
        if self.ingress.is_empty() {
            return None;
        }
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
                    rows.push(format!("| `{}` | {label} | `{b}` → `{a}` |", i.ingress));
                }
            }
        }
        Some(details(
            &format!("MCP ingress ({})", self.ingress.len()),
            "| Ingress | Change | What |\n|---|---|---|\n",
            &rows,
        ))
    }

    fn payments_section(&self) -> Option<String> {
        if self.payments.is_empty() {
            return None;
        }
        let mut rows = Vec::new();
        for p in &self.payments {
            for l in &p.limits {
                rows.push(format!(
                    "| `{}` | `{}` {} | {} → {} |",
                    p.payment_manager,
                    l.limit,
                    l.direction,
                    l.before.as_deref().unwrap_or("none"),
                    l.after.as_deref().unwrap_or("none")
                ));
            }
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
        Some(details(
            &format!("Spending authority ({})", self.payments.len()),
            "| Payment manager | Change | Value |\n|---|---|---|\n",
            &rows,
        ))
    }

    fn iam_section(&self) -> Option<String> {
        if self.iam.is_empty() {
            return None;
        }
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
        Some(details(
            &format!("IAM ({})", plural(self.iam.len(), "role", "roles")),
            "| Role | Change | Action or target |\n|---|---|---|\n",
            &rows,
        ))
    }

    fn resources_section(&self) -> Option<String> {
        let r = &self.resources;
        let mut out = String::new();
        if !r.replaced.is_empty() {
            let rows: Vec<String> = r
                .replaced
                .iter()
                .map(|x| {
                    format!(
                        "| `{}` | `{}` | {} |",
                        x.address,
                        x.arguments.join("`, `"),
                        if x.because_of.is_empty() {
                            "changed".to_string()
                        } else {
                            format!("refers to replaced `{}`", x.because_of.join("`, `"))
                        }
                    )
                })
                .collect();
            out.push_str(&details(
                &format!("Replaced resources ({})", r.replaced.len()),
                "Arguments that force replacement: `docs/replacement.md`.\n\n\
                 | Resource | Arguments | Why |\n|---|---|---|\n",
                &rows,
            ));
        }
        for (title, items) in [
            ("Added resources", &r.added),
            ("Destroyed resources", &r.destroyed),
        ] {
            if !items.is_empty() {
                let rows: Vec<String> = items.iter().map(|a| format!("- `{a}`")).collect();
                out.push_str(&details(&format!("{title} ({})", items.len()), "", &rows));
            }
        }
        if !r.updated.is_empty() {
            let rows: Vec<String> = r
                .updated
                .iter()
                .map(|u| {
                    let mut what: Vec<String> =
                        u.arguments.iter().map(|a| format!("`{a}`")).collect();
                    if u.other {
                        what.push("nested blocks or values known after apply".to_string());
                    }
                    what.extend(u.reads.iter().map(|d| format!("reads changed `{d}`")));
                    what.extend(
                        u.refers_to_replaced
                            .iter()
                            .map(|r| format!("refers to replaced `{r}`")),
                    );
                    format!("- `{}`: {}", u.address, what.join(", "))
                })
                .collect();
            out.push_str(&details(
                &format!("Updated in place ({})", r.updated.len()),
                "",
                &rows,
            ));
        }
        (!out.is_empty()).then_some(out)
    }
}

/// A collapsed section with at most [`LIST_CAP`] rows.
fn details(summary: &str, header: &str, rows: &[String]) -> String {
    let mut out = format!("\n<details><summary>{summary}</summary>\n\n{header}");
    for row in rows.iter().take(LIST_CAP) {
        out.push_str(row);
        out.push('\n');
    }
    if rows.len() > LIST_CAP {
        let _ = writeln!(out, "\n… and {} more", rows.len() - LIST_CAP);
    }
    out.push_str("\n</details>\n");
    out
}

/// One table row per item of each list: `| `owner` | label | `item` |`.
fn owned_rows(rows: &mut Vec<String>, owner: &str, lists: &[(&str, &Vec<String>)]) {
    for (label, items) in lists {
        rows.extend(
            items
                .iter()
                .map(|x| format!("| `{owner}` | {label} | `{x}` |")),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diff::resources::{Replaced, ResourceChanges};

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
