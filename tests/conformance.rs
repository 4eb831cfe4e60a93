//! Every golden case in `../shared/conformance` (chart 0.27.0) and
//! `../shared/conformance-versions/<V>/` (every later release): real
//! `helm template` output on the upstream chart. difyx's output
//! (`difyx template $(cat args) --version $(cat chart-version) -f values.yaml`)
//! must equal it semantically — documents in the same order with the same
//! `# Source:`, equal parsed trees — after applying the case's `expect.yaml`
//! where Helm's output is corrupt; and its ExternalSecret documents must be
//! byte-identical to Helm's.
//!
//! One test per chart version (`version_0_31_0` …), so a failing release is
//! named by the test that fails; each lists every failing case.

mod common;

use base64::Engine as _;
use common::*;
use difyx::values::yaml::parse_document;
use difyx::values::{Map, Value};

/// The case folders under `dir`, sorted.
fn cases_in(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut cases: Vec<_> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", dir.display()))
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.join("values.yaml").exists())
        .collect();
    cases.sort();
    cases
}

/// The chart 0.27.0 cases of `../shared/conformance`.
fn cases() -> Vec<std::path::PathBuf> {
    let cases = cases_in(&shared_dir().join("conformance"));
    assert!(
        cases.len() >= 13,
        "expected the 13 golden cases, found {}",
        cases.len()
    );
    cases
}

/// The chart version a case is for (its `chart-version` file).
fn chart_version(case: &std::path::Path) -> String {
    std::fs::read_to_string(case.join("chart-version"))
        .unwrap_or_else(|e| panic!("{}: no chart-version: {e}", case.display()))
        .trim()
        .to_owned()
}

fn run_case(case: &std::path::Path) -> std::process::Output {
    let args_text = std::fs::read_to_string(case.join("args")).unwrap();
    let values = case.join("values.yaml");
    let version = chart_version(case);
    let mut args: Vec<&str> = vec!["template"];
    args.extend(args_text.split_whitespace());
    args.extend(["--version", &version]);
    let values = values.to_str().unwrap().to_owned();
    args.push("-f");
    args.push(&values);
    difyx(&args, None)
}

/// One step of an `expect.yaml` path.
enum Step {
    Key(String),
    Index(usize),
    Select(String, String),
}

fn parse_path(path: &str) -> Vec<Step> {
    let mut steps = Vec::new();
    let mut rest = path;
    while !rest.is_empty() {
        if let Some(r) = rest.strip_prefix('.') {
            rest = r;
            continue;
        }
        if let Some(r) = rest.strip_prefix('[') {
            let end = r.find(']').expect("closing ]");
            let inner = &r[..end];
            rest = &r[end + 1..];
            if let Some(q) = inner.strip_prefix('"') {
                steps.push(Step::Key(q.trim_end_matches('"').to_owned()));
            } else if let Some((k, v)) = inner.split_once('=') {
                steps.push(Step::Select(k.to_owned(), v.to_owned()));
            } else {
                steps.push(Step::Index(inner.parse().expect("list index")));
            }
            continue;
        }
        let end = rest.find(['.', '[']).unwrap_or(rest.len());
        steps.push(Step::Key(rest[..end].to_owned()));
        rest = &rest[end..];
    }
    steps
}

fn apply_override(doc: &mut Value, path: &str, value: Option<Value>) {
    let steps = parse_path(path);
    let (last, init) = steps.split_last().expect("non-empty path");
    let mut cur = doc;
    for step in init {
        cur = match (step, cur) {
            (Step::Key(k), Value::Map(m)) => {
                m.entry(k.clone()).or_insert_with(|| Value::Map(Map::new()))
            }
            (Step::Index(i), Value::List(l)) => &mut l[*i],
            (Step::Select(k, v), Value::List(l)) => l
                .iter_mut()
                .find(|item| item.lookup([k.as_str()]).and_then(Value::as_str) == Some(v.as_str()))
                .unwrap_or_else(|| panic!("no item with {k}={v}")),
            _ => panic!("override path {path} does not fit the document"),
        };
    }
    match (last, cur, value) {
        (Step::Key(k), Value::Map(m), Some(v)) => {
            m.insert(k.clone(), v);
        }
        (Step::Key(k), Value::Map(m), None) => {
            m.remove(k);
        }
        (Step::Index(i), Value::List(l), Some(v)) => l[*i] = v,
        _ => panic!("override path {path} does not fit the document"),
    }
}

/// The documents difyx must print for a case: expected.yaml, with expect.yaml applied.
fn expected_docs(case: &std::path::Path) -> Vec<Doc> {
    let mut docs = parse_stream(&std::fs::read_to_string(case.join("expected.yaml")).unwrap());
    let Ok(expect) = std::fs::read_to_string(case.join("expect.yaml")) else {
        return docs;
    };
    let expect = parse_document(&expect, "expect.yaml").unwrap();
    if let Some(Value::List(overrides)) = expect.lookup(["overrides"]) {
        for o in overrides {
            let id = o.lookup(["doc"]).and_then(Value::as_str).unwrap();
            let path = o.lookup(["path"]).and_then(Value::as_str).unwrap();
            let delete = o.lookup(["delete"]) == Some(&Value::Bool(true));
            let doc = docs
                .iter_mut()
                .find(|d| doc_id(&d.tree) == id)
                .unwrap_or_else(|| panic!("no doc {id}"));
            let mut value = if delete {
                None
            } else {
                o.lookup(["value"]).cloned()
            };
            // For a plain Secret, `data.KEY` overrides hold the decoded text.
            if doc_id(&doc.tree).starts_with("Secret/") && path.starts_with("data.") {
                if let Some(Value::String(s)) = &value {
                    value = Some(Value::String(
                        base64::engine::general_purpose::STANDARD.encode(s),
                    ));
                }
            }
            apply_override(&mut doc.tree, path, value);
        }
    }
    docs
}

fn mode(case: &std::path::Path) -> (String, Vec<String>) {
    let Ok(text) = std::fs::read_to_string(case.join("expect.yaml")) else {
        return ("parity".into(), vec![]);
    };
    let expect = parse_document(&text, "expect.yaml").unwrap();
    let mode = expect
        .lookup(["mode"])
        .and_then(Value::as_str)
        .unwrap_or("parity")
        .to_owned();
    let mentions = match expect.lookup(["error_mentions"]) {
        Some(Value::List(l)) => l
            .iter()
            .filter_map(Value::as_str)
            .map(str::to_owned)
            .collect(),
        _ => vec![],
    };
    (mode, mentions)
}

/// Why difyx's render of one case is not Helm's (semantic comparison after
/// expect.yaml); empty when it matches.
fn semantic_failures(case: &std::path::Path) -> Vec<String> {
    let mut failures = Vec::new();
    let name = case_name(case);
    let out = run_case(case);
    let (mode, mentions) = mode(case);
    if mode == "error" {
        let err = stderr(&out);
        if out.status.success() || !out.stdout.is_empty() {
            failures.push(format!(
                "{name}: expected an error, got exit {:?} and stdout:\n{}",
                out.status.code(),
                stdout(&out)
            ));
        }
        for m in &mentions {
            if !err.contains(m.as_str()) {
                failures.push(format!("{name}: stderr does not mention {m}: {err}"));
            }
        }
        if !err.starts_with("Error: ") {
            failures.push(format!("{name}: stderr must start with `Error: `: {err}"));
        }
        return failures;
    }
    if !out.status.success() {
        failures.push(format!("{name}: difyx failed: {}", stderr(&out)));
        return failures;
    }
    let got = parse_stream(&stdout(&out));
    let want = expected_docs(case);
    let got_sources: Vec<&str> = got.iter().map(|d| d.source.as_str()).collect();
    let want_sources: Vec<&str> = want.iter().map(|d| d.source.as_str()).collect();
    if got_sources != want_sources {
        failures.push(format!(
            "{name}: documents differ:\n  got  {got_sources:?}\n  want {want_sources:?}"
        ));
        return failures;
    }
    for (g, w) in got.iter().zip(&want) {
        if g.tree != w.tree {
            failures.push(format!(
                "{name}: {} differs:\n  got  {:?}\n  want {:?}",
                g.source, g.tree, w.tree
            ));
        }
    }
    failures
}

/// `<version>/<case>` for a case folder.
fn case_name(case: &std::path::Path) -> String {
    format!(
        "{}/{}",
        chart_version(case),
        case.file_name().unwrap().to_string_lossy()
    )
}

#[test]
fn every_golden_case_matches_helm() {
    let failures: Vec<String> = cases().iter().flat_map(|c| semantic_failures(c)).collect();
    assert!(
        failures.is_empty(),
        "{} failure(s):\n{}",
        failures.len(),
        failures.join("\n\n")
    );
}

/// difyx's own output for every case, byte for byte, so that any change to
/// the rendered text is seen in review.
#[test]
fn snapshots_of_every_case() {
    for case in cases() {
        let name = case.file_name().unwrap().to_string_lossy().into_owned();
        let out = run_case(&case);
        let text = if out.status.success() {
            stdout(&out)
        } else {
            format!("exit {:?}\n{}", out.status.code(), stderr(&out))
        };
        insta::assert_snapshot!(name, text);
    }
}

/// The rendered output is identical on repeated runs.
#[test]
fn output_is_deterministic() {
    for case in cases() {
        let a = run_case(&case);
        let b = run_case(&case);
        assert_eq!(a.stdout, b.stdout, "{}", case.display());
        assert_eq!(a.stderr, b.stderr, "{}", case.display());
    }
}

/// Helm's ExternalSecret documents, byte for byte: every ExternalSecret of
/// every golden case (its `---` and `# Source:` lines, its blank lines, its
/// quoting) must be exactly what Helm printed. Only the documents a case's
/// expect.yaml corrects (Helm's output is corrupt there, SPEC §7.0 D1) and
/// the error cases are left out; the corrected documents are held to the
/// parsed comparison of `every_golden_case_matches_helm`.
/// Compares the ExternalSecret documents of one case byte for byte with
/// Helm's; returns how many were compared and what differs.
fn byte_failures(case: &std::path::Path) -> (usize, Vec<String>) {
    let name = case_name(case);
    let mut failures = Vec::new();
    let mut compared = 0;
    if mode(case).0 == "error" {
        return (0, failures);
    }
    let corrected: Vec<String> = std::fs::read_to_string(case.join("expect.yaml"))
        .ok()
        .map(|text| {
            let expect = parse_document(&text, "expect.yaml").unwrap();
            match expect.lookup(["overrides"]) {
                Some(Value::List(l)) => l
                    .iter()
                    .filter_map(|o| o.lookup(["doc"]).and_then(Value::as_str))
                    .map(str::to_owned)
                    .collect(),
                _ => vec![],
            }
        })
        .unwrap_or_default();
    let expected = std::fs::read_to_string(case.join("expected.yaml")).unwrap();
    let out = run_case(case);
    if !out.status.success() {
        failures.push(format!("{name}: difyx failed: {}", stderr(&out)));
        return (0, failures);
    }
    let got = stdout(&out);
    let (want, got) = (raw_external_secrets(&expected), raw_external_secrets(&got));
    let ids = |v: &[(String, &str)]| v.iter().map(|(id, _)| id.clone()).collect::<Vec<_>>();
    if ids(&want) != ids(&got) {
        failures.push(format!(
            "{name}: ExternalSecrets differ: helm {:?}, difyx {:?}",
            ids(&want),
            ids(&got)
        ));
        return (0, failures);
    }
    for ((id, w), (_, g)) in want.iter().zip(&got) {
        if corrected.contains(id) {
            continue;
        }
        compared += 1;
        if w != g {
            failures.push(format!(
                "{name}: {id} is not byte-identical to Helm's\n--- helm\n{w:?}\n--- difyx\n{g:?}"
            ));
        }
    }
    (compared, failures)
}

#[test]
fn external_secrets_are_byte_identical_to_helm() {
    let mut failures = Vec::new();
    let mut compared = 0;
    for case in cases() {
        let (n, f) = byte_failures(&case);
        compared += n;
        failures.extend(f);
    }
    assert!(
        compared >= 35,
        "only {compared} ExternalSecret documents compared"
    );
    assert!(
        failures.is_empty(),
        "{} of {compared} ExternalSecret document(s) differ:\n{}",
        failures.len(),
        failures.join("\n\n")
    );
}

// ---------------------------------------------------------------------------
// Every later release: ../shared/conformance-versions/<V>/<case>/
// ---------------------------------------------------------------------------

/// Runs every case of one release: the semantic comparison and the
/// ExternalSecret byte comparison; fails naming each failing case.
fn check_version(version: &str) {
    let dir = if version == "0.27.0" {
        shared_dir().join("conformance")
    } else {
        shared_dir().join("conformance-versions").join(version)
    };
    let cases = cases_in(&dir);
    assert!(
        cases.len() >= 4,
        "expected the 4 golden cases of {version} in {}, found {}",
        dir.display(),
        cases.len()
    );
    let mut failing = std::collections::BTreeSet::new();
    let mut failures = Vec::new();
    let mut compared = 0;
    for case in &cases {
        assert_eq!(
            chart_version(case),
            version,
            "{}: chart-version",
            case.display()
        );
        let mut f = semantic_failures(case);
        let (n, bytes) = byte_failures(case);
        compared += n;
        f.extend(bytes);
        if !f.is_empty() {
            failing.insert(case.file_name().unwrap().to_string_lossy().into_owned());
        }
        failures.extend(f);
    }
    eprintln!(
        "conformance {version}: {} of {} case(s) pass; {compared} ExternalSecret document(s) byte-identical or compared",
        cases.len() - failing.len(),
        cases.len()
    );
    assert!(
        failures.is_empty(),
        "chart {version}: {} of {} case(s) fail: {:?}\n\n{}",
        failing.len(),
        cases.len(),
        failing,
        failures.join("\n\n")
    );
}

/// Every release has its folder of golden cases, and nothing else is there.
#[test]
fn every_embedded_release_has_golden_cases() {
    let dir = shared_dir().join("conformance-versions");
    for v in difyx::chart::versions::VERSIONS.iter().skip(1) {
        assert!(
            dir.join(v.version).is_dir(),
            "no golden cases for {} in {}",
            v.version,
            dir.display()
        );
    }
}

macro_rules! version_tests {
    ($($name:ident => $version:literal,)*) => {
        $(
            #[test]
            fn $name() {
                check_version($version);
            }
        )*
    };
}

version_tests! {
    version_0_27_0 => "0.27.0",
    version_0_28_0 => "0.28.0",
    version_0_28_1 => "0.28.1",
    version_0_29_0 => "0.29.0",
    version_0_30_0 => "0.30.0",
    version_0_31_0 => "0.31.0",
    version_0_32_0 => "0.32.0",
    version_0_33_0 => "0.33.0",
    version_0_34_0 => "0.34.0",
    version_0_35_0 => "0.35.0",
    version_0_36_0 => "0.36.0",
    version_0_37_0 => "0.37.0",
    version_0_38_0_rc2 => "0.38.0-rc2",
}
