//! `difyx lint`: every golden case of `../shared/conformance` gives the
//! findings we expect (insta snapshots of `-o json`, reviewed by hand, plus
//! explicit checks of the key findings), the usage guide's scenarios give no
//! error, and the output is stable and honours NO_COLOR.

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use common::*;

fn cases() -> Vec<PathBuf> {
    let dir = shared_dir().join("conformance");
    let mut cases: Vec<_> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", dir.display()))
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.join("values.yaml").exists())
        .collect();
    cases.sort();
    assert!(
        cases.len() >= 13,
        "expected the 13 golden cases, found {}",
        cases.len()
    );
    cases
}

/// Runs difyx in `dir` with `args` and extra environment, stdin closed.
fn run_in(dir: &Path, args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_difyx"));
    cmd.args(args)
        .current_dir(dir)
        .env_remove("HELM_NAMESPACE")
        .env_remove("NO_COLOR")
        .env_remove("CLICOLOR_FORCE")
        .envs(env.iter().copied())
        .stdin(Stdio::null());
    cmd.output().expect("run difyx")
}

/// `difyx lint <args> -f values.yaml <extra>` in the case's folder, so that
/// findings name the file `values.yaml` wherever the case lives.
fn lint_case(case: &Path, extra: &[&str]) -> Output {
    let args_text = std::fs::read_to_string(case.join("args")).unwrap();
    let mut args = vec!["lint", "--version", "0.27.0"];
    args.extend(args_text.split_whitespace());
    args.extend(["-f", "values.yaml"]);
    args.extend(extra);
    run_in(case, &args, &[])
}

fn findings(out: &Output) -> Vec<serde_json::Value> {
    serde_json::from_str::<Vec<serde_json::Value>>(&stdout(out))
        .unwrap_or_else(|e| panic!("not a JSON array: {e}\n{}", stdout(out)))
}

/// (severity, id, path) of every finding.
fn summary(out: &Output) -> Vec<(String, String, String)> {
    findings(out)
        .iter()
        .map(|f| {
            let s = |k: &str| f[k].as_str().unwrap().to_owned();
            (s("severity"), s("id"), s("path"))
        })
        .collect()
}

fn has(sum: &[(String, String, String)], severity: &str, id: &str, path: &str) -> bool {
    sum.iter()
        .any(|(s, i, p)| s == severity && i == id && p == path)
}

fn case_name(case: &Path) -> String {
    case.file_name().unwrap().to_string_lossy().into_owned()
}

#[test]
fn snapshots_of_every_conformance_case() {
    for case in cases() {
        let name = case_name(&case);
        let out = lint_case(&case, &["-o", "json"]);
        assert_eq!(
            stderr(&out),
            "",
            "{name}: lint prints render warnings as findings, not on stderr"
        );
        let any_error = findings(&out).iter().any(|f| f["severity"] == "error");
        assert_eq!(
            out.status.code(),
            Some(if any_error { 1 } else { 0 }),
            "{name}: exit status"
        );
        insta::assert_snapshot!(name, stdout(&out));
    }
}

/// (severity, rule ID, value path) of one expected finding.
type Expected = (&'static str, &'static str, &'static str);

/// The findings each case must give, whatever else the snapshot holds.
#[test]
fn key_findings_of_each_case() {
    let expect: &[(&str, &[Expected])] = &[
        (
            "defaults",
            &[
                ("error", "DFX031", "api.secretKey"),
                ("error", "DFX031", "sandbox.auth.apiKey"),
                ("error", "DFX031", "pluginDaemon.auth.serverKey"),
                ("error", "DFX031", "pluginDaemon.auth.difyApiKey"),
                (
                    "error",
                    "DFX031",
                    "postgresql.global.postgresql.auth.postgresPassword",
                ),
                ("error", "DFX031", "redis.auth.password"),
                ("warning", "DFX033", "api.mail.resend.apiKey"),
            ],
        ),
        (
            "error-refresh-interval-number",
            &[("error", "DFX005", "externalSecret.api.refreshInterval")],
        ),
        (
            "eso-quirks",
            &[
                (
                    "warning",
                    "DFX010",
                    "externalSecret.api.remoteRefs.UNUSED_KEY",
                ),
                (
                    "warning",
                    "DFX010",
                    "externalSecret.pluginDaemon.remoteRefs.NOT_SUPPORTED",
                ),
                (
                    "warning",
                    "DFX013",
                    "externalSecret.postgresql.remoteRefs.aaa-extra-key",
                ),
                (
                    "warning",
                    "DFX014",
                    "externalSecret.api.remoteRefs.OPENSEARCH_USERNAME",
                ),
                (
                    "warning",
                    "DFX022",
                    "externalSecret.api.remoteRefs.CODE_EXECUTION_API_KEY",
                ),
                (
                    "warning",
                    "DFX022",
                    "externalSecret.worker.remoteRefs.REDIS_USERNAME",
                ),
                ("warning", "DFX042", "redis.enabled"),
                ("info", "DFX012", "externalSecret.api.remoteRefs"),
            ],
        ),
        (
            "fixed-property-with-hash",
            &[(
                "error",
                "DFX020",
                "externalSecret.api.remoteRefs.CODE_EXECUTION_API_KEY",
            )],
        ),
        (
            "legacy-builtin-variants",
            &[("info", "DFX050", "pluginDaemon.enabled")],
        ),
        (
            "migration-step2",
            &[(
                "warning",
                "DFX040",
                "postgresql.global.postgresql.auth.existingSecret",
            )],
        ),
        (
            "name-overrides",
            &[
                ("warning", "DFX004", "fullnameOverride"),
                ("warning", "DFX021", "externalSecret.sandbox.enabled"),
                ("error", "DFX031", "sandbox.auth.apiKey"),
            ],
        ),
        (
            "release-name-default",
            &[
                ("warning", "DFX021", "externalSecret.worker.enabled"),
                ("warning", "DFX021", "externalSecret.pluginDaemon.enabled"),
                ("error", "DFX031", "api.secretKey"),
            ],
        ),
        (
            "scenario-1-full-eso",
            &[(
                "warning",
                "DFX040",
                "postgresql.global.postgresql.auth.existingSecret",
            )],
        ),
        (
            "scenario-2-builtin-postgresql",
            &[("info", "DFX016", "externalSecret.secretStore.name")],
        ),
        (
            "scenario-3-external-postgresql",
            &[
                (
                    "warning",
                    "DFX023",
                    "externalSecret.pluginDaemon.remoteRefs.DB_USERNAME",
                ),
                (
                    "warning",
                    "DFX023",
                    "externalSecret.pluginDaemon.remoteRefs.DB_PASSWORD",
                ),
            ],
        ),
        (
            "scenario-4-builtin-redis",
            &[(
                "warning",
                "DFX040",
                "postgresql.global.postgresql.auth.existingSecret",
            )],
        ),
    ];
    let root = shared_dir().join("conformance");
    for (name, wanted) in expect {
        let out = lint_case(&root.join(name), &["-o", "json"]);
        let sum = summary(&out);
        for (severity, id, path) in *wanted {
            assert!(
                has(&sum, severity, id, path),
                "{name}: missing {severity} {id} at {path}; got {sum:#?}"
            );
        }
    }
    // Cases with nothing wrong with the secret layer stay quiet.
    let out = lint_case(&root.join("legacy-external-all"), &["-o", "json"]);
    assert_eq!(stdout(&out), "[]\n");
    assert!(out.status.success());
    // The render warning of eso-quirks is reported once, by the value rule.
    let sum = summary(&lint_case(&root.join("eso-quirks"), &["-o", "json"]));
    assert_eq!(
        sum.iter()
            .filter(|(_, _, p)| p == "externalSecret.api.remoteRefs.UNUSED_KEY")
            .count(),
        1
    );
    assert!(!sum.iter().any(|(_, id, _)| id == "DFX002"), "{sum:#?}");
}

/// The usage guide's scenarios give no error (their warnings are true).
#[test]
fn examples_give_no_error() {
    let examples = repo_dir().join("examples");
    let mut files: Vec<_> = std::fs::read_dir(&examples)
        .unwrap()
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "yaml"))
        .collect();
    files.sort();
    assert!(files.len() >= 5, "expected the usage guide's examples");
    let mut runs: Vec<Vec<String>> = files
        .iter()
        .map(|f| vec![f.to_string_lossy().into_owned()])
        .collect();
    // Migration step 2 as documented: layered over the current (legacy) values.
    runs.push(vec![
        shared_dir()
            .join("conformance/legacy-external-all/values.yaml")
            .to_string_lossy()
            .into_owned(),
        examples
            .join("migration-step2.yaml")
            .to_string_lossy()
            .into_owned(),
    ]);
    for run in runs {
        let mut args = vec![
            "lint",
            "--version",
            "0.27.0",
            "dify",
            "-n",
            "dify",
            "-o",
            "json",
        ];
        for f in &run {
            args.extend(["-f", f.as_str()]);
        }
        let out = run_in(&repo_dir(), &args, &[]);
        let errors: Vec<_> = findings(&out)
            .into_iter()
            .filter(|f| f["severity"] == "error")
            .collect();
        assert!(errors.is_empty(), "{run:?}: false errors {errors:#?}");
        assert!(out.status.success(), "{run:?}: exit status");
        assert_eq!(stderr(&out), "");
    }
}

#[test]
fn strict_fails_on_warnings() {
    let scenario = repo_dir().join("examples/scenario-1-full-eso.yaml");
    let f = scenario.to_str().unwrap();
    let out = run_in(
        &repo_dir(),
        &["lint", "--version", "0.27.0", "dify", "-n", "dify", "-f", f],
        &[],
    );
    assert!(out.status.success());
    assert!(stdout(&out).contains("warning[DFX040]"));
    let out = run_in(
        &repo_dir(),
        &[
            "lint",
            "--version",
            "0.27.0",
            "dify",
            "-n",
            "dify",
            "-f",
            f,
            "--strict",
        ],
        &[],
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stdout(&out).contains("(--strict: warnings count as errors)"),
        "{}",
        stdout(&out)
    );
    // Infos never fail, even with --strict.
    let s2 = repo_dir().join("examples/scenario-2-builtin-postgresql.yaml");
    let out = run_in(
        &repo_dir(),
        &[
            "lint",
            "--version",
            "0.27.0",
            "dify",
            "-n",
            "dify",
            "-f",
            s2.to_str().unwrap(),
            "--strict",
        ],
        &[],
    );
    assert!(out.status.success(), "{}", stdout(&out));
}

#[test]
fn json_is_stable_sorted_and_complete() {
    let case = shared_dir().join("conformance/eso-quirks");
    let a = lint_case(&case, &["-o", "json"]);
    let b = lint_case(&case, &["-o", "json"]);
    assert_eq!(a.stdout, b.stdout, "same input, same bytes");
    let list = findings(&a);
    assert!(!list.is_empty());
    let keys = ["id", "rule", "severity", "path", "message", "hint", "file"];
    for f in &list {
        let obj = f.as_object().unwrap();
        assert_eq!(obj.keys().collect::<Vec<_>>().len(), keys.len(), "{f}");
        for k in keys {
            assert!(obj.contains_key(k), "{f} lacks {k}");
        }
        assert!(["error", "warning", "info"].contains(&f["severity"].as_str().unwrap()));
        assert!(f["id"].as_str().unwrap().starts_with("DFX"));
        assert!(f["file"].is_null() || f["file"] == "values.yaml", "{f}");
    }
    let order: Vec<(String, String, String)> = list
        .iter()
        .map(|f| {
            let s = |k: &str| f[k].as_str().unwrap().to_owned();
            (s("path"), s("id"), s("message"))
        })
        .collect();
    let mut sorted = order.clone();
    sorted.sort();
    assert_eq!(order, sorted, "sorted by path, id, message");
    // The key order of each object is part of the format.
    assert!(stdout(&a).contains("{\n    \"id\": "));
}

#[test]
fn text_colour_honours_no_color() {
    let case = shared_dir().join("conformance/eso-quirks");
    let args = [
        "lint",
        "--version",
        "0.27.0",
        "dify",
        "-n",
        "dify",
        "-f",
        "values.yaml",
    ];
    let plain = run_in(&case, &args, &[]);
    assert!(
        !stdout(&plain).contains('\x1b'),
        "not a terminal: no colour"
    );
    let forced = run_in(&case, &args, &[("CLICOLOR_FORCE", "1")]);
    assert!(
        stdout(&forced).contains("\x1b[1;33mwarning\x1b[0m"),
        "{}",
        stdout(&forced)
    );
    let no_color = run_in(&case, &args, &[("CLICOLOR_FORCE", "1"), ("NO_COLOR", "1")]);
    assert!(!stdout(&no_color).contains('\x1b'));
    assert_eq!(stdout(&no_color), stdout(&plain));
    // Grouped by file, then path.
    let text = stdout(&plain);
    assert!(
        text.starts_with("values.yaml\n  externalSecret.api.remoteRefs"),
        "{text}"
    );
    assert!(
        text.ends_with("info\n") || text.ends_with("infos\n"),
        "{text}"
    );
    // JSON never has colour.
    let json = run_in(
        &case,
        &[
            "lint",
            "--version",
            "0.27.0",
            "dify",
            "-n",
            "dify",
            "-f",
            "values.yaml",
            "-o",
            "json",
        ],
        &[("CLICOLOR_FORCE", "1")],
    );
    assert!(!stdout(&json).contains('\x1b'));
}

#[test]
fn broken_values_are_a_finding_not_a_crash() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("bad.yaml"), "externalSecret: [\n").unwrap();
    let out = run_in(
        dir.path(),
        &[
            "lint",
            "--version",
            "0.27.0",
            "-f",
            "bad.yaml",
            "-o",
            "json",
        ],
        &[],
    );
    assert_eq!(out.status.code(), Some(1));
    let list = findings(&out);
    assert_eq!(list.len(), 1, "{list:#?}");
    assert_eq!(list[0]["id"], "DFX001");
    assert_eq!(list[0]["file"], "bad.yaml");
    assert_eq!(stderr(&out), "");
    // A value the schema refuses, and one the templates cannot render: a
    // finding each, and the value rules still run.
    std::fs::write(
        dir.path().join("v.yaml"),
        "fullnameOverride: UPPER\nexternalSecret:\n  enabled: true\n  secretStore:\n    name: 5\n  api:\n    remoteRefs:\n      UNUSED: {key: x}\n",
    )
    .unwrap();
    let out = run_in(
        dir.path(),
        &["lint", "--version", "0.27.0", "-f", "v.yaml", "-o", "json"],
        &[],
    );
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(stderr(&out), "");
    let sum = summary(&out);
    assert!(
        has(&sum, "error", "DFX005", "externalSecret.secretStore.name"),
        "{sum:#?}"
    );
    assert!(has(&sum, "error", "DFX001", "fullnameOverride"), "{sum:#?}");
    assert!(
        has(
            &sum,
            "warning",
            "DFX010",
            "externalSecret.api.remoteRefs.UNUSED"
        ),
        "{sum:#?}"
    );
}

#[test]
fn set_flags_are_linted_and_attributed_to_no_file() {
    let out = run_in(
        &repo_dir(),
        &[
            "lint",
            "--version",
            "0.27.0",
            "--set",
            "externalSecret.enabled=true",
            "--set",
            "api.secretKey=abc",
            "-o",
            "json",
        ],
        &[],
    );
    let list = findings(&out);
    let f = list
        .iter()
        .find(|f| f["id"] == "DFX030")
        .expect("plaintext-ignored");
    assert_eq!(f["path"], "api.secretKey");
    assert!(f["file"].is_null());
}

// ---------------------------------------------------------------------------
// Version diagnostics (CHART-VERSIONS V11–V16): `difyx lint` reports them as
// DFX060–DFX063 and `difyx template` prints the same on stderr.

fn lint_values(version: &str, values: &str) -> Output {
    let dir = std::env::temp_dir().join(format!(
        "difyx-lint-versions-{}-{version}",
        std::process::id()
    ));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("values.yaml"), values).unwrap();
    run_in(
        &dir,
        &[
            "lint",
            "dify",
            "--version",
            version,
            "-f",
            "values.yaml",
            "-o",
            "json",
        ],
        &[],
    )
}

#[test]
fn version_diagnostics_name_the_path_and_its_replacement() {
    let values = "api:\n  secretKey: old\nexternalSecret:\n  api:\n    refreshInterval: 5m\n\
                  pluginDaemon:\n  auth:\n    difyApiKey: k\n";
    let out = lint_values("0.38.0-rc2", values);
    let all = findings(&out);
    let by_path = |p: &str| {
        all.iter()
            .find(|f| f["id"] == "DFX060" && f["path"] == p)
            .unwrap_or_else(|| panic!("no DFX060 at {p}: {all:#?}"))
    };
    assert_eq!(
        by_path("api.secretKey")["hint"],
        "use global.appSecretKey instead"
    );
    assert_eq!(
        by_path("externalSecret.api.refreshInterval")["hint"],
        "use externalSecret.refreshInterval instead"
    );
    assert_eq!(
        by_path("pluginDaemon.auth.difyApiKey")["hint"],
        "use api.auth.internalApiKey instead"
    );
    assert_eq!(by_path("api.secretKey")["file"], "values.yaml");
    // The same values at 0.27.0 are what that release reads: no DFX060.
    let out = lint_values("0.27.0", values);
    assert!(
        !findings(&out).iter().any(|f| f["id"] == "DFX060"),
        "{}",
        stdout(&out)
    );
    // And a 0.28.0+ key at 0.27.0 is.
    let out = lint_values("0.27.0", "externalSecret:\n  refreshInterval: 5m\n");
    assert!(
        findings(&out)
            .iter()
            .any(|f| f["id"] == "DFX060" && f["path"] == "externalSecret.refreshInterval"),
        "{}",
        stdout(&out)
    );
}

#[test]
fn template_warns_about_values_the_version_ignores() {
    let out = difyx(
        &[
            "template",
            "dify",
            "--version",
            "0.37.0",
            "--set",
            "api.secretKey=x",
            "--set",
            "externalMyScaleDB.enabled=true,externalMyScaleDB.user=u,externalMyScaleDB.username=u",
        ],
        None,
    );
    let err = stderr(&out);
    assert!(
        err.contains(
            "api.secretKey: chart 0.37.0 ignores this value: it is read up to 0.35.0 (use global.appSecretKey instead)"
        ),
        "{err}"
    );
    assert!(
        err.contains("externalMyScaleDB.user: chart 0.37.0 ignores this value: it is read by no release (use externalMyScaleDB.username instead)"),
        "{err}"
    );
    let out = difyx(
        &[
            "template",
            "dify",
            "--version",
            "0.35.0",
            "--set",
            "api.secretKey=x",
        ],
        None,
    );
    assert!(!stderr(&out).contains("api.secretKey:"), "{}", stderr(&out));
}
