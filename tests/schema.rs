//! `charts/dify/values.schema.json` against real values: it accepts every
//! values file the chart renders (a full production file, the examples, the
//! conformance cases) and rejects, naming the path, each wrong type SPEC §7.0
//! lists — all of them at once.

mod common;

use common::*;
use difyx::chart::Chart;
use difyx::values::merge::coalesce;
use difyx::values::schema::{validate, SchemaError};
use difyx::values::yaml::parse_values;

const SCHEMA: &str = include_str!("../charts/dify/values.schema.json");
const PRODUCTION: &str = "tests/fixtures/production-values.yaml";

/// The final values of `yaml` (chart defaults merged in), checked.
fn check(yaml: &str, source: &str) -> Result<(), SchemaError> {
    let chart = Chart::embedded();
    let user = parse_values(yaml, source).unwrap_or_else(|e| panic!("{source}: {e}"));
    let values = coalesce(&chart.name, &chart.values, user, &mut Vec::new());
    validate(&chart.name, SCHEMA, &values)
}

fn check_file(path: &std::path::Path) -> Result<(), SchemaError> {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    check(&text, &path.display().to_string())
}

/// The violations of `yaml`, as (path, message) pairs.
fn violations(yaml: &str) -> Vec<(String, String)> {
    match check(yaml, "test.yaml") {
        Ok(()) => panic!("expected a schema violation for:\n{yaml}"),
        Err(e) => {
            assert!(
                e.message.starts_with(
                    "values don't meet the specifications of the schema(s) in the following chart(s):\ndify:\n- at '"
                ),
                "{e}"
            );
            e.violations
                .into_iter()
                .map(|v| (v.path, v.message))
                .collect()
        }
    }
}

/// `yaml` breaks exactly one rule, at `path`; the message names the path.
fn rejected_at(yaml: &str, path: &str) -> String {
    let found = violations(yaml);
    assert_eq!(found.len(), 1, "{yaml}\n{found:#?}");
    assert_eq!(found[0].0, path, "{yaml}");
    let text = check(yaml, "test.yaml").unwrap_err().to_string();
    assert!(text.contains(&format!("- at '{path}': ")), "{text}");
    found[0].1.clone()
}

#[test]
fn the_schema_is_a_valid_json_schema() {
    let doc: serde_json::Value = serde_json::from_str(SCHEMA).unwrap();
    jsonschema::meta::validate(&doc).unwrap();
}

#[test]
fn chart_defaults_validate() {
    check("", "empty.yaml").unwrap();
}

#[test]
fn the_production_fixture_validates() {
    check_file(&repo_dir().join(PRODUCTION)).unwrap();
}

#[test]
fn the_production_fixture_is_a_full_values_file_that_renders() {
    let text = std::fs::read_to_string(repo_dir().join(PRODUCTION)).unwrap();
    let lines = text.lines().count();
    assert!(
        (3000..4000).contains(&lines),
        "about 3,400 lines, got {lines}"
    );
    let values = parse_values(&text, PRODUCTION).unwrap();
    for section in [
        "image",
        "api",
        "worker",
        "proxy",
        "web",
        "sandbox",
        "ssrfProxy",
        "pluginDaemon",
        "postgresql",
        "weaviate",
        "redis",
        "service",
        "ingress",
        "resources",
        "nodeSelector",
        "tolerations",
        "affinity",
        "externalPostgres",
        "externalRedis",
        "externalS3",
        "externalAzureBlobStorage",
        "externalOSS",
        "externalGCS",
        "externalCOS",
        "externalOBS",
        "externalTOS",
        "externalWeaviate",
        "externalQdrant",
        "externalMilvus",
        "externalPgvector",
        "externalTencentVectorDB",
        "externalMyScaleDB",
        "externalTableStore",
        "externalSecret",
    ] {
        assert!(
            values.contains_key(section),
            "the fixture lacks the {section} section"
        );
    }

    let out = difyx(&["template", "dify", "-n", "dify", "-f", PRODUCTION], None);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(stderr(&out), "", "no warnings expected");
    let docs = parse_stream(&stdout(&out));
    let kinds: Vec<_> = docs
        .iter()
        .map(|d| d.tree.lookup(["kind"]).cloned())
        .collect();
    assert_eq!(docs.len(), 6, "the six ExternalSecrets, no plain Secret");
    assert!(
        kinds.iter().all(|k| k == &Some("ExternalSecret".into())),
        "{kinds:?}"
    );
}

#[test]
fn every_example_validates() {
    let mut files: Vec<_> = std::fs::read_dir(repo_dir().join("examples"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "yaml"))
        .collect();
    files.sort();
    assert!(!files.is_empty());
    for file in files {
        check_file(&file).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
    }
}

#[test]
fn every_conformance_case_validates_but_the_error_case() {
    let dir = shared_dir().join("conformance");
    let mut cases: Vec<_> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .filter(|p| p.join("values.yaml").is_file())
        .collect();
    cases.sort();
    assert!(cases.len() >= 10, "{cases:?}");
    for case in cases {
        let name = case.file_name().unwrap().to_string_lossy().into_owned();
        let result = check_file(&case.join("values.yaml"));
        if name == "error-refresh-interval-number" {
            let err = result.expect_err("a number refreshInterval must be rejected");
            assert_eq!(err.violations.len(), 1, "{err}");
            assert_eq!(
                err.violations[0].path,
                "/externalSecret/api/refreshInterval"
            );
            assert!(
                err.to_string()
                    .contains("- at '/externalSecret/api/refreshInterval': "),
                "{err}"
            );
        } else {
            result.unwrap_or_else(|e| panic!("{name}: {e}"));
        }
    }
}

#[test]
fn refresh_interval_must_be_a_go_duration() {
    let path = "/externalSecret/api/refreshInterval";
    let yaml = |v: &str| format!("externalSecret:\n  api:\n    refreshInterval: {v}\n");
    assert_eq!(
        rejected_at(&yaml("900"), path),
        "got number, want null or string"
    );
    for bad in [
        "1d", "1H", "'1h 30m'", "' 15m'", "'00'", "1e3s", "'15'", "true",
    ] {
        rejected_at(&yaml(bad), path);
    }
    let msg = rejected_at(&yaml("1d"), path);
    assert!(msg.starts_with("'1d' does not match pattern '"), "{msg}");
    // SPEC D3's accepted forms, and the falsy values the chart reads as 1h.
    for good in [
        "15m", "1h30m", "1.5h", ".5h", "1.h", "-1h", "+2h", "'0'", "0s", "300ms", "10us", "10µs",
        "10μs", "5ns", "2562047h", "''", "null", "~",
    ] {
        check(&yaml(good), "test.yaml").unwrap_or_else(|e| panic!("{good}: {e}"));
    }
    // Every service's interval is checked, not only the api's.
    for svc in ["worker", "sandbox", "pluginDaemon", "postgresql", "redis"] {
        let doc = format!("externalSecret:\n  {svc}:\n    refreshInterval: 1w\n");
        rejected_at(&doc, &format!("/externalSecret/{svc}/refreshInterval"));
    }
}

#[test]
fn secret_store_kind_and_name() {
    let msg = rejected_at(
        "externalSecret:\n  secretStore:\n    kind: Vault\n",
        "/externalSecret/secretStore/kind",
    );
    assert_eq!(
        msg,
        "value must be one of 'SecretStore', 'ClusterSecretStore'"
    );
    check(
        "externalSecret:\n  secretStore:\n    kind: ClusterSecretStore\n",
        "t",
    )
    .unwrap();
    let msg = rejected_at(
        "externalSecret:\n  secretStore:\n    name: 5\n",
        "/externalSecret/secretStore/name",
    );
    assert_eq!(msg, "got number, want string");
}

#[test]
fn api_version_is_one_of_the_two_eso_versions() {
    check(
        "externalSecret:\n  apiVersion: external-secrets.io/v1beta1\n",
        "t",
    )
    .unwrap();
    check(
        "externalSecret:\n  apiVersion: external-secrets.io/v1\n",
        "t",
    )
    .unwrap();
    rejected_at(
        "externalSecret:\n  apiVersion: external-secrets.io/v2\n",
        "/externalSecret/apiVersion",
    );
}

#[test]
fn remote_ref_key_and_property_must_be_strings() {
    let api = "/externalSecret/api/remoteRefs/SECRET_KEY";
    let yaml = |body: &str| {
        format!("externalSecret:\n  api:\n    remoteRefs:\n      SECRET_KEY: {body}\n")
    };
    assert_eq!(
        rejected_at(&yaml("{key: 12345}"), &format!("{api}/key")),
        "got number, want string"
    );
    assert_eq!(
        rejected_at(&yaml("{key: true}"), &format!("{api}/key")),
        "got boolean, want string"
    );
    assert_eq!(
        rejected_at(&yaml("{key: [a]}"), &format!("{api}/key")),
        "got array, want string"
    );
    assert_eq!(
        rejected_at(
            &yaml("{key: k, property: {p: q}}"),
            &format!("{api}/property")
        ),
        "got object, want null or string"
    );
    // YAML 1.1: an unquoted yes is a boolean.
    rejected_at(&yaml("{key: yes}"), &format!("{api}/key"));
    // An empty key prints as null: rejected.
    rejected_at(&yaml("{key: ''}"), &format!("{api}/key"));
    // The same rules for postgresql/redis entries, whatever their name.
    rejected_at(
        "externalSecret:\n  postgresql:\n    remoteRefs:\n      extra: {key: 1}\n",
        "/externalSecret/postgresql/remoteRefs/extra/key",
    );
    rejected_at(
        "externalSecret:\n  redis:\n    remoteRefs:\n      redis-password: {key: k, property: [a]}\n",
        "/externalSecret/redis/remoteRefs/redis-password/property",
    );
}

#[test]
fn remote_refs_accept_what_the_chart_accepts() {
    let ok = [
        // null deletes a default; {} selects nothing; an empty property is omitted.
        "externalSecret:\n  api:\n    remoteRefs:\n      SECRET_KEY: null\n      QDRANT_API_KEY: {}\n      SENDGRID_API_KEY: {key: k, property: ''}\n",
        // A null property of an entry without a default.
        "externalSecret:\n  worker:\n    remoteRefs:\n      QDRANT_API_KEY: {key: k, property: null}\n",
        // Unsupported keys are ignored by the chart, whatever they hold.
        "externalSecret:\n  api:\n    remoteRefs:\n      UNUSED_KEY: whatever\n      secret_key: {key: 1}\n",
        // Extra fields of a remote reference are ignored.
        "externalSecret:\n  sandbox:\n    remoteRefs:\n      API_KEY: {key: k, decodingStrategy: Base64, version: '2'}\n",
        // postgresql/redis pass extra entries through.
        "externalSecret:\n  postgresql:\n    remoteRefs:\n      aaa-extra: {key: k}\n      replication-password: null\n",
    ];
    for yaml in ok {
        check(yaml, "test.yaml").unwrap_or_else(|e| panic!("{yaml}\n{e}"));
    }
}

#[test]
fn remote_refs_reject_what_the_chart_cannot_render() {
    // A selected entry without a key.
    rejected_at(
        "externalSecret:\n  api:\n    remoteRefs:\n      QDRANT_API_KEY: {property: p}\n",
        "/externalSecret/api/remoteRefs/QDRANT_API_KEY",
    );
    // A truthy non-map for a supported key (Helm: can't evaluate field key).
    rejected_at(
        "externalSecret:\n  api:\n    remoteRefs:\n      QDRANT_API_KEY: dify/qdrant\n",
        "/externalSecret/api/remoteRefs/QDRANT_API_KEY",
    );
    // postgresql/redis entries are always rendered: {} and a surviving null fail.
    rejected_at(
        "externalSecret:\n  postgresql:\n    remoteRefs:\n      aaa-extra: {}\n",
        "/externalSecret/postgresql/remoteRefs/aaa-extra",
    );
    rejected_at(
        "externalSecret:\n  redis:\n    remoteRefs:\n      no-default: null\n",
        "/externalSecret/redis/remoteRefs/no-default",
    );
    rejected_at(
        "externalSecret:\n  api:\n    remoteRefs: false\n",
        "/externalSecret/api/remoteRefs",
    );
}

#[test]
fn switches_must_be_booleans() {
    // SPEC B10: the chart would read the string as true.
    let msg = rejected_at(
        "externalSecret:\n  enabled: \"yes\"\n",
        "/externalSecret/enabled",
    );
    assert_eq!(msg, "got string, want boolean");
    rejected_at(
        "externalSecret:\n  enabled: \"false\"\n",
        "/externalSecret/enabled",
    );
    rejected_at(
        "externalSecret:\n  api:\n    enabled: \"no\"\n",
        "/externalSecret/api/enabled",
    );
    rejected_at(
        "externalRedis:\n  useSSL: \"false\"\n",
        "/externalRedis/useSSL",
    );
    rejected_at("redis:\n  auth:\n    enabled: 1\n", "/redis/auth/enabled");
    rejected_at("externalS3:\n  enabled: \"true\"\n", "/externalS3/enabled");
    // YAML 1.1 booleans are booleans.
    check(
        "externalSecret:\n  enabled: yes\nsandbox:\n  enabled: off\n",
        "t",
    )
    .unwrap();
}

#[test]
fn credentials_and_names_must_be_strings() {
    assert_eq!(
        rejected_at("api:\n  secretKey: 123\n", "/api/secretKey"),
        "got number, want string"
    );
    rejected_at(
        "pluginDaemon:\n  auth:\n    serverKey: [a]\n",
        "/pluginDaemon/auth/serverKey",
    );
    rejected_at(
        "externalPostgres:\n  password: 1234\n",
        "/externalPostgres/password",
    );
    rejected_at(
        "postgresql:\n  global:\n    postgresql:\n      auth:\n        postgresPassword: 5\n",
        "/postgresql/global/postgresql/auth/postgresPassword",
    );
    rejected_at(
        "externalMyScaleDB:\n  username: 7\n",
        "/externalMyScaleDB/username",
    );
    rejected_at(
        "weaviate:\n  authentication:\n    apikey:\n      allowed_keys: [5]\n",
        "/weaviate/authentication/apikey/allowed_keys/0",
    );
    rejected_at("api:\n  mail:\n    type: 5\n", "/api/mail/type");
    assert_eq!(
        rejected_at("nameOverride: 123\n", "/nameOverride"),
        "got number, want null or string"
    );
    rejected_at("fullnameOverride: true\n", "/fullnameOverride");
    check(
        "nameOverride: null\nfullnameOverride: ''\napi:\n  mail:\n    type: null\n",
        "t",
    )
    .unwrap();
}

#[test]
fn ports_are_numbers_or_strings() {
    for good in ["6379", "'6379'", "'06379'"] {
        check(&format!("externalRedis:\n  port: {good}\n"), "t").unwrap();
        check(
            &format!("redis:\n  master:\n    service:\n      ports:\n        redis: {good}\n"),
            "t",
        )
        .unwrap();
    }
    rejected_at("externalRedis:\n  port: true\n", "/externalRedis/port");
    rejected_at("externalRedis:\n  port: 6379.5\n", "/externalRedis/port");
    rejected_at("externalRedis:\n  port: 0\n", "/externalRedis/port");
}

#[test]
fn existing_secret_and_bucket_may_be_null() {
    check(
        "redis:\n  auth:\n    existingSecret: null\nexternalS3:\n  bucketName:\n    pluginDaemon: null\n",
        "t",
    )
    .unwrap();
}

#[test]
fn eso_on_needs_every_service_block() {
    let found = violations("externalSecret:\n  enabled: true\n  api: null\n  redis: null\n");
    assert_eq!(
        found,
        [
            (
                "/externalSecret".to_owned(),
                "missing property 'api'".to_owned()
            ),
            (
                "/externalSecret".to_owned(),
                "missing property 'redis'".to_owned()
            ),
        ]
    );
    // With ESO off the blocks are never read (SPEC §2.4).
    check("externalSecret:\n  enabled: false\n  api: null\n", "t").unwrap();
    assert_eq!(
        violations("externalSecret: null\n"),
        [(
            "".to_owned(),
            "missing property 'externalSecret'".to_owned()
        )]
    );
}

#[test]
fn open_wherever_the_chart_does_not_read() {
    check(
        "someFutureKey: {a: 1}\napi:\n  replicas: 3\n  extra: [1, 2]\nexternalSecret:\n  elasticsearch: {enabled: true}\n  secretStore:\n    extra: x\nredis:\n  auth:\n    sentinel: true\n",
        "t",
    )
    .unwrap();
}

#[test]
fn all_violations_are_reported_at_once_sorted_by_path() {
    let yaml = "\
nameOverride: 123
api:
  secretKey: 123
externalSecret:
  enabled: \"yes\"
  secretStore:
    name: 5
    kind: Vault
  api:
    refreshInterval: 900
    remoteRefs:
      SECRET_KEY: {key: 12345, property: {p: q}}
  worker:
    refreshInterval: 1d
";
    let err = check(yaml, "test.yaml").unwrap_err();
    let paths: Vec<&str> = err.violations.iter().map(|v| v.path.as_str()).collect();
    assert_eq!(
        paths,
        [
            "/api/secretKey",
            "/externalSecret/api/refreshInterval",
            "/externalSecret/api/remoteRefs/SECRET_KEY/key",
            "/externalSecret/api/remoteRefs/SECRET_KEY/property",
            "/externalSecret/enabled",
            "/externalSecret/secretStore/kind",
            "/externalSecret/secretStore/name",
            "/externalSecret/worker/refreshInterval",
            "/nameOverride",
        ]
    );
    let text = err.to_string();
    assert!(text.starts_with(
        "values don't meet the specifications of the schema(s) in the following chart(s):\ndify:\n"
    ));
    assert_eq!(text.lines().count(), 2 + paths.len(), "{text}");
    for p in paths {
        assert!(text.contains(&format!("- at '{p}': ")), "{text}");
    }
}
