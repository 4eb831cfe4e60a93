//! What the subcommands share: the arguments of every rendering command
//! ([`ReleaseArgs`]), `difyx template`'s flags ([`TemplateArgs`], which
//! `--each` in [`crate::batch`] reads too), and what a command produced
//! ([`Outcome`]).
//!
//! Dependencies run one way: [`crate::cli`] parses the command line and
//! calls the library's subcommand modules ([`crate::batch`],
//! [`crate::golden`], [`crate::lint`], [`crate::migrate`],
//! [`crate::resolve`]); `cli` and those that return an [`Outcome`] or read
//! [`TemplateArgs`] use this module, which uses neither.

use std::io::{self, Read};
use std::path::{Path, PathBuf};

use anyhow::{anyhow, Context, Result};
use clap::Args;

use crate::chart::Chart;
use crate::engine::{Capabilities, Release};
use crate::pipeline::{Options, UserValues, ValuesFile};
use crate::release;
use crate::values::strvals::SetKind;

/// What a command produced: text for stdout, and whether it succeeded
/// (a failed check or lint still prints its findings, then exits 1).
#[derive(Debug)]
pub struct Outcome {
    pub stdout: String,
    pub success: bool,
}

impl Outcome {
    pub fn ok(stdout: String) -> Self {
        Outcome {
            stdout,
            success: true,
        }
    }
    pub fn failed(stdout: String) -> Self {
        Outcome {
            stdout,
            success: false,
        }
    }
}

/// NAME, CHART, the namespace and every values flag: the arguments every
/// rendering command shares (`#[command(flatten)]` it).
#[derive(Args, Debug, Clone)]
pub struct ReleaseArgs {
    /// Release name (default: release-name).
    pub name: Option<String>,
    /// A chart directory (default: the embedded Dify chart).
    pub chart: Option<PathBuf>,
    /// Namespace of the release (default: $HELM_NAMESPACE, else `default`).
    #[arg(short = 'n', long = "namespace", value_name = "NAMESPACE")]
    pub namespace: Option<String>,
    /// Chart release to render: an exact version (0.36.0) or a SemVer
    /// constraint (^0.36, ~0.37.0, ">=0.30.0 <0.33.0"), newest match wins
    /// (default: the newest stable release; `difyx show versions` lists them).
    /// Ignored, with a warning, for a chart directory.
    #[arg(long = "version", value_name = "VERSION")]
    pub version: Option<String>,
    /// Consider pre-releases (e.g. 0.38.0-rc2) when picking the newest release.
    #[arg(long = "devel")]
    pub devel: bool,
    /// A values file, `-` for stdin (repeatable; later files win).
    #[arg(short = 'f', long = "values", value_name = "FILE")]
    pub values: Vec<String>,
    /// Set values: `a.b=1,c=x` (repeatable; typed as Helm types them).
    #[arg(long = "set", value_name = "KEY=VALUE")]
    pub set: Vec<String>,
    /// Set string values: `a.b=1` gives the string "1" (repeatable).
    #[arg(long = "set-string", value_name = "KEY=VALUE")]
    pub set_string: Vec<String>,
    /// Set values from JSON: `a={"b":1}` (repeatable).
    #[arg(long = "set-json", value_name = "KEY=JSON")]
    pub set_json: Vec<String>,
    /// Set values from files: `a.b=path/to/file` (repeatable).
    #[arg(long = "set-file", value_name = "KEY=PATH")]
    pub set_file: Vec<String>,
    /// Set a literal string, no escapes or splitting (repeatable).
    #[arg(long = "set-literal", value_name = "KEY=VALUE")]
    pub set_literal: Vec<String>,
}

impl ReleaseArgs {
    /// The chart: CHART if given (its own Chart.yaml decides the version,
    /// as in Helm: `--version` is ignored, with a warning), else the
    /// embedded release `--version`/`--devel` select.
    pub fn chart(&self, warnings: &mut Vec<String>) -> Result<Chart> {
        chart(
            self.chart.as_deref(),
            self.version.as_deref(),
            self.devel,
            warnings,
        )
    }

    /// NAME, checked with Helm's rules.
    pub fn release_name(&self) -> Result<String> {
        let name = self.name.as_deref().unwrap_or(release::DEFAULT_NAME);
        release::validate_name(name).map_err(|msg| {
            let looks_like_chart = self.chart.is_none() && Path::new(name).join("Chart.yaml").exists();
            if looks_like_chart {
                anyhow!("{msg}\n(to render the chart in {name}, give a release name first: difyx template NAME {name})")
            } else {
                anyhow!(msg)
            }
        })?;
        Ok(name.to_owned())
    }

    /// Every `-f` file read (stdin once) and every `--set*` argument.
    pub fn user_values(&self) -> Result<UserValues> {
        let mut files = Vec::new();
        let mut stdin_used = false;
        for path in &self.values {
            let (name, text) = if path == "-" {
                let mut text = String::new();
                if !stdin_used {
                    io::stdin()
                        .read_to_string(&mut text)
                        .context("cannot read values from stdin")?;
                    stdin_used = true;
                }
                ("<stdin>".to_owned(), text)
            } else {
                let text = crate::values::file::read_text(Path::new(path))
                    .with_context(|| format!("cannot read values file {path}"))?
                    .map_err(|_| anyhow!("values file {path} is not valid UTF-8 text"))?;
                (path.clone(), text)
            };
            files.push(ValuesFile { name, text });
        }
        let mut sets = Vec::new();
        for (kind, args) in [
            (SetKind::Json, &self.set_json),
            (SetKind::Set, &self.set),
            (SetKind::String, &self.set_string),
            (SetKind::File, &self.set_file),
            (SetKind::Literal, &self.set_literal),
        ] {
            sets.extend(args.iter().map(|a| (kind, a.clone())));
        }
        Ok(UserValues { files, sets })
    }

    /// The release: name and namespace (`-n`, `HELM_NAMESPACE`, `default`).
    pub fn release(&self, is_upgrade: bool) -> Result<Release> {
        let env = std::env::var("HELM_NAMESPACE").ok();
        let namespace = release::resolve_namespace(self.namespace.as_deref(), env.as_deref())
            .map_err(|msg| anyhow!(msg))?;
        Ok(Release {
            name: self.release_name()?,
            namespace,
            is_upgrade,
            revision: 1,
        })
    }
}

/// A chart directory, or the embedded release `version`/`devel` select.
pub fn chart(
    dir: Option<&Path>,
    version: Option<&str>,
    devel: bool,
    warnings: &mut Vec<String>,
) -> Result<Chart> {
    match dir {
        Some(dir) => {
            let chart = Chart::load(dir)?;
            if let Some(v) = version {
                warnings.push(format!(
                    "--version {v} is ignored for the chart directory {}: its Chart.yaml says {}, as Helm uses it",
                    dir.display(),
                    chart.version
                ));
            }
            Ok(chart)
        }
        None => Ok(Chart::embedded(
            crate::chart::versions::resolve(version, devel).map_err(|e| anyhow!(e))?,
        )),
    }
}

/// The flags of `difyx template`.
#[derive(Args, Debug)]
pub struct TemplateArgs {
    #[command(flatten)]
    pub release: ReleaseArgs,
    /// Only print documents from templates matching this glob, e.g.
    /// `templates/api-secret.yaml` or `templates/*-externalsecret.yaml` (repeatable).
    #[arg(short = 's', long = "show-only", value_name = "TEMPLATE")]
    pub show_only: Vec<String>,
    /// Treat warnings as errors (exit 1, nothing on stdout).
    #[arg(long)]
    pub strict: bool,
    /// Set .Release.IsUpgrade instead of .Release.IsInstall.
    #[arg(long = "is-upgrade")]
    pub is_upgrade: bool,
    /// Kubernetes version for .Capabilities.KubeVersion.
    #[arg(long = "kube-version", value_name = "VERSION")]
    pub kube_version: Option<String>,
    /// API versions for .Capabilities.APIVersions (repeatable, comma-separated).
    /// Listing external-secrets.io/v1beta1 without external-secrets.io/v1 renders v1beta1 ExternalSecrets.
    #[arg(
        short = 'a',
        long = "api-versions",
        value_name = "VERSION",
        value_delimiter = ','
    )]
    pub api_versions: Vec<String>,
    /// Write each template's documents to DIR/<chart>/templates/<file> instead of stdout.
    #[arg(long = "output-dir", value_name = "DIR")]
    pub output_dir: Option<PathBuf>,
    /// With --output-dir: write to DIR/<release>/<chart>/templates/<file>.
    #[arg(long = "release-name", requires = "output_dir")]
    pub use_release_name: bool,
    /// Accepted for Helm compatibility: `helm template` keeps the name release-name.
    #[arg(short = 'g', long = "generate-name", conflicts_with = "name")]
    pub generate_name: bool,
    /// Skip checking the values against the chart's values.schema.json.
    #[arg(long = "skip-schema-validation")]
    pub skip_schema_validation: bool,
    /// Compare the render with a golden FILE instead of printing it: exit 0
    /// when they are semantically equal, else print a masked diff and exit 1.
    #[arg(long = "check", value_name = "FILE", conflicts_with = "output_dir")]
    pub check: Option<PathBuf>,
    /// With --check: show secret values in the diff instead of fingerprints.
    #[arg(long = "show-secrets")]
    pub show_secrets: bool,
    /// Render one release per values file matching GLOB (e.g. 'envs/*.yaml'),
    /// in parallel, into --output-dir/<file stem>/.
    #[arg(long = "each", value_name = "GLOB", requires = "output_dir")]
    pub each: Option<String>,
}

impl TemplateArgs {
    /// The render options these flags give (release, capabilities, output).
    pub fn options(&self) -> Result<Options> {
        let release = self.release.release(self.is_upgrade)?;
        Ok(Options {
            release,
            capabilities: capabilities(&self.api_versions, self.kube_version.as_deref()),
            show_only: self.show_only.clone(),
            strict: self.strict,
            skip_schema_validation: self.skip_schema_validation,
        })
    }
}

/// `.Capabilities` from `-a/--api-versions` and `--kube-version` (a
/// leading `v` is added where missing, as Helm does).
pub fn capabilities(api_versions: &[String], kube_version: Option<&str>) -> Capabilities {
    let mut capabilities = Capabilities {
        api_versions: api_versions.to_vec(),
        ..Default::default()
    };
    if let Some(v) = kube_version {
        capabilities.kube_version = if v.starts_with('v') {
            v.to_owned()
        } else {
            format!("v{v}")
        };
    }
    capabilities
}
