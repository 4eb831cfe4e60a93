//! Facts about the embedded Dify chart that Rust code needs: the remote
//! reference keys each ExternalSecret supports at each release, in the order
//! the templates emit them (SPEC §4.5, CHART-VERSIONS B.3, D, L, M, R.1). The
//! templates (`charts/dify/templates/*-externalsecret.yaml`) hold the same
//! lists; a test renders every key at every release and checks the two agree.

use super::versions::ChartVersion;

/// One supported key of a service's ExternalSecret, for the releases from
/// `since` up to, not including, `until`.
#[derive(Debug)]
pub struct SupportedKey {
    pub key: &'static str,
    pub since: &'static str,
    pub until: Option<&'static str>,
    /// From 0.28.0 (`eso_v2`): the value path that must also be truthy for
    /// the key to be fetched (`weaviate.enabled`, …). Earlier releases have
    /// no gates.
    pub gate: Option<&'static str>,
}

const fn k(key: &'static str) -> SupportedKey {
    SupportedKey {
        key,
        since: "0.27.0",
        until: None,
        gate: None,
    }
}

const fn since(key: &'static str, since: &'static str) -> SupportedKey {
    SupportedKey {
        key,
        since,
        until: None,
        gate: None,
    }
}

const fn until(key: &'static str, until: &'static str) -> SupportedKey {
    SupportedKey {
        key,
        since: "0.27.0",
        until: Some(until),
        gate: None,
    }
}

const fn gated(key: SupportedKey, gate: &'static str) -> SupportedKey {
    SupportedKey {
        gate: Some(gate),
        ..key
    }
}

const ES: &str = "externalElasticsearch.enabled";

/// api, in spec.data order across every release (CHART-VERSIONS R.1). The
/// worker's list is this one less CODE_EXECUTION_API_KEY before 0.37.0 and
/// less ELASTICSEARCH_* always.
const API: &[SupportedKey] = &[
    k("SECRET_KEY"),
    k("CODE_EXECUTION_API_KEY"),
    k("DB_USERNAME"),
    k("DB_PASSWORD"),
    until("REDIS_USERNAME", "0.28.0"),
    k("REDIS_PASSWORD"),
    until("CELERY_BROKER_URL", "0.28.0"),
    since("REDIS_USERNAME", "0.28.0"),
    gated(k("WEAVIATE_API_KEY"), "weaviate.enabled"),
    k("QDRANT_API_KEY"),
    k("OPENSEARCH_USERNAME"),
    k("OPENSEARCH_PASSWORD"),
    k("RESEND_API_KEY"),
    k("RESEND_FROM_EMAIL"),
    k("SENDGRID_API_KEY"),
    k("SENDGRID_FROM_EMAIL"),
    k("AWS_ACCESS_KEY_ID"),
    k("AWS_SECRET_ACCESS_KEY"),
    k("AZURE_BLOB_ACCOUNT_NAME"),
    k("AZURE_BLOB_ACCOUNT_KEY"),
    k("GOOGLE_CLOUD_STORAGE_BUCKET"),
    k("PLUGIN_DAEMON_KEY"),
    k("INNER_API_KEY_FOR_PLUGIN"),
    since("S3_ACCESS_KEY", "0.28.0"),
    since("S3_SECRET_KEY", "0.28.0"),
    gated(since("ELASTICSEARCH_USERNAME", "0.28.0"), ES),
    gated(since("ELASTICSEARCH_PASSWORD", "0.28.0"), ES),
    since("OTLP_API_KEY", "0.29.0"),
    gated(
        since("AGENT_BACKEND_API_TOKEN", "0.38.0-rc2"),
        "agentBackend.enabled",
    ),
];

const PLUGIN_DAEMON: &[SupportedKey] = &[
    k("DB_USERNAME"),
    k("DB_PASSWORD"),
    until("REDIS_USERNAME", "0.28.0"),
    k("REDIS_PASSWORD"),
    since("REDIS_USERNAME", "0.28.0"),
    k("SERVER_KEY"),
    k("DIFY_INNER_API_KEY"),
    k("AWS_ACCESS_KEY_ID"),
    k("AWS_SECRET_ACCESS_KEY"),
    k("AZURE_BLOB_ACCOUNT_NAME"),
    k("AZURE_BLOB_ACCOUNT_KEY"),
    k("GOOGLE_CLOUD_STORAGE_BUCKET"),
    gated(since("ELASTICSEARCH_USERNAME", "0.28.0"), ES),
    gated(since("ELASTICSEARCH_PASSWORD", "0.28.0"), ES),
];

const SANDBOX: &[SupportedKey] = &[k("API_KEY")];

/// REDIS_* are fetched for the DIFY_AGENT_REDIS_URL template only: they do
/// not reach the Secret.
const AGENT_BACKEND: &[SupportedKey] = &[
    since("REDIS_USERNAME", "0.38.0-rc2"),
    since("REDIS_PASSWORD", "0.38.0-rc2"),
    since("DIFY_AGENT_API_TOKEN", "0.38.0-rc2"),
    since("DIFY_AGENT_SERVER_SECRET_KEY", "0.38.0-rc2"),
    since("DIFY_AGENT_SHELLCTL_AUTH_TOKEN", "0.38.0-rc2"),
    gated(
        since("DIFY_AGENT_PLUGIN_DAEMON_API_KEY", "0.38.0-rc2"),
        "pluginDaemon.enabled",
    ),
    gated(
        since("DIFY_AGENT_INNER_API_KEY", "0.38.0-rc2"),
        "pluginDaemon.enabled",
    ),
];

const LOCAL_SANDBOX: &[SupportedKey] = &[since("SHELLCTL_AUTH_TOKEN", "0.38.0-rc2")];

/// The services with a fixed key list, by their key under `externalSecret`,
/// with the component name their ExternalSecret is named after
/// (`<fullname>-<component>`).
pub const SERVICES: &[(&str, &str)] = &[
    ("api", "api"),
    ("worker", "worker"),
    ("sandbox", "sandbox"),
    ("pluginDaemon", "plugin-daemon"),
    ("agentBackend", "agent-backend"),
    ("localSandbox", "local-sandbox"),
];

fn applies(key: &SupportedKey, version: &ChartVersion) -> bool {
    version.within(key.since, key.until)
}

fn table(service: &str, version: &ChartVersion) -> Vec<&'static SupportedKey> {
    let list: &'static [SupportedKey] = match service {
        "api" | "worker" => API,
        "sandbox" => SANDBOX,
        "pluginDaemon" => PLUGIN_DAEMON,
        "agentBackend" => AGENT_BACKEND,
        "localSandbox" => LOCAL_SANDBOX,
        _ => return Vec::new(),
    };
    // The worker has the api's keys less Elasticsearch's, and the sandbox
    // key only from 0.37.0.
    let worker_lacks = |key: &str| {
        key.starts_with("ELASTICSEARCH_")
            || (key == "CODE_EXECUTION_API_KEY" && !version.has("worker_code_execution"))
    };
    list.iter()
        .filter(|k| applies(k, version) && !(service == "worker" && worker_lacks(k.key)))
        .collect()
}

/// The keys `externalSecret.<service>.remoteRefs` supports at `version`, in
/// spec.data order (`service` as in [`SERVICES`]: `api`, `pluginDaemon`, …).
/// Empty for a service the release does not have, or an unknown one.
pub fn supported_keys(service: &str, version: &ChartVersion) -> Vec<&'static str> {
    table(service, version).into_iter().map(|k| k.key).collect()
}

/// The value path that must be truthy, besides the reference, for `key` to
/// be fetched by `service`'s ExternalSecret at `version` (CHART-VERSIONS B.3).
pub fn gate(service: &str, key: &str, version: &ChartVersion) -> Option<&'static str> {
    if !version.has("eso_v2") {
        return None;
    }
    table(service, version)
        .into_iter()
        .find(|k| k.key == key)
        .and_then(|k| k.gate)
}

/// The key of `externalSecret.<service>.data` the ExternalSecret writes into
/// the Secret as an ESO template, if any: `CELERY_BROKER_URL` (api, worker,
/// from 0.28.0), `DIFY_AGENT_REDIS_URL` (agentBackend).
pub fn template_data_key(service: &str, version: &ChartVersion) -> Option<&'static str> {
    match service {
        "api" | "worker" if version.has("eso_v2") => Some("CELERY_BROKER_URL"),
        "agentBackend" if version.has("agent_backend") => Some("DIFY_AGENT_REDIS_URL"),
        _ => None,
    }
}

/// The api ExternalSecret's supported keys at 0.27.0 ([`supported_keys`]
/// gives them for any release).
pub const API_KEYS: &[&str] = &[
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
];

/// The worker's at 0.27.0: the api's without CODE_EXECUTION_API_KEY.
pub const WORKER_KEYS: &[&str] = &[
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
];

/// The sandbox's (every release).
pub const SANDBOX_KEYS: &[&str] = &["API_KEY"];

/// The plugin daemon's at 0.27.0.
pub const PLUGIN_DAEMON_KEYS: &[&str] = &[
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
];

#[cfg(test)]
mod tests {
    use super::*;
    use crate::chart::versions::VERSIONS;
    use crate::chart::Chart;
    use crate::engine::Release;
    use crate::pipeline::{template, Options, UserValues};
    use crate::values::Value;

    /// Every supported key set for every service at every release: the
    /// templates emit exactly these lists, in this order, with every gate
    /// on; each key not fetched only for the URL template reaches
    /// template.data.
    #[test]
    fn the_templates_support_these_keys_in_this_order() {
        let mut every: Vec<&str> = API.iter().chain(PLUGIN_DAEMON).map(|k| k.key).collect();
        every.extend(
            AGENT_BACKEND
                .iter()
                .chain(SANDBOX)
                .chain(LOCAL_SANDBOX)
                .map(|k| k.key),
        );
        every.sort();
        every.dedup();
        let mut values = String::from(
            "externalElasticsearch: {enabled: true, host: es, port: 9200}\n\
             externalSecret:\n  enabled: true\n",
        );
        for (service, _) in SERVICES {
            values.push_str(&format!("  {service}:\n    remoteRefs:\n"));
            // Listed in reverse: the output order must not follow the user's.
            for key in every.iter().rev() {
                values.push_str(&format!("      {key}: {{key: k}}\n"));
            }
        }
        let user = UserValues::file("t.yaml", values);
        let opts = Options::new(Release::install("dify", "dify"));
        for version in VERSIONS {
            let out = template(&Chart::dify(version.version), &user, &opts).unwrap();
            for (service, component) in SERVICES {
                let keys = supported_keys(service, version);
                let name = format!("dify-{component}");
                let doc = out
                    .manifests
                    .iter()
                    .find(|m| m.kind == "ExternalSecret" && m.name == name);
                let Some(doc) = doc else {
                    assert!(keys.is_empty(), "{} {name} not rendered", version.version);
                    continue;
                };
                let Some(Value::List(data)) = doc.doc.lookup(["spec", "data"]) else {
                    panic!("{} {name}", version.version)
                };
                let emitted: Vec<&str> = data
                    .iter()
                    .filter_map(|e| e.lookup(["secretKey"])?.as_str())
                    .collect();
                assert_eq!(emitted, keys, "{} {name}", version.version);
                let templated = doc.doc.lookup(["spec", "target", "template", "data"]);
                for key in keys
                    .iter()
                    .filter(|k| !(*service == "agentBackend" && k.starts_with("REDIS_")))
                {
                    assert!(
                        templated.and_then(|t| t.lookup([*key])).is_some(),
                        "{} {name}: {key} not in template.data",
                        version.version
                    );
                }
            }
        }
    }

    /// `lint::versioned` keeps its own copy of the lists (for its V13/V14
    /// diagnostics): it must say what the templates do.
    #[test]
    fn lint_knows_the_same_keys() {
        for version in VERSIONS {
            for (service, _) in SERVICES {
                assert_eq!(
                    crate::lint::versioned::supported_keys(service, version),
                    supported_keys(service, version),
                    "{} {service}",
                    version.version
                );
            }
        }
    }

    #[test]
    fn the_constants_are_the_first_release_lists() {
        let first = &VERSIONS[0];
        assert_eq!(supported_keys("api", first), API_KEYS);
        assert_eq!(supported_keys("worker", first), WORKER_KEYS);
        assert_eq!(supported_keys("sandbox", first), SANDBOX_KEYS);
        assert_eq!(supported_keys("pluginDaemon", first), PLUGIN_DAEMON_KEYS);
    }

    #[test]
    fn gates_and_data_keys_follow_the_release() {
        let v = |s| crate::chart::versions::find(s).unwrap();
        assert_eq!(gate("api", "WEAVIATE_API_KEY", v("0.27.0")), None);
        assert_eq!(
            gate("api", "WEAVIATE_API_KEY", v("0.28.0")),
            Some("weaviate.enabled")
        );
        assert_eq!(gate("worker", "ELASTICSEARCH_USERNAME", v("0.37.0")), None);
        assert_eq!(
            supported_keys("worker", v("0.37.0"))[1],
            "CODE_EXECUTION_API_KEY"
        );
        assert_eq!(supported_keys("worker", v("0.36.0"))[1], "DB_USERNAME");
        assert!(supported_keys("agentBackend", v("0.37.0")).is_empty());
        assert_eq!(template_data_key("api", v("0.27.0")), None);
        assert_eq!(
            template_data_key("agentBackend", v("0.38.0-rc2")),
            Some("DIFY_AGENT_REDIS_URL")
        );
    }
    fn render(version: &str, values: &str) -> Result<String, String> {
        let user = UserValues::file("t.yaml", values.to_owned());
        let opts = Options::new(Release::install("dify", "dify"));
        template(&Chart::dify(version), &user, &opts)
            .map(|out| {
                out.manifests
                    .iter()
                    .map(|m| m.body.clone())
                    .collect::<String>()
            })
            .map_err(|e| e.to_string())
    }

    /// CHART-VERSIONS §V V1, V3, V4: the values Helm pastes unchecked are
    /// checked, and each error names the value.
    #[test]
    fn eso_values_helm_pastes_are_checked() {
        let on = "externalSecret:\n  enabled: true\n";
        let err = render("0.37.0", &format!("{on}  decodingStrategy: base64\n")).unwrap_err();
        assert!(err.contains("externalSecret.decodingStrategy"), "{err}");
        let err = render(
            "0.28.0",
            &format!("{on}  worker:\n    data:\n      CELERY_BROKER_URL: null\n"),
        )
        .unwrap_err();
        assert!(
            err.contains("externalSecret.worker.data.CELERY_BROKER_URL"),
            "{err}"
        );
        let err = render(
            "0.38.0-rc2",
            &format!("{on}  agentBackend:\n    data:\n      DIFY_AGENT_REDIS_URL: 5\n"),
        )
        .unwrap_err();
        assert!(
            err.contains("externalSecret.agentBackend.data.DIFY_AGENT_REDIS_URL"),
            "{err}"
        );
        let err = render(
            "0.29.0",
            &format!("{on}externalElasticsearch:\n  enabled: true\n  host: null\n"),
        )
        .unwrap_err();
        assert!(err.contains("externalElasticsearch.host"), "{err}");
        // Read back exactly: quoted where Helm's plain paste would not.
        let out = render(
            "0.29.0",
            &format!(
                "{on}  api:\n    data:\n      CELERY_BROKER_URL: 'redis://a #x'\n\
                 externalElasticsearch:\n  enabled: true\n  port: 1000000\n"
            ),
        )
        .unwrap();
        assert!(out.contains("CELERY_BROKER_URL: \"redis://a #x\""), "{out}");
        assert!(out.contains("ELASTICSEARCH_PORT: \"1000000\""), "{out}");
        // A falsy global decodingStrategy leaves the line out.
        let out = render("0.28.0", &format!("{on}  decodingStrategy: \"\"\n")).unwrap();
        assert!(!out.contains("decodingStrategy"), "{out}");
        assert!(out.contains("conversionStrategy: Default"), "{out}");
    }
}
