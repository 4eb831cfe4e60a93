//! Facts about the embedded Dify chart that Rust code needs: the remote
//! reference keys each ExternalSecret supports, in the order the templates
//! emit them (SPEC §4.5). The templates hold the same lists; a test renders
//! every key and checks the two agree.

/// The api ExternalSecret's supported keys.
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

/// The worker's: the api's without CODE_EXECUTION_API_KEY.
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

/// The sandbox's.
pub const SANDBOX_KEYS: &[&str] = &["API_KEY"];

/// The plugin daemon's.
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
    use crate::chart::Chart;
    use crate::engine::Release;
    use crate::pipeline::{template, Options, UserValues};
    use crate::values::Value;

    /// Every supported key set for every service: the templates emit exactly
    /// these lists, in this order.
    #[test]
    fn the_templates_support_these_keys_in_this_order() {
        let services = [
            ("api", "dify-api", API_KEYS),
            ("worker", "dify-worker", WORKER_KEYS),
            ("sandbox", "dify-sandbox", SANDBOX_KEYS),
            ("pluginDaemon", "dify-plugin-daemon", PLUGIN_DAEMON_KEYS),
        ];
        let mut values = String::from("externalSecret:\n  enabled: true\n");
        for (service, _, keys) in services {
            values.push_str(&format!("  {service}:\n    remoteRefs:\n"));
            // Listed in reverse: the output order must not follow the user's.
            for key in keys.iter().rev() {
                values.push_str(&format!("      {key}: {{key: k}}\n"));
            }
        }
        let user = UserValues::file("t.yaml", values);
        let opts = Options::new(Release::install("dify", "dify"));
        let out = template(&Chart::dify("0.27.0"), &user, &opts).unwrap();
        for (_, name, keys) in services {
            let doc = out
                .manifests
                .iter()
                .find(|m| m.kind == "ExternalSecret" && m.name == name)
                .unwrap();
            let Some(Value::List(data)) = doc.doc.lookup(["spec", "data"]) else {
                panic!("{name}")
            };
            let emitted: Vec<&str> = data
                .iter()
                .filter_map(|e| e.lookup(["secretKey"])?.as_str())
                .collect();
            assert_eq!(emitted, keys, "{name}");
        }
    }
}
