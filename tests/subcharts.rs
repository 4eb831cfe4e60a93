//! Subcharts against real Helm 4.3.1: which subcharts take part and the
//! values every chart ends up with.
//!
//! * `tests/fixtures/subcharts/helm/` is a chart with three listed
//!   dependencies (one of them aliased twice, tags, comma-separated
//!   conditions), an unlisted subchart, a nested subchart with its own
//!   condition, globals two levels deep, and nulls in every chart's
//!   defaults. Its only template prints `.Values`. For each row of
//!   [`CASES`], `helm template` and difyx's coalescing
//!   ([`difyx::pipeline::helm_schema_check`] on `Chart::load` of the same
//!   folder) must give the same values, or both fail; Helm's "returned
//!   non-bool value" warnings must have a difyx warning for the same path.
//! * the embedded chart at several releases against `../shared/upstream/<V>`
//!   (real subcharts), a copy of which gets a template printing `.Values`:
//!   every value difyx computes must be in Helm's at the same path
//!   (difyx's defaults are a cut of upstream's, so Helm has more).

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use common::{helm_if_present, repo_dir, shared_dir};
use difyx::chart::Chart;
use difyx::pipeline::{helm_schema_check, UserValues};
use difyx::values::strvals::SetKind;
use difyx::values::yaml::parse_document;
use difyx::values::{Map, Value};

const FIXTURE: &str = "tests/fixtures/subcharts/helm";

/// `--set` arguments of one case.
const CASES: &[&[&str]] = &[
    &[],
    &["sub.over=user", "global.g1=top"],
    &["global.gmap.a=null", "global.g1=null"],
    &["global.deep.lvl.c=3"],
    &[
        "sub.fromParent=null",
        "sub.over=null",
        "sub.keep=null",
        "sub.nested.x=null",
    ],
    &["sub.nested.q=1"],
    &["sub.global.q=1"],
    &["sub.pnull=3"],
    &["sub=null"],
    &["sub=3"],
    &["sub.enabled=false"],
    &["sub.enabled=yes"],
    &["sub.enabled=null"],
    &["sub.enabled=null", "tags.back=false"],
    &["tags.back=false"],
    &["tags.back=false", "tags.front=true"],
    &["tags.back=true", "other.enabled=null"],
    &["other.enabled=true"],
    &["other.enabled=true", "tags.front=false"],
    &["twin.enabled=true"],
    &["twin.enabled=true", "twin.over=u", "global.g2=top"],
    &["twin.enabled=null", "sub.enabled=false"],
    &["twin.enabled=3"],
    &["sub.leaf.enabled=false"],
    &["sub.leaf.enabled=x"],
    &["sub.leaf=null"],
    &["sub.global=null"],
    &["global=null"],
    &["global=5"],
    &["top.n=null", "top.keep=null"],
    &["free.f=null", "free.global.g1=f"],
    &["sub.nested=3"],
    &["sub.nested.z=3"],
    &["tnull=null", "sub.nul=null"],
    &["tnull=1", "sub.nul=2", "sub.ynull=3"],
    &[
        "sub.nested.ynull=null",
        "twin.enabled=true",
        "twin.nested.ynull=4",
    ],
    &[
        "tags.back=false",
        "tags.front=false",
        "sub.enabled=null",
        "twin.enabled=true",
        "other.enabled=null",
    ],
];

fn helm_values(helm: &Path, chart: &Path, sets: &[&str]) -> Result<(Value, String), String> {
    let mut cmd = Command::new(helm);
    cmd.args(["template", "x"]).arg(chart);
    for s in sets {
        cmd.args(["--set", s]);
    }
    let out = cmd.output().expect("run helm");
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    if !out.status.success() {
        return Err(stderr);
    }
    let text = String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter(|l| !l.starts_with("---") && !l.starts_with("# Source"))
        .collect::<Vec<_>>()
        .join("\n");
    Ok((
        parse_document(&text, "helm").expect("helm output parses"),
        stderr,
    ))
}

fn difyx_values(chart: &Chart, sets: &[&str]) -> Result<(Value, Vec<String>), String> {
    let user = UserValues {
        files: Vec::new(),
        sets: sets.iter().map(|s| (SetKind::Set, s.to_string())).collect(),
    };
    helm_schema_check(chart, &user)
        .map(|(v, w)| (Value::Map(v), w))
        .map_err(|e| e.to_string())
}

/// Numbers compared as float64 (Helm prints `--set` integers, YAML reads floats).
fn norm(v: &Value) -> Value {
    match v {
        Value::Int(i) => Value::Float(*i as f64),
        Value::List(l) => Value::List(l.iter().map(norm).collect()),
        Value::Map(m) => Value::Map(m.iter().map(|(k, v)| (k.clone(), norm(v))).collect()),
        other => other.clone(),
    }
}

/// Every case on the chart folder `dir`: the failures.
fn compare_with_helm(helm: &Path, dir: &Path, cases: &[&[&str]]) -> Vec<String> {
    let chart = Chart::load(dir).expect("the fixture loads");
    let mut failures = Vec::new();
    for sets in cases {
        let h = helm_values(helm, dir, sets);
        let d = difyx_values(&chart, sets);
        match (&h, &d) {
            (Ok((hv, herr)), Ok((dv, warnings))) => {
                if norm(hv) != norm(dv) {
                    failures.push(format!(
                        "{sets:?}: values differ\nhelm:\n{}\ndifyx:\n{}",
                        difyx::values::emit::to_yaml(hv),
                        difyx::values::emit::to_yaml(dv)
                    ));
                }
                for line in herr
                    .lines()
                    .filter(|l| l.contains("returned non-bool value"))
                {
                    let path = line
                        .split_whitespace()
                        .find_map(|w| w.strip_prefix("path=").or_else(|| w.strip_prefix("tag=")))
                        .unwrap_or("");
                    if !warnings
                        .iter()
                        .any(|w| w.contains(path) && w.contains("not a boolean"))
                    {
                        failures.push(format!("{sets:?}: no warning for {line:?}: {warnings:?}"));
                    }
                }
            }
            (Err(_), Err(_)) => {}
            _ => failures.push(format!("{sets:?}: helm {h:?}\ndifyx {d:?}")),
        }
    }
    failures
}

#[test]
fn fixture_chart_values_equal_helms() {
    let Some(helm) = helm_if_present("fixture_chart_values_equal_helms") else {
        return;
    };
    let failures = compare_with_helm(&helm, &repo_dir().join(FIXTURE), CASES);
    assert!(
        failures.is_empty(),
        "{} case(s):\n{}",
        failures.len(),
        failures.join("\n\n")
    );
}

#[test]
fn fixture_variants_equal_helms() {
    // The fixture with its Chart.yaml changed: a version constraint the
    // subchart does not meet (it is then unlisted, yet removed by name when
    // the listed entry is off), a condition naming an absent value, and no
    // dependencies list at all (every subchart taken as it is, the nested
    // condition not read).
    let Some(helm) = helm_if_present("fixture_variants_equal_helms") else {
        return;
    };
    let src = repo_dir().join(FIXTURE);
    let chart_yaml = std::fs::read_to_string(src.join("Chart.yaml")).unwrap();
    let variants: [(&str, String); 3] = [
        (
            "version mismatch",
            chart_yaml.replace("\">=2.0.0\"", "\">=3.0.0\""),
        ),
        (
            "absent condition",
            chart_yaml.replace("condition: other.enabled", "condition: other.missing"),
        ),
        (
            "no dependencies",
            chart_yaml[..chart_yaml.find("dependencies:").unwrap()].to_owned(),
        ),
    ];
    let cases: &[&[&str]] = &[
        &[],
        &["other.enabled=true"],
        &["tags.front=false", "tags.back=false"],
        &["sub.leaf.enabled=false", "sub.enabled=false"],
    ];
    let mut failures = Vec::new();
    for (name, text) in variants {
        let tmp = tempfile::tempdir().unwrap();
        let dst = tmp.path().join("parent");
        assert!(Command::new("cp")
            .arg("-r")
            .arg(&src)
            .arg(&dst)
            .status()
            .unwrap()
            .success());
        std::fs::write(dst.join("Chart.yaml"), text).unwrap();
        for f in compare_with_helm(&helm, &dst, cases) {
            failures.push(format!("{name}: {f}"));
        }
    }
    assert!(
        failures.is_empty(),
        "{} case(s):\n{}",
        failures.len(),
        failures.join("\n\n")
    );
}

/// Every leaf of `ours` is in `theirs` with the same value, except leaves
/// `skip` says come from the parent chart's own defaults (difyx's cut of
/// those is checked elsewhere).
fn contained(
    ours: &Value,
    theirs: &Value,
    path: &mut Vec<String>,
    skip: &dyn Fn(&[String]) -> bool,
    out: &mut Vec<String>,
) {
    match (ours, theirs) {
        (Value::Map(a), Value::Map(b)) => {
            for (k, v) in a {
                path.push(k.clone());
                match b.get(k) {
                    Some(w) => contained(v, w, path, skip, out),
                    None if skip(path) => {}
                    None => out.push(format!("{}: only difyx has it", path.join("."))),
                }
                path.pop();
            }
        }
        (a, b) if norm(a) == norm(b) || skip(path) => {}
        (a, b) => out.push(format!("{}: difyx {a:?}, helm {b:?}", path.join("."))),
    }
}

/// Whether the parent's values at `path` (or, below a `global`, at the
/// same path under the top-level `global`) are the parent chart's own, or
/// outside the subchart sections: those come from the parent's defaults.
fn from_parent(parent: &Value, path: &[String]) -> bool {
    if !matches!(
        path.first().map(String::as_str),
        Some("redis" | "postgresql" | "weaviate")
    ) {
        return true;
    }
    let defined = |p: &[String]| parent.lookup(p.iter()).is_some();
    if defined(path) {
        return true;
    }
    // Below a `global`, the value may come from any enclosing chart's
    // `global` in the parent's values (`postgresql.global.x` reaches
    // `postgresql.common.global.x`).
    match path.iter().rposition(|k| k == "global") {
        Some(i) => (0..i).any(|k| {
            let mut g = path[..k].to_vec();
            g.push("global".to_owned());
            g.extend_from_slice(&path[i + 1..]);
            defined(&g)
        }),
        None => false,
    }
}

/// A copy of `../shared/upstream/<version>` with a template printing the values.
fn upstream_with_values_template(version: &str) -> (tempfile::TempDir, PathBuf) {
    let tmp = tempfile::tempdir().unwrap();
    let dst = tmp.path().join("dify");
    let status = Command::new("cp")
        .arg("-r")
        .arg(shared_dir().join("upstream").join(version))
        .arg(&dst)
        .status()
        .unwrap();
    assert!(status.success());
    // Only the values: no secret-layer template runs.
    for entry in std::fs::read_dir(dst.join("templates")).unwrap() {
        std::fs::remove_file(entry.unwrap().path()).unwrap();
    }
    std::fs::write(dst.join("templates/values.yaml"), "{{ toYaml .Values }}\n").unwrap();
    (tmp, dst)
}

#[test]
fn embedded_chart_values_are_in_helms() {
    let Some(helm) = helm_if_present("embedded_chart_values_are_in_helms") else {
        return;
    };
    let cases: &[&[&str]] = &[
        &[],
        &["redis.enabled=false"],
        &["redis.enabled=null"],
        &["postgresql.enabled=false", "weaviate.enabled=false"],
        &["global.extra=1", "redis.global.redis.password=p"],
        &["redis.auth.password=null", "redis.sentinel.enabled=true"],
        &["redis.sentinel=null"],
        &["postgresql.global.postgresql.auth.username=u"],
        &["tags.redis=false", "redis.enabled=null"],
        &["tags.vector=false", "weaviate.enabled=x"],
        &["redis.replica.replicaCount=2", "redis.nameOverride=cache"],
    ];
    let mut failures = Vec::new();
    for version in ["0.28.0", "0.31.0", "0.35.0", "0.37.0", "0.38.0-rc2"] {
        let (_tmp, dir) = upstream_with_values_template(version);
        let chart = Chart::dify(version);
        let parent_text = std::fs::read_to_string(dir.join("values.yaml")).unwrap();
        let parent = parse_document(&parent_text, "upstream values.yaml").unwrap();
        let skip = |p: &[String]| from_parent(&parent, p);
        for sets in cases {
            let mut cmd = Command::new(&helm);
            cmd.args(["template", "dify"]).arg(&dir);
            for s in *sets {
                cmd.args(["--set", s]);
            }
            let out = cmd.output().unwrap();
            let d = difyx_values(&chart, sets);
            match (out.status.success(), d) {
                (true, Ok((dv, _))) => {
                    let text = String::from_utf8_lossy(&out.stdout)
                        .lines()
                        .filter(|l| !l.starts_with("---") && !l.starts_with("# Source"))
                        .collect::<Vec<_>>()
                        .join("\n");
                    let hv = parse_document(&text, "helm").unwrap();
                    let mut diffs = Vec::new();
                    contained(&dv, &hv, &mut Vec::new(), &skip, &mut diffs);
                    if !diffs.is_empty() {
                        failures.push(format!("{version} {sets:?}:\n  {}", diffs.join("\n  ")));
                    }
                }
                (false, Err(_)) => {}
                (ok, d) => failures.push(format!(
                    "{version} {sets:?}: helm ok={ok} {}\ndifyx {d:?}",
                    String::from_utf8_lossy(&out.stderr)
                )),
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} case(s):\n{}",
        failures.len(),
        failures.join("\n\n")
    );
}

#[test]
fn helms_values_of_the_fixture_have_the_map_type() {
    // A guard for the comparisons above: the fixture is read as Helm reads it.
    let chart = Chart::load(&repo_dir().join(FIXTURE)).unwrap();
    let names: Vec<&str> = chart.subcharts.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(names, ["free", "other", "sub"]);
    assert_eq!(chart.dependencies.len(), 3);
    let _: &Map = &chart.values;
}
