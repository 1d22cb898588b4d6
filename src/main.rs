//! The `agentform` binary: a thin shell over [`agentform::cli`].

use std::process::ExitCode;

/// mimalloc (v2, transparent huge pages off: `.cargo/config.toml`) instead of the system
/// allocator: generation allocates and frees millions of small strings and maps (labels, template
/// values, the parse-back trees). At N = 10,000 VPCs it cuts `generate` by a quarter; see
/// ARCHITECTURE.md, "Performance".
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    agentform::cli::main()
}
