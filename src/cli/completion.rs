//! `difyx completion SHELL`: a shell completion script for the whole command line.

use clap::{Args, CommandFactory};

use crate::command::Outcome;

#[derive(Args, Debug)]
pub(super) struct CompletionArgs {
    /// The shell.
    shell: clap_complete::Shell,
}

pub(super) fn run(args: &CompletionArgs) -> Outcome {
    let mut buf = Vec::new();
    clap_complete::generate(args.shell, &mut super::Cli::command(), "difyx", &mut buf);
    Outcome::ok(String::from_utf8_lossy(&buf).into_owned())
}
