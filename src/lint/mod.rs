//! `difyx lint`: check values for mistakes Helm renders without a word.
//!
//! One render is done the way `difyx template` does it; its error, if any,
//! and its `warning:`s become findings, and the rules of [`rules`] look at the
//! user's own values, the chart defaults and the final values. Every finding
//! has a stable ID (`DFX…`), a severity, the value path at fault, a message
//! and a fix hint; [`report`] prints them as text or JSON. The rules are
//! documented in `docs/lint.md`.

pub mod report;
pub mod rules;
pub mod versioned;

use std::collections::BTreeMap;

use crate::chart::Chart;
use crate::engine::Release;
use crate::pipeline::{self, Options, UserValues};
use crate::values::strvals::{self, SetKind};
use crate::values::yaml::parse_values;
use crate::values::{Map, Value};

pub use rules::{Context, Finding, Severity};

/// Whether the findings fail the lint: any error, or with `strict` any warning.
pub fn failed(findings: &[Finding], strict: bool) -> bool {
    findings
        .iter()
        .any(|f| f.severity == Severity::Error || (strict && f.severity == Severity::Warning))
}

/// Every finding for these values, sorted and with their files filled in.
///
/// `release` is the checked release (name and namespace) or the message of
/// why it is not valid; an invalid release is a finding too.
pub fn lint(chart: &Chart, user: &UserValues, release: Result<Release, String>) -> Vec<Finding> {
    let mut findings = Vec::new();
    let merged = match user.merged() {
        Ok(m) => m,
        Err(e) => {
            let message = e.to_string();
            let mut f = rules::render_error(&message, &Map::new());
            f.file = user
                .files
                .iter()
                .find(|file| parse_values(&file.text, &file.name).is_err())
                .map(|f| f.name.clone());
            return vec![f];
        }
    };
    // The values the rules see: no schema check here, so that a schema
    // error is reported by the render below and the rules still run.
    let values = match pipeline::compute_values(chart, user, true) {
        Ok((values, _)) => values,
        Err(e) => return vec![rules::render_error(&e.to_string(), &chart.values)],
    };
    let release = match release {
        Ok(r) => r,
        Err(message) => {
            findings.push(rules::render_error(&message, &chart.values));
            Release::install(crate::release::DEFAULT_NAME, "default")
        }
    };
    let opts = Options::new(release.clone());
    let mut schema_violations = Vec::new();
    let (rendered, render_error, render_warnings) = if findings.is_empty() {
        let mut result = pipeline::template(chart, user, &opts);
        if let Err(pipeline::Error::Schema(e)) = &result {
            if !e.violations.is_empty() {
                // Each violation is a finding; render without the schema
                // for everything else.
                schema_violations = e
                    .violations
                    .iter()
                    .map(|v| (dotted(&v.path), v.message.clone()))
                    .collect();
                let opts = Options {
                    skip_schema_validation: true,
                    ..opts.clone()
                };
                result = pipeline::template(chart, user, &opts);
            }
        }
        match result {
            Ok(mut out) => {
                let warnings = std::mem::take(&mut out.warnings);
                (Some(out), None, warnings)
            }
            Err(e) => (None, Some(e.to_string()), Vec::new()),
        }
    } else {
        (None, None, Vec::new())
    };
    let ctx = Context {
        user: merged,
        defaults: chart.values.clone(),
        values,
        rendered,
        release,
        chart_name: chart.name.clone(),
        render_error,
        render_warnings,
        schema_violations,
        version: versioned::release_of(chart),
    };
    findings.extend(rules::check_all(&ctx));
    attribute_files(&mut findings, user);
    sort_dedup(&mut findings);
    findings
}

/// `a.b.c` for the JSON Pointer `/a/b/c` (`""` for the root).
fn dotted(pointer: &str) -> String {
    if pointer.is_empty() {
        return String::new();
    }
    pointer
        .trim_start_matches('/')
        .split('/')
        .map(|s| s.replace("~1", "/").replace("~0", "~"))
        .collect::<Vec<_>>()
        .join(".")
}

/// Sorts by path, rule ID and message, and drops exact duplicates.
pub fn sort_dedup(findings: &mut Vec<Finding>) {
    findings.sort_by(|a, b| {
        (&a.path, a.id, &a.message, &a.file).cmp(&(&b.path, b.id, &b.message, &b.file))
    });
    findings.dedup();
}

/// Fills in `file`: the last `-f` file that sets the finding's path, unless a
/// `--set*` flag (applied after every file) sets it.
fn attribute_files(findings: &mut [Finding], user: &UserValues) {
    let files: Vec<(String, Map)> = user
        .files
        .iter()
        .filter_map(|f| {
            parse_values(&f.text, &f.name)
                .ok()
                .map(|m| (f.name.clone(), m))
        })
        .collect();
    let sets: Vec<Map> = user
        .sets
        .iter()
        .filter_map(|(kind, arg)| {
            let mut m = Map::new();
            let ok = match kind {
                // --set-file reads a file; only the key matters here.
                SetKind::File => strvals::parse_into(
                    &format!("{}=x", arg.split_once('=').map_or(arg.as_str(), |(k, _)| k)),
                    &mut m,
                    SetKind::Literal,
                ),
                k => strvals::parse_into(arg, &mut m, *k),
            };
            ok.ok().map(|()| m)
        })
        .collect();
    let mut cache: BTreeMap<String, Option<String>> = BTreeMap::new();
    for f in findings
        .iter_mut()
        .filter(|f| f.file.is_none() && !f.path.is_empty())
    {
        let file = cache
            .entry(f.path.clone())
            .or_insert_with(|| {
                let segments: Vec<&str> = f.path.split('.').collect();
                if sets.iter().any(|m| has_path(m, &segments)) {
                    return None;
                }
                files
                    .iter()
                    .rev()
                    .find(|(_, m)| has_path(m, &segments))
                    .map(|(name, _)| name.clone())
            })
            .clone();
        f.file = file;
    }
}

fn has_path(map: &Map, segments: &[&str]) -> bool {
    let Some((first, rest)) = segments.split_first() else {
        return false;
    };
    match (map.get(*first), rest.is_empty()) {
        (Some(_), true) => true,
        (Some(Value::Map(m)), false) => has_path(m, rest),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pipeline::ValuesFile;

    fn release() -> Result<Release, String> {
        Ok(Release::install("dify", "dify"))
    }

    fn user(files: &[(&str, &str)], sets: &[&str]) -> UserValues {
        UserValues {
            files: files
                .iter()
                .map(|(n, t)| ValuesFile {
                    name: (*n).into(),
                    text: t.to_string(),
                })
                .collect(),
            sets: sets
                .iter()
                .map(|s| (SetKind::Set, (*s).to_owned()))
                .collect(),
        }
    }

    #[test]
    fn yaml_error_is_a_finding_naming_the_file() {
        let u = user(&[("good.yaml", "a: 1\n"), ("bad.yaml", "a: [\n")], &[]);
        let f = lint(&Chart::dify("0.27.0"), &u, release());
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].id, "DFX001");
        assert_eq!(f[0].file.as_deref(), Some("bad.yaml"));
    }

    #[test]
    fn schema_violations_are_findings_and_the_render_still_runs() {
        let v = "externalSecret:\n  enabled: true\n  api:\n    refreshInterval: 900\n    remoteRefs:\n      UNUSED: {key: x}\n";
        let f = lint(
            &Chart::dify("0.27.0"),
            &user(&[("v.yaml", v)], &[]),
            release(),
        );
        let s: Vec<_> = f.iter().filter(|f| f.id == "DFX005").collect();
        assert_eq!(s.len(), 1, "{f:#?}");
        assert_eq!(s[0].path, "externalSecret.api.refreshInterval");
        assert_eq!(s[0].file.as_deref(), Some("v.yaml"));
        // The render's own error at the same path is not repeated.
        assert!(!f.iter().any(|f| f.id == "DFX001"), "{f:#?}");
        assert!(f.iter().any(|f| f.id == "DFX010"), "{f:#?}");
        assert_eq!(dotted("/a~1b/c~0d"), "a/b.c~d");
        assert_eq!(dotted(""), "");
    }

    #[test]
    fn render_error_is_a_finding_with_its_path() {
        // Allowed by the schema, refused by the render (an invalid name).
        let u = user(&[("v.yaml", "fullnameOverride: UPPER\n")], &[]);
        let f = lint(&Chart::dify("0.27.0"), &u, release());
        let e: Vec<_> = f.iter().filter(|f| f.id == "DFX001").collect();
        assert_eq!(e.len(), 1, "{f:#?}");
        assert_eq!(e[0].path, "fullnameOverride");
        assert_eq!(e[0].file.as_deref(), Some("v.yaml"));
        assert!(failed(&f, false));
    }

    #[test]
    fn invalid_release_is_a_finding() {
        let f = lint(
            &Chart::dify("0.27.0"),
            &user(&[], &[]),
            Err("release name check failed".into()),
        );
        assert!(f
            .iter()
            .any(|f| f.id == "DFX001" && f.message.contains("release name")));
    }

    #[test]
    fn files_are_attributed_last_wins_and_set_beats_files() {
        let a = "api:\n  secretKey: one\nexternalSecret:\n  enabled: true\n";
        let b = "api:\n  secretKey: two\n";
        let f = lint(
            &Chart::dify("0.27.0"),
            &user(&[("a.yaml", a), ("b.yaml", b)], &[]),
            release(),
        );
        let ignored = f
            .iter()
            .find(|f| f.id == "DFX030")
            .expect("plaintext-ignored");
        assert_eq!(ignored.path, "api.secretKey");
        assert_eq!(ignored.file.as_deref(), Some("b.yaml"));
        let f = lint(
            &Chart::dify("0.27.0"),
            &user(&[("a.yaml", a)], &["api.secretKey=three"]),
            release(),
        );
        let ignored = f
            .iter()
            .find(|f| f.id == "DFX030")
            .expect("plaintext-ignored");
        assert_eq!(ignored.file, None);
    }

    #[test]
    fn render_warnings_are_not_duplicated() {
        let v = "externalSecret:\n  enabled: true\n  api:\n    remoteRefs:\n      UNUSED_KEY: {key: x}\n";
        let f = lint(
            &Chart::dify("0.27.0"),
            &user(&[("v.yaml", v)], &[]),
            release(),
        );
        let hits: Vec<_> = f
            .iter()
            .filter(|f| f.path == "externalSecret.api.remoteRefs.UNUSED_KEY")
            .collect();
        assert_eq!(hits.len(), 1, "{hits:#?}");
        assert_eq!(hits[0].id, "DFX010");
    }

    #[test]
    fn strict_fails_on_warnings_only() {
        let w = Finding::new(&rules::RULES[1], "a", "m".into(), "h".into());
        assert_eq!(w.severity, Severity::Warning);
        assert!(!failed(std::slice::from_ref(&w), false));
        assert!(failed(std::slice::from_ref(&w), true));
    }
}
