//! `difyx lint`: the flags, and the findings of [`crate::lint`] printed as
//! text or JSON.

use std::io::IsTerminal;

use anyhow::Result;
use clap::{Args, ValueEnum};

use crate::command::{Outcome, ReleaseArgs};
use crate::lint::{self, report};

/// How `difyx lint` prints its findings.
#[derive(ValueEnum, Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(super) enum Format {
    /// Grouped by values file and value path, coloured on a terminal.
    #[default]
    Text,
    /// A JSON array of findings, sorted, for CI.
    Json,
}

/// The flags of `difyx lint`.
#[derive(Args, Debug)]
#[command(after_help = "\
Examples:
  difyx lint dify -f values.yaml
  difyx lint dify -f base.yaml -f prod.yaml --strict      # warnings fail too
  difyx lint dify -f values.yaml -o json > lint.json      # for CI
Exit status: 1 when a finding is an error (with --strict: an error or a warning), else 0.
Rules: docs/lint.md")]
pub(super) struct LintArgs {
    #[command(flatten)]
    release: ReleaseArgs,
    /// Output format.
    #[arg(short = 'o', long = "output", value_enum, default_value_t = Format::Text)]
    output: Format,
    /// Treat warnings as errors (exit 1 when there is any).
    #[arg(long)]
    strict: bool,
}

/// `difyx lint`. Render warnings become findings; nothing goes to `warnings`.
pub(super) fn run(args: &LintArgs, warnings: &mut Vec<String>) -> Result<Outcome> {
    let chart = args.release.chart(warnings)?;
    let user = args.release.user_values()?;
    let release = args.release.release(false).map_err(|e| e.to_string());
    let findings = lint::lint(&chart, &user, release);
    let text = match args.output {
        Format::Json => report::json(&findings),
        Format::Text => {
            let files: Vec<String> = user.files.iter().map(|f| f.name.clone()).collect();
            let color = report::use_color(
                std::io::stdout().is_terminal(),
                std::env::var_os("NO_COLOR").as_deref(),
                std::env::var_os("CLICOLOR_FORCE").as_deref(),
            );
            report::text(&findings, &files, args.strict, color)
        }
    };
    Ok(if lint::failed(&findings, args.strict) {
        Outcome::failed(text)
    } else {
        Outcome::ok(text)
    })
}
