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
//! charts/<name>/      subcharts, each a chart folder: their values and
//!                     schemas take part as in Helm (see [`dependencies`]);
//!                     their templates are not rendered
//! ```

pub mod constraint;
pub mod dependencies;
pub mod dify;
pub mod versions;

use std::borrow::Cow;
use std::path::{Path, PathBuf};

use crate::values::yaml::parse_values;
use crate::values::{Map, Value};

pub use dependencies::Dependency;
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
    /// The text of `values.yaml`, as written (empty for an embedded
    /// release after the first, whose defaults are composed: see
    /// [`Chart::values_yaml`]).
    pub values_yaml: String,
    /// The parsed default values.
    pub values: Map,
    /// The text of `values.schema.json`, if the chart has one (borrowed
    /// from the binary for the embedded chart, whose schema is annotated
    /// with the releases each rule holds for: read it through
    /// [`Chart::own_schema`]).
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
    /// `Chart.yaml` `dependencies`, in file order.
    pub dependencies: Vec<Dependency>,
    /// The subcharts under `charts/`, by folder name, each with its own.
    pub subcharts: Vec<Chart>,
    /// The embedded release this chart is; None for a chart directory.
    /// What only some commands need (the release's schemas, its defaults
    /// as text) is derived from it on demand, not on every load.
    pub release: Option<ChartVersion>,
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
        "schema/upstream.schema.json",
        include_str!("../../charts/dify/schema/upstream.schema.json"),
    ),
    (
        "charts/postgresql/Chart.yaml",
        include_str!("../../charts/dify/charts/postgresql/Chart.yaml"),
    ),
    (
        "charts/postgresql/values.yaml",
        include_str!("../../charts/dify/charts/postgresql/values.yaml"),
    ),
    (
        "charts/postgresql/values.schema.json",
        include_str!("../../charts/dify/charts/postgresql/values.schema.json"),
    ),
    (
        "charts/postgresql/charts/common/Chart.yaml",
        include_str!("../../charts/dify/charts/postgresql/charts/common/Chart.yaml"),
    ),
    (
        "charts/postgresql/charts/common/values.yaml",
        include_str!("../../charts/dify/charts/postgresql/charts/common/values.yaml"),
    ),
    (
        "charts/redis/Chart.yaml",
        include_str!("../../charts/dify/charts/redis/Chart.yaml"),
    ),
    (
        "charts/redis/values.yaml",
        include_str!("../../charts/dify/charts/redis/values.yaml"),
    ),
    (
        "charts/redis/values.schema.json",
        include_str!("../../charts/dify/charts/redis/values.schema.json"),
    ),
    (
        "charts/redis/charts/common/Chart.yaml",
        include_str!("../../charts/dify/charts/redis/charts/common/Chart.yaml"),
    ),
    (
        "charts/redis/charts/common/values.yaml",
        include_str!("../../charts/dify/charts/redis/charts/common/values.yaml"),
    ),
    (
        "charts/weaviate/Chart.yaml",
        include_str!("../../charts/dify/charts/weaviate/Chart.yaml"),
    ),
    (
        "charts/weaviate/values.yaml",
        include_str!("../../charts/dify/charts/weaviate/values.yaml"),
    ),
    (
        "charts/weaviate/16.1.0.yaml",
        include_str!("../../charts/dify/charts/weaviate/16.1.0.yaml"),
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
        "templates/agent-backend-externalsecret.yaml",
        include_str!("../../charts/dify/templates/agent-backend-externalsecret.yaml"),
    ),
    (
        "templates/local-sandbox-externalsecret.yaml",
        include_str!("../../charts/dify/templates/local-sandbox-externalsecret.yaml"),
    ),
    (
        "templates/agent-backend-secret.yaml",
        include_str!("../../charts/dify/templates/agent-backend-secret.yaml"),
    ),
    (
        "templates/local-sandbox-secret.yaml",
        include_str!("../../charts/dify/templates/local-sandbox-secret.yaml"),
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
        let templates = EMBEDDED
            .iter()
            .filter(|(n, _)| n.starts_with("templates/"))
            .map(|(n, t)| (n.to_string(), Cow::Borrowed(*t)))
            .collect();
        Chart::from_parts(
            "<embedded dify chart>",
            release.chart_yaml(),
            embedded_file("values.yaml").to_owned(),
            Some(Cow::Borrowed(embedded_file("values.schema.json"))),
            templates,
        )
        .map(|chart| {
            let values = release.overlays().fold(chart.values, |values, v| {
                let name = format!("charts/dify/values/{}.yaml", v.version);
                let overlay = parse_values(v.values_overlay, &name)
                    .expect("the embedded overlays are valid (checked by tests)");
                overlay_values(values, overlay)
            });
            let values_yaml = if release == &versions::VERSIONS[0] {
                chart.values_yaml
            } else {
                String::new()
            };
            Chart {
                values,
                values_yaml,
                release: Some(release.clone()),
                subcharts: embedded_subcharts(release),
                features: release.features(),
                schema_check: SchemaCheck::ExplainsFailures,
                compile: Compile::OnFirstUse,
                builtins: Builtins::Embedded,
                ..chart
            }
        })
        .expect("the embedded chart is valid (checked by tests)")
    }

    /// Loads a chart directory, with its subcharts.
    pub fn load(dir: &Path) -> Result<Chart, ChartError> {
        let chart = Chart::load_tree(dir, true)?;
        // As `helm template` does (`action.CheckDependencies`): a listed
        // dependency must be there.
        let missing: Vec<&str> = chart
            .dependencies
            .iter()
            .filter(|d| !chart.subcharts.iter().any(|s| s.name == d.name))
            .map(|d| d.name.as_str())
            .collect();
        if !missing.is_empty() {
            return Err(ChartError::Invalid(format!(
                "{}: found in Chart.yaml, but missing in charts/ directory: {} \
                 (run `helm dependency build` to fetch them)",
                dir.display(),
                missing.join(", ")
            )));
        }
        Ok(chart)
    }

    /// A chart folder; a subchart's (`top` false) templates are not read.
    fn load_tree(dir: &Path, top: bool) -> Result<Chart, ChartError> {
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
        if top {
            collect_templates(&dir.join("templates"), "templates", &mut templates)?;
        }
        let mut chart = Chart::from_parts(
            &dir.display().to_string(),
            chart_yaml,
            values_yaml,
            schema.map(Cow::Owned),
            templates,
        )?;
        chart.subcharts = load_subcharts(&dir.join("charts"))?;
        Ok(chart)
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
        let dependencies = dependencies::parse_dependencies(&meta, origin)?;
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
            dependencies,
            subcharts: Vec::new(),
            release: None,
        })
    }

    /// The schema Helm checks before rendering: a chart directory's own, or
    /// the embedded release's equivalent of upstream's (from 0.30.0).
    pub fn helm_schema(&self) -> Option<Cow<'_, str>> {
        match &self.release {
            None => self.schema.as_deref().map(Cow::Borrowed),
            Some(release) => release_schema(release).map(|doc| Cow::Owned(doc.to_string())),
        }
    }

    /// [`Chart::helm_schema`], parsed.
    pub fn helm_schema_doc(&self) -> Result<Option<serde_json::Value>, String> {
        match &self.release {
            None => match &self.schema {
                None => Ok(None),
                Some(text) => serde_json::from_str(text)
                    .map(Some)
                    .map_err(|e| format!("{}/values.schema.json: not valid JSON: {e}", self.name)),
            },
            Some(release) => Ok(release_schema(release)),
        }
    }

    /// The chart's own `values.schema.json`; for the embedded chart,
    /// difyx's stricter schema with the rules of its release.
    pub fn own_schema(&self) -> Option<Cow<'_, str>> {
        let text = self.schema.as_deref()?;
        Some(match &self.release {
            None => Cow::Borrowed(text),
            Some(release) => {
                let doc: serde_json::Value = serde_json::from_str(text)
                    .expect("the embedded schema is JSON (checked by tests)");
                Cow::Owned(
                    crate::values::schema::versioned::for_release(&doc, release.version)
                        .to_string(),
                )
            }
        })
    }

    /// The default values as `difyx show values` prints them: the file as
    /// written, or for an embedded release after the first the composed
    /// defaults.
    pub fn values_yaml(&self) -> Cow<'_, str> {
        match &self.release {
            Some(release) if self.values_yaml.is_empty() => Cow::Owned(format!(
                "# Default values of the Dify chart {}'s secret layer: the keys its\n\
                 # templates read. Pass a full Dify values file with -f as you would to Helm.\n{}",
                release.version,
                crate::values::emit::to_yaml(&Value::Map(self.values.clone()))
            )),
            _ => Cow::Borrowed(&self.values_yaml),
        }
    }

    /// The paths where the embedded release's upstream defaults hold a
    /// value difyx's cut of them leaves out (from 0.30.0, the paths its
    /// schema types): a user null there is deleted, as Helm deletes it with
    /// the default, instead of reaching the schema check.
    pub fn upstream_default_paths(&self) -> Vec<Vec<String>> {
        self.release
            .as_ref()
            .map(upstream_default_paths)
            .unwrap_or_default()
    }
}

/// The subcharts in a `charts/` folder: each sub-folder, in name order.
/// (Helm also reads packed `.tgz` subcharts; difyx asks for them unpacked.)
fn load_subcharts(dir: &Path) -> Result<Vec<Chart>, ChartError> {
    if !dir.is_dir() {
        return Ok(Vec::new());
    }
    let mut names: Vec<PathBuf> = std::fs::read_dir(dir)
        .map_err(|source| ChartError::Io {
            path: dir.to_owned(),
            source,
        })?
        .filter_map(Result::ok)
        .map(|e| e.path())
        .collect();
    names.sort();
    let mut out = Vec::new();
    for path in names {
        if path.is_dir() {
            out.push(Chart::load_tree(&path, false)?);
        } else if path.extension().is_some_and(|e| e == "tgz") {
            return Err(ChartError::Invalid(format!(
                "{}: packed subcharts are not read; unpack it into {}/ (tar xzf)",
                path.display(),
                dir.display()
            )));
        }
    }
    Ok(out)
}

fn embedded_file(name: &str) -> &'static str {
    EMBEDDED
        .iter()
        .find(|(n, _)| *n == name)
        .map(|(_, text)| *text)
        .unwrap_or_else(|| panic!("{name} is embedded"))
}

/// The releases whose Chart.yaml lists the Bitnami/weaviate subcharts.
const SUBCHARTS_SINCE: &str = "0.28.0";
/// The first release that pins weaviate 17.3.3 (16.1.0 before).
const WEAVIATE_17_SINCE: &str = "0.32.0";
/// The first release with upstream's values.schema.json.
const SCHEMA_SINCE: &str = "0.30.0";

fn since(release: &ChartVersion, version: &str) -> bool {
    release.within(version, None)
}

/// The `dependencies` block of the release's Chart.yaml (empty before 0.28.0).
pub(crate) fn dependencies_yaml(release: &ChartVersion) -> String {
    if !since(release, SUBCHARTS_SINCE) {
        return String::new();
    }
    let weaviate = if since(release, WEAVIATE_17_SINCE) {
        "17.3.3"
    } else {
        "16.1.0"
    };
    format!(
        "dependencies:\n\
         - name: postgresql\n  version: 12.5.6\n  repository: https://charts.bitnami.com/bitnami\n  \
         condition: postgresql.enabled\n  tags:\n    - postgres\n\
         - name: redis\n  version: 16.13.2\n  repository: https://charts.bitnami.com/bitnami\n  \
         condition: redis.enabled\n  tags:\n    - redis\n\
         - name: weaviate\n  version: {weaviate}\n  repository: https://weaviate.github.io/weaviate-helm\n  \
         condition: weaviate.enabled\n  tags:\n    - vector\n    - search\n"
    )
}

/// The subcharts the release pins, built from `charts/dify/charts/`.
fn embedded_subcharts(release: &ChartVersion) -> Vec<Chart> {
    if !since(release, SUBCHARTS_SINCE) {
        return Vec::new();
    }
    let build = |dir: &str, chart_yaml: String, subcharts: Vec<Chart>| {
        let schema_name = format!("{dir}/values.schema.json");
        let schema = EMBEDDED
            .iter()
            .find(|(n, _)| *n == schema_name)
            .map(|(_, t)| Cow::Borrowed(*t));
        Chart::from_parts(
            &format!("<embedded dify chart>/{dir}"),
            chart_yaml,
            embedded_file(&format!("{dir}/values.yaml")).to_owned(),
            schema,
            Vec::new(),
        )
        .map(|c| Chart { subcharts, ..c })
        .expect("the embedded subcharts are valid (checked by tests)")
    };
    let common = |dir: &str| {
        let dir = format!("{dir}/charts/common");
        build(
            &dir,
            embedded_file(&format!("{dir}/Chart.yaml")).to_owned(),
            Vec::new(),
        )
    };
    let mut weaviate_yaml = embedded_file("charts/weaviate/Chart.yaml").to_owned();
    if !since(release, WEAVIATE_17_SINCE) {
        weaviate_yaml = weaviate_yaml
            .replace("version: 17.3.3", "version: 16.1.0")
            .replace("appVersion: 1.27.8", "appVersion: 1.18.0");
    }
    vec![
        build(
            "charts/postgresql",
            embedded_file("charts/postgresql/Chart.yaml").to_owned(),
            vec![common("charts/postgresql")],
        ),
        build(
            "charts/redis",
            embedded_file("charts/redis/Chart.yaml").to_owned(),
            vec![common("charts/redis")],
        ),
        {
            let mut weaviate = build("charts/weaviate", weaviate_yaml, Vec::new());
            if !since(release, WEAVIATE_17_SINCE) {
                let overlay = parse_values(
                    embedded_file("charts/weaviate/16.1.0.yaml"),
                    "charts/dify/charts/weaviate/16.1.0.yaml",
                )
                .expect("the embedded overlay is valid (checked by tests)");
                weaviate.values = overlay_values(weaviate.values, overlay);
            }
            weaviate
        },
    ]
}

/// See [`Chart::upstream_default_paths`].
fn upstream_default_paths(release: &ChartVersion) -> Vec<Vec<String>> {
    if !since(release, SCHEMA_SINCE) {
        return Vec::new();
    }
    let doc: serde_json::Value = serde_json::from_str(embedded_file("schema/upstream.schema.json"))
        .expect("the embedded schema data is JSON (checked by tests)");
    crate::values::schema::versioned::default_paths(&doc, release.version)
}

/// The release's equivalent of upstream's values.schema.json (from 0.30.0).
fn release_schema(release: &ChartVersion) -> Option<serde_json::Value> {
    if !since(release, SCHEMA_SINCE) {
        return None;
    }
    let doc: serde_json::Value = serde_json::from_str(embedded_file("schema/upstream.schema.json"))
        .expect("the embedded schema data is JSON (checked by tests)");
    Some(crate::values::schema::versioned::for_release(
        &doc,
        release.version,
    ))
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
        // Every file of charts/dify but the overlays (embedded by
        // versions.rs) is in EMBEDDED, with the same text.
        fn walk(dir: &Path, rel: &str, out: &mut Vec<String>) {
            for e in std::fs::read_dir(dir).unwrap() {
                let e = e.unwrap();
                let name = format!("{rel}{}", e.file_name().to_string_lossy());
                if e.path().is_dir() {
                    walk(&e.path(), &format!("{name}/"), out);
                } else {
                    out.push(name);
                }
            }
        }
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("charts/dify");
        let mut files = Vec::new();
        walk(&root, "", &mut files);
        files.retain(|f| !f.starts_with("values/"));
        files.sort();
        let mut embedded: Vec<String> = EMBEDDED.iter().map(|(n, _)| n.to_string()).collect();
        embedded.sort();
        assert_eq!(files, embedded, "update EMBEDDED in src/chart/mod.rs");
        for (name, text) in EMBEDDED {
            assert_eq!(
                std::fs::read_to_string(root.join(name)).unwrap(),
                *text,
                "{name}"
            );
        }
        let chart = Chart::dify("0.27.0");
        assert_eq!(
            (chart.name.as_str(), chart.version.as_str()),
            ("dify", "0.27.0")
        );
        assert_eq!(chart.app_version, "1.6.0");
        assert!(chart.subcharts.is_empty() && chart.dependencies.is_empty());
        assert!(chart.helm_schema().is_none());
    }

    #[test]
    fn embedded_subcharts_from_0_28_0() {
        for v in versions::VERSIONS {
            let chart = Chart::embedded(v);
            let names: Vec<(&str, &str)> = chart
                .subcharts
                .iter()
                .map(|s| (s.name.as_str(), s.version.as_str()))
                .collect();
            let deps: Vec<&str> = chart.dependencies.iter().map(|d| d.name.as_str()).collect();
            match v.version {
                "0.27.0" => assert!(names.is_empty() && deps.is_empty()),
                "0.28.0" | "0.28.1" | "0.29.0" | "0.30.0" | "0.31.0" => assert_eq!(
                    names,
                    [
                        ("postgresql", "12.5.6"),
                        ("redis", "16.13.2"),
                        ("weaviate", "16.1.0")
                    ]
                ),
                _ => assert_eq!(
                    names,
                    [
                        ("postgresql", "12.5.6"),
                        ("redis", "16.13.2"),
                        ("weaviate", "17.3.3")
                    ]
                ),
            }
            if v.version != "0.27.0" {
                assert_eq!(deps, ["postgresql", "redis", "weaviate"]);
                assert!(chart.chart_yaml.contains("condition: redis.enabled"));
                // Every listed version constraint matches the subchart.
                for d in &chart.dependencies {
                    let sub = chart.subcharts.iter().find(|s| s.name == d.name).unwrap();
                    assert!(constraint::is_compatible_range(&d.version, &sub.version));
                    for dd in &sub.dependencies {
                        let common = sub.subcharts.iter().find(|s| s.name == dd.name).unwrap();
                        assert!(constraint::is_compatible_range(
                            &dd.version,
                            &common.version
                        ));
                    }
                }
            }
            assert_eq!(
                chart.helm_schema().is_some(),
                v.within("0.30.0", None),
                "{}",
                v.version
            );
        }
    }
}
