//! `difyx upgrade-diff`: the same values rendered at two chart releases,
//! compared ([`crate::upgrade`]).

use anyhow::{anyhow, Result};
use clap::Args;

use crate::command::{Outcome, ReleaseArgs};
use crate::pipeline::Options;

/// The flags of `difyx upgrade-diff`.
#[derive(Args, Debug)]
#[command(after_help = "\
Output: the document diff of the two renders (`difyx diff`'s format: Secret
values as sha256 fingerprints unless --show-secrets), then every value whose
meaning changes between the releases for these values: paths only one
release reads (and the path that replaced them), and defaults that differ.

Exit status, as diff(1): 0 when both releases render the same documents,
1 when they differ, 2 on an error (bad flags, values or a failed render).

Examples:
  difyx upgrade-diff --from 0.35.0 --to 0.36.0 dify -n dify -f values.yaml
  difyx upgrade-diff --from '~0.33' --to '>=0.37.0' -f values.yaml
  difyx upgrade-diff --from 0.37.0 --to 0.38.0-rc2 -f values.yaml --show-secrets")]
pub(super) struct UpgradeDiffArgs {
    /// Release name (default: release-name).
    name: Option<String>,
    /// The release upgraded from: an exact version or a SemVer constraint
    /// (newest match), as --version takes.
    #[arg(long = "from", value_name = "VERSION")]
    from: String,
    /// The release upgraded to: an exact version or a SemVer constraint.
    #[arg(long = "to", value_name = "VERSION")]
    to: String,
    /// Let the constraints match pre-releases (e.g. 0.38.0-rc2).
    #[arg(long = "devel")]
    devel: bool,
    /// Namespace of the release (default: $HELM_NAMESPACE, else `default`).
    #[arg(short = 'n', long = "namespace", value_name = "NAMESPACE")]
    namespace: Option<String>,
    /// A values file, `-` for stdin (repeatable; later files win).
    #[arg(short = 'f', long = "values", value_name = "FILE")]
    values: Vec<String>,
    /// Set values: `a.b=1,c=x` (repeatable; typed as Helm types them).
    #[arg(long = "set", value_name = "KEY=VALUE")]
    set: Vec<String>,
    /// Set string values (repeatable).
    #[arg(long = "set-string", value_name = "KEY=VALUE")]
    set_string: Vec<String>,
    /// Set values from JSON (repeatable).
    #[arg(long = "set-json", value_name = "KEY=JSON")]
    set_json: Vec<String>,
    /// Set values from files (repeatable).
    #[arg(long = "set-file", value_name = "KEY=PATH")]
    set_file: Vec<String>,
    /// Set a literal string (repeatable).
    #[arg(long = "set-literal", value_name = "KEY=VALUE")]
    set_literal: Vec<String>,
    /// Print Secret values (decoded) instead of fingerprints. For local use:
    /// never in CI logs.
    #[arg(long = "show-secrets")]
    show_secrets: bool,
    /// Skip checking the values against each release's values.schema.json.
    #[arg(long = "skip-schema-validation")]
    skip_schema_validation: bool,
}

pub(super) fn run(args: &UpgradeDiffArgs, warnings: &mut Vec<String>) -> Result<Outcome> {
    let pick = |flag: &str, c: &str| {
        crate::chart::versions::resolve(Some(c), args.devel).map_err(|e| anyhow!("--{flag}: {e}"))
    };
    let from = pick("from", &args.from)?;
    let to = pick("to", &args.to)?;
    let release = ReleaseArgs {
        name: args.name.clone(),
        chart: None,
        namespace: args.namespace.clone(),
        version: None,
        devel: args.devel,
        values: args.values.clone(),
        set: args.set.clone(),
        set_string: args.set_string.clone(),
        set_json: args.set_json.clone(),
        set_file: args.set_file.clone(),
        set_literal: args.set_literal.clone(),
    };
    let user = release.user_values()?;
    let opts = Options {
        skip_schema_validation: args.skip_schema_validation,
        ..Options::new(release.release(false)?)
    };
    crate::upgrade::run(from, to, &user, &opts, args.show_secrets, warnings)
}
