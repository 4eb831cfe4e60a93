//! Properties of the whole pipeline (values text → rendered stream) over
//! generated values that put hostile strings — newlines, `---`, `: `, ` #`,
//! quotes, YAML indicators, `<no value>`, control characters (`\0`, DEL,
//! NEL, LS/PS, BOM), unicode, tabs, strings of a few KB — into every string
//! value the templates read, and hostile map keys into every `remoteRefs`.
//!
//! A [`Scenario`] is a model of one values file and release: from it the test
//! predicts which documents render, what each holds, and which values must
//! make the render fail. The properties:
//!
//! * (a) [`render_fails_cleanly_or_round_trips`]: the render either fails
//!   with a clean error naming a value path (never a panic, never a chart
//!   bug, never unparsable output), exactly when the model says a value is
//!   invalid; or it succeeds and the stream splits into exactly the predicted
//!   documents, each parses, and every value reads back equal to the input
//!   (Secret data base64-decoded);
//! * (b) [`external_secrets_never_leak_credentials`]: the ExternalSecrets do
//!   not depend on any credential value — a second render with every
//!   credential replaced by a marker gives byte-identical ExternalSecrets,
//!   which hold no marker, plain or base64 — and with no plain Secret
//!   rendered, the whole output is identical;
//! * (c) [`output_passes_validation`]: the output passes
//!   `manifests::validate`, which the pipeline runs before printing, with
//!   exactly the warnings the model predicts for values SPEC §7.0 D1 emits
//!   although the CRD refuses them ([`Scenario::predicted_refusals`]); a
//!   render fails with `Error::Invalid` exactly when the model predicts
//!   violations, and then lists exactly those
//!   ([`Scenario::predicted_violations`]: a KNOWN GAP, the namespace a
//!   library caller passes is not checked). Should difyx check such a value
//!   itself, the render fails earlier with an error naming it, which the
//!   properties also accept.
//!
//! Cases per property: `PROPTEST_CASES`, default 10 000. Failures persist in
//! `tests/proptest-regressions/<property>.txt` and are replayed first.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Instant;

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use proptest::bool::weighted;
use proptest::collection::{btree_map, vec};
use proptest::prelude::*;
use proptest::sample::select;
use proptest::test_runner::{Config, FileFailurePersistence, TestCaseError, TestError, TestRunner};
use serde_json::{json, Value as Json};

use difyx::chart::Chart;
use difyx::engine::{Engine, Release};
use difyx::manifests::validate::validate;
use difyx::pipeline::{self, Options, Output, UserValues};
use difyx::values::yaml::{parse_document, parse_values};
use difyx::values::Value;

// ---------------------------------------------------------------------------
// The chart's shape
// ---------------------------------------------------------------------------

/// `externalSecret.<key>` and the component name of each ExternalSecret.
const SERVICES: [(&str, &str); 6] = [
    ("api", "api"),
    ("worker", "worker"),
    ("sandbox", "sandbox"),
    ("pluginDaemon", "plugin-daemon"),
    ("postgresql", "postgresql"),
    ("redis", "redis"),
];
const API: usize = 0;
const WORKER: usize = 1;
const SANDBOX: usize = 2;
const PLUGIN_DAEMON: usize = 3;
const POSTGRESQL: usize = 4;
const REDIS: usize = 5;

/// Supported remoteRefs of api, worker, sandbox and plugin-daemon, in output
/// order (SPEC §4.5); the known (templated) keys of postgresql and redis (§4.6).
const KEYS: [&[&str]; 6] = [
    &[
        "SECRET_KEY",
        "CODE_EXECUTION_API_KEY",
        "DB_USERNAME",
        "DB_PASSWORD",
        "REDIS_USERNAME",
        "REDIS_PASSWORD",
        "CELERY_BROKER_URL",
        "WEAVIATE_API_KEY",
        "QDRANT_API_KEY",
        "OPENSEARCH_USERNAME",
        "OPENSEARCH_PASSWORD",
        "RESEND_API_KEY",
        "RESEND_FROM_EMAIL",
        "SENDGRID_API_KEY",
        "SENDGRID_FROM_EMAIL",
        "AWS_ACCESS_KEY_ID",
        "AWS_SECRET_ACCESS_KEY",
        "AZURE_BLOB_ACCOUNT_NAME",
        "AZURE_BLOB_ACCOUNT_KEY",
        "GOOGLE_CLOUD_STORAGE_BUCKET",
        "PLUGIN_DAEMON_KEY",
        "INNER_API_KEY_FOR_PLUGIN",
    ],
    &[
        "SECRET_KEY",
        "DB_USERNAME",
        "DB_PASSWORD",
        "REDIS_USERNAME",
        "REDIS_PASSWORD",
        "CELERY_BROKER_URL",
        "WEAVIATE_API_KEY",
        "QDRANT_API_KEY",
        "OPENSEARCH_USERNAME",
        "OPENSEARCH_PASSWORD",
        "RESEND_API_KEY",
        "RESEND_FROM_EMAIL",
        "SENDGRID_API_KEY",
        "SENDGRID_FROM_EMAIL",
        "AWS_ACCESS_KEY_ID",
        "AWS_SECRET_ACCESS_KEY",
        "AZURE_BLOB_ACCOUNT_NAME",
        "AZURE_BLOB_ACCOUNT_KEY",
        "GOOGLE_CLOUD_STORAGE_BUCKET",
        "PLUGIN_DAEMON_KEY",
        "INNER_API_KEY_FOR_PLUGIN",
    ],
    &["API_KEY"],
    &[
        "DB_USERNAME",
        "DB_PASSWORD",
        "REDIS_USERNAME",
        "REDIS_PASSWORD",
        "SERVER_KEY",
        "DIFY_INNER_API_KEY",
        "AWS_ACCESS_KEY_ID",
        "AWS_SECRET_ACCESS_KEY",
        "AZURE_BLOB_ACCOUNT_NAME",
        "AZURE_BLOB_ACCOUNT_KEY",
        "GOOGLE_CLOUD_STORAGE_BUCKET",
    ],
    &["postgres-password", "replication-password"],
    &["redis-password"],
];

/// Object storage providers (SPEC §5.3.4-5): values key, credential fields,
/// api/worker Secret keys and plugin-daemon Secret keys, each with the index
/// of the credential it holds. Azure has no plugin-daemon branch.
type Keys = &'static [(&'static str, usize)];
const STORAGE: [(&str, &[&str], Keys, Option<Keys>); 7] = [
    (
        "externalS3",
        &["accessKey", "secretKey"],
        &[("S3_ACCESS_KEY", 0), ("S3_SECRET_KEY", 1)],
        Some(&[("AWS_ACCESS_KEY", 0), ("AWS_SECRET_KEY", 1)]),
    ),
    (
        "externalAzureBlobStorage",
        &["key"],
        &[("AZURE_BLOB_ACCOUNT_KEY", 0)],
        None,
    ),
    (
        "externalOSS",
        &["accessKey", "secretKey"],
        &[("ALIYUN_OSS_ACCESS_KEY", 0), ("ALIYUN_OSS_SECRET_KEY", 1)],
        Some(&[("ALIYUN_OSS_ACCESS_KEY_SECRET", 1)]),
    ),
    (
        "externalGCS",
        &["serviceAccountJsonBase64"],
        &[("GOOGLE_STORAGE_SERVICE_ACCOUNT_JSON_BASE64", 0)],
        Some(&[("GCS_CREDENTIALS", 0)]),
    ),
    (
        "externalCOS",
        &["secretKey"],
        &[("TENCENT_COS_SECRET_KEY", 0)],
        Some(&[("TENCENT_COS_SECRET_KEY", 0)]),
    ),
    (
        "externalOBS",
        &["accessKey", "secretKey"],
        &[("HUAWEI_OBS_ACCESS_KEY", 0), ("HUAWEI_OBS_SECRET_KEY", 1)],
        Some(&[("HUAWEI_OBS_SECRET_KEY", 1)]),
    ),
    (
        "externalTOS",
        &["secretKey"],
        &[("VOLCENGINE_TOS_SECRET_KEY", 0)],
        Some(&[("PLUGIN_VOLCENGINE_TOS_SECRET_KEY", 0)]),
    ),
];

/// External vector databases (SPEC §5.3.6), before the built-in Weaviate.
const VECTOR: [(&str, &[&str], Keys); 7] = [
    ("externalWeaviate", &["apiKey"], &[("WEAVIATE_API_KEY", 0)]),
    ("externalQdrant", &["apiKey"], &[("QDRANT_API_KEY", 0)]),
    (
        "externalMilvus",
        &["token", "user", "password"],
        &[
            ("MILVUS_TOKEN", 0),
            ("MILVUS_USER", 1),
            ("MILVUS_PASSWORD", 2),
        ],
    ),
    (
        "externalPgvector",
        &["username", "password"],
        &[("PGVECTOR_USER", 0), ("PGVECTOR_PASSWORD", 1)],
    ),
    (
        "externalTencentVectorDB",
        &["username", "apiKey"],
        &[
            ("TENCENT_VECTOR_DB_USERNAME", 0),
            ("TENCENT_VECTOR_DB_API_KEY", 1),
        ],
    ),
    (
        "externalMyScaleDB",
        &["username", "password"],
        &[("MYSCALE_USER", 0), ("MYSCALE_PASSWORD", 1)],
    ),
    (
        "externalTableStore",
        &["accessKeyId", "accessKeySecret"],
        &[
            ("TABLESTORE_ACCESS_KEY_ID", 0),
            ("TABLESTORE_ACCESS_KEY_SECRET", 1),
        ],
    ),
];

const ESO_V1: &str = "external-secrets.io/v1";
const ESO_V1BETA1: &str = "external-secrets.io/v1beta1";

// ---------------------------------------------------------------------------
// The model
// ---------------------------------------------------------------------------

#[derive(Clone, Debug)]
struct RemoteRef {
    key: String,
    /// `None` writes `property: null` (which also deletes a default property).
    property: Option<String>,
}

#[derive(Clone, Debug)]
enum Entry {
    Ref(RemoteRef),
    /// `KEY: null`: deletes a default entry; stays null where there is none.
    Null,
}

#[derive(Clone, Debug)]
struct Service {
    enabled: bool,
    /// `None`: not set (the chart default applies).
    refresh: Option<String>,
    refs: BTreeMap<String, Entry>,
}

#[derive(Clone, Debug)]
enum Port {
    Number(u32),
    Text(String),
}

#[derive(Clone, Debug)]
struct ExternalRedis {
    enabled: bool,
    username: String,
    password: String,
    host: String,
    port: Port,
    ssl: bool,
}

/// A storage or vector provider: its switch, whether it has a plugin-daemon
/// bucket (storage only), and its credentials in the order of its fields.
#[derive(Clone, Debug)]
struct Provider {
    enabled: bool,
    plugin_bucket: bool,
    creds: Vec<String>,
}

/// One values file plus release name and namespace.
#[derive(Clone, Debug)]
struct Scenario {
    release: String,
    namespace: String,
    name_override: Option<String>,
    fullname_override: Option<String>,
    eso: bool,
    api_version: Option<&'static str>,
    store_name: String,
    store_kind: String,
    services: Vec<Service>,
    secret_key: String,
    mail_type: String,
    /// resend.apiKey, smtp.username, smtp.password.
    mail: Vec<String>,
    sandbox: bool,
    sandbox_key: String,
    plugin: bool,
    /// serverKey, difyApiKey.
    plugin_keys: Vec<String>,
    ext_pg: bool,
    /// username, password.
    ext_pg_creds: Vec<String>,
    pg: bool,
    /// username, password, postgresPassword.
    pg_auth: Vec<String>,
    pg_existing: Option<String>,
    ext_redis: ExternalRedis,
    redis: bool,
    redis_auth: bool,
    redis_password: String,
    redis_existing: Option<String>,
    storage: Vec<Provider>,
    vector: Vec<Provider>,
    weaviate: bool,
    weaviate_keys: Vec<String>,
}

/// What a document of the output is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Doc {
    /// A plain Secret of a component.
    Secret(&'static str),
    /// The ExternalSecret of `SERVICES[i]`.
    Es(usize),
}

/// Facts about the embedded chart the model needs.
struct Model {
    chart: Chart,
}

impl Model {
    fn new() -> Self {
        Model {
            chart: Chart::dify("0.27.0"),
        }
    }

    fn default_refs(&self, svc: usize) -> BTreeMap<String, RemoteRef> {
        let refs = self
            .chart
            .values
            .get("externalSecret")
            .and_then(|v| v.lookup([SERVICES[svc].0, "remoteRefs"]));
        let Some(Value::Map(m)) = refs else {
            return BTreeMap::new();
        };
        m.iter()
            .map(|(k, v)| {
                let get = |f: &str| v.lookup([f]).and_then(Value::as_str).map(str::to_owned);
                (
                    k.clone(),
                    RemoteRef {
                        key: get("key").unwrap_or_default(),
                        property: get("property"),
                    },
                )
            })
            .collect()
    }

    fn default_refresh(&self, svc: usize) -> String {
        self.chart
            .values
            .get("externalSecret")
            .and_then(|v| v.lookup([SERVICES[svc].0, "refreshInterval"]))
            .and_then(Value::as_str)
            .unwrap_or("1h")
            .to_owned()
    }

    fn chart_label(&self) -> String {
        cut63(&format!("{}-{}", self.chart.name, self.chart.version).replace('+', "_"))
    }
}

/// Helm's `trunc 63 | trimSuffix "-"`, cut at a character boundary.
fn cut63(s: &str) -> String {
    let mut end = s.len().min(63);
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    let s = &s[..end];
    s.strip_suffix('-').unwrap_or(s).to_owned()
}

fn dns_label(s: &str) -> bool {
    let b = s.as_bytes();
    !b.is_empty()
        && b.len() <= 63
        && b.iter()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || *c == b'-')
        && b[0] != b'-'
        && b[b.len() - 1] != b'-'
}

/// Kubernetes' `IsDNS1123Subdomain`: at most 253, dot-separated parts of
/// `[a-z0-9-]` with alphanumeric ends (no per-part length limit).
fn dns_subdomain(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 253
        && s.split('.').all(|p| {
            let b = p.as_bytes();
            !b.is_empty()
                && b.iter()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || *c == b'-')
                && b[0] != b'-'
                && b[b.len() - 1] != b'-'
        })
}

fn label_value(s: &str) -> bool {
    let b = s.as_bytes();
    b.is_empty()
        || (b.len() <= 63
            && b.iter()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, b'-' | b'_' | b'.'))
            && b[0].is_ascii_alphanumeric()
            && b[b.len() - 1].is_ascii_alphanumeric())
}

fn secret_key_ok(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 253
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_'))
}

/// Go's `time.ParseDuration` grammar and range (SPEC §7.0 D3).
fn go_duration(s: &str) -> bool {
    difyx::engine::scalar::check_go_duration(s).is_ok()
}

/// The ESO template that copies a fetched key (SPEC §4.4).
fn eso_ref(key: &str) -> String {
    let ident = key
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && key.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
    if ident {
        format!("{{{{ .{key} }}}}")
    } else {
        format!(
            "{{{{ index . \"{}\" }}}}",
            key.replace('\\', "\\\\").replace('"', "\\\"")
        )
    }
}

fn truthy(s: &Option<String>) -> Option<&str> {
    s.as_deref().filter(|s| !s.is_empty())
}

impl Scenario {
    fn es_on(&self, svc: usize) -> bool {
        self.eso && self.services[svc].enabled
    }

    /// The documents, in output order (Appendix B).
    fn docs(&self) -> Vec<Doc> {
        let mut docs = Vec::new();
        if !self.es_on(API) {
            docs.push(Doc::Secret("api"));
        }
        if !self.es_on(PLUGIN_DAEMON) {
            docs.push(Doc::Secret("plugin-daemon"));
        }
        if self.sandbox && !self.es_on(SANDBOX) {
            docs.push(Doc::Secret("sandbox"));
        }
        if !self.es_on(WORKER) {
            docs.push(Doc::Secret("worker"));
        }
        let es = [
            (API, self.es_on(API)),
            (PLUGIN_DAEMON, self.es_on(PLUGIN_DAEMON)),
            (POSTGRESQL, self.es_on(POSTGRESQL) && self.pg),
            (
                REDIS,
                self.es_on(REDIS) && self.redis_auth && self.redis_password.is_empty(),
            ),
            (SANDBOX, self.es_on(SANDBOX) && self.sandbox),
            (WORKER, self.es_on(WORKER)),
        ];
        docs.extend(es.iter().filter(|(_, on)| *on).map(|(i, _)| Doc::Es(*i)));
        docs
    }

    fn source(doc: Doc) -> String {
        match doc {
            Doc::Secret(c) => format!("dify/templates/{c}-secret.yaml"),
            Doc::Es(i) => format!("dify/templates/{}-externalsecret.yaml", SERVICES[i].1),
        }
    }

    fn chart_name(&self) -> String {
        cut63(truthy(&self.name_override).unwrap_or("dify"))
    }

    fn fullname(&self) -> String {
        if let Some(f) = truthy(&self.fullname_override) {
            return cut63(f);
        }
        let base = truthy(&self.name_override).unwrap_or("dify");
        if self.release.contains(base) {
            cut63(&self.release)
        } else {
            cut63(&format!("{}-{base}", self.release))
        }
    }

    /// The value a bad object name is blamed on.
    fn name_source(&self) -> &'static str {
        if truthy(&self.fullname_override).is_some() {
            "fullnameOverride"
        } else if truthy(&self.name_override).is_some() {
            "nameOverride"
        } else {
            "the release name"
        }
    }

    fn existing(&self, svc: usize) -> Option<(&str, &'static str)> {
        match svc {
            POSTGRESQL => truthy(&self.pg_existing)
                .map(|n| (n, "postgresql.global.postgresql.auth.existingSecret")),
            REDIS => truthy(&self.redis_existing).map(|n| (n, "redis.auth.existingSecret")),
            _ => None,
        }
    }

    fn object_name(&self, doc: Doc) -> String {
        match doc {
            Doc::Secret(c) => format!("{}-{c}", self.fullname()),
            Doc::Es(i) => match self.existing(i) {
                Some((n, _)) => n.to_owned(),
                None => format!("{}-{}", self.fullname(), SERVICES[i].1),
            },
        }
    }

    /// The service's remoteRefs after the merge over the chart defaults;
    /// `None` for a user null where no default exists.
    fn merged_refs(&self, chart: &Model, svc: usize) -> BTreeMap<String, Option<RemoteRef>> {
        let mut m: BTreeMap<String, Option<RemoteRef>> = chart
            .default_refs(svc)
            .into_iter()
            .map(|(k, v)| (k, Some(v)))
            .collect();
        for (k, e) in &self.services[svc].refs {
            match e {
                Entry::Null if m.contains_key(k) => {
                    m.remove(k);
                }
                Entry::Null => {
                    m.insert(k.clone(), None);
                }
                Entry::Ref(r) => {
                    m.insert(k.clone(), Some(r.clone()));
                }
            }
        }
        m
    }

    /// spec.data entries and template.data keys of an ExternalSecret.
    #[allow(clippy::type_complexity)]
    fn es_entries(
        &self,
        chart: &Model,
        svc: usize,
    ) -> (Vec<(String, Option<RemoteRef>)>, Vec<String>) {
        let merged = self.merged_refs(chart, svc);
        if svc < POSTGRESQL {
            let data: Vec<_> = KEYS[svc]
                .iter()
                .filter_map(|k| match merged.get(*k) {
                    Some(Some(r)) => Some((k.to_string(), Some(r.clone()))),
                    _ => None,
                })
                .collect();
            let templated = data.iter().map(|(k, _)| k.clone()).collect();
            (data, templated)
        } else {
            let templated = KEYS[svc]
                .iter()
                .filter(|k| matches!(merged.get(**k), Some(Some(_))))
                .map(|k| k.to_string())
                .collect();
            (merged.into_iter().collect(), templated)
        }
    }

    fn refresh(&self, chart: &Model, svc: usize) -> String {
        match &self.services[svc].refresh {
            None => chart.default_refresh(svc),
            Some(r) if r.is_empty() => "1h".into(),
            Some(r) => r.clone(),
        }
    }

    /// Value paths that make the render fail: at least one of them must be
    /// named by the error, and with none the render must succeed.
    fn must_fail(&self, chart: &Model) -> Vec<String> {
        let mut causes = Vec::new();
        let fullname = self.fullname();
        for doc in self.docs() {
            let component = match doc {
                Doc::Secret(c) => c,
                Doc::Es(i) => SERVICES[i].1,
            };
            if !dns_subdomain(&format!("{fullname}-{component}")) {
                causes.push(self.name_source().to_owned());
            }
            let Doc::Es(i) = doc else { continue };
            let svc = SERVICES[i].0;
            if !label_value(&self.chart_name()) {
                causes.push("nameOverride".into());
            }
            if let Some(r) = &self.services[i].refresh {
                if !r.is_empty() && !go_duration(r) {
                    causes.push(format!("externalSecret.{svc}.refreshInterval"));
                }
            }
            if self.store_name.is_empty() {
                causes.push("externalSecret.secretStore.name".into());
            }
            if !["SecretStore", "ClusterSecretStore"].contains(&self.store_kind.as_str()) {
                causes.push("externalSecret.secretStore.kind".into());
            }
            for (k, r) in self.es_entries(chart, i).0 {
                match r {
                    None => causes.push(format!("externalSecret.{svc}.remoteRefs.{k}")),
                    Some(r) if r.key.is_empty() => {
                        causes.push(format!("externalSecret.{svc}.remoteRefs.{k}.key"))
                    }
                    Some(_) => {}
                }
            }
            if let Some((name, path)) = self.existing(i) {
                if !dns_subdomain(name) {
                    causes.push(path.to_owned());
                }
            }
        }
        causes
    }

    /// Every value path holding a value invalid by its own rule, whether or
    /// not this render reads it: a failure may name any of them (a values
    /// schema may check values the templates skip).
    fn invalid_paths(&self, chart: &Model) -> Vec<String> {
        let mut paths = Vec::new();
        for (i, (svc, component)) in SERVICES.iter().enumerate() {
            if let Some(r) = &self.services[i].refresh {
                if !r.is_empty() && !go_duration(r) {
                    paths.push(format!("externalSecret.{svc}.refreshInterval"));
                }
            }
            for (k, e) in &self.services[i].refs {
                match e {
                    Entry::Ref(r) if r.key.is_empty() => {
                        paths.push(format!("externalSecret.{svc}.remoteRefs.{k}.key"))
                    }
                    Entry::Null if i >= POSTGRESQL => {
                        paths.push(format!("externalSecret.{svc}.remoteRefs.{k}"))
                    }
                    _ => {}
                }
            }
            if !dns_subdomain(&format!("{}-{component}", self.fullname())) {
                paths.push(self.name_source().to_owned());
            }
            if let Some((name, path)) = self.existing(i) {
                if !dns_subdomain(name) {
                    paths.push(path.to_owned());
                }
            }
        }
        if !label_value(&self.chart_name()) {
            paths.push("nameOverride".into());
        }
        if matches!(self.ext_redis.port, Port::Number(n) if !(1..=65535).contains(&n)) {
            paths.push("externalRedis.port".into());
        }
        if self.store_name.is_empty() {
            paths.push("externalSecret.secretStore.name".into());
        }
        if !["SecretStore", "ClusterSecretStore"].contains(&self.store_kind.as_str()) {
            paths.push("externalSecret.secretStore.kind".into());
        }
        paths.extend(self.must_fail(chart));
        paths.extend(self.gap_paths(chart));
        paths
    }

    /// The values behind [`Self::predicted_violations`] and
    /// [`Self::predicted_refusals`]: an error naming one of them is what
    /// difyx gives should it check them before rendering.
    fn gap_paths(&self, chart: &Model) -> Vec<String> {
        let mut paths = Vec::new();
        if !dns_label(&self.namespace) {
            paths.push("namespace".to_owned());
        }
        if !dns_subdomain(&self.store_name) {
            paths.push("externalSecret.secretStore.name".to_owned());
        }
        for svc in [POSTGRESQL, REDIS] {
            for k in self
                .merged_refs(chart, svc)
                .keys()
                .filter(|k| !secret_key_ok(k))
            {
                paths.push(format!("externalSecret.{}.remoteRefs.{k}", SERVICES[svc].0));
            }
        }
        paths
    }

    /// The violations `validate` must report for the output, as (source,
    /// path): a KNOWN GAP — `pipeline::template` does not check
    /// `Release.namespace` (only the CLI does), so a library caller's bad
    /// namespace reaches the ExternalSecrets and fails the render as an
    /// internal error.
    fn predicted_violations(&self, chart: &Model) -> BTreeSet<(String, String)> {
        if !self.must_fail(chart).is_empty() || dns_label(&self.namespace) {
            return BTreeSet::new();
        }
        self.docs()
            .into_iter()
            .filter(|d| matches!(d, Doc::Es(_)))
            .map(|d| (Self::source(d), "metadata.namespace".to_owned()))
            .collect()
    }

    /// The warnings `validate` must give, as (source, path): text from the
    /// values that SPEC §7.0 D1 emits faithfully although the ESO CRD
    /// refuses it — a store name that is not a DNS-1123 subdomain, a
    /// postgresql/redis remoteRefs key that is not `^[-._a-zA-Z0-9]+$`.
    fn predicted_refusals(&self, chart: &Model) -> BTreeSet<(String, String)> {
        let mut out = BTreeSet::new();
        if !self.must_fail(chart).is_empty() {
            return out;
        }
        for doc in self.docs() {
            let Doc::Es(i) = doc else { continue };
            let source = Self::source(doc);
            if !dns_subdomain(&self.store_name) {
                out.insert((source.clone(), "spec.secretStoreRef.name".to_owned()));
            }
            if i >= POSTGRESQL {
                for (n, (k, _)) in self.es_entries(chart, i).0.iter().enumerate() {
                    if !secret_key_ok(k) {
                        out.insert((source.clone(), format!("spec.data[{n}].secretKey")));
                    }
                }
            }
        }
        out
    }

    /// The ExternalSecret of service `svc`, as it must read back.
    fn expected_es(&self, chart: &Model, svc: usize) -> Value {
        let name = self.object_name(Doc::Es(svc));
        let (data, templated) = self.es_entries(chart, svc);
        let data = if data.is_empty() {
            Value::Null
        } else {
            Value::List(
                data.into_iter()
                    .map(|(k, r)| {
                        let r = r.expect("null entries fail the render");
                        let mut remote = vec![("key", s(&r.key))];
                        if let Some(p) = truthy(&r.property) {
                            remote.push(("property", s(p)));
                        }
                        map(vec![("secretKey", s(&k)), ("remoteRef", map(remote))])
                    })
                    .collect(),
            )
        };
        let template_data = if templated.is_empty() {
            Value::Null
        } else {
            Value::Map(
                templated
                    .iter()
                    .map(|k| (k.clone(), s(&eso_ref(k))))
                    .collect(),
            )
        };
        map(vec![
            ("apiVersion", s(self.api_version.unwrap_or(ESO_V1))),
            ("kind", s("ExternalSecret")),
            (
                "metadata",
                map(vec![
                    ("name", s(&name)),
                    ("namespace", s(&self.namespace)),
                    (
                        "labels",
                        map(vec![
                            ("helm.sh/chart", s(&chart.chart_label())),
                            ("app.kubernetes.io/name", s(&self.chart_name())),
                            ("app.kubernetes.io/instance", s(&self.release)),
                            ("app.kubernetes.io/version", s(&chart.chart.app_version)),
                            ("app.kubernetes.io/managed-by", s("Helm")),
                            ("app.kubernetes.io/component", s(SERVICES[svc].1)),
                        ]),
                    ),
                ]),
            ),
            (
                "spec",
                map(vec![
                    ("refreshInterval", s(&self.refresh(chart, svc))),
                    (
                        "secretStoreRef",
                        map(vec![
                            ("name", s(&self.store_name)),
                            ("kind", s(&self.store_kind)),
                        ]),
                    ),
                    (
                        "target",
                        map(vec![
                            ("name", s(&name)),
                            ("creationPolicy", s("Owner")),
                            (
                                "template",
                                map(vec![("type", s("Opaque")), ("data", template_data)]),
                            ),
                        ]),
                    ),
                    ("data", data),
                ]),
            ),
        ])
    }

    /// The plain Secret of a component without its data, and its data decoded.
    fn expected_secret(&self, component: &'static str) -> (Value, BTreeMap<String, String>) {
        let tree = map(vec![
            ("apiVersion", s("v1")),
            ("kind", s("Secret")),
            (
                "metadata",
                map(vec![("name", s(&self.object_name(Doc::Secret(component))))]),
            ),
            ("type", s("Opaque")),
        ]);
        let mut d = BTreeMap::new();
        let mut put = |k: &str, v: &str| {
            d.insert(k.to_owned(), v.to_owned());
        };
        let db = |put: &mut dyn FnMut(&str, &str)| {
            if self.ext_pg {
                put("DB_USERNAME", &self.ext_pg_creds[0]);
                put("DB_PASSWORD", &self.ext_pg_creds[1]);
            } else if self.pg {
                if self.pg_auth[0].is_empty() {
                    put("DB_USERNAME", "postgres");
                    put("DB_PASSWORD", &self.pg_auth[2]);
                } else {
                    put("DB_USERNAME", &self.pg_auth[0]);
                    put("DB_PASSWORD", &self.pg_auth[1]);
                }
            }
        };
        let redis = |put: &mut dyn FnMut(&str, &str)| {
            let r = &self.ext_redis;
            if r.enabled {
                put("REDIS_USERNAME", &r.username);
                put("REDIS_PASSWORD", &r.password);
            } else if self.redis {
                put("REDIS_USERNAME", "");
                put("REDIS_PASSWORD", &self.redis_password);
            }
        };
        match component {
            "api" | "worker" => {
                put("SECRET_KEY", &self.secret_key);
                if component == "api" && self.sandbox {
                    put("CODE_EXECUTION_API_KEY", &self.sandbox_key);
                }
                db(&mut put);
                redis(&mut put);
                let r = &self.ext_redis;
                if r.enabled {
                    let port = match &r.port {
                        Port::Number(n) => n.to_string(),
                        Port::Text(t) => t.clone(),
                    };
                    let scheme = if r.ssl { "rediss" } else { "redis" };
                    put(
                        "CELERY_BROKER_URL",
                        &format!(
                            "{scheme}://{}:{}@{}:{port}/1",
                            r.username, r.password, r.host
                        ),
                    );
                } else if self.redis {
                    put(
                        "CELERY_BROKER_URL",
                        &format!(
                            "redis://:{}@{}-redis-master:6379/1",
                            self.redis_password, self.release
                        ),
                    );
                }
                if let Some(i) = self.storage.iter().position(|p| p.enabled) {
                    for (key, cred) in STORAGE[i].2 {
                        put(key, &self.storage[i].creds[*cred]);
                    }
                }
                if let Some(i) = self.vector.iter().position(|p| p.enabled) {
                    for (key, cred) in VECTOR[i].2 {
                        put(key, &self.vector[i].creds[*cred]);
                    }
                } else if self.weaviate {
                    put("WEAVIATE_API_KEY", &self.weaviate_keys[0]);
                }
                if self.mail_type == "resend" {
                    put("RESEND_API_KEY", &self.mail[0]);
                } else if self.mail_type == "smtp" {
                    put("SMTP_USERNAME", &self.mail[1]);
                    put("SMTP_PASSWORD", &self.mail[2]);
                }
                if self.plugin {
                    put("PLUGIN_DAEMON_KEY", &self.plugin_keys[0]);
                    put("INNER_API_KEY_FOR_PLUGIN", &self.plugin_keys[1]);
                }
            }
            "sandbox" => put("API_KEY", &self.sandbox_key),
            "plugin-daemon" => {
                db(&mut put);
                redis(&mut put);
                let found = self
                    .storage
                    .iter()
                    .enumerate()
                    .find(|(i, p)| p.enabled && p.plugin_bucket && STORAGE[*i].3.is_some());
                if let Some((i, p)) = found {
                    for (key, cred) in STORAGE[i].3.unwrap_or_default() {
                        put(key, &p.creds[*cred]);
                    }
                }
                put("SERVER_KEY", &self.plugin_keys[0]);
                put("DIFY_INNER_API_KEY", &self.plugin_keys[1]);
            }
            other => unreachable!("{other}"),
        }
        (tree, d)
    }

    /// The user values, as JSON.
    fn values(&self) -> Json {
        let mut es = json!({
            "enabled": self.eso,
            "secretStore": {"name": self.store_name, "kind": self.store_kind},
        });
        if let Some(v) = self.api_version {
            es["apiVersion"] = json!(v);
        }
        for (i, (key, _)) in SERVICES.iter().enumerate() {
            let svc = &self.services[i];
            let refs: serde_json::Map<String, Json> = svc
                .refs
                .iter()
                .map(|(k, e)| {
                    let v = match e {
                        Entry::Null => Json::Null,
                        Entry::Ref(r) => json!({"key": r.key, "property": r.property}),
                    };
                    (k.clone(), v)
                })
                .collect();
            let mut o = json!({"enabled": svc.enabled, "remoteRefs": refs});
            if let Some(r) = &svc.refresh {
                o["refreshInterval"] = json!(r);
            }
            es[*key] = o;
        }
        let mut pg_auth = json!({
            "username": self.pg_auth[0], "password": self.pg_auth[1], "postgresPassword": self.pg_auth[2],
        });
        if let Some(e) = &self.pg_existing {
            pg_auth["existingSecret"] = json!(e);
        }
        let mut redis_auth = json!({"enabled": self.redis_auth, "password": self.redis_password});
        if let Some(e) = &self.redis_existing {
            redis_auth["existingSecret"] = json!(e);
        }
        let r = &self.ext_redis;
        let port = match &r.port {
            Port::Number(n) => json!(n),
            Port::Text(t) => json!(t),
        };
        let mut root = json!({
            "externalSecret": es,
            "api": {
                "secretKey": self.secret_key,
                "mail": {
                    "type": self.mail_type,
                    "resend": {"apiKey": self.mail[0]},
                    "smtp": {"username": self.mail[1], "password": self.mail[2]},
                },
            },
            "sandbox": {"enabled": self.sandbox, "auth": {"apiKey": self.sandbox_key}},
            "pluginDaemon": {
                "enabled": self.plugin,
                "auth": {"serverKey": self.plugin_keys[0], "difyApiKey": self.plugin_keys[1]},
            },
            "externalPostgres": {
                "enabled": self.ext_pg, "username": self.ext_pg_creds[0], "password": self.ext_pg_creds[1],
            },
            "postgresql": {"enabled": self.pg, "global": {"postgresql": {"auth": pg_auth}}},
            "externalRedis": {
                "enabled": r.enabled, "host": r.host, "port": port, "username": r.username,
                "password": r.password, "useSSL": r.ssl,
            },
            "redis": {"enabled": self.redis, "auth": redis_auth},
            "weaviate": {"enabled": self.weaviate, "authentication": {"apikey": {"allowed_keys": self.weaviate_keys}}},
        });
        for (i, (key, fields, _, plugin)) in STORAGE.iter().enumerate() {
            let p = &self.storage[i];
            let mut o = json!({"enabled": p.enabled});
            for (f, v) in fields.iter().zip(&p.creds) {
                o[*f] = json!(v);
            }
            if plugin.is_some() && p.plugin_bucket {
                o["bucketName"] = json!({"pluginDaemon": "plugin-bucket"});
            }
            root[*key] = o;
        }
        for (i, (key, fields, _)) in VECTOR.iter().enumerate() {
            let p = &self.vector[i];
            let mut o = json!({"enabled": p.enabled});
            for (f, v) in fields.iter().zip(&p.creds) {
                o[*f] = json!(v);
            }
            root[*key] = o;
        }
        if let Some(n) = &self.name_override {
            root["nameOverride"] = json!(n);
        }
        if let Some(n) = &self.fullname_override {
            root["fullnameOverride"] = json!(n);
        }
        root
    }

    /// The values file: block YAML whose every key and string is a
    /// JSON-quoted (double-quoted YAML) scalar.
    fn values_yaml(&self) -> String {
        let mut out = String::new();
        let Json::Object(m) = self.values() else {
            unreachable!()
        };
        emit_map(&m, 0, &mut out);
        out
    }

    /// Every credential: values that only plain Secrets may hold.
    fn credentials_mut(&mut self) -> Vec<&mut String> {
        let mut c: Vec<&mut String> = vec![
            &mut self.secret_key,
            &mut self.sandbox_key,
            &mut self.redis_password,
        ];
        c.extend(self.mail.iter_mut());
        c.extend(self.plugin_keys.iter_mut());
        c.extend(self.ext_pg_creds.iter_mut());
        c.extend(self.pg_auth.iter_mut());
        let r = &mut self.ext_redis;
        c.extend([&mut r.username, &mut r.password, &mut r.host]);
        for p in self.storage.iter_mut().chain(self.vector.iter_mut()) {
            c.extend(p.creds.iter_mut());
        }
        c.extend(self.weaviate_keys.iter_mut());
        c
    }

    /// The same scenario with every non-empty credential replaced by a
    /// distinct marker (emptiness decides what renders, so it is kept).
    fn with_markers(&self) -> (Scenario, Vec<String>) {
        let mut copy = self.clone();
        let mut markers = Vec::new();
        for (n, c) in copy.credentials_mut().into_iter().enumerate() {
            if !c.is_empty() {
                *c = format!("PLAINTEXT-{n:02}-MARKER");
                markers.push(c.clone());
            }
        }
        (copy, markers)
    }
}

fn s(x: &str) -> Value {
    Value::String(x.to_owned())
}

fn map(entries: Vec<(&str, Value)>) -> Value {
    Value::Map(
        entries
            .into_iter()
            .map(|(k, v)| (k.to_owned(), v))
            .collect(),
    )
}

// ---------------------------------------------------------------------------
// YAML text of the values
// ---------------------------------------------------------------------------

/// A JSON string, which is a YAML double-quoted scalar, with the characters
/// that serde_json leaves raw but a YAML reader would not keep (DEL, C1
/// controls including NEL, LS, PS, BOM) written as `\uXXXX` — an escape both
/// languages share.
fn yq(s: &str) -> String {
    let json = serde_json::to_string(s).expect("a string serializes");
    let mut out = String::with_capacity(json.len());
    for c in json.chars() {
        match c as u32 {
            0x7f..=0x9f | 0x2028 | 0x2029 | 0xfeff => out.push_str(&format!("\\u{:04x}", c as u32)),
            _ => out.push(c),
        }
    }
    out
}

fn emit_map(m: &serde_json::Map<String, Json>, indent: usize, out: &mut String) {
    let pad = " ".repeat(indent);
    for (k, v) in m {
        out.push_str(&pad);
        out.push_str(&yq(k));
        out.push(':');
        match v {
            Json::Object(inner) if !inner.is_empty() => {
                out.push('\n');
                emit_map(inner, indent + 2, out);
            }
            Json::Object(_) => out.push_str(" {}\n"),
            Json::Array(items) if items.is_empty() => out.push_str(" []\n"),
            Json::Array(items) => {
                out.push('\n');
                for item in items {
                    out.push_str(&pad);
                    out.push_str("  - ");
                    out.push_str(&scalar(item));
                    out.push('\n');
                }
            }
            other => {
                out.push(' ');
                out.push_str(&scalar(other));
                out.push('\n');
            }
        }
    }
}

fn scalar(v: &Json) -> String {
    match v {
        Json::String(s) => yq(s),
        other => other.to_string(),
    }
}

/// JSON as difyx reads the same values (every number a float).
fn json_to_value(v: &Json) -> Value {
    match v {
        Json::Null => Value::Null,
        Json::Bool(b) => Value::Bool(*b),
        Json::Number(n) => Value::Float(n.as_f64().expect("finite")),
        Json::String(s) => Value::String(s.clone()),
        Json::Array(l) => Value::List(l.iter().map(json_to_value).collect()),
        Json::Object(m) => Value::Map(
            m.iter()
                .map(|(k, v)| (k.clone(), json_to_value(v)))
                .collect(),
        ),
    }
}

/// `s` written with [`yq`] reads back as `s` (as a value).
fn value_round_trips(s: &str) -> bool {
    matches!(parse_values(&format!("k: {}\n", yq(s)), "rt"), Ok(m) if m.len() == 1 && m.get("k") == Some(&Value::String(s.to_owned())))
}

/// `k` written with [`yq`] reads back as `k` (as a mapping key).
fn key_round_trips(k: &str) -> bool {
    matches!(parse_values(&format!("{}: 1\n", yq(k)), "rt"), Ok(m) if m.len() == 1 && m.contains_key(k))
}

// ---------------------------------------------------------------------------
// Strategies
// ---------------------------------------------------------------------------

/// Pieces of hostile strings.
const ATOMS: &[&str] = &[
    "\n",
    "---",
    "\n---\n",
    "\n...\n",
    "--- ",
    ": ",
    " #",
    "#",
    "\"",
    "'",
    "\\",
    "*",
    "&",
    "!",
    "%",
    "@",
    "`",
    "{",
    "}",
    "[",
    "]",
    ",",
    "?",
    "|",
    ">",
    "-",
    "<<",
    "~",
    "=",
    "<no value>",
    "{{ .X }}",
    "{{",
    "}}",
    "\0",
    "\x01",
    "\x07",
    "\x08",
    "\x0b",
    "\x0c",
    "\x1b",
    "\x7f",
    "\u{80}",
    "\u{85}",
    "\u{9f}",
    "\u{a0}",
    "\u{2028}",
    "\u{2029}",
    "\u{feff}",
    "\u{fffd}",
    "\u{202e}",
    "\t",
    "\r",
    "\r\n",
    " ",
    "  ",
    "ü",
    "ß",
    "☃",
    "😀",
    "µ",
    "yes",
    "No",
    "null",
    "true",
    "007",
    "1e3",
    "0x1F",
    ".inf",
    "dify/api",
    "secret_key",
    "a",
    "Z9",
    "%!s(<nil>)",
    "map[p:q]",
    "redis://u:p@h:1/1",
];

fn atom() -> BoxedStrategy<String> {
    prop_oneof![
        6 => select(ATOMS).prop_map(str::to_owned),
        2 => "[a-zA-Z0-9_./-]{1,12}",
        1 => any::<char>().prop_map(String::from),
    ]
    .boxed()
}

/// `unit` repeated to at least `len` bytes.
fn repeat_to(unit: String, len: usize) -> String {
    let unit = if unit.is_empty() {
        "x".to_owned()
    } else {
        unit
    };
    unit.repeat(len.div_ceil(unit.len()))
}

/// Any hostile string, possibly empty, up to a few KB.
fn hostile() -> BoxedStrategy<String> {
    prop_oneof![
        10 => vec(atom(), 0..8).prop_map(|v| v.concat()),
        1 => (vec(atom(), 1..4), 256usize..4096).prop_map(|(v, len)| repeat_to(v.concat(), len)),
        1 => any::<String>(),
    ]
    .prop_filter("must round-trip through a YAML double-quoted scalar", |s| {
        value_round_trips(s)
    })
    .boxed()
}

/// A hostile string that is not empty.
fn hostile_nonempty() -> BoxedStrategy<String> {
    prop_oneof![
        10 => vec(atom(), 1..8).prop_map(|v| v.concat()),
        1 => (vec(atom(), 1..4), 256usize..4096).prop_map(|(v, len)| repeat_to(v.concat(), len)),
    ]
    .prop_filter("must round-trip through a YAML double-quoted scalar", |s| {
        value_round_trips(s)
    })
    .boxed()
}

/// A hostile mapping key (short: YAML limits implicit keys to 1024 chars).
fn hostile_key() -> BoxedStrategy<String> {
    vec(atom(), 1..6)
        .prop_map(|v| v.concat())
        .prop_filter("must round-trip as a YAML mapping key", |k| {
            key_round_trips(k)
        })
        .boxed()
}

fn dns_name() -> BoxedStrategy<String> {
    "[a-z0-9]([-a-z0-9]{0,14}[a-z0-9])?(\\.[a-z0-9]{1,6})?".boxed()
}

/// Helm-valid release names (the CLI checks them before the pipeline).
fn release() -> BoxedStrategy<String> {
    prop_oneof![
        3 => "[a-z0-9]([-a-z0-9]{0,10}[a-z0-9])?",
        1 => select(vec!["dify", "my-dify-prod", "release-name", "true", "1e3", "007", "null", "a.b", "redis"])
            .prop_map(str::to_owned),
        1 => Just("r".repeat(53)),
    ]
    .boxed()
}

fn namespace() -> BoxedStrategy<String> {
    prop_oneof![
        6 => "[a-z0-9]([-a-z0-9]{0,10}[a-z0-9])?",
        1 => select(vec!["007", "null", "true", "1e3", "default"]).prop_map(str::to_owned),
        1 => hostile(),
    ]
    .boxed()
}

/// nameOverride / fullnameOverride / existingSecret: absent, valid, edge or hostile.
fn opt_name() -> BoxedStrategy<Option<String>> {
    prop_oneof![
        4 => Just(None),
        4 => "[a-z]([-a-z0-9]{0,10}[a-z0-9])?".prop_map(Some),
        1 => select(vec!["", "foo-", "foo--", "Dify", "a_b", "dify.", "ünï"]).prop_map(|s| Some(s.to_owned())),
        1 => ("[a-z]{1,3}", 55usize..70).prop_map(|(u, n)| Some(repeat_to(format!("{u}-"), n))),
        1 => hostile().prop_map(Some),
    ]
    .boxed()
}

fn store_name() -> BoxedStrategy<String> {
    prop_oneof![6 => dns_name(), 1 => hostile(), 1 => Just(String::new())].boxed()
}

fn store_kind() -> BoxedStrategy<String> {
    prop_oneof![
        10 => select(vec!["SecretStore", "ClusterSecretStore"]).prop_map(str::to_owned),
        1 => hostile(),
    ]
    .boxed()
}

fn refresh() -> BoxedStrategy<Option<String>> {
    prop_oneof![
        4 => Just(None),
        8 => select(vec!["15m", "1h30m", "1.5h", ".5h", "1.h", "-1h", "0", "0s", "2562047h", "1µs", "1μs", "300ms", "1h0m0s"])
            .prop_map(|s| Some(s.to_owned())),
        1 => Just(Some(String::new())),
        1 => hostile().prop_map(Some),
    ]
    .boxed()
}

fn remote_key() -> BoxedStrategy<String> {
    prop_oneof![12 => hostile_nonempty(), 1 => Just(String::new())].boxed()
}

fn service(i: usize) -> BoxedStrategy<Service> {
    let key = prop_oneof![
        3 => select(KEYS[i]).prop_map(str::to_owned),
        2 => hostile_key(),
    ];
    let entry = prop_oneof![
        8 => (remote_key(), prop_oneof![3 => hostile().prop_map(Some), 1 => Just(None)])
            .prop_map(|(key, property)| Entry::Ref(RemoteRef { key, property })),
        1 => Just(Entry::Null),
    ];
    (weighted(0.8), refresh(), btree_map(key, entry, 0..4))
        .prop_map(|(enabled, refresh, refs)| Service {
            enabled,
            refresh,
            refs,
        })
        .boxed()
}

fn providers(arities: Vec<usize>) -> BoxedStrategy<Vec<Provider>> {
    arities
        .into_iter()
        .map(|n| {
            (weighted(0.25), any::<bool>(), vec(hostile(), n))
                .prop_map(|(enabled, plugin_bucket, creds)| Provider {
                    enabled,
                    plugin_bucket,
                    creds,
                })
                .boxed()
        })
        .collect::<Vec<_>>()
        .boxed()
}

fn port() -> BoxedStrategy<Port> {
    prop_oneof![
        3 => select(vec![6379u32, 1, 6380, 65535, 1_000_000]).prop_map(Port::Number),
        1 => hostile().prop_map(Port::Text),
    ]
    .boxed()
}

fn scenario() -> impl Strategy<Value = Scenario> {
    let naming = (release(), namespace(), opt_name(), opt_name());
    let eso = (
        weighted(0.7),
        select(vec![None, Some(ESO_V1), Some(ESO_V1BETA1)]),
        store_name(),
        store_kind(),
    );
    let services = (
        service(0),
        service(1),
        service(2),
        service(3),
        service(4),
        service(5),
    );
    let app = (
        hostile(),
        prop_oneof![2 => Just("resend".to_owned()), 2 => Just("smtp".to_owned()), 1 => hostile()],
        vec(hostile(), 3),
        weighted(0.7),
        hostile(),
        weighted(0.7),
        vec(hostile(), 2),
    );
    let ext_redis = (
        weighted(0.3),
        hostile(),
        hostile(),
        hostile(),
        port(),
        any::<bool>(),
    )
        .prop_map(
            |(enabled, username, password, host, port, ssl)| ExternalRedis {
                enabled,
                username,
                password,
                host,
                port,
                ssl,
            },
        );
    let db = (
        weighted(0.3),
        vec(hostile(), 2),
        weighted(0.7),
        vec(hostile(), 3),
        opt_name(),
        ext_redis,
        weighted(0.7),
        weighted(0.8),
        prop_oneof![1 => Just(String::new()), 2 => hostile()],
        opt_name(),
    );
    let stores = (
        providers(STORAGE.iter().map(|p| p.1.len()).collect()),
        providers(VECTOR.iter().map(|p| p.1.len()).collect()),
        weighted(0.7),
        vec(hostile(), 1..3),
    );
    (naming, eso, services, app, db, stores).prop_map(
        |(
            (release, namespace, name_override, fullname_override),
            (eso, api_version, store_name, store_kind),
            (s0, s1, s2, s3, s4, s5),
            (secret_key, mail_type, mail, sandbox, sandbox_key, plugin, plugin_keys),
            (
                ext_pg,
                ext_pg_creds,
                pg,
                pg_auth,
                pg_existing,
                ext_redis,
                redis,
                redis_auth,
                redis_password,
                redis_existing,
            ),
            (storage, vector, weaviate, weaviate_keys),
        )| Scenario {
            release,
            namespace,
            name_override,
            fullname_override,
            eso,
            api_version,
            store_name,
            store_kind,
            services: vec![s0, s1, s2, s3, s4, s5],
            secret_key,
            mail_type,
            mail,
            sandbox,
            sandbox_key,
            plugin,
            plugin_keys,
            ext_pg,
            ext_pg_creds,
            pg,
            pg_auth,
            pg_existing,
            ext_redis,
            redis,
            redis_auth,
            redis_password,
            redis_existing,
            storage,
            vector,
            weaviate,
            weaviate_keys,
        },
    )
}

// ---------------------------------------------------------------------------
// Running
// ---------------------------------------------------------------------------

/// Cases per property: `PROPTEST_CASES`, default 10 000.
/// `PROPTEST_CASES`, else 10 000 in an optimised build (CI runs this file
/// with `--profile proptest`) and 500 in a plain debug `cargo test`.
fn cases() -> u32 {
    let default = if cfg!(debug_assertions) { 500 } else { 10_000 };
    std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// Runs `test` over generated scenarios; failures persist in `regressions`.
fn run_property(
    name: &str,
    regressions: &'static str,
    test: impl Fn(&Fixture<'_>, &Scenario) -> Result<(), TestCaseError>,
) {
    let chart = Model::new();
    let engine = Engine::new(&chart.chart).expect("the embedded chart parses");
    let fixture = Fixture {
        chart: &chart,
        engine: &engine,
        ok: AtomicUsize::new(0),
        failed: AtomicUsize::new(0),
    };
    let config = Config {
        cases: cases(),
        max_local_rejects: 1 << 24,
        max_global_rejects: 1 << 16,
        failure_persistence: Some(Box::new(FileFailurePersistence::Direct(regressions))),
        ..Config::default()
    };
    let mut runner = TestRunner::new(config);
    let start = Instant::now();
    let result = runner.run(&scenario(), |sc| test(&fixture, &sc));
    eprintln!(
        "{name}: {} cases in {:.1?} ({} renders succeeded, {} failed)",
        cases(),
        start.elapsed(),
        fixture.ok.load(Ordering::Relaxed),
        fixture.failed.load(Ordering::Relaxed)
    );
    match result {
        Ok(()) => {}
        Err(TestError::Fail(reason, sc)) => {
            panic!(
                "{name} failed: {reason}\n\nminimal scenario: {sc:#?}\n\nvalues file:\n{}",
                sc.values_yaml()
            )
        }
        Err(TestError::Abort(reason)) => panic!("{name} aborted: {reason}"),
    }
}

struct Fixture<'a> {
    chart: &'a Model,
    engine: &'a Engine<'a>,
    /// Renders that succeeded and that failed, for the summary line.
    ok: AtomicUsize,
    failed: AtomicUsize,
}

impl Fixture<'_> {
    /// The whole pipeline over the scenario's values file, release and namespace.
    fn render(&self, sc: &Scenario) -> Result<Output, pipeline::Error> {
        let user = UserValues::file("values.yaml", sc.values_yaml());
        let opts = Options::new(Release::install(sc.release.clone(), sc.namespace.clone()));
        let result = pipeline::template_with(self.engine, &self.chart.chart, &user, &opts);
        let counter = if result.is_ok() {
            &self.ok
        } else {
            &self.failed
        };
        counter.fetch_add(1, Ordering::Relaxed);
        result
    }
}

/// The documents of a stream as (source, body), checking Helm's framing:
/// every document is `---`, `# Source: …`, body; nothing before the first.
fn split_stream(text: &str) -> Result<Vec<(String, String)>, String> {
    let mut docs: Vec<(String, String)> = Vec::new();
    let mut lines = text.split_inclusive('\n').peekable();
    if text == "\n" {
        return Ok(docs);
    }
    while let Some(line) = lines.next() {
        let marker =
            line.trim_end() == "---" || line.starts_with("--- ") || line.trim_end() == "...";
        if marker {
            let source = lines
                .next()
                .and_then(|l| l.strip_prefix("# Source: "))
                .ok_or_else(|| {
                    format!("a document marker not followed by `# Source:` in\n{text}")
                })?;
            docs.push((source.trim_end().to_owned(), String::new()));
        } else {
            let Some(doc) = docs.last_mut() else {
                return Err(format!("text before the first document: {line:?}"));
            };
            doc.1.push_str(line);
        }
    }
    Ok(docs)
}

/// Suffix of `validate`'s warnings about values the API server will refuse.
const REFUSED: &str = "; the API server will refuse this document";

/// Checks that `warnings` hold exactly one refusal per predicted (source, path).
fn check_refusals(
    warnings: &[String],
    predicted: &BTreeSet<(String, String)>,
) -> Result<(), TestCaseError> {
    let refusals: Vec<&String> = warnings.iter().filter(|w| w.ends_with(REFUSED)).collect();
    for (source, path) in predicted {
        let found = refusals
            .iter()
            .any(|w| w.starts_with(&format!("{source} (")) && w.contains(&format!("): {path}: ")));
        prop_assert!(found, "no warning for {} {}: {:#?}", source, path, refusals);
    }
    prop_assert_eq!(
        refusals.len(),
        predicted.len(),
        "unexpected refusals: {:#?}",
        refusals
    );
    for w in &refusals {
        prop_assert!(!w.contains('\n'), "a warning spans lines: {:?}", w);
    }
    Ok(())
}

/// Property (a).
fn check_render(f: &Fixture<'_>, sc: &Scenario) -> Result<(), TestCaseError> {
    let text = sc.values_yaml();
    // The generator's own check: difyx reads the values file as written.
    let parsed = parse_values(&text, "values.yaml")
        .map_err(|e| TestCaseError::fail(format!("values do not parse: {e}")))?;
    prop_assert_eq!(
        Value::Map(parsed),
        json_to_value(&sc.values()),
        "the values file reads back differently"
    );

    let must = sc.must_fail(f.chart);
    let predicted = sc.predicted_violations(f.chart);
    match f.render(sc) {
        Err(pipeline::Error::Invalid(e)) => {
            // KNOWN GAP: the documents' own check catches a value that difyx
            // does not check itself; only the predicted ones may get there.
            let got: BTreeSet<(String, String)> = e
                .violations
                .iter()
                .map(|v| (v.source.clone(), v.path.clone()))
                .collect();
            prop_assert_eq!(got, predicted, "unexpected violations: {}", e);
        }
        Err(e) => {
            let msg = e.to_string();
            match &e {
                pipeline::Error::Render(r) => prop_assert!(!r.chart_bug, "a chart bug: {}", msg),
                pipeline::Error::Values(_) | pipeline::Error::Set(_) => {
                    prop_assert!(false, "the values file was misread: {}", msg)
                }
                pipeline::Error::Manifest(_) => {
                    prop_assert!(false, "the output does not split/parse: {}", msg)
                }
                _ => {}
            }
            let allowed = sc.invalid_paths(f.chart);
            prop_assert!(
                !allowed.is_empty(),
                "unexpected error (no value is invalid): {}",
                msg
            );
            prop_assert!(
                allowed.iter().any(|p| msg.contains(p.as_str())),
                "the error names none of {:?}: {}",
                allowed,
                msg
            );
        }
        Ok(out) => {
            prop_assert!(must.is_empty(), "rendered although {:?} should fail", must);
            prop_assert!(
                predicted.is_empty(),
                "rendered although the output breaks {:?}",
                predicted
            );
            let docs = sc.docs();
            let split = split_stream(&out.text).map_err(TestCaseError::fail)?;
            let got: Vec<&str> = split.iter().map(|(s, _)| s.as_str()).collect();
            let want: Vec<String> = docs.iter().map(|d| Scenario::source(*d)).collect();
            prop_assert_eq!(&got, &want, "documents differ");
            prop_assert_eq!(out.manifests.len(), docs.len());
            for (doc, (source, body)) in docs.iter().zip(&split) {
                let tree = parse_document(body, source)
                    .map_err(|e| TestCaseError::fail(format!("{source}: {e}")))?;
                match doc {
                    Doc::Es(i) => {
                        prop_assert_eq!(&tree, &sc.expected_es(f.chart, *i), "{} differs", source)
                    }
                    Doc::Secret(c) => {
                        let (want_tree, want_data) = sc.expected_secret(c);
                        let Value::Map(mut m) = tree else {
                            return Err(TestCaseError::fail("not a mapping"));
                        };
                        let Some(Value::Map(data)) = m.remove("data") else {
                            return Err(TestCaseError::fail(format!("{source}: no data")));
                        };
                        prop_assert_eq!(&Value::Map(m), &want_tree, "{} differs", source);
                        let mut got_data = BTreeMap::new();
                        for (k, v) in data {
                            let Value::String(b64) = v else {
                                return Err(TestCaseError::fail(format!("{k}: not a string")));
                            };
                            let bytes = STANDARD
                                .decode(&b64)
                                .map_err(|e| TestCaseError::fail(format!("{k}: {e}")))?;
                            let text = String::from_utf8(bytes)
                                .map_err(|e| TestCaseError::fail(format!("{k}: {e}")))?;
                            got_data.insert(k, text);
                        }
                        prop_assert_eq!(&got_data, &want_data, "{} data differ", source);
                    }
                }
            }
        }
    }
    Ok(())
}

/// The base64 texts that any encoding of a string holding `m` contains,
/// whatever the offset of `m` (one per offset modulo 3).
fn base64_fragments(m: &str) -> Vec<String> {
    (0..3)
        .map(|offset| {
            let padded = format!("{}{m}", "\0".repeat(offset));
            let enc = STANDARD.encode(padded.as_bytes());
            let start = 4 * offset.div_ceil(3);
            enc[start..start + 16].to_owned()
        })
        .collect()
}

/// Property (b).
fn check_no_leak(f: &Fixture<'_>, sc: &Scenario) -> Result<(), TestCaseError> {
    let Ok(out) = f.render(sc) else { return Ok(()) };
    let (marked, markers) = sc.with_markers();
    let marked_out = f
        .render(&marked)
        .map_err(|e| TestCaseError::fail(format!("the marked render failed: {e}")))?;
    let es = |o: &Output| -> Vec<(String, String)> {
        o.manifests
            .iter()
            .filter(|m| m.kind == "ExternalSecret")
            .map(|m| (m.source.clone(), m.body.clone()))
            .collect()
    };
    // The ExternalSecrets do not depend on any credential...
    prop_assert_eq!(
        es(&out),
        es(&marked_out),
        "ExternalSecrets depend on credential values"
    );
    // ...and hold none of them, plain or base64-encoded.
    let fragments: Vec<(String, Vec<String>)> = markers
        .iter()
        .map(|m| (m.clone(), base64_fragments(m)))
        .collect();
    for (source, body) in es(&marked_out) {
        for (m, b64) in &fragments {
            prop_assert!(
                !body.contains(m.as_str()),
                "{} holds credential {}",
                source,
                m
            );
            for frag in b64 {
                prop_assert!(
                    !body.contains(frag.as_str()),
                    "{} holds credential {} base64-encoded",
                    source,
                    m
                );
            }
        }
    }
    // With no plain Secret at all, nothing in the output depends on a credential.
    if marked_out.manifests.iter().all(|m| m.kind != "Secret") {
        prop_assert_eq!(
            &out.text,
            &marked_out.text,
            "the output depends on credential values"
        );
        for (m, b64) in &fragments {
            prop_assert!(
                !marked_out.text.contains(m.as_str()),
                "the output holds credential {}",
                m
            );
            for frag in b64 {
                prop_assert!(
                    !marked_out.text.contains(frag.as_str()),
                    "the output holds credential {} base64-encoded",
                    m
                );
            }
        }
    }
    Ok(())
}

/// Property (c).
fn check_validation(f: &Fixture<'_>, sc: &Scenario) -> Result<(), TestCaseError> {
    let predicted = sc.predicted_violations(f.chart);
    match f.render(sc) {
        Ok(out) => {
            prop_assert!(
                predicted.is_empty(),
                "rendered although the output breaks {:?}",
                predicted
            );
            let refusals = sc.predicted_refusals(f.chart);
            match validate(&out.manifests) {
                Ok(warnings) => check_refusals(&warnings, &refusals)?,
                Err(e) => prop_assert!(false, "the output breaks the rules: {}", e),
            }
            // The pipeline passes those warnings on to the user.
            check_refusals(&out.warnings, &refusals)?;
        }
        Err(pipeline::Error::Invalid(e)) => {
            let got: BTreeSet<(String, String)> = e
                .violations
                .iter()
                .map(|v| (v.source.clone(), v.path.clone()))
                .collect();
            prop_assert_eq!(got, predicted, "unexpected violations: {}", e);
            // The message blames the chart and lists each violation on its own line.
            let text = e.to_string();
            prop_assert!(text.starts_with("internal error: "), "{}", text);
            prop_assert_eq!(text.lines().count(), 1 + e.violations.len(), "{}", text);
        }
        // Any other failure is property (a)'s business; a gap closed by a
        // check on the value itself ends up here.
        Err(_) => {}
    }
    Ok(())
}

#[test]
fn render_fails_cleanly_or_round_trips() {
    run_property(
        "(a) render",
        "tests/proptest-regressions/render.txt",
        check_render,
    );
}

#[test]
fn external_secrets_never_leak_credentials() {
    run_property(
        "(b) no leak",
        "tests/proptest-regressions/no-leak.txt",
        check_no_leak,
    );
}

#[test]
fn output_passes_validation() {
    run_property(
        "(c) validate",
        "tests/proptest-regressions/validate.txt",
        check_validation,
    );
}

/// Every atom, and the worst of them together, survive the values file.
#[test]
fn hostile_atoms_round_trip_through_the_values_file() {
    for a in ATOMS {
        assert!(value_round_trips(a), "{a:?}");
        assert!(key_round_trips(a), "key {a:?}");
    }
    let all = ATOMS.concat();
    assert!(value_round_trips(&all));
    assert!(value_round_trips(&repeat_to(all, 4096)));
}

/// A quoted `"<<"` is an ordinary key for goyaml.v2 (Helm): only a plain
/// `<<` is a merge key (`isMerge` needs an implicit tag).
#[test]
fn quoted_merge_key_is_an_ordinary_key() {
    let m = parse_values("x:\n  \"<<\": {key: a}\n", "values.yaml").unwrap();
    let x = m.get("x").and_then(Value::as_map).unwrap();
    assert!(x.contains_key("<<"), "{x:?}");
}

/// One render of a values file with the embedded chart, release `dify`.
fn render_values(text: &str, namespace: &str) -> Result<Output, pipeline::Error> {
    let user = UserValues::file("values.yaml", text.to_owned());
    let opts = Options::new(Release::install("dify", namespace));
    pipeline::template(&Chart::dify("0.27.0"), &user, &opts)
}

/// Asserts a render fails with an error about `path`, not an internal error.
fn assert_value_error(result: Result<Output, pipeline::Error>, path: &str) {
    let err = result.expect_err("the render should fail");
    assert!(
        !matches!(err, pipeline::Error::Invalid(_)),
        "an internal error for a user's value: {err}"
    );
    assert!(
        err.to_string().contains(path),
        "the error does not name {path}: {err}"
    );
}

/// SPEC §7.0 D1: a store name or a postgresql secretKey that the CRD
/// refuses is emitted faithfully, with a warning that the API server will
/// refuse the document.
#[test]
fn refused_store_names_and_secret_keys_render_with_a_warning() {
    let values = "externalSecret: {enabled: true, secretStore: {name: \"Vault\\n#\"}, \
                  postgresql: {remoteRefs: {\"a b\": {key: x}}}}\n";
    let out = render_values(values, "dify").expect("renders");
    let refused: Vec<&String> = out
        .warnings
        .iter()
        .filter(|w| w.ends_with(REFUSED))
        .collect();
    assert!(
        refused
            .iter()
            .any(|w| w.contains("spec.secretStoreRef.name: \"Vault\\n#\"")),
        "{refused:#?}"
    );
    assert!(
        refused
            .iter()
            .any(|w| w.contains("postgresql-externalsecret.yaml") && w.contains("secretKey")),
        "{refused:#?}"
    );
}

/// `pipeline::template` checks the namespace itself (SPEC §7.0 D4), not only the CLI.
#[test]
fn namespace_is_checked_by_the_pipeline() {
    assert_value_error(
        render_values("externalSecret: {enabled: true}\n", "Dify"),
        "namespace",
    );
}

/// The checks of the model match difyx's own (guards the test itself).
#[test]
fn model_helpers() {
    assert_eq!(cut63(&"a".repeat(70)), "a".repeat(63));
    assert_eq!(cut63("abc--"), "abc-");
    assert_eq!(cut63(&format!("{}é", "a".repeat(62))), "a".repeat(62));
    assert_eq!(eso_ref("SECRET_KEY"), "{{ .SECRET_KEY }}");
    assert_eq!(eso_ref("a\"b"), "{{ index . \"a\\\"b\" }}");
    assert_eq!(base64_fragments("PLAINTEXT-00-MARKER").len(), 3);
    let m = "PLAINTEXT-00-MARKER";
    for prefix in ["", "x", "xy", "redis://:"] {
        let enc = STANDARD.encode(format!("{prefix}{m}@host"));
        assert!(
            base64_fragments(m).iter().any(|f| enc.contains(f.as_str())),
            "{prefix}"
        );
    }
}
