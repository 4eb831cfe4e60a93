//! `charts/dify/values.schema.json` against real values.
//!
//! The upstream chart has no schema, so ours may only reject what the render
//! rejects anyway: **schema rejection ⊆ render rejection**. Every value the
//! schema refuses must also make `difyx template --skip-schema-validation`
//! fail, and the schema checks a value only under the condition in which the
//! templates read it (conditions keyed on boolean `true` switches, or on
//! falsy values where a Secret renders because a switch is off).
//!
//! * the production fixture, the examples and every conformance case but the
//!   error case validate; the error case is rejected at its path;
//! * the quirks SPEC §7 B keeps (string booleans, unsupported remoteRefs keys,
//!   `{}` entries, disabled sections holding numbers, ...) validate and render;
//! * each rejection here is checked to fail the render too, and the wrong
//!   types of an ESO block are all reported at once;
//! * the Secret data values (credentials, SPEC §7.0 D7) are left to the
//!   render, whose messages (`sandbox.auth.apiKey: expected a string, got a
//!   list`) name them; the schema checks the maps that hold them;
//! * [`schema_rejection_implies_render_rejection`]: a property test over
//!   random value trees on the paths the templates read (`PROPTEST_CASES`,
//!   default 3,000; `DIFYX_SCHEMA_FILE` checks another schema file, to see
//!   the property catch a too-strict one).

mod common;

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Instant;

use common::*;
use difyx::chart::Chart;
use difyx::engine::{Engine, Release};
use difyx::pipeline::{self, Options, Output, UserValues};
use difyx::values::merge::coalesce;
use difyx::values::schema::{parse_schema, validate, SchemaError};
use difyx::values::yaml::parse_values;
use difyx::values::{Map, Value};
use proptest::collection::vec;
use proptest::prelude::*;
use proptest::sample::select;
use proptest::test_runner::{Config, RngAlgorithm, TestCaseError, TestError, TestRunner};

const SCHEMA: &str = include_str!("../charts/dify/values.schema.json");
const PRODUCTION: &str = "tests/fixtures/production-values.yaml";

// ---------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------

/// The final values of `yaml` (chart defaults merged in), checked.
fn check(yaml: &str, source: &str) -> Result<(), SchemaError> {
    let chart = Chart::dify("0.27.0");
    let user = parse_values(yaml, source).unwrap_or_else(|e| panic!("{source}: {e}"));
    let values = coalesce(&chart.name, &chart.values, user, &mut Vec::new());
    validate(&chart.name, SCHEMA, &values)
}

fn check_file(path: &std::path::Path) -> Result<(), SchemaError> {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    check(&text, &path.display().to_string())
}

fn options(skip_schema_validation: bool) -> Options {
    Options {
        skip_schema_validation,
        ..Options::new(Release::install("dify", "dify"))
    }
}

fn user_values(yaml: &str) -> UserValues {
    UserValues::file("test.yaml", yaml.to_owned())
}

/// `difyx template dify -n dify -f <yaml>`, with or without the schema.
fn render(yaml: &str, skip_schema_validation: bool) -> Result<Output, pipeline::Error> {
    pipeline::template(
        &Chart::dify("0.27.0"),
        &user_values(yaml),
        &options(skip_schema_validation),
    )
}

/// The schema accepts `yaml` and the chart renders it (schema included).
fn renders(yaml: &str) -> Output {
    check(yaml, "test.yaml").unwrap_or_else(|e| panic!("{yaml}\n{e}"));
    render(yaml, false).unwrap_or_else(|e| panic!("{yaml}\nrender failed: {e}"))
}

/// The violations of `yaml`, as (path, message) pairs; the render without
/// the schema must fail too (schema rejection ⊆ render rejection).
fn violations(yaml: &str) -> Vec<(String, String)> {
    let err = match check(yaml, "test.yaml") {
        Ok(()) => panic!("expected a schema violation for:\n{yaml}"),
        Err(e) => e,
    };
    assert!(
        err.message.starts_with(
            "values don't meet the specifications of the schema(s) in the following chart(s):\ndify:\n- at '"
        ),
        "{err}"
    );
    if let Ok(out) = render(yaml, true) {
        panic!(
            "the schema rejects values the chart renders:\n{yaml}\n{err}\n--- rendered:\n{}",
            out.text
        );
    }
    err.violations
        .into_iter()
        .map(|v| (v.path, v.message))
        .collect()
}

/// `yaml` breaks exactly one rule, at `path`; the message names the path.
fn rejected_at(yaml: &str, path: &str) -> String {
    let found = violations(yaml);
    assert_eq!(found.len(), 1, "{yaml}\n{found:#?}");
    assert_eq!(found[0].0, path, "{yaml}");
    let text = check(yaml, "test.yaml").unwrap_err().to_string();
    assert!(text.contains(&format!("- at '{path}' (")), "{text}");
    found[0].1.clone()
}

const ESO_ON: &str = "externalSecret:\n  enabled: true\n";

// ---------------------------------------------------------------------------
// Files that must validate
// ---------------------------------------------------------------------------

#[test]
fn the_schema_is_a_valid_draft_07_schema() {
    let doc: serde_json::Value = serde_json::from_str(SCHEMA).unwrap();
    assert_eq!(doc["$schema"], "http://json-schema.org/draft-07/schema#");
    jsonschema::meta::validate(&doc).unwrap();
}

#[test]
fn chart_defaults_validate() {
    check("", "empty.yaml").unwrap();
    renders(ESO_ON);
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

    // From 0.33.0 on, upstream's schema types externalRedis.db as a map and,
    // from 0.32.0, externalWeaviate.endpoint too: Helm rejects this file.
    let out = difyx(
        &["template", "dify", "--version", "0.37.0", "-f", PRODUCTION],
        None,
    );
    assert_eq!(
        stderr(&out),
        "Error: values don't meet the specifications of the schema(s) in the following chart(s):\n\
         dify:\n\
         - at '/externalRedis/db': got number, want object\n\
         - at '/externalWeaviate/endpoint': got string, want object\n"
    );
    let out = difyx(
        &[
            "template",
            "dify",
            "-n",
            "dify",
            "--version",
            "0.27.0",
            "-f",
            PRODUCTION,
        ],
        None,
    );
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
                err.to_string().contains(
                    "- at '/externalSecret/api/refreshInterval' (externalSecret.api.refreshInterval): got number, want null or string"
                ),
                "{err}"
            );
        } else {
            result.unwrap_or_else(|e| panic!("{name}: {e}"));
        }
    }
}

// ---------------------------------------------------------------------------
// Category-B quirks and unread values: accepted, as the chart renders them
// ---------------------------------------------------------------------------

#[test]
fn string_booleans_are_accepted_as_the_chart_reads_them_as_true() {
    // SPEC §7 B10: the string "false" switches ExternalSecrets on.
    let out = renders("externalSecret:\n  enabled: \"false\"\n");
    assert!(out.text.contains("kind: ExternalSecret"), "{}", out.text);
    assert!(out
        .warnings
        .iter()
        .any(|w| w.contains("externalSecret.enabled")));
    renders("externalSecret:\n  enabled: true\n  api:\n    enabled: \"no\"\n");
    let out = renders("externalRedis:\n  enabled: true\n  useSSL: \"false\"\n");
    assert!(!out.text.is_empty());
    renders("externalS3:\n  enabled: \"true\"\nredis:\n  auth:\n    enabled: 1\n");
    renders("sandbox:\n  enabled: \"\"\n");
    // YAML 1.1 booleans are booleans.
    renders("externalSecret:\n  enabled: yes\nsandbox:\n  enabled: off\n");
}

#[test]
fn a_truthy_string_switch_leaves_the_checks_to_the_render() {
    // The rules fire on boolean true only: with "yes" the ESO block is not
    // checked by the schema, and the render still refuses the number.
    let yaml = "externalSecret:\n  enabled: \"yes\"\n  api:\n    refreshInterval: 900\n";
    check(yaml, "t").unwrap();
    let err = render(yaml, false).unwrap_err().to_string();
    assert!(err.contains("externalSecret.api.refreshInterval"), "{err}");
}

#[test]
fn remote_refs_accept_what_the_chart_accepts() {
    let ok = [
        // null deletes a default; {} selects nothing (or keeps the default);
        // an empty property is omitted.
        "externalSecret:\n  enabled: true\n  api:\n    remoteRefs:\n      SECRET_KEY: null\n      QDRANT_API_KEY: {}\n      CELERY_BROKER_URL: {}\n      SENDGRID_API_KEY: {key: k, property: ''}\n",
        // Falsy non-maps drop an entry (SPEC §4.5), falsy properties are omitted.
        "externalSecret:\n  enabled: true\n  api:\n    remoteRefs:\n      SECRET_KEY: false\n      DB_USERNAME: ''\n      DB_PASSWORD: 0\n      REDIS_PASSWORD: []\n      QDRANT_API_KEY: {key: k, property: 0}\n      RESEND_FROM_EMAIL: {key: k, property: false}\n",
        "externalSecret:\n  enabled: true\n  worker:\n    remoteRefs:\n      QDRANT_API_KEY: {key: k, property: null}\n",
        // Unsupported keys are ignored by the chart, whatever they hold (B1).
        "externalSecret:\n  enabled: true\n  api:\n    remoteRefs:\n      UNUSED_KEY: whatever\n      secret_key: {key: 1}\n      NOT_SUPPORTED: [1, 2]\n",
        // Extra fields of a remote reference are ignored.
        "externalSecret:\n  enabled: true\n  sandbox:\n    remoteRefs:\n      API_KEY: {key: k, decodingStrategy: Base64, version: '2'}\n",
        // postgresql/redis pass extra entries through (B2).
        "externalSecret:\n  enabled: true\n  postgresql:\n    remoteRefs:\n      aaa-extra: {key: k}\n      replication-password: null\n",
        // Without the ExternalSecret, nothing of it is read.
        "externalSecret:\n  api:\n    remoteRefs:\n      SECRET_KEY: {key: 12345}\n  postgresql:\n    remoteRefs:\n      extra: {}\n",
        "externalSecret:\n  enabled: true\n  pluginDaemon:\n    enabled: false\n    remoteRefs: false\n    refreshInterval: 1w\n",
    ];
    for yaml in ok {
        renders(yaml);
    }
}

#[test]
fn every_falsy_refresh_interval_means_one_hour() {
    for falsy in ["null", "''", "false", "0", "[]", "{}", "0.0"] {
        let yaml = format!("{ESO_ON}  api:\n    refreshInterval: {falsy}\n");
        let out = renders(&yaml);
        assert!(
            out.text.contains("refreshInterval: 1h"),
            "{falsy}: {}",
            out.text
        );
    }
}

#[test]
fn disabled_and_unread_sections_may_hold_anything() {
    let ok = [
        // Credentials of providers that are off, or not the first one on.
        "externalS3:\n  accessKey: 123\n  secretKey: [a]\n",
        "externalS3:\n  enabled: true\nexternalAzureBlobStorage:\n  enabled: true\n  key: 5\n",
        "externalPostgres:\n  password: 1234\n",
        "externalMyScaleDB:\n  username: 7\n",
        "externalQdrant:\n  enabled: true\nexternalMilvus:\n  enabled: true\n  token: {t: 1}\n",
        "redis:\n  enabled: false\n  auth:\n    password: 5\n  master: null\n",
        "sandbox:\n  enabled: false\n  auth:\n    apiKey: 5\n",
        "pluginDaemon:\n  enabled: false\n  auth:\n    difyApiKey: dify\n",
        "weaviate:\n  enabled: false\n  authentication: null\n",
        "externalWeaviate:\n  enabled: true\nweaviate:\n  authentication:\n    apikey:\n      allowed_keys: [5]\n",
        // A bucket name is only tested for truth.
        "externalS3:\n  enabled: true\n  bucketName:\n    pluginDaemon: 5\n",
        // Ports are pasted into the URL as they are.
        "externalRedis:\n  enabled: true\n  port: '06379'\n",
        "externalRedis:\n  port: true\n",
        // Names of ExternalSecrets that do not render.
        "redis:\n  auth:\n    existingSecret: My_Secret\npostgresql:\n  global:\n    postgresql:\n      auth:\n        existingSecret: 5\n",
        // Everything the api and worker Secrets read, while ESO replaces them.
        "externalSecret:\n  enabled: true\napi:\n  secretKey: 123\n  mail:\n    type: 5\nexternalRedis:\n  enabled: true\n  host: null\n",
        // ESO blocks and the store are not read while ExternalSecrets are off.
        "externalSecret:\n  enabled: false\n  api: null\n  redis: null\n  secretStore:\n    kind: Vault\n    name: 5\n  apiVersion: v2\n",
        "externalSecret:\n  enabled: false\n  worker: true\n  sandbox: []\n",
        "fullnameOverride: my-dify\nnameOverride: 5\n",
        "nameOverride: 0\nfullnameOverride: false\n",
    ];
    for yaml in ok {
        renders(yaml);
    }
}

#[test]
fn plugin_daemon_and_weaviate_quirks_are_accepted() {
    // B5: pluginDaemon.enabled false still renders the plugin-daemon Secret.
    let out = renders("pluginDaemon:\n  enabled: false\n");
    assert!(
        out.text.contains("name: dify-plugin-daemon"),
        "{}",
        out.text
    );
    // B6: apikey.enabled is not consulted.
    renders("weaviate:\n  authentication:\n    apikey:\n      enabled: false\n");
    renders("weaviate:\n  authentication:\n    apikey: null\n");
}

#[test]
fn the_redis_external_secret_ignores_redis_enabled() {
    // B4: renders with the built-in Redis disabled.
    let out = renders(&format!(
        "{ESO_ON}redis:\n  enabled: false\n  auth:\n    password: ''\n"
    ));
    assert!(out.text.contains("name: dify-redis"), "{}", out.text);
    assert!(out.warnings.iter().any(|w| w.contains("redis.enabled")));
}

#[test]
fn open_wherever_the_chart_does_not_read() {
    renders(
        "someFutureKey: {a: 1}\napi:\n  replicas: 3\n  extra: [1, 2]\nexternalSecret:\n  enabled: true\n  elasticsearch: {enabled: true}\n  secretStore:\n    extra: x\nredis:\n  auth:\n    sentinel: true\n",
    );
}

// ---------------------------------------------------------------------------
// Rejections: each one fails the render too (see `violations`)
// ---------------------------------------------------------------------------

#[test]
fn refresh_interval_must_be_a_go_duration_when_its_external_secret_renders() {
    let path = "/externalSecret/api/refreshInterval";
    let yaml = |v: &str| format!("{ESO_ON}  api:\n    refreshInterval: {v}\n");
    // (null is falsy, so never wrong: the message says it may be null.)
    assert_eq!(
        rejected_at(&yaml("900"), path),
        "got number, want null or string"
    );
    for bad in [
        "1d", "1H", "'1h 30m'", "' 15m'", "'00'", "1e3s", "'15'", "true", "[15m]", "{a: 1}",
    ] {
        rejected_at(&yaml(bad), path);
    }
    let msg = rejected_at(&yaml("1d"), path);
    assert!(msg.starts_with("'1d' does not match pattern '"), "{msg}");
    // SPEC D3's accepted forms.
    for good in [
        "15m", "1h30m", "1.5h", ".5h", "1.h", "-1h", "+2h", "'0'", "0s", "300ms", "10us", "10µs",
        "10μs", "5ns", "2562047h",
    ] {
        renders(&yaml(good));
    }
    // Every service's interval is checked when its ExternalSecret renders.
    for svc in ["worker", "sandbox", "pluginDaemon", "postgresql"] {
        let doc = format!("{ESO_ON}  {svc}:\n    refreshInterval: 1w\n");
        rejected_at(&doc, &format!("/externalSecret/{svc}/refreshInterval"));
    }
    rejected_at(
        &format!("{ESO_ON}  redis:\n    refreshInterval: 1w\nredis:\n  auth:\n    password: ''\n"),
        "/externalSecret/redis/refreshInterval",
    );
    // Not when it does not render.
    renders(&format!("{ESO_ON}  redis:\n    refreshInterval: 1w\n"));
    renders(&format!(
        "{ESO_ON}  postgresql:\n    refreshInterval: 1w\npostgresql:\n  enabled: false\n"
    ));
    renders(&format!(
        "{ESO_ON}  sandbox:\n    refreshInterval: 1w\nsandbox:\n  enabled: false\n"
    ));
}

#[test]
fn secret_store_kind_and_name_when_an_external_secret_renders() {
    let msg = rejected_at(
        &format!("{ESO_ON}  secretStore:\n    kind: Vault\n"),
        "/externalSecret/secretStore/kind",
    );
    assert_eq!(
        msg,
        "value must be one of 'SecretStore', 'ClusterSecretStore'"
    );
    renders(&format!(
        "{ESO_ON}  secretStore:\n    kind: ClusterSecretStore\n"
    ));
    let msg = rejected_at(
        &format!("{ESO_ON}  secretStore:\n    name: 5\n"),
        "/externalSecret/secretStore/name",
    );
    assert_eq!(msg, "got number, want string");
    rejected_at(
        &format!("{ESO_ON}  secretStore:\n    name: ''\n"),
        "/externalSecret/secretStore/name",
    );
    assert_eq!(
        rejected_at(
            &format!("{ESO_ON}  secretStore:\n    name: null\n"),
            "/externalSecret/secretStore",
        ),
        "missing property 'name'"
    );
    // Only the redis ExternalSecret renders: the store is still read.
    let only_redis = "externalSecret:\n  enabled: true\n  secretStore:\n    kind: Vault\n  api: {enabled: false}\n  worker: {enabled: false}\n  sandbox: {enabled: false}\n  pluginDaemon: {enabled: false}\n  postgresql: {enabled: false}\nredis:\n  auth:\n    password: ''\n";
    rejected_at(only_redis, "/externalSecret/secretStore/kind");
    // With none rendering, it is not.
    renders(&only_redis.replace("password: ''", "password: pw"));
}

#[test]
fn api_version_is_one_of_the_two_eso_versions() {
    renders(&format!(
        "{ESO_ON}  apiVersion: external-secrets.io/v1beta1\n"
    ));
    renders(&format!("{ESO_ON}  apiVersion: null\n"));
    rejected_at(
        &format!("{ESO_ON}  apiVersion: external-secrets.io/v2\n"),
        "/externalSecret/apiVersion",
    );
}

#[test]
fn remote_ref_key_and_property_must_be_strings() {
    let api = "/externalSecret/api/remoteRefs/SECRET_KEY";
    let yaml = |body: &str| format!("{ESO_ON}  api:\n    remoteRefs:\n      SECRET_KEY: {body}\n");
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
        &format!("{ESO_ON}  postgresql:\n    remoteRefs:\n      extra: {{key: 1}}\n"),
        "/externalSecret/postgresql/remoteRefs/extra/key",
    );
    rejected_at(
        &format!("{ESO_ON}  redis:\n    remoteRefs:\n      redis-password: {{key: k, property: [a]}}\nredis:\n  auth:\n    password: ''\n"),
        "/externalSecret/redis/remoteRefs/redis-password/property",
    );
}

#[test]
fn remote_refs_reject_what_the_chart_cannot_render() {
    let refs = |svc: &str, body: &str| format!("{ESO_ON}  {svc}:\n    remoteRefs:\n{body}");
    // A selected entry without a key.
    assert_eq!(
        rejected_at(
            &refs("api", "      QDRANT_API_KEY: {property: p}\n"),
            "/externalSecret/api/remoteRefs/QDRANT_API_KEY",
        ),
        "missing property 'key'"
    );
    // A truthy non-map for a supported key (Helm: can't evaluate field key).
    for truthy in ["dify/qdrant", "true", "1", "[k]"] {
        rejected_at(
            &refs("api", &format!("      QDRANT_API_KEY: {truthy}\n")),
            "/externalSecret/api/remoteRefs/QDRANT_API_KEY",
        );
    }
    // postgresql/redis entries are always rendered: {}, a falsy non-map and
    // a surviving null fail.
    rejected_at(
        &refs("postgresql", "      aaa-extra: {}\n"),
        "/externalSecret/postgresql/remoteRefs/aaa-extra",
    );
    rejected_at(
        &refs("postgresql", "      postgres-password: false\n"),
        "/externalSecret/postgresql/remoteRefs/postgres-password",
    );
    rejected_at(
        &format!(
            "{}redis:\n  auth:\n    password: ''\n",
            refs("redis", "      no-default: null\n")
        ),
        "/externalSecret/redis/remoteRefs/no-default",
    );
    assert_eq!(
        rejected_at(
            &format!("{ESO_ON}  api:\n    remoteRefs: false\n"),
            "/externalSecret/api/remoteRefs"
        ),
        "got boolean, want object"
    );
    rejected_at(
        &format!("{ESO_ON}  sandbox:\n    remoteRefs: null\n"),
        "/externalSecret/sandbox",
    );
}

#[test]
fn existing_secret_names_must_be_kubernetes_names_when_used() {
    rejected_at(
        &format!("{ESO_ON}postgresql:\n  global:\n    postgresql:\n      auth:\n        existingSecret: My_Secret\n"),
        "/postgresql/global/postgresql/auth/existingSecret",
    );
    rejected_at(
        &format!("{ESO_ON}redis:\n  auth:\n    password: ''\n    existingSecret: 5\n"),
        "/redis/auth/existingSecret",
    );
    renders(&format!(
        "{ESO_ON}postgresql:\n  global:\n    postgresql:\n      auth:\n        existingSecret: dify-pg.secrets\n"
    ));
    // The postgresql ExternalSecret reads through auth for its name.
    rejected_at(
        &format!("{ESO_ON}postgresql:\n  global:\n    postgresql:\n      auth: null\n"),
        "/postgresql/global/postgresql",
    );
    // The DB block alone tolerates a null auth (SPEC §5.3.1).
    renders("postgresql:\n  global:\n    postgresql:\n      auth: null\n");
}

/// The schema accepts `yaml`; the render refuses it, naming `mentions`.
fn left_to_the_render(yaml: &str, mentions: &[&str]) {
    check(yaml, "t").unwrap_or_else(|e| panic!("{yaml}\n{e}"));
    let err = render(yaml, false).unwrap_err().to_string();
    for m in mentions {
        assert!(err.contains(m), "{yaml}\n{err}\nshould mention {m:?}");
    }
}

#[test]
fn credentials_are_checked_by_the_render_where_they_are_base64_encoded() {
    // SPEC §7.0 D7: the render's messages name the path and the type found.
    left_to_the_render(
        "api:\n  secretKey: 123\n",
        &["api.secretKey: expected a string, got a number (123)"],
    );
    left_to_the_render(
        "api:\n  secretKey: null\n",
        &["api.secretKey: expected a string, got null"],
    );
    // The worker Secret still renders with only the api's ExternalSecret.
    left_to_the_render(
        &format!("{ESO_ON}  worker:\n    enabled: false\napi:\n  secretKey: [a]\n"),
        &["api.secretKey: expected a string, got a list"],
    );
    left_to_the_render(
        "sandbox:\n  auth:\n    apiKey: [a]\n",
        &["sandbox.auth.apiKey", "list"],
    );
    // The plugin-daemon Secret reads its keys even with pluginDaemon.enabled false.
    left_to_the_render(
        "pluginDaemon:\n  enabled: false\n  auth:\n    serverKey: {a: b}\n",
        &["pluginDaemon.auth.serverKey", "map"],
    );
    left_to_the_render(
        "externalPostgres:\n  enabled: true\n  password: 1234\n",
        &["externalPostgres.password"],
    );
    left_to_the_render(
        "postgresql:\n  global:\n    postgresql:\n      auth:\n        username: app\n        password: null\n",
        &["postgresql.global.postgresql.auth.password: expected a string, got null"],
    );
    // B9: MyScale reads username, which the defaults lack.
    left_to_the_render(
        "externalMyScaleDB:\n  enabled: true\n",
        &["externalMyScaleDB.username"],
    );
    // The plugin daemon's provider needs a bucket: OSS is the provider here.
    left_to_the_render(
        "externalS3:\n  enabled: true\nexternalOSS:\n  enabled: true\n  secretKey: 5\n  bucketName:\n    pluginDaemon: plugins\n",
        &["externalOSS.secretKey"],
    );
    left_to_the_render(
        "weaviate:\n  authentication:\n    apikey:\n      allowed_keys: [5]\n",
        &["weaviate.authentication.apikey.allowed_keys[0]"],
    );
    left_to_the_render(
        "api:\n  mail:\n    type: smtp\n    smtp:\n      password: 5\n",
        &["api.mail.smtp.password"],
    );
    // Where they are not read, anything goes (see also
    // disabled_and_unread_sections_may_hold_anything).
    renders("postgresql:\n  global:\n    postgresql:\n      auth:\n        username: app\n        postgresPassword: 5\n");
    renders("externalMyScaleDB:\n  enabled: true\n  username: default\n");
}

#[test]
fn absent_celery_pieces_are_left_to_the_render() {
    // SPEC §7.0 D6: the render names them.
    left_to_the_render(
        "externalRedis:\n  enabled: true\n  port: null\n",
        &["externalRedis.port"],
    );
    left_to_the_render(
        "externalRedis:\n  enabled: true\n  host: null\n",
        &["externalRedis.host"],
    );
    left_to_the_render(
        "redis:\n  master:\n    service:\n      ports:\n        redis: null\n",
        &["redis.master.service.ports.redis"],
    );
}

#[test]
fn the_maps_the_templates_read_through_must_be_maps() {
    rejected_at(
        "weaviate:\n  authentication:\n    apikey:\n      allowed_keys: []\n",
        "/weaviate/authentication/apikey/allowed_keys",
    );
    rejected_at(
        "weaviate:\n  authentication:\n    apikey:\n      allowed_keys: abc\n",
        "/weaviate/authentication/apikey/allowed_keys",
    );
    rejected_at("weaviate:\n  authentication: null\n", "/weaviate");
    rejected_at(
        "weaviate:\n  authentication:\n    apikey: k\n",
        "/weaviate/authentication/apikey",
    );
    rejected_at("api:\n  mail: null\n", "/api");
    rejected_at("api:\n  mail:\n    type: 5\n", "/api/mail/type");
    rejected_at("api:\n  mail:\n    type: false\n", "/api/mail/type");
    rejected_at(
        "api:\n  mail:\n    type: smtp\n    smtp: x\n",
        "/api/mail/smtp",
    );
    renders("api:\n  mail:\n    type: null\n");
    renders("api:\n  mail:\n    type: sendgrid\n    resend: null\n");
    rejected_at("redis:\n  auth: null\n", "/redis");
    rejected_at(
        "redis:\n  master:\n    service: 5\n",
        "/redis/master/service",
    );
    rejected_at("postgresql:\n  global: null\n", "/postgresql");
    rejected_at(
        "postgresql:\n  global:\n    postgresql:\n      auth: x\n",
        "/postgresql/global/postgresql/auth",
    );
    rejected_at("externalAzureBlobStorage: null\n", "");
    rejected_at(
        "externalS3:\n  enabled: true\n  bucketName: null\n",
        "/externalS3",
    );
    rejected_at("pluginDaemon:\n  auth: []\n", "/pluginDaemon/auth");
    // Where they are not read, anything goes.
    renders("externalS3:\n  bucketName: null\nredis:\n  enabled: false\n  master: 5\n");
    renders("externalS3:\n  enabled: true\nexternalAzureBlobStorage: null\n");
}

#[test]
fn names_and_ports() {
    assert_eq!(
        rejected_at("nameOverride: 123\n", "/nameOverride"),
        "got number, want null or string"
    );
    rejected_at("fullnameOverride: true\n", "/fullnameOverride");
    renders("nameOverride: null\nfullnameOverride: ''\n");
    // The label reads nameOverride even with a fullnameOverride.
    rejected_at(
        &format!("{ESO_ON}fullnameOverride: my-dify\nnameOverride: 5\n"),
        "/nameOverride",
    );
    for good in ["6379", "'6379'", "6379.5"] {
        renders(&format!(
            "externalRedis:\n  enabled: true\n  port: {good}\n"
        ));
        renders(&format!(
            "redis:\n  master:\n    service:\n      ports:\n        redis: {good}\n"
        ));
    }
    assert_eq!(
        rejected_at(
            "externalRedis:\n  enabled: true\n  port: true\n",
            "/externalRedis/port"
        ),
        "got boolean, want number or string"
    );
    rejected_at(
        "externalRedis:\n  enabled: true\n  host: 5\n",
        "/externalRedis/host",
    );
}

#[test]
fn eso_on_needs_every_service_block() {
    let found = violations(&format!("{ESO_ON}  api: null\n  redis: null\n"));
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
    rejected_at(
        &format!("{ESO_ON}  sandbox: false\n"),
        "/externalSecret/sandbox",
    );
    assert_eq!(
        violations("externalSecret: null\n"),
        [(
            "".to_owned(),
            "missing property 'externalSecret'".to_owned()
        )]
    );
    rejected_at("externalSecret: true\n", "/externalSecret");
    rejected_at("sandbox: null\n", "");
}

#[test]
fn all_eso_violations_are_reported_at_once_sorted_by_path() {
    let yaml = "\
nameOverride: 123
externalSecret:
  enabled: true
  secretStore:
    name: 5
    kind: Vault
  api:
    refreshInterval: 900
    remoteRefs:
      SECRET_KEY: {key: 12345, property: {p: q}}
      QDRANT_API_KEY: dify/qdrant
  worker:
    refreshInterval: 1d
  postgresql:
    remoteRefs:
      extra: {}
";
    let err = check(yaml, "test.yaml").unwrap_err();
    assert!(render(yaml, true).is_err());
    let paths: Vec<&str> = err.violations.iter().map(|v| v.path.as_str()).collect();
    assert_eq!(
        paths,
        [
            "/externalSecret/api/refreshInterval",
            "/externalSecret/api/remoteRefs/QDRANT_API_KEY",
            "/externalSecret/api/remoteRefs/SECRET_KEY/key",
            "/externalSecret/api/remoteRefs/SECRET_KEY/property",
            "/externalSecret/postgresql/remoteRefs/extra",
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
        assert!(text.contains(&format!("- at '{p}' (")), "{text}");
    }
}

// ---------------------------------------------------------------------------
// Property: schema rejection ⊆ render rejection
// ---------------------------------------------------------------------------

/// Values that decide what the templates read: switches, and the values
/// that act like them (the mail type, the Redis password, plugin buckets,
/// ...). Each is set, or left to its default, in every case.
const SWITCHES: &[(&str, Decides)] = &[
    ("externalSecret.enabled", Decides::Switch),
    ("externalSecret.api.enabled", Decides::Switch),
    ("externalSecret.worker.enabled", Decides::Switch),
    ("externalSecret.sandbox.enabled", Decides::Switch),
    ("externalSecret.pluginDaemon.enabled", Decides::Switch),
    ("externalSecret.postgresql.enabled", Decides::Switch),
    ("externalSecret.redis.enabled", Decides::Switch),
    ("sandbox.enabled", Decides::Switch),
    ("pluginDaemon.enabled", Decides::Switch),
    ("externalPostgres.enabled", Decides::Switch),
    ("postgresql.enabled", Decides::Switch),
    ("externalRedis.enabled", Decides::Switch),
    ("externalRedis.useSSL", Decides::Switch),
    ("redis.enabled", Decides::Switch),
    ("redis.auth.enabled", Decides::Switch),
    ("externalS3.enabled", Decides::Switch),
    ("externalAzureBlobStorage.enabled", Decides::Switch),
    ("externalOSS.enabled", Decides::Switch),
    ("externalGCS.enabled", Decides::Switch),
    ("externalCOS.enabled", Decides::Switch),
    ("externalOBS.enabled", Decides::Switch),
    ("externalTOS.enabled", Decides::Switch),
    ("externalWeaviate.enabled", Decides::Switch),
    ("externalQdrant.enabled", Decides::Switch),
    ("externalMilvus.enabled", Decides::Switch),
    ("externalPgvector.enabled", Decides::Switch),
    ("externalTencentVectorDB.enabled", Decides::Switch),
    ("externalMyScaleDB.enabled", Decides::Switch),
    ("externalTableStore.enabled", Decides::Switch),
    ("weaviate.enabled", Decides::Switch),
    ("weaviate.authentication.apikey.enabled", Decides::Switch),
    ("fullnameOverride", Decides::Text(&["my-dify", ""])),
    ("nameOverride", Decides::Text(&["app", ""])),
    (
        "api.mail.type",
        Decides::Text(&["resend", "smtp", "sendgrid", ""]),
    ),
    ("redis.auth.password", Decides::Text(&["", "pw"])),
    (
        "postgresql.global.postgresql.auth.username",
        Decides::Text(&["", "app"]),
    ),
    ("externalMyScaleDB.username", Decides::Text(&["default"])),
    (
        "externalS3.bucketName.pluginDaemon",
        Decides::Text(&["plugins", ""]),
    ),
    (
        "externalOSS.bucketName.pluginDaemon",
        Decides::Text(&["plugins", ""]),
    ),
    (
        "externalGCS.bucketName.pluginDaemon",
        Decides::Text(&["plugins", ""]),
    ),
    (
        "externalCOS.bucketName.pluginDaemon",
        Decides::Text(&["plugins", ""]),
    ),
    (
        "externalOBS.bucketName.pluginDaemon",
        Decides::Text(&["plugins", ""]),
    ),
    (
        "externalTOS.bucketName.pluginDaemon",
        Decides::Text(&["plugins", ""]),
    ),
    ("weaviate.authentication.apikey", Decides::Text(&[])),
    ("postgresql.global.postgresql.auth", Decides::Text(&[])),
];

/// How a deciding value is generated.
#[derive(Clone, Copy, Debug)]
enum Decides {
    /// Mostly booleans.
    Switch,
    /// Mostly one of these strings.
    Text(&'static [&'static str]),
}

/// What kind of value a path usually holds (the generator mixes in others).
#[derive(Clone, Copy, Debug)]
enum Kind {
    Text,
    Port,
    Duration,
    Ref,
    Any,
}

/// Paths the templates read (and some they do not), with their kind. A path
/// listed twice is drawn twice as often.
fn paths() -> Vec<(String, Kind)> {
    let mut out: Vec<(String, Kind)> = Vec::new();
    let mut add = |p: &str, k: Kind| out.push((p.to_owned(), k));
    for p in [
        "nameOverride",
        "fullnameOverride",
        "externalSecret.apiVersion",
        "externalSecret.secretStore.name",
        "externalSecret.secretStore.kind",
        "api.secretKey",
        "api.mail.type",
        "api.mail.resend.apiKey",
        "api.mail.smtp.username",
        "api.mail.smtp.password",
        "sandbox.auth.apiKey",
        "pluginDaemon.auth.serverKey",
        "pluginDaemon.auth.difyApiKey",
        "externalPostgres.username",
        "externalPostgres.password",
        "postgresql.global.postgresql.auth.username",
        "postgresql.global.postgresql.auth.password",
        "postgresql.global.postgresql.auth.postgresPassword",
        "postgresql.global.postgresql.auth.existingSecret",
        "externalRedis.host",
        "externalRedis.username",
        "externalRedis.password",
        "redis.auth.password",
        "redis.auth.password",
        "redis.auth.existingSecret",
        "externalS3.accessKey",
        "externalS3.secretKey",
        "externalAzureBlobStorage.key",
        "externalOSS.accessKey",
        "externalOSS.secretKey",
        "externalGCS.serviceAccountJsonBase64",
        "externalCOS.secretKey",
        "externalOBS.accessKey",
        "externalOBS.secretKey",
        "externalTOS.secretKey",
        "externalS3.bucketName.pluginDaemon",
        "externalOSS.bucketName.pluginDaemon",
        "externalGCS.bucketName.pluginDaemon",
        "externalCOS.bucketName.pluginDaemon",
        "externalOBS.bucketName.pluginDaemon",
        "externalTOS.bucketName.pluginDaemon",
        "externalWeaviate.apiKey",
        "externalQdrant.apiKey",
        "externalMilvus.token",
        "externalMilvus.user",
        "externalMilvus.password",
        "externalPgvector.username",
        "externalPgvector.password",
        "externalTencentVectorDB.username",
        "externalTencentVectorDB.apiKey",
        "externalMyScaleDB.username",
        "externalMyScaleDB.user",
        "externalMyScaleDB.password",
        "externalTableStore.accessKeyId",
        "externalTableStore.accessKeySecret",
        "weaviate.authentication.apikey.allowed_keys",
        "weaviate.authentication.apikey.allowed_keys",
    ] {
        add(p, Kind::Text);
    }
    for p in ["externalRedis.port", "redis.master.service.ports.redis"] {
        add(p, Kind::Port);
        add(p, Kind::Port);
    }
    let refs: [(&str, &[&str]); 6] = [
        (
            "api",
            &[
                "SECRET_KEY",
                "QDRANT_API_KEY",
                "CELERY_BROKER_URL",
                "UNUSED_KEY",
                "secret_key",
            ],
        ),
        (
            "worker",
            &["SECRET_KEY", "SENDGRID_API_KEY", "PLUGIN_DAEMON_KEY"],
        ),
        ("sandbox", &["API_KEY", "api_key"]),
        (
            "pluginDaemon",
            &["SERVER_KEY", "AWS_ACCESS_KEY_ID", "OTHER"],
        ),
        (
            "postgresql",
            &["postgres-password", "replication-password", "aaa-extra"],
        ),
        ("redis", &["redis-password", "zz-extra"]),
    ];
    for (svc, keys) in refs {
        add(
            &format!("externalSecret.{svc}.refreshInterval"),
            Kind::Duration,
        );
        add(
            &format!("externalSecret.{svc}.refreshInterval"),
            Kind::Duration,
        );
        add(&format!("externalSecret.{svc}"), Kind::Any);
        add(&format!("externalSecret.{svc}.remoteRefs"), Kind::Any);
        for key in keys {
            add(&format!("externalSecret.{svc}.remoteRefs.{key}"), Kind::Ref);
            add(&format!("externalSecret.{svc}.remoteRefs.{key}"), Kind::Ref);
            add(
                &format!("externalSecret.{svc}.remoteRefs.{key}.key"),
                Kind::Text,
            );
            add(
                &format!("externalSecret.{svc}.remoteRefs.{key}.property"),
                Kind::Text,
            );
        }
    }
    for p in [
        "nameOverride",
        "externalSecret",
        "externalSecret.secretStore",
        "api",
        "api.mail",
        "api.mail.resend",
        "api.mail.smtp",
        "sandbox",
        "sandbox.auth",
        "pluginDaemon",
        "pluginDaemon.auth",
        "externalPostgres",
        "postgresql",
        "postgresql.global",
        "postgresql.global.postgresql",
        "postgresql.global.postgresql.auth",
        "externalRedis",
        "redis",
        "redis.auth",
        "redis.master",
        "redis.master.service.ports",
        "externalS3",
        "externalS3.bucketName",
        "externalAzureBlobStorage",
        "externalOSS",
        "externalOSS.bucketName",
        "externalGCS",
        "externalCOS",
        "externalOBS",
        "externalTOS",
        "externalTOS.bucketName",
        "externalWeaviate",
        "externalMilvus",
        "externalMyScaleDB",
        "externalTableStore",
        "weaviate",
        "weaviate.authentication",
        "weaviate.authentication.apikey",
    ] {
        add(p, Kind::Any);
    }
    out
}

fn string(s: &str) -> Value {
    Value::String(s.to_owned())
}

/// A scalar, an empty container, or a short list: every type Go templates meet.
fn leaf() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        select(vec![0.0, 1.0, 6379.0, 1.5, -1.0, 1e6, 900.0]).prop_map(Value::Float),
        select(vec![
            "",
            "false",
            "true",
            "no",
            "x",
            "0",
            "15m",
            "1h30m",
            "-1h",
            "1d",
            "1H",
            "dify/api",
            "secret_key",
            "SecretStore",
            "ClusterSecretStore",
            "Vault",
            "external-secrets.io/v1",
            "external-secrets.io/v1beta1",
            "external-secrets.io/v2",
            "resend",
            "smtp",
            "my-secret",
            "My_Secret",
            "6379",
            "redis.example",
            "a: b",
            "abc-",
            "<no value>",
        ])
        .prop_map(string),
        Just(Value::List(vec![])),
        Just(Value::Map(Map::new())),
        vec(
            prop_oneof![
                Just(string("k1")),
                Just(Value::Float(5.0)),
                Just(Value::Bool(false))
            ],
            1..3
        )
        .prop_map(Value::List),
    ]
}

/// A remote reference: a map with a key and a property of any type, usually strings.
fn remote_ref() -> impl Strategy<Value = Value> {
    let text = || {
        prop_oneof![
            3 => select(vec!["dify/api", "k", "p", "secret_key"]).prop_map(string),
            2 => leaf(),
        ]
    };
    (
        proptest::option::weighted(0.85, text()),
        proptest::option::weighted(0.6, text()),
        proptest::option::weighted(0.1, leaf()),
    )
        .prop_map(|(key, property, extra)| {
            let mut m = Map::new();
            if let Some(k) = key {
                m.insert("key".into(), k);
            }
            if let Some(p) = property {
                m.insert("property".into(), p);
            }
            if let Some(e) = extra {
                m.insert("decodingStrategy".into(), e);
            }
            Value::Map(m)
        })
}

/// Any value: a leaf, a remote reference, or a small map of leaves.
fn any_value() -> impl Strategy<Value = Value> {
    prop_oneof![
        6 => leaf(),
        1 => remote_ref(),
        1 => proptest::collection::btree_map(select(vec!["enabled", "name", "a"]).prop_map(str::to_owned), leaf(), 1..3)
            .prop_map(|m| Value::Map(m.into())),
    ]
}

fn value_of(kind: Kind) -> BoxedStrategy<Value> {
    match kind {
        Kind::Text => prop_oneof![
            2 => select(vec!["s3cr3t", "", "dify-pg", "6379", "k1", "resend", "smtp"]).prop_map(string),
            1 => Just(Value::List(vec![string("k1")])),
            3 => any_value(),
        ]
        .boxed(),
        Kind::Port => prop_oneof![
            2 => select(vec![0.0, 1.0, 6379.0, 6379.5, -1.0, 1e6, 65536.0]).prop_map(Value::Float),
            1 => select(vec!["6379", "06379", ""]).prop_map(string),
            2 => any_value(),
        ]
        .boxed(),
        Kind::Duration => prop_oneof![
            2 => select(vec!["15m", "1h30m", "", "0", "1d", " 15m", "2562048h"]).prop_map(string),
            2 => any_value(),
        ]
        .boxed(),
        Kind::Ref => prop_oneof![3 => remote_ref(), 2 => any_value()].boxed(),
        Kind::Any => any_value().boxed(),
    }
}

/// A deciding value: unset (the default) or set, mostly to a usual value.
/// Unset is what a failing case shrinks to.
fn decides(kind: Decides) -> BoxedStrategy<Option<Value>> {
    let set = match kind {
        Decides::Switch => prop_oneof![
            2 => Just(Value::Bool(true)),
            1 => Just(Value::Bool(false)),
            1 => any_value(),
        ]
        .boxed(),
        Decides::Text([]) => prop_oneof![1 => Just(Value::Null), 1 => any_value()].boxed(),
        Decides::Text(usual) => prop_oneof![
            2 => select(usual.to_vec()).prop_map(string),
            1 => any_value(),
        ]
        .boxed(),
    };
    let p_set = match kind {
        Decides::Text([]) => 0.25,
        _ => 0.6,
    };
    proptest::option::weighted(p_set, set).boxed()
}

/// One generated values file: the deciding values, then up to 6 random
/// assignments anywhere (few, so that many cases still render).
#[derive(Clone, Debug)]
struct Case {
    decided: Vec<Option<Value>>,
    assignments: Vec<(String, Value)>,
}

fn case() -> impl Strategy<Value = Case> {
    // One strategy per kind, built once: a path of that kind and a value.
    let table = paths();
    let arms: Vec<(u32, BoxedStrategy<(String, Value)>)> =
        [Kind::Text, Kind::Port, Kind::Duration, Kind::Ref, Kind::Any]
            .into_iter()
            .filter_map(|kind| {
                let of_kind: Vec<String> = table
                    .iter()
                    .filter(|(_, k)| std::mem::discriminant(k) == std::mem::discriminant(&kind))
                    .map(|(p, _)| p.clone())
                    .collect();
                let weight = u32::try_from(of_kind.len()).ok().filter(|w| *w > 0)?;
                Some((weight, (select(of_kind), value_of(kind)).boxed()))
            })
            .collect();
    let assignment = proptest::strategy::Union::new_weighted(arms);
    let decided: Vec<_> = SWITCHES.iter().map(|(_, kind)| decides(*kind)).collect();
    (decided, vec(assignment, 0..7)).prop_map(|(decided, assignments)| Case {
        decided,
        assignments,
    })
}

/// Sets `value` at the dotted `path`, turning whatever is in the way into maps.
fn set_path(map: &mut Map, path: &str, value: Value) {
    let (head, rest) = match path.split_once('.') {
        Some((h, r)) => (h, Some(r)),
        None => (path, None),
    };
    match rest {
        None => {
            map.insert(head.to_owned(), value);
        }
        Some(rest) => {
            let slot = map
                .entry(head.to_owned())
                .or_insert_with(|| Value::Map(Map::new()));
            if !matches!(slot, Value::Map(_)) {
                *slot = Value::Map(Map::new());
            }
            if let Value::Map(inner) = slot {
                set_path(inner, rest, value);
            }
        }
    }
}

impl Case {
    fn values(&self) -> Map {
        let mut m = Map::new();
        for ((path, _), v) in SWITCHES.iter().zip(&self.decided) {
            if let Some(v) = v {
                set_path(&mut m, path, v.clone());
            }
        }
        for (path, v) in &self.assignments {
            set_path(&mut m, path, v.clone());
        }
        m
    }
}

fn cases_from_env(default: u32) -> u32 {
    std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(default)
}

#[test]
fn schema_rejection_implies_render_rejection() {
    let chart = Chart::dify("0.27.0");
    let engine = Engine::new(&chart).unwrap();
    // DIFYX_SCHEMA_FILE: check another schema (to see the property catch a too-strict one).
    let text = std::env::var_os("DIFYX_SCHEMA_FILE")
        .map(|p| std::fs::read_to_string(p).unwrap())
        .unwrap_or_else(|| SCHEMA.to_owned());
    let schema = parse_schema("dify/values.schema.json", &text).unwrap();
    let opts = options(true);
    let cases = cases_from_env(3000);
    let stats: BTreeMap<&str, AtomicUsize> = [
        "runs",
        "schema rejects",
        "schema accepts",
        "sampled",
        "sampled renders",
    ]
    .into_iter()
    .map(|k| (k, AtomicUsize::new(0)))
    .collect();
    let count = |k: &str| stats[k].fetch_add(1, Ordering::Relaxed);

    let mut runner = TestRunner::new(Config {
        cases,
        failure_persistence: None,
        max_shrink_iters: 4096,
        // ChaCha is slow in debug builds; the cases need no cryptographic randomness.
        rng_algorithm: RngAlgorithm::XorShift,
        ..Config::default()
    });
    let start = Instant::now();
    let result = runner.run(&case(), |case| {
        count("runs");
        let tree = case.values();
        let yaml = difyx::values::emit::to_yaml(&Value::Map(tree.clone()));
        let reread = parse_values(&yaml, "generated.yaml").map_err(|e| {
            TestCaseError::fail(format!("generated YAML does not parse: {e}\n{yaml}"))
        })?;
        prop_assert_eq!(&reread, &tree, "YAML round trip\n{}", yaml);
        // The final values, as compute_values(.., skip_schema_validation: true) builds them.
        let values = coalesce(&chart.name, &chart.values, reread, &mut Vec::new());
        let user = user_values(&yaml);
        match schema.validate(&chart.name, &values) {
            Err(e) => {
                count("schema rejects");
                if let Ok(out) = pipeline::template_with(&engine, &chart, &user, &opts) {
                    return Err(TestCaseError::fail(format!(
                        "the schema rejects values that the chart renders:\n--- values:\n{yaml}--- schema:\n{e}\n--- rendered:\n{}",
                        out.text
                    )));
                }
            }
            // Accepted: nothing to check. Every 4th is rendered for the statistics.
            Ok(()) => {
                if count("schema accepts") % 4 == 0 {
                    count("sampled");
                    if pipeline::template_with(&engine, &chart, &user, &opts).is_ok() {
                        count("sampled renders");
                    }
                }
            }
        }
        Ok(())
    });
    let elapsed = start.elapsed();
    let got = |k: &str| stats[k].load(Ordering::Relaxed);
    eprintln!(
        "schema ⊆ render: {cases} cases ({} runs with shrinking) in {elapsed:.2?}: {} rejected by the schema, \
         all failing to render; {} accepted, of which {} of {} sampled render",
        got("runs"),
        got("schema rejects"),
        got("schema accepts"),
        got("sampled renders"),
        got("sampled"),
    );
    match result {
        Ok(()) => {}
        Err(TestError::Fail(why, _)) => {
            panic!("{why}\n(a minimal counterexample: fix the schema, not the test)")
        }
        Err(e) => panic!("{e}"),
    }
    // The generator must exercise both sides of the implication: many
    // rejections, and many cases that render.
    let n = cases as usize;
    assert!(got("schema rejects") * 5 >= n, "too few schema rejections");
    assert!(got("sampled renders") * 4 * 5 >= n, "too few renders");
}

// ---------------------------------------------------------------------------
// When the schema is checked (chart::SchemaCheck)
// ---------------------------------------------------------------------------

/// A copy of charts/dify whose schema also asks `extra` to be an integer:
/// a rule no template depends on.
fn stricter_chart_dir() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let src = repo_dir().join("charts/dify");
    std::fs::create_dir(dir.path().join("templates")).unwrap();
    for entry in std::fs::read_dir(src.join("templates")).unwrap() {
        let path = entry.unwrap().path();
        std::fs::copy(
            &path,
            dir.path().join("templates").join(path.file_name().unwrap()),
        )
        .unwrap();
    }
    std::fs::copy(src.join("values.yaml"), dir.path().join("values.yaml")).unwrap();
    std::fs::write(
        dir.path().join("Chart.yaml"),
        Chart::dify("0.27.0").chart_yaml,
    )
    .unwrap();
    let mut schema: serde_json::Value = serde_json::from_str(SCHEMA).unwrap();
    schema["properties"]["extra"] = serde_json::json!({"type": "integer"});
    std::fs::write(dir.path().join("values.schema.json"), schema.to_string()).unwrap();
    dir
}

#[test]
fn a_chart_directory_schema_is_checked_before_rendering_as_helm_does() {
    let dir = stricter_chart_dir();
    let chart = dir.path().to_str().unwrap();
    let out = difyx(&["template", "dify", chart, "--set", "extra=x"], None);
    assert!(!out.status.success());
    assert!(out.stdout.is_empty());
    assert!(
        stderr(&out).contains("dify:\n- at '/extra': got string, want integer"),
        "{}",
        stderr(&out)
    );
    // The same values render with --skip-schema-validation, and with a value
    // the schema accepts.
    let skip = difyx(
        &[
            "template",
            "dify",
            chart,
            "--set",
            "extra=x",
            "--skip-schema-validation",
        ],
        None,
    );
    assert!(skip.status.success(), "{}", stderr(&skip));
    let fine = difyx(&["template", "dify", chart, "--set", "extra=3"], None);
    assert!(fine.status.success(), "{}", stderr(&fine));
    assert_eq!(fine.stdout, skip.stdout);
}

#[test]
fn the_embedded_chart_explains_a_failed_render_with_every_schema_violation() {
    let args = [
        "template",
        "dify",
        "--version",
        "0.27.0",
        "--set",
        "externalSecret.enabled=true",
        "--set",
        "externalSecret.api.refreshInterval=5",
        "--set",
        "externalSecret.secretStore.kind=Vault",
    ];
    let out = difyx(&args, None);
    assert!(!out.status.success());
    assert!(out.stdout.is_empty());
    let err = stderr(&out);
    assert!(
        err.contains("values don't meet the specifications of the schema(s)"),
        "{err}"
    );
    assert!(
        err.contains("- at '/externalSecret/api/refreshInterval'"),
        "{err}"
    );
    assert!(
        err.contains("- at '/externalSecret/secretStore/kind'"),
        "{err}"
    );
    // Without the schema the render's own first error is reported.
    let mut skip = args.to_vec();
    skip.push("--skip-schema-validation");
    let out = difyx(&skip, None);
    assert!(!out.status.success());
    assert!(
        !stderr(&out).contains("values don't meet"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn the_embedded_chart_and_its_directory_give_the_same_verdicts() {
    // Lazy (embedded) and eager (directory) checking agree wherever the
    // schema only rejects what the render rejects.
    let dir = tempfile::tempdir().unwrap();
    let src = repo_dir().join("charts/dify");
    std::fs::create_dir(dir.path().join("templates")).unwrap();
    for entry in std::fs::read_dir(src.join("templates")).unwrap() {
        let path = entry.unwrap().path();
        std::fs::copy(
            &path,
            dir.path().join("templates").join(path.file_name().unwrap()),
        )
        .unwrap();
    }
    for file in ["values.yaml", "values.schema.json"] {
        std::fs::copy(src.join(file), dir.path().join(file)).unwrap();
    }
    std::fs::write(
        dir.path().join("Chart.yaml"),
        Chart::dify("0.27.0").chart_yaml,
    )
    .unwrap();
    let chart = dir.path().to_str().unwrap();
    for set in [
        "externalSecret.enabled=true",
        "externalSecret.api.refreshInterval=5",
        "externalSecret.enabled=true,externalSecret.api.refreshInterval=5",
        "externalSecret.enabled=true,externalSecret.sandbox.remoteRefs.API_KEY.key=null",
        "fullnameOverride=Bad_Name",
        "api.secretKey=null",
    ] {
        let embedded = difyx(
            &["template", "dify", "--version", "0.27.0", "--set", set],
            None,
        );
        let on_disk = difyx(&["template", "dify", chart, "--set", set], None);
        assert_eq!(embedded.status.success(), on_disk.status.success(), "{set}");
        assert_eq!(stdout(&embedded), stdout(&on_disk), "{set}");
        // The embedded chart's own schema adds the dotted path; a chart
        // directory's is reported exactly as Helm reports it.
        let without_dotted = |text: String| {
            text.lines()
                .map(|l| match (l.find("' ("), l.find("): ")) {
                    (Some(a), Some(b)) if a < b => format!("{}{}", &l[..a + 1], &l[b + 1..]),
                    _ => l.to_owned(),
                })
                .collect::<Vec<_>>()
                .join("\n")
        };
        assert_eq!(
            without_dotted(stderr(&embedded)),
            without_dotted(stderr(&on_disk)),
            "{set}"
        );
    }
}

// ---------------------------------------------------------------------------
// The releases' own schemas (0.28.0 on), against real Helm
// ---------------------------------------------------------------------------

/// A copy of `../shared/upstream/<version>` without its templates, so that
/// `helm template` reports only what comes before rendering: the schemas.
fn upstream_values_only(version: &str) -> (tempfile::TempDir, std::path::PathBuf) {
    let tmp = tempfile::tempdir().unwrap();
    let dst = tmp.path().join("dify");
    let ok = std::process::Command::new("cp")
        .arg("-r")
        .arg(shared_dir().join("upstream").join(version))
        .arg(&dst)
        .status()
        .unwrap()
        .success();
    assert!(ok);
    for entry in std::fs::read_dir(dst.join("templates")).unwrap() {
        std::fs::remove_file(entry.unwrap().path()).unwrap();
    }
    std::fs::write(dst.join("templates/none.yaml"), "").unwrap();
    (tmp, dst)
}

/// The typed paths of a schema document (dotted), for generating wrong values.
fn typed_paths(doc: &serde_json::Value, prefix: &str, out: &mut Vec<String>) {
    if let Some(props) = doc.get("properties").and_then(|p| p.as_object()) {
        for (k, v) in props {
            let path = if prefix.is_empty() {
                k.clone()
            } else {
                format!("{prefix}.{k}")
            };
            if v.get("type").is_some() && !k.contains('.') {
                out.push(path.clone());
            }
            typed_paths(v, &path, out);
        }
    }
}

/// The schema report of an error text: (chart, line) pairs, order-free
/// (Helm lists the violations of a chart in no fixed order).
fn report_lines(text: &str) -> std::collections::BTreeSet<(String, String)> {
    let mut chart = String::new();
    let mut out = std::collections::BTreeSet::new();
    for line in text.lines() {
        if line.trim_start().starts_with("- at ") {
            out.insert((chart.clone(), line.to_owned()));
        } else if let Some(name) = line.strip_suffix(':') {
            if !name.contains(' ') {
                chart = name.to_owned();
            }
        }
    }
    out
}

#[test]
fn release_schemas_accept_and_reject_as_helm_does() {
    let Some(helm) = helm_if_present("release_schemas_accept_and_reject_as_helm_does") else {
        return;
    };
    let cases_per_release: usize = std::env::var("DIFYX_SCHEMA_HELM_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(14);
    let values = [
        "\"x\"",
        "5",
        "-1",
        "1.5",
        "true",
        "false",
        "null",
        "[1]",
        "[\"a\"]",
        "{\"a\":1}",
        "\"\"",
    ];
    let mut rng = Rng(0x5eed_0f5c_4e3a);
    let mut failures = Vec::new();
    let mut compared = (0, 0);
    for version in [
        "0.28.0",
        "0.30.0",
        "0.31.0",
        "0.33.0",
        "0.35.0",
        "0.36.0",
        "0.37.0",
        "0.38.0-rc2",
    ] {
        let (_tmp, dir) = upstream_values_only(version);
        let chart = Chart::dify(version);
        let mut paths = Vec::new();
        if let Some(text) = chart.helm_schema() {
            typed_paths(&serde_json::from_str(&text).unwrap(), "", &mut paths);
        }
        for sub in &chart.subcharts {
            if let Some(text) = &sub.schema {
                typed_paths(&serde_json::from_str(text).unwrap(), &sub.name, &mut paths);
            }
        }
        // Untyped paths and the switches of the subcharts too.
        paths.extend(
            [
                "externalSecret.enabled",
                "redis.enabled",
                "postgresql.enabled",
                "weaviate.enabled",
                "redis.sentinel.enabled",
                "global.appSecretKey",
                "nameOverride",
                "tags.redis",
            ]
            .map(String::from),
        );
        paths.sort();
        paths.dedup();
        for _ in 0..cases_per_release {
            let n = 1 + rng.below(4);
            let sets: Vec<String> = (0..n)
                .map(|_| {
                    let p = &paths[rng.below(paths.len())];
                    format!("{p}={}", values[rng.below(values.len())])
                })
                .collect();
            let mut cmd = std::process::Command::new(&helm);
            cmd.args(["template", "dify"]).arg(&dir);
            for s in &sets {
                cmd.args(["--set-json", s]);
            }
            let out = cmd.output().unwrap();
            let helm_err = String::from_utf8_lossy(&out.stderr).into_owned();
            let user = UserValues {
                files: Vec::new(),
                sets: sets
                    .iter()
                    .map(|s| (difyx::values::strvals::SetKind::Json, s.clone()))
                    .collect(),
            };
            let ours = pipeline::helm_schema_check(&chart, &user);
            match (out.status.success(), &ours) {
                (true, Ok(_)) => compared.0 += 1,
                (false, Err(e)) => {
                    compared.1 += 1;
                    let (h, d) = (report_lines(&helm_err), report_lines(&e.to_string()));
                    if helm_err.contains("values don't meet") && h != d {
                        failures.push(format!("{version} {sets:?}:\n helm: {h:?}\n difyx: {d:?}"));
                    }
                }
                (helm_ok, _) => failures.push(format!(
                    "{version} {sets:?}: helm ok={helm_ok} {helm_err}\n difyx: {:?}",
                    ours.as_ref().map(|_| ()).map_err(|e| e.to_string())
                )),
            }
        }
    }
    eprintln!(
        "release schemas: {} accepted by both, {} rejected by both",
        compared.0, compared.1
    );
    assert!(
        failures.is_empty(),
        "{} case(s):\n{}",
        failures.len(),
        failures.join("\n")
    );
    assert!(
        compared.1 > 0 && compared.0 > 0,
        "the cases test both outcomes"
    );
}

#[test]
fn helm_format_of_the_release_schema_errors() {
    // CHART-VERSIONS E.4: every violation, grouped by chart, in Helm's words
    // (this text is what Helm 4.3.1 prints for these values, but for the
    // order of lines, which is random in Helm).
    let chart = Chart::dify("0.37.0");
    let user = UserValues {
        files: Vec::new(),
        sets: [
            "redis.auth.password=5",
            "externalRedis.port=x",
            "sandbox.enabled=x",
            "externalRedis.sentinel.sentinels={a,5}",
        ]
        .iter()
        .map(|s| (difyx::values::strvals::SetKind::Set, s.to_string()))
        .collect(),
    };
    let err = pipeline::helm_schema_check(&chart, &user)
        .unwrap_err()
        .to_string();
    assert_eq!(
        err,
        "values don't meet the specifications of the schema(s) in the following chart(s):\n\
         dify:\n\
         - at '/externalRedis': validation failed\n  \
         - at '/externalRedis/port': got string, want integer\n  \
         - at '/externalRedis/sentinel/sentinels/1': got number, want string\n\
         - at '/sandbox/enabled': got string, want boolean\n\
         redis:\n\
         - at '/auth/password': got number, want string"
    );
    // The subchart's violation names its full value path for lint.
    let pipeline::Error::Schema(e) = pipeline::helm_schema_check(&chart, &user).unwrap_err() else {
        panic!("a schema error");
    };
    assert!(e
        .violations
        .iter()
        .any(|v| v.path == "/redis/auth/password"));
    // Before 0.30.0 only the subcharts' schemas; 0.27.0 has none.
    let at = |v: &str| {
        pipeline::helm_schema_check(&Chart::dify(v), &user)
            .map(|_| ())
            .map_err(|e| e.to_string())
    };
    let e = at("0.29.0").unwrap_err();
    assert!(
        e.contains("redis:\n- at '/auth/password'") && !e.contains("dify:"),
        "{e}"
    );
    at("0.27.0").unwrap();
    // A disabled subchart's schema is not checked.
    let mut off = user.clone();
    off.sets.push((
        difyx::values::strvals::SetKind::Set,
        "redis.enabled=false".into(),
    ));
    let e = pipeline::helm_schema_check(&chart, &off)
        .unwrap_err()
        .to_string();
    assert!(!e.contains("redis:"), "{e}");
}

#[test]
fn difyx_schema_accepts_what_every_release_renders() {
    // Every case of ../shared/conformance-versions rendered with Helm (exit
    // 0), so difyx's own schema, pruned for the case's release, must accept
    // its final values; and each release's defaults.
    let root = shared_dir().join("conformance-versions");
    let mut checked = 0;
    for release in difyx::chart::versions::VERSIONS {
        let chart = Chart::embedded(release);
        let schema = chart.own_schema().expect("the embedded chart has a schema");
        let mut inputs = vec![("defaults".to_owned(), String::new())];
        if let Ok(cases) = std::fs::read_dir(root.join(release.version)) {
            for case in cases {
                let case = case.unwrap().path();
                if let Ok(text) = std::fs::read_to_string(case.join("values.yaml")) {
                    inputs.push((case.display().to_string(), text));
                }
            }
        }
        for (name, text) in inputs {
            let (values, _) = pipeline::helm_schema_check(&chart, &user_values(&text))
                .unwrap_or_else(|e| panic!("{} {name}: Helm's schema check: {e}", release.version));
            validate(&chart.name, &schema, &values)
                .unwrap_or_else(|e| panic!("{} {name}: {e}", release.version));
            checked += 1;
        }
    }
    assert!(checked >= 13, "{checked}");
}

#[test]
fn difyx_schema_rules_of_0_27_0_leave_later_releases_alone() {
    // A per-service refreshInterval is read only by 0.27.0 (CHART-VERSIONS
    // B.1).
    let yaml = "externalSecret:\n  enabled: true\n  api:\n    refreshInterval: 5\n";
    let at = |v: &str, yaml: &str| {
        let chart = Chart::dify(v);
        let (values, _) = pipeline::helm_schema_check(&chart, &user_values(yaml)).unwrap();
        validate(&chart.name, &chart.own_schema().unwrap(), &values)
    };
    assert!(at("0.27.0", yaml).is_err());
    at("0.28.0", yaml).unwrap();
    at("0.37.0", yaml).unwrap();
}
