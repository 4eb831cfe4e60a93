//! `difyx migrate` (issue 7): from plaintext Secrets to ExternalSecrets in one
//! command.
//!
//! The legacy values are rendered with `externalSecret.enabled=false`; every
//! key of every plain Secret is read back (base64-decoded) and filed under the
//! usage guide's "Secret Organization" (`<prefix>/api`, `<prefix>/database`,
//! …, the chart's default `remoteRefs` layout). Three files come out:
//!
//! * a values overlay to apply on top of the legacy values: ExternalSecrets on
//!   for every service whose keys they can all carry, `remoteRefs` for exactly
//!   the keys the legacy render had (every other default set to `null`), the
//!   built-in PostgreSQL and Redis wired to their ExternalSecrets through
//!   `existingSecret`, and every plaintext secret value those services read
//!   cleared (`""`);
//! * a store file in `difyx resolve --store` format;
//! * optionally, a `vault kv put` script (JSON on stdin, quoted here-docs).
//!
//! Before anything is written, [`verify`] resolves legacy + overlay against
//! the store and checks that every Secret holds exactly what the legacy render
//! held. Keys no ExternalSecret can carry (SMTP, S3 credentials…) make the
//! command fail, unless `--allow-partial`: then their services stay on
//! plaintext Secrets.
//!
//! Per release (`--version`): the keys each ExternalSecret carries come from
//! [`versioned::supported_keys`] with their gates applied to the values
//! (e.g. `WEAVIATE_API_KEY` only with the built-in Weaviate from 0.28.0);
//! from 0.28.0 the Celery URL (and from 0.38.0-rc2 agent-backend's
//! `DIFY_AGENT_REDIS_URL`) is no remoteRef but an ESO template in
//! `externalSecret.<svc>.data`, written over the fetched `REDIS_USERNAME` /
//! `REDIS_PASSWORD` so that no credential lands in the overlay
//! ([`url_template`]); every key the release supports is nulled before the
//! legacy keys are listed, so new default refs (S3, OTLP, …) are not fetched.
//!
//! No message and nothing on stdout ever holds a secret value.

pub mod vault;

use std::collections::{BTreeMap, BTreeSet};

use anyhow::{anyhow, bail, Result};
use base64::Engine as _;

use crate::chart::{Chart, ChartVersion};
use crate::engine::scalar::{double_quoted, yaml_string};
use crate::engine::Engine;
use crate::lint::versioned;
use crate::manifests::Manifest;
use crate::pipeline::{self, Options, UserValues, ValuesFile};
use crate::resolve::store::Store;
use crate::values::strvals::SetKind;
use crate::values::{Map, Value};

/// An application service: its values key under `externalSecret`, its plain
/// Secret's template and the keys its ExternalSecret can carry at the
/// release being migrated ([`versioned::supported_keys`], gates applied).
#[derive(Clone, Debug)]
struct Service {
    key: &'static str,
    secret_template: &'static str,
    supported: Vec<&'static str>,
    /// The key ESO builds from a template over the fetched Redis
    /// credentials (`externalSecret.<svc>.data.<KEY>`), from 0.28.0.
    templated: Option<&'static str>,
}

const STORAGE: [&str; 5] = [
    "AWS_ACCESS_KEY_ID",
    "AWS_SECRET_ACCESS_KEY",
    "AZURE_BLOB_ACCOUNT_NAME",
    "AZURE_BLOB_ACCOUNT_KEY",
    "GOOGLE_CLOUD_STORAGE_BUCKET",
];

/// The application services of release `v`, with the keys their
/// ExternalSecrets carry for the final `values` (a key whose gate is off,
/// e.g. `WEAVIATE_API_KEY` without the built-in Weaviate, is not carried).
fn services(v: &ChartVersion, values: &Value) -> Vec<Service> {
    let map = values.as_map().cloned().unwrap_or_default();
    versioned::app_services(v)
        .into_iter()
        .map(|key| {
            let supported = versioned::supported_keys(key, v)
                .into_iter()
                .filter(|k| {
                    versioned::gate(key, k, v).is_none_or(|g| {
                        let segs: Vec<&str> = g.split('.').collect();
                        map_truthy(&map, &segs)
                    })
                })
                .collect();
            let templated = crate::chart::dify::template_data_key(key, v);
            Service {
                key,
                secret_template: match key {
                    "api" => "templates/api-secret.yaml",
                    "worker" => "templates/worker-secret.yaml",
                    "sandbox" => "templates/sandbox-secret.yaml",
                    "pluginDaemon" => "templates/plugin-daemon-secret.yaml",
                    "agentBackend" => "templates/agent-backend-secret.yaml",
                    _ => "templates/local-sandbox-secret.yaml",
                },
                supported,
                templated,
            }
        })
        .collect()
}

fn map_truthy(m: &Map, path: &[&str]) -> bool {
    let Some((first, rest)) = path.split_first() else {
        return false;
    };
    match (m.get(*first), rest.is_empty()) {
        (Some(v), true) => v.is_truthy(),
        (Some(Value::Map(inner)), false) => map_truthy(inner, rest),
        _ => false,
    }
}

/// An ESO template that rebuilds a Redis URL of the legacy Secret from the
/// fetched `REDIS_USERNAME` / `REDIS_PASSWORD`, so that no credential is
/// written into the values: every `:<password>@` becomes
/// `:{{ .REDIS_PASSWORD }}@` and `://<username>:` becomes
/// `://{{ .REDIS_USERNAME }}:`. `None` when the URL holds the password
/// elsewhere, or text ESO would read as a template.
pub fn url_template(url: &str, username: &str, password: &str) -> Option<UrlTemplate> {
    if url.contains("{{") || url.contains("}}") {
        return None;
    }
    let mut t = url.to_owned();
    let mut uses_password = false;
    if !password.is_empty() {
        let needle = format!(":{password}@");
        uses_password = t.contains(&needle);
        t = t.replace(&needle, ":{{ .REDIS_PASSWORD }}@");
        if t.replace("{{ .REDIS_PASSWORD }}", "").contains(password) {
            return None;
        }
    }
    let mut uses_username = false;
    if !username.is_empty() {
        let needle = format!("://{username}:");
        uses_username = t.contains(&needle);
        t = t.replace(&needle, "://{{ .REDIS_USERNAME }}:");
    }
    Some(UrlTemplate {
        template: t,
        uses_username,
        uses_password,
    })
}

/// What [`url_template`] made of a URL.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UrlTemplate {
    pub template: String,
    pub uses_username: bool,
    pub uses_password: bool,
}

/// Where a Secret key lives in the store: `<prefix>/<path>`, `property` (the
/// usage guide's Secret Organization, the chart's default remoteRefs).
fn remote_of(service: &str, key: &str) -> (&'static str, String) {
    let (path, property): (&str, &str) = match key {
        "SECRET_KEY" => ("api", "secret_key"),
        "CODE_EXECUTION_API_KEY" => ("sandbox", "api_key"),
        "API_KEY" if service == "sandbox" => ("sandbox", "api_key"),
        "DB_USERNAME" => ("database", "username"),
        "DB_PASSWORD" => ("database", "password"),
        "REDIS_USERNAME" => ("redis", "username"),
        "REDIS_PASSWORD" => ("redis", "password"),
        "CELERY_BROKER_URL" => ("redis", "celery_broker_url"),
        "WEAVIATE_API_KEY" => ("weaviate", "api_key"),
        "QDRANT_API_KEY" => ("qdrant", "api_key"),
        "OPENSEARCH_USERNAME" => ("opensearch", "username"),
        "OPENSEARCH_PASSWORD" => ("opensearch", "password"),
        "PLUGIN_DAEMON_KEY" | "SERVER_KEY" | "DIFY_AGENT_PLUGIN_DAEMON_API_KEY" => {
            ("plugin-daemon", "server_key")
        }
        "INNER_API_KEY_FOR_PLUGIN" | "DIFY_INNER_API_KEY" | "DIFY_AGENT_INNER_API_KEY" => {
            ("plugin-daemon", "dify_api_key")
        }
        "S3_ACCESS_KEY" => ("s3", "access_key"),
        "S3_SECRET_KEY" => ("s3", "secret_key"),
        "ELASTICSEARCH_USERNAME" => ("elasticsearch", "username"),
        "ELASTICSEARCH_PASSWORD" => ("elasticsearch", "password"),
        "OTLP_API_KEY" => ("otel", "api_key"),
        "AGENT_BACKEND_API_TOKEN" | "DIFY_AGENT_API_TOKEN" => ("agent-backend", "api_token"),
        "DIFY_AGENT_SERVER_SECRET_KEY" => ("agent-backend", "server_secret_key"),
        "DIFY_AGENT_SHELLCTL_AUTH_TOKEN" | "SHELLCTL_AUTH_TOKEN" => {
            ("agent-backend", "shellctl_auth_token")
        }
        k if k.starts_with("RESEND_") || k.starts_with("SENDGRID_") => {
            return ("mail", k.to_ascii_lowercase())
        }
        k if STORAGE.contains(&k) => return ("storage", k.to_ascii_lowercase()),
        k => return ("other", k.to_ascii_lowercase()),
    };
    (path, property.to_owned())
}

/// Values paths that may hold a plaintext secret, probed one by one: the
/// ones that feed a migrated key are cleared. The built-in PostgreSQL's own
/// username and password are configuration of the subchart and stay.
const SECRET_PATHS: &[&str] = &[
    "api.secretKey",
    "api.mail.resend.apiKey",
    "api.mail.smtp.username",
    "api.mail.smtp.password",
    "sandbox.auth.apiKey",
    "pluginDaemon.auth.serverKey",
    "pluginDaemon.auth.difyApiKey",
    "externalPostgres.username",
    "externalPostgres.password",
    "postgresql.global.postgresql.auth.postgresPassword",
    "externalRedis.username",
    "externalRedis.password",
    "redis.auth.password",
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
    "externalMyScaleDB.password",
    "externalTableStore.accessKeyId",
    "externalTableStore.accessKeySecret",
    // Later releases (each probed only where it feeds a key).
    "global.appSecretKey",
    "global.internalApiKey",
    "api.auth.internalApiKey",
    "api.otel.apiKey",
    "agentBackend.auth.apiToken",
    "agentBackend.auth.serverSecretKey",
    "agentBackend.auth.shellctlAuthToken",
    "externalElasticsearch.username",
    "externalElasticsearch.password",
    "externalMysql.username",
    "externalMysql.password",
    "externalRedis.sentinel.password",
];

const PG_AUTH: [&str; 4] = ["postgresql", "global", "postgresql", "auth"];

/// Secret name → key → value, for the plain Secrets of a render.
pub type SecretData = BTreeMap<String, BTreeMap<String, String>>;

/// What [`plan`] decided.
#[derive(Debug)]
pub struct Plan {
    /// The values overlay, as YAML.
    pub overlay: String,
    /// The store file, as YAML.
    pub store_text: String,
    /// Remote key → property → value.
    pub store: BTreeMap<String, BTreeMap<String, String>>,
    /// `externalSecret` keys of the services switched to ExternalSecrets.
    pub switched: Vec<String>,
    /// Services kept on plaintext Secrets, with the keys that keep them there.
    pub kept: Vec<(String, Vec<String>)>,
    /// Remarks for the summary (no values).
    pub notes: Vec<String>,
}

/// The user's values with ExternalSecrets forced off.
fn legacy_user(user: &UserValues) -> UserValues {
    let mut u = user.clone();
    u.sets
        .push((SetKind::Set, "externalSecret.enabled=false".to_owned()));
    u
}

/// The user's values with `overlay` as the last values file.
pub fn with_overlay(user: &UserValues, overlay: &str) -> UserValues {
    let mut u = user.clone();
    u.files.push(ValuesFile {
        name: "<migration overlay>".to_owned(),
        text: overlay.to_owned(),
    });
    u
}

/// Every key of every plain Secret, decoded.
pub fn secret_data(manifests: &[Manifest]) -> Result<SecretData> {
    let mut out = SecretData::new();
    for m in manifests.iter().filter(|m| m.kind == "Secret") {
        let entry = out.entry(m.name.clone()).or_default();
        if let Some(Value::Map(d)) = m.doc.lookup(["data"]) {
            for (k, v) in d {
                let text = match v {
                    Value::Null => String::new(),
                    Value::String(s) => {
                        let bytes = base64::engine::general_purpose::STANDARD
                            .decode(s.trim())
                            .map_err(|_| anyhow!("Secret {}: data.{k} is not base64", m.name))?;
                        String::from_utf8(bytes)
                            .map_err(|_| anyhow!("Secret {}: data.{k} is not UTF-8 text", m.name))?
                    }
                    other => bail!("Secret {}: data.{k} is a {}", m.name, other.type_name()),
                };
                entry.insert(k.clone(), text);
            }
        }
        if let Some(Value::Map(d)) = m.doc.lookup(["stringData"]) {
            for (k, v) in d {
                entry.insert(k.clone(), scalar_text(v).unwrap_or_default());
            }
        }
    }
    Ok(out)
}

fn scalar_text(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Int(i) => Some(i.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        Value::Float(f) => Some(crate::values::gofmt::format_float(*f)),
        _ => None,
    }
}

fn render(
    engine: &Engine<'_>,
    chart: &Chart,
    user: &UserValues,
    opts: &Options,
) -> Result<Vec<Manifest>> {
    Ok(pipeline::template_with(engine, chart, user, opts)?.manifests)
}

fn set_path(map: &mut Map, path: &[&str], v: Value) {
    let (last, parents) = path.split_last().expect("a path");
    let mut cur = map;
    for p in parents {
        let e = cur
            .entry((*p).to_owned())
            .or_insert_with(|| Value::Map(Map::new()));
        if !matches!(e, Value::Map(_)) {
            *e = Value::Map(Map::new());
        }
        let Value::Map(m) = e else { unreachable!() };
        cur = m;
    }
    cur.insert((*last).to_owned(), v);
}

/// Every remoteRef the merged legacy values hold for `service` (the chart's
/// defaults and the user's own), set to `null`: least privilege.
fn null_refs(refs: &mut Map, values: &Value, service: &str) {
    if let Some(Value::Map(existing)) = values.lookup(["externalSecret", service, "remoteRefs"]) {
        for k in existing.keys() {
            refs.insert(k.clone(), Value::Null);
        }
    }
}

fn reference(key: &str, property: &str) -> Value {
    let mut m = Map::new();
    m.insert("key".into(), Value::String(key.to_owned()));
    m.insert("property".into(), Value::String(property.to_owned()));
    Value::Map(m)
}

/// Works out the overlay and the store for `user`'s legacy values.
pub fn plan(chart: &Chart, user: &UserValues, opts: &Options, prefix: &str) -> Result<Plan> {
    let engine = Engine::new(chart)?;
    let legacy = legacy_user(user);
    let rendered = render(&engine, chart, &legacy, opts)?;
    if rendered.iter().any(|m| m.kind == "ExternalSecret") {
        bail!(
            "ExternalSecrets still render with --set externalSecret.enabled=false (is it set with \
             --set-string, --set-file or --set-literal?): cannot read the legacy Secrets"
        );
    }
    let legacy_data = secret_data(&rendered)?;
    let (values, _) = pipeline::compute_values(chart, &legacy, true)?;
    let values = Value::Map(values);

    let version = versioned::release_of(chart)
        .unwrap_or_else(|| crate::chart::versions::find("0.27.0").expect("0.27.0 is embedded"));
    let all = services(version, &values);

    // Which service each plain Secret belongs to.
    let mut service_of: BTreeMap<String, &'static str> = BTreeMap::new();
    let mut kept: Vec<(String, Vec<String>)> = Vec::new();
    let mut switched: Vec<&Service> = Vec::new();
    // Service → (key, ESO template) for the URLs ESO rebuilds.
    let mut url_templates: BTreeMap<&'static str, (&'static str, UrlTemplate)> = BTreeMap::new();
    let text_at = |path: &[&str]| {
        values
            .lookup(path.iter().copied())
            .and_then(scalar_text)
            .unwrap_or_default()
    };
    for m in rendered.iter().filter(|m| m.kind == "Secret") {
        let Some(svc) = all.iter().find(|s| m.template.ends_with(s.secret_template)) else {
            let keys = legacy_data[&m.name].keys().cloned().collect();
            kept.push((
                format!("Secret {} ({})", yaml_string(&m.name), m.template),
                keys,
            ));
            continue;
        };
        service_of.insert(m.name.clone(), svc.key);
        let data = &legacy_data[&m.name];
        if let Some(k) = svc.templated {
            if let Some(url) = data.get(k) {
                // The credentials the URL was built from.
                let (user, password) = if svc.key == "agentBackend" {
                    if values
                        .lookup(["externalRedis", "enabled"])
                        .is_some_and(Value::is_truthy)
                    {
                        (
                            text_at(&["externalRedis", "username"]),
                            text_at(&["externalRedis", "password"]),
                        )
                    } else {
                        (String::new(), text_at(&["redis", "auth", "password"]))
                    }
                } else {
                    (
                        data.get("REDIS_USERNAME").cloned().unwrap_or_default(),
                        data.get("REDIS_PASSWORD").cloned().unwrap_or_default(),
                    )
                };
                if let Some(t) = url_template(url, &user, &password) {
                    url_templates.insert(svc.key, (k, t));
                }
            }
        }
        let gaps: Vec<String> = data
            .keys()
            .filter(|k| {
                !svc.supported.contains(&k.as_str())
                    && url_templates
                        .get(svc.key)
                        .is_none_or(|(t, _)| *t != k.as_str())
            })
            .cloned()
            .collect();
        if !gaps.is_empty() {
            kept.push((svc.key.to_owned(), gaps));
        } else if !data.is_empty() && !switched.iter().any(|s| s.key == svc.key) {
            switched.push(svc);
        }
    }
    let kept_services: BTreeSet<&str> = all
        .iter()
        .map(|s| s.key)
        .filter(|k| !switched.iter().any(|s| s.key == *k))
        .collect();

    // The store and the app remoteRefs.
    let mut store: BTreeMap<String, BTreeMap<String, String>> = BTreeMap::new();
    let mut overlay = Map::new();
    set_path(
        &mut overlay,
        &["externalSecret", "enabled"],
        Value::Bool(true),
    );
    let put = |store: &mut BTreeMap<String, BTreeMap<String, String>>,
               path: &str,
               property: String,
               value: &str,
               owner: &str|
     -> String {
        let props = store.entry(format!("{prefix}/{path}")).or_default();
        let mut property = property;
        match props.get(&property) {
            Some(v) if v != value => {
                // A different value under the same name: give this one its own property.
                let base = format!(
                    "{property}_{}",
                    owner.replace('-', "_").to_ascii_lowercase()
                );
                property = base.clone();
                let mut n = 2;
                while props.get(&property).is_some_and(|v| v != value) {
                    property = format!("{base}_{n}");
                    n += 1;
                }
            }
            _ => {}
        }
        props.insert(property.clone(), value.to_owned());
        property
    };
    for svc in &all {
        let is_switched = switched.iter().any(|s| s.key == svc.key);
        let mut cfg = Map::new();
        cfg.insert("enabled".into(), Value::Bool(is_switched));
        if is_switched {
            let name = service_of
                .iter()
                .find(|(_, s)| **s == svc.key)
                .map(|(n, _)| n.clone());
            let data = name.map(|n| legacy_data[&n].clone()).unwrap_or_default();
            let mut refs = Map::new();
            null_refs(&mut refs, &values, svc.key);
            // Every key the release supports, whatever these defaults hold.
            for k in versioned::supported_keys(svc.key, version) {
                refs.entry(k.to_owned()).or_insert(Value::Null);
            }
            let template = url_templates.get(svc.key);
            for (k, v) in &data {
                if template.is_some_and(|(t, _)| t == k) {
                    continue;
                }
                let (path, property) = remote_of(svc.key, k);
                let property = put(&mut store, path, property, v, svc.key);
                refs.insert(k.clone(), reference(&format!("{prefix}/{path}"), &property));
            }
            if let Some(key) = svc.templated {
                let mut data_cfg = Map::new();
                match template {
                    Some((_, t)) => {
                        // The URL template reads fetched credentials: fetch
                        // them (agent-backend's Secret does not hold them).
                        let creds = [
                            (t.uses_password, "REDIS_PASSWORD"),
                            (t.uses_username, "REDIS_USERNAME"),
                        ];
                        for (used, k) in creds {
                            if !used || refs.get(k).is_some_and(Value::is_truthy) {
                                continue;
                            }
                            let value = if k == "REDIS_PASSWORD" {
                                if values
                                    .lookup(["externalRedis", "enabled"])
                                    .is_some_and(Value::is_truthy)
                                {
                                    text_at(&["externalRedis", "password"])
                                } else {
                                    text_at(&["redis", "auth", "password"])
                                }
                            } else {
                                text_at(&["externalRedis", "username"])
                            };
                            let (path, property) = remote_of(svc.key, k);
                            let property = put(&mut store, path, property, &value, svc.key);
                            refs.insert(
                                k.to_owned(),
                                reference(&format!("{prefix}/{path}"), &property),
                            );
                        }
                        data_cfg.insert(key.to_owned(), Value::String(t.template.clone()));
                    }
                    // No URL in the legacy Secret: agent-backend's line is
                    // left out when the value is empty.
                    None => {
                        data_cfg.insert(key.to_owned(), Value::String(String::new()));
                    }
                }
                cfg.insert("data".into(), Value::Map(data_cfg));
            }
            cfg.insert("remoteRefs".into(), Value::Map(refs));
        }
        set_path(&mut overlay, &["externalSecret", svc.key], Value::Map(cfg));
    }

    // Probe each secret-bearing values path: which Secret keys does it feed?
    let sentinel = "difyx-migrate-probe-3f9c1d";
    let mut feeds: BTreeMap<&str, BTreeSet<&'static str>> = BTreeMap::new();
    for path in SECRET_PATHS {
        let segs: Vec<&str> = path.split('.').collect();
        let present = values
            .lookup(segs.iter().copied())
            .and_then(scalar_text)
            .is_some_and(|s| !s.is_empty());
        if !present {
            continue;
        }
        let mut probe = legacy.clone();
        probe
            .sets
            .push((SetKind::Literal, format!("{path}={sentinel}")));
        let probe_opts = Options {
            skip_schema_validation: true,
            ..opts.clone()
        };
        let Ok(out) = pipeline::template_with(&engine, chart, &probe, &probe_opts) else {
            continue;
        };
        let Ok(data) = secret_data(&out.manifests) else {
            continue;
        };
        let mut fed = BTreeSet::new();
        for (name, keys) in &legacy_data {
            let after = data.get(name);
            for (k, v) in keys {
                if after.and_then(|a| a.get(k)) != Some(v) {
                    fed.insert(service_of.get(name).copied().unwrap_or("other"));
                }
            }
        }
        feeds.insert(path, fed);
    }
    let clearable = |path: &str| {
        feeds.get(path).is_some_and(|fed| {
            !fed.is_empty()
                && fed
                    .iter()
                    .all(|s| !kept_services.contains(s) && *s != "other")
        })
    };
    let usable = |path: &str| {
        feeds
            .get(path)
            .is_none_or(|fed| fed.iter().all(|s| !kept_services.contains(s)))
    };
    let mut notes = Vec::new();

    // The built-in PostgreSQL's own passwords.
    let auth = |k: &str| {
        let mut p = PG_AUTH.to_vec();
        p.push(k);
        values
            .lookup(p)
            .and_then(scalar_text)
            .filter(|s| !s.is_empty())
    };
    let mut pg = Map::new();
    let pg_on = values
        .lookup(["postgresql", "enabled"])
        .is_some_and(Value::is_truthy);
    let pg_password = auth("postgresPassword");
    let pg_migrate = pg_on
        && pg_password.is_some()
        && auth("username").is_none()
        && auth("existingSecret").is_none()
        && usable("postgresql.global.postgresql.auth.postgresPassword");
    pg.insert("enabled".into(), Value::Bool(pg_migrate));
    if pg_migrate {
        let mut refs = Map::new();
        null_refs(&mut refs, &values, "postgresql");
        for (secret_key, value_key, property) in [
            ("postgres-password", "postgresPassword", "postgres_password"),
            (
                "replication-password",
                "replicationPassword",
                "replication_password",
            ),
        ] {
            match auth(value_key) {
                Some(v) => {
                    let property = put(
                        &mut store,
                        "postgresql",
                        property.to_owned(),
                        &v,
                        "postgresql",
                    );
                    refs.insert(
                        secret_key.into(),
                        reference(&format!("{prefix}/postgresql"), &property),
                    );
                    let mut p = PG_AUTH.to_vec();
                    p.push(value_key);
                    set_path(&mut overlay, &p, Value::String(String::new()));
                }
                None => {
                    refs.insert(secret_key.into(), Value::Null);
                }
            }
        }
        pg.insert("remoteRefs".into(), Value::Map(refs));
    } else if pg_on && auth("username").is_some() {
        notes.push(
            "the built-in PostgreSQL has a custom user (postgresql.global.postgresql.auth.username): its \
             passwords stay in the values (the postgresql ExternalSecret carries only postgres-password and \
             replication-password)"
                .to_owned(),
        );
    }
    set_path(
        &mut overlay,
        &["externalSecret", "postgresql"],
        Value::Map(pg),
    );

    // The built-in Redis's password.
    let mut rd = Map::new();
    let redis_on = values
        .lookup(["redis", "enabled"])
        .is_some_and(Value::is_truthy)
        && values
            .lookup(["redis", "auth", "enabled"])
            .is_some_and(Value::is_truthy);
    let redis_password = values
        .lookup(["redis", "auth", "password"])
        .and_then(scalar_text)
        .filter(|s| !s.is_empty());
    let redis_existing = values
        .lookup(["redis", "auth", "existingSecret"])
        .and_then(Value::as_str)
        .is_some_and(|s| !s.is_empty());
    let redis_migrate =
        redis_on && redis_password.is_some() && !redis_existing && usable("redis.auth.password");
    rd.insert("enabled".into(), Value::Bool(redis_migrate));
    if let (true, Some(v)) = (redis_migrate, &redis_password) {
        let property = put(&mut store, "redis", "redis_password".to_owned(), v, "redis");
        let mut refs = Map::new();
        null_refs(&mut refs, &values, "redis");
        refs.insert(
            "redis-password".into(),
            reference(&format!("{prefix}/redis"), &property),
        );
        rd.insert("remoteRefs".into(), Value::Map(refs));
        set_path(
            &mut overlay,
            &["redis", "auth", "password"],
            Value::String(String::new()),
        );
    } else if redis_on && redis_password.is_some() && !redis_existing {
        notes.push(
            "redis.auth.password stays in the values: a service kept on plaintext Secrets reads it"
                .to_owned(),
        );
    }
    set_path(&mut overlay, &["externalSecret", "redis"], Value::Map(rd));

    // Clear every plaintext value only migrated services read.
    for path in SECRET_PATHS {
        if clearable(path) {
            let segs: Vec<&str> = path.split('.').collect();
            if segs == ["redis", "auth", "password"] && !redis_migrate {
                // Clearing it would turn on the redis ExternalSecret without a store entry.
                continue;
            }
            if segs.starts_with(&PG_AUTH) && !pg_migrate {
                continue;
            }
            set_path(&mut overlay, &segs, Value::String(String::new()));
        }
    }

    // existingSecret: the names the built-in databases' ExternalSecrets get.
    if pg_migrate || redis_migrate {
        let text = crate::values::emit::to_yaml(&Value::Map(overlay.clone()));
        let out = render(&engine, chart, &with_overlay(user, &text), opts)?;
        for (on, template, path) in [
            (
                pg_migrate,
                "templates/postgresql-externalsecret.yaml",
                &[&PG_AUTH[..], &["existingSecret"]].concat(),
            ),
            (
                redis_migrate,
                "templates/redis-externalsecret.yaml",
                &["redis", "auth", "existingSecret"].to_vec(),
            ),
        ] {
            if !on {
                continue;
            }
            let m = out
                .iter()
                .find(|m| m.kind == "ExternalSecret" && m.template.ends_with(template))
                .ok_or_else(|| anyhow!("the overlay does not render {template}"))?;
            set_path(&mut overlay, path, Value::String(m.name.clone()));
        }
    }

    let mut store_text = String::from(
        "# Written by difyx migrate: the secrets of the legacy values, by remote key.\n\
         # Load them into your secret backend, then delete this file.\n",
    );
    for (path, props) in &store {
        store_text.push_str(&format!("{}:\n", double_quoted(path)));
        for (k, v) in props {
            store_text.push_str(&format!("  {}: {}\n", double_quoted(k), double_quoted(v)));
        }
    }
    Ok(Plan {
        overlay: crate::values::emit::to_yaml(&Value::Map(overlay)),
        store_text,
        store,
        switched: switched.iter().map(|s| s.key.to_owned()).collect(),
        kept,
        notes,
    })
}

/// Checks that `user`'s legacy values with `overlay` on top, resolved against
/// `store`, give every Secret exactly the keys and values the legacy render
/// gave it, and that the built-in databases' Secrets hold their legacy
/// passwords. The problems, one line each, without values; none when the
/// migration is faithful.
pub fn verify(
    chart: &Chart,
    user: &UserValues,
    overlay: &str,
    store: &Store,
    opts: &Options,
) -> Result<Vec<String>> {
    let engine = Engine::new(chart)?;
    let legacy = legacy_user(user);
    let legacy_manifests = render(&engine, chart, &legacy, opts)?;
    let before = secret_data(&legacy_manifests)?;
    let (legacy_values, _) = pipeline::compute_values(chart, &legacy, true)?;
    let legacy_values = Value::Map(legacy_values);
    let migrated = with_overlay(user, overlay);
    let out = pipeline::template_with(&engine, chart, &migrated, opts)?;
    let resolution = crate::resolve::resolve(&out.manifests, store);
    let mut problems = resolution.failures.clone();
    let after = secret_data(&resolution.manifests)?;
    for (name, keys) in &before {
        let Some(got) = after.get(name) else {
            problems.push(format!("Secret {} is missing", yaml_string(name)));
            continue;
        };
        for (k, v) in keys {
            match got.get(k) {
                None => problems.push(format!("Secret {}: key {k} is missing", yaml_string(name))),
                Some(g) if g != v => problems.push(format!(
                    "Secret {}: key {k} has a different value",
                    yaml_string(name)
                )),
                _ => {}
            }
        }
        for k in got.keys().filter(|k| !keys.contains_key(*k)) {
            problems.push(format!("Secret {}: key {k} is new", yaml_string(name)));
        }
    }
    let (values, _) = pipeline::compute_values(chart, &migrated, true)?;
    let values = Value::Map(values);
    // An existingSecret the legacy release already expected from elsewhere is not new.
    let missing_before =
        crate::resolve::missing_existing_secrets(&legacy_values, &legacy_manifests);
    problems.extend(
        crate::resolve::missing_existing_secrets(&values, &resolution.manifests)
            .into_iter()
            .filter(|p| !missing_before.contains(p)),
    );
    let mut pg_path = PG_AUTH.to_vec();
    pg_path.push("existingSecret");
    let checks = [
        (
            pg_path.clone(),
            "postgres-password",
            [&PG_AUTH[..], &["postgresPassword"]].concat(),
        ),
        (
            pg_path,
            "replication-password",
            [&PG_AUTH[..], &["replicationPassword"]].concat(),
        ),
        (
            vec!["redis", "auth", "existingSecret"],
            "redis-password",
            vec!["redis", "auth", "password"],
        ),
    ];
    for (secret_path, key, legacy_path) in checks {
        let Some(name) = values
            .lookup(secret_path.iter().copied())
            .and_then(Value::as_str)
        else {
            continue;
        };
        let Some(data) = after.get(name) else {
            continue;
        };
        let expected = legacy_values
            .lookup(legacy_path.iter().copied())
            .and_then(scalar_text);
        let Some(expected) = expected.filter(|s| !s.is_empty()) else {
            continue;
        };
        if data.get(key) != Some(&expected) {
            problems.push(format!(
                "Secret {} ({}): key {key} does not hold the legacy {}",
                yaml_string(name),
                secret_path.join("."),
                legacy_path.join(".")
            ));
        }
    }
    Ok(problems)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::chart::versions::find;

    #[test]
    fn redis_urls_become_eso_templates_without_credentials() {
        let t = url_template("redis://:pw@rel-redis-master:6379/1", "", "pw").unwrap();
        assert_eq!(
            t.template,
            "redis://:{{ .REDIS_PASSWORD }}@rel-redis-master:6379/1"
        );
        assert!(t.uses_password && !t.uses_username);
        let t = url_template("rediss://app:p@ss@redis.example:6380/1", "app", "p@ss").unwrap();
        assert_eq!(
            t.template,
            "rediss://{{ .REDIS_USERNAME }}:{{ .REDIS_PASSWORD }}@redis.example:6380/1"
        );
        // Sentinel lists: every entry.
        let t = url_template("sentinel://:x1@a:1/1;sentinel://:x1@b:1/1", "", "x1").unwrap();
        assert_eq!(
            t.template,
            "sentinel://:{{ .REDIS_PASSWORD }}@a:1/1;sentinel://:{{ .REDIS_PASSWORD }}@b:1/1"
        );
        // No password: nothing secret to take out.
        assert_eq!(
            url_template("redis://:@h:1/1", "", "").unwrap().template,
            "redis://:@h:1/1"
        );
        // The password elsewhere, or template syntax: no template.
        assert_eq!(url_template("redis://:pw@pw-host:1/1", "", "pw"), None);
        assert_eq!(url_template("redis://:{{x}}@h:1/1", "", "{{x}}"), None);
    }

    #[test]
    fn services_and_their_keys_follow_the_release() {
        let values = |yaml: &str| Value::Map(crate::values::yaml::parse_values(yaml, "v").unwrap());
        let off = values("weaviate: {enabled: false}\nagentBackend: {enabled: true}\npluginDaemon: {enabled: true}\n");
        let keys = |v: &str, svc: &str| {
            services(find(v).unwrap(), &off)
                .into_iter()
                .find(|s| s.key == svc)
                .map(|s| (s.supported, s.templated))
        };
        let (api27, t27) = keys("0.27.0", "api").unwrap();
        assert!(api27.contains(&"CELERY_BROKER_URL") && api27.contains(&"WEAVIATE_API_KEY"));
        assert_eq!(t27, None);
        let (api37, t37) = keys("0.37.0", "api").unwrap();
        assert!(!api37.contains(&"CELERY_BROKER_URL"));
        assert!(
            !api37.contains(&"WEAVIATE_API_KEY"),
            "gated by weaviate.enabled from 0.28.0"
        );
        assert!(
            !api37.contains(&"ELASTICSEARCH_USERNAME"),
            "gated by externalElasticsearch.enabled"
        );
        assert!(api37.contains(&"S3_ACCESS_KEY") && api37.contains(&"OTLP_API_KEY"));
        assert_eq!(t37, Some("CELERY_BROKER_URL"));
        assert!(keys("0.37.0", "agentBackend").is_none());
        let (agent, t) = keys("0.38.0-rc2", "agentBackend").unwrap();
        assert_eq!(t, Some("DIFY_AGENT_REDIS_URL"));
        assert!(agent.contains(&"DIFY_AGENT_INNER_API_KEY"));
        assert_eq!(
            keys("0.38.0-rc2", "localSandbox").unwrap().0,
            ["SHELLCTL_AUTH_TOKEN"]
        );
    }
}
