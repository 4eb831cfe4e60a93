//! `difyx migrate`: the flags, their checks, and the files written from the
//! plan [`crate::migrate`] makes and verifies.

use std::path::{Path, PathBuf};

use anyhow::{anyhow, bail, Result};
use clap::Args;

use crate::command::{Outcome, ReleaseArgs};
use crate::engine::Capabilities;
use crate::migrate::{self, Plan};
use crate::pipeline::Options;
use crate::resolve::store;

/// The flags of `difyx migrate`.
#[derive(Args, Debug)]
#[command(after_help = "\
Examples:
  difyx migrate dify -f legacy.yaml --values-out eso.yaml --store-out store.yaml
  difyx migrate dify -f legacy.yaml --values-out eso.yaml --store-out store.yaml \\
      --vault-script-out put-secrets.sh --vault-mount secret
  difyx migrate dify -f legacy.yaml --values-out eso.yaml --store-out store.yaml --allow-partial

Then: sh put-secrets.sh (or load store.yaml into your backend), and
  helm upgrade dify dify/dify -f legacy.yaml -f eso.yaml")]
pub(super) struct MigrateArgs {
    #[command(flatten)]
    release: ReleaseArgs,
    /// The first segment of every remote key (`<prefix>/api`, `<prefix>/database`, …).
    #[arg(long = "prefix", value_name = "PREFIX", default_value = "dify")]
    prefix: String,
    /// Where to write the values overlay (apply it after the legacy values).
    #[arg(long = "values-out", value_name = "FILE")]
    values_out: PathBuf,
    /// Where to write the store file (`difyx resolve --store` format; holds the secrets).
    #[arg(long = "store-out", value_name = "FILE")]
    store_out: PathBuf,
    /// Also write a shell script of `vault kv put` commands (holds the secrets).
    #[arg(long = "vault-script-out", value_name = "FILE")]
    vault_script_out: Option<PathBuf>,
    /// The Vault KV mount the script writes to.
    #[arg(long = "vault-mount", value_name = "MOUNT", default_value = "secret")]
    vault_mount: String,
    /// Overwrite output files that already exist.
    #[arg(long)]
    force: bool,
    /// Keep services with keys no ExternalSecret can carry on plaintext Secrets
    /// (listed) instead of failing.
    #[arg(long = "allow-partial")]
    allow_partial: bool,
}

/// `difyx migrate`.
pub(super) fn run(args: &MigrateArgs, warnings: &mut Vec<String>) -> Result<Outcome> {
    let prefix = args.prefix.trim_matches('/');
    if prefix.is_empty() {
        bail!("--prefix must not be empty");
    }
    let mut outputs = vec![&args.values_out, &args.store_out];
    outputs.extend(args.vault_script_out.as_ref());
    for (i, a) in outputs.iter().enumerate() {
        if outputs[..i].contains(a) {
            bail!("{} is given for two outputs", a.display());
        }
        if !args.force && a.exists() {
            bail!("{} exists: give --force to overwrite it", a.display());
        }
    }
    let chart = args.release.chart(warnings)?;
    let user = args.release.user_values()?;
    let opts = Options {
        release: args.release.release(false)?,
        capabilities: Capabilities::default(),
        show_only: Vec::new(),
        strict: false,
        skip_schema_validation: false,
    };
    let plan = migrate::plan(&chart, &user, &opts, prefix)?;
    if !plan.kept.is_empty() && !args.allow_partial {
        let lines: Vec<String> = plan
            .kept
            .iter()
            .map(|(s, keys)| format!("{s}: {}", keys.join(", ")))
            .collect();
        bail!(
            "{} service(s) hold keys no ExternalSecret can carry:\n  {}\n\
             nothing was written; give --allow-partial to keep these services on plaintext Secrets",
            plan.kept.len(),
            lines.join("\n  ")
        );
    }
    let store = store::parse(&plan.store_text, "<migrated store>")?;
    let problems = migrate::verify(&chart, &user, &plan.overlay, &store, &opts)?;
    if !problems.is_empty() {
        bail!(
            "the migration does not reproduce the legacy Secrets (nothing was written):\n  {}",
            problems.join("\n  ")
        );
    }
    let script = match &args.vault_script_out {
        Some(_) => Some(migrate::vault::script(&plan.store, &args.vault_mount)?),
        None => None,
    };
    let header = "# Written by difyx migrate: apply after the legacy values\n\
                  # (helm upgrade ... -f LEGACY.yaml -f THIS.yaml).\n";
    write_new(
        &args.values_out,
        format!("{header}{}", plan.overlay).as_bytes(),
        args.force,
    )?;
    write_new(&args.store_out, plan.store_text.as_bytes(), args.force)?;
    if let (Some(path), Some(text)) = (&args.vault_script_out, &script) {
        write_new(path, text.as_bytes(), args.force)?;
        set_mode(path, 0o600)?;
    }
    Ok(Outcome::ok(summary(&plan, args)))
}

/// Writes a file atomically (0600), refusing to replace one unless `force`.
fn write_new(path: &Path, bytes: &[u8], force: bool) -> Result<()> {
    if !force && path.exists() {
        bail!("{} exists: give --force to overwrite it", path.display());
    }
    crate::output::write_atomically(path, bytes)?;
    set_mode(path, 0o600)
}

fn set_mode(path: &Path, mode: u32) -> Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode))
            .map_err(|e| anyhow!("cannot set the mode of {}: {e}", path.display()))?;
    }
    let _ = (path, mode);
    Ok(())
}

fn summary(plan: &Plan, args: &MigrateArgs) -> String {
    let mut out = String::new();
    out.push_str(&format!(
        "wrote {} (values overlay)\n",
        args.values_out.display()
    ));
    out.push_str(&format!(
        "wrote {} (store, mode 0600)\n",
        args.store_out.display()
    ));
    if let Some(p) = &args.vault_script_out {
        out.push_str(&format!(
            "wrote {} (vault kv put script, mode 0600: run it with sh)\n",
            p.display()
        ));
    }
    out.push_str("remote keys:\n");
    for (path, props) in &plan.store {
        let names: Vec<&str> = props.keys().map(String::as_str).collect();
        out.push_str(&format!("  {path}: {}\n", names.join(", ")));
    }
    out.push_str(&format!(
        "switched to ExternalSecrets: {}\n",
        if plan.switched.is_empty() {
            "none".to_owned()
        } else {
            plan.switched.join(", ")
        }
    ));
    if plan.kept.is_empty() {
        out.push_str("staying on plaintext Secrets: none\n");
    } else {
        out.push_str("staying on plaintext Secrets (keys no ExternalSecret can carry):\n");
        for (s, keys) in &plan.kept {
            out.push_str(&format!("  {s}: {}\n", keys.join(", ")));
        }
    }
    for n in &plan.notes {
        out.push_str(&format!("note: {n}\n"));
    }
    out.push_str("verified: legacy + overlay resolved with the store gives the legacy Secrets\n");
    out
}
