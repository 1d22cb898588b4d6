//! The `agentform` binary: a thin shell over [`agentform::cli`].

use std::process::ExitCode;

fn main() -> ExitCode {
    agentform::cli::main()
}
