//! The `difyx` binary: the library's [`difyx::cli::run`], on a thread with
//! a big stack ([`difyx::stack`]): values may nest as deep as Helm allows.

use std::process::ExitCode;

fn main() -> ExitCode {
    difyx::stack::with_big_stack(difyx::cli::run)
}
