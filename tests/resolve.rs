//! `difyx resolve` (issue 6), through the binary: the usage guide's
//! scenarios against store files, the equivalence with the plaintext
//! Secrets, and every error and warning path (none of which may print a
//! secret value).

mod common;

use std::collections::BTreeMap;
use std::path::Path;

use base64::Engine as _;
use common::{difyx, doc_id, parse_stream, stderr, stdout};
use difyx::values::Value;

const FULL: &str = "tests/fixtures/stores/full.yaml";
const ANNOTATION: &str = "difyx.io/resolved-from";

/// One Secret of the output: where it came from and its decoded data.
#[derive(Debug, Clone, PartialEq)]
struct Secret {
    source: String,
    namespace: Option<String>,
    resolved_from: Option<String>,
    secret_type: String,
    data: BTreeMap<String, String>,
}

fn decode(v: &Value) -> String {
    let raw = base64::engine::general_purpose::STANDARD
        .decode(v.as_str().expect("a base64 string"))
        .expect("base64");
    String::from_utf8(raw).expect("utf-8")
}

/// The Secrets of a stream by name, in stream order.
fn secrets(text: &str) -> Vec<(String, Secret)> {
    parse_stream(text)
        .into_iter()
        .filter(|d| d.tree.lookup(["kind"]).and_then(Value::as_str) == Some("Secret"))
        .map(|d| {
            let s = |path: &[&str]| {
                d.tree
                    .lookup(path.iter().copied())
                    .and_then(Value::as_str)
                    .map(str::to_owned)
            };
            let data = match d.tree.lookup(["data"]) {
                Some(Value::Map(m)) => m.iter().map(|(k, v)| (k.clone(), decode(v))).collect(),
                _ => BTreeMap::new(),
            };
            let name = s(&["metadata", "name"]).unwrap_or_default();
            let secret = Secret {
                source: d.source.clone(),
                namespace: s(&["metadata", "namespace"]),
                resolved_from: s(&["metadata", "annotations", ANNOTATION]),
                secret_type: s(&["type"]).unwrap_or_default(),
                data,
            };
            (name, secret)
        })
        .collect()
}

fn resolve_ok(args: &[&str]) -> (Vec<(String, Secret)>, String) {
    let mut full = vec!["resolve", "--version", "0.27.0"];
    full.extend_from_slice(args);
    let out = difyx(&full, None);
    assert!(
        out.status.success(),
        "difyx {full:?} failed:\n{}",
        stderr(&out)
    );
    (secrets(&stdout(&out)), stderr(&out))
}

fn map(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

/// The Secret an ExternalSecret of the embedded chart resolves to.
fn resolved(template: &str, name: &str, data: &[(&str, &str)]) -> (String, Secret) {
    (
        name.to_owned(),
        Secret {
            source: format!("dify/templates/{template}-externalsecret.yaml"),
            namespace: Some("dify".into()),
            resolved_from: Some(format!("ExternalSecret/{name}")),
            secret_type: "Opaque".into(),
            data: map(data),
        },
    )
}

/// What full.yaml gives the api, worker, plugin daemon, sandbox and postgresql.
fn full_api() -> Vec<(&'static str, &'static str)> {
    vec![
        ("SECRET_KEY", "sk-test-9f73s3ljTXVcMT3Blb3l"),
        ("CODE_EXECUTION_API_KEY", "sandbox-test-key"),
        ("DB_USERNAME", "postgres"),
        ("DB_PASSWORD", "db-test-pass"),
        ("REDIS_USERNAME", ""),
        ("REDIS_PASSWORD", "redis-test-pass"),
        (
            "CELERY_BROKER_URL",
            "redis://:redis-test-pass@dify-redis-master:6379/1",
        ),
        ("WEAVIATE_API_KEY", "weaviate-test-key"),
        ("RESEND_API_KEY", "re_test_key"),
        ("PLUGIN_DAEMON_KEY", "plugin-server-test-key"),
        ("INNER_API_KEY_FOR_PLUGIN", "plugin-inner-test-key"),
    ]
}

fn full_worker() -> Vec<(&'static str, &'static str)> {
    full_api()
        .into_iter()
        .filter(|(k, _)| *k != "CODE_EXECUTION_API_KEY")
        .collect()
}

fn full_plugin_daemon() -> Vec<(&'static str, &'static str)> {
    vec![
        ("DB_USERNAME", "postgres"),
        ("DB_PASSWORD", "db-test-pass"),
        ("REDIS_USERNAME", ""),
        ("REDIS_PASSWORD", "redis-test-pass"),
        ("SERVER_KEY", "plugin-server-test-key"),
        ("DIFY_INNER_API_KEY", "plugin-inner-test-key"),
    ]
}

const FULL_SANDBOX: &[(&str, &str)] = &[("API_KEY", "sandbox-test-key")];
const FULL_POSTGRESQL: &[(&str, &str)] = &[
    ("postgres-password", "pg-admin-test-pass"),
    ("replication-password", "pg-repl-test-pass"),
];

/// Every value of the store fixtures: none may reach stderr.
fn store_values() -> Vec<String> {
    let mut out = Vec::new();
    for f in [
        "full.yaml",
        "full.json",
        "scenario-3.yaml",
        "rotate-db.yaml",
        "equivalence/store.yaml",
    ] {
        let text =
            std::fs::read_to_string(common::repo_dir().join("tests/fixtures/stores").join(f))
                .unwrap();
        let store = difyx::resolve::store::parse(&text, f).unwrap();
        for (key, _) in store.keys() {
            match store.get(key).unwrap() {
                difyx::resolve::store::Entry::Text(s) => out.push(s.clone()),
                difyx::resolve::store::Entry::Properties(p) => out.extend(p.values().cloned()),
            }
        }
    }
    out.retain(|v| v.len() >= 6 && v != "postgres" && v != "dify_app");
    out
}

fn assert_no_secret_values(stderr: &str, extra: &[&str]) {
    for v in store_values()
        .iter()
        .map(String::as_str)
        .chain(extra.iter().copied())
    {
        assert!(
            !stderr.contains(v),
            "stderr shows the secret value {v:?}:\n{stderr}"
        );
    }
}

// ---------------------------------------------------------------------------
// The usage guide's scenarios.

#[test]
fn scenario_1_full_external_secrets() {
    let (got, err) = resolve_ok(&[
        "dify",
        "-n",
        "dify",
        "-f",
        "examples/scenario-1-full-eso.yaml",
        "--store",
        FULL,
    ]);
    assert_eq!(
        got,
        [
            resolved("api", "dify-api", &full_api()),
            resolved("plugin-daemon", "dify-plugin-daemon", &full_plugin_daemon()),
            resolved("postgresql", "dify-postgresql", FULL_POSTGRESQL),
            resolved("sandbox", "dify-sandbox", FULL_SANDBOX),
            resolved("worker", "dify-worker", &full_worker()),
        ]
    );
    assert_eq!(
        err, "",
        "every key is read and every plaintext key is provided"
    );
}

#[test]
fn scenario_2_builtin_postgresql() {
    let (got, err) = resolve_ok(&[
        "dify",
        "-n",
        "dify",
        "-f",
        "examples/scenario-2-builtin-postgresql.yaml",
        "--store",
        FULL,
    ]);
    // postgresql.global.postgresql.auth.existingSecret names the Secret the
    // postgresql ExternalSecret creates: dify-postgresql.
    assert_eq!(
        got,
        [
            resolved("api", "dify-api", &full_api()),
            resolved("plugin-daemon", "dify-plugin-daemon", &full_plugin_daemon()),
            resolved("postgresql", "dify-postgresql", FULL_POSTGRESQL),
            resolved("sandbox", "dify-sandbox", FULL_SANDBOX),
            resolved("worker", "dify-worker", &full_worker()),
        ]
    );
    assert_eq!(err, "");
}

#[test]
fn scenario_3_external_postgresql() {
    let (got, err) = resolve_ok(&[
        "dify",
        "-n",
        "dify",
        "-f",
        "examples/scenario-3-external-postgresql.yaml",
        "--store",
        "tests/fixtures/stores/scenario-3.yaml",
    ]);
    let ext = |pairs: Vec<(&'static str, &'static str)>| -> Vec<(&'static str, &'static str)> {
        pairs
            .into_iter()
            .map(|(k, v)| match k {
                "DB_USERNAME" => (k, "dify_app"),
                "DB_PASSWORD" => (k, "ext-db-test-pass"),
                _ => (k, v),
            })
            .collect()
    };
    // No postgresql ExternalSecret: postgresql.enabled is false.
    assert_eq!(
        got,
        [
            resolved("api", "dify-api", &ext(full_api())),
            resolved(
                "plugin-daemon",
                "dify-plugin-daemon",
                &ext(full_plugin_daemon())
            ),
            resolved("sandbox", "dify-sandbox", FULL_SANDBOX),
            resolved("worker", "dify-worker", &ext(full_worker())),
        ]
    );
    assert_eq!(err, "");
}

#[test]
fn scenario_3_with_the_scenario_1_store_lists_every_missing_value() {
    let out = difyx(
        &[
            "resolve",
            "--version",
            "0.27.0",
            "dify",
            "-n",
            "dify",
            "-f",
            "examples/scenario-3-external-postgresql.yaml",
            "--store",
            FULL,
        ],
        None,
    );
    assert!(!out.status.success());
    assert_eq!(stdout(&out), "");
    let err = stderr(&out);
    let expected_error = "\
Error: cannot resolve 4 ExternalSecret value(s):
  ExternalSecret dify-api, secretKey DB_USERNAME: remote key dify/external-database, property username: the store has no such key
  ExternalSecret dify-api, secretKey DB_PASSWORD: remote key dify/external-database, property password: the store has no such key
  ExternalSecret dify-worker, secretKey DB_USERNAME: remote key dify/external-database, property username: the store has no such key
  ExternalSecret dify-worker, secretKey DB_PASSWORD: remote key dify/external-database, property password: the store has no such key
ESO would report each missing remote key or property as a sync failure (SecretSyncedError) and create no Secret for that ExternalSecret: add them to the store or fix the remoteRefs.
";
    assert!(err.ends_with(expected_error), "{err}");
    // Warnings still come first: the store's postgresql key is unused here.
    assert!(err.starts_with("warning: store key dify/postgresql (tests/fixtures/stores/full.yaml) is read by no ExternalSecret"), "{err}");
    assert_no_secret_values(&err, &[]);
}

#[test]
fn scenario_4_builtin_redis() {
    let (got, err) = resolve_ok(&[
        "dify",
        "-n",
        "dify",
        "-f",
        "examples/scenario-4-builtin-redis.yaml",
        "--store",
        FULL,
    ]);
    // The redis ExternalSecret renders (redis.auth.password is empty) and its
    // Secret is redis.auth.existingSecret: "redis".
    assert_eq!(
        got,
        [
            resolved("api", "dify-api", &full_api()),
            resolved("plugin-daemon", "dify-plugin-daemon", &full_plugin_daemon()),
            resolved("postgresql", "dify-postgresql", FULL_POSTGRESQL),
            resolved("redis", "redis", &[("redis-password", "redis-test-pass")]),
            resolved("sandbox", "dify-sandbox", FULL_SANDBOX),
            resolved("worker", "dify-worker", &full_worker()),
        ]
    );
    assert_eq!(err, "");
}

#[test]
fn migration_step_2() {
    // Layered over values that keep the plaintext defaults; every service's
    // ExternalSecret is on by default once externalSecret.enabled is true.
    let (got, err) = resolve_ok(&[
        "dify",
        "-n",
        "dify",
        "-f",
        "examples/migration-step2.yaml",
        "--store",
        FULL,
    ]);
    assert_eq!(
        got,
        [
            resolved("api", "dify-api", &full_api()),
            resolved("plugin-daemon", "dify-plugin-daemon", &full_plugin_daemon()),
            resolved("postgresql", "dify-postgresql", FULL_POSTGRESQL),
            resolved("sandbox", "dify-sandbox", FULL_SANDBOX),
            resolved("worker", "dify-worker", &full_worker()),
        ]
    );
    assert_eq!(err, "");
}

// ---------------------------------------------------------------------------
// Output shape.

#[test]
fn framing_and_order_as_template() {
    let args = [
        "dify",
        "-n",
        "dify",
        "-f",
        "examples/scenario-1-full-eso.yaml",
        "--set",
        "externalSecret.worker.enabled=false",
    ];
    let out = difyx(
        &[
            &["resolve", "--version", "0.27.0"][..],
            &args,
            &["--store", FULL],
        ]
        .concat(),
        None,
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    // The plain worker Secret first, exactly as `template` renders it, then
    // the resolved Secrets in ExternalSecret order.
    let template = stdout(&difyx(
        &[
            &["template", "--version", "0.27.0"][..],
            &args,
            &["-s", "templates/worker-secret.yaml"],
        ]
        .concat(),
        None,
    ));
    // With the blank line its template leaves, as in `template`'s stream.
    let plain_doc = template.trim_end().to_owned() + "\n\n";
    assert!(text.starts_with(&plain_doc), "{text}");
    let resolved_api = "---\n# Source: dify/templates/api-externalsecret.yaml\napiVersion: v1\nkind: Secret\nmetadata:\n  \
                        name: dify-api\n  namespace: dify\n  annotations:\n    difyx.io/resolved-from: ExternalSecret/dify-api\n\
                        type: Opaque\ndata:\n  CELERY_BROKER_URL: \"";
    assert_eq!(
        &text[plain_doc.len()..plain_doc.len() + resolved_api.len()],
        resolved_api
    );
    assert!(text.ends_with("\"\n") && !text.ends_with("\n\n"));
    let ids: Vec<(String, String)> = parse_stream(&text)
        .into_iter()
        .map(|d| (d.source, doc_id(&d.tree)))
        .collect();
    assert_eq!(
        ids,
        [
            (
                "dify/templates/worker-secret.yaml".to_owned(),
                "Secret/dify-worker".to_owned()
            ),
            (
                "dify/templates/api-externalsecret.yaml".to_owned(),
                "Secret/dify-api".to_owned()
            ),
            (
                "dify/templates/plugin-daemon-externalsecret.yaml".to_owned(),
                "Secret/dify-plugin-daemon".to_owned()
            ),
            (
                "dify/templates/postgresql-externalsecret.yaml".to_owned(),
                "Secret/dify-postgresql".to_owned()
            ),
            (
                "dify/templates/sandbox-externalsecret.yaml".to_owned(),
                "Secret/dify-sandbox".to_owned()
            ),
        ]
    );
    // Helm-style output: deterministic.
    let again = difyx(
        &[
            &["resolve", "--version", "0.27.0"][..],
            &args,
            &["--store", FULL],
        ]
        .concat(),
        None,
    );
    assert_eq!(stdout(&again), text);
}

#[test]
fn no_external_secrets_prints_the_plain_secrets_and_warns() {
    let out = difyx(
        &[
            "resolve",
            "--version",
            "0.27.0",
            "dify",
            "-n",
            "dify",
            "--store",
            FULL,
        ],
        None,
    );
    assert!(out.status.success());
    assert_eq!(
        stdout(&out),
        stdout(&difyx(
            &["template", "--version", "0.27.0", "dify", "-n", "dify"],
            None
        ))
    );
    let err = stderr(&out);
    assert_eq!(
        err,
        "warning: no ExternalSecret renders for these values (is externalSecret.enabled true?): the output is the \
         chart's plain Secrets, and none of the 8 store key(s) is read\n"
    );
}

// ---------------------------------------------------------------------------
// Store files.

#[test]
fn json_stores_and_stdin() {
    let (from_json, _) = resolve_ok(&[
        "dify",
        "-n",
        "dify",
        "-f",
        "examples/scenario-1-full-eso.yaml",
        "--store",
        "tests/fixtures/stores/full.json",
    ]);
    let api = &from_json.iter().find(|(n, _)| n == "dify-api").unwrap().1;
    assert_eq!(api.data["SECRET_KEY"], "sk-json-key");
    assert_eq!(api.data["DB_PASSWORD"], "db-json-pass");

    let json = std::fs::read_to_string(common::repo_dir().join("tests/fixtures/stores/full.json"))
        .unwrap();
    let out = difyx(
        &[
            "resolve",
            "--version",
            "0.27.0",
            "dify",
            "-n",
            "dify",
            "-f",
            "examples/scenario-1-full-eso.yaml",
            "--store",
            "-",
        ],
        Some(&json),
    );
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(secrets(&stdout(&out)), from_json);

    let yaml = std::fs::read_to_string(common::repo_dir().join(FULL)).unwrap();
    let out = difyx(
        &[
            "resolve",
            "--version",
            "0.27.0",
            "dify",
            "-n",
            "dify",
            "-f",
            "examples/scenario-1-full-eso.yaml",
            "--store",
            "-",
        ],
        Some(&yaml),
    );
    let (from_file, _) = resolve_ok(&[
        "dify",
        "-n",
        "dify",
        "-f",
        "examples/scenario-1-full-eso.yaml",
        "--store",
        FULL,
    ]);
    assert_eq!(secrets(&stdout(&out)), from_file);
}

#[test]
fn later_store_files_win_property_by_property() {
    let (got, err) = resolve_ok(&[
        "dify",
        "-n",
        "dify",
        "-f",
        "examples/scenario-1-full-eso.yaml",
        "--store",
        FULL,
        "--store",
        "tests/fixtures/stores/rotate-db.yaml",
    ]);
    for (name, s) in &got {
        if let Some(p) = s.data.get("DB_PASSWORD") {
            assert_eq!(p, "db-rotated-pass", "{name}");
            assert_eq!(s.data["DB_USERNAME"], "postgres", "{name}");
        }
    }
    assert_eq!(err, "");
}

#[test]
fn a_mapping_read_without_property_is_go_json() {
    let dir = tempfile::tempdir().unwrap();
    let values = dir.path().join("values.yaml");
    std::fs::write(&values, "externalSecret:\n  sandbox:\n    remoteRefs:\n      API_KEY: {key: dify/sandbox-json, property: \"\"}\n")
        .unwrap();
    let store = dir.path().join("store.yaml");
    std::fs::write(&store, "dify/sandbox-json: {b: \"x<y&z\", a: \"1\"}\n").unwrap();
    let (got, err) = resolve_ok(&[
        "dify",
        "-n",
        "dify",
        "-f",
        "examples/scenario-1-full-eso.yaml",
        "-f",
        values.to_str().unwrap(),
        "--store",
        FULL,
        "--store",
        store.to_str().unwrap(),
    ]);
    let sandbox = &got.iter().find(|(n, _)| n == "dify-sandbox").unwrap().1;
    assert_eq!(
        sandbox.data,
        map(&[("API_KEY", r#"{"a":"1","b":"x\u003cy\u0026z"}"#)])
    );
    // The api still reads dify/sandbox for CODE_EXECUTION_API_KEY: no warning.
    assert_eq!(err, "");
}

#[test]
fn store_keys_no_external_secret_reads_are_warnings() {
    let dir = tempfile::tempdir().unwrap();
    let extra = dir.path().join("extra.yaml");
    std::fs::write(
        &extra,
        "dify/unused: {key: \"unused-secret-value\"}\nlegacy-token: \"legacy-secret-value\"\n",
    )
    .unwrap();
    let (_, err) = resolve_ok(&[
        "dify",
        "-n",
        "dify",
        "-f",
        "examples/scenario-1-full-eso.yaml",
        "--store",
        FULL,
        "--store",
        extra.to_str().unwrap(),
    ]);
    let name = extra.to_str().unwrap();
    assert_eq!(
        err,
        format!(
            "warning: store key dify/unused ({name}) is read by no ExternalSecret of this release: least privilege says the SecretStore need not reach it\n\
             warning: store key legacy-token ({name}) is read by no ExternalSecret of this release: least privilege says the SecretStore need not reach it\n"
        )
    );
    assert_no_secret_values(&err, &["unused-secret-value", "legacy-secret-value"]);
}

#[test]
fn bad_stores_are_errors_naming_the_key_not_the_value() {
    let dir = tempfile::tempdir().unwrap();
    for (text, expected) in [
        ("dify/api: {secret_key: 123456789}\n", "store STORE: remote key dify/api, property secret_key: expected a string, got a number"),
        ("dify/api: {secret_key: yes}\n", "remote key dify/api, property secret_key: expected a string, got a boolean"),
        ("dify/api: [\"secret-in-a-list\"]\n", "remote key dify/api: expected a string or a mapping of property to string, got a list"),
        ("dify/api: {secret_key: {nested: \"nested-secret\"}}\n", "got a map (a store has one level of properties)"),
        ("dify/api: {secret_key: \"unclosed-secret\n", "store failed to parse STORE:1:24"),
        ("dify/api:\n  secret_key: bad: \"colon-secret\"\n", "store failed to parse STORE:2:"),
        ("{\"dify/api\": {\"secret_key\": \"json-secret\"", "store failed to parse STORE"),
        ("- just-a-list-secret\n", "the top level must be a mapping"),
    ] {
        let path = dir.path().join("store.yaml");
        std::fs::write(&path, text).unwrap();
        let p = path.to_str().unwrap();
        let out = difyx(&["resolve", "--version", "0.27.0", "dify", "-f", "examples/scenario-1-full-eso.yaml", "--store", p], None);
        assert!(!out.status.success(), "{text}");
        assert_eq!(stdout(&out), "");
        let err = stderr(&out);
        let expected = expected.replace("STORE", p);
        assert!(err.starts_with("Error: ") && err.contains(&expected), "{text}: {err}");
        assert_eq!(err.lines().count(), 1, "{err}");
        for secret in ["123456789", "secret-in-a-list", "nested-secret", "unclosed-secret", "colon-secret", "json-secret", "just-a-list-secret"] {
            assert!(!err.contains(secret), "{err}");
        }
    }
    let out = difyx(
        &[
            "resolve",
            "--version",
            "0.27.0",
            "dify",
            "--store",
            "no/such/store.yaml",
        ],
        None,
    );
    assert!(
        stderr(&out).starts_with("Error: cannot read store file no/such/store.yaml"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn store_is_required_and_stdin_is_read_once() {
    let out = difyx(&["resolve", "--version", "0.27.0", "dify"], None);
    assert!(!out.status.success());
    assert!(stderr(&out).contains("--store <STORE>"), "{}", stderr(&out));
    let out = difyx(
        &[
            "resolve",
            "--version",
            "0.27.0",
            "dify",
            "-f",
            "-",
            "--store",
            "-",
        ],
        Some(""),
    );
    assert_eq!(
        stderr(&out),
        "Error: both -f - and --store - read stdin: give one of them a file\n"
    );
    let out = difyx(
        &[
            "resolve",
            "--version",
            "0.27.0",
            "dify",
            "--store",
            "-",
            "--store",
            "-",
        ],
        Some(""),
    );
    assert_eq!(
        stderr(&out),
        "Error: --store - is given 2 times: stdin can be read only once\n"
    );
}

#[test]
fn strict_turns_warnings_into_errors() {
    let args = [
        "resolve",
        "--version",
        "0.27.0",
        "dify",
        "-n",
        "dify",
        "-f",
        "examples/scenario-3-external-postgresql.yaml",
        "--store",
        "tests/fixtures/stores/scenario-3.yaml",
    ];
    let mut with_unused = args.to_vec();
    with_unused.extend(["--store", FULL, "--strict"]);
    let out = difyx(&with_unused, None);
    assert!(!out.status.success());
    assert_eq!(stdout(&out), "");
    let err = stderr(&out);
    assert!(
        err.starts_with(
            "Error: --strict: 1 warning(s) treated as errors:\n  store key dify/postgresql"
        ),
        "{err}"
    );
    assert_no_secret_values(&err, &[]);
    let mut clean = args.to_vec();
    clean.push("--strict");
    assert!(difyx(&clean, None).status.success());
}

#[test]
fn unsupported_templates_in_a_chart_directory_fail_clearly() {
    let dir = tempfile::tempdir().unwrap();
    let chart = dir.path().join("dify");
    common::chart_dir_0_27_0(&chart);
    let tpl = chart.join("templates/_externalsecret.tpl");
    let text = std::fs::read_to_string(&tpl).unwrap();
    let patched = text.replace(
        "{{ key | eso_ref | yaml_value }}",
        "{{ (\"{{ .\" ~ key ~ \" | b64enc }}\") | yaml_value }}",
    );
    assert_ne!(
        text, patched,
        "the chart's template.data line changed: update this test"
    );
    std::fs::write(&tpl, patched).unwrap();
    let values = "externalSecret:\n  enabled: true\n  api: {enabled: false}\n  worker: {enabled: false}\n  pluginDaemon: {enabled: false}\npostgresql: {enabled: false}\n";
    let out = difyx(
        &[
            "resolve",
            "dify",
            chart.to_str().unwrap(),
            "-n",
            "dify",
            "-f",
            "-",
            "--store",
            FULL,
        ],
        Some(values),
    );
    assert!(!out.status.success());
    assert_eq!(stdout(&out), "");
    let err = stderr(&out);
    assert!(
        err.contains(
            "Error: cannot resolve 1 ExternalSecret value(s):\n  ExternalSecret dify-sandbox: target.template.data.API_KEY: \
             unsupported template action \"{{ .API_KEY | b64enc }}\" (a pipe); difyx resolve evaluates only literal text, \
             {{ .KEY }} and {{ index . \"key\" }}\n"
        ),
        "{err}"
    );
    assert!(
        !err.contains("SecretSyncedError"),
        "not a store failure: {err}"
    );
}

// ---------------------------------------------------------------------------
// Equivalence with the plaintext Secrets.

/// One set of values: an overlay on equivalence/values.yaml, the store
/// overlay holding the same secret values where the ExternalSecrets read
/// them, and every `<secret>/<KEY>` the plaintext Secret has but no
/// ExternalSecret can provide.
struct Variant {
    name: &'static str,
    values: &'static str,
    store: &'static str,
    gaps: &'static [&'static str],
}

const VARIANTS: &[Variant] = &[
    Variant { name: "built-in PostgreSQL, Redis and Weaviate, Resend mail", values: "", store: "", gaps: &[] },
    Variant {
        name: "external PostgreSQL",
        values: "postgresql: {enabled: false}\nexternalPostgres: {enabled: true, username: dify_app, password: eq-ext-db-pass}\n",
        store: "dify/database: {username: dify_app, password: eq-ext-db-pass}\n",
        gaps: &[],
    },
    Variant {
        name: "external Redis with TLS",
        values: "redis: {enabled: false}\nexternalRedis: {enabled: true, host: redis.internal, port: 6380, username: default, password: eq-ext-redis-pass, useSSL: true}\n",
        store: "dify/redis: {username: default, password: eq-ext-redis-pass, celery_broker_url: \"rediss://default:eq-ext-redis-pass@redis.internal:6380/1\"}\n",
        gaps: &[],
    },
    Variant {
        name: "external PostgreSQL and Redis",
        values: "postgresql: {enabled: false}\nexternalPostgres: {enabled: true, username: dify_app, password: eq-ext-db-pass}\n\
                 redis: {enabled: false}\nexternalRedis: {enabled: true, host: redis.internal, port: 6379, username: \"\", password: eq-ext-redis-pass}\n",
        store: "dify/database: {username: dify_app, password: eq-ext-db-pass}\n\
                dify/redis: {username: \"\", password: eq-ext-redis-pass, celery_broker_url: \"redis://:eq-ext-redis-pass@redis.internal:6379/1\"}\n",
        gaps: &[],
    },
    Variant {
        name: "SMTP mail",
        values: "api: {mail: {type: smtp}}\n",
        store: "",
        gaps: &["dify-api/SMTP_PASSWORD", "dify-api/SMTP_USERNAME", "dify-worker/SMTP_PASSWORD", "dify-worker/SMTP_USERNAME"],
    },
    Variant {
        name: "S3 storage, with a plugin bucket",
        values: "externalS3: {enabled: true, accessKey: eq-s3-access, secretKey: eq-s3-secret, bucketName: {pluginDaemon: dify-plugins}}\n",
        store: "",
        gaps: &[
            "dify-api/S3_ACCESS_KEY", "dify-api/S3_SECRET_KEY",
            "dify-plugin-daemon/AWS_ACCESS_KEY", "dify-plugin-daemon/AWS_SECRET_KEY",
            "dify-worker/S3_ACCESS_KEY", "dify-worker/S3_SECRET_KEY",
        ],
    },
    Variant {
        name: "Azure Blob storage, key in the store",
        values: "externalAzureBlobStorage: {enabled: true, key: eq-azure-key}\nexternalSecret:\n  \
                 api: {remoteRefs: {AZURE_BLOB_ACCOUNT_KEY: {key: dify/storage, property: azure_account_key}}}\n  \
                 worker: {remoteRefs: {AZURE_BLOB_ACCOUNT_KEY: {key: dify/storage, property: azure_account_key}}}\n",
        store: "dify/storage: {azure_account_key: eq-azure-key}\n",
        gaps: &[],
    },
    Variant {
        name: "Google Cloud Storage, with a plugin bucket",
        values: "externalGCS: {enabled: true, serviceAccountJsonBase64: eq-gcs-json, bucketName: {pluginDaemon: dify-plugins}}\n",
        store: "",
        gaps: &[
            "dify-api/GOOGLE_STORAGE_SERVICE_ACCOUNT_JSON_BASE64",
            "dify-plugin-daemon/GCS_CREDENTIALS",
            "dify-worker/GOOGLE_STORAGE_SERVICE_ACCOUNT_JSON_BASE64",
        ],
    },
    Variant {
        name: "Aliyun OSS, with a plugin bucket",
        values: "externalOSS: {enabled: true, accessKey: eq-oss-access, secretKey: eq-oss-secret, bucketName: {pluginDaemon: dify-plugins}}\n",
        store: "",
        gaps: &[
            "dify-api/ALIYUN_OSS_ACCESS_KEY", "dify-api/ALIYUN_OSS_SECRET_KEY",
            "dify-plugin-daemon/ALIYUN_OSS_ACCESS_KEY_SECRET",
            "dify-worker/ALIYUN_OSS_ACCESS_KEY", "dify-worker/ALIYUN_OSS_SECRET_KEY",
        ],
    },
    Variant {
        name: "Tencent COS, with a plugin bucket",
        values: "externalCOS: {enabled: true, secretKey: eq-cos-secret, bucketName: {pluginDaemon: dify-plugins}}\n",
        store: "",
        gaps: &["dify-api/TENCENT_COS_SECRET_KEY", "dify-plugin-daemon/TENCENT_COS_SECRET_KEY", "dify-worker/TENCENT_COS_SECRET_KEY"],
    },
    Variant {
        name: "Huawei OBS, with a plugin bucket",
        values: "externalOBS: {enabled: true, accessKey: eq-obs-access, secretKey: eq-obs-secret, bucketName: {pluginDaemon: dify-plugins}}\n",
        store: "",
        gaps: &[
            "dify-api/HUAWEI_OBS_ACCESS_KEY", "dify-api/HUAWEI_OBS_SECRET_KEY",
            "dify-plugin-daemon/HUAWEI_OBS_SECRET_KEY",
            "dify-worker/HUAWEI_OBS_ACCESS_KEY", "dify-worker/HUAWEI_OBS_SECRET_KEY",
        ],
    },
    Variant {
        name: "Volcengine TOS, with a plugin bucket",
        values: "externalTOS: {enabled: true, secretKey: eq-tos-secret, bucketName: {pluginDaemon: dify-plugins}}\n",
        store: "",
        gaps: &["dify-api/VOLCENGINE_TOS_SECRET_KEY", "dify-plugin-daemon/PLUGIN_VOLCENGINE_TOS_SECRET_KEY", "dify-worker/VOLCENGINE_TOS_SECRET_KEY"],
    },
    Variant {
        name: "external Weaviate",
        values: "externalWeaviate: {enabled: true, apiKey: eq-ext-weaviate-key}\n",
        store: "dify/weaviate: {api_key: eq-ext-weaviate-key}\n",
        gaps: &[],
    },
    Variant {
        name: "Qdrant, key in the store",
        values: "externalQdrant: {enabled: true, apiKey: eq-qdrant-key}\nexternalSecret:\n  \
                 api: {remoteRefs: {QDRANT_API_KEY: {key: dify/qdrant, property: api_key}}}\n  \
                 worker: {remoteRefs: {QDRANT_API_KEY: {key: dify/qdrant, property: api_key}}}\n",
        store: "dify/qdrant: {api_key: eq-qdrant-key}\n",
        gaps: &[],
    },
    Variant {
        name: "Milvus",
        values: "externalMilvus: {enabled: true, token: eq-milvus-token, user: eq-milvus-user, password: eq-milvus-pass}\n",
        store: "",
        gaps: &[
            "dify-api/MILVUS_PASSWORD", "dify-api/MILVUS_TOKEN", "dify-api/MILVUS_USER",
            "dify-worker/MILVUS_PASSWORD", "dify-worker/MILVUS_TOKEN", "dify-worker/MILVUS_USER",
        ],
    },
    Variant {
        name: "pgvector",
        values: "externalPgvector: {enabled: true, username: eq-pgvector-user, password: eq-pgvector-pass}\n",
        store: "",
        gaps: &["dify-api/PGVECTOR_PASSWORD", "dify-api/PGVECTOR_USER", "dify-worker/PGVECTOR_PASSWORD", "dify-worker/PGVECTOR_USER"],
    },
    Variant {
        name: "Tencent VectorDB",
        values: "externalTencentVectorDB: {enabled: true, username: eq-tvdb-user, apiKey: eq-tvdb-key}\n",
        store: "",
        gaps: &[
            "dify-api/TENCENT_VECTOR_DB_API_KEY", "dify-api/TENCENT_VECTOR_DB_USERNAME",
            "dify-worker/TENCENT_VECTOR_DB_API_KEY", "dify-worker/TENCENT_VECTOR_DB_USERNAME",
        ],
    },
    Variant {
        name: "MyScale",
        values: "externalMyScaleDB: {enabled: true, username: eq-myscale-user, password: eq-myscale-pass}\n",
        store: "",
        gaps: &["dify-api/MYSCALE_PASSWORD", "dify-api/MYSCALE_USER", "dify-worker/MYSCALE_PASSWORD", "dify-worker/MYSCALE_USER"],
    },
    Variant {
        name: "TableStore",
        values: "externalTableStore: {enabled: true, accessKeyId: eq-ts-id, accessKeySecret: eq-ts-secret}\n",
        store: "",
        gaps: &[
            "dify-api/TABLESTORE_ACCESS_KEY_ID", "dify-api/TABLESTORE_ACCESS_KEY_SECRET",
            "dify-worker/TABLESTORE_ACCESS_KEY_ID", "dify-worker/TABLESTORE_ACCESS_KEY_SECRET",
        ],
    },
    Variant {
        name: "sandbox off",
        values: "sandbox: {enabled: false}\n",
        store: "",
        gaps: &[],
    },
];

/// Renders a variant both ways and compares; returns the problems found.
fn compare(v: &Variant, dir: &Path) -> Vec<String> {
    let values = dir.join("values.yaml");
    let store = dir.join("store.yaml");
    std::fs::write(&values, v.values).unwrap();
    std::fs::write(&store, v.store).unwrap();
    let base = [
        "dify",
        "-n",
        "dify",
        "-f",
        "tests/fixtures/stores/equivalence/values.yaml",
        "-f",
        values.to_str().unwrap(),
    ];
    let plain = difyx(
        &[
            &["template", "--version", "0.27.0"][..],
            &base,
            &["--set", "externalSecret.enabled=false"],
        ]
        .concat(),
        None,
    );
    assert!(plain.status.success(), "{}: {}", v.name, stderr(&plain));
    let plain: BTreeMap<String, Secret> = secrets(&stdout(&plain)).into_iter().collect();
    let out = difyx(
        &[
            &["resolve", "--version", "0.27.0"][..],
            &base,
            &[
                "--store",
                "tests/fixtures/stores/equivalence/store.yaml",
                "--store",
                store.to_str().unwrap(),
            ],
        ]
        .concat(),
        None,
    );
    if !out.status.success() {
        return vec![format!("resolve failed: {}", stderr(&out))];
    }
    let err = stderr(&out);
    let mut problems = Vec::new();
    let mut gaps = Vec::new();
    let mut compared = 0;
    for (name, secret) in secrets(&stdout(&out)) {
        let Some(from) = &secret.resolved_from else {
            continue;
        };
        let Some(plain) = plain.get(&name) else {
            // postgresql and redis: the subcharts' Secrets, not rendered here.
            assert!(from.starts_with("ExternalSecret/"), "{from}");
            continue;
        };
        compared += 1;
        for (key, value) in &plain.data {
            match secret.data.get(key) {
                Some(r) if r == value => {}
                Some(_) => problems.push(format!(
                    "{name}/{key}: the resolved value differs from the plaintext one"
                )),
                None => gaps.push(format!("{name}/{key}")),
            }
        }
    }
    if compared < 3 {
        problems.push(format!("only {compared} Secret(s) compared"));
    }
    let expected: Vec<String> = v.gaps.iter().map(|g| g.to_string()).collect();
    if gaps != expected {
        problems.push(format!(
            "keys the ExternalSecrets cannot provide: {gaps:?}, expected {expected:?}"
        ));
    }
    let warned: Vec<&str> = err
        .lines()
        .filter_map(|l| l.strip_prefix("warning: "))
        .filter_map(|l| {
            l.strip_suffix(" exists in the plaintext Secret but no ExternalSecret provides it")
        })
        .collect();
    if warned != gaps {
        problems.push(format!(
            "resolve warned about {warned:?}, the comparison found {gaps:?}"
        ));
    }
    let mut secrets_in_values: Vec<String> = v
        .values
        .split(|c: char| !(c.is_ascii_alphanumeric() || c == '-'))
        .filter(|w| w.starts_with("eq-"))
        .map(str::to_owned)
        .collect();
    secrets_in_values.extend(store_values());
    for s in &secrets_in_values {
        if err.contains(s.as_str()) {
            problems.push(format!("stderr shows the secret value {s:?}"));
        }
    }
    problems
}

#[test]
fn plaintext_and_resolved_secrets_agree_except_for_the_named_gaps() {
    let mut report = Vec::new();
    for v in VARIANTS {
        let dir = tempfile::tempdir().unwrap();
        for p in compare(v, dir.path()) {
            report.push(format!("{}: {p}", v.name));
        }
    }
    assert!(report.is_empty(), "\n{}", report.join("\n"));
}

#[test]
fn the_postgresql_and_redis_secrets_hold_what_the_subcharts_would_read() {
    let out = difyx(
        &[
            "resolve",
            "--version",
            "0.27.0",
            "dify",
            "-n",
            "dify",
            "-f",
            "tests/fixtures/stores/equivalence/values.yaml",
            "--set",
            "redis.auth.password=",
            "--set",
            "redis.auth.existingSecret=dify-redis",
            "--store",
            "tests/fixtures/stores/equivalence/store.yaml",
            "--store",
            "-",
        ],
        Some("dify/redis: {redis_password: eq-redis-pass}\n"),
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let got: BTreeMap<String, Secret> = secrets(&stdout(&out)).into_iter().collect();
    assert_eq!(
        got["dify-postgresql"].data,
        map(&[
            ("postgres-password", "eq-pg-admin-pass"),
            ("replication-password", "eq-pg-repl-pass")
        ])
    );
    assert_eq!(
        got["dify-redis"].data,
        map(&[("redis-password", "eq-redis-pass")])
    );
}

#[test]
fn secret_values_never_reach_stderr() {
    // Every error and warning path at once, over a store whose every value is
    // a sentinel: wrong property names (with hints), a plain string read with
    // a property, unused keys, plaintext gaps, --strict and the chart's own
    // warnings.
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("store.yaml");
    std::fs::write(
        &store,
        "dify/api: {secret-key: SENTINEL-1}\n\
         dify/database: {user: SENTINEL-2, passwd: SENTINEL-3}\n\
         dify/redis: SENTINEL-4\n\
         dify/unused: {x: SENTINEL-5}\n\
         dify/sandbox: {api_key: SENTINEL-6}\n",
    )
    .unwrap();
    let store = store.to_str().unwrap();
    let values = dir.path().join("values.yaml");
    std::fs::write(
        &values,
        "api: {mail: {type: smtp, smtp: {username: SENTINEL-7, password: SENTINEL-8}}}\n",
    )
    .unwrap();
    let values = values.to_str().unwrap();
    let sentinels: Vec<String> = (1..=8).map(|i| format!("SENTINEL-{i}")).collect();
    let sentinels: Vec<&str> = sentinels.iter().map(String::as_str).collect();
    let runs: [&[&str]; 4] = [
        &[
            "resolve",
            "--version",
            "0.27.0",
            "dify",
            "-f",
            "examples/scenario-1-full-eso.yaml",
            "-f",
            values,
            "--store",
            store,
        ],
        &[
            "resolve",
            "--version",
            "0.27.0",
            "dify",
            "-f",
            "examples/scenario-1-full-eso.yaml",
            "-f",
            values,
            "--store",
            store,
            "--strict",
        ],
        &[
            "resolve",
            "--version",
            "0.27.0",
            "dify",
            "-f",
            "examples/scenario-1-full-eso.yaml",
            "-f",
            values,
            "--store",
            FULL,
            "--store",
            store,
        ],
        &[
            "resolve",
            "--version",
            "0.27.0",
            "dify",
            "-f",
            values,
            "--store",
            store,
        ],
    ];
    let mut saw = Vec::new();
    for args in runs {
        let out = difyx(args, None);
        let err = stderr(&out);
        assert_no_secret_values(&err, &sentinels);
        saw.push(err);
    }
    let all = saw.join("\n");
    for expected in [
        "property secret_key: the key has no such property (did you mean secret-key?)",
        "remote key dify/database, property password: the key has no such property (did you mean passwd?)",
        "remote key dify/redis, property password: the key holds a plain string",
        "store key dify/unused",
        "dify-api/SMTP_PASSWORD exists in the plaintext Secret but no ExternalSecret provides it",
        "no ExternalSecret renders for these values",
    ] {
        assert!(all.contains(expected), "{expected} not in:\n{all}");
    }
}

#[test]
fn an_existing_secret_nobody_creates_is_a_warning() {
    // Scenario 4 with a Redis password left in the values: the redis
    // ExternalSecret does not render, yet the subchart waits for "redis".
    let (got, err) = resolve_ok(&[
        "dify",
        "-n",
        "dify",
        "-f",
        "examples/scenario-4-builtin-redis.yaml",
        "--set",
        "redis.auth.password=difyai123456",
        "--store",
        FULL,
    ]);
    assert!(got.iter().all(|(name, _)| name != "redis"));
    assert_eq!(
        err,
        "warning: redis.auth.existingSecret names Secret redis, which this release creates neither as a plain \
         Secret nor through an ExternalSecret: it must exist before the Redis subchart starts (the redis \
         ExternalSecret renders only with externalSecret.enabled, externalSecret.redis.enabled, \
         redis.auth.enabled and an empty redis.auth.password)\n"
    );
}

// ---------------------------------------------------------------------------
// Every chart version: what real Helm renders, resolved.

const VERSIONS: &[&str] = &[
    "0.27.0",
    "0.28.0",
    "0.28.1",
    "0.29.0",
    "0.30.0",
    "0.31.0",
    "0.32.0",
    "0.33.0",
    "0.34.0",
    "0.35.0",
    "0.36.0",
    "0.37.0",
    "0.38.0-rc2",
];

/// `helm template rel <upstream V> -n ns` with `sets`, as difyx's rendered files.
fn helm_files(helm: &Path, version: &str, sets: &[&str]) -> Vec<difyx::engine::RenderedFile> {
    let chart = common::shared_dir().join("upstream").join(version);
    let mut cmd = std::process::Command::new(helm);
    cmd.args(["template", "rel"]).arg(&chart).args(["-n", "ns"]);
    for s in sets {
        cmd.args(["--set", s]);
    }
    let out = cmd.output().expect("run helm");
    assert!(
        out.status.success(),
        "helm {version} {sets:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    common::helm_files(&String::from_utf8(out.stdout).unwrap())
}

fn decoded_data(m: &difyx::manifests::Manifest) -> BTreeMap<String, String> {
    match m.doc.lookup(["data"]) {
        Some(Value::Map(d)) => d.iter().map(|(k, v)| (k.clone(), decode(v))).collect(),
        _ => BTreeMap::new(),
    }
}

/// Real Helm's ExternalSecrets of every release, resolved against a store
/// with every default remote key: what ESO would write, per version.
#[test]
fn helm_external_secrets_of_every_version_resolve() {
    let Some(helm) = common::helm_if_present("resolve of every version's Helm output") else {
        return;
    };
    let store_text = std::fs::read_to_string(
        common::repo_dir().join("tests/fixtures/stores/every-version.yaml"),
    )
    .unwrap();
    let store = difyx::resolve::store::parse(&store_text, "every-version.yaml").unwrap();
    for (i, version) in VERSIONS.iter().enumerate() {
        let at_least = |v: &str| i >= VERSIONS.iter().position(|x| *x == v).unwrap();
        let files = helm_files(
            &helm,
            version,
            &["externalSecret.enabled=true", "redis.auth.password="],
        );
        let mut manifests = difyx::manifests::split("dify", &files).unwrap();
        difyx::manifests::sort_by_kind(&mut manifests);
        let res = difyx::resolve::resolve(&manifests, &store);
        assert!(res.failures.is_empty(), "{version}: {:?}", res.failures);
        assert!(res.warnings.is_empty(), "{version}: {:?}", res.warnings);
        let expected_es = if at_least("0.38.0-rc2") { 8 } else { 6 };
        assert_eq!(res.external_secrets, expected_es, "{version}");
        let secret = |name: &str| {
            let m = res
                .manifests
                .iter()
                .find(|m| m.name == format!("rel-dify-{name}"))
                .unwrap_or_else(|| panic!("{version}: no Secret rel-dify-{name}"));
            decoded_data(m)
        };
        let api = secret("api");
        let worker = secret("worker");
        assert_eq!(api["SECRET_KEY"], "sk-v", "{version}");
        assert_eq!(api["REDIS_USERNAME"], "", "{version}");
        // 0.27.0 fetches the URL; later releases template it over the
        // fetched password (0.28.x with the upstream "reids" typo).
        let celery = if !at_least("0.28.0") {
            "redis://:redis-v@rel-redis-master:6379/1"
        } else if !at_least("0.29.0") {
            "reids://:redis-v@redis:6379/1"
        } else {
            "redis://:redis-v@redis:6379/1"
        };
        assert_eq!(api["CELERY_BROKER_URL"], celery, "{version}");
        assert_eq!(worker["CELERY_BROKER_URL"], celery, "{version}");
        let has = |m: &BTreeMap<String, String>, k: &str| m.contains_key(k);
        assert_eq!(has(&api, "S3_ACCESS_KEY"), at_least("0.28.0"), "{version}");
        assert_eq!(has(&api, "OTLP_API_KEY"), at_least("0.29.0"), "{version}");
        assert_eq!(
            has(&worker, "CODE_EXECUTION_API_KEY"),
            at_least("0.37.0"),
            "{version}"
        );
        assert_eq!(
            has(&api, "AGENT_BACKEND_API_TOKEN"),
            at_least("0.38.0-rc2"),
            "{version}"
        );
        assert_eq!(secret("plugin-daemon")["SERVER_KEY"], "plugin-server-v");
        assert_eq!(secret("sandbox")["API_KEY"], "sandbox-v");
        assert_eq!(secret("redis")["redis-password"], "redis-v", "{version}");
        if at_least("0.38.0-rc2") {
            let agent = secret("agent-backend");
            assert_eq!(
                agent["DIFY_AGENT_REDIS_URL"],
                "redis://:redis-v@redis:6379/2"
            );
            assert_eq!(agent["DIFY_AGENT_API_TOKEN"], "agent-token-v");
            assert!(
                !agent.contains_key("REDIS_PASSWORD"),
                "fetched only for the URL"
            );
            assert_eq!(
                secret("local-sandbox"),
                map(&[("SHELLCTL_AUTH_TOKEN", "shellctl-v")])
            );
        }
    }
}

/// A user `decodingStrategy` (global and per entry, 0.28.0+) is applied.
#[test]
fn helm_decoding_strategies_resolve() {
    let Some(helm) = common::helm_if_present("resolve with decodingStrategy") else {
        return;
    };
    let files = helm_files(
        &helm,
        "0.37.0",
        &[
            "externalSecret.enabled=true",
            "externalSecret.decodingStrategy=Auto",
            "externalSecret.api.remoteRefs.SECRET_KEY.decodingStrategy=Base64",
        ],
    );
    let manifests = difyx::manifests::split("dify", &files).unwrap();
    let store = difyx::resolve::store::parse(
        "dify/api: {secret_key: c2stYjY0}\ndify/sandbox: {api_key: \"plain!\"}\n\
         dify/database: {username: cG9zdGdyZXM=, password: x}\ndify/redis: {password: r}\n\
         dify/weaviate: {api_key: w}\ndify/mail: {resend_api_key: m}\n\
         dify/plugin-daemon: {server_key: s, dify_api_key: d}\ndify/s3: {access_key: a, secret_key: b}\n\
         dify/otel: {api_key: o}\ndify/postgresql: {postgres_password: p, replication_password: q}\n",
        "s",
    )
    .unwrap();
    let res = difyx::resolve::resolve(&manifests, &store);
    assert!(res.failures.is_empty(), "{:?}", res.failures);
    let api = decoded_data(
        res.manifests
            .iter()
            .find(|m| m.name == "rel-dify-api")
            .unwrap(),
    );
    assert_eq!(api["SECRET_KEY"], "sk-b64");
    assert_eq!(api["DB_USERNAME"], "postgres", "Auto decodes base64");
    assert_eq!(
        api["CODE_EXECUTION_API_KEY"], "plain!",
        "Auto keeps the rest"
    );
}

/// `difyx resolve --version V` gives, Secret for Secret, what resolving real
/// Helm's ExternalSecrets of release V gives.
#[test]
fn difyx_resolve_equals_resolving_helm_at_every_version() {
    let Some(helm) = common::helm_if_present("difyx resolve against Helm at every version") else {
        return;
    };
    let store_path = "tests/fixtures/stores/every-version.yaml";
    let store_text = std::fs::read_to_string(common::repo_dir().join(store_path)).unwrap();
    let store = difyx::resolve::store::parse(&store_text, "every-version.yaml").unwrap();
    let sets = ["externalSecret.enabled=true", "redis.auth.password="];
    for version in VERSIONS {
        let mut manifests =
            difyx::manifests::split("dify", &helm_files(&helm, version, &sets)).unwrap();
        difyx::manifests::sort_by_kind(&mut manifests);
        let want: BTreeMap<String, BTreeMap<String, String>> =
            difyx::resolve::resolve(&manifests, &store)
                .manifests
                .iter()
                .map(|m| (m.name.clone(), decoded_data(m)))
                .collect();
        let out = difyx(
            &[
                "resolve",
                "rel",
                "-n",
                "ns",
                "--version",
                version,
                "--set",
                sets[0],
                "--set",
                sets[1],
                "--store",
                store_path,
            ],
            None,
        );
        assert!(out.status.success(), "{version}: {}", stderr(&out));
        let got: BTreeMap<String, BTreeMap<String, String>> = secrets(&stdout(&out))
            .into_iter()
            .map(|(name, s)| (name, s.data))
            .collect();
        assert_eq!(got, want, "{version}");
    }
}
