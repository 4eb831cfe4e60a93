//! `difyx template`: one release to stdout, `--output-dir` or `--check`;
//! one release per values file with `--each` ([`crate::batch`]). Its flags,
//! [`TemplateArgs`], are in [`crate::command`], which `--each` reads too.

use anyhow::Result;

use crate::command::{Outcome, TemplateArgs};
use crate::engine::Engine;
use crate::pipeline;

pub(super) fn run(args: &TemplateArgs, warnings: &mut Vec<String>) -> Result<Outcome> {
    if args.each.is_some() {
        return crate::batch::run_each(args, warnings);
    }
    let opts = args.options()?;
    let chart = args.release.chart(warnings)?;
    let user = args.release.user_values()?;
    let engine = Engine::new(&chart).map_err(pipeline::Error::from)?;
    let mut out = pipeline::template_with(&engine, &chart, &user, &opts)?;
    warnings.append(&mut out.warnings);
    if let Some(golden) = &args.check {
        return crate::golden::check(&out.text, golden, args.show_secrets);
    }
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
}
