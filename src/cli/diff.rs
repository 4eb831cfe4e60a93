//! `difyx diff A B`: two rendered streams compared document by document
//! ([`crate::golden`]).

use std::path::PathBuf;

use anyhow::Result;
use clap::Args;

use crate::command::Outcome;

/// The flags of `difyx diff`.
#[derive(Args, Debug)]
#[command(after_help = "\
Exit status: 0 when the streams are semantically equal, 1 when they differ
(the differences on stdout) or on an error.

Examples:
  difyx diff golden/prod.yaml <(difyx template dify -f envs/prod.yaml)
  difyx template dify -f envs/prod.yaml | difyx diff golden/prod.yaml -")]
pub(super) struct DiffArgs {
    /// The first rendered stream (`-` for stdin).
    a: PathBuf,
    /// The second rendered stream (`-` for stdin).
    b: PathBuf,
    /// Print Secret values (decoded) instead of fingerprints. For local use:
    /// never in CI logs.
    #[arg(long = "show-secrets")]
    show_secrets: bool,
}

pub(super) fn run(args: &DiffArgs) -> Result<Outcome> {
    crate::golden::diff_files(&args.a, &args.b, args.show_secrets)
}
