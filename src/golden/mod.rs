//! Golden-file checks and semantic diffs (issue 5): being written.

use std::path::{Path, PathBuf};

use anyhow::{bail, Result};

use crate::cli::Outcome;

/// The flags of `difyx diff`.
#[derive(clap::Args, Debug)]
pub struct DiffArgs {
    /// The first rendered stream (`-` for stdin).
    pub a: PathBuf,
    /// The second rendered stream.
    pub b: PathBuf,
}

pub fn run_diff(_args: &DiffArgs) -> Result<Outcome> {
    bail!("difyx diff is not available yet")
}

pub fn check(_rendered: &str, _golden: &Path, _show_secrets: bool) -> Result<Outcome> {
    bail!("--check is not available yet")
}
