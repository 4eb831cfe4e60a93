//! The command line: flags in, text out. Everything else lives in the library.
//!
//! This module parses the command line (`Cli`), dispatches to the
//! subcommand, and prints what it produced. Each subcommand has a file
//! here with its flags and the glue from them to the library: `template`
//! (and `--each`, [`crate::batch`]), `values`, `resolve`
//! ([`crate::resolve`]), `lint` ([`crate::lint`]), `migrate`
//! ([`crate::migrate`]), `diff` ([`crate::golden`]), `completion`, `show`.
//! What they share ([`ReleaseArgs`](crate::command::ReleaseArgs),
//! [`TemplateArgs`], [`Outcome`]) is in [`crate::command`], below the
//! library's subcommand modules: nothing outside this folder uses
//! `crate::cli`.

mod completion;
mod diff;
mod lint;
mod migrate;
mod resolve;
mod show;
mod template;
mod upgrade_diff;
mod values;

use std::io::{self, Write};
use std::process::ExitCode;

use anyhow::{Context, Result};
use clap::{Parser, Subcommand};

use crate::command::{Outcome, TemplateArgs};

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
    Template(TemplateArgs),
    /// Print the final values (chart defaults merged with yours) as YAML.
    #[command(after_help = "\
Examples:
  difyx values dify -f values.yaml
  difyx values -f a.yaml -f b.yaml --set externalSecret.enabled=true")]
    Values(values::ValuesArgs),
    /// Preview, offline, the Secrets the External Secrets Operator will create from a store file.
    Resolve(resolve::ResolveArgs),
    /// Check values for mistakes Helm renders without a word.
    Lint(lint::LintArgs),
    /// Move a release's plaintext secrets to ExternalSecrets: a values overlay, a store, a Vault script.
    Migrate(migrate::MigrateArgs),
    /// Compare two rendered streams document by document, secrets masked.
    Diff(diff::DiffArgs),
    /// Render the same values at two chart releases: the document diff, and the values whose meaning changes.
    UpgradeDiff(upgrade_diff::UpgradeDiffArgs),
    /// Print a shell completion script.
    #[command(after_help = "\
Examples:
  difyx completion bash > /etc/bash_completion.d/difyx
  difyx completion zsh > \"${fpath[1]}/_difyx\"
  difyx completion fish > ~/.config/fish/completions/difyx.fish")]
    Completion(completion::CompletionArgs),
    /// Show the chart's files: `values` (its default values.yaml) or `chart` (its Chart.yaml).
    #[command(after_help = "\
Examples:
  difyx show values > my-values.yaml
  difyx show chart ./my-chart")]
    Show {
        #[command(subcommand)]
        what: show::ShowWhat,
    },
}

/// Runs the command line; the process's exit code.
pub fn run() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => return clap_exit(e),
    };
    let mut warnings = Vec::new();
    // diff(1)'s convention: 1 means "different", so trouble is 2.
    let trouble = if matches!(cli.command, Command::UpgradeDiff(_)) {
        ExitCode::from(2)
    } else {
        ExitCode::FAILURE
    };
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
            trouble
        }
    }
}

/// Runs one command. Warnings go to `warnings` even on failure.
fn dispatch(command: Command, warnings: &mut Vec<String>) -> Result<Outcome> {
    match command {
        Command::Template(args) => template::run(&args, warnings),
        Command::Values(args) => values::run(&args, warnings),
        Command::Resolve(args) => resolve::run(&args, warnings),
        Command::Lint(args) => lint::run(&args, warnings),
        Command::Migrate(args) => migrate::run(&args, warnings),
        Command::Diff(args) => diff::run(&args),
        Command::UpgradeDiff(args) => upgrade_diff::run(&args, warnings),
        Command::Completion(args) => Ok(completion::run(&args)),
        Command::Show { what } => show::run(what, warnings),
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
