//! Differential property test, one test per embedded chart release: generated
//! values over everything that release's secret layer reads (CHART-VERSIONS
//! §R.3 and SPEC §2.6: the release's new keys, subchart values such as
//! `redis.sentinel.*`, `redis.replica.replicaCount`, `redis.nameOverride`,
//! `postgresql.global.postgresql.auth.*`, schema-typed fields with right and
//! wrong types, `global.*`, `externalSecret.decodingStrategy`,
//! `externalSecret.<svc>.data.*`, and hostile strings: quotes, `: `, ` #`,
//! `{{ }}`, unicode, newlines, `<no value>`, YAML 1.1 specials), rendered by
//! real Helm 4.3.1 on `../shared/upstream/<V>/`
//! (`helm template REL DIR -n NS -f gen.yaml`) and by
//! `difyx template REL -n NS --version V -f gen.yaml`.
//!
//! Each case gets one verdict:
//!
//! * **equal**: both render the same documents in the same order; plain
//!   Secrets are compared parsed with their `data` decoded, ExternalSecrets
//!   byte for byte;
//! * **both fail**: both exit non-zero (difyx with `Error: ` and no stdout);
//! * **covered by a rule**: a difference SPEC §7.0 or CHART-VERSIONS §V
//!   orders, and the input shows why: e.g. V7 only when Helm's decoded Secret
//!   holds `<nil>` and difyx's error names the value path Helm formatted, D1
//!   only when the value difyx printed is a string of the input that does not
//!   read back from Helm's unquoted form. The rule is named per case and
//!   tallied;
//! * **mismatch**: anything else. Its values file is kept in
//!   `target/versions-diff/<V>/case-<n>.yaml` and both commands are printed.
//!
//! `DIFYX_VERSIONS_CASES` cases per release (default 20; CI runs 300),
//! seeded, so every run checks the same cases; the cases of one release run
//! on a pool of threads (`DIFYX_VERSIONS_THREADS`, default the CPUs).
//! Helm is found as in the other differential tests (`helm_if_present`;
//! `DIFYX_REQUIRE_HELM=1` makes a missing Helm an error).

mod common;

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;

use base64::Engine as _;
use common::{helm_if_present, raw_documents, repo_dir, shared_dir, Rng};
use difyx::chart::versions::VERSIONS;
use difyx::engine::scalar::double_quoted;
use difyx::values::yaml::parse_document;
use difyx::values::Value;

// ---------------------------------------------------------------------------
// Generated values
// ---------------------------------------------------------------------------

/// A values tree as written to the file: `Raw` is emitted verbatim (numbers,
/// booleans, YAML 1.1 specials, flow lists), `Str` double-quoted.
#[derive(Clone, Debug)]
enum Node {
    Map(Vec<(String, Node)>),
    Str(String),
    Raw(&'static str),
}

impl Node {
    fn set(&mut self, path: &str, value: Node) {
        let mut cur = self;
        let keys: Vec<&str> = path.split('.').collect();
        for (i, key) in keys.iter().enumerate() {
            let Node::Map(entries) = cur else {
                return;
            };
            let pos = match entries.iter().position(|(k, _)| k == key) {
                Some(p) => p,
                None => {
                    entries.push(((*key).to_owned(), Node::Map(Vec::new())));
                    entries.len() - 1
                }
            };
            if i + 1 == keys.len() {
                entries[pos].1 = value;
                return;
            }
            if !matches!(entries[pos].1, Node::Map(_)) {
                entries[pos].1 = Node::Map(Vec::new());
            }
            cur = &mut entries[pos].1;
        }
    }

    fn emit(&self, indent: usize, out: &mut String) {
        let Node::Map(entries) = self else {
            unreachable!("the top is a map")
        };
        for (k, v) in entries {
            let key = if k
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
                && !k.is_empty()
            {
                k.clone()
            } else {
                double_quoted(k)
            };
            let _ = write!(out, "{:indent$}{key}:", "");
            match v {
                Node::Map(e) if e.is_empty() => out.push_str(" {}\n"),
                Node::Map(_) => {
                    out.push('\n');
                    v.emit(indent + 2, out);
                }
                other => {
                    out.push(' ');
                    out.push_str(&other.inline());
                    out.push('\n');
                }
            }
        }
    }

    fn inline(&self) -> String {
        match self {
            Node::Str(s) => double_quoted(s),
            Node::Raw(r) => (*r).to_owned(),
            Node::Map(e) if e.is_empty() => "{}".to_owned(),
            Node::Map(e) => format!(
                "{{{}}}",
                e.iter()
                    .map(|(k, v)| format!("{}: {}", double_quoted(k), v.inline()))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        }
    }
}

/// Ordinary values: every tool reads them the same way.
const ORDINARY: &[&str] = &[
    "dify/api",
    "secret_key",
    "s3cr3t",
    "vault-backend",
    "my.store",
    "a_b",
    "K",
    "difyai123456",
];
/// Pasted raw by Helm yet read back unchanged (checked by helm_diff).
const WELL_FORMED_ODD: &[&str] = &[
    "a,b",
    "x:y",
    "a#b",
    "foo bar",
    "-x",
    "?x",
    "x@",
    "x%",
    "x!",
    "x'",
    "x\"",
    "日本",
    "ü-store",
    "2001-12-14",
    "12:30",
    "1.5.0",
    "~x",
    "a\tb",
];
/// Strings that do not survive being pasted unquoted into YAML, and YAML
/// 1.1 specials written as strings.
const HOSTILE: &[&str] = &[
    "a: b",
    "vault #c",
    "{{ .REDIS_PASSWORD }}",
    "{{ x }} y",
    "<no value>",
    "x<no value>y",
    "line1\nline2",
    "\"quoted\"",
    "'single'",
    " lead",
    "trail ",
    "*star",
    "&amp",
    "!bang",
    "@at",
    "`tick",
    "%pct",
    "[a]",
    "{a}",
    "yes",
    "on",
    "no",
    "true",
    "null",
    "~",
    "0123",
    "1e3",
    "0x1F",
    "1_000",
    "12:30:45",
    "",
    "é\u{2028}z",
];
/// Non-strings and nulls, for fields with a string or boolean type.
const WRONG: &[&str] = &[
    "5", "true", "1.5", "[a, b]", "{a: 1}", "null", "yes", "0x1F", "on", "~", "1e3", "07",
];
const INTERVALS: &[&str] = &["1h", "15m", "1.5h", "0s", "1h30m", "300ms", "1µs"];
const BAD_INTERVALS: &[&str] = &["1d", "1H", "1h 30m", " 15m", "00", "1e3s", "forever"];
const DECODING: &[&str] = &["Auto", "Base64", "Base64URL", "None"];
/// Names the generator sets that make valid object names with any release.
const GOOD_NAMES: &[&str] = &[
    "myapp",
    "difyx",
    "dify-postgresql",
    "pg-secret",
    "my.pg",
    "dify-redis",
    "redis-secret",
];

/// Supported remoteRefs keys per service, the union over every release
/// (each release ignores the ones it does not support: B1).
const APP_KEYS: &[(&str, &[&str])] = &[
    (
        "api",
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
            "OPENSEARCH_PASSWORD",
            "RESEND_API_KEY",
            "SENDGRID_FROM_EMAIL",
            "AWS_ACCESS_KEY_ID",
            "PLUGIN_DAEMON_KEY",
            "INNER_API_KEY_FOR_PLUGIN",
            "S3_ACCESS_KEY",
            "S3_SECRET_KEY",
            "ELASTICSEARCH_USERNAME",
            "ELASTICSEARCH_PASSWORD",
            "OTLP_API_KEY",
            "AGENT_BACKEND_API_TOKEN",
            "secret_key",
        ],
    ),
    (
        "worker",
        &[
            "SECRET_KEY",
            "CODE_EXECUTION_API_KEY",
            "DB_PASSWORD",
            "REDIS_PASSWORD",
            "REDIS_USERNAME",
            "CELERY_BROKER_URL",
            "WEAVIATE_API_KEY",
            "PLUGIN_DAEMON_KEY",
            "S3_SECRET_KEY",
            "OTLP_API_KEY",
            "AGENT_BACKEND_API_TOKEN",
        ],
    ),
    ("sandbox", &["API_KEY", "OTHER"]),
    (
        "pluginDaemon",
        &[
            "DB_USERNAME",
            "DB_PASSWORD",
            "REDIS_USERNAME",
            "REDIS_PASSWORD",
            "SERVER_KEY",
            "DIFY_INNER_API_KEY",
            "AWS_ACCESS_KEY_ID",
            "ELASTICSEARCH_PASSWORD",
        ],
    ),
    (
        "postgresql",
        &["postgres-password", "replication-password", "extra-key"],
    ),
    ("redis", &["redis-password", "a,b"]),
    (
        "agentBackend",
        &[
            "REDIS_USERNAME",
            "REDIS_PASSWORD",
            "DIFY_AGENT_API_TOKEN",
            "DIFY_AGENT_SERVER_SECRET_KEY",
            "DIFY_AGENT_SHELLCTL_AUTH_TOKEN",
            "DIFY_AGENT_PLUGIN_DAEMON_API_KEY",
            "DIFY_AGENT_INNER_API_KEY",
        ],
    ),
    ("localSandbox", &["SHELLCTL_AUTH_TOKEN"]),
];

/// One generated case.
struct Case {
    seed: u64,
    values: String,
    release: &'static str,
    namespace: &'static str,
}

struct Gen<'r> {
    rng: &'r mut Rng,
    /// Position of the release in VERSIONS.
    at: usize,
    /// Percent chance that a set value is odd (hostile string or wrong type).
    odd: u64,
    root: Node,
}

fn version_index(v: &str) -> usize {
    VERSIONS
        .iter()
        .position(|r| r.version == v)
        .expect("an embedded release")
}

impl Gen<'_> {
    fn since(&self, v: &str) -> bool {
        self.at >= version_index(v)
    }
    fn until(&self, v: &str) -> bool {
        self.at < version_index(v)
    }
    fn set(&mut self, path: &str, v: Node) {
        self.root.set(path, v);
    }
    /// A string for a free-text field: mostly ordinary, sometimes odd.
    fn text(&mut self) -> Node {
        let odd = self.odd;
        if self.rng.chance(odd) {
            Node::Str(self.rng.pick(HOSTILE).to_owned())
        } else if self.rng.chance(20) {
            Node::Str(self.rng.pick(WELL_FORMED_ODD).to_owned())
        } else {
            Node::Str(self.rng.pick(ORDINARY).to_owned())
        }
    }
    /// A value for a string field: a string, or (odd) a non-string or null.
    fn string_field(&mut self) -> Node {
        let odd = self.odd;
        if self.rng.chance(odd / 2 + 1) {
            Node::Raw(self.rng.pick(WRONG))
        } else {
            self.text()
        }
    }
    /// A value for a boolean switch.
    fn switch(&mut self, on_percent: u64) -> Node {
        let odd = self.odd;
        if self.rng.chance(odd / 3) {
            Node::Raw(
                self.rng
                    .pick(&["\"false\"", "\"true\"", "yes", "off", "1", "null"]),
            )
        } else if self.rng.chance(on_percent) {
            Node::Raw("true")
        } else {
            Node::Raw("false")
        }
    }
    /// `path` = a string field, with probability `percent`.
    fn maybe_string(&mut self, path: &str, percent: u64) {
        if self.rng.chance(percent) {
            let v = self.string_field();
            self.set(path, v);
        }
    }
    fn maybe_switch(&mut self, path: &str, percent: u64, on: u64) {
        if self.rng.chance(percent) {
            let v = self.switch(on);
            self.set(path, v);
        }
    }
    /// An integer-ish field (ports, counts, db indexes).
    fn number(&mut self, path: &str, percent: u64, good: &[&'static str]) {
        if !self.rng.chance(percent) {
            return;
        }
        let odd = self.odd;
        let v = if self.rng.chance(odd) {
            self.rng.pick(&[
                "\"6390\"",
                "\"abc\"",
                "\"two\"",
                "null",
                "1000000",
                "6379.5",
                "\"06379\"",
                "0",
                "-1",
                "true",
            ])
        } else {
            self.rng.pick(good)
        };
        self.set(path, Node::Raw(v));
    }

    fn generate(&mut self) {
        self.naming();
        self.external_secret();
        self.credentials();
        self.databases();
        self.redis();
        self.storage();
        self.vectors();
        if self.rng.chance(30) {
            self.focus();
        }
    }

    /// Steers a case into one corner where Helm formats a missing or
    /// mistyped value (V1, V4, V7, V8, D6), which independent random
    /// switches reach too rarely: the switches that make the document
    /// render, then right, missing and wrong values at the corner.
    fn focus(&mut self) {
        let mut corners = vec!["celery-data", "redis-port"];
        if self.since("0.28.0") {
            corners.push("elasticsearch");
        }
        if self.since("0.30.0") {
            corners.push("azure");
        }
        if self.since("0.31.0") {
            corners.extend(["sentinel-builtin", "sentinel-external"]);
        }
        if self.since("0.33.0") {
            corners.push("celery-db");
        }
        if self.since("0.38.0-rc2") {
            corners.push("agent-url");
        }
        let plain = |g: &mut Self| {
            g.set("externalSecret.enabled", Node::Raw("false"));
        };
        match self.rng.pick(&corners) {
            "celery-data" if self.since("0.28.0") => {
                self.set("externalSecret.enabled", Node::Raw("true"));
                self.set("externalSecret.api.enabled", Node::Raw("true"));
                let v = self.rng.pick(&[
                    "\"redis://:{{ .REDIS_PASSWORD }}@r:6379/1\"",
                    "null",
                    "5",
                    "\"{{ .REDIS_PASSWORD }}\"",
                    "\"redis://a #x\"",
                    "\"a: b\"",
                    "\"<no value>\"",
                ]);
                self.set("externalSecret.api.data.CELERY_BROKER_URL", Node::Raw(v));
            }
            "celery-data" | "redis-port" => {
                plain(self);
                self.set("redis.enabled", Node::Raw("true"));
                self.set("externalRedis.enabled", Node::Raw("false"));
                if self.since("0.31.0") {
                    self.set("redis.sentinel.enabled", Node::Raw("false"));
                }
                let v = self
                    .rng
                    .pick(&["6379", "null", "\"6390\"", "1000000", "\"x\""]);
                self.set("redis.master.service.ports.redis", Node::Raw(v));
            }
            "elasticsearch" => {
                let eso = self.rng.chance(50);
                self.set(
                    "externalSecret.enabled",
                    Node::Raw(if eso { "true" } else { "false" }),
                );
                self.set("externalSecret.api.enabled", Node::Raw("true"));
                self.set("externalElasticsearch.enabled", Node::Raw("true"));
                let host = self.rng.pick(&["\"es.example\"", "null"]);
                self.set("externalElasticsearch.host", Node::Raw(host));
                let port = self.rng.pick(&["9200", "null", "1000000"]);
                self.set("externalElasticsearch.port", Node::Raw(port));
            }
            "azure" => {
                plain(self);
                self.set("pluginDaemon.enabled", Node::Raw("true"));
                self.set("externalS3.enabled", Node::Raw("false"));
                self.set("externalAzureBlobStorage.enabled", Node::Raw("true"));
                self.set(
                    "externalAzureBlobStorage.url",
                    Node::Str("https://acct.blob.core.windows.net".into()),
                );
                for k in ["account", "key"] {
                    let v = self.rng.pick(&["\"acct\"", "null"]);
                    self.set(&format!("externalAzureBlobStorage.{k}"), Node::Raw(v));
                }
            }
            "sentinel-builtin" => {
                plain(self);
                self.set("redis.enabled", Node::Raw("true"));
                self.set("externalRedis.enabled", Node::Raw("false"));
                self.set("redis.sentinel.enabled", Node::Raw("true"));
                let n = self.rng.pick(&["2", "\"two\"", "0", "\"3\"", "1"]);
                self.set("redis.replica.replicaCount", Node::Raw(n));
                let p = self.rng.pick(&["26379", "\"abc\"", "\"26380\"", "null"]);
                self.set("redis.sentinel.service.ports.sentinel", Node::Raw(p));
            }
            "sentinel-external" => {
                plain(self);
                self.set("externalRedis.enabled", Node::Raw("true"));
                self.set("externalRedis.sentinel.enabled", Node::Raw("true"));
                let l = self
                    .rng
                    .pick(&["[]", "[\"s1:26379\"]", "null", "[\"s1:1\", \"s2:2\"]"]);
                self.set("externalRedis.sentinel.sentinels", Node::Raw(l));
                let pw = self.rng.pick(&["\"pw\"", "null"]);
                self.set("externalRedis.sentinel.password", Node::Raw(pw));
            }
            "celery-db" => {
                plain(self);
                self.set("externalRedis.enabled", Node::Raw("true"));
                if self.since("0.31.0") {
                    let on = self.rng.pick(&["true", "false"]);
                    self.set("externalRedis.sentinel.enabled", Node::Raw(on));
                }
                let db = self.rng.pick(&["4", "null", "0"]);
                self.set("externalRedis.db.celery", Node::Raw(db));
            }
            _ => {
                // agent-url
                plain(self);
                self.set("agentBackend.enabled", Node::Raw("true"));
                self.set("externalRedis.enabled", Node::Raw("true"));
                let db = self.rng.pick(&["2", "null"]);
                self.set("externalRedis.db.agent", Node::Raw(db));
            }
        }
    }

    fn naming(&mut self) {
        match self.rng.below(10) {
            0 => self.set("fullnameOverride", Node::Str("myapp".into())),
            1 => self.set("nameOverride", Node::Str("difyx".into())),
            2 if self.odd > 0 => {
                let v = self.rng.pick(&["Bad_Name", "foo--", "foo-", "x y"]);
                self.set("nameOverride", Node::Str(v.to_owned()));
            }
            3 if self.odd > 0 => {
                let v = self.rng.pick(&[
                    "a-very-long-full-name-override-that-is-longer-than-sixty-three-chars-",
                    "UPPER",
                    "yes",
                ]);
                self.set("fullnameOverride", Node::Str(v.to_owned()));
            }
            _ => {}
        }
    }

    fn external_secret(&mut self) {
        let enabled = self.rng.chance(65);
        self.set(
            "externalSecret.enabled",
            Node::Raw(if enabled { "true" } else { "false" }),
        );
        if self.rng.chance(70) {
            let v = self.string_field();
            self.set("externalSecret.secretStore.name", v);
        }
        if self.rng.chance(50) {
            let odd = self.odd;
            let kind = if self.rng.chance(odd / 2) {
                Node::Str(
                    self.rng
                        .pick(&["Store", "clustersecretstore", ""])
                        .to_owned(),
                )
            } else {
                Node::Str(
                    self.rng
                        .pick(&["SecretStore", "ClusterSecretStore"])
                        .to_owned(),
                )
            };
            self.set("externalSecret.secretStore.kind", kind);
        }
        let interval = |g: &mut Self| {
            let odd = g.odd;
            if g.rng.chance(odd / 2) {
                Node::Str(g.rng.pick(BAD_INTERVALS).to_owned())
            } else if g.rng.chance(odd / 2) {
                Node::Raw(g.rng.pick(&["900", "null", "\"\"", "true"]))
            } else {
                Node::Str(g.rng.pick(INTERVALS).to_owned())
            }
        };
        if self.since("0.28.0") {
            if self.rng.chance(40) {
                let v = interval(self);
                self.set("externalSecret.refreshInterval", v);
            }
            if self.rng.chance(40) {
                let odd = self.odd;
                let v = if self.rng.chance(odd) {
                    Node::Raw(self.rng.pick(&[
                        "\"\"",
                        "null",
                        "5",
                        "\"base64\"",
                        "\"Hex\"",
                        "false",
                    ]))
                } else {
                    Node::Str(self.rng.pick(DECODING).to_owned())
                };
                self.set("externalSecret.decodingStrategy", v);
            }
        }
        for (svc, keys) in APP_KEYS {
            let exists = match *svc {
                "agentBackend" | "localSandbox" => self.since("0.38.0-rc2"),
                _ => true,
            };
            if !exists && !self.rng.chance(10) {
                continue;
            }
            let base = format!("externalSecret.{svc}");
            self.maybe_switch(&format!("{base}.enabled"), 30, 75);
            if self.rng.chance(20) {
                let v = interval(self);
                self.set(&format!("{base}.refreshInterval"), v);
            }
            if self.rng.chance(60) {
                let chosen = self.rng.subset(keys);
                if chosen.is_empty() && self.rng.chance(30) {
                    self.set(&format!("{base}.remoteRefs"), Node::Map(Vec::new()));
                }
                for key in chosen {
                    let path = format!("{base}.remoteRefs.{key}");
                    match self.rng.below(12) {
                        0 => self.set(&path, Node::Raw("null")),
                        1 if self.odd > 0 => {
                            let v = self.rng.pick(&["false", "{}", "\"x\"", "5"]);
                            self.set(&path, Node::Raw(v));
                        }
                        _ => {
                            let v = self.string_field();
                            self.set(&format!("{path}.key"), v);
                            if self.rng.chance(70) {
                                let v = self.string_field();
                                self.set(&format!("{path}.property"), v);
                            }
                            if self.since("0.28.0") && self.rng.chance(25) {
                                let odd = self.odd;
                                let v = if self.rng.chance(odd) {
                                    Node::Raw(
                                        self.rng
                                            .pick(&["\"\"", "null", "5", "\"Hex\"", "\"a: b\""]),
                                    )
                                } else {
                                    Node::Str(self.rng.pick(DECODING).to_owned())
                                };
                                self.set(&format!("{path}.decodingStrategy"), v);
                            }
                        }
                    }
                }
            }
        }
        // ESO template data (V1): the Celery URL of api/worker, the agent URL.
        if self.since("0.28.0") {
            for (svc, key) in [
                ("api", "CELERY_BROKER_URL"),
                ("worker", "CELERY_BROKER_URL"),
                ("agentBackend", "DIFY_AGENT_REDIS_URL"),
            ] {
                if svc == "agentBackend" && !self.since("0.38.0-rc2") {
                    continue;
                }
                if !self.rng.chance(35) {
                    continue;
                }
                let odd = self.odd;
                let v = if self.rng.chance(odd) {
                    match self.rng.below(3) {
                        0 => Node::Raw(self.rng.pick(&["null", "5", "\"\"", "true"])),
                        _ => Node::Str(self.rng.pick(HOSTILE).to_owned()),
                    }
                } else {
                    Node::Str(
                        self.rng
                            .pick(&[
                                "redis://:{{ .REDIS_PASSWORD }}@redis:6379/1",
                                "rediss://{{ .REDIS_USERNAME }}:{{ .REDIS_PASSWORD }}@cache:6380/2",
                                "redis://plain:pw@host:6379/3",
                            ])
                            .to_owned(),
                    )
                };
                self.set(&format!("externalSecret.{svc}.data.{key}"), v);
            }
            if self.odd > 0 && self.rng.chance(5) {
                self.set("externalSecret.api.data", Node::Raw("null"));
            }
        }
    }

    fn credentials(&mut self) {
        if self.until("0.36.0") {
            self.maybe_string("api.secretKey", 25);
        }
        if self.since("0.35.0") {
            self.maybe_string("global.appSecretKey", 25);
            self.maybe_string("global.internalApiKey", 25);
        }
        self.maybe_switch("sandbox.enabled", 25, 70);
        self.maybe_string("sandbox.auth.apiKey", 25);
        self.maybe_switch("pluginDaemon.enabled", 25, 70);
        self.maybe_string("pluginDaemon.auth.serverKey", 25);
        if self.until("0.38.0-rc2") {
            self.maybe_string("pluginDaemon.auth.difyApiKey", 25);
        } else {
            self.maybe_string("api.auth.internalApiKey", 25);
            self.maybe_switch("agentBackend.enabled", 30, 70);
            self.maybe_string("agentBackend.auth.apiToken", 25);
            self.maybe_string("agentBackend.auth.serverSecretKey", 25);
            self.maybe_string("agentBackend.auth.shellctlAuthToken", 25);
            self.maybe_switch("localSandbox.enabled", 30, 70);
        }
        if self.since("0.29.0") {
            self.maybe_switch("api.otel.enabled", 30, 50);
            self.maybe_string("api.otel.apiKey", 25);
        }
        if self.rng.chance(30) {
            let odd = self.odd;
            let v = if self.rng.chance(odd) {
                Node::Raw(self.rng.pick(&["5", "null"]))
            } else {
                Node::Str(
                    self.rng
                        .pick(&["resend", "smtp", "sendgrid", ""])
                        .to_owned(),
                )
            };
            self.set("api.mail.type", v);
        }
        self.maybe_string("api.mail.resend.apiKey", 20);
        self.maybe_string("api.mail.smtp.username", 20);
        self.maybe_string("api.mail.smtp.password", 20);
    }

    fn databases(&mut self) {
        self.maybe_switch("externalPostgres.enabled", 30, 40);
        self.maybe_string("externalPostgres.username", 20);
        self.maybe_string("externalPostgres.password", 20);
        if self.since("0.34.0") {
            self.maybe_switch("externalMysql.enabled", 30, 40);
            self.maybe_string("externalMysql.username", 20);
            self.maybe_string("externalMysql.password", 20);
        }
        self.maybe_switch("postgresql.enabled", 30, 60);
        for key in ["username", "password", "postgresPassword"] {
            self.maybe_string(&format!("postgresql.global.postgresql.auth.{key}"), 20);
        }
        if self.rng.chance(30) {
            let v = self
                .rng
                .pick(&["dify-postgresql", "pg-secret", "my.pg", "PG_Bad"]);
            self.set(
                "postgresql.global.postgresql.auth.existingSecret",
                Node::Str(v.to_owned()),
            );
        }
    }

    fn redis(&mut self) {
        self.maybe_switch("externalRedis.enabled", 35, 40);
        if self.rng.chance(30) {
            let odd = self.odd;
            let v = if self.rng.chance(odd) {
                Node::Raw(self.rng.pick(&["null", "5"]))
            } else {
                Node::Str(
                    self.rng
                        .pick(&["redis.example", "cache.internal", "10.0.0.5"])
                        .to_owned(),
                )
            };
            self.set("externalRedis.host", v);
        }
        self.number("externalRedis.port", 30, &["6379", "6380", "16379"]);
        self.maybe_string("externalRedis.username", 25);
        self.maybe_string("externalRedis.password", 25);
        self.maybe_switch("externalRedis.useSSL", 25, 50);
        if self.since("0.31.0") {
            self.maybe_switch("externalRedis.sentinel.enabled", 35, 50);
            self.maybe_string("externalRedis.sentinel.password", 25);
            if self.rng.chance(25) {
                let odd = self.odd;
                let v = if self.rng.chance(odd) {
                    Node::Raw(self.rng.pick(&["[]", "null", "[5]"]))
                } else {
                    Node::Raw(
                        self.rng
                            .pick(&["[\"s1:26379\"]", "[\"s1:26379\", \"s2:26380\"]"]),
                    )
                };
                self.set("externalRedis.sentinel.sentinels", v);
            }
        }
        if self.since("0.33.0") {
            self.number("externalRedis.db.celery", 25, &["1", "4", "0"]);
        }
        if self.since("0.38.0-rc2") {
            self.number("externalRedis.db.agent", 25, &["2", "5"]);
        }
        self.maybe_switch("redis.enabled", 30, 70);
        self.maybe_switch("redis.auth.enabled", 20, 80);
        if self.rng.chance(35) {
            let v = if self.rng.chance(40) {
                Node::Str(String::new())
            } else {
                self.string_field()
            };
            self.set("redis.auth.password", v);
        }
        if self.rng.chance(25) {
            let v = self
                .rng
                .pick(&["dify-redis", "redis-secret", "Redis_Bad", ""]);
            self.set("redis.auth.existingSecret", Node::Str(v.to_owned()));
        }
        self.number("redis.master.service.ports.redis", 20, &["6379", "6390"]);
        if self.since("0.31.0") {
            self.maybe_switch("redis.sentinel.enabled", 35, 50);
            self.number(
                "redis.sentinel.service.ports.sentinel",
                25,
                &["26379", "26380"],
            );
            self.number("redis.replica.replicaCount", 25, &["1", "2", "3"]);
        }
        if self.since("0.36.0") || self.rng.chance(10) {
            if self.rng.chance(20) {
                let v = self.rng.pick(&["cache", "el", "redis", "re"]);
                self.set("redis.nameOverride", Node::Str(v.to_owned()));
            }
            if self.rng.chance(15) {
                let v = self.rng.pick(&["rc-", "my-redis", "r"]);
                self.set("redis.fullnameOverride", Node::Str(v.to_owned()));
            }
        }
    }

    fn storage(&mut self) {
        for provider in ["S3", "AzureBlobStorage", "OSS", "GCS", "COS", "OBS", "TOS"] {
            let base = format!("external{provider}");
            self.maybe_switch(&format!("{base}.enabled"), 25, 40);
            match provider {
                "S3" | "OSS" | "OBS" => {
                    self.maybe_string(&format!("{base}.accessKey"), 15);
                    self.maybe_string(&format!("{base}.secretKey"), 15);
                }
                "GCS" => self.maybe_string(&format!("{base}.serviceAccountJsonBase64"), 15),
                "AzureBlobStorage" => {
                    if self.rng.chance(30) {
                        let odd = self.odd;
                        let v = if self.rng.chance(odd) {
                            Node::Raw(
                                self.rng
                                    .pick(&["\"ftp://x\"", "\"HTTPS://x\"", "null", "5"]),
                            )
                        } else {
                            Node::Str(
                                self.rng
                                    .pick(&[
                                        "https://acct.blob.core.windows.net",
                                        "http://azurite:10000/devstore",
                                        "https://x.r2.cloudflarestorage.com",
                                    ])
                                    .to_owned(),
                            )
                        };
                        self.set(&format!("{base}.url"), v);
                    }
                    for k in ["account", "key"] {
                        if self.rng.chance(20) {
                            let odd = self.odd;
                            let v = if self.rng.chance(odd) {
                                Node::Raw("null")
                            } else {
                                self.text()
                            };
                            self.set(&format!("{base}.{k}"), v);
                        }
                    }
                }
                _ => self.maybe_string(&format!("{base}.secretKey"), 15),
            }
            if self.rng.chance(30) {
                let v = if self.rng.chance(30) {
                    Node::Raw("null")
                } else {
                    Node::Str(self.rng.pick(&["plugins", "pd-bucket"]).to_owned())
                };
                self.set(&format!("{base}.bucketName.pluginDaemon"), v);
            }
        }
        self.maybe_switch("externalS3.useIAM", 20, 50);
    }

    fn vectors(&mut self) {
        self.maybe_switch("weaviate.enabled", 25, 70);
        for (db, keys) in [
            ("Weaviate", &["apiKey"][..]),
            ("Qdrant", &["apiKey"]),
            ("Milvus", &["token", "user", "password"]),
            ("Pgvector", &["username", "password"]),
            ("TencentVectorDB", &["username", "apiKey"]),
            ("MyScaleDB", &["username", "user", "password"]),
            ("TableStore", &["accessKeyId", "accessKeySecret"]),
        ] {
            let base = format!("external{db}");
            self.maybe_switch(&format!("{base}.enabled"), 12, 50);
            for k in keys {
                self.maybe_string(&format!("{base}.{k}"), 10);
            }
        }
        if self.since("0.28.0") {
            self.maybe_switch("externalElasticsearch.enabled", 30, 50);
            if self.rng.chance(25) {
                let odd = self.odd;
                let v = if self.rng.chance(odd) {
                    Node::Raw(self.rng.pick(&["null", "5", "\"a\\\"b\""]))
                } else {
                    Node::Str(self.rng.pick(&["es.example", "10.0.0.9"]).to_owned())
                };
                self.set("externalElasticsearch.host", v);
            }
            self.number("externalElasticsearch.port", 25, &["9200", "9300"]);
            self.maybe_string("externalElasticsearch.username", 20);
            self.maybe_string("externalElasticsearch.password", 20);
        }
    }
}

fn generate(version: &str, seed: u64) -> Case {
    let mut rng = Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1);
    let odd = match rng.below(10) {
        0..=3 => 0,
        4..=7 => 4,
        _ => 15,
    };
    let release = rng.pick(&["dify", "rel", "my-release", "myredis", "d.i.f.y", "x1e3"]);
    let namespace = if odd > 0 && rng.chance(10) {
        rng.pick(&["007", "null", "true"])
    } else {
        rng.pick(&["dify", "default", "ns-1"])
    };
    let mut gen = Gen {
        rng: &mut rng,
        at: version_index(version),
        odd,
        root: Node::Map(Vec::new()),
    };
    gen.generate();
    let mut values = format!("# versions_diff {version} seed {seed} (odd {odd}%)\n");
    gen.root.emit(0, &mut values);
    Case {
        seed,
        values,
        release,
        namespace,
    }
}

// ---------------------------------------------------------------------------
// Running and comparing
// ---------------------------------------------------------------------------

struct Run {
    command: String,
    ok: bool,
    stdout: String,
    stderr: String,
}

fn run(program: &Path, args: &[String], env: &[(&str, &Path)]) -> Run {
    let mut cmd = Command::new(program);
    cmd.args(args)
        .env_remove("HELM_NAMESPACE")
        .current_dir(repo_dir())
        .stdin(Stdio::null());
    for (k, v) in env {
        cmd.env(k, v);
    }
    let out = cmd
        .output()
        .unwrap_or_else(|e| panic!("cannot run {}: {e}", program.display()));
    let quote = |a: &String| {
        if a.chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_./=:".contains(c))
        {
            a.clone()
        } else {
            format!("'{}'", a.replace('\'', "'\\''"))
        }
    };
    Run {
        command: std::iter::once(program.display().to_string())
            .chain(args.iter().map(quote))
            .collect::<Vec<_>>()
            .join(" "),
        ok: out.status.success(),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// One parsed document: its `# Source:`, kind, tree (None: does not parse)
/// and raw text.
struct Doc<'a> {
    source: String,
    tree: Option<Value>,
    raw: &'a str,
}

fn documents(stream: &str) -> Vec<Doc<'_>> {
    raw_documents(stream)
        .into_iter()
        .map(|raw| {
            let source = raw
                .lines()
                .find_map(|l| l.strip_prefix("# Source: "))
                .unwrap_or("")
                .trim()
                .to_owned();
            Doc {
                tree: parse_document(raw, &source).ok(),
                source,
                raw,
            }
        })
        .collect()
}

fn kind(tree: &Value) -> &str {
    tree.lookup(["kind"]).and_then(Value::as_str).unwrap_or("")
}

/// The Secret with its `data` decoded (undecodable values kept as they are).
fn decoded(tree: &Value) -> Value {
    let mut tree = tree.clone();
    if let Value::Map(m) = &mut tree {
        if let Some(Value::Map(data)) = m.get_mut("data") {
            for v in data.values_mut() {
                if let Value::String(s) = v {
                    if let Ok(bytes) =
                        base64::engine::general_purpose::STANDARD.decode(s.as_bytes())
                    {
                        *v = Value::String(String::from_utf8_lossy(&bytes).into_owned());
                    }
                }
            }
        }
    }
    tree
}

/// Every leaf of a tree with its path (`a.b[2].c`).
fn leaves(path: &str, v: &Value, out: &mut Vec<(String, Value)>) {
    match v {
        Value::Map(m) => {
            for (k, c) in m {
                let p = if path.is_empty() {
                    k.clone()
                } else {
                    format!("{path}.{k}")
                };
                leaves(&p, c, out);
            }
        }
        Value::List(l) => {
            for (i, c) in l.iter().enumerate() {
                leaves(&format!("{path}[{i}]"), c, out);
            }
        }
        leaf => out.push((path.to_owned(), leaf.clone())),
    }
}

/// Paths where two trees differ, with both sides (None: absent).
fn tree_diff(helm: &Value, difyx: &Value) -> Vec<(String, Option<Value>, Option<Value>)> {
    let (mut h, mut d) = (Vec::new(), Vec::new());
    leaves("", helm, &mut h);
    leaves("", difyx, &mut d);
    let h: BTreeMap<_, _> = h.into_iter().collect();
    let d: BTreeMap<_, _> = d.into_iter().collect();
    let mut out = Vec::new();
    for (p, hv) in &h {
        match d.get(p) {
            Some(dv) if dv == hv => {}
            other => out.push((p.clone(), Some(hv.clone()), other.cloned())),
        }
    }
    for (p, dv) in &d {
        if !h.contains_key(p) {
            out.push((p.clone(), None, Some(dv.clone())));
        }
    }
    out
}

/// A string that, written plain after `k: `, does not read back as itself.
fn breaks_plain(s: &str) -> bool {
    if s.contains("<no value>") {
        return true;
    }
    match parse_document(&format!("k: {s}\n"), "plain") {
        Ok(v) => v.lookup(["k"]) != Some(&Value::String(s.to_owned())),
        Err(_) => true,
    }
}

/// The input's leaves (the generated values file, parsed).
struct Input {
    tree: Value,
    leaves: Vec<(String, Value)>,
}

impl Input {
    fn new(text: &str) -> Input {
        let tree = parse_document(text, "gen.yaml").expect("the generated values parse");
        let mut l = Vec::new();
        leaves("", &tree, &mut l);
        Input { tree, leaves: l }
    }

    /// The value at a dotted path: Some(Some(v)) set, Some(None) deleted (a
    /// null on the path), None not in the input.
    fn at(&self, path: &str) -> Option<Option<&Value>> {
        let mut cur = &self.tree;
        for key in path.split('.') {
            match cur {
                Value::Null => return Some(None),
                Value::Map(m) => match m.get(key) {
                    Some(v) => cur = v,
                    None => return None,
                },
                _ => return None,
            }
        }
        Some((!matches!(cur, Value::Null)).then_some(cur))
    }

    /// Input strings at ESO fields Helm pastes unquoted that do not read
    /// back plain, with their paths.
    fn pasted_breaking(&self) -> Vec<(&str, &str)> {
        self.leaves
            .iter()
            .filter(|(p, _)| pasted_field(p))
            .filter_map(|(p, v)| v.as_str().map(|s| (p.as_str(), s)))
            .filter(|(_, s)| breaks_plain(s))
            .collect()
    }
}

/// Value paths Helm pastes unquoted into ExternalSecret (or, from 0.35.0,
/// Secret label) YAML.
fn pasted_field(path: &str) -> bool {
    path.starts_with("externalSecret.secretStore.")
        || path.ends_with(".refreshInterval")
        || path.ends_with(".key")
        || path.ends_with(".property")
        || path.ends_with(".decodingStrategy")
        || path.contains(".data.")
        || path == "nameOverride"
        || path == "fullnameOverride"
        || path.ends_with("existingSecret")
        || path == "externalElasticsearch.host"
}

/// The rule a pasted field falls under (D1 for names and refs; V1 for
/// template data; V3 for decodingStrategy).
fn paste_rule(path: &str) -> &'static str {
    if path.contains(".data.") {
        "V1"
    } else if path.ends_with(".decodingStrategy") {
        "V3"
    } else {
        "D1"
    }
}

/// Value paths named in difyx's error message: dotted tokens.
fn named_paths(stderr: &str) -> Vec<String> {
    let mut out = Vec::new();
    let is_path_char = |c: char| c.is_ascii_alphanumeric() || "._-".contains(c);
    let mut token = String::new();
    for c in stderr.chars().chain(std::iter::once(' ')) {
        if is_path_char(c) {
            token.push(c);
        } else {
            let t = token.trim_matches('.');
            if (t.contains('.') || t == "nameOverride" || t == "fullnameOverride")
                && t.starts_with(|c: char| c.is_ascii_alphabetic())
            {
                out.push(t.to_owned());
            }
            token.clear();
        }
    }
    out
}

fn is_numeric_string(v: &Value) -> bool {
    v.as_str().is_some_and(|s| s.trim().parse::<i64>().is_ok())
}

/// Every `data` value of Helm's Secrets, decoded, with its key.
fn helm_decoded(helm: &[Doc]) -> Vec<(String, String)> {
    helm.iter()
        .filter_map(|d| d.tree.as_ref())
        .filter(|t| kind(t) == "Secret")
        .flat_map(|t| {
            let mut l = Vec::new();
            leaves("", &decoded(t), &mut l);
            l.into_iter().filter_map(|(p, v)| {
                let key = p.strip_prefix("data.")?.to_owned();
                Some((key, v.as_str()?.to_owned()))
            })
        })
        .collect()
}

/// Helm's Secrets, decoded, hold Go's formatting of a missing value.
fn helm_printed_nil(helm: &[Doc]) -> bool {
    helm_decoded(helm)
        .iter()
        .any(|(_, s)| s.contains("<nil>") || s.contains("%!"))
}

/// Helm rendered, difyx refused: the rule that orders the refusal, judged
/// from the path difyx names and the input there.
fn refusal_rule(input: &Input, named: &[String], helm: &[Doc], case: &Case) -> Option<String> {
    let nil = helm_printed_nil(helm);
    for path in named {
        let value = input.at(path);
        let deleted = matches!(value, Some(None));
        let v = value.flatten();
        let non_string = v.is_some_and(|v| v.as_str().is_none());
        let leaf = path.rsplit('.').next().unwrap_or("");
        let bad_string = |s: &str| s.is_empty();
        let rule = if path.contains(".data.") || path.ends_with(".data") {
            (deleted || non_string || v.is_none()).then_some("V1")
        } else if leaf == "decodingStrategy" {
            v.is_some_and(|v| v.as_str().is_none_or(|s| !DECODING.contains(&s)))
                .then_some("V3")
        } else if leaf == "refreshInterval" {
            match v {
                Some(Value::String(s)) => (!INTERVALS.contains(&s.as_str())).then_some("D3"),
                Some(_) => Some("D2"),
                None => None,
            }
        } else if path == "externalSecret.secretStore.kind" {
            match v {
                Some(Value::String(s)) if !s.is_empty() => {
                    (!["SecretStore", "ClusterSecretStore"].contains(&s.as_str())).then_some("D3")
                }
                _ => Some("D2"),
            }
        } else if path == "externalSecret.secretStore.name" || leaf == "key" {
            // Absent too: every default entry has a key, so only the input
            // can leave one out.
            (v.is_none() || non_string || v.and_then(Value::as_str).is_some_and(bad_string))
                .then_some("D2")
        } else if leaf == "property" {
            non_string.then_some("D2")
        } else if matches!(path.as_str(), "nameOverride" | "fullnameOverride")
            || leaf == "existingSecret"
        {
            v.and_then(Value::as_str)
                .is_some_and(|s| !GOOD_NAMES.contains(&s))
                .then_some("D5")
        } else if matches!(
            path.as_str(),
            "externalRedis.host" | "externalRedis.port" | "redis.master.service.ports.redis"
        ) {
            (deleted || non_string && !is_numeric_string(v.unwrap())).then_some("D6")
        } else if matches!(
            path.as_str(),
            "externalAzureBlobStorage.account"
                | "externalAzureBlobStorage.key"
                | "externalRedis.db.celery"
                | "externalRedis.db.agent"
                | "externalRedis.sentinel.password"
                | "externalRedis.sentinel.sentinels"
        ) {
            ((deleted || non_string) && nil).then_some("V7")
        } else if matches!(
            path.as_str(),
            "redis.replica.replicaCount" | "redis.sentinel.service.ports.sentinel"
        ) {
            // Sprig's int makes a non-numeric string, and a null, 0: the
            // port prints `:0`, a count of 0 empties the URL list.
            let zero = helm_decoded(helm)
                .iter()
                .any(|(k, s)| k.contains("_URL") && (s.is_empty() || s.contains(":0/")));
            (v.is_some_and(|v| v.as_str().is_some() && !is_numeric_string(v)) || deleted && zero)
                .then_some("V8")
        } else if path.starts_with("externalElasticsearch.") {
            (deleted || v.is_some_and(|v| !matches!(v, Value::String(_) | Value::Float(_))))
                .then_some("V4")
        } else {
            None
        };
        if let Some(rule) = rule {
            return Some(rule.to_owned());
        }
    }
    // The namespace (D4): not a value path.
    if ["007", "null", "true"].contains(&case.namespace) && named.is_empty() {
        return Some("D4".to_owned());
    }
    None
}

/// The verdict on one case.
enum Verdict {
    Equal,
    BothFail,
    Covered(String),
    Mismatch(String),
}

fn judge(case: &Case, helm: &Run, difyx: &Run) -> Verdict {
    let input = Input::new(&case.values);
    if !difyx.ok && (!difyx.stdout.is_empty() || !difyx.stderr.starts_with("Error: ")) {
        return Verdict::Mismatch(
            "difyx failed without `Error: ` first on stderr, or printed on stdout".into(),
        );
    }
    match (helm.ok, difyx.ok) {
        (false, false) => Verdict::BothFail,
        (true, false) => {
            let h = documents(&helm.stdout);
            match refusal_rule(&input, &named_paths(&difyx.stderr), &h, case) {
                Some(rule) => Verdict::Covered(rule),
                None => Verdict::Mismatch(
                    "Helm rendered, difyx refused, and no rule covers the path it names".into(),
                ),
            }
        }
        (false, true) => {
            // D1 / V1: Helm's own output did not parse because a pasted
            // string broke it; difyx printed that string intact.
            let yaml_error = ["yaml:", "YAML", "mapping values", "did not find expected"]
                .iter()
                .any(|m| helm.stderr.contains(m));
            let d = documents(&difyx.stdout);
            let printed: Vec<String> = d
                .iter()
                .filter_map(|doc| doc.tree.as_ref())
                .flat_map(|t| {
                    let mut l = Vec::new();
                    leaves("", t, &mut l);
                    l.into_iter()
                        .filter_map(|(_, v)| v.as_str().map(str::to_owned))
                })
                .collect();
            let broken = input.pasted_breaking();
            let intact = broken
                .iter()
                .find(|(_, s)| printed.iter().any(|p| p == s || p.contains(*s)));
            match (yaml_error, intact) {
                (true, Some((path, _))) => Verdict::Covered(paste_rule(path).to_owned()),
                _ => Verdict::Mismatch("Helm failed, difyx rendered".into()),
            }
        }
        (true, true) => compare_renders(&input, case, helm, difyx),
    }
}

fn compare_renders(input: &Input, case: &Case, helm: &Run, difyx: &Run) -> Verdict {
    let (h, d) = (documents(&helm.stdout), documents(&difyx.stdout));
    let sources = |v: &[Doc]| v.iter().map(|d| d.source.clone()).collect::<Vec<_>>();
    if sources(&h) != sources(&d) {
        return Verdict::Mismatch(format!(
            "documents differ: helm {:?} / difyx {:?}",
            sources(&h),
            sources(&d)
        ));
    }
    let broken = input.pasted_breaking();
    let typed_names = ["007", "null", "true", "x1e3"].contains(&case.namespace)
        || ["x1e3"].contains(&case.release);
    let mut rules: Vec<String> = Vec::new();
    for (hd, dd) in h.iter().zip(&d) {
        let Some(dt) = &dd.tree else {
            return Verdict::Mismatch(format!("{}: difyx's document does not parse", dd.source));
        };
        let is_eso = kind(dt) == "ExternalSecret";
        if is_eso && hd.raw == dd.raw {
            continue;
        }
        let diffs = match &hd.tree {
            Some(ht) => {
                let (ht, dt) = if is_eso {
                    (ht.clone(), dt.clone())
                } else {
                    (decoded(ht), decoded(dt))
                };
                tree_diff(&ht, &dt)
            }
            // Helm's document does not parse: only a pasted string can do that.
            None => match broken.first() {
                Some((p, _)) => {
                    rules.push(paste_rule(p).to_owned());
                    continue;
                }
                None => {
                    return Verdict::Mismatch(format!(
                        "{}: Helm's document does not parse",
                        hd.source
                    ))
                }
            },
        };
        if diffs.is_empty() && !is_eso {
            continue;
        }
        if diffs.is_empty() {
            // Equal trees, different bytes (ExternalSecrets only): difyx
            // quoted a string that Helm's plain form would corrupt.
            let quoted = broken.iter().find(|(_, s)| {
                dd.raw.contains(&double_quoted(s)) || dd.raw.contains(&format!("'{s}'"))
            });
            match quoted {
                Some((p, _)) => rules.push(paste_rule(p).to_owned()),
                None if typed_names => rules.push("D4".to_owned()),
                None => {
                    return Verdict::Mismatch(format!(
                        "{}: same tree, but the ExternalSecret is not byte-identical to Helm's",
                        dd.source
                    ))
                }
            }
            continue;
        }
        // difyx's leaves first; a leaf only Helm has (Helm's corrupt form
        // split a string into a map) is covered by the rule of the difyx
        // leaf at its parent path.
        let mut covered: Vec<(String, String)> = Vec::new();
        let (mine, helm_only): (Vec<_>, Vec<_>) =
            diffs.into_iter().partition(|(_, _, dv)| dv.is_some());
        for (path, hv, dv) in mine {
            let rule = match &dv {
                // difyx printed an input string Helm's plain form corrupts.
                Some(Value::String(s)) if broken.iter().any(|(_, b)| b == s) => {
                    let (p, _) = broken.iter().find(|(_, b)| b == s).unwrap();
                    Some(paste_rule(p).to_owned())
                }
                // A numeric-looking release or namespace Helm printed typed.
                Some(Value::String(s))
                    if typed_names && (s == case.namespace || s == case.release) =>
                {
                    Some("D4".to_owned())
                }
                // A port of 1e6 or more: Helm prints `1e+06` (D6, V4).
                Some(Value::String(s))
                    if hv
                        .as_ref()
                        .and_then(Value::as_str)
                        .is_some_and(|h| h.contains("e+0") && !s.contains("e+0")) =>
                {
                    Some(
                        if path.contains("ELASTICSEARCH") {
                            "V4"
                        } else {
                            "D6"
                        }
                        .to_owned(),
                    )
                }
                // Helm erased `<no value>` from a string difyx kept.
                Some(Value::String(s)) if s.contains("<no value>") => Some("D1".to_owned()),
                _ => None,
            };
            match rule {
                Some(r) => covered.push((path, r)),
                None => {
                    return Verdict::Mismatch(format!(
                        "{}: {path}: helm {hv:?} / difyx {dv:?}",
                        dd.source
                    ))
                }
            }
        }
        for (path, hv, _) in helm_only {
            match covered.iter().find(|(p, _)| path.starts_with(p.as_str())) {
                Some((_, r)) => rules.push(r.clone()),
                None => {
                    return Verdict::Mismatch(format!(
                        "{}: {path}: helm {hv:?} / difyx (absent)",
                        dd.source
                    ))
                }
            }
        }
        rules.extend(covered.into_iter().map(|(_, r)| r));
    }
    if rules.is_empty() {
        Verdict::Equal
    } else {
        rules.sort();
        rules.dedup();
        Verdict::Covered(rules.join("+"))
    }
}

// ---------------------------------------------------------------------------
// The per-release test
// ---------------------------------------------------------------------------

#[derive(Default)]
struct Tally {
    cases: usize,
    equal: usize,
    both_fail: usize,
    covered: BTreeMap<String, usize>,
    mismatches: Vec<String>,
}

impl Tally {
    fn line(&self, version: &str) -> String {
        let covered: usize = self.covered.values().sum();
        format!(
            "versions_diff {version}: {} cases, {} equal, {} both fail, {covered} covered by a rule {:?}, {} mismatch(es)",
            self.cases,
            self.equal,
            self.both_fail,
            self.covered,
            self.mismatches.len()
        )
    }
}

fn cases_per_version() -> u64 {
    std::env::var("DIFYX_VERSIONS_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(20)
}

fn threads() -> usize {
    std::env::var("DIFYX_VERSIONS_THREADS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(2, |n| n.get()))
        .max(1)
}

fn check_version(version: &str) {
    let Some(helm) = helm_if_present(&format!("versions_diff {version}")) else {
        return;
    };
    let chart = shared_dir().join("upstream").join(version);
    assert!(
        chart.join("Chart.yaml").is_file(),
        "no upstream chart at {}",
        chart.display()
    );
    let out_dir = repo_dir().join("target/versions-diff").join(version);
    let _ = std::fs::remove_dir_all(&out_dir);
    std::fs::create_dir_all(&out_dir).unwrap();
    let home = tempfile::tempdir().unwrap();
    let helm_env: Vec<(&str, PathBuf)> = vec![
        ("HELM_CONFIG_HOME", home.path().join("config")),
        ("HELM_CACHE_HOME", home.path().join("cache")),
        ("HELM_DATA_HOME", home.path().join("data")),
        ("KUBECONFIG", home.path().join("no-kubeconfig")),
    ];
    let n = cases_per_version();
    // Seeds differ per release, so the releases do not all see the same values.
    let base = version_index(version) as u64 * 1_000_003;
    let next = AtomicUsize::new(0);
    let tally = Mutex::new(Tally::default());
    std::thread::scope(|scope| {
        for _ in 0..threads() {
            scope.spawn(|| loop {
                let i = next.fetch_add(1, Ordering::Relaxed) as u64;
                if i >= n {
                    break;
                }
                let case = generate(version, base + i + 1);
                let file = out_dir.join(format!("case-{}.yaml", case.seed));
                std::fs::write(&file, &case.values).unwrap();
                let file_arg = file.to_str().unwrap().to_owned();
                let helm_args: Vec<String> = [
                    "template",
                    case.release,
                    chart.to_str().unwrap(),
                    "-n",
                    case.namespace,
                    "-f",
                    &file_arg,
                ]
                .map(str::to_owned)
                .to_vec();
                let difyx_args: Vec<String> = [
                    "template",
                    case.release,
                    "-n",
                    case.namespace,
                    "--version",
                    version,
                    "-f",
                    &file_arg,
                ]
                .map(str::to_owned)
                .to_vec();
                let env: Vec<(&str, &Path)> =
                    helm_env.iter().map(|(k, v)| (*k, v.as_path())).collect();
                let h = run(&helm, &helm_args, &env);
                let d = run(Path::new(env!("CARGO_BIN_EXE_difyx")), &difyx_args, &[]);
                let verdict = judge(&case, &h, &d);
                let mut t = tally.lock().unwrap();
                t.cases += 1;
                match verdict {
                    Verdict::Equal => t.equal += 1,
                    Verdict::BothFail => t.both_fail += 1,
                    Verdict::Covered(rule) => *t.covered.entry(rule).or_default() += 1,
                    Verdict::Mismatch(why) => {
                        let clip = |s: &str| s.chars().take(600).collect::<String>();
                        t.mismatches.push(format!(
                            "=== {version} seed {}: {why}\n  values: {}\n  helm:  {} -> {}\n  difyx: {} -> {}",
                            case.seed,
                            file.display(),
                            h.command,
                            if h.ok { "ok".to_owned() } else { clip(h.stderr.trim()) },
                            d.command,
                            if d.ok { "ok".to_owned() } else { clip(d.stderr.trim()) },
                        ));
                    }
                }
                drop(t);
            });
        }
    });
    let mut t = tally.into_inner().unwrap();
    // Keep only the mismatching cases' files.
    for entry in std::fs::read_dir(&out_dir).unwrap().filter_map(Result::ok) {
        let p = entry.path();
        let keep = t
            .mismatches
            .iter()
            .any(|m| m.contains(p.to_str().unwrap_or("?")));
        if !keep {
            let _ = std::fs::remove_file(p);
        }
    }
    t.mismatches.sort();
    eprintln!("{}", t.line(version));
    assert!(
        t.mismatches.is_empty(),
        "{}\n\n{}",
        t.line(version),
        t.mismatches
            .iter()
            .take(8)
            .cloned()
            .collect::<Vec<_>>()
            .join("\n\n")
    );
}

macro_rules! version_tests {
    ($($name:ident => $version:literal,)*) => {
        const TESTED: &[&str] = &[$($version),*];
        $(
            #[test]
            fn $name() {
                check_version($version);
            }
        )*
    };
}

version_tests! {
    helm_vs_difyx_0_27_0 => "0.27.0",
    helm_vs_difyx_0_28_0 => "0.28.0",
    helm_vs_difyx_0_28_1 => "0.28.1",
    helm_vs_difyx_0_29_0 => "0.29.0",
    helm_vs_difyx_0_30_0 => "0.30.0",
    helm_vs_difyx_0_31_0 => "0.31.0",
    helm_vs_difyx_0_32_0 => "0.32.0",
    helm_vs_difyx_0_33_0 => "0.33.0",
    helm_vs_difyx_0_34_0 => "0.34.0",
    helm_vs_difyx_0_35_0 => "0.35.0",
    helm_vs_difyx_0_36_0 => "0.36.0",
    helm_vs_difyx_0_37_0 => "0.37.0",
    helm_vs_difyx_0_38_0_rc2 => "0.38.0-rc2",
}

/// Cases the generator found, kept so they run on every `cargo test`
/// whatever the seeds: (release, values, why).
const FOUND: &[(&str, &str, &str)] = &[(
    "0.33.0",
    "weaviate:\n  enabled: null\n",
    "a user null on the subchart condition weaviate.enabled: Helm keeps the null, \
     its schema (0.30.0 on) rejects it, difyx rendered",
)];

/// The cases of [`FOUND`], judged like generated ones.
#[test]
fn cases_the_generator_found() {
    let Some(helm) = helm_if_present("versions_diff found cases") else {
        return;
    };
    let home = tempfile::tempdir().unwrap();
    let mut failures = Vec::new();
    for (i, (version, values, why)) in FOUND.iter().enumerate() {
        let file = home.path().join(format!("found-{i}.yaml"));
        std::fs::write(&file, values).unwrap();
        let f = file.to_str().unwrap();
        let chart = shared_dir().join("upstream").join(version);
        let args = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        let kube = home.path().join("none");
        let h = run(
            &helm,
            &args(&[
                "template",
                "dify",
                chart.to_str().unwrap(),
                "-n",
                "dify",
                "-f",
                f,
            ]),
            &[("KUBECONFIG", kube.as_path())],
        );
        let d = run(
            Path::new(env!("CARGO_BIN_EXE_difyx")),
            &args(&[
                "template",
                "dify",
                "-n",
                "dify",
                "--version",
                version,
                "-f",
                f,
            ]),
            &[],
        );
        let case = Case {
            seed: 0,
            values: (*values).to_owned(),
            release: "dify",
            namespace: "dify",
        };
        if let Verdict::Mismatch(m) = judge(&case, &h, &d) {
            failures.push(format!(
                "{version}: {why}\n  {m}\n  values: {values:?}\n  helm:  {}\n  difyx: {}",
                h.command, d.command
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

/// The tests cover exactly the embedded releases.
#[test]
fn every_embedded_release_is_tested() {
    let embedded: Vec<&str> = VERSIONS.iter().map(|v| v.version).collect();
    assert_eq!(TESTED, embedded.as_slice());
}

/// The generator writes values files that parse, and they differ per seed.
#[test]
fn generated_values_parse() {
    for v in VERSIONS {
        let a = generate(v.version, 1);
        let b = generate(v.version, 2);
        Input::new(&a.values);
        Input::new(&b.values);
        assert_ne!(a.values, b.values);
    }
}
