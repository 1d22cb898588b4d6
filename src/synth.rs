//! Synthetic blueprints for benchmarks and scale tests (`agentform synth`, hidden from help): N VPCs
//! over K segments, shaped like the reference platform. Segment `s0` is a shared-services hub that
//! every other segment connects to; the last segment is isolated (tenants); every other segment
//! sends `0.0.0.0/0` to an egress VPC in the hub and blackholes `192.168.0.0/16`. VPC `i` gets
//! `10.(i / 256).(i % 256).0/24` with two /26 subnets, so N can reach 65,536.

use std::fmt::Write as _;

/// The blueprint text. `segments` is at least 1; `vpcs` at least 1 and at most 65,536.
pub fn blueprint(vpcs: usize, segments: usize) -> String {
    assert!(segments >= 1 && (1..=65_536).contains(&vpcs));
    let mut out = String::new();
    out.push_str(&format!(
        "# Synthetic blueprint: {vpcs} VPCs over {segments} segments (agentform synth).\n\n"
    ));
    out.push_str(
        "platform \"synth\" {\n  environment = \"bench\"\n  region      = \"us-east-1\"\n  account_id  = \"123456789012\"\n  awscc       = false\n}\n\n",
    );
    out.push_str("transit_gateway \"core\" {\n");
    for s in 0..segments {
        if s == 0 {
            out.push_str("  segment \"s0\" {}\n");
        } else if s == segments - 1 && segments > 2 {
            let _ = writeln!(
                out,
                "  segment \"s{s}\" {{\n    isolated    = true\n    connects_to = [\"s0\"]\n  }}"
            );
        } else {
            let _ = writeln!(out, "  segment \"s{s}\" {{ connects_to = [\"s0\"] }}");
        }
    }
    // Every segment but the hub and the isolated one sends its default route to the egress VPC.
    let isolated = usize::from(segments > 2);
    for s in 1..segments - isolated {
        let _ = writeln!(
            out,
            "  route \"s{s}-egress\" {{\n    segment     = \"s{s}\"\n    destination = \"0.0.0.0/0\"\n    target      = \"vpc.v0\"\n  }}\n  route \"s{s}-no-corp\" {{\n    segment     = \"s{s}\"\n    destination = \"192.168.0.0/16\"\n    blackhole   = true\n  }}"
        );
    }
    out.push_str("}\n");
    for i in 0..vpcs {
        let (a, b) = (i / 256, i % 256);
        // VPC 0 is the egress VPC in the hub; the rest spread over the segments.
        let segment = if i == 0 { 0 } else { i % segments };
        let _ = write!(
            out,
            "\nvpc \"v{i}\" {{\n  cidr    = \"10.{a}.{b}.0/24\"\n  azs     = [\"us-east-1a\", \"us-east-1b\"]\n  subnets = [\"10.{a}.{b}.0/26\", \"10.{a}.{b}.64/26\"]\n  segment = \"s{segment}\"\n}}\n"
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn synthetic_blueprints_are_valid() {
        for (vpcs, segments) in [(1, 1), (2, 2), (40, 4), (300, 7)] {
            let text = blueprint(vpcs, segments);
            let source = crate::source::SourceFile::from_text("synth.hcl", &text);
            let analysis = crate::analyze(&source, &crate::lower::Overrides::default());
            let errors: Vec<_> = analysis
                .diagnostics
                .iter()
                .filter(|d| d.is_error())
                .collect();
            assert!(errors.is_empty(), "{vpcs}/{segments}: {errors:?}");
            assert_eq!(analysis.model.unwrap().vpcs.len(), vpcs);
        }
    }
}
