//! difyx renders the Dify Helm chart's secret layer — the ExternalSecrets of
//! the External Secrets Operator and the fallback Secrets — exactly as
//! `helm template` renders the upstream chart, without Helm.
//!
//! The pipeline has one module per stage, as Helm's own packages do:
//!
//! | stage | module | Helm |
//! |---|---|---|
//! | command line: parse, dispatch, print | [`cli`] | `cmd/helm` |
//! | what the subcommands share: release flags, outcome | [`command`] | `cmd/helm` |
//! | values: YAML 1.1, merge, `--set` | [`values`] | `pkg/cli/values`, `pkg/strvals`, `chartutil` |
//! | chart: embedded or a directory | [`chart`] | `pkg/chart/loader` |
//! | engine: minijinja with Helm's objects and filters | [`engine`] | `pkg/engine` |
//! | manifests: split, check, order, frame | [`manifests`] | `pkg/releaseutil` |
//! | output: stdout or `--output-dir` | [`output`] | `pkg/action` (`writeToFile`) |
//! | release name and namespace | [`release`] | `pkg/action` |
//!
//! [`pipeline`] strings the stages together for one render. The subcommands
//! beside `template` have a module each: [`batch`] (`template --each`),
//! [`golden`] (`diff`, `template --check`), [`lint`], [`migrate`],
//! [`resolve`].
//!
//! Dependencies run one way: [`cli`] calls the subcommands, and they and
//! `cli` use [`command`]; nothing outside `cli` uses `cli`.

pub mod batch;
pub mod chart;
pub mod cli;
pub mod command;
pub mod engine;
pub mod golden;
pub mod lint;
pub mod manifests;
pub mod migrate;
pub mod output;
pub mod pipeline;
pub mod release;
pub mod resolve;
pub mod stack;
pub mod upgrade;
pub mod values;
