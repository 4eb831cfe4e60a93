//! `difyx values`: the final values (chart defaults merged with the user's) as YAML.

use anyhow::Result;
use clap::Args;

use crate::command::{Outcome, ReleaseArgs};
use crate::pipeline;
use crate::values::{emit, Value};

#[derive(Args, Debug)]
pub(super) struct ValuesArgs {
    #[command(flatten)]
    release: ReleaseArgs,
    /// Skip checking the values against the chart's values.schema.json.
    #[arg(long = "skip-schema-validation")]
    skip_schema_validation: bool,
}

pub(super) fn run(args: &ValuesArgs, warnings: &mut Vec<String>) -> Result<Outcome> {
    let chart = args.release.chart(warnings)?;
    let user = args.release.user_values()?;
    args.release.release(false)?;
    let (values, merge_warnings) =
        pipeline::compute_values(&chart, &user, args.skip_schema_validation)?;
    warnings.extend(merge_warnings);
    Ok(Outcome::ok(emit::to_yaml(&Value::Map(values))))
}
