//! `agentform graph` through the binary: snapshots of the reference blueprint in every format, an
//! invalid blueprint exiting 1 with its diagnostics, labels that cannot break the syntax, and
//! Graphviz itself rendering the DOT of the reference blueprint and of every valid fixture to SVG
//! and PNG. Graphviz must be installed in CI (`.ci/run` installs it): with `CI=true` a missing
//! `dot` fails the test; elsewhere the rendering part is skipped with a note.
//! Mermaid's own parser (pinned in `.ci/mermaid/`, found through `AGENTFORM_MERMAID`) reads every
//! Mermaid diagram, under the same rule.

mod common;

use common::Test;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

const REFERENCE: &str = "blueprints/agent-platform.hcl";

fn graph(path: &str, format: &str) -> String {
    let out = Test::in_repo()
        .args(["graph", path, "--format", format])
        .run();
    assert_eq!(
        out.status, 0,
        "graph {path} --format {format}: {}",
        out.stderr
    );
    out.stdout
}

#[test]
fn reference_blueprint_as_mermaid() {
    insta::assert_snapshot!("agent-platform.mmd", graph(REFERENCE, "mermaid"));
}

#[test]
fn reference_blueprint_as_dot() {
    insta::assert_snapshot!("agent-platform.dot", graph(REFERENCE, "dot"));
}

#[test]
fn reference_blueprint_as_json() {
    insta::assert_snapshot!("agent-platform.json", graph(REFERENCE, "json"));
}

#[test]
fn mermaid_is_the_default_and_output_is_byte_stable() {
    let first = Test::in_repo().args(["graph", REFERENCE]).run().stdout;
    assert!(first.starts_with("flowchart LR\n"), "{first}");
    for format in ["mermaid", "dot", "json"] {
        assert_eq!(
            graph(REFERENCE, format),
            graph(REFERENCE, format),
            "{format}"
        );
    }
    assert_eq!(first, graph(REFERENCE, "mermaid"));
}

#[test]
fn json_names_every_component_and_relation() {
    let json: serde_json::Value = serde_json::from_str(&graph(REFERENCE, "json")).unwrap();
    let ids: Vec<&str> = json["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["id"].as_str().unwrap())
        .collect();
    for id in [
        "route_table.core.tenants",
        "vpc.tenant-a",
        "interconnect.gcp",
        "mcp_ingress.tools",
        "s3_files.workspace",
        "iam_role.research-agent",
        "payment_manager.research",
    ] {
        assert!(ids.contains(&id), "{id} missing from {ids:?}");
    }
    let edge = |from: &str, to: &str, kind: &str| {
        json["edges"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["from"] == from && e["to"] == to && e["kind"] == kind)
    };
    assert!(edge(
        "route_table.core.agents",
        "route_table.core.shared",
        "reaches"
    ));
    assert!(!edge(
        "route_table.core.agents",
        "route_table.core.tenants",
        "reaches"
    ));
    assert!(!edge(
        "route_table.core.dev",
        "route_table.core.agents",
        "reaches"
    ));
    assert!(edge("vpc.tenant-b", "mcp_ingress.tools", "consumer"));
    assert!(edge("mcp_ingress.tools", "vpc.mcp", "hosted_in"));
    assert!(edge(
        "mcp_ingress.tools",
        "iam_role.mcp-context-fetch",
        "context_role"
    ));
    assert!(edge(
        "iam_role.research-agent",
        "s3_files.workspace",
        "may_access"
    ));
    assert!(edge(
        "iam_role.research-agent",
        "payment_manager.research",
        "may_spend"
    ));
    assert!(edge("route_table.core.agents", "vpc.egress", "route"));
}

#[test]
fn invalid_blueprint_prints_diagnostics_and_exits_1() {
    let path = "tests/fixtures/invalid/leak-isolated-tenant.hcl";
    for format in ["mermaid", "dot"] {
        let out = Test::in_repo()
            .args(["graph", path, "--format", format])
            .run();
        assert_eq!(out.status, 1, "{}", out.stderr);
        assert!(out.stdout.is_empty(), "{}", out.stdout);
        assert!(
            out.stderr.contains("leak-isolated-tenant.hcl:"),
            "{}",
            out.stderr
        );
    }
    let out = Test::in_repo()
        .args(["graph", path, "--format", "json"])
        .run();
    assert_eq!(out.status, 1);
    let json = out.json();
    assert!(json["errors"].as_u64().unwrap() > 0, "{}", out.stdout);
    let missing = Test::in_repo().args(["graph", "no-such.hcl"]).run();
    assert_eq!(missing.status, 1);
    assert!(missing.stderr.contains("no-such.hcl"), "{}", missing.stderr);
}

#[test]
fn graph_takes_paths_like_every_command() {
    let reference = std::fs::read_to_string(REFERENCE).unwrap();
    // No argument: `blueprints/`, like the other commands; a directory of one blueprint is that one.
    let one = Test::new().blueprint("p.hcl", &reference);
    let one = one.args(["graph"]);
    let by_default = one.run();
    assert_eq!(by_default.status, 0, "{}", by_default.stderr);
    let one = one.args(["graph", "blueprints/p.hcl"]);
    let by_file = one.run();
    assert_eq!(by_default.stdout, by_file.stdout);
    let by_dir = one.args(["graph", "blueprints"]).run();
    assert_eq!(by_dir.stdout, by_file.stdout);
    // Two blueprints: one diagram shows one platform, so the error names the choice.
    let two = Test::new()
        .blueprint("a.hcl", &reference)
        .blueprint(
            "b.hcl",
            &reference.replace("platform \"agents\"", "platform \"other\""),
        )
        .args(["graph"]);
    let out = two.run();
    assert_eq!(out.status, 1);
    assert!(
        out.stderr.contains("`graph` draws one blueprint")
            && out.stderr.contains("blueprints/a.hcl")
            && out.stderr.contains("blueprints/b.hcl"),
        "{}",
        out.stderr
    );
}

/// A blueprint whose free text holds what Mermaid and DOT read as syntax.
fn hostile_blueprint(dir: &Path) -> PathBuf {
    let text = std::fs::read_to_string("tests/fixtures/valid/multi-gateway.hcl")
        .unwrap()
        .replace(
            "description     = \"east hub\"",
            r#"description     = "east \"hub\" | a;b #1 <b>x</b> & `y` \\ end""#,
        );
    assert!(text.contains("<b>x</b>"), "the fixture changed");
    let path = dir.join("hostile.hcl");
    std::fs::write(&path, text).unwrap();
    path
}

#[test]
fn labels_are_escaped() {
    let dir = tempfile::tempdir().unwrap();
    let path = hostile_blueprint(dir.path());
    let path = path.to_str().unwrap();
    let mermaid = graph(path, "mermaid");
    assert!(
        mermaid.contains(
            r"east #quot;hub#quot; #124; a#59;b #35;1 #lt;b#gt;x#lt;/b#gt; #amp; #96;y#96; \ end"
        ),
        "{mermaid}"
    );
    let dot = graph(path, "dot");
    assert!(
        dot.contains(r#"east \"hub\" | a;b #1 <b>x</b> & `y` \\ end"#),
        "{dot}"
    );
    if let Some(dot_bin) = graphviz() {
        let svg = run_dot(&dot_bin, &dot, "svg");
        let svg = String::from_utf8(svg).unwrap();
        assert!(
            svg.contains("east &quot;hub&quot; | a;b #1 &lt;b&gt;x&lt;/b&gt; &amp; `y` \\ end"),
            "{svg}"
        );
    }
}

/// `dot`, or `None` when `AGENTFORM_SKIP=graphviz` skips it deliberately; otherwise missing fails.
fn graphviz() -> Option<PathBuf> {
    let found = std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .map(|p| p.join("dot"))
            .find(|p| p.is_file())
    });
    common::required(
        "graphviz",
        found,
        "Graphviz `dot` is not on PATH (scripts/test installs it: apt-get install graphviz)",
    )
}

fn run_dot(dot: &Path, source: &str, format: &str) -> Vec<u8> {
    use std::io::Write as _;
    let mut child = Command::new(dot)
        .arg(format!("-T{format}"))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("dot runs");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(source.as_bytes())
        .unwrap();
    let output = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "dot -T{format} failed: {stderr}");
    // Graphviz reports syntax errors and bad attributes as warnings and still draws something.
    assert!(
        stderr.trim().is_empty(),
        "dot -T{format} complained: {stderr}"
    );
    output.stdout
}

#[test]
fn graphviz_renders_every_valid_blueprint() {
    let Some(dot) = graphviz() else { return };
    let mut paths = vec![PathBuf::from(REFERENCE)];
    let mut fixtures: Vec<PathBuf> = std::fs::read_dir("tests/fixtures/valid")
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    fixtures.sort();
    paths.extend(fixtures);
    assert!(paths.len() > 10);
    for path in &paths {
        let source = graph(path.to_str().unwrap(), "dot");
        let svg = String::from_utf8(run_dot(&dot, &source, "svg")).unwrap();
        assert!(
            svg.contains("<svg") && svg.trim_end().ends_with("</svg>"),
            "{}: not an SVG document",
            path.display()
        );
        // Every node drawn: one `class="node"` group per node of the diagram (plus the legend).
        let json: serde_json::Value =
            serde_json::from_str(&graph(path.to_str().unwrap(), "json")).unwrap();
        let nodes = json["nodes"].as_array().unwrap().len();
        let legend = usize::from(!json["edges"].as_array().unwrap().is_empty());
        assert_eq!(
            svg.matches("class=\"node\"").count(),
            nodes + legend,
            "{}",
            path.display()
        );
        let png = run_dot(&dot, &source, "png");
        assert!(
            png.starts_with(b"\x89PNG\r\n\x1a\n") && png.len() > 1000,
            "{}: not a PNG",
            path.display()
        );
        // The last chunk: length 0, `IEND`, CRC.
        let end = png.len() - 8;
        assert_eq!(
            &png[end..end + 4],
            b"IEND",
            "{}: truncated PNG",
            path.display()
        );
    }
}

/// Mermaid's own parser (`mermaid.parse`, with jsdom for the DOM it expects), from the pinned
/// `.ci/mermaid/` install that `scripts/test` points `AGENTFORM_MERMAID` at; `None` only when
/// `AGENTFORM_SKIP=mermaid` skips it deliberately, a failure otherwise.
fn mermaid_modules() -> Option<PathBuf> {
    common::required(
        "mermaid",
        std::env::var_os("AGENTFORM_MERMAID").map(PathBuf::from),
        "AGENTFORM_MERMAID is not set (scripts/test installs .ci/mermaid)",
    )
}

/// Parses every file with Mermaid; returns each file's verdict (`ok` or the parser's error).
fn mermaid_parse(modules: &Path, files: &[PathBuf]) -> Vec<(PathBuf, Result<(), String>)> {
    const SCRIPT: &str = r#"
        import { createRequire } from "node:module";
        import { readFileSync } from "node:fs";
        import { join } from "node:path";
        import { pathToFileURL } from "node:url";
        const [modules, ...files] = process.argv.slice(2);
        const { JSDOM } = createRequire(join(modules, "noop.js"))("jsdom");
        const dom = new JSDOM("<!doctype html><html><body></body></html>");
        globalThis.window = dom.window;
        globalThis.document = dom.window.document;
        const url = pathToFileURL(join(modules, "mermaid", "dist", "mermaid.core.mjs"));
        const { default: mermaid } = await import(url.href);
        mermaid.initialize({ startOnLoad: false });
        for (const file of files) {
          try {
            await mermaid.parse(readFileSync(file, "utf8"));
            console.log(JSON.stringify({ file, error: null }));
          } catch (e) {
            console.log(JSON.stringify({ file, error: String((e && e.message) || e) }));
          }
        }
    "#;
    let dir = tempfile::tempdir().unwrap();
    let script = dir.path().join("parse.mjs");
    std::fs::write(&script, SCRIPT).unwrap();
    let output = Command::new("node")
        .arg(&script)
        .arg(modules)
        .args(files)
        .output()
        .expect("node runs (Mermaid's parser needs it)");
    assert!(
        output.status.success(),
        "the Mermaid parser did not run: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    let verdicts: Vec<_> = String::from_utf8(output.stdout)
        .unwrap()
        .lines()
        .map(|line| {
            let v: serde_json::Value = serde_json::from_str(line).unwrap();
            let file = PathBuf::from(v["file"].as_str().unwrap());
            match v["error"].as_str() {
                None => (file, Ok(())),
                Some(e) => (file, Err(e.to_string())),
            }
        })
        .collect();
    assert_eq!(verdicts.len(), files.len(), "one verdict per file");
    verdicts
}

#[test]
fn mermaid_parses_every_diagram() {
    let Some(modules) = mermaid_modules() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let mut blueprints = vec![PathBuf::from(REFERENCE), hostile_blueprint(dir.path())];
    let mut fixtures: Vec<PathBuf> = std::fs::read_dir("tests/fixtures/valid")
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    fixtures.sort();
    blueprints.extend(fixtures);
    let mut files = Vec::new();
    for (i, blueprint) in blueprints.iter().enumerate() {
        let path = dir.path().join(format!("{i}.mmd"));
        std::fs::write(&path, graph(blueprint.to_str().unwrap(), "mermaid")).unwrap();
        files.push(path);
    }
    // The parser is live: a label with an unbalanced quote does not parse.
    let broken = dir.path().join("broken.mmd");
    std::fs::write(
        &broken,
        graph(REFERENCE, "mermaid").replacen("[\"", "[\"\"", 1),
    )
    .unwrap();
    files.push(broken.clone());
    for (file, verdict) in mermaid_parse(&modules, &files) {
        if file == broken {
            assert!(verdict.is_err(), "Mermaid accepted a broken diagram");
        } else {
            let index: usize = file.file_stem().unwrap().to_str().unwrap().parse().unwrap();
            assert!(
                verdict.is_ok(),
                "{}: Mermaid does not parse the diagram: {}",
                blueprints[index].display(),
                verdict.unwrap_err()
            );
        }
    }
}
