//! Charts: the embedded Dify chart, or one loaded from a directory.
//!
//! A chart is Helm's layout with minijinja templates:
//!
//! ```text
//! Chart.yaml          name, version, appVersion
//! values.yaml         default values (YAML 1.1, read like a values file)
//! values.schema.json  optional JSON Schema for the final values
//! templates/*.yaml    one manifest file each; files whose name starts
//!                     with `_` are helpers (macros), never rendered
//! ```

pub mod dify;
pub mod versions;

use std::borrow::Cow;
use std::path::{Path, PathBuf};

use crate::values::yaml::parse_values;
use crate::values::{Map, Value};

pub use versions::ChartVersion;

/// A chart could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum ChartError {
    #[error("cannot read chart file {path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{0}")]
    Invalid(String),
}

/// A loaded chart.
#[derive(Clone, Debug)]
pub struct Chart {
    /// `Chart.yaml` field `name`.
    pub name: String,
    /// `Chart.yaml` field `version`.
    pub version: String,
    /// `Chart.yaml` field `appVersion` (empty when absent).
    pub app_version: String,
    /// The text of `Chart.yaml`, as `difyx show chart` prints it.
    pub chart_yaml: String,
    /// The text of `values.yaml`, as `difyx show values` prints it.
    pub values_yaml: String,
    /// The parsed default values.
    pub values: Map,
    /// The text of `values.schema.json`, if the chart has one (borrowed
    /// from the binary for the embedded chart).
    pub schema: Option<Cow<'static, str>>,
    /// When a render checks the values against [`Chart::schema`].
    pub schema_check: SchemaCheck,
    /// When the engine compiles the templates.
    pub compile: Compile,
    /// Which of minijinja's own filters, tests and functions the templates
    /// may use.
    pub builtins: Builtins,
    /// Templates as (path relative to the chart, e.g. `templates/api-secret.yaml`, source),
    /// sorted by path.
    /// The embedded chart's sources are borrowed from the binary.
    pub templates: Vec<(String, Cow<'static, str>)>,
    /// The template switches this chart has on (`Features.<name>` in the
    /// templates; [`versions::FEATURES`]). None for a chart directory.
    pub features: Vec<&'static str>,
}

/// When the engine compiles a chart's templates.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Compile {
    /// All of them before rendering, as Helm parses every template of a
    /// chart first: a syntax error anywhere fails every render. The rule for
    /// every chart directory.
    Upfront,
    /// Each when a render first needs it. For the embedded chart, whose
    /// templates are compiled by its tests (`every_embedded_template_compiles`):
    /// with ExternalSecrets on, the plain-Secret helpers (40 % of the
    /// template text) are never needed, nor the ExternalSecret ones with
    /// them off.
    OnFirstUse,
}

/// Which of minijinja's built-in filters, tests and functions (beside
/// difyx's own, `crate::engine::filters`) a chart's templates can call.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Builtins {
    /// All of them: the rule for every chart directory.
    All,
    /// Only the two filters the embedded chart's templates call, `join` and
    /// `replace` (`crate::engine`'s tests hold the templates to that).
    /// Setting up the other ~80 took ~45 K instructions and 26 KB of code
    /// run once per render.
    Embedded,
}

/// When `difyx template` checks the values against the chart's schema.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SchemaCheck {
    /// Before rendering, as Helm checks every chart's `values.schema.json`:
    /// the rule for every chart directory.
    BeforeRender,
    /// Only to explain a failed render, listing every wrong value at once.
    /// For the embedded chart, whose schema (upstream's chart has none) is
    /// written to reject only values its templates reject: a render that
    /// succeeds had values the schema accepts, so checking them first would
    /// be work without effect. `tests/schema.rs` holds the schema to that
    /// (`schema_rejection_implies_render_rejection`, on generated values),
    /// and `difyx values` and `difyx lint` still check before anything else.
    ExplainsFailures,
}

/// The embedded Dify chart's files, relative to `charts/dify/`.
const EMBEDDED: &[(&str, &str)] = &[
    ("values.yaml", include_str!("../../charts/dify/values.yaml")),
    (
        "values.schema.json",
        include_str!("../../charts/dify/values.schema.json"),
    ),
    (
        "templates/_helpers.tpl",
        include_str!("../../charts/dify/templates/_helpers.tpl"),
    ),
    (
        "templates/_credentials.tpl",
        include_str!("../../charts/dify/templates/_credentials.tpl"),
    ),
    (
        "templates/_externalsecret.tpl",
        include_str!("../../charts/dify/templates/_externalsecret.tpl"),
    ),
    (
        "templates/api-secret.yaml",
        include_str!("../../charts/dify/templates/api-secret.yaml"),
    ),
    (
        "templates/worker-secret.yaml",
        include_str!("../../charts/dify/templates/worker-secret.yaml"),
    ),
    (
        "templates/sandbox-secret.yaml",
        include_str!("../../charts/dify/templates/sandbox-secret.yaml"),
    ),
    (
        "templates/plugin-daemon-secret.yaml",
        include_str!("../../charts/dify/templates/plugin-daemon-secret.yaml"),
    ),
    (
        "templates/api-externalsecret.yaml",
        include_str!("../../charts/dify/templates/api-externalsecret.yaml"),
    ),
    (
        "templates/worker-externalsecret.yaml",
        include_str!("../../charts/dify/templates/worker-externalsecret.yaml"),
    ),
    (
        "templates/sandbox-externalsecret.yaml",
        include_str!("../../charts/dify/templates/sandbox-externalsecret.yaml"),
    ),
    (
        "templates/plugin-daemon-externalsecret.yaml",
        include_str!("../../charts/dify/templates/plugin-daemon-externalsecret.yaml"),
    ),
    (
        "templates/postgresql-externalsecret.yaml",
        include_str!("../../charts/dify/templates/postgresql-externalsecret.yaml"),
    ),
    (
        "templates/redis-externalsecret.yaml",
        include_str!("../../charts/dify/templates/redis-externalsecret.yaml"),
    ),
];

impl Chart {
    /// The embedded Dify chart at release `version` (e.g. `"0.37.0"`);
    /// panics for a release not embedded (for tests: the command line
    /// resolves versions with [`versions::resolve`]).
    pub fn dify(version: &str) -> Chart {
        Chart::embedded(versions::find(version).expect("an embedded release"))
    }

    /// The Dify chart built into the binary, at one of its releases.
    pub fn embedded(release: &ChartVersion) -> Chart {
        let file = |name: &str| {
            EMBEDDED
                .iter()
                .find(|(n, _)| *n == name)
                .map(|(_, text)| text.to_string())
        };
        let templates = EMBEDDED
            .iter()
            .filter(|(n, _)| n.starts_with("templates/"))
            .map(|(n, t)| (n.to_string(), Cow::Borrowed(*t)))
            .collect();
        Chart::from_parts(
            "<embedded dify chart>",
            release.chart_yaml(),
            file("values.yaml").unwrap_or_default(),
            EMBEDDED
                .iter()
                .find(|(n, _)| *n == "values.schema.json")
                .map(|(_, text)| Cow::Borrowed(*text)),
            templates,
        )
        .map(|chart| {
            let values = release
                .overlays()
                .fold(chart.values, |values, v| {
                    let name = format!("charts/dify/values/{}.yaml", v.version);
                    let overlay = parse_values(v.values_overlay, &name)
                        .expect("the embedded overlays are valid (checked by tests)");
                    overlay_values(values, overlay)
                });
            let values_yaml = if release == &versions::VERSIONS[0] {
                chart.values_yaml
            } else {
                format!(
                    "# Default values of the Dify chart {}'s secret layer: the keys its\n\
                     # templates read. Pass a full Dify values file with -f as you would to Helm.\n{}",
                    release.version,
                    crate::values::emit::to_yaml(&Value::Map(values.clone()))
                )
            };
            Chart {
            values,
            values_yaml,
            features: release.features(),
            schema_check: SchemaCheck::ExplainsFailures,
            compile: Compile::OnFirstUse,
            builtins: Builtins::Embedded,
            ..chart
        }})
        .expect("the embedded chart is valid (checked by tests)")
    }

    /// Loads a chart directory.
    pub fn load(dir: &Path) -> Result<Chart, ChartError> {
        let read = |path: PathBuf| {
            std::fs::read_to_string(&path).map_err(|source| ChartError::Io { path, source })
        };
        if !dir.is_dir() {
            return Err(ChartError::Invalid(format!(
                "{}: not a chart directory (expected a folder with Chart.yaml and templates/)",
                dir.display()
            )));
        }
        let chart_yaml = read(dir.join("Chart.yaml"))?;
        let values_path = dir.join("values.yaml");
        let values_yaml = if values_path.exists() {
            read(values_path)?
        } else {
            String::new()
        };
        let schema_path = dir.join("values.schema.json");
        let schema = if schema_path.exists() {
            Some(read(schema_path)?)
        } else {
            None
        };
        let mut templates = Vec::new();
        collect_templates(&dir.join("templates"), "templates", &mut templates)?;
        Chart::from_parts(
            &dir.display().to_string(),
            chart_yaml,
            values_yaml,
            schema.map(Cow::Owned),
            templates,
        )
    }

    /// A chart from its files' texts.
    fn from_parts(
        origin: &str,
        chart_yaml: String,
        values_yaml: String,
        schema: Option<Cow<'static, str>>,
        mut templates: Vec<(String, Cow<'static, str>)>,
    ) -> Result<Chart, ChartError> {
        let meta = parse_values(&chart_yaml, &format!("{origin}/Chart.yaml"))
            .map_err(|e| ChartError::Invalid(e.message))?;
        let field = |key: &str| match meta.get(key) {
            Some(Value::String(s)) => Ok(s.clone()),
            None | Some(Value::Null) => Ok(String::new()),
            Some(other) => Err(ChartError::Invalid(format!(
                "{origin}/Chart.yaml: {key} must be a string, got {}",
                other.type_name()
            ))),
        };
        let (name, version, app_version) =
            (field("name")?, field("version")?, field("appVersion")?);
        if name.is_empty() || version.is_empty() {
            return Err(ChartError::Invalid(format!(
                "{origin}/Chart.yaml: name and version are required"
            )));
        }
        let values = parse_values(&values_yaml, &format!("{origin}/values.yaml"))
            .map_err(|e| ChartError::Invalid(e.message))?;
        templates.sort();
        Ok(Chart {
            name,
            version,
            app_version,
            chart_yaml,
            values_yaml,
            values,
            schema,
            schema_check: SchemaCheck::BeforeRender,
            compile: Compile::Upfront,
            builtins: Builtins::All,
            templates,
            features: Vec::new(),
        })
    }
}

/// `overlay` laid over `base`: maps merge key by key, a `null` deletes the
/// key, anything else replaces it.
fn overlay_values(mut base: Map, overlay: Map) -> Map {
    for (key, value) in overlay {
        match (base.get_mut(&key), value) {
            (_, Value::Null) => {
                base.remove(&key);
            }
            (Some(Value::Map(b)), Value::Map(o)) => {
                let merged = overlay_values(std::mem::take(b), o);
                *b = merged;
            }
            (_, value) => {
                base.insert(key, value);
            }
        }
    }
    base
}

fn collect_templates(
    dir: &Path,
    prefix: &str,
    out: &mut Vec<(String, Cow<'static, str>)>,
) -> Result<(), ChartError> {
    let entries = std::fs::read_dir(dir).map_err(|source| ChartError::Io {
        path: dir.to_owned(),
        source,
    })?;
    for entry in entries {
        let entry = entry.map_err(|source| ChartError::Io {
            path: dir.to_owned(),
            source,
        })?;
        let path = entry.path();
        let name = entry.file_name().to_string_lossy().into_owned();
        let rel = format!("{prefix}/{name}");
        if path.is_dir() {
            collect_templates(&path, &rel, out)?;
        } else {
            let text = std::fs::read_to_string(&path).map_err(|source| ChartError::Io {
                path: path.clone(),
                source,
            })?;
            out.push((rel, Cow::Owned(text)));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_embedded_template_compiles() {
        // The embedded chart compiles its templates on first use, so a
        // render may never compile some; compile them all here, as a chart
        // directory does before any render.
        let chart = Chart {
            compile: Compile::Upfront,
            ..Chart::dify("0.27.0")
        };
        if let Err(e) = crate::engine::Engine::new(&chart) {
            panic!("{}", e.message);
        }
        assert_eq!(Chart::dify("0.27.0").compile, Compile::OnFirstUse);
    }

    #[test]
    fn embedded_chart_lists_every_file_of_charts_dify() {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("charts/dify");
        let on_disk = Chart::load(&dir).unwrap();
        let embedded = Chart::dify("0.27.0");
        assert_eq!(
            embedded.templates, on_disk.templates,
            "update EMBEDDED in src/chart/mod.rs"
        );
        assert_eq!(embedded.values, on_disk.values);
        assert_eq!(embedded.values_yaml, on_disk.values_yaml);
        assert_eq!(embedded.chart_yaml, on_disk.chart_yaml);
        assert_eq!(embedded.schema, on_disk.schema);
        assert_eq!(
            (embedded.name.as_str(), embedded.version.as_str()),
            ("dify", "0.27.0")
        );
        assert_eq!(embedded.app_version, "1.6.0");
    }
}
