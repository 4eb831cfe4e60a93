//! `difyx show values|chart [CHART]`: a chart's default values.yaml or Chart.yaml, as written.

use std::path::PathBuf;

use anyhow::Result;
use clap::Subcommand;

use crate::chart::Chart;
use crate::command::Outcome;

#[derive(Subcommand, Debug)]
pub(super) enum ShowWhat {
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

pub(super) fn run(what: ShowWhat) -> Result<Outcome> {
    let load = |dir: Option<PathBuf>| -> Result<Chart> {
        Ok(match dir {
            Some(d) => Chart::load(&d)?,
            None => Chart::embedded(),
        })
    };
    Ok(Outcome::ok(match what {
        ShowWhat::Values { chart } => load(chart)?.values_yaml,
        ShowWhat::Chart { chart } => load(chart)?.chart_yaml,
    }))
}
