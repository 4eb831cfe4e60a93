//! `difyx lint` (issue 4): being written.

use anyhow::{bail, Result};

use crate::cli::{Outcome, ReleaseArgs};

/// The flags of `difyx lint`.
#[derive(clap::Args, Debug)]
pub struct LintArgs {
    #[command(flatten)]
    pub release: ReleaseArgs,
}

pub fn run(_args: &LintArgs, _warnings: &mut Vec<String>) -> Result<Outcome> {
    bail!("difyx lint is not available yet")
}
