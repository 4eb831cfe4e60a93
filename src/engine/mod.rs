//! The template engine: a minijinja environment set up the way Helm's
//! `pkg/engine` behaves, rendering every template of a chart.
//!
//! Templates see Helm's built-in objects under Helm's names: `Values` (a
//! path-aware view, see [`node`]), `Release` (`Name`, `Namespace`, `Service`,
//! `IsInstall`, `IsUpgrade`, `Revision`), `Chart` (`Name`, `Version`,
//! `AppVersion`), `Capabilities` (`KubeVersion`, `APIVersions`) and
//! `Template` (`Name`, `BasePath`).

pub mod filters;
pub mod node;
pub mod scalar;

use std::borrow::Cow;
use std::sync::Arc;

use minijinja::syntax::SyntaxConfig;
use minijinja::{context, Environment, UndefinedBehavior, Value as JValue};

use crate::chart::{Builtins, Chart, Compile};
use crate::values::{Map, Value};
use node::{Node, Scope};

/// The release being rendered (Helm's `.Release`).
#[derive(Clone, Debug)]
pub struct Release {
    pub name: String,
    pub namespace: String,
    pub is_upgrade: bool,
    pub revision: u32,
}

impl Release {
    /// A first install (`helm template` without `--is-upgrade`): revision 1.
    pub fn install(name: impl Into<String>, namespace: impl Into<String>) -> Release {
        Release {
            name: name.into(),
            namespace: namespace.into(),
            is_upgrade: false,
            revision: 1,
        }
    }
}

/// The cluster the manifests are for (Helm's `.Capabilities`).
#[derive(Clone, Debug)]
pub struct Capabilities {
    /// e.g. `v1.37.0`.
    pub kube_version: String,
    /// API versions the cluster serves, `group/version` or `group/version/Kind`.
    pub api_versions: Vec<String>,
}

impl Default for Capabilities {
    fn default() -> Self {
        Capabilities {
            kube_version: "v1.37.0".into(),
            api_versions: Vec::new(),
        }
    }
}

/// One template's output.
#[derive(Clone, Debug, PartialEq)]
pub struct RenderedFile {
    /// Path inside the chart, e.g. `templates/api-secret.yaml`.
    pub path: String,
    pub text: String,
}

/// What a render produced.
#[derive(Debug)]
pub struct Rendered {
    /// Every non-helper template's output, in path order.
    pub files: Vec<RenderedFile>,
    /// Warnings raised by templates (SPEC §7 B), in the order first met.
    pub warnings: Vec<String>,
}

/// A template could not be rendered.
#[derive(Debug, thiserror::Error)]
#[error("{message}")]
pub struct RenderError {
    /// The template being rendered, e.g. `dify/templates/worker-secret.yaml`.
    pub template: String,
    /// What went wrong, naming the value path where a value is at fault.
    pub message: String,
    /// Whether the fault is in the chart itself (a syntax error, an unknown
    /// name) rather than in the values.
    pub chart_bug: bool,
}

/// A chart's templates, parsed once and ready to render any number of times.
pub struct Engine<'c> {
    chart: &'c Chart,
    env: Environment<'c>,
}

impl<'c> Engine<'c> {
    /// Parses every template of `chart`.
    pub fn new(chart: &'c Chart) -> Result<Self, RenderError> {
        let mut env = match chart.builtins {
            Builtins::All => Environment::new(),
            Builtins::Embedded => {
                let mut env = Environment::empty();
                env.add_filter("join", minijinja::filters::join);
                env.add_filter("replace", minijinja::filters::replace);
                env
            }
        };
        env.set_syntax(
            SyntaxConfig::builder()
                .trim_blocks(true)
                .lstrip_blocks(true)
                .keep_trailing_newline(true)
                .build()
                .expect("static syntax config"),
        );
        env.set_undefined_behavior(UndefinedBehavior::Strict);
        env.set_recursion_limit(200);
        filters::register(&mut env);
        match chart.compile {
            Compile::Upfront => {
                for (path, source) in &chart.templates {
                    env.add_template(path.as_str(), source.as_ref())
                        .map_err(|e| RenderError {
                            template: format!("{}/{path}", chart.name),
                            message: format!("{}/{path}: {}", chart.name, describe_error(&e)),
                            chart_bug: true,
                        })?;
                }
            }
            Compile::OnFirstUse => {
                // Borrowed sources (the embedded chart's) are shared, not copied.
                let templates: Arc<[(String, Cow<'static, str>)]> =
                    chart.templates.as_slice().into();
                env.set_loader(move |name| {
                    Ok(templates
                        .binary_search_by(|(path, _)| path.as_str().cmp(name))
                        .ok()
                        .map(|i| templates[i].1.to_string()))
                });
            }
        }
        Ok(Engine { chart, env })
    }

    /// Renders every non-helper template over `values` (already merged).
    ///
    /// Templates are rendered in reverse path order, as Helm does, so that
    /// when several would fail the one reported is Helm's (SPEC §1.7).
    pub fn render(
        &self,
        values: Map,
        release: &Release,
        caps: &Capabilities,
    ) -> Result<Rendered, RenderError> {
        self.render_shared(Arc::new(Value::Map(values)), release, caps)
    }

    /// [`Engine::render`] of values the caller keeps a handle on (to
    /// explain a failed render with them).
    pub fn render_shared(
        &self,
        values: Arc<Value>,
        release: &Release,
        caps: &Capabilities,
    ) -> Result<Rendered, RenderError> {
        self.render_scope(Scope::new(values), release, caps)
    }

    fn render_scope(
        &self,
        scope: Arc<Scope>,
        release: &Release,
        caps: &Capabilities,
    ) -> Result<Rendered, RenderError> {
        let values = JValue::from_object(Node::root(scope.clone()));
        let chart = context! {
            Name => &self.chart.name,
            Version => &self.chart.version,
            AppVersion => &self.chart.app_version,
        };
        let release_obj = context! {
            Name => &release.name,
            Namespace => &release.namespace,
            Service => "Helm",
            IsInstall => !release.is_upgrade,
            IsUpgrade => release.is_upgrade,
            Revision => release.revision,
        };
        let capabilities = context! {
            KubeVersion => context! { Version => &caps.kube_version },
            APIVersions => &caps.api_versions,
        };
        // Every known switch, on or off: a misspelt one is undefined.
        let features = JValue::from_pairs(
            crate::chart::versions::FEATURES
                .iter()
                .map(|f| (f.name, self.chart.features.contains(&f.name))),
        );
        let mut files = Vec::new();
        for (path, _) in self.chart.templates.iter().rev() {
            if is_helper(path) {
                continue;
            }
            let name = format!("{}/{path}", self.chart.name);
            let ctx = context! {
                Values => values.clone(),
                Release => release_obj.clone(),
                Chart => chart.clone(),
                Capabilities => capabilities.clone(),
                Features => features.clone(),
                Template => context! { Name => &name, BasePath => format!("{}/templates", self.chart.name) },
            };
            let text = self
                .env
                .get_template(path)
                .and_then(|t| t.render(ctx))
                .map_err(|e| RenderError {
                    message: describe_error(&e),
                    chart_bug: !matches!(e.kind(), minijinja::ErrorKind::InvalidOperation),
                    template: name.clone(),
                })?;
            files.push(RenderedFile {
                path: path.clone(),
                text,
            });
        }
        files.reverse();
        Ok(Rendered {
            files,
            warnings: scope.take_warnings(),
        })
    }
}

/// Helm never renders partials: files whose name starts with `_`.
fn is_helper(path: &str) -> bool {
    path.rsplit('/').next().is_some_and(|f| f.starts_with('_'))
}

/// The message of a minijinja error: our own value errors as they are,
/// anything else with minijinja's location.
fn describe_error(e: &minijinja::Error) -> String {
    match (e.kind(), e.detail()) {
        (minijinja::ErrorKind::InvalidOperation, Some(detail)) => detail.to_owned(),
        _ => {
            let mut msg = e.to_string();
            let mut source = std::error::Error::source(e);
            while let Some(inner) = source {
                msg.push_str(&format!(": {inner}"));
                source = inner.source();
            }
            msg
        }
    }
}

/// Convenience for callers that render once.
pub fn render_chart(
    chart: &Chart,
    values: Map,
    release: &Release,
    caps: &Capabilities,
) -> Result<Rendered, RenderError> {
    Engine::new(chart)?.render(values, release, caps)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The filter and test names the embedded chart's templates write
    /// (`| name`, `is name`, `is not name`), outside comments and strings.
    fn names_used() -> (Vec<String>, Vec<String>) {
        let mut filters = Vec::new();
        let mut tests = Vec::new();
        for (_, source) in &Chart::dify("0.27.0").templates {
            let mut code = String::new();
            // Only what is between `{{ }}` or `{% %}`, strings blanked.
            let mut rest = source.as_ref();
            while let Some(at) = rest.find(['{']) {
                rest = &rest[at + 1..];
                let end = match rest.chars().next() {
                    Some('{') => "}}",
                    Some('%') => "%}",
                    Some('#') => "#}",
                    _ => continue,
                };
                let Some(close) = rest.find(end) else { break };
                if !rest.starts_with('#') {
                    let mut quote = None;
                    for c in rest[1..close].chars() {
                        match (quote, c) {
                            (None, '"' | '\'') => quote = Some(c),
                            (Some(q), c) if c == q => quote = None,
                            (Some(_), _) => {}
                            (None, c) => code.push(c),
                        }
                    }
                    code.push(' ');
                }
                rest = &rest[close + 2..];
            }
            let words: Vec<&str> = code
                .split(|c: char| !(c.is_alphanumeric() || c == '_' || c == '|'))
                .filter(|w| !w.is_empty())
                .collect();
            for (i, word) in words.iter().enumerate() {
                if let Some(name) = word.strip_prefix('|').filter(|n| !n.is_empty()) {
                    filters.push(name.to_owned());
                } else if *word == "|" {
                    filters.extend(words.get(i + 1).map(|w| w.to_string()));
                } else if *word == "is" {
                    let next = words.get(i + 1).copied();
                    let name = if next == Some("not") {
                        words.get(i + 2)
                    } else {
                        next.as_ref()
                    };
                    tests.extend(name.map(|w| w.to_string()));
                }
            }
        }
        filters.sort();
        filters.dedup();
        tests.sort();
        tests.dedup();
        (filters, tests)
    }

    #[test]
    fn every_filter_and_test_the_embedded_templates_use_is_registered() {
        let chart = Chart::dify("0.27.0");
        assert_eq!(chart.builtins, Builtins::Embedded);
        let engine = Engine::new(&chart).unwrap();
        let (filters, tests) = names_used();
        assert!(
            filters.len() > 10 && filters.iter().any(|f| f == "replace"),
            "{filters:?}"
        );
        assert!(tests.iter().any(|t| t == "streq"), "{tests:?}");
        let unknown = |source: String| match engine.env.render_str(&source, ()) {
            Err(e) => matches!(
                e.kind(),
                minijinja::ErrorKind::UnknownFilter | minijinja::ErrorKind::UnknownTest
            ),
            Ok(_) => false,
        };
        for name in &filters {
            assert!(
                !unknown(format!("{{{{ 'a' | {name} }}}}")),
                "filter {name} is not registered"
            );
        }
        for name in &tests {
            assert!(
                !unknown(format!("{{{{ 'a' is {name} }}}}")),
                "test {name} is not registered"
            );
        }
        // The check itself: a name no environment has is unknown.
        assert!(unknown("{{ 'a' | no_such_filter }}".into()));
        assert!(unknown("{{ 'a' is no_such_test }}".into()));
    }
}
