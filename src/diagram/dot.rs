//! The diagram as Graphviz DOT: left to right, a box per transit gateway and per segment, one colour
//! and line style per kind of edge, and a legend. Every id and label is a quoted string with `\` and
//! `"` escaped, so names and ARNs (`:`, `/`, `*`, `-`, `.`) never meet DOT syntax.

use super::{ClusterKind, Diagram, EdgeKind, NodeKind};
use std::collections::BTreeMap;
use std::fmt::Write as _;

const FONT: &str = "Helvetica";

/// Node style per kind: shape, fill, border.
fn node_style(kind: NodeKind) -> (&'static str, &'static str, &'static str) {
    match kind {
        NodeKind::RouteTable => ("box", "#e8f5e9", "#2e7d32"),
        NodeKind::Vpc => ("box", "#e3f2fd", "#1565c0"),
        NodeKind::Interconnect => ("box", "#fff8e1", "#f9a825"),
        NodeKind::McpIngress => ("box", "#e0f7fa", "#00838f"),
        NodeKind::S3Files => ("cylinder", "#f1f8e9", "#558b2f"),
        NodeKind::IamRole => ("box", "#f3e5f5", "#6a1b9a"),
        NodeKind::PaymentManager => ("box", "#ffebee", "#c62828"),
        NodeKind::Internet => ("ellipse", "#fafafa", "#424242"),
    }
}

/// Edge attributes per kind (without the label).
fn edge_style(kind: EdgeKind) -> &'static str {
    match kind {
        EdgeKind::Member => "dir=none, color=\"#bdbdbd\", weight=4",
        EdgeKind::Reaches => {
            "dir=both, constraint=false, color=\"#2e7d32\", penwidth=2.5, arrowsize=0.7"
        }
        EdgeKind::Route => {
            "constraint=false, color=\"#2e7d32\", fontcolor=\"#2e7d32\", style=dashed"
        }
        EdgeKind::HostedIn => "color=\"#757575\", fontcolor=\"#757575\", style=dotted",
        EdgeKind::Consumer => "color=\"#1565c0\", fontcolor=\"#1565c0\", style=dashed",
        EdgeKind::ContextRole => "color=\"#6a1b9a\", fontcolor=\"#6a1b9a\", style=dashed",
        EdgeKind::MayAccess => "color=\"#6a1b9a\", fontcolor=\"#6a1b9a\"",
        EdgeKind::MaySpend => "color=\"#c62828\", fontcolor=\"#c62828\", penwidth=2.5",
        EdgeKind::Egress => "color=\"#424242\", fontcolor=\"#424242\", penwidth=2",
    }
}

fn legend_text(kind: EdgeKind) -> &'static str {
    match kind {
        EdgeKind::Member => "member of the segment",
        EdgeKind::Reaches => "segments reach each other",
        EdgeKind::Route => "static route",
        EdgeKind::HostedIn => "hosted in VPC",
        EdgeKind::Consumer => "PrivateLink endpoint",
        EdgeKind::ContextRole => "context role",
        EdgeKind::MayAccess => "role may use",
        EdgeKind::MaySpend => "may spend (via mediation)",
        EdgeKind::Egress => "to the internet",
    }
}

pub fn dot(d: &Diagram) -> String {
    let ids = super::positional_ids(d);
    let mut out = String::new();
    let _ = writeln!(out, "digraph {} {{", quote(&d.platform));
    let _ = writeln!(
        out,
        "  graph [rankdir=LR, newrank=true, compound=true, nodesep=0.25, ranksep=0.9, \
         fontname={FONT}, fontsize=12, labelloc=t, label={}];",
        quote(&format!("platform {} ({})", d.platform, d.blueprint))
    );
    let _ = writeln!(
        out,
        "  node [shape=box, style=\"rounded,filled\", fontname={FONT}, fontsize=10, margin=\"0.12,0.06\"];"
    );
    let _ = writeln!(out, "  edge [fontname={FONT}, fontsize=9];");
    clusters(d, &ids, None, 1, &mut out);
    let kinds: BTreeMap<&str, NodeKind> = d.nodes.iter().map(|n| (n.id.as_str(), n.kind)).collect();
    for e in &d.edges {
        let label = e
            .label
            .as_ref()
            .map_or(String::new(), |l| format!(", label={}", quote(l)));
        // Columns, left to right: network, services (ingress, workspaces), roles, payment managers.
        // An edge pointing leftwards is written the other way round with its arrow reversed, so
        // it pulls the layout into those columns instead of against them.
        let backwards = e.kind == EdgeKind::HostedIn
            || (e.kind == EdgeKind::MayAccess
                && matches!(
                    kinds.get(e.to.as_str()),
                    Some(NodeKind::McpIngress | NodeKind::S3Files)
                ));
        let (from, to, dir) = if backwards {
            (&e.to, &e.from, ", dir=back")
        } else {
            (&e.from, &e.to, "")
        };
        let _ = writeln!(
            out,
            "  {} -> {} [{}{dir}{label}];",
            quote(&ids[from]),
            quote(&ids[to]),
            edge_style(e.kind)
        );
    }
    // The services in one column, the roles in the next.
    for kinds in [
        &[NodeKind::McpIngress, NodeKind::S3Files][..],
        &[NodeKind::IamRole][..],
    ] {
        let column: Vec<String> = d
            .nodes
            .iter()
            .filter(|n| kinds.contains(&n.kind))
            .map(|n| quote(&ids[&n.id]))
            .collect();
        if column.len() > 1 {
            let _ = writeln!(out, "  {{ rank=same; {}; }}", column.join("; "));
        }
    }
    legend(d, &mut out);
    out.push_str("}\n");
    out
}

fn clusters(
    d: &Diagram,
    ids: &BTreeMap<String, String>,
    parent: Option<&str>,
    depth: usize,
    out: &mut String,
) {
    let indent = "  ".repeat(depth);
    for c in d.clusters.iter().filter(|c| c.parent.as_deref() == parent) {
        let (style, color, fill) = match c.kind {
            ClusterKind::TransitGateway => ("rounded,bold", "#455a64", "#fafafa"),
            ClusterKind::Segment => ("rounded,filled", "#9e9e9e", "#ffffff"),
        };
        let _ = writeln!(
            out,
            "{indent}subgraph {} {{\n{indent}  label={}; style={}; color={}; fillcolor={}; fontname={FONT};",
            quote(&format!("cluster_{}", ids[&c.id])),
            quote(&c.label),
            quote(style),
            quote(color),
            quote(fill),
        );
        clusters(d, ids, Some(&c.id), depth + 1, out);
        let _ = writeln!(out, "{indent}}}");
    }
    for n in d.nodes.iter().filter(|n| n.cluster.as_deref() == parent) {
        let (shape, fill, border) = node_style(n.kind);
        let mut lines = vec![n.title()];
        lines.extend(n.details.iter().cloned());
        let _ = writeln!(
            out,
            "{indent}{} [label={}, shape={shape}, fillcolor={}, color={}];",
            quote(&ids[&n.id]),
            quote_lines(&lines),
            quote(fill),
            quote(border)
        );
    }
}

/// A legend of the edge kinds the diagram uses: one node, a table of line samples and meanings.
fn legend(d: &Diagram, out: &mut String) {
    let mut rows = String::new();
    for kind in EdgeKind::ALL
        .into_iter()
        .filter(|k| d.edges.iter().any(|e| e.kind == *k))
    {
        let (sample, color) = legend_sample(kind);
        let _ = write!(
            rows,
            "<tr><td align=\"right\"><font color=\"{color}\">{sample}</font></td><td align=\"left\">{}</td></tr>",
            legend_text(kind)
        );
    }
    if rows.is_empty() {
        return;
    }
    let _ = writeln!(
        out,
        "  \"legend\" [shape=plaintext, style=\"\", fontsize=9, label=<<table border=\"1\" color=\"#bdbdbd\" cellborder=\"0\" cellspacing=\"1\"><tr><td colspan=\"2\"><b>legend</b></td></tr>{rows}</table>>];"
    );
}

/// A line drawn with characters, in the edge's colour: solid, dashed, dotted or bold.
fn legend_sample(kind: EdgeKind) -> (&'static str, &'static str) {
    match kind {
        EdgeKind::Member => ("\u{2500}\u{2500}\u{2500}\u{2500}", "#9e9e9e"),
        EdgeKind::Reaches => ("<b>\u{25c0}\u{2501}\u{2501}\u{2501}\u{25b6}</b>", "#2e7d32"),
        EdgeKind::Route => ("- - - \u{25b6}", "#2e7d32"),
        EdgeKind::HostedIn => ("\u{00b7} \u{00b7} \u{00b7} \u{25b6}", "#757575"),
        EdgeKind::Consumer => ("- - - \u{25b6}", "#1565c0"),
        EdgeKind::ContextRole => ("- - - \u{25b6}", "#6a1b9a"),
        EdgeKind::MayAccess => ("\u{2500}\u{2500}\u{2500}\u{25b6}", "#6a1b9a"),
        EdgeKind::MaySpend => ("<b>\u{2501}\u{2501}\u{2501}\u{25b6}</b>", "#c62828"),
        EdgeKind::Egress => ("<b>\u{2500}\u{2500}\u{2500}\u{25b6}</b>", "#424242"),
    }
}

/// A DOT quoted string: `\` and `"` escaped, line breaks as `\n`.
pub fn quote(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// Lines of a node label, each centred.
fn quote_lines(lines: &[String]) -> String {
    quote(&lines.join("\n"))
}

#[cfg(test)]
mod tests {
    use super::quote;

    #[test]
    fn quoting_escapes_what_dot_reads() {
        assert_eq!(quote(r#"a "b" \n"#), r#""a \"b\" \\n""#);
        assert_eq!(
            quote("arn:aws:iam::1:role/x-*.y\nnext"),
            r#""arn:aws:iam::1:role/x-*.y\nnext""#
        );
    }
}
