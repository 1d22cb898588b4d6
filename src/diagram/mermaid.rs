//! The diagram as a Mermaid flowchart, for GitHub Markdown (the stack README and `agentform graph`).
//! Nodes and subgraphs get short positional ids (`n0`, `c0`); every label is a quoted string with
//! the characters Mermaid would read as syntax written as entity codes.

use super::{ClusterKind, Diagram, EdgeKind, NodeKind};
use std::collections::BTreeMap;
use std::fmt::Write as _;

/// The flowchart, without the Markdown fence.
pub fn mermaid(d: &Diagram) -> String {
    let ids = super::positional_ids(d);
    let mut out = String::from("flowchart LR\n");
    cluster_body(d, &ids, None, 1, &mut out);
    for e in &d.edges {
        let arrow = match e.kind {
            EdgeKind::Member => "---",
            EdgeKind::Reaches => "<-->",
            EdgeKind::Route | EdgeKind::MayAccess | EdgeKind::Egress => "-->",
            EdgeKind::HostedIn | EdgeKind::Consumer | EdgeKind::ContextRole => "-.->",
            EdgeKind::MaySpend => "==>",
        };
        let label = e
            .label
            .as_ref()
            .map_or(String::new(), |l| format!("|\"{}\"|", escape(l)));
        let _ = writeln!(out, "  {} {arrow}{label} {}", ids[&e.from], ids[&e.to]);
    }
    for (kind, style) in [
        (NodeKind::RouteTable, "fill:#e8f5e9,stroke:#2e7d32"),
        (NodeKind::Vpc, "fill:#e3f2fd,stroke:#1565c0"),
        (NodeKind::Interconnect, "fill:#fff8e1,stroke:#f9a825"),
        (NodeKind::McpIngress, "fill:#e0f7fa,stroke:#00838f"),
        (NodeKind::S3Files, "fill:#f1f8e9,stroke:#558b2f"),
        (NodeKind::IamRole, "fill:#f3e5f5,stroke:#6a1b9a"),
        (NodeKind::PaymentManager, "fill:#ffebee,stroke:#c62828"),
        (NodeKind::Internet, "fill:#fafafa,stroke:#424242"),
    ] {
        let members: Vec<&str> = d
            .nodes
            .iter()
            .filter(|n| n.kind == kind)
            .map(|n| ids[&n.id].as_str())
            .collect();
        if !members.is_empty() {
            let _ = writeln!(out, "  classDef {} {style}", kind.as_str());
            let _ = writeln!(out, "  class {} {}", members.join(","), kind.as_str());
        }
    }
    let mut by_kind: BTreeMap<EdgeKind, Vec<String>> = BTreeMap::new();
    for (i, e) in d.edges.iter().enumerate() {
        by_kind.entry(e.kind).or_default().push(i.to_string());
    }
    for (kind, links) in by_kind {
        let style = match kind {
            EdgeKind::Member => "stroke:#bdbdbd",
            EdgeKind::Reaches => "stroke:#2e7d32,stroke-width:3px",
            EdgeKind::Route => "stroke:#2e7d32",
            EdgeKind::HostedIn => "stroke:#757575",
            EdgeKind::Consumer => "stroke:#1565c0",
            EdgeKind::ContextRole | EdgeKind::MayAccess => "stroke:#6a1b9a",
            EdgeKind::MaySpend => "stroke:#c62828,stroke-width:3px",
            EdgeKind::Egress => "stroke:#424242,stroke-width:2px",
        };
        let _ = writeln!(out, "  linkStyle {} {style}", links.join(","));
    }
    out
}

/// The subgraphs whose parent is `parent`, each with its nodes and sub-subgraphs; at the top level,
/// also the nodes outside every cluster.
fn cluster_body(
    d: &Diagram,
    ids: &BTreeMap<String, String>,
    parent: Option<&str>,
    depth: usize,
    out: &mut String,
) {
    let indent = "  ".repeat(depth);
    for c in d.clusters.iter().filter(|c| c.parent.as_deref() == parent) {
        let _ = writeln!(
            out,
            "{indent}subgraph {}[\"{}\"]",
            ids[&c.id],
            escape(&c.label)
        );
        if c.kind == ClusterKind::Segment {
            let _ = writeln!(out, "{indent}  direction TB");
        }
        cluster_body(d, ids, Some(&c.id), depth + 1, out);
        let _ = writeln!(out, "{indent}end");
    }
    for n in d.nodes.iter().filter(|n| n.cluster.as_deref() == parent) {
        let mut label = format!("<b>{}</b>", escape(&n.title()));
        for line in &n.details {
            label.push_str("<br/>");
            label.push_str(&escape(line));
        }
        let (open, close) = match n.kind {
            NodeKind::RouteTable => ("([", "])"),
            NodeKind::Vpc | NodeKind::IamRole => ("[", "]"),
            NodeKind::Interconnect => ("[/", "/]"),
            NodeKind::McpIngress => ("{{", "}}"),
            NodeKind::S3Files => ("[(", ")]"),
            NodeKind::PaymentManager => ("[[", "]]"),
            NodeKind::Internet => ("((", "))"),
        };
        let _ = writeln!(out, "{indent}{}{open}\"{label}\"{close}", ids[&n.id]);
    }
}

/// A label inside `"…"`: quotes, `#` and `;` (entity syntax), `<`, `>`, `&` (HTML labels), `|` (edge
/// label delimiters) and backticks (Markdown strings) become entity codes.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '"' => out.push_str("#quot;"),
            '#' => out.push_str("#35;"),
            ';' => out.push_str("#59;"),
            '<' => out.push_str("#lt;"),
            '>' => out.push_str("#gt;"),
            '&' => out.push_str("#amp;"),
            '|' => out.push_str("#124;"),
            '`' => out.push_str("#96;"),
            '\n' => out.push_str("<br/>"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::escape;

    #[test]
    fn labels_cannot_break_out_of_their_quotes() {
        assert_eq!(
            escape(r#"a "b" | c; <d> & `e` #f"#),
            "a #quot;b#quot; #124; c#59; #lt;d#gt; #amp; #96;e#96; #35;f"
        );
        assert_eq!(
            escape("arn:aws:s3:::bucket/*.json"),
            "arn:aws:s3:::bucket/*.json"
        );
    }
}
