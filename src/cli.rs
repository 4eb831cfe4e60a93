//! The command line: flags in, text out. Everything else lives in the library.

use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{anyhow, Context, Result};
use clap::{Args, Parser, Subcommand};

use crate::chart::Chart;
use crate::engine::{Capabilities, Engine, Release};
use crate::pipeline::{self, Options, UserValues, ValuesFile};
use crate::release;
use crate::values::strvals::SetKind;

const AFTER_HELP: &str = "\
Examples:
  difyx template dify -f values.yaml -n dify | kubectl apply -f -
  difyx template dify -f base.yaml -f prod.yaml --set externalSecret.enabled=true
  difyx template dify -f values.yaml -s 'templates/*-externalsecret.yaml'
  difyx values dify -f values.yaml          # the values the templates see
  difyx show values                         # the embedded chart's defaults";

/// Render the Dify chart's secret layer (ExternalSecrets and Secrets), as `helm template` would.
#[derive(Parser, Debug)]
#[command(name = "difyx", version, about, after_help = AFTER_HELP)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Render the chart's manifests to stdout, as `helm template`.
    #[command(after_help = "\
Examples:
  difyx template dify -f values.yaml -n dify | kubectl apply -f -
  difyx template -f values.yaml                       # release name: release-name
  difyx template dify ./my-chart -f values.yaml       # a chart directory instead of the embedded one
  difyx template dify -f values.yaml -s templates/api-externalsecret.yaml
  difyx template dify -f values.yaml --strict         # warnings fail the render")]
    Template(Lazy<TemplateArgs>),
    /// Print the final values (chart defaults merged with yours) as YAML.
    #[command(after_help = "\
Examples:
  difyx values dify -f values.yaml
  difyx values -f a.yaml -f b.yaml --set externalSecret.enabled=true")]
    Values(Lazy<ValuesCommand>),
    /// Preview, offline, the Secrets the External Secrets Operator will create from a store file.
    Resolve(Lazy<crate::resolve::ResolveArgs>),
    /// Check values for mistakes Helm renders without a word.
    Lint(Lazy<crate::lint::LintArgs>),
    /// Move a release's plaintext secrets to ExternalSecrets: a values overlay, a store, a Vault script.
    Migrate(Lazy<crate::migrate::MigrateArgs>),
    /// Compare two rendered streams document by document, secrets masked.
    Diff(Lazy<crate::golden::DiffArgs>),
    /// Print a shell completion script.
    #[command(after_help = "\
Examples:
  difyx completion bash > /etc/bash_completion.d/difyx
  difyx completion zsh > \"${fpath[1]}/_difyx\"
  difyx completion fish > ~/.config/fish/completions/difyx.fish")]
    Completion(Lazy<CompletionArgs>),
    /// Show the chart's files: `values` (its default values.yaml) or `chart` (its Chart.yaml).
    #[command(after_help = "\
Examples:
  difyx show values > my-values.yaml
  difyx show chart ./my-chart")]
    Show {
        #[command(subcommand)]
        what: ShowWhat,
    },
}

#[derive(Args, Debug)]
struct CompletionArgs {
    /// The shell.
    shell: clap_complete::Shell,
}

/// A subcommand's arguments, defined only when that subcommand runs (or
/// its help or a completion script is asked for), with clap's
/// [`clap::Command::defer`]. Defining every subcommand's arguments, most of
/// them the shared [`ReleaseArgs`] again, was most of what clap did for a
/// render: ~30 K instructions and 59 KB of straight-line code run once
/// (`docs/performance.md`, round twelve).
#[derive(Debug)]
struct Lazy<T>(T);

impl<T: Args> Args for Lazy<T> {
    fn augment_args(cmd: clap::Command) -> clap::Command {
        cmd.defer(|cmd| keep_texts(cmd, T::augment_args))
    }
    fn augment_args_for_update(cmd: clap::Command) -> clap::Command {
        cmd.defer(|cmd| keep_texts(cmd, T::augment_args_for_update))
    }
}

/// `augment(cmd)`, keeping the texts the subcommand's variant gave `cmd`:
/// deferred, the arguments' struct would otherwise put its own doc comment
/// in their place (undeferred, the variant's came after it).
fn keep_texts(
    cmd: clap::Command,
    augment: impl FnOnce(clap::Command) -> clap::Command,
) -> clap::Command {
    let about = cmd.get_about().cloned();
    let long_about = cmd.get_long_about().cloned();
    let mut cmd = augment(cmd);
    if let Some(about) = about {
        cmd = cmd.about(about);
    }
    if let Some(long_about) = long_about {
        cmd = cmd.long_about(long_about);
    }
    cmd
}

impl<T: clap::FromArgMatches> clap::FromArgMatches for Lazy<T> {
    fn from_arg_matches(matches: &clap::ArgMatches) -> Result<Self, clap::Error> {
        T::from_arg_matches(matches).map(Lazy)
    }
    fn from_arg_matches_mut(matches: &mut clap::ArgMatches) -> Result<Self, clap::Error> {
        T::from_arg_matches_mut(matches).map(Lazy)
    }
    fn update_from_arg_matches(&mut self, matches: &clap::ArgMatches) -> Result<(), clap::Error> {
        self.0.update_from_arg_matches(matches)
    }
    fn update_from_arg_matches_mut(
        &mut self,
        matches: &mut clap::ArgMatches,
    ) -> Result<(), clap::Error> {
        self.0.update_from_arg_matches_mut(matches)
    }
}

#[derive(Subcommand, Debug)]
enum ShowWhat {
    /// Print the chart's default values.yaml.
    Values {
        /// A chart directory (default: the embedded Dify chart).
        chart: Option<PathBuf>,
    },
    /// Print the chart's Chart.yaml.
    Chart {
        /// A chart directory (default: the embedded Dify chart).
        chart: Option<PathBuf>,
    },
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

#[derive(Args, Debug)]
pub struct ValuesCommand {
    #[command(flatten)]
    pub release: ReleaseArgs,
    /// Skip checking the values against the chart's values.schema.json.
    #[arg(long = "skip-schema-validation")]
    pub skip_schema_validation: bool,
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
    /// The chart: CHART if given, else the embedded one.
    pub fn chart(&self) -> Result<Chart> {
        match &self.chart {
            Some(dir) => Ok(Chart::load(dir)?),
            None => Ok(Chart::embedded()),
        }
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

/// Runs the command line; the process's exit code.
pub fn run() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => return clap_exit(e),
    };
    let mut warnings = Vec::new();
    let result = dispatch(cli.command, &mut warnings);
    let mut stderr = io::stderr().lock();
    for w in &warnings {
        let _ = writeln!(stderr, "warning: {}", one_line(w));
    }
    match result.and_then(|o| write_stdout(&o.stdout).map(|()| o.success)) {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::FAILURE,
        Err(e) => {
            let _ = writeln!(stderr, "Error: {}", error_text(&e));
            ExitCode::FAILURE
        }
    }
}

/// Runs one command. Warnings go to `warnings` even on failure.
fn dispatch(command: Command, warnings: &mut Vec<String>) -> Result<Outcome> {
    match command {
        Command::Template(Lazy(args)) if args.each.is_some() => {
            crate::batch::run_each(&args, warnings)
        }
        Command::Template(Lazy(args)) => template(&args, warnings),
        Command::Resolve(Lazy(args)) => crate::resolve::run(&args, warnings),
        Command::Lint(Lazy(args)) => crate::lint::run(&args, warnings),
        Command::Migrate(Lazy(args)) => crate::migrate::run(&args, warnings),
        Command::Diff(Lazy(args)) => crate::golden::run_diff(&args),
        other => print_only(other, warnings).map(Outcome::ok),
    }
}

/// `difyx template` for one release.
fn template(args: &TemplateArgs, warnings: &mut Vec<String>) -> Result<Outcome> {
    let opts = args.options()?;
    let chart = args.release.chart()?;
    let user = args.release.user_values()?;
    let engine = Engine::new(&chart).map_err(pipeline::Error::from)?;
    let mut out = pipeline::template_with(&engine, &chart, &user, &opts)?;
    warnings.append(&mut out.warnings);
    let outcome = if let Some(golden) = &args.check {
        crate::golden::check(&out.text, golden, args.show_secrets)
    } else {
        match &args.output_dir {
            None => Ok(Outcome::ok(std::mem::take(&mut out.text))),
            Some(dir) => {
                let dir = if args.use_release_name {
                    dir.join(&opts.release.name)
                } else {
                    dir.clone()
                };
                Ok(Outcome::ok(crate::output::write_output_dir(
                    out.selected(),
                    &dir,
                )?))
            }
        }
    };
    // The process ends once the outcome is printed. Freeing the values
    // tree, the parsed documents, the compiled templates and the user's
    // files node by node would cost a tenth of the render's instructions
    // (callgrind: 1.6 M of 15.4 M on the production file); the kernel
    // takes the memory back at once.
    std::mem::forget((out, engine, user));
    std::mem::forget(chart);
    outcome
}

impl TemplateArgs {
    /// The render options these flags give (release, capabilities, output).
    pub fn options(&self) -> Result<Options> {
        let release = self.release.release(self.is_upgrade)?;
        let mut capabilities = Capabilities {
            api_versions: self.api_versions.clone(),
            ..Default::default()
        };
        if let Some(v) = &self.kube_version {
            capabilities.kube_version = if v.starts_with('v') {
                v.clone()
            } else {
                format!("v{v}")
            };
        }
        Ok(Options {
            release,
            capabilities,
            show_only: self.show_only.clone(),
            strict: self.strict,
            skip_schema_validation: self.skip_schema_validation,
            project_values: true,
        })
    }
}

/// The commands that only print text.
fn print_only(command: Command, warnings: &mut Vec<String>) -> Result<String> {
    match command {
        Command::Template(_)
        | Command::Resolve(_)
        | Command::Lint(_)
        | Command::Migrate(_)
        | Command::Diff(_) => {
            unreachable!("dispatch handles the commands with an outcome")
        }
        Command::Values(Lazy(args)) => {
            let chart = args.release.chart()?;
            let user = args.release.user_values()?;
            args.release.release(false)?;
            let (values, merge_warnings) =
                pipeline::compute_values(&chart, &user, args.skip_schema_validation)?;
            warnings.extend(merge_warnings);
            Ok(crate::values::emit::to_yaml(&crate::values::Value::Map(
                values,
            )))
        }
        Command::Completion(Lazy(CompletionArgs { shell })) => {
            let mut buf = Vec::new();
            clap_complete::generate(
                shell,
                &mut <Cli as clap::CommandFactory>::command(),
                "difyx",
                &mut buf,
            );
            Ok(String::from_utf8_lossy(&buf).into_owned())
        }
        Command::Show { what } => {
            let load = |dir: &Option<PathBuf>| -> Result<Chart> {
                Ok(match dir {
                    Some(d) => Chart::load(d)?,
                    None => Chart::embedded(),
                })
            };
            Ok(match what {
                ShowWhat::Values { chart } => load(&chart)?.values_yaml,
                ShowWhat::Chart { chart } => load(&chart)?.chart_yaml,
            })
        }
    }
}

/// A warning on exactly one line: control characters and line separators
/// from hostile keys are escaped, so a value cannot forge a line on stderr.
fn one_line(s: &str) -> String {
    s.chars()
        .flat_map(|c| {
            let escape = c.is_control() || matches!(c, '\u{2028}' | '\u{2029}');
            let out: Vec<char> = if escape {
                c.escape_default().collect()
            } else {
                vec![c]
            };
            out
        })
        .collect()
}

/// The whole error chain as one paragraph.
fn error_text(e: &anyhow::Error) -> String {
    let mut text = e.to_string();
    for cause in e.chain().skip(1) {
        let cause = cause.to_string();
        if !text.contains(&cause) {
            text.push_str(": ");
            text.push_str(&cause);
        }
    }
    text
}

/// Writes the output; a closed pipe (`difyx template | head`) is not an error.
fn write_stdout(text: &str) -> Result<()> {
    let mut out = io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        Err(e) if e.kind() != io::ErrorKind::BrokenPipe => Err(e).context("cannot write to stdout"),
        _ => Ok(()),
    }
}

/// clap's help and version exit 0 on stdout; usage errors exit 1 with `Error: `.
fn clap_exit(e: clap::Error) -> ExitCode {
    use clap::error::ErrorKind;
    match e.kind() {
        ErrorKind::DisplayHelp
        | ErrorKind::DisplayVersion
        | ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand => {
            let _ = write_stdout(&e.render().to_string());
            if e.kind() == ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand {
                ExitCode::FAILURE
            } else {
                ExitCode::SUCCESS
            }
        }
        _ => {
            let rendered = e.render().to_string();
            let text = rendered.strip_prefix("error: ").unwrap_or(&rendered);
            let _ = write!(io::stderr(), "Error: {text}");
            ExitCode::FAILURE
        }
    }
}
