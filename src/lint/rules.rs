//! The lint rules: one small pure function per rule over a [`Context`].
//!
//! A rule reads the user's own values (`user`, before the chart defaults),
//! the chart defaults and the final values, and returns [`Finding`]s. Rules
//! never render; the one render `difyx lint` does is in the context, and
//! its error and warnings become findings here too (DFX001–DFX004), except
//! where a value rule already reports the same thing.
//!
//! Every rule has a stable ID and a short name; `docs/lint.md` documents
//! them (a test checks that the table lists every rule).

use std::collections::BTreeMap;

use serde::Serialize;

use crate::engine::Release;
use crate::pipeline;
use crate::values::gofmt::format_value;
use crate::values::{Map, Value};

/// How bad a finding is. `error` fails `difyx lint`; `warning` fails it
/// with `--strict`; `info` never does.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Error,
    Warning,
    Info,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Info => "info",
        }
    }
}

/// One problem found: the JSON shape of `difyx lint -o json`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Finding {
    /// Stable rule ID, e.g. `DFX010`.
    pub id: &'static str,
    /// The rule's short name, e.g. `unsupported-remote-ref`.
    pub rule: &'static str,
    pub severity: Severity,
    /// Dotted value path at fault (`externalSecret.api.remoteRefs.SECRET_KEY`);
    /// empty when no value is to blame.
    pub path: String,
    pub message: String,
    /// How to fix it.
    pub hint: String,
    /// The values file that sets `path`, if one does.
    pub file: Option<String>,
}

impl Finding {
    pub fn new(rule: &Rule, path: impl Into<String>, message: String, hint: String) -> Self {
        Finding {
            id: rule.id,
            rule: rule.name,
            severity: rule.severity,
            path: path.into(),
            message,
            hint,
            file: None,
        }
    }
}

/// What every rule sees.
pub struct Context {
    /// The user's own values, merged (`UserValues::merged`), before defaults.
    pub user: Map,
    /// The chart's default values.
    pub defaults: Map,
    /// The final values the templates see.
    pub values: Map,
    /// The render, when it succeeded.
    pub rendered: Option<pipeline::Output>,
    pub release: Release,
    /// The chart's name (`dify`), for object names.
    pub chart_name: String,
    /// Why the render failed, when it did.
    pub render_error: Option<String>,
    /// The render's `warning:`s (merge warnings first).
    pub render_warnings: Vec<String>,
    /// Where the values break the chart's `values.schema.json`:
    /// (dotted value path, what is wrong).
    pub schema_violations: Vec<(String, String)>,
    /// The embedded release the chart is (`None` for another chart).
    pub version: Option<&'static crate::chart::ChartVersion>,
}

/// A rule: its ID, name, severity, documentation and check.
pub struct Rule {
    pub id: &'static str,
    pub name: &'static str,
    pub severity: Severity,
    /// What it finds (one line, for docs).
    pub what: &'static str,
    pub check: fn(&Context) -> Vec<Finding>,
}

macro_rules! rule {
    ($id:literal, $name:literal, $sev:ident, $what:literal, $check:expr) => {
        Rule {
            id: $id,
            name: $name,
            severity: Severity::$sev,
            what: $what,
            check: $check,
        }
    };
}

/// Every rule, in ID order.
pub static RULES: &[Rule] = &[
    rule!(
        "DFX001",
        "render-error",
        Error,
        "the values cannot be rendered",
        check_render_error
    ),
    rule!(
        "DFX002",
        "render-warning",
        Warning,
        "a render warning no other rule covers",
        no_check
    ),
    rule!(
        "DFX003",
        "merge-conflict",
        Warning,
        "a value's type conflicts with the chart default's (Helm's merge warning)",
        no_check
    ),
    rule!(
        "DFX004",
        "long-object-name",
        Warning,
        "an object name longer than 63 characters",
        no_check
    ),
    rule!(
        "DFX005",
        "schema-violation",
        Error,
        "a value breaks the chart's values.schema.json",
        schema_violations
    ),
    rule!(
        "DFX010",
        "unsupported-remote-ref",
        Warning,
        "a remoteRefs key the service's ExternalSecret does not support (dropped silently)",
        unsupported_remote_refs
    ),
    rule!(
        "DFX011",
        "misspelt-remote-ref",
        Error,
        "a remoteRefs key that is a case or spelling slip of a supported key",
        misspelt_remote_refs
    ),
    rule!(
        "DFX012",
        "unmentioned-default-ref",
        Info,
        "a default remoteRef you never mentioned is still fetched",
        unmentioned_default_refs
    ),
    rule!(
        "DFX013",
        "unused-database-ref",
        Warning,
        "an extra postgresql/redis remoteRef that never reaches the Secret",
        unused_database_refs
    ),
    rule!(
        "DFX014",
        "empty-remote-ref",
        Warning,
        "a remoteRef that is an empty map or a falsy value",
        empty_remote_refs
    ),
    rule!(
        "DFX015",
        "externalsecret-config-ignored",
        Warning,
        "ExternalSecret settings for a service whose ExternalSecret does not render",
        config_ignored
    ),
    rule!(
        "DFX016",
        "default-secret-store",
        Info,
        "ExternalSecrets read from the chart's placeholder store name",
        default_secret_store
    ),
    rule!(
        "DFX020",
        "shared-secret-split",
        Error,
        "services that must share a secret fetch it from different remote refs",
        shared_secret_split
    ),
    rule!(
        "DFX021",
        "mixed-secret-source",
        Warning,
        "one service reads shared secrets from the store, another from values",
        mixed_secret_source
    ),
    rule!(
        "DFX022",
        "shared-secret-missing",
        Warning,
        "one service's ExternalSecret lacks a secret the others fetch",
        shared_secret_missing
    ),
    rule!(
        "DFX023",
        "credentials-split",
        Warning,
        "api, worker and plugin-daemon fetch DB/Redis credentials from different remote refs",
        credentials_split
    ),
    rule!(
        "DFX030",
        "plaintext-ignored",
        Warning,
        "a plaintext secret in values that no Secret uses, because ExternalSecrets replace them",
        plaintext_ignored
    ),
    rule!(
        "DFX031",
        "default-secret",
        Error,
        "a plain Secret holds one of the chart's publicly known default secrets",
        default_secrets
    ),
    rule!(
        "DFX032",
        "url-reserved-char",
        Warning,
        "a password with URL-reserved characters goes unescaped into CELERY_BROKER_URL",
        url_reserved
    ),
    rule!(
        "DFX033",
        "placeholder-credential",
        Warning,
        "a plain Secret holds one of the chart's placeholder credentials",
        placeholder_credentials
    ),
    rule!(
        "DFX040",
        "database-secret-name",
        Warning,
        "the postgresql/redis ExternalSecret's target is not the Secret the database reads",
        database_secret_name
    ),
    rule!(
        "DFX041",
        "redis-externalsecret-skipped",
        Warning,
        "the redis ExternalSecret you configured does not render",
        redis_externalsecret_skipped
    ),
    rule!(
        "DFX042",
        "redis-externalsecret-without-redis",
        Warning,
        "the redis ExternalSecret renders although redis.enabled is false",
        redis_externalsecret_without_redis
    ),
    rule!(
        "DFX043",
        "empty-externalsecret",
        Error,
        "an ExternalSecret with no data entries",
        empty_externalsecret
    ),
    rule!(
        "DFX050",
        "plugin-daemon-disabled",
        Info,
        "pluginDaemon.enabled is false but its Secret or ExternalSecret still renders",
        plugin_daemon_disabled
    ),
    rule!(
        "DFX051",
        "weaviate-apikey-disabled",
        Warning,
        "weaviate apikey.enabled is false but WEAVIATE_API_KEY is still set",
        weaviate_apikey_disabled
    ),
    rule!(
        "DFX052",
        "redis-host",
        Warning,
        "CELERY_BROKER_URL's built-in Redis host is not the Redis subchart's service",
        redis_host
    ),
    rule!(
        "DFX053",
        "myscale-user",
        Warning,
        "externalMyScaleDB.user is set, but the chart reads externalMyScaleDB.username",
        myscale_user
    ),
    rule!(
        "DFX054",
        "string-boolean",
        Warning,
        "a switch given as a string",
        string_booleans
    ),
    rule!(
        "DFX055",
        "string-false",
        Error,
        "a switch given as the string \"false\" (or no/off/0), which turns it on",
        string_false
    ),
    rule!(
        "DFX060",
        "version-ignored-value",
        Warning,
        "a value the chosen chart version ignores although another version reads it",
        |ctx| versioned_findings(ctx, "DFX060")
    ),
    rule!(
        "DFX061",
        "eso-key-lost",
        Warning,
        "S3/OTLP keys no Secret gets: ExternalSecrets on globally but off for the service",
        |ctx| versioned_findings(ctx, "DFX061")
    ),
    rule!(
        "DFX062",
        "default-ref-feature-off",
        Info,
        "a default remoteRef is fetched although its feature is off",
        |ctx| versioned_findings(ctx, "DFX062")
    ),
    rule!(
        "DFX063",
        "ref-dropped-by-gate",
        Warning,
        "a remoteRef the ExternalSecret drops because its gate is off or the service never carries it",
        |ctx| versioned_findings(ctx, "DFX063")
    ),
];

/// The version diagnostics of rule `id` ([`super::versioned`]).
fn versioned_findings(ctx: &Context, id: &str) -> Vec<Finding> {
    let Some(v) = ctx.version else {
        return Vec::new();
    };
    super::versioned::diagnostics(&ctx.user, &ctx.values, v)
        .into_iter()
        .filter(|d| d.id == id)
        .map(|d| Finding::new(rule(id), d.path, d.message, d.hint))
        .collect()
}

/// The rule with this ID.
pub fn rule(id: &str) -> &'static Rule {
    RULES
        .iter()
        .find(|r| r.id == id)
        .unwrap_or_else(|| panic!("no lint rule {id}"))
}

fn no_check(_: &Context) -> Vec<Finding> {
    Vec::new()
}

/// Every rule's findings plus the render warnings no rule covers.
pub fn check_all(ctx: &Context) -> Vec<Finding> {
    let mut findings: Vec<Finding> = RULES.iter().flat_map(|r| (r.check)(ctx)).collect();
    // The render prints the version diagnostics too; DFX060–DFX063 have them.
    let versioned: Vec<String> = ctx
        .version
        .map(|v| super::versioned::diagnostics(&ctx.user, &ctx.values, v))
        .unwrap_or_default()
        .iter()
        .map(super::versioned::Diagnostic::warning)
        .collect();
    let from_render: Vec<Finding> = ctx
        .render_warnings
        .iter()
        .filter(|w| !versioned.contains(w))
        .map(|w| from_render_warning(w, &ctx.values))
        .filter(|f| !covered(f, &findings))
        .collect();
    findings.extend(from_render);
    findings
}

// ---------------------------------------------------------------------------
// Values helpers

fn get<'a>(m: &'a Map, path: &[&str]) -> Option<&'a Value> {
    let (first, rest) = path.split_first()?;
    let mut cur = m.get(*first)?;
    for key in rest {
        cur = cur.as_map()?.get(*key)?;
    }
    Some(cur)
}

fn get_dotted<'a>(m: &'a Map, path: &str) -> Option<&'a Value> {
    get(m, &path.split('.').collect::<Vec<_>>())
}

fn truthy(m: &Map, path: &[&str]) -> bool {
    get(m, path).is_some_and(Value::is_truthy)
}

/// A value as a user reads it: strings bare, others Go-formatted.
fn text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => format_value(other),
    }
}

/// A non-empty string at `path`.
fn non_empty_str<'a>(m: &'a Map, path: &str) -> Option<&'a str> {
    get_dotted(m, path)
        .and_then(Value::as_str)
        .filter(|s| !s.is_empty())
}

/// "a, b and c".
fn and_list<S: AsRef<str>>(items: &[S]) -> String {
    match items {
        [] => String::new(),
        [one] => one.as_ref().to_owned(),
        [init @ .., last] => format!(
            "{} and {}",
            init.iter()
                .map(|s| s.as_ref())
                .collect::<Vec<_>>()
                .join(", "),
            last.as_ref()
        ),
    }
}

// ---------------------------------------------------------------------------
// The chart's structure (SPEC §4, §5)

/// An ExternalSecret of the chart.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Service {
    /// The key under `externalSecret`: `api`, `pluginDaemon`.
    pub key: &'static str,
    /// The component in names: `api`, `plugin-daemon`.
    pub component: &'static str,
    /// For api/worker/sandbox/plugin-daemon the supported remoteRefs keys
    /// (SPEC §4.5); for postgresql/redis the keys that reach the Secret (§4.6).
    pub keys: &'static [&'static str],
    /// postgresql/redis: every entry goes to spec.data.
    pub database: bool,
}

use crate::chart::dify::{API_KEYS, PLUGIN_DAEMON_KEYS, WORKER_KEYS};

pub const API: Service = Service {
    key: "api",
    component: "api",
    keys: API_KEYS,
    database: false,
};
pub const WORKER: Service = Service {
    key: "worker",
    component: "worker",
    keys: WORKER_KEYS,
    database: false,
};
pub const SANDBOX: Service = Service {
    key: "sandbox",
    component: "sandbox",
    keys: &["API_KEY"],
    database: false,
};
pub const PLUGIN_DAEMON: Service = Service {
    key: "pluginDaemon",
    component: "plugin-daemon",
    keys: PLUGIN_DAEMON_KEYS,
    database: false,
};
pub const POSTGRESQL: Service = Service {
    key: "postgresql",
    component: "postgresql",
    keys: &["postgres-password", "replication-password"],
    database: true,
};
pub const REDIS: Service = Service {
    key: "redis",
    component: "redis",
    keys: &["redis-password"],
    database: true,
};

pub const APP_SERVICES: [Service; 4] = [API, WORKER, SANDBOX, PLUGIN_DAEMON];
pub const SERVICES: [Service; 6] = [API, WORKER, SANDBOX, PLUGIN_DAEMON, POSTGRESQL, REDIS];

fn refs_path(svc: Service) -> String {
    format!("externalSecret.{}.remoteRefs", svc.key)
}

fn ref_path(svc: Service, key: &str) -> String {
    format!("externalSecret.{}.remoteRefs.{key}", svc.key)
}

fn remote_refs(m: &Map, svc: Service) -> Option<&Map> {
    get(m, &["externalSecret", svc.key, "remoteRefs"]).and_then(Value::as_map)
}

/// Whether the service's ExternalSecret renders (SPEC §4.1).
pub fn es_renders(v: &Map, svc: Service) -> bool {
    if !truthy(v, &["externalSecret", "enabled"])
        || !truthy(v, &["externalSecret", svc.key, "enabled"])
    {
        return false;
    }
    match svc.key {
        "sandbox" => truthy(v, &["sandbox", "enabled"]),
        "postgresql" => truthy(v, &["postgresql", "enabled"]),
        "redis" => {
            truthy(v, &["redis", "auth", "enabled"]) && !truthy(v, &["redis", "auth", "password"])
        }
        _ => true,
    }
}

/// Whether the service's plain Secret renders (SPEC §5.1).
pub fn plain_renders(v: &Map, svc: Service) -> bool {
    let es_on = truthy(v, &["externalSecret", "enabled"])
        && truthy(v, &["externalSecret", svc.key, "enabled"]);
    match svc.key {
        "api" | "worker" | "pluginDaemon" => !es_on,
        "sandbox" => truthy(v, &["sandbox", "enabled"]) && !es_on,
        _ => false,
    }
}

/// A remote reference as the ExternalSecret renders it.
#[derive(Clone, Debug, PartialEq)]
pub struct RemoteRef {
    pub key: Option<Value>,
    /// Only when truthy (SPEC §4.3).
    pub property: Option<Value>,
}

impl RemoteRef {
    fn of(entry: &Value) -> RemoteRef {
        RemoteRef {
            key: entry.lookup(["key"]).cloned(),
            property: entry
                .lookup(["property"])
                .filter(|p| p.is_truthy())
                .cloned(),
        }
    }
}

impl std::fmt::Display for RemoteRef {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let key = self.key.as_ref().map_or_else(|| "null".to_owned(), text);
        match &self.property {
            Some(p) => write!(f, "{{key: {key}, property: {}}}", text(p)),
            None => write!(f, "{{key: {key}}}"),
        }
    }
}

/// The entries the service's ExternalSecret puts in spec.data, in order.
pub fn selected_refs(v: &Map, svc: Service) -> Vec<(String, RemoteRef)> {
    let Some(refs) = remote_refs(v, svc) else {
        return Vec::new();
    };
    if svc.database {
        refs.iter()
            .map(|(k, e)| (k.clone(), RemoteRef::of(e)))
            .collect()
    } else {
        svc.keys
            .iter()
            .filter_map(|k| {
                refs.get(*k)
                    .filter(|e| e.is_truthy())
                    .map(|e| ((*k).to_owned(), RemoteRef::of(e)))
            })
            .collect()
    }
}

/// Where one key of a plain Secret comes from.
#[derive(Clone, Debug, PartialEq)]
pub struct Source {
    pub service: Service,
    pub key: &'static str,
    pub path: &'static str,
}

const WEAVIATE_KEYS: &str = "weaviate.authentication.apikey.allowed_keys";

impl Source {
    /// The value that goes into the Secret.
    pub fn value<'a>(&self, v: &'a Map) -> Option<&'a Value> {
        let value = get_dotted(v, self.path)?;
        if self.path == WEAVIATE_KEYS {
            return match value {
                Value::List(l) => l.first(),
                _ => None,
            };
        }
        Some(value)
    }
}

fn db_block(v: &Map) -> Vec<(&'static str, &'static str)> {
    if truthy(v, &["externalPostgres", "enabled"]) {
        vec![
            ("DB_USERNAME", "externalPostgres.username"),
            ("DB_PASSWORD", "externalPostgres.password"),
        ]
    } else if truthy(v, &["postgresql", "enabled"])
        && truthy(v, &["postgresql", "global", "postgresql", "auth"])
    {
        if truthy(
            v,
            &["postgresql", "global", "postgresql", "auth", "username"],
        ) {
            vec![
                ("DB_USERNAME", "postgresql.global.postgresql.auth.username"),
                ("DB_PASSWORD", "postgresql.global.postgresql.auth.password"),
            ]
        } else {
            vec![(
                "DB_PASSWORD",
                "postgresql.global.postgresql.auth.postgresPassword",
            )]
        }
    } else {
        Vec::new()
    }
}

fn redis_block(v: &Map, celery: bool) -> Vec<(&'static str, &'static str)> {
    if truthy(v, &["externalRedis", "enabled"]) {
        let mut out = vec![
            ("REDIS_USERNAME", "externalRedis.username"),
            ("REDIS_PASSWORD", "externalRedis.password"),
        ];
        if celery {
            out.push(("CELERY_BROKER_URL", "externalRedis.username"));
            out.push(("CELERY_BROKER_URL", "externalRedis.password"));
        }
        out
    } else if truthy(v, &["redis", "enabled"]) {
        let mut out = vec![("REDIS_PASSWORD", "redis.auth.password")];
        if celery {
            out.push(("CELERY_BROKER_URL", "redis.auth.password"));
        }
        out
    } else {
        Vec::new()
    }
}

fn storage_block(v: &Map) -> Vec<(&'static str, &'static str)> {
    let providers: [(&str, &[(&'static str, &'static str)]); 7] = [
        (
            "externalS3",
            &[
                ("S3_ACCESS_KEY", "externalS3.accessKey"),
                ("S3_SECRET_KEY", "externalS3.secretKey"),
            ],
        ),
        (
            "externalAzureBlobStorage",
            &[("AZURE_BLOB_ACCOUNT_KEY", "externalAzureBlobStorage.key")],
        ),
        (
            "externalOSS",
            &[
                ("ALIYUN_OSS_ACCESS_KEY", "externalOSS.accessKey"),
                ("ALIYUN_OSS_SECRET_KEY", "externalOSS.secretKey"),
            ],
        ),
        (
            "externalGCS",
            &[(
                "GOOGLE_STORAGE_SERVICE_ACCOUNT_JSON_BASE64",
                "externalGCS.serviceAccountJsonBase64",
            )],
        ),
        (
            "externalCOS",
            &[("TENCENT_COS_SECRET_KEY", "externalCOS.secretKey")],
        ),
        (
            "externalOBS",
            &[
                ("HUAWEI_OBS_ACCESS_KEY", "externalOBS.accessKey"),
                ("HUAWEI_OBS_SECRET_KEY", "externalOBS.secretKey"),
            ],
        ),
        (
            "externalTOS",
            &[("VOLCENGINE_TOS_SECRET_KEY", "externalTOS.secretKey")],
        ),
    ];
    providers
        .iter()
        .find(|(p, _)| truthy(v, &[p, "enabled"]))
        .map(|(_, keys)| keys.to_vec())
        .unwrap_or_default()
}

fn plugin_storage_block(v: &Map) -> Vec<(&'static str, &'static str)> {
    let providers: [(&str, &[(&'static str, &'static str)]); 6] = [
        (
            "externalS3",
            &[
                ("AWS_ACCESS_KEY", "externalS3.accessKey"),
                ("AWS_SECRET_KEY", "externalS3.secretKey"),
            ],
        ),
        (
            "externalOSS",
            &[("ALIYUN_OSS_ACCESS_KEY_SECRET", "externalOSS.secretKey")],
        ),
        (
            "externalGCS",
            &[("GCS_CREDENTIALS", "externalGCS.serviceAccountJsonBase64")],
        ),
        (
            "externalCOS",
            &[("TENCENT_COS_SECRET_KEY", "externalCOS.secretKey")],
        ),
        (
            "externalOBS",
            &[("HUAWEI_OBS_SECRET_KEY", "externalOBS.secretKey")],
        ),
        (
            "externalTOS",
            &[("PLUGIN_VOLCENGINE_TOS_SECRET_KEY", "externalTOS.secretKey")],
        ),
    ];
    providers
        .iter()
        .find(|(p, _)| truthy(v, &[p, "enabled"]) && truthy(v, &[p, "bucketName", "pluginDaemon"]))
        .map(|(_, keys)| keys.to_vec())
        .unwrap_or_default()
}

fn vector_block(v: &Map) -> Vec<(&'static str, &'static str)> {
    let providers: [(&str, &[(&'static str, &'static str)]); 7] = [
        (
            "externalWeaviate",
            &[("WEAVIATE_API_KEY", "externalWeaviate.apiKey")],
        ),
        (
            "externalQdrant",
            &[("QDRANT_API_KEY", "externalQdrant.apiKey")],
        ),
        (
            "externalMilvus",
            &[
                ("MILVUS_TOKEN", "externalMilvus.token"),
                ("MILVUS_USER", "externalMilvus.user"),
                ("MILVUS_PASSWORD", "externalMilvus.password"),
            ],
        ),
        (
            "externalPgvector",
            &[
                ("PGVECTOR_USER", "externalPgvector.username"),
                ("PGVECTOR_PASSWORD", "externalPgvector.password"),
            ],
        ),
        (
            "externalTencentVectorDB",
            &[
                (
                    "TENCENT_VECTOR_DB_USERNAME",
                    "externalTencentVectorDB.username",
                ),
                (
                    "TENCENT_VECTOR_DB_API_KEY",
                    "externalTencentVectorDB.apiKey",
                ),
            ],
        ),
        (
            "externalMyScaleDB",
            &[
                ("MYSCALE_USER", "externalMyScaleDB.username"),
                ("MYSCALE_PASSWORD", "externalMyScaleDB.password"),
            ],
        ),
        (
            "externalTableStore",
            &[
                ("TABLESTORE_ACCESS_KEY_ID", "externalTableStore.accessKeyId"),
                (
                    "TABLESTORE_ACCESS_KEY_SECRET",
                    "externalTableStore.accessKeySecret",
                ),
            ],
        ),
    ];
    if let Some((_, keys)) = providers.iter().find(|(p, _)| truthy(v, &[p, "enabled"])) {
        return keys.to_vec();
    }
    if truthy(v, &["weaviate", "enabled"]) && truthy(v, &["weaviate", "authentication", "apikey"]) {
        return vec![("WEAVIATE_API_KEY", WEAVIATE_KEYS)];
    }
    Vec::new()
}

fn mail_block(v: &Map) -> Vec<(&'static str, &'static str)> {
    match get(v, &["api", "mail", "type"]).and_then(Value::as_str) {
        Some("resend") => vec![("RESEND_API_KEY", "api.mail.resend.apiKey")],
        Some("smtp") => vec![
            ("SMTP_USERNAME", "api.mail.smtp.username"),
            ("SMTP_PASSWORD", "api.mail.smtp.password"),
        ],
        _ => Vec::new(),
    }
}

/// Where every value-fed key of the service's plain Secret comes from, as if
/// that Secret rendered (SPEC §5.2–5.3). Constant keys (`DB_USERNAME:
/// postgres`) are left out.
pub fn plain_keys(v: &Map, svc: Service) -> Vec<(&'static str, &'static str)> {
    let mut keys = Vec::new();
    match svc.key {
        "api" | "worker" => {
            keys.push(("SECRET_KEY", "api.secretKey"));
            if svc.key == "api" && truthy(v, &["sandbox", "enabled"]) {
                keys.push(("CODE_EXECUTION_API_KEY", "sandbox.auth.apiKey"));
            }
            keys.extend(db_block(v));
            keys.extend(redis_block(v, true));
            keys.extend(storage_block(v));
            keys.extend(vector_block(v));
            keys.extend(mail_block(v));
            if truthy(v, &["pluginDaemon", "enabled"]) {
                keys.push(("PLUGIN_DAEMON_KEY", "pluginDaemon.auth.serverKey"));
                keys.push(("INNER_API_KEY_FOR_PLUGIN", "pluginDaemon.auth.difyApiKey"));
            }
        }
        "sandbox" if truthy(v, &["sandbox", "enabled"]) => {
            keys.push(("API_KEY", "sandbox.auth.apiKey"))
        }
        "pluginDaemon" => {
            keys.extend(db_block(v));
            keys.extend(redis_block(v, false));
            keys.extend(plugin_storage_block(v));
            keys.push(("SERVER_KEY", "pluginDaemon.auth.serverKey"));
            keys.push(("DIFY_INNER_API_KEY", "pluginDaemon.auth.difyApiKey"));
        }
        _ => {}
    }
    keys
}

/// Every value-fed key of every plain Secret that renders.
pub fn rendered_sources(v: &Map) -> Vec<Source> {
    APP_SERVICES
        .iter()
        .filter(|s| plain_renders(v, **s))
        .flat_map(|s| {
            plain_keys(v, *s).into_iter().map(|(key, path)| Source {
                service: *s,
                key,
                path,
            })
        })
        .collect()
}

/// The full name of the release's objects (SPEC §3.2).
fn fullname(ctx: &Context) -> String {
    let cut = |s: &str| -> String {
        let mut end = s.len().min(63);
        while !s.is_char_boundary(end) {
            end -= 1;
        }
        s[..end].trim_end_matches('-').to_owned()
    };
    if let Some(f) = get(&ctx.values, &["fullnameOverride"]).filter(|v| v.is_truthy()) {
        return cut(&text(f));
    }
    let base = get(&ctx.values, &["nameOverride"])
        .filter(|v| v.is_truthy())
        .map_or(ctx.chart_name.clone(), text);
    let release = &ctx.release.name;
    cut(&if release.contains(&base) {
        release.clone()
    } else {
        format!("{release}-{base}")
    })
}

/// The name of the service's ExternalSecret (and its target Secret).
fn es_name(ctx: &Context, svc: Service) -> String {
    if let Some(out) = &ctx.rendered {
        let template = format!("templates/{}-externalsecret.yaml", svc.component);
        if let Some(m) = out
            .manifests
            .iter()
            .find(|m| m.template == template && m.kind == "ExternalSecret")
        {
            return m.name.clone();
        }
    }
    let existing = match svc.key {
        "postgresql" => non_empty_str(
            &ctx.values,
            "postgresql.global.postgresql.auth.existingSecret",
        ),
        "redis" => non_empty_str(&ctx.values, "redis.auth.existingSecret"),
        _ => None,
    };
    existing.map_or_else(
        || format!("{}-{}", fullname(ctx), svc.component),
        str::to_owned,
    )
}

// ---------------------------------------------------------------------------
// DFX001–DFX004: the render's own error and warnings

/// The first word of a message, if it is a value path (`a.b.c:` or `a.b.c `).
fn leading_path(message: &str, values: &Map) -> String {
    let token: String = message
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'))
        .collect();
    let rest = &message[token.len()..];
    let first = token.split('.').next().unwrap_or("");
    let looks_like_path = !token.is_empty()
        && (rest.starts_with(':') || rest.starts_with(' '))
        && (values.contains_key(first) || token.contains('.'))
        && !token.ends_with('.');
    if looks_like_path {
        token
    } else {
        String::new()
    }
}

/// DFX001 for a message that stopped the render (or the release check).
pub fn render_error(message: &str, values: &Map) -> Finding {
    Finding::new(
        rule("DFX001"),
        leading_path(message, values),
        message.to_owned(),
        "fix the value named in the message; `difyx template` fails the same way".to_owned(),
    )
}

fn check_render_error(ctx: &Context) -> Vec<Finding> {
    ctx.render_error
        .iter()
        .map(|e| render_error(e, &ctx.values))
        // A schema violation at the same path says it first.
        .filter(|f| f.path.is_empty() || !ctx.schema_violations.iter().any(|(p, _)| *p == f.path))
        .collect()
}

fn schema_violations(ctx: &Context) -> Vec<Finding> {
    ctx.schema_violations
        .iter()
        .map(|(path, message)| {
            let at = if path.is_empty() {
                "the values"
            } else {
                path.as_str()
            };
            Finding::new(
                rule("DFX005"),
                path.clone(),
                format!("{at}: {message} (values.schema.json)"),
                "give the value the type and form the chart's values.schema.json asks for"
                    .to_owned(),
            )
        })
        .collect()
}

/// A render warning as a finding, under the rule that covers its kind.
pub fn from_render_warning(w: &str, values: &Map) -> Finding {
    let merge_path = [
        "skipped value for ",
        "destination for ",
        "cannot overwrite table with non table for ",
    ]
    .iter()
    .find_map(|p| w.strip_prefix(p))
    .map(|rest| {
        let path: String = rest
            .chars()
            .take_while(|c| !c.is_whitespace() && *c != ':')
            .collect();
        path.split_once('.')
            .map_or(path.clone(), |(_, p)| p.to_owned())
    });
    let (id, path, hint) = if let Some(path) = merge_path {
        (
            "DFX003",
            path,
            "give the value the type of the chart default (a map where the chart has a map), or null to delete the default",
        )
    } else if w.contains(" is not a key this ExternalSecret supports") {
        (
            "DFX010",
            leading_path(w, values),
            "remove the key, or use a supported one",
        )
    } else if w.contains(" is fetched but not written to the Secret") {
        (
            "DFX013",
            leading_path(w, values),
            "remove the entry: only the chart's own keys reach the Secret",
        )
    } else if w.contains("contains a character reserved in URLs") {
        (
            "DFX032",
            leading_path(w, values),
            "use a password without @ : / # ? %, or fetch CELERY_BROKER_URL from the store",
        )
    } else if w.contains(" which counts as ") {
        (
            "DFX054",
            leading_path(w, values),
            "write true or false without quotes",
        )
    } else if w.contains("has no data entries") {
        (
            "DFX043",
            String::new(),
            "give the ExternalSecret at least one remoteRef, or switch it off",
        )
    } else if w.starts_with("the redis ExternalSecret renders although redis.enabled is false") {
        (
            "DFX042",
            "redis.enabled".to_owned(),
            "set externalSecret.redis.enabled: false if you use an external Redis",
        )
    } else if w.contains("the object name ") && w.contains(" characters long") {
        (
            "DFX004",
            leading_path(w, values),
            "shorten fullnameOverride, nameOverride or the release name",
        )
    } else {
        ("DFX002", leading_path(w, values), "see the message")
    };
    Finding::new(rule(id), path, w.to_owned(), hint.to_owned())
}

/// Whether a value rule already reports what this render warning says.
fn covered(f: &Finding, findings: &[Finding]) -> bool {
    let ids: &[&str] = match f.id {
        "DFX010" => &["DFX010", "DFX011", "DFX060", "DFX063"],
        "DFX054" => &["DFX054", "DFX055"],
        "DFX013" | "DFX032" => std::slice::from_ref(&f.id),
        // No path in the message: one finding of the rule is enough.
        "DFX043" | "DFX042" => return findings.iter().any(|g| g.id == f.id),
        _ => return false,
    };
    findings
        .iter()
        .any(|g| ids.contains(&g.id) && g.path == f.path)
}

// ---------------------------------------------------------------------------
// DFX010–DFX016: remoteRefs and ExternalSecret settings

/// A supported key this unsupported one is a slip of: same letters in
/// another case or with `-`/`_` differences, or at most two edits away.
fn did_you_mean(key: &str, supported: &[&'static str]) -> Option<&'static str> {
    let norm = |s: &str| {
        s.chars()
            .filter(|c| *c != '_' && *c != '-')
            .collect::<String>()
            .to_ascii_lowercase()
    };
    supported
        .iter()
        .find(|s| norm(s) == norm(key))
        .or_else(|| {
            if key.len() < 5 {
                return None;
            }
            supported
                .iter()
                .find(|s| edit_distance(&s.to_ascii_lowercase(), &key.to_ascii_lowercase()) <= 2)
        })
        .copied()
}

fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1; b.len() + 1];
        for (j, cb) in b.iter().enumerate() {
            cur[j + 1] = (prev[j] + usize::from(ca != *cb))
                .min(prev[j + 1] + 1)
                .min(cur[j] + 1);
        }
        prev = cur;
    }
    prev[b.len()]
}

/// The unsupported keys of each app service's remoteRefs, with a slip's correction.
/// The keys the service's ExternalSecret supports at the checked release.
fn keys_of(ctx: &Context, svc: Service) -> Vec<&'static str> {
    match ctx.version {
        Some(v) => super::versioned::supported_keys(svc.key, v),
        None => svc.keys.to_vec(),
    }
}

fn unsupported_keys(ctx: &Context) -> Vec<(Service, String, Option<&'static str>)> {
    let mut out = Vec::new();
    // Keys another release reads are DFX060's (version-ignored-value).
    let other_release: Vec<String> = super::versioned::readers()
        .into_iter()
        .map(|r| r.path)
        .collect();
    for svc in APP_SERVICES {
        let Some(refs) = remote_refs(&ctx.values, svc) else {
            continue;
        };
        let keys = keys_of(ctx, svc);
        for (key, entry) in refs {
            if keys.contains(&key.as_str())
                || *entry == Value::Null
                || (ctx.version.is_some() && other_release.contains(&ref_path(svc, key)))
                || (ctx.version.is_some()
                    && crate::chart::versions::VERSIONS.iter().any(|o| {
                        super::versioned::supported_keys(svc.key, o).contains(&key.as_str())
                    }))
                || (svc.key == "worker"
                    && key.starts_with("ELASTICSEARCH_")
                    && ctx.version.is_some_and(|v| v.has("eso_v2")))
            {
                continue;
            }
            let slip = did_you_mean(key, &keys);
            // A slip next to the correct key is just a leftover.
            let slip =
                slip.filter(|s| !remote_refs(&ctx.user, svc).is_some_and(|u| u.contains_key(*s)));
            out.push((svc, key.clone(), slip));
        }
    }
    out
}

fn unsupported_remote_refs(ctx: &Context) -> Vec<Finding> {
    unsupported_keys(ctx)
        .into_iter()
        .filter(|(_, _, slip)| slip.is_none())
        .map(|(svc, key, _)| {
            let elsewhere: Vec<String> = APP_SERVICES
                .iter()
                .filter(|o| keys_of(ctx, **o).contains(&key.as_str()))
                .map(|o| format!("externalSecret.{}", o.key))
                .collect();
            let hint = if elsewhere.is_empty() {
                format!("remove it; the {} ExternalSecret supports: {}", svc.component, keys_of(ctx, svc).join(", "))
            } else {
                format!("remove it; {key} is a key of {}", and_list(&elsewhere))
            };
            Finding::new(
                rule("DFX010"),
                ref_path(svc, &key),
                format!(
                    "{key} is not a key the {} ExternalSecret supports: the chart drops it without a word, \
                     so no Secret gets it",
                    svc.component
                ),
                hint,
            )
        })
        .collect()
}

fn misspelt_remote_refs(ctx: &Context) -> Vec<Finding> {
    unsupported_keys(ctx)
        .into_iter()
        .filter_map(|(svc, key, slip)| {
            let good = slip?;
            let default = remote_refs(&ctx.defaults, svc).and_then(|d| d.get(good)).filter(|d| d.is_truthy());
            let consequence = match default {
                Some(d) => format!("the chart's default {} is fetched for {good} instead", RemoteRef::of(d)),
                None => format!("the Secret gets no {good}"),
            };
            Some(Finding::new(
                rule("DFX011"),
                ref_path(svc, &key),
                format!("{key} is not supported and is dropped without a word; did you mean {good}? ({consequence})"),
                format!("rename it to {}", ref_path(svc, good)),
            ))
        })
        .collect()
}

fn unmentioned_default_refs(ctx: &Context) -> Vec<Finding> {
    let mut out = Vec::new();
    for svc in SERVICES {
        if !es_renders(&ctx.values, svc) {
            continue;
        }
        let Some(user) = remote_refs(&ctx.user, svc).filter(|m| !m.is_empty()) else {
            continue;
        };
        let Some(defaults) = remote_refs(&ctx.defaults, svc) else {
            continue;
        };
        let unmentioned: Vec<String> = selected_refs(&ctx.values, svc)
            .into_iter()
            .map(|(key, _)| key)
            .filter(|key| !user.contains_key(key) && defaults.contains_key(key))
            .collect();
        let Some(example) = unmentioned.last() else {
            continue;
        };
        out.push(Finding::new(
            rule("DFX012"),
            refs_path(svc),
            format!(
                "your values list some of the {} remoteRefs, but {} chart {} you never mentioned {} still \
                 fetched, because the defaults are merged in: {}",
                svc.component,
                unmentioned.len(),
                if unmentioned.len() == 1 { "default" } else { "defaults" },
                if unmentioned.len() == 1 { "is" } else { "are" },
                unmentioned.join(", ")
            ),
            format!(
                "keep those the {} needs; set the others to null (least privilege), e.g. {}: null",
                svc.component,
                ref_path(svc, example)
            ),
        ));
    }
    out
}

fn unused_database_refs(ctx: &Context) -> Vec<Finding> {
    let mut out = Vec::new();
    for svc in [POSTGRESQL, REDIS] {
        let Some(refs) = remote_refs(&ctx.values, svc) else {
            continue;
        };
        for key in refs.keys().filter(|k| !svc.keys.contains(&k.as_str())) {
            out.push(Finding::new(
                rule("DFX013"),
                ref_path(svc, key),
                format!(
                    "{key} is fetched by the {} ExternalSecret but never written to its Secret: only {} reach \
                     target.template.data",
                    svc.component,
                    and_list(svc.keys)
                ),
                format!("remove it, or set it to null{}", match did_you_mean(key, svc.keys) {
                    Some(good) => format!(" (did you mean {good}?)"),
                    None => String::new(),
                }),
            ));
        }
    }
    out
}

fn empty_remote_refs(ctx: &Context) -> Vec<Finding> {
    let mut out = Vec::new();
    for svc in APP_SERVICES {
        let Some(user) = remote_refs(&ctx.user, svc) else {
            continue;
        };
        let defaults = remote_refs(&ctx.defaults, svc);
        for (key, entry) in user {
            if !svc.keys.contains(&key.as_str()) || *entry == Value::Null || entry.is_truthy() {
                continue;
            }
            let default = defaults.and_then(|d| d.get(key)).filter(|d| d.is_truthy());
            let (message, hint) = match (entry, default) {
                (Value::Map(_), Some(d)) => (
                    format!(
                        "{key} is an empty map, which keeps the chart's default {}",
                        RemoteRef::of(d)
                    ),
                    "give it a key (and property), or set it to null to drop it".to_owned(),
                ),
                (Value::Map(_), None) => (
                    format!(
                        "{key} is an empty map, so the {} ExternalSecret does not fetch it",
                        svc.component
                    ),
                    "give it a key (and property), or remove it".to_owned(),
                ),
                (other, _) => (
                    format!(
                        "{key} is {} ({}), so the {} ExternalSecret does not fetch it",
                        other.type_name(),
                        text(other),
                        svc.component
                    ),
                    "to drop an entry write null; to fetch it give {key: …, property: …}"
                        .to_owned(),
                ),
            };
            out.push(Finding::new(
                rule("DFX014"),
                ref_path(svc, key),
                message,
                hint,
            ));
        }
    }
    out
}

fn config_ignored(ctx: &Context) -> Vec<Finding> {
    let v = &ctx.values;
    let mut out = Vec::new();
    for svc in SERVICES {
        let Some(user) = get(&ctx.user, &["externalSecret", svc.key]).and_then(Value::as_map)
        else {
            continue;
        };
        let configured: Vec<&str> = ["remoteRefs", "refreshInterval"]
            .into_iter()
            .filter(|k| user.get(*k).is_some_and(Value::is_truthy))
            .collect();
        if configured.is_empty() || es_renders(v, svc) {
            continue;
        }
        // The switch that keeps the ExternalSecret from rendering.
        let switch = if !truthy(v, &["externalSecret", "enabled"]) {
            "externalSecret.enabled".to_owned()
        } else if !truthy(v, &["externalSecret", svc.key, "enabled"]) {
            format!("externalSecret.{}.enabled", svc.key)
        } else if svc.key == "sandbox" || svc.key == "postgresql" {
            format!("{}.enabled", svc.key)
        } else {
            // redis: DFX041 explains it.
            continue;
        };
        out.push(Finding::new(
            rule("DFX015"),
            format!("externalSecret.{}.{}", svc.key, configured[0]),
            format!(
                "externalSecret.{} sets {} but its ExternalSecret does not render: {switch} is off",
                svc.key,
                and_list(&configured),
            ),
            format!("remove the settings, or turn on {switch}"),
        ));
    }
    out
}

fn default_secret_store(ctx: &Context) -> Vec<Finding> {
    let rendering: Vec<&str> = SERVICES
        .iter()
        .filter(|s| es_renders(&ctx.values, **s))
        .map(|s| s.component)
        .collect();
    if rendering.is_empty() || get(&ctx.user, &["externalSecret", "secretStore", "name"]).is_some()
    {
        return Vec::new();
    }
    let Some(name) = non_empty_str(&ctx.values, "externalSecret.secretStore.name") else {
        return Vec::new();
    };
    if non_empty_str(&ctx.defaults, "externalSecret.secretStore.name") != Some(name) {
        return Vec::new();
    }
    vec![Finding::new(
        rule("DFX016"),
        "externalSecret.secretStore.name",
        format!(
            "the {} ExternalSecrets read from the chart's default store name {name:?}; your values never name a store",
            and_list(&rendering)
        ),
        "set externalSecret.secretStore.name (and .kind) to your SecretStore or ClusterSecretStore".to_owned(),
    )]
}

// ---------------------------------------------------------------------------
// DFX020–DFX023: secrets several services must agree on

/// Where a service gets one key from.
#[derive(Clone, Debug, PartialEq)]
enum Resolution {
    /// The service does not run, or gets neither a Secret nor an ExternalSecret.
    Absent,
    Remote(RemoteRef),
    /// Its ExternalSecret renders without this key.
    MissingRemote,
    Plain(&'static str),
    /// Its plain Secret has no such key.
    MissingPlain,
}

fn resolve(v: &Map, svc: Service, key: &str) -> Resolution {
    let runs = match svc.key {
        "sandbox" => truthy(v, &["sandbox", "enabled"]),
        "pluginDaemon" => truthy(v, &["pluginDaemon", "enabled"]),
        _ => true,
    };
    if !runs {
        Resolution::Absent
    } else if es_renders(v, svc) {
        selected_refs(v, svc)
            .into_iter()
            .find(|(k, _)| k == key)
            .map_or(Resolution::MissingRemote, |(_, r)| Resolution::Remote(r))
    } else if plain_renders(v, svc) {
        plain_keys(v, svc)
            .into_iter()
            .find(|(k, _)| *k == key)
            .map_or(Resolution::MissingPlain, |(_, p)| Resolution::Plain(p))
    } else {
        Resolution::Absent
    }
}

/// A group of (service, key) that must resolve to the same secret; the
/// first member is the reference the others are compared with.
struct Group {
    members: &'static [(Service, &'static str)],
    /// Must be equal (else only expected to be).
    shared: bool,
}

const GROUPS: &[Group] = &[
    Group {
        members: &[(API, "SECRET_KEY"), (WORKER, "SECRET_KEY")],
        shared: true,
    },
    Group {
        members: &[(SANDBOX, "API_KEY"), (API, "CODE_EXECUTION_API_KEY")],
        shared: true,
    },
    Group {
        members: &[
            (PLUGIN_DAEMON, "SERVER_KEY"),
            (API, "PLUGIN_DAEMON_KEY"),
            (WORKER, "PLUGIN_DAEMON_KEY"),
        ],
        shared: true,
    },
    Group {
        members: &[
            (PLUGIN_DAEMON, "DIFY_INNER_API_KEY"),
            (API, "INNER_API_KEY_FOR_PLUGIN"),
            (WORKER, "INNER_API_KEY_FOR_PLUGIN"),
        ],
        shared: true,
    },
    Group {
        members: &[
            (API, "DB_USERNAME"),
            (WORKER, "DB_USERNAME"),
            (PLUGIN_DAEMON, "DB_USERNAME"),
        ],
        shared: false,
    },
    Group {
        members: &[
            (API, "DB_PASSWORD"),
            (WORKER, "DB_PASSWORD"),
            (PLUGIN_DAEMON, "DB_PASSWORD"),
        ],
        shared: false,
    },
    Group {
        members: &[
            (API, "REDIS_USERNAME"),
            (WORKER, "REDIS_USERNAME"),
            (PLUGIN_DAEMON, "REDIS_USERNAME"),
        ],
        shared: false,
    },
    Group {
        members: &[
            (API, "REDIS_PASSWORD"),
            (WORKER, "REDIS_PASSWORD"),
            (PLUGIN_DAEMON, "REDIS_PASSWORD"),
        ],
        shared: false,
    },
    Group {
        members: &[(API, "CELERY_BROKER_URL"), (WORKER, "CELERY_BROKER_URL")],
        shared: false,
    },
];

/// DFX020 / DFX023: two members fetch from different remote refs.
fn remote_splits(ctx: &Context, shared: bool) -> Vec<Finding> {
    let v = &ctx.values;
    let mut out = Vec::new();
    for group in GROUPS.iter().filter(|g| g.shared == shared) {
        let resolved: Vec<_> = group
            .members
            .iter()
            .map(|(s, k)| (*s, *k, resolve(v, *s, k)))
            .collect();
        let Some((rs, rk, Resolution::Remote(reference))) = resolved.first() else {
            continue;
        };
        for (s, k, r) in &resolved[1..] {
            let Resolution::Remote(r) = r else { continue };
            if r == reference {
                continue;
            }
            let (id, why) = if shared {
                (
                    "DFX020",
                    "they must hold the same secret, or the services cannot talk to each other",
                )
            } else {
                ("DFX023", "they normally connect with the same credentials")
            };
            out.push(Finding::new(
                rule(id),
                ref_path(*s, k),
                format!(
                    "the {} ExternalSecret fetches {k} from {r}, but the {} ExternalSecret fetches {rk} from \
                     {reference}: {why}",
                    s.component, rs.component
                ),
                format!("point {} and {} at the same key and property", ref_path(*s, k), ref_path(*rs, rk)),
            ));
        }
    }
    out
}

fn shared_secret_split(ctx: &Context) -> Vec<Finding> {
    remote_splits(ctx, true)
}

fn credentials_split(ctx: &Context) -> Vec<Finding> {
    remote_splits(ctx, false)
}

fn mixed_secret_source(ctx: &Context) -> Vec<Finding> {
    let v = &ctx.values;
    // The service reading from values -> (services reading from the store, its keys).
    let mut by_plain: BTreeMap<&'static str, (Service, Vec<&'static str>, Vec<&'static str>)> =
        BTreeMap::new();
    for group in GROUPS {
        let resolved: Vec<_> = group
            .members
            .iter()
            .map(|(s, k)| (*s, *k, resolve(v, *s, k)))
            .collect();
        for (plain, key, r) in &resolved {
            if !matches!(r, Resolution::Plain(_)) {
                continue;
            }
            let remotes: Vec<Service> = resolved
                .iter()
                .filter(|(_, _, o)| matches!(o, Resolution::Remote(_)))
                .map(|(s, _, _)| *s)
                .collect();
            if remotes.is_empty() {
                continue;
            }
            let entry = by_plain
                .entry(plain.key)
                .or_insert((*plain, Vec::new(), Vec::new()));
            for r in remotes {
                if !entry.1.contains(&r.component) {
                    entry.1.push(r.component);
                }
            }
            if !entry.2.contains(key) {
                entry.2.push(key);
            }
        }
    }
    by_plain
        .into_values()
        .map(|(plain, mut remotes, keys)| {
            remotes.sort_unstable();
            Finding::new(
                rule("DFX021"),
                format!("externalSecret.{}.enabled", plain.key),
                format!(
                    "the {} reads {} from your values (its plain Secret), but the {} {} the matching secrets from \
                     the secret store (ExternalSecrets); nothing makes them agree",
                    plain.component,
                    and_list(&keys),
                    and_list(&remotes),
                    if remotes.len() == 1 { "reads" } else { "read" }
                ),
                format!(
                    "turn on the {} ExternalSecret too (externalSecret.{}.enabled: true), or make sure the store \
                     and your values hold the same secrets",
                    plain.component, plain.key
                ),
            )
        })
        .collect()
}

fn shared_secret_missing(ctx: &Context) -> Vec<Finding> {
    let v = &ctx.values;
    let mut out = Vec::new();
    for group in GROUPS {
        let resolved: Vec<_> = group
            .members
            .iter()
            .map(|(s, k)| (*s, *k, resolve(v, *s, k)))
            .collect();
        let holders: Vec<String> = resolved
            .iter()
            .filter(|(_, _, r)| matches!(r, Resolution::Remote(_) | Resolution::Plain(_)))
            .map(|(s, k, _)| format!("the {} ({k})", s.component))
            .collect();
        if holders.is_empty() {
            continue;
        }
        for (s, k, r) in &resolved {
            if *r != Resolution::MissingRemote {
                continue;
            }
            out.push(Finding::new(
                rule("DFX022"),
                ref_path(*s, k),
                format!(
                    "the {} ExternalSecret does not fetch {k}, but {} {} it",
                    s.component,
                    and_list(&holders),
                    if holders.len() == 1 { "gets" } else { "get" }
                ),
                format!(
                    "give {} the same key and property as the others",
                    ref_path(*s, k)
                ),
            ));
        }
    }
    out
}

// ---------------------------------------------------------------------------
// DFX030–DFX033: plaintext secrets

/// Secret values the subcharts read too: never "ignored".
fn read_by_subchart(path: &str) -> bool {
    ["postgresql.", "redis.", "weaviate."]
        .iter()
        .any(|p| path.starts_with(p))
}

fn plaintext_ignored(ctx: &Context) -> Vec<Finding> {
    let v = &ctx.values;
    let used: Vec<&str> = rendered_sources(v).iter().map(|s| s.path).collect();
    let mut consumers: BTreeMap<&'static str, Vec<Service>> = BTreeMap::new();
    for svc in APP_SERVICES {
        for (_, path) in plain_keys(v, svc) {
            let list = consumers.entry(path).or_default();
            if !list.contains(&svc) {
                list.push(svc);
            }
        }
    }
    let mut out = Vec::new();
    for (path, services) in consumers {
        if used.contains(&path) || read_by_subchart(path) || path == WEAVIATE_KEYS {
            continue;
        }
        let Some(value) = non_empty_str(&ctx.user, path) else {
            continue;
        };
        if non_empty_str(&ctx.defaults, path) == Some(value) {
            continue;
        }
        let names: Vec<&str> = services.iter().map(|s| s.component).collect();
        out.push(Finding::new(
            rule("DFX030"),
            path,
            format!(
                "{path} is set, but the {} {} from ExternalSecrets, so the value is ignored",
                and_list(&names),
                if names.len() == 1 { "Secret comes" } else { "Secrets come" }
            ),
            "remove it from your values (keep secrets out of values files) and store it in the secret store".to_owned(),
        ));
    }
    out
}

/// The chart's well-known secrets: anyone can read them in the chart.
const WELL_KNOWN: &[&str] = &[
    "api.secretKey",
    "sandbox.auth.apiKey",
    "pluginDaemon.auth.serverKey",
    "pluginDaemon.auth.difyApiKey",
    "postgresql.global.postgresql.auth.postgresPassword",
    "postgresql.global.postgresql.auth.password",
    "externalPostgres.password",
    "redis.auth.password",
    "externalRedis.password",
    "externalWeaviate.apiKey",
    WEAVIATE_KEYS,
    "externalPgvector.password",
];

/// Placeholders of the chart: not secret, but not working credentials either.
const PLACEHOLDERS: &[&str] = &[
    "api.mail.resend.apiKey",
    "api.mail.smtp.username",
    "api.mail.smtp.password",
    "externalS3.accessKey",
    "externalS3.secretKey",
    "externalAzureBlobStorage.key",
    "externalOSS.accessKey",
    "externalOSS.secretKey",
    "externalCOS.secretKey",
    "externalOBS.accessKey",
    "externalOBS.secretKey",
    "externalTOS.secretKey",
    "externalQdrant.apiKey",
    "externalTencentVectorDB.apiKey",
    "externalTableStore.accessKeyId",
    "externalTableStore.accessKeySecret",
];

/// Each (path, Secrets) whose value in a rendered plain Secret is the chart
/// default, for paths in `list`.
fn defaults_in_secrets(ctx: &Context, list: &[&str]) -> Vec<(&'static str, Vec<&'static str>)> {
    let mut hits: BTreeMap<&'static str, Vec<&'static str>> = BTreeMap::new();
    for src in rendered_sources(&ctx.values) {
        if !list.contains(&src.path) {
            continue;
        }
        let (Some(value), Some(default)) = (src.value(&ctx.values), src.value(&ctx.defaults))
        else {
            continue;
        };
        if value == default && value.is_truthy() {
            let secrets = hits.entry(src.path).or_default();
            if !secrets.contains(&src.service.component) {
                secrets.push(src.service.component);
            }
        }
    }
    hits.into_iter().collect()
}

fn secrets_phrase(components: &[&str]) -> String {
    format!(
        "the {} {}",
        and_list(components),
        if components.len() == 1 {
            "Secret"
        } else {
            "Secrets"
        }
    )
}

fn default_secrets(ctx: &Context) -> Vec<Finding> {
    defaults_in_secrets(ctx, WELL_KNOWN)
        .into_iter()
        .map(|(path, secrets)| {
            Finding::new(
                rule("DFX031"),
                path,
                format!(
                    "{path} is the chart's default, published in the chart for anyone to read, and {} {} it",
                    secrets_phrase(&secrets),
                    if secrets.len() == 1 { "holds" } else { "hold" }
                ),
                if path == "api.secretKey" {
                    "generate your own (openssl rand -base64 42), or fetch it with an ExternalSecret".to_owned()
                } else {
                    "set a strong secret of your own, or fetch it with an ExternalSecret".to_owned()
                },
            )
        })
        .collect()
}

fn placeholder_credentials(ctx: &Context) -> Vec<Finding> {
    defaults_in_secrets(ctx, PLACEHOLDERS)
        .into_iter()
        .map(|(path, secrets)| {
            Finding::new(
                rule("DFX033"),
                path,
                format!(
                    "{path} is the chart's placeholder, and {} will hold it",
                    secrets_phrase(&secrets)
                ),
                "set the real credential, or fetch it with an ExternalSecret".to_owned(),
            )
        })
        .collect()
}

fn url_reserved(ctx: &Context) -> Vec<Finding> {
    let mut hits: BTreeMap<&'static str, Vec<&'static str>> = BTreeMap::new();
    for src in rendered_sources(&ctx.values)
        .into_iter()
        .filter(|s| s.key == "CELERY_BROKER_URL")
    {
        let Some(Value::String(s)) = src.value(&ctx.values) else {
            continue;
        };
        if s.contains(['@', ':', '/', '#', '?', '%']) {
            let secrets = hits.entry(src.path).or_default();
            if !secrets.contains(&src.service.component) {
                secrets.push(src.service.component);
            }
        }
    }
    hits.into_iter()
        .map(|(path, secrets)| {
            Finding::new(
                rule("DFX032"),
                path,
                format!(
                    "{path} contains a character reserved in URLs (@ : / # ? %), and CELERY_BROKER_URL in {} \
                     embeds it unescaped, so Celery may misread the URL",
                    secrets_phrase(&secrets)
                ),
                "use a password without @ : / # ? %, or fetch CELERY_BROKER_URL (percent-encoded) from the store"
                    .to_owned(),
            )
        })
        .collect()
}

// ---------------------------------------------------------------------------
// DFX040–DFX043: the postgresql and redis ExternalSecrets, empty ExternalSecrets

/// The fullname a Bitnami subchart gives its objects (`common.names.fullname`),
/// and the value path that changes it (if any).
fn subchart_fullname(ctx: &Context, subchart: &str) -> (String, &'static str) {
    let v = &ctx.values;
    let release = &ctx.release.name;
    let (full, name): (&'static str, &'static str) = match subchart {
        "postgresql" => ("postgresql.fullnameOverride", "postgresql.nameOverride"),
        _ => ("redis.fullnameOverride", "redis.nameOverride"),
    };
    if let Some(f) = non_empty_str(v, full) {
        return (f.to_owned(), full);
    }
    let (base, path) = match non_empty_str(v, name) {
        Some(n) => (n, name),
        None => (subchart, ""),
    };
    (
        if release.contains(base) {
            release.clone()
        } else {
            format!("{release}-{base}")
        },
        path,
    )
}

/// "collide" when the subchart's own Secret has the ExternalSecret's name.
fn own_secret_phrase(own: &str, target: &str) -> String {
    if own == target {
        format!("its own Secret {own:?} is the very object the ExternalSecret creates, so the two collide")
    } else {
        format!("it uses its own Secret {own:?} and ignores {target:?}, the one the ExternalSecret creates")
    }
}

fn database_secret_name(ctx: &Context) -> Vec<Finding> {
    let v = &ctx.values;
    let mut out = Vec::new();
    if es_renders(v, POSTGRESQL) {
        let target = es_name(ctx, POSTGRESQL);
        let global = non_empty_str(v, "postgresql.global.postgresql.auth.existingSecret");
        let local = non_empty_str(v, "postgresql.auth.existingSecret");
        match (global, local) {
            (None, Some(local)) if local != target => out.push(Finding::new(
                rule("DFX040"),
                "postgresql.auth.existingSecret",
                format!(
                    "the PostgreSQL subchart reads its passwords from Secret {local:?}, but the postgresql \
                     ExternalSecret writes {target:?} (it follows postgresql.global.postgresql.auth.existingSecret only)"
                ),
                format!("set postgresql.global.postgresql.auth.existingSecret: {local:?}"),
            )),
            (None, None) => out.push(Finding::new(
                rule("DFX040"),
                "postgresql.global.postgresql.auth.existingSecret",
                format!(
                    "the postgresql ExternalSecret renders but no existingSecret is set, so the PostgreSQL subchart \
                     keeps its own password Secret: {}",
                    own_secret_phrase(&subchart_fullname(ctx, "postgresql").0, &target)
                ),
                format!("set postgresql.global.postgresql.auth.existingSecret: {target:?}"),
            )),
            _ => {}
        }
        if global.is_some()
            && truthy(
                v,
                &["postgresql", "global", "postgresql", "auth", "username"],
            )
        {
            out.push(Finding::new(
                rule("DFX040"),
                "postgresql.global.postgresql.auth.username",
                format!(
                    "with a custom username the PostgreSQL subchart reads the user's password from key \"password\" \
                     of {target:?}, which the postgresql ExternalSecret does not write (only \
                     postgres-password and replication-password reach the Secret)"
                ),
                "leave the username empty (the apps then connect as postgres), or create the user's password \
                 another way"
                    .to_owned(),
            ));
        }
    }
    // Without the built-in Redis there is no subchart to collide with (DFX042).
    if es_renders(v, REDIS) && truthy(v, &["redis", "enabled"]) {
        let target = es_name(ctx, REDIS);
        if non_empty_str(v, "redis.auth.existingSecret").is_none() {
            out.push(Finding::new(
                rule("DFX040"),
                "redis.auth.existingSecret",
                format!(
                    "the redis ExternalSecret renders but redis.auth.existingSecret is empty, so the Redis subchart \
                     keeps its own password Secret: {}",
                    own_secret_phrase(&subchart_fullname(ctx, "redis").0, &target)
                ),
                format!("set redis.auth.existingSecret: {target:?}"),
            ));
        }
        if let Some(k) = non_empty_str(v, "redis.auth.existingSecretPasswordKey")
            .filter(|k| *k != "redis-password")
        {
            out.push(Finding::new(
                rule("DFX040"),
                "redis.auth.existingSecretPasswordKey",
                format!("the Redis subchart reads key {k:?} of {target:?}, but the redis ExternalSecret writes redis-password"),
                "remove redis.auth.existingSecretPasswordKey (or set it to redis-password)".to_owned(),
            ));
        }
    }
    out
}

fn redis_externalsecret_skipped(ctx: &Context) -> Vec<Finding> {
    let v = &ctx.values;
    let configured = get(&ctx.user, &["externalSecret", "redis"])
        .and_then(Value::as_map)
        .is_some_and(|m| m.iter().any(|(_, x)| x.is_truthy()));
    if !configured
        || es_renders(v, REDIS)
        || !truthy(v, &["externalSecret", "enabled"])
        || !truthy(v, &["externalSecret", "redis", "enabled"])
    {
        return Vec::new();
    }
    let (path, why, hint) = if !truthy(v, &["redis", "auth", "enabled"]) {
        (
            "redis.auth.enabled",
            "redis.auth.enabled is false".to_owned(),
            "turn on redis.auth.enabled, or remove externalSecret.redis".to_owned(),
        )
    } else {
        (
            "redis.auth.password",
            "redis.auth.password is set (the chart renders it only while the password is empty; the default \
             password is not)"
                .to_owned(),
            "set redis.auth.password: \"\" and redis.auth.existingSecret to the ExternalSecret's name, or remove \
             externalSecret.redis"
                .to_owned(),
        )
    };
    vec![Finding::new(
        rule("DFX041"),
        path,
        format!("you configured the redis ExternalSecret, but it does not render: {why}"),
        hint,
    )]
}

fn redis_externalsecret_without_redis(ctx: &Context) -> Vec<Finding> {
    let v = &ctx.values;
    if !es_renders(v, REDIS) || truthy(v, &["redis", "enabled"]) {
        return Vec::new();
    }
    vec![Finding::new(
        rule("DFX042"),
        "redis.enabled",
        "the redis ExternalSecret renders although redis.enabled is false: the chart never looks at redis.enabled \
         (it renders while externalSecret.redis.enabled and redis.auth.enabled are on and redis.auth.password is \
         empty)"
            .to_owned(),
        "set externalSecret.redis.enabled: false if you use an external Redis".to_owned(),
    )]
}

fn empty_externalsecret(ctx: &Context) -> Vec<Finding> {
    SERVICES
        .iter()
        .filter(|s| es_renders(&ctx.values, **s) && selected_refs(&ctx.values, **s).is_empty())
        .map(|s| {
            Finding::new(
                rule("DFX043"),
                refs_path(*s),
                format!(
                    "the {} ExternalSecret {} has no data entries: the Secret it creates will be empty",
                    s.component,
                    es_name(ctx, *s)
                ),
                format!("give it remoteRefs, or set externalSecret.{}.enabled: false", s.key),
            )
        })
        .collect()
}

// ---------------------------------------------------------------------------
// DFX050–DFX055: other quirks of the chart (SPEC §7 B5–B10)

fn plugin_daemon_disabled(ctx: &Context) -> Vec<Finding> {
    let v = &ctx.values;
    if truthy(v, &["pluginDaemon", "enabled"]) {
        return Vec::new();
    }
    let what = if es_renders(v, PLUGIN_DAEMON) {
        "ExternalSecret"
    } else if plain_renders(v, PLUGIN_DAEMON) {
        "Secret"
    } else {
        return Vec::new();
    };
    vec![Finding::new(
        rule("DFX050"),
        "pluginDaemon.enabled",
        format!("pluginDaemon.enabled is false, but the plugin-daemon {what} still renders (the chart does not look at it)"),
        "nothing to do: harmless, the chart always renders one of the two".to_owned(),
    )]
}

fn weaviate_apikey_disabled(ctx: &Context) -> Vec<Finding> {
    let v = &ctx.values;
    let enabled = get(v, &["weaviate", "authentication", "apikey", "enabled"]);
    if enabled.is_none_or(Value::is_truthy) {
        return Vec::new();
    }
    let secrets: Vec<&str> = rendered_sources(v)
        .iter()
        .filter(|s| s.path == WEAVIATE_KEYS)
        .map(|s| s.service.component)
        .collect();
    if secrets.is_empty() {
        return Vec::new();
    }
    vec![Finding::new(
        rule("DFX051"),
        "weaviate.authentication.apikey.enabled",
        format!(
            "weaviate.authentication.apikey.enabled is false, but {} still get WEAVIATE_API_KEY (the first of \
             allowed_keys): the chart does not look at apikey.enabled",
            secrets_phrase(&secrets)
        ),
        "set weaviate.authentication.apikey: null to leave the key out".to_owned(),
    )]
}

fn redis_host(ctx: &Context) -> Vec<Finding> {
    // From 0.36.0 the host follows the subchart's own naming (CHART-VERSIONS K).
    if ctx
        .version
        .is_some_and(|v| !v.within("0.27.0", Some("0.36.0")))
    {
        return Vec::new();
    }
    let v = &ctx.values;
    let uses_builtin = rendered_sources(v)
        .iter()
        .any(|s| s.key == "CELERY_BROKER_URL" && s.path == "redis.auth.password");
    if !uses_builtin {
        return Vec::new();
    }
    let release = &ctx.release.name;
    let (subchart, path) = subchart_fullname(ctx, "redis");
    let expected = format!("{release}-redis");
    if subchart == expected {
        return Vec::new();
    }
    vec![Finding::new(
        rule("DFX052"),
        path,
        format!(
            "CELERY_BROKER_URL points at {expected}-master (the chart always uses <release>-redis-master), but the \
             Redis subchart's service is probably {subchart}-master"
        ),
        "use another release name or drop the Redis name override, or use externalRedis with the real host"
            .to_owned(),
    )]
}

fn myscale_user(ctx: &Context) -> Vec<Finding> {
    let user_set =
        get(&ctx.user, &["externalMyScaleDB", "user"]).is_some_and(|u| *u != Value::Null);
    let username =
        get(&ctx.values, &["externalMyScaleDB", "username"]).is_some_and(|u| *u != Value::Null);
    let reported = ctx
        .render_error
        .as_deref()
        .is_some_and(|e| e.starts_with("externalMyScaleDB.username"));
    if !user_set || username || reported {
        return Vec::new();
    }
    vec![Finding::new(
        rule("DFX053"),
        "externalMyScaleDB.user",
        "externalMyScaleDB.user is set, but the chart reads externalMyScaleDB.username (the defaults name it user)"
            .to_owned(),
        "set externalMyScaleDB.username instead".to_owned(),
    )]
}

/// Every string where a switch belongs: an `enabled`/`useSSL` key, or a key
/// whose chart default is a boolean. (path, string)
fn string_switches(ctx: &Context) -> Vec<(String, String)> {
    fn walk(user: &Map, defaults: Option<&Map>, prefix: &str, out: &mut Vec<(String, String)>) {
        for (key, value) in user {
            let path = if prefix.is_empty() {
                key.clone()
            } else {
                format!("{prefix}.{key}")
            };
            let default = defaults.and_then(|d| d.get(key));
            match value {
                Value::Map(m) => walk(m, default.and_then(Value::as_map), &path, out),
                Value::String(s)
                    if matches!(key.as_str(), "enabled" | "useSSL")
                        || matches!(default, Some(Value::Bool(_))) =>
                {
                    out.push((path, s.clone()))
                }
                _ => {}
            }
        }
    }
    let mut out = Vec::new();
    walk(&ctx.user, Some(&ctx.defaults), "", &mut out);
    out
}

fn looks_false(s: &str) -> bool {
    matches!(
        s.trim().to_ascii_lowercase().as_str(),
        "false" | "no" | "off" | "n" | "f" | "0"
    )
}

fn string_booleans(ctx: &Context) -> Vec<Finding> {
    string_switches(ctx)
        .into_iter()
        .filter(|(_, s)| !looks_false(s))
        .map(|(path, s)| {
            Finding::new(
                rule("DFX054"),
                path.clone(),
                format!(
                    "{path} is the string {s:?}, which counts as {} (any non-empty string is true)",
                    if s.is_empty() { "false" } else { "true" }
                ),
                format!(
                    "write {} without quotes",
                    if s.is_empty() { "false" } else { "true" }
                ),
            )
        })
        .collect()
}

fn string_false(ctx: &Context) -> Vec<Finding> {
    string_switches(ctx)
        .into_iter()
        .filter(|(_, s)| looks_false(s))
        .map(|(path, s)| {
            Finding::new(
                rule("DFX055"),
                path.clone(),
                format!(
                    "{path} is the string {s:?}, which counts as true: it switches the feature ON"
                ),
                "write false without quotes".to_owned(),
            )
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::chart::Chart;
    use crate::values::merge::coalesce;
    use crate::values::yaml::parse_values;

    /// A context for `yaml` over the embedded chart, release `dify`.
    fn ctx(yaml: &str) -> Context {
        ctx_named(yaml, "dify")
    }

    fn ctx_named(yaml: &str, release: &str) -> Context {
        let chart = Chart::dify("0.27.0");
        let user = parse_values(yaml, "test.yaml").unwrap();
        let mut warnings = Vec::new();
        let values = coalesce(&chart.name, &chart.values, user.clone(), &mut warnings);
        Context {
            user,
            defaults: chart.values.clone(),
            values,
            rendered: None,
            release: Release::install(release, "dify"),
            chart_name: chart.name.clone(),
            render_error: None,
            render_warnings: warnings,
            schema_violations: Vec::new(),
            version: crate::chart::versions::find("0.27.0"),
        }
    }

    /// (id, path) of every finding of the rule `id`.
    fn run(id: &str, yaml: &str) -> Vec<(String, String)> {
        (rule(id).check)(&ctx(yaml))
            .into_iter()
            .map(|f| (f.id.to_owned(), f.path))
            .collect()
    }

    fn paths(id: &str, yaml: &str) -> Vec<String> {
        run(id, yaml).into_iter().map(|(_, p)| p).collect()
    }

    const ESO: &str = "externalSecret:\n  enabled: true\n";

    #[test]
    fn rule_ids_are_unique_sorted_and_documented() {
        let docs = include_str!("../../docs/lint.md");
        for pair in RULES.windows(2) {
            assert!(
                pair[0].id < pair[1].id,
                "{} before {}",
                pair[0].id,
                pair[1].id
            );
        }
        for r in RULES {
            let row = format!("| {} | `{}` | {} |", r.id, r.name, r.severity.as_str());
            assert!(docs.contains(&row), "docs/lint.md lacks the row {row}");
        }
    }

    #[test]
    fn render_error_takes_the_leading_path() {
        let values = Chart::dify("0.27.0").values;
        let f = render_error(
            "externalSecret.api.refreshInterval: expected a Go duration",
            &values,
        );
        assert_eq!(f.path, "externalSecret.api.refreshInterval");
        let f = render_error("YAML parse error on dify/templates/x.yaml: bad", &values);
        assert_eq!(f.path, "");
        let f = render_error(
            "fullnameOverride: the object name \"A\" is not valid",
            &values,
        );
        assert_eq!(f.path, "fullnameOverride");
    }

    #[test]
    fn render_warnings_are_classified() {
        let values = Chart::dify("0.27.0").values;
        let f = from_render_warning(
            "cannot overwrite table with non table for dify.externalSecret.api.remoteRefs.SECRET_KEY (map[key:dify/api])",
            &values,
        );
        assert_eq!(
            (f.id, f.path.as_str()),
            ("DFX003", "externalSecret.api.remoteRefs.SECRET_KEY")
        );
        let f = from_render_warning(
            "fullnameOverride: the object name \"x\" is 70 characters long; names …",
            &values,
        );
        assert_eq!((f.id, f.path.as_str()), ("DFX004", "fullnameOverride"));
        let f = from_render_warning("something new", &values);
        assert_eq!((f.id, f.path.as_str()), ("DFX002", ""));
    }

    #[test]
    fn unsupported_and_misspelt_refs() {
        let bad = format!(
            "{ESO}  api:\n    remoteRefs:\n      UNUSED_KEY: {{key: x}}\n      secret_key: {{key: y}}\n      API_KEY: {{key: z}}\n      OLD: null\n"
        );
        assert_eq!(
            paths("DFX010", &bad),
            [
                "externalSecret.api.remoteRefs.API_KEY",
                "externalSecret.api.remoteRefs.UNUSED_KEY"
            ]
        );
        assert_eq!(
            paths("DFX011", &bad),
            ["externalSecret.api.remoteRefs.secret_key"]
        );
        let f = (rule("DFX011").check)(&ctx(&bad));
        assert!(
            f[0].message.contains("did you mean SECRET_KEY?"),
            "{}",
            f[0].message
        );
        // Next to the right key, a slip is only a leftover.
        let leftover = format!("{ESO}  api:\n    remoteRefs:\n      SECRET_KEY: {{key: a}}\n      Secret_Key: {{key: b}}\n");
        assert!(paths("DFX011", &leftover).is_empty());
        assert_eq!(
            paths("DFX010", &leftover),
            ["externalSecret.api.remoteRefs.Secret_Key"]
        );
        let good = format!("{ESO}  api:\n    remoteRefs:\n      SECRET_KEY: {{key: a}}\n");
        assert!(paths("DFX010", &good).is_empty() && paths("DFX011", &good).is_empty());
        assert_eq!(did_you_mean("DB_PASSWROD", API_KEYS), Some("DB_PASSWORD"));
        assert_eq!(did_you_mean("secretKey", API_KEYS), Some("SECRET_KEY"));
        assert_eq!(did_you_mean("FOO", API_KEYS), None);
    }

    #[test]
    fn unmentioned_defaults_only_when_some_refs_are_listed() {
        let some = format!("{ESO}  sandbox:\n    enabled: false\n  pluginDaemon:\n    remoteRefs:\n      SERVER_KEY: {{key: k}}\n      DB_USERNAME: null\n");
        let f = (rule("DFX012").check)(&ctx(&some));
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].path, "externalSecret.pluginDaemon.remoteRefs");
        assert!(
            f[0].message
                .contains("4 chart defaults you never mentioned"),
            "{}",
            f[0].message
        );
        assert!(f[0]
            .message
            .ends_with(": DB_PASSWORD, REDIS_USERNAME, REDIS_PASSWORD, DIFY_INNER_API_KEY"));
        assert!(f[0]
            .hint
            .contains("externalSecret.pluginDaemon.remoteRefs.DIFY_INNER_API_KEY: null"));
        assert_eq!(rule("DFX012").severity, Severity::Info);
        assert!(
            paths("DFX012", ESO).is_empty(),
            "no refs listed: the defaults are wanted"
        );
    }

    #[test]
    fn unused_database_refs_b2() {
        let bad = "externalSecret:\n  postgresql:\n    remoteRefs:\n      aaa-extra-key: {key: k}\n  redis:\n    remoteRefs:\n      password: {key: r}\n";
        assert_eq!(
            paths("DFX013", bad),
            [
                "externalSecret.postgresql.remoteRefs.aaa-extra-key",
                "externalSecret.redis.remoteRefs.password"
            ]
        );
        assert!(paths("DFX013", ESO).is_empty());
    }

    #[test]
    fn empty_remote_refs() {
        let bad = format!("{ESO}  api:\n    remoteRefs:\n      OPENSEARCH_USERNAME: {{}}\n      SECRET_KEY: {{}}\n      DB_PASSWORD: false\n      DB_USERNAME: null\n");
        assert_eq!(
            paths("DFX014", &bad),
            [
                "externalSecret.api.remoteRefs.DB_PASSWORD",
                "externalSecret.api.remoteRefs.OPENSEARCH_USERNAME",
                "externalSecret.api.remoteRefs.SECRET_KEY",
            ]
        );
        assert!(paths("DFX014", ESO).is_empty());
    }

    #[test]
    fn config_ignored() {
        let off = "externalSecret:\n  api:\n    remoteRefs:\n      SECRET_KEY: {key: a}\n";
        assert_eq!(paths("DFX015", off), ["externalSecret.api.remoteRefs"]);
        let svc_off = format!("{ESO}  worker:\n    enabled: false\n    refreshInterval: 1h\n");
        assert_eq!(
            paths("DFX015", &svc_off),
            ["externalSecret.worker.refreshInterval"]
        );
        let pg_off = format!("{ESO}  postgresql:\n    remoteRefs:\n      postgres-password: {{key: p}}\npostgresql:\n  enabled: false\n");
        assert_eq!(
            paths("DFX015", &pg_off),
            ["externalSecret.postgresql.remoteRefs"]
        );
        let only_switch = format!("{ESO}  worker:\n    enabled: false\n");
        assert!(paths("DFX015", &only_switch).is_empty());
        assert!(paths("DFX015", &format!("{ESO}  api:\n    refreshInterval: 1h\n")).is_empty());
    }

    #[test]
    fn default_secret_store() {
        assert_eq!(paths("DFX016", ESO), ["externalSecret.secretStore.name"]);
        assert!(paths("DFX016", &format!("{ESO}  secretStore:\n    name: vault\n")).is_empty());
        assert!(paths("DFX016", "").is_empty());
    }

    #[test]
    fn shared_secret_split_and_credentials_split() {
        let split = format!("{ESO}  worker:\n    remoteRefs:\n      SECRET_KEY: {{key: dify/worker, property: secret_key}}\n");
        assert_eq!(
            paths("DFX020", &split),
            ["externalSecret.worker.remoteRefs.SECRET_KEY"]
        );
        let pd = format!("{ESO}  pluginDaemon:\n    remoteRefs:\n      SERVER_KEY: {{key: dify/pd2, property: k}}\n");
        assert_eq!(
            paths("DFX020", &pd),
            [
                "externalSecret.api.remoteRefs.PLUGIN_DAEMON_KEY",
                "externalSecret.worker.remoteRefs.PLUGIN_DAEMON_KEY"
            ]
        );
        assert!(paths("DFX020", ESO).is_empty());
        let db = format!(
            "{ESO}  api:\n    remoteRefs:\n      DB_PASSWORD: {{key: ext, property: password}}\n  worker:\n    remoteRefs:\n      DB_PASSWORD: {{key: ext, property: password}}\n"
        );
        assert_eq!(
            paths("DFX023", &db),
            ["externalSecret.pluginDaemon.remoteRefs.DB_PASSWORD"]
        );
        assert!(paths("DFX023", ESO).is_empty());
        // The plugin daemon does not run: nothing to agree with.
        let db_off = format!("{db}pluginDaemon:\n  enabled: false\n");
        assert!(paths("DFX023", &db_off).is_empty());
    }

    #[test]
    fn mixed_secret_source() {
        let mixed = format!("{ESO}  worker:\n    enabled: false\n");
        let f = (rule("DFX021").check)(&ctx(&mixed));
        assert_eq!(f.len(), 1, "{f:#?}");
        assert_eq!(f[0].path, "externalSecret.worker.enabled");
        assert!(f[0].message.contains("SECRET_KEY"), "{}", f[0].message);
        assert!(paths("DFX021", ESO).is_empty());
        assert!(paths("DFX021", "").is_empty());
    }

    #[test]
    fn shared_secret_missing() {
        let bad = format!("{ESO}  api:\n    remoteRefs:\n      CODE_EXECUTION_API_KEY: null\n");
        assert_eq!(
            paths("DFX022", &bad),
            ["externalSecret.api.remoteRefs.CODE_EXECUTION_API_KEY"]
        );
        // Without a sandbox the api needs no key for it.
        assert!(paths("DFX022", &format!("{bad}sandbox:\n  enabled: false\n")).is_empty());
        assert!(paths("DFX022", ESO).is_empty());
    }

    #[test]
    fn plaintext_ignored() {
        let bad =
            format!("{ESO}api:\n  secretKey: my-key\npluginDaemon:\n  auth:\n    serverKey: s\n");
        assert_eq!(
            paths("DFX030", &bad),
            ["api.secretKey", "pluginDaemon.auth.serverKey"]
        );
        // Used by the plain Secrets, or cleared, or the chart default: fine.
        assert!(paths("DFX030", "api:\n  secretKey: my-key\n").is_empty());
        assert!(paths("DFX030", &format!("{ESO}api:\n  secretKey: \"\"\n")).is_empty());
        let worker_plain =
            format!("{ESO}  worker:\n    enabled: false\napi:\n  secretKey: my-key\n");
        assert!(paths("DFX030", &worker_plain).is_empty());
        // The built-in Redis reads its own password: never ignored.
        assert!(paths(
            "DFX030",
            &format!("{ESO}redis:\n  auth:\n    password: r\n")
        )
        .is_empty());
    }

    #[test]
    fn default_secrets_in_plain_secrets() {
        let p = paths("DFX031", "");
        assert_eq!(
            p,
            [
                "api.secretKey",
                "pluginDaemon.auth.difyApiKey",
                "pluginDaemon.auth.serverKey",
                "postgresql.global.postgresql.auth.postgresPassword",
                "redis.auth.password",
                "sandbox.auth.apiKey",
                "weaviate.authentication.apikey.allowed_keys",
            ]
        );
        assert!(paths("DFX031", ESO).is_empty(), "no plain Secrets");
        let own = "api:\n  secretKey: mine\n";
        assert!(!paths("DFX031", own).contains(&"api.secretKey".to_owned()));
        assert_eq!(paths("DFX033", ""), ["api.mail.resend.apiKey"]);
        assert!(paths("DFX033", "api:\n  mail:\n    type: none\n").is_empty());
    }

    #[test]
    fn url_reserved_b8() {
        let bad = "redis:\n  auth:\n    password: \"p@ss:w/rd\"\n";
        assert_eq!(paths("DFX032", bad), ["redis.auth.password"]);
        let ext = "externalRedis:\n  enabled: true\n  username: \"u\"\n  password: \"a#b\"\n";
        assert_eq!(paths("DFX032", ext), ["externalRedis.password"]);
        assert!(paths("DFX032", "").is_empty());
        assert!(
            paths(
                "DFX032",
                &format!("{ESO}redis:\n  auth:\n    password: \"p@ss\"\n")
            )
            .is_empty(),
            "no plain broker URL"
        );
    }

    #[test]
    fn database_secret_names_b11() {
        let pg = ctx(ESO);
        let f = (rule("DFX040").check)(&pg);
        assert_eq!(f.len(), 1);
        assert_eq!(
            f[0].path,
            "postgresql.global.postgresql.auth.existingSecret"
        );
        assert!(
            f[0].message.contains("\"dify-postgresql\""),
            "{}",
            f[0].message
        );
        assert!(f[0].message.contains("collide"), "{}", f[0].message);
        let renamed = (rule("DFX040").check)(&ctx(&format!("{ESO}fullnameOverride: app\n")));
        assert!(
            renamed[0].message.contains("ignores \"app-postgresql\""),
            "{}",
            renamed[0].message
        );
        let good = format!("{ESO}postgresql:\n  global:\n    postgresql:\n      auth:\n        existingSecret: pg\n");
        assert!(paths("DFX040", &good).is_empty());
        let local = format!("{ESO}postgresql:\n  auth:\n    existingSecret: pg\n");
        assert_eq!(paths("DFX040", &local), ["postgresql.auth.existingSecret"]);
        let user = format!("{ESO}postgresql:\n  global:\n    postgresql:\n      auth:\n        existingSecret: pg\n        username: dify\n");
        assert_eq!(
            paths("DFX040", &user),
            ["postgresql.global.postgresql.auth.username"]
        );
        let redis = format!(
            "{ESO}  postgresql:\n    enabled: false\nredis:\n  auth:\n    password: \"\"\n"
        );
        assert_eq!(paths("DFX040", &redis), ["redis.auth.existingSecret"]);
        let no_redis = format!("{redis}  enabled: false\n");
        assert!(
            paths("DFX040", &no_redis).is_empty(),
            "no subchart to collide with"
        );
        let redis_ok = format!("{ESO}  postgresql:\n    enabled: false\nredis:\n  auth:\n    password: \"\"\n    existingSecret: redis\n");
        assert!(paths("DFX040", &redis_ok).is_empty());
    }

    #[test]
    fn redis_externalsecret_skipped_and_without_redis() {
        let skipped = format!("{ESO}  redis:\n    remoteRefs:\n      redis-password: {{key: r}}\n");
        assert_eq!(paths("DFX041", &skipped), ["redis.auth.password"]);
        let auth_off =
            format!("{skipped}redis:\n  auth:\n    enabled: false\n    password: \"\"\n");
        assert_eq!(paths("DFX041", &auth_off), ["redis.auth.enabled"]);
        let renders = format!("{skipped}redis:\n  auth:\n    password: \"\"\n");
        assert!(paths("DFX041", &renders).is_empty());
        assert!(
            paths("DFX041", ESO).is_empty(),
            "not configured by the user"
        );
        assert!(paths("DFX042", &renders).is_empty());
        let no_redis = format!("{skipped}redis:\n  enabled: false\n  auth:\n    password: \"\"\n");
        assert_eq!(paths("DFX042", &no_redis), ["redis.enabled"]);
    }

    #[test]
    fn empty_externalsecret_b12() {
        let empty = format!("{ESO}  sandbox:\n    remoteRefs:\n      API_KEY: null\n");
        assert_eq!(
            paths("DFX043", &empty),
            ["externalSecret.sandbox.remoteRefs"]
        );
        let pg = format!("{ESO}  postgresql:\n    remoteRefs:\n      postgres-password: null\n      replication-password: null\n");
        assert_eq!(
            paths("DFX043", &pg),
            ["externalSecret.postgresql.remoteRefs"]
        );
        assert!(paths("DFX043", ESO).is_empty());
    }

    #[test]
    fn plugin_daemon_disabled_b5() {
        assert_eq!(
            paths("DFX050", "pluginDaemon:\n  enabled: false\n"),
            ["pluginDaemon.enabled"]
        );
        let both_off = format!("{ESO}pluginDaemon:\n  enabled: false\n");
        assert_eq!(paths("DFX050", &both_off), ["pluginDaemon.enabled"]);
        let es_off =
            format!("{ESO}  pluginDaemon:\n    enabled: false\npluginDaemon:\n  enabled: false\n");
        let f = (rule("DFX050").check)(&ctx(&es_off));
        assert!(
            f[0].message.contains("plugin-daemon Secret still renders"),
            "{}",
            f[0].message
        );
        assert!(paths("DFX050", "").is_empty());
    }

    #[test]
    fn weaviate_apikey_disabled_b6() {
        let off = "weaviate:\n  authentication:\n    apikey:\n      enabled: false\n";
        assert_eq!(
            paths("DFX051", off),
            ["weaviate.authentication.apikey.enabled"]
        );
        assert!(paths("DFX051", "").is_empty());
        assert!(paths(
            "DFX051",
            &format!("{off}externalQdrant:\n  enabled: true\n")
        )
        .is_empty());
    }

    #[test]
    fn redis_host_b7() {
        let f = |yaml: &str, release: &str| -> Vec<String> {
            (rule("DFX052").check)(&ctx_named(yaml, release))
                .into_iter()
                .map(|f| f.path)
                .collect()
        };
        assert!(f("", "dify").is_empty());
        assert_eq!(f("", "my-redis"), [""]);
        assert_eq!(
            f("redis:\n  fullnameOverride: cache\n", "dify"),
            ["redis.fullnameOverride"]
        );
        assert!(f("externalRedis:\n  enabled: true\n", "my-redis").is_empty());
    }

    #[test]
    fn myscale_user_b9() {
        assert_eq!(
            paths("DFX053", "externalMyScaleDB:\n  user: me\n"),
            ["externalMyScaleDB.user"]
        );
        assert!(paths("DFX053", "externalMyScaleDB:\n  user: me\n  username: me\n").is_empty());
        assert!(paths("DFX053", "").is_empty());
    }

    #[test]
    fn string_booleans_b10() {
        let yaml = "externalSecret:\n  enabled: \"false\"\n  api:\n    enabled: \"true\"\nexternalRedis:\n  useSSL: \"no\"\n";
        assert_eq!(
            paths("DFX055", yaml),
            ["externalRedis.useSSL", "externalSecret.enabled"]
        );
        assert_eq!(paths("DFX054", yaml), ["externalSecret.api.enabled"]);
        assert!(paths("DFX054", "externalSecret:\n  enabled: true\n").is_empty());
        assert!(paths("DFX055", "externalSecret:\n  enabled: false\n").is_empty());
    }

    #[test]
    fn helpers() {
        assert_eq!(and_list(&["a"]), "a");
        assert_eq!(and_list(&["a", "b", "c"]), "a, b and c");
        let r = RemoteRef {
            key: Some("dify/api".into()),
            property: Some("secret_key".into()),
        };
        assert_eq!(r.to_string(), "{key: dify/api, property: secret_key}");
        assert_eq!(fullname(&ctx_named("", "my-dify")), "my-dify");
        assert_eq!(fullname(&ctx_named("", "rel")), "rel-dify");
    }
}
