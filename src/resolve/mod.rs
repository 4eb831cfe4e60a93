//! `difyx resolve` (issue 6): being written.

use anyhow::{bail, Result};

use crate::cli::{Outcome, ReleaseArgs};

/// The flags of `difyx resolve`.
#[derive(clap::Args, Debug)]
pub struct ResolveArgs {
    #[command(flatten)]
    pub release: ReleaseArgs,
}

pub fn run(_args: &ResolveArgs, _warnings: &mut Vec<String>) -> Result<Outcome> {
    bail!("difyx resolve is not available yet")
}
