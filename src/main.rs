//! The `difyx` binary: the library's [`difyx::cli::run`].

use std::process::ExitCode;

fn main() -> ExitCode {
    difyx::cli::run()
}
