//! `difyx resolve`: the flags, read into the release and the store files
//! that [`crate::resolve::run`] takes.

use std::io::Read;

use anyhow::{anyhow, bail, Context, Result};
use clap::Args;

use crate::command::{Outcome, ReleaseArgs};
use crate::pipeline::Options;
use crate::resolve::store::StoreFile;

/// The flags of `difyx resolve`.
#[derive(Args, Debug)]
#[command(after_help = "\
Examples:
  difyx resolve dify -n dify -f values.yaml --store store.yaml
  difyx resolve dify -f values.yaml --store base.yaml --store prod-overrides.yaml
  vault-export | difyx resolve dify -f values.yaml --store -
  difyx resolve dify -f values.yaml --store store.yaml | kubectl diff -f -

A store maps each remote key to a string or to a mapping of property to string:
  dify/api: {secret_key: \"...\"}
  dify/database: {username: postgres, password: \"...\"}")]
pub(super) struct ResolveArgs {
    #[command(flatten)]
    release: ReleaseArgs,
    /// A store file: YAML or JSON mapping each remote key to a string or to a
    /// mapping of property to string; `-` for stdin (repeatable; later files
    /// win, property by property).
    #[arg(long = "store", value_name = "STORE", required = true)]
    store: Vec<String>,
    /// Treat warnings as errors (exit 1, nothing on stdout).
    #[arg(long)]
    strict: bool,
    /// Set .Release.IsUpgrade instead of .Release.IsInstall.
    #[arg(long = "is-upgrade")]
    is_upgrade: bool,
    /// Kubernetes version for .Capabilities.KubeVersion.
    #[arg(long = "kube-version", value_name = "VERSION")]
    kube_version: Option<String>,
    /// API versions for .Capabilities.APIVersions (repeatable, comma-separated).
    #[arg(
        short = 'a',
        long = "api-versions",
        value_name = "VERSION",
        value_delimiter = ','
    )]
    api_versions: Vec<String>,
    /// Skip checking the values against the chart's values.schema.json.
    #[arg(long = "skip-schema-validation")]
    skip_schema_validation: bool,
}

impl ResolveArgs {
    /// The render options (warnings are collected here, so never `strict`).
    fn options(&self) -> Result<Options> {
        let release = self.release.release(self.is_upgrade)?;
        Ok(Options {
            release,
            capabilities: crate::command::capabilities(
                &self.api_versions,
                self.kube_version.as_deref(),
            ),
            show_only: Vec::new(),
            strict: false,
            skip_schema_validation: self.skip_schema_validation,
        })
    }

    /// Every `--store` file read, stdin at most once.
    fn store_files(&self) -> Result<Vec<StoreFile>> {
        let from_stdin = self.store.iter().filter(|s| *s == "-").count();
        if from_stdin > 1 {
            bail!("--store - is given {from_stdin} times: stdin can be read only once");
        }
        if from_stdin == 1 && self.release.values.iter().any(|v| v == "-") {
            bail!("both -f - and --store - read stdin: give one of them a file");
        }
        self.store
            .iter()
            .map(|path| {
                let (name, bytes) = if path == "-" {
                    let mut bytes = Vec::new();
                    std::io::stdin()
                        .read_to_end(&mut bytes)
                        .context("cannot read the store from stdin")?;
                    ("<stdin>".to_owned(), bytes)
                } else {
                    let bytes = std::fs::read(path)
                        .with_context(|| format!("cannot read store file {path}"))?;
                    (path.clone(), bytes)
                };
                let text = String::from_utf8(bytes)
                    .map_err(|_| anyhow!("store {name} is not valid UTF-8 text"))?;
                Ok(StoreFile { name, text })
            })
            .collect()
    }
}

pub(super) fn run(args: &ResolveArgs, warnings: &mut Vec<String>) -> Result<Outcome> {
    let opts = args.options()?;
    let files = args.store_files()?;
    let chart = args.release.chart(warnings)?;
    let user = args.release.user_values()?;
    crate::resolve::run(&chart, &user, &opts, &files, args.strict, warnings)
}
