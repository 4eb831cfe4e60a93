//! `difyx show values|chart|versions`: a chart's default values or
//! Chart.yaml, or the embedded chart releases.

use std::path::PathBuf;

use anyhow::Result;
use clap::{Args, Subcommand};

use crate::chart::versions;
use crate::command::{self, Outcome};

#[derive(Subcommand, Debug)]
pub(super) enum ShowWhat {
    /// Print the chart's default values.
    Values(ShowArgs),
    /// Print the chart's Chart.yaml.
    Chart(ShowArgs),
    /// List the embedded chart releases, newest first, with their appVersion.
    Versions,
}

#[derive(Args, Debug)]
pub(super) struct ShowArgs {
    /// A chart directory (default: the embedded Dify chart).
    chart: Option<PathBuf>,
    /// Embedded chart release: a version or a SemVer constraint (default: the newest stable).
    #[arg(long = "version", value_name = "VERSION")]
    version: Option<String>,
    /// Consider pre-releases when picking the newest release.
    #[arg(long = "devel")]
    devel: bool,
}

pub(super) fn run(what: ShowWhat, warnings: &mut Vec<String>) -> Result<Outcome> {
    let mut load =
        |a: ShowArgs| command::chart(a.chart.as_deref(), a.version.as_deref(), a.devel, warnings);
    Ok(Outcome::ok(match what {
        ShowWhat::Values(a) => load(a)?.values_yaml().into_owned(),
        ShowWhat::Chart(a) => load(a)?.chart_yaml,
        ShowWhat::Versions => list_versions(),
    }))
}

/// `helm search repo dify/dify --versions`' table, the default marked.
fn list_versions() -> String {
    let default = versions::default_version().version;
    let mut out = format!("{:<16}{}\n", "CHART VERSION", "APP VERSION");
    for v in versions::VERSIONS.iter().rev() {
        let mark = if v.version == default {
            "default"
        } else if v.version.contains('-') {
            "pre-release (--devel)"
        } else {
            ""
        };
        out.push_str(format!("{:<16}{:<16}{}", v.version, v.app_version, mark).trim_end());
        out.push('\n');
    }
    out
}
