//! `difyx template --each` (issue 5): being written.

use anyhow::{bail, Result};

use crate::cli::{Outcome, TemplateArgs};

pub fn run_each(_args: &TemplateArgs, _warnings: &mut Vec<String>) -> Result<Outcome> {
    bail!("--each is not available yet")
}
