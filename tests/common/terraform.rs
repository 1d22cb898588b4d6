//! What the binaries that run real Terraform (`tests/terraform.rs`, `tests/emulator.rs`) share: the
//! deliberate skip and the lookup of the hashicorp/aws 5.100.0 provider mirror.

use std::path::{Path, PathBuf};
use std::process::Command;

/// Real Terraform skipped deliberately, on a machine without it: `AGENTFORM_SKIP=terraform` (or
/// the older `AGENTFORM_SKIP_TERRAFORM=1`). The skip is recorded for `scripts/test`'s closing list.
pub fn skip() -> bool {
    let skip = super::skipped("terraform")
        || std::env::var("AGENTFORM_SKIP_TERRAFORM").is_ok_and(|v| v == "1");
    if skip {
        super::record_skip("terraform", "real Terraform and the provider mirror");
    }
    skip
}

/// The directory holding `registry.terraform.io/hashicorp/aws/5.100.0/...`: from
/// `AGENTFORM_TF_PLUGIN_DIR`, else the usual places, else the first provider binary `find` sees.
pub fn plugin_dir() -> PathBuf {
    if let Ok(dir) = std::env::var("AGENTFORM_TF_PLUGIN_DIR") {
        return PathBuf::from(dir);
    }
    let provider = "registry.terraform.io/hashicorp/aws/5.100.0";
    for candidate in [
        "/opt/tf-plugins",
        "/usr/share/terraform/plugins",
        "/usr/local/share/terraform/plugins",
    ] {
        if Path::new(candidate).join(provider).is_dir() {
            return PathBuf::from(candidate);
        }
    }
    let found = Command::new("find")
        .args([
            "/",
            "-xdev",
            "-name",
            "terraform-provider-aws_v5.100.0*",
            "-type",
            "f",
        ])
        .output()
        .ok()
        .and_then(|o| String::from_utf8(o.stdout).ok())
        .and_then(|s| s.lines().next().map(PathBuf::from));
    let binary = found.expect(
        "the hashicorp/aws 5.100.0 provider mirror was not found: set AGENTFORM_TF_PLUGIN_DIR (or AGENTFORM_SKIP_TERRAFORM=1)",
    );
    // <root>/registry.terraform.io/hashicorp/aws/5.100.0/<os_arch>/<binary>
    binary
        .ancestors()
        .nth(5)
        .expect("mirror layout")
        .to_path_buf()
}
