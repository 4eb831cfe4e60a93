//! The whole of `difyx template`, stage by stage, as a library call:
//! values → chart defaults → engine → manifests → text.
//!
//! Nothing here prints: the caller gets the output and the warnings, or one
//! [`Error`], and decides what to write where.

use std::sync::Arc;

use crate::chart::dependencies::{self, Enabled};
use crate::chart::{Chart, SchemaCheck};
use crate::engine::{Capabilities, Engine, Release, RenderError};
use crate::manifests::{self, Manifest, ManifestError};
use crate::values::merge::{coalesce, merge_maps};
use crate::values::strvals::{self, SetKind, StrvalsError};
use crate::values::yaml::{parse_values, YamlError};
use crate::values::{Map, Value};

/// Anything that stops a render. Each message is one paragraph naming the
/// file, flag or value path at fault.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("{0}")]
    Values(#[from] YamlError),
    #[error("{0}")]
    Set(#[from] StrvalsError),
    #[error("{0}")]
    Render(#[from] RenderError),
    #[error("{0}")]
    Manifest(#[from] ManifestError),
    #[error("{0}")]
    Invalid(#[from] crate::manifests::validate::ValidationError),
    #[error("{0}")]
    Schema(#[from] crate::values::schema::SchemaError),
    #[error("{0}")]
    Usage(String),
    /// A subchart's values are not a map, or its conditions cannot be read.
    #[error("{0}")]
    Subcharts(String),
    #[error("--strict: {} warning(s) treated as errors:\n  {}", .0.len(), .0.join("\n  "))]
    Strict(Vec<String>),
}

/// One `-f` source: its name for messages and its text.
#[derive(Clone, Debug)]
pub struct ValuesFile {
    pub name: String,
    pub text: String,
}

/// Every value the user gave, in the form the command line gave it.
#[derive(Clone, Debug, Default)]
pub struct UserValues {
    pub files: Vec<ValuesFile>,
    /// `--set-json`, `--set`, `--set-string`, `--set-file`, `--set-literal`
    /// arguments, each with its kind; applied in Helm's fixed order of kinds,
    /// command-line order within a kind.
    pub sets: Vec<(SetKind, String)>,
}

/// Helm's fixed order of the `--set*` kinds.
const SET_ORDER: [SetKind; 5] = [
    SetKind::Json,
    SetKind::Set,
    SetKind::String,
    SetKind::File,
    SetKind::Literal,
];

impl UserValues {
    /// One `-f` file and no `--set*`.
    pub fn file(name: impl Into<String>, text: impl Into<String>) -> UserValues {
        UserValues {
            files: vec![ValuesFile {
                name: name.into(),
                text: text.into(),
            }],
            sets: Vec::new(),
        }
    }

    /// The user's values merged together (before the chart defaults).
    pub fn merged(&self) -> Result<Map, Error> {
        let mut out = Map::new();
        for file in &self.files {
            out = merge_maps(out, parse_values(&file.text, &file.name)?);
        }
        for kind in SET_ORDER {
            for (_, arg) in self.sets.iter().filter(|(k, _)| *k == kind) {
                strvals::parse_into(arg, &mut out, kind)?;
            }
        }
        Ok(out)
    }
}

/// The final values the templates see, and the merge warnings, checked
/// against the chart's schemas (unless `skip_schema_validation`): first
/// those Helm checks (the chart's and each enabled subchart's), then, for the
/// embedded chart, difyx's own stricter one.
pub fn compute_values(
    chart: &Chart,
    user: &UserValues,
    skip_schema_validation: bool,
) -> Result<(Map, Vec<String>), Error> {
    let (values, warnings, tree, touched) = merge_values_touched(chart, user)?;
    if !skip_schema_validation {
        check_helm_schemas(chart, tree.as_ref(), &values, touched.as_ref())?;
        if chart.schema_check == SchemaCheck::ExplainsFailures {
            check_schema(chart, &values)?;
        }
    }
    Ok((values, warnings))
}

/// Only the checks Helm makes before rendering (the chart's schema and each
/// enabled subchart's), on the final values: what `helm template` accepts,
/// schema-wise. The final values and warnings on success.
pub fn helm_schema_check(chart: &Chart, user: &UserValues) -> Result<(Map, Vec<String>), Error> {
    let (values, warnings, tree, touched) = merge_values_touched(chart, user)?;
    check_helm_schemas(chart, tree.as_ref(), &values, touched.as_ref())?;
    Ok((values, warnings))
}

/// The final values, the merge warnings, the subcharts that take part (for
/// a chart with subcharts) and, for an embedded release, its schemas cut to
/// what the user's values touch ([`touched_schemas`]).
type Merged<'c> = (Map, Vec<String>, Option<Enabled<'c>>, Option<Touched>);

/// Merges the user's values over the chart's, unchecked: see [`Merged`].
fn merge_values_touched<'c>(chart: &'c Chart, user: &UserValues) -> Result<Merged<'c>, Error> {
    let mut warnings = Vec::new();
    let user = user.merged()?;
    let release = crate::lint::versioned::release_of(chart);
    let touched = match release {
        Some(_) => Some(touched_schemas(chart, &user)?),
        None => None,
    };
    // The diagnostics below read only a few top-level keys of the user's
    // own values: keep those, not a copy of the whole file.
    let kept = release.map(|_| {
        let roots = crate::lint::versioned::user_roots();
        user.iter()
            .filter(|(k, _)| roots.iter().any(|r| r == *k))
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect::<Map>()
    });
    let user_has_null = has_null(&user);
    let (mut values, tree) = if chart.subcharts.is_empty() {
        let values = coalesce(&chart.name, &chart.values, user, &mut warnings);
        (values, None)
    } else {
        let tree = dependencies::process(chart, &user, &mut warnings).map_err(Error::Subcharts)?;
        let values = tree
            .coalesce(&user, &mut warnings)
            .map_err(Error::Subcharts)?;
        (values, Some(tree))
    };
    let user = kept;
    // Below an enabled subchart's section Helm merges the user's values
    // keeping nulls, whatever the parent's defaults: nothing to delete there.
    let in_subchart = |path: &[String]| {
        tree.as_ref()
            .is_some_and(|t| t.deps.iter().any(|d| Some(&d.name) == path.first()))
    };
    if user_has_null {
        for path in &chart.upstream_default_paths() {
            if !in_subchart(path) {
                drop_null(&mut values, path);
            }
        }
    }
    // Values the chosen release reads differently (CHART-VERSIONS V11–V16).
    if let (Some(v), Some(user)) = (release, &user) {
        warnings.extend(
            crate::lint::versioned::diagnostics(user, &values, v)
                .iter()
                .map(crate::lint::versioned::Diagnostic::warning),
        );
    }
    Ok((values, warnings, tree, touched))
}

/// An embedded release's schemas (its own as `""`, each subchart's by
/// name), each cut to the properties the user's values set.
///
/// Where the user sets nothing the final values are the release's own
/// defaults, which meet every schema (`every_release_s_defaults_meet_its_schemas`):
/// only what the user set, below it, or the `global` a subchart receives
/// from the parent, can break a rule. Checking those alone gives Helm's
/// verdict, and compiles a schema the size of the user's file rather than
/// the chart's. The schemas hold only `properties`, `type`, `enum`-like
/// keywords (no `required`, `additionalProperties` or `$ref` outside the
/// `items` kept whole), so dropping an untouched property drops only the
/// checks of values the user did not give.
type Touched = Vec<(String, Option<serde_json::Value>)>;

fn touched_schemas(chart: &Chart, user: &Map) -> Result<Touched, Error> {
    use crate::values::schema::SchemaError;
    if user.is_empty() {
        // Nothing set: nothing to check.
        let subcharts = chart.subcharts.iter().map(|s| (s.name.clone(), None));
        return Ok(std::iter::once((String::new(), None))
            .chain(subcharts)
            .collect());
    }
    let own = chart.helm_schema_doc().map_err(|message| {
        Error::Schema(SchemaError {
            message,
            violations: Vec::new(),
        })
    })?;
    let mut out = vec![(String::new(), own.map(|doc| cut(&doc, Some(user), None)))];
    for sub in &chart.subcharts {
        let doc = match sub.schema.as_deref() {
            Some(text) => serde_json::from_str::<serde_json::Value>(text).ok(),
            None => None,
        };
        let section = user.get(&sub.name).and_then(Value::as_map);
        out.push((
            sub.name.clone(),
            doc.map(|d| cut(&d, section, user.get("global"))),
        ));
    }
    Ok(out)
}

/// `schema` with, under `properties`, only the keys `user` sets (recursively);
/// `global` counts as set when the parent's `global` is.
fn cut(
    schema: &serde_json::Value,
    user: Option<&Map>,
    global: Option<&Value>,
) -> serde_json::Value {
    let serde_json::Value::Object(node) = schema else {
        return schema.clone();
    };
    let mut out = serde_json::Map::new();
    for (k, v) in node {
        if k != "properties" {
            out.insert(k.clone(), v.clone());
            continue;
        }
        let serde_json::Value::Object(props) = v else {
            out.insert(k.clone(), v.clone());
            continue;
        };
        let mut kept = serde_json::Map::new();
        for (name, sub) in props {
            let given =
                user.and_then(|u| u.get(name))
                    .or(if name == "global" { global } else { None });
            if let Some(given) = given {
                kept.insert(name.clone(), cut(sub, given.as_map(), None));
            }
        }
        out.insert(k.clone(), serde_json::Value::Object(kept));
    }
    serde_json::Value::Object(out)
}

/// Whether a null is anywhere in `map` (only a user null can be one to
/// delete).
fn has_null(map: &Map) -> bool {
    map.values().any(|v| match v {
        Value::Null => true,
        Value::Map(m) => has_null(m),
        Value::List(items) => items
            .iter()
            .any(|i| matches!(i, Value::Map(m) if has_null(m))),
        _ => false,
    })
}

/// Removes the value at `path` if it is null.
fn drop_null(values: &mut Map, path: &[String]) {
    let Some((last, parents)) = path.split_last() else {
        return;
    };
    let mut map = values;
    for key in parents {
        match map.get_mut(key) {
            Some(Value::Map(m)) => map = m,
            _ => return,
        }
    }
    if map.get(last) == Some(&Value::Null) {
        map.remove(last);
    }
}

/// difyx's own schema of the embedded chart (or a chart directory's schema).
fn check_schema(chart: &Chart, values: &Map) -> Result<(), Error> {
    if let Some(schema) = chart.own_schema() {
        crate::values::schema::validate(&chart.name, &schema, values)?;
    }
    Ok(())
}

/// The schemas Helm checks before rendering: the chart's (for the embedded
/// chart, its release's equivalent of upstream's) and each enabled
/// subchart's against its section, every violation reported at once, grouped
/// by chart, in Helm's words.
pub(crate) fn check_helm_schemas(
    chart: &Chart,
    tree: Option<&Enabled<'_>>,
    values: &Map,
    touched: Option<&Touched>,
) -> Result<(), Error> {
    use crate::values::schema::{helm_report, ChartCheck, SchemaError};
    let schema_error = |message: String| {
        Error::Schema(SchemaError {
            message,
            violations: Vec::new(),
        })
    };
    let cut_for = |name: &str| {
        touched.and_then(|t| {
            t.iter()
                .find(|(n, _)| n == name)
                .map(|(_, doc)| doc.clone())
        })
    };
    let own = match cut_for("") {
        Some(doc) => doc,
        None => chart.helm_schema_doc().map_err(schema_error)?,
    };
    let mut checks = Vec::new();
    match tree {
        None => {
            if let Some(doc) = &own {
                checks.push(ChartCheck::run_doc(&chart.name, "", doc, Ok(values))?);
            }
        }
        Some(tree) => {
            let mut targets = Vec::new();
            tree.schema_targets(values, "", &mut targets);
            for t in targets {
                if std::ptr::eq(t.chart, chart) {
                    if let Some(doc) = &own {
                        checks.push(ChartCheck::run_doc(t.name, &t.pointer, doc, t.values)?);
                        continue;
                    }
                } else if let Some(doc) =
                    cut_for(t.name).filter(|_| t.pointer.matches('/').count() == 1)
                {
                    if let Some(doc) = &doc {
                        checks.push(ChartCheck::run_doc(t.name, &t.pointer, doc, t.values)?);
                        continue;
                    }
                } else if let Some(schema) = t.chart.schema.as_deref() {
                    checks.push(ChartCheck::run(t.name, &t.pointer, schema, t.values)?);
                    continue;
                }
                if let Err(line) = t.values {
                    checks.push(ChartCheck::failed(t.name, line));
                }
            }
        }
    }
    helm_report(checks)?;
    Ok(())
}

/// What to render and how to print it.
#[derive(Clone, Debug)]
pub struct Options {
    pub release: Release,
    pub capabilities: Capabilities,
    /// `--show-only` patterns; empty prints everything.
    pub show_only: Vec<String>,
    /// `--strict`: warnings are errors.
    pub strict: bool,
    /// `--skip-schema-validation`: do not check values.schema.json.
    pub skip_schema_validation: bool,
}

impl Options {
    /// `difyx template` for `release` with no other flag: the default
    /// capabilities, every document, warnings as warnings, the schema checked.
    pub fn new(release: Release) -> Options {
        Options {
            release,
            capabilities: Capabilities::default(),
            show_only: Vec::new(),
            strict: false,
            skip_schema_validation: false,
        }
    }
}

/// A successful render.
#[derive(Debug)]
pub struct Output {
    /// The documents, sorted as Helm sorts them.
    pub manifests: Vec<Manifest>,
    /// The documents `--show-only` selects, in its order; `None` without it.
    show_only: Option<Vec<Manifest>>,
    /// The text for stdout.
    pub text: String,
    /// Warnings for stderr, merge warnings first.
    pub warnings: Vec<String>,
    /// The values the templates saw: the chart's defaults with the user's
    /// values over them.
    pub values: Arc<Value>,
}

impl Output {
    /// The documents `--show-only` selects, in its order (all of them without it).
    pub fn selected(&self) -> &[Manifest] {
        self.show_only.as_deref().unwrap_or(&self.manifests)
    }
}

/// Renders `chart` with the user's values.
pub fn template(chart: &Chart, user: &UserValues, opts: &Options) -> Result<Output, Error> {
    let engine = Engine::new(chart)?;
    template_with(&engine, chart, user, opts)
}

/// [`template`] with an engine built once (for many renders of one chart).
pub fn template_with(
    engine: &Engine<'_>,
    chart: &Chart,
    user: &UserValues,
    opts: &Options,
) -> Result<Output, Error> {
    crate::release::validate_name(&opts.release.name).map_err(Error::Usage)?;
    crate::release::validate_namespace(&opts.release.namespace).map_err(Error::Usage)?;
    let (values, warnings, tree, touched) = merge_values_touched(chart, user)?;
    // An embedded release's own defaults meet its schemas (tested for every
    // release: `every_release_s_defaults_meet_its_schemas`), so with no user
    // value there is nothing to check.
    let defaults_only = chart.release.is_some()
        && user.sets.is_empty()
        && user.files.iter().all(|f| f.text.trim().is_empty());
    let check = (!opts.skip_schema_validation).then_some(chart.schema_check);
    if check.is_some() && !defaults_only {
        check_helm_schemas(chart, tree.as_ref(), &values, touched.as_ref())?;
    }
    drop(tree);
    let values = Arc::new(Value::Map(values));
    match render_values(engine, chart, Arc::clone(&values), warnings, opts) {
        // A render that failed for its values: the schema, where it explains
        // failures, names every wrong value at once.
        Err(e)
            if check == Some(SchemaCheck::ExplainsFailures) && !matches!(e, Error::Strict(_)) =>
        {
            if let Value::Map(values) = &*values {
                check_schema(chart, values)?;
            }
            Err(e)
        }
        result => result,
    }
}

/// Renders checked values, splits, validates, sorts and frames the output.
fn render_values(
    engine: &Engine<'_>,
    chart: &Chart,
    values: Arc<Value>,
    warnings: Vec<String>,
    opts: &Options,
) -> Result<Output, Error> {
    let rendered = engine.render_shared(Arc::clone(&values), &opts.release, &opts.capabilities)?;
    finish(chart, values, warnings, rendered, opts)
}

/// Splits, validates, sorts and frames a render's output.
fn finish(
    chart: &Chart,
    values: Arc<Value>,
    mut warnings: Vec<String>,
    rendered: crate::engine::Rendered,
    opts: &Options,
) -> Result<Output, Error> {
    warnings.extend(rendered.warnings);
    let mut manifests = manifests::split(&chart.name, &rendered.files)?;
    warnings.extend(manifests::validate::validate(&manifests)?);
    manifests::sort_by_kind(&mut manifests);
    let (text, show_only) = if opts.show_only.is_empty() {
        (manifests::format_stream(&manifests), None)
    } else {
        let selected = manifests::select(&manifests, &opts.show_only).map_err(Error::Usage)?;
        (manifests::format_show_only(&selected), Some(selected))
    };
    if opts.strict && !warnings.is_empty() {
        return Err(Error::Strict(warnings));
    }
    Ok(Output {
        manifests,
        show_only,
        text,
        warnings,
        values,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::chart::versions::VERSIONS;

    /// What lets `template_with` skip the schema checks when the user gives
    /// no value: every release's own defaults meet all of its schemas.
    #[test]
    fn every_release_s_defaults_meet_its_schemas() {
        for v in VERSIONS {
            let chart = Chart::embedded(v);
            let (values, _, tree, _) =
                merge_values_touched(&chart, &UserValues::default()).unwrap();
            if let Err(e) = check_helm_schemas(&chart, tree.as_ref(), &values, None) {
                panic!("{}: {e}", v.version);
            }
        }
    }
}
