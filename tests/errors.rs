//! SPEC §7.0 decisions D1–D10 through the real binary: every bad input
//! fails with `Error: ` + the value path, exit 1 and nothing on stdout;
//! hostile strings come out quoted and round-trip.

mod common;

use common::*;
use difyx::values::Value;

/// Renders values given on stdin with the release `dify` in namespace `dify`.
fn render(values: &str, extra: &[&str]) -> std::process::Output {
    let mut args = vec![
        "template",
        "--version",
        "0.27.0",
        "dify",
        "-n",
        "dify",
        "-f",
        "-",
    ];
    args.extend_from_slice(extra);
    difyx(&args, Some(values))
}

/// Asserts a clean failure whose message mentions every string in `mentions`.
#[track_caller]
fn assert_fails(values: &str, extra: &[&str], mentions: &[&str]) -> String {
    let out = render(values, extra);
    let err = stderr(&out);
    assert_eq!(
        out.status.code(),
        Some(1),
        "expected exit 1 for {values:?}; stderr: {err}"
    );
    assert!(
        out.stdout.is_empty(),
        "stdout must be empty on error, got:\n{}",
        stdout(&out)
    );
    let last = err
        .lines()
        .rfind(|l| l.starts_with("Error: "))
        .unwrap_or_else(|| panic!("no `Error: ` line in {err:?}"));
    let _ = last;
    for m in mentions {
        assert!(err.contains(m), "stderr should mention {m:?}: {err}");
    }
    assert!(!err.contains("panicked"), "{err}");
    err
}

#[track_caller]
fn assert_renders(values: &str, extra: &[&str]) -> Vec<Doc> {
    let out = render(values, extra);
    assert!(
        out.status.success(),
        "render failed for {values:?}: {}",
        stderr(&out)
    );
    parse_stream(&stdout(&out))
}

fn find<'a>(docs: &'a [Doc], id: &str) -> &'a Value {
    &docs
        .iter()
        .find(|d| doc_id(&d.tree) == id)
        .unwrap_or_else(|| panic!("no {id} in {docs:?}"))
        .tree
}

const ESO: &str = "externalSecret:\n  enabled: true\n";

#[test]
fn d2_non_strings_in_eso_fields_are_errors() {
    for (values, path) in [
        (
            "externalSecret: {enabled: true, api: {refreshInterval: 900}}",
            "externalSecret.api.refreshInterval",
        ),
        (
            "externalSecret: {enabled: true, worker: {refreshInterval: true}}",
            "externalSecret.worker.refreshInterval",
        ),
        (
            "externalSecret: {enabled: true, secretStore: {name: 5}}",
            "externalSecret.secretStore.name",
        ),
        (
            "externalSecret: {enabled: true, secretStore: {name: null}}",
            "externalSecret.secretStore.name",
        ),
        (
            "externalSecret: {enabled: true, secretStore: {name: ''}}",
            "externalSecret.secretStore.name",
        ),
        (
            "externalSecret: {enabled: true, secretStore: {kind: [a]}}",
            "externalSecret.secretStore.kind",
        ),
        (
            "externalSecret: {enabled: true, api: {remoteRefs: {SECRET_KEY: {key: 12345}}}}",
            "externalSecret.api.remoteRefs.SECRET_KEY.key",
        ),
        (
            "externalSecret: {enabled: true, api: {remoteRefs: {SECRET_KEY: {key: yes}}}}",
            "externalSecret.api.remoteRefs.SECRET_KEY.key",
        ),
        (
            "externalSecret: {enabled: true, api: {remoteRefs: {SECRET_KEY: {key: [a, b]}}}}",
            "externalSecret.api.remoteRefs.SECRET_KEY.key",
        ),
        (
            "externalSecret: {enabled: true, api: {remoteRefs: {SECRET_KEY: {key: null}}}}",
            "externalSecret.api.remoteRefs.SECRET_KEY.key",
        ),
        (
            "externalSecret: {enabled: true, api: {remoteRefs: {SECRET_KEY: {key: ''}}}}",
            "externalSecret.api.remoteRefs.SECRET_KEY.key",
        ),
        (
            "externalSecret: {enabled: true, api: {remoteRefs: {SECRET_KEY: {property: {p: q}}}}}",
            "externalSecret.api.remoteRefs.SECRET_KEY.property",
        ),
        (
            "externalSecret: {enabled: true, api: {remoteRefs: {QDRANT_API_KEY: {property: x}}}}",
            "externalSecret.api.remoteRefs.QDRANT_API_KEY.key",
        ),
        (
            "externalSecret: {enabled: true, postgresql: {remoteRefs: {extra: {}}}}",
            "externalSecret.postgresql.remoteRefs.extra.key",
        ),
    ] {
        assert_fails(values, &[], &[path]);
    }
}

#[test]
fn d3_durations_and_store_kind() {
    for bad in ["1d", "1H", "1h 30m", "' 15m'", "'00'", "1e3s", "2562048h"] {
        assert_fails(
            &format!("{ESO}  api: {{refreshInterval: {bad}}}\n"),
            &[],
            &["externalSecret.api.refreshInterval"],
        );
    }
    for good in [
        "15m", "1h30m", "1.5h", ".5h", "1.h", "-1h", "'0'", "0s", "2562047h",
    ] {
        let docs = assert_renders(&format!("{ESO}  api: {{refreshInterval: {good}}}\n"), &[]);
        let got = find(&docs, "ExternalSecret/dify-api")
            .lookup(["spec", "refreshInterval"])
            .cloned();
        assert_eq!(got, Some(Value::from(good.trim_matches('\''))), "{good}");
    }
    assert_fails(
        &format!("{ESO}  secretStore: {{kind: Vault}}\n"),
        &[],
        &["externalSecret.secretStore.kind", "ClusterSecretStore"],
    );
}

#[test]
fn d4_release_name_and_namespace() {
    for bad in ["My-Rel", "rel_x", &"a".repeat(54)] {
        let out = difyx(&["template", "--version", "0.27.0", bad], None);
        assert_eq!(out.status.code(), Some(1));
        assert!(out.stdout.is_empty());
        assert!(stderr(&out).contains(&format!(
            "Error: release name check failed: release name {bad:?}: invalid release name, must match regex"
        )), "{}", stderr(&out));
    }
    let out = difyx(&["template", "--version", "0.27.0", ""], None);
    assert!(stderr(&out)
        .contains(r#"Error: release name check failed: release name "": no name provided"#));
    let out = difyx(
        &["template", "--version", "0.27.0", "dify", "-n", "a b: c"],
        None,
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("namespace"), "{}", stderr(&out));

    // Typed-looking names and namespaces stay strings (SPEC §7 A2).
    let out = difyx(
        &[
            "template",
            "--version",
            "0.27.0",
            "true",
            "-n",
            "007",
            "--set",
            "externalSecret.enabled=true",
        ],
        None,
    );
    let docs = parse_stream(&stdout(&out));
    let es = find(&docs, "ExternalSecret/true-dify-api");
    assert_eq!(
        es.lookup(["metadata", "namespace"]),
        Some(&Value::from("007"))
    );
    assert_eq!(
        es.lookup(["metadata", "labels", "app.kubernetes.io/instance"]),
        Some(&Value::from("true"))
    );
}

#[test]
fn d5_object_names_are_checked() {
    assert_fails("fullnameOverride: Dify_App\n", &[], &["fullnameOverride"]);
    assert_fails("nameOverride: 123\n", &[], &["nameOverride"]);
    assert_fails(
        &format!(
            "{ESO}postgresql: {{global: {{postgresql: {{auth: {{existingSecret: Bad_Name}}}}}}}}\n"
        ),
        &[],
        &["postgresql.global.postgresql.auth.existingSecret"],
    );
    assert_fails(
        &format!("{ESO}nameOverride: foo--\n"),
        &[],
        &["nameOverride"],
    );
    // Without an ExternalSecret the label is never printed: `foo--` is fine.
    let docs = assert_renders("nameOverride: foo--\n", &["--set", "x=1"].map(|_| "")[..0]);
    assert!(
        docs.iter()
            .any(|d| doc_id(&d.tree) == "Secret/dify-foo--api"),
        "{docs:?}"
    );
    // Long component names only warn.
    let long = format!("fullnameOverride: {}\n", "a".repeat(63));
    let out = render(&long, &[]);
    assert!(out.status.success());
    assert!(stderr(&out).contains("warning: "), "{}", stderr(&out));
}

#[test]
fn d6_broker_url_pieces() {
    // A second document merges over the first, as a second -f file would.
    let ext =
        "externalRedis: {enabled: true, host: h, port: 6380, username: u, password: p}\n---\n";
    assert_fails(
        &format!("{ext}externalRedis: {{host: null}}\n"),
        &[],
        &["externalRedis.host"],
    );
    assert_fails(
        &format!("{ext}externalRedis: {{port: null}}\n"),
        &[],
        &["externalRedis.port"],
    );
    assert_fails(
        &format!("{ext}externalRedis: {{host: 5}}\n"),
        &[],
        &["externalRedis.host"],
    );
    assert_fails(
        "redis: {master: {service: {ports: {redis: null}}}}\n",
        &[],
        &["redis.master.service.ports.redis"],
    );
    let decoded = |docs: &[Doc]| {
        use base64::Engine as _;
        let b64 = find(docs, "Secret/dify-api")
            .lookup(["data", "CELERY_BROKER_URL"])
            .and_then(Value::as_str)
            .unwrap()
            .to_owned();
        String::from_utf8(
            base64::engine::general_purpose::STANDARD
                .decode(b64)
                .unwrap(),
        )
        .unwrap()
    };
    let docs = assert_renders(&format!("{ext}externalRedis: {{port: 1000000}}\n"), &[]);
    assert_eq!(decoded(&docs), "redis://u:p@h:1000000/1");
    let docs = assert_renders(
        &format!("{ext}externalRedis: {{port: '06379', useSSL: true}}\n"),
        &[],
    );
    assert_eq!(decoded(&docs), "rediss://u:p@h:06379/1");
    let docs = assert_renders("redis: {auth: {password: 'p@ss:w/rd#1'}}\n", &[]);
    assert_eq!(
        decoded(&docs),
        "redis://:p@ss:w/rd#1@dify-redis-master:6379/1"
    );
}

#[test]
fn d7_secret_data_must_be_strings() {
    let err = assert_fails("api: {secretKey: null}\n", &[], &["api.secretKey"]);
    assert!(
        err.contains("Error: api.secretKey: expected a string, got null"),
        "{err}"
    );
    assert_fails(
        "api: {secretKey: 12345}\n",
        &[],
        &["api.secretKey", "number"],
    );
    assert_fails(
        "api: {secretKey: true}\n",
        &[],
        &["api.secretKey", "boolean"],
    );
    assert_fails(
        "sandbox: {auth: {apiKey: [a]}}\n",
        &[],
        &["sandbox.auth.apiKey", "list"],
    );
    assert_fails(
        "pluginDaemon: {auth: {serverKey: {a: b}}}\n",
        &[],
        &["pluginDaemon.auth.serverKey", "map"],
    );
    assert_fails(
        "externalMyScaleDB: {enabled: true}\n",
        &[],
        &["externalMyScaleDB.username"],
    );
    assert_fails(
        "weaviate: {authentication: {apikey: {allowed_keys: []}}}\n",
        &[],
        &["weaviate.authentication.apikey.allowed_keys"],
    );
    assert_fails(
        "weaviate: {authentication: {apikey: {allowed_keys: [5]}}}\n",
        &[],
        &["weaviate.authentication.apikey.allowed_keys[0]"],
    );
    assert_fails(
        "weaviate: {authentication: {apikey: {allowed_keys: abc}}}\n",
        &[],
        &["weaviate.authentication.apikey.allowed_keys"],
    );
}

#[test]
fn d10_where_helm_fails_difyx_fails_naming_the_path() {
    for (values, path) in [
        ("externalSecret: null\n", "externalSecret"),
        ("externalSecret: true\n", "externalSecret"),
        ("externalSecret: {enabled: true, api: null}\n", "externalSecret.api"),
        ("externalSecret: {enabled: true, secretStore: null}\n", "externalSecret.secretStore"),
        ("externalSecret: {enabled: true, api: {remoteRefs: null}}\n", "externalSecret.api.remoteRefs"),
        ("externalSecret: {enabled: true, postgresql: {remoteRefs: null}}\n", "externalSecret.postgresql.remoteRefs"),
        ("externalSecret: {enabled: true, api: {remoteRefs: {SECRET_KEY: x}}}\n", "externalSecret.api.remoteRefs.SECRET_KEY"),
        ("externalSecret: {enabled: true, postgresql: {remoteRefs: {postgres-password: false}}}\n", "externalSecret.postgresql.remoteRefs.postgres-password"),
        ("externalSecret: {enabled: true, postgresql: {remoteRefs: {extra: null}}}\n", "externalSecret.postgresql.remoteRefs.extra"),
        ("externalSecret: {enabled: true}\npostgresql: {global: {postgresql: {auth: null}}}\n", "postgresql.global.postgresql.auth"),
        ("postgresql: {global: null}\n", "postgresql.global"),
        ("api: {mail: null}\n", "api.mail"),
        ("api: {mail: {type: 5}}\n", "api.mail.type"),
        ("api: {mail: {type: false}}\n", "api.mail.type"),
        ("redis: {auth: null}\n", "redis.auth"),
        ("externalAzureBlobStorage: null\n", "externalAzureBlobStorage"),
        ("externalS3: {enabled: true, bucketName: null}\n", "externalS3.bucketName"),
        ("weaviate: {authentication: null}\n", "weaviate.authentication"),
    ] {
        assert_fails(values, &[], &[path]);
    }
    // Short-circuit: with ExternalSecrets off, externalSecret.api is never read.
    assert_renders("externalSecret: {enabled: false, api: null}\n", &[]);
}

#[test]
fn d9_bad_files_and_flags() {
    let out = difyx(
        &[
            "template",
            "--version",
            "0.27.0",
            "-f",
            "does-not-exist.yaml",
        ],
        None,
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(out.stdout.is_empty());
    assert!(stderr(&out).starts_with("Error: "), "{}", stderr(&out));
    assert!(stderr(&out).contains("does-not-exist.yaml"));

    let err = assert_fails("a: b\nc: [unclosed\n", &[], &["<stdin>:2:4", "^"]);
    assert!(err.starts_with("Error: "), "{err}");
    assert_fails("- a\n- b\n", &[], &["<stdin>", "mapping"]);
    assert_fails("v: .inf\n", &[], &["<stdin>"]);

    let out = difyx(&["template", "--version", "0.27.0", "--no-such-flag"], None);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).starts_with("Error: "), "{}", stderr(&out));
}

/// Strings that break Helm's unquoted output reach the YAML quoted, and
/// read back unchanged (SPEC §7 A1, D1).
#[test]
fn d1_hostile_strings_round_trip() {
    let hostile = [
        "line1\nline2",
        "1h\n---\napiVersion: v1\nkind: ConfigMap",
        "a: b",
        "vault #c",
        "say \"hi\" and 'bye'",
        "*alias",
        "&anchor",
        "!tag",
        "%percent",
        "@at",
        "`tick",
        "{flow: map}",
        "[flow, seq]",
        "<no value>",
        " padded ",
        "yes",
        "007",
        "ünïcødé ☃",
        "tab\there",
        "back\\slash",
    ];
    for s in hostile {
        let quoted = serde_json::to_string(s).unwrap(); // a JSON string is a YAML double-quoted scalar
        let values = format!(
            "{ESO}  secretStore: {{name: {quoted}}}\n  sandbox: {{remoteRefs: {{API_KEY: {{key: {quoted}, property: {quoted}}}}}}}\n  \
             postgresql: {{remoteRefs: {{{quoted}: {{key: {quoted}}}}}}}\n"
        );
        let docs = assert_renders(&values, &[]);
        // api, worker, sandbox, plugin-daemon and postgresql ExternalSecrets.
        assert_eq!(docs.len(), 5, "{s:?}: {docs:?}");
        let sandbox = find(&docs, "ExternalSecret/dify-sandbox");
        assert_eq!(
            sandbox.lookup(["spec", "secretStoreRef", "name"]),
            Some(&Value::from(s)),
            "{s:?}"
        );
        let Some(Value::List(data)) = sandbox.lookup(["spec", "data"]) else {
            panic!("no data")
        };
        assert_eq!(
            data[0].lookup(["remoteRef", "key"]),
            Some(&Value::from(s)),
            "{s:?}"
        );
        assert_eq!(
            data[0].lookup(["remoteRef", "property"]),
            Some(&Value::from(s)),
            "{s:?}"
        );
        let pg = find(&docs, "ExternalSecret/dify-postgresql");
        let Some(Value::List(pg_data)) = pg.lookup(["spec", "data"]) else {
            panic!("no data")
        };
        assert!(
            pg_data
                .iter()
                .any(|e| e.lookup(["secretKey"]) == Some(&Value::from(s))),
            "{s:?}: {pg_data:?}"
        );
    }
}

#[test]
fn hostile_strings_in_plain_secrets_are_encoded_faithfully() {
    use base64::Engine as _;
    for s in ["<no value>", "a: b # c", "x\n---\ny", "\"q\""] {
        let values = format!(
            "api: {{secretKey: {}}}\n",
            serde_json::to_string(s).unwrap()
        );
        let docs = assert_renders(&values, &[]);
        let b64 = find(&docs, "Secret/dify-api")
            .lookup(["data", "SECRET_KEY"])
            .and_then(Value::as_str)
            .unwrap()
            .to_owned();
        assert_eq!(
            base64::engine::general_purpose::STANDARD
                .decode(b64)
                .unwrap(),
            s.as_bytes()
        );
    }
}

#[test]
fn no_plaintext_secret_reaches_output_when_eso_is_on() {
    let marker = |k: &str| format!("PLAINTEXT-{k}-MARKER");
    let values = format!(
        "{ESO}api: {{secretKey: {}, mail: {{resend: {{apiKey: {}}}}}}}\nsandbox: {{auth: {{apiKey: {}}}}}\n\
         pluginDaemon: {{auth: {{serverKey: {}, difyApiKey: {}}}}}\nredis: {{auth: {{password: {}}}}}\n\
         postgresql: {{global: {{postgresql: {{auth: {{postgresPassword: {}}}}}}}}}\n",
        marker("a"), marker("b"), marker("c"), marker("d"), marker("e"), marker("f"), marker("g")
    );
    let out = render(&values, &[]);
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    use base64::Engine as _;
    for k in ["a", "b", "c", "d", "e", "f", "g"] {
        let m = marker(k);
        assert!(!text.contains(&m), "{m} leaked");
        let encoded = base64::engine::general_purpose::STANDARD.encode(&m);
        assert!(!text.contains(&encoded[..16]), "{m} leaked base64-encoded");
    }
}

#[test]
fn category_b_quirks_keep_output_and_warn() {
    // B1: an unsupported key is dropped, with a hint.
    let out = render(
        &format!("{ESO}  api: {{remoteRefs: {{secret_key: {{key: x}}}}}}\n"),
        &[],
    );
    assert!(out.status.success());
    let err = stderr(&out);
    assert!(
        err.contains("warning: externalSecret.api.remoteRefs.secret_key"),
        "{err}"
    );
    assert!(err.contains("Did you mean SECRET_KEY?"), "{err}");
    // --strict turns it into an error with nothing on stdout.
    let out = render(
        &format!("{ESO}  api: {{remoteRefs: {{secret_key: {{key: x}}}}}}\n"),
        &["--strict"],
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(out.stdout.is_empty());
    assert!(stderr(&out).contains("Error: --strict"), "{}", stderr(&out));
    // B10: a quoted "false" switches ESO on, with a warning.
    let out = render("externalSecret: {enabled: \"false\"}\n", &[]);
    assert!(
        stderr(&out).contains("warning: externalSecret.enabled"),
        "{}",
        stderr(&out)
    );
    assert!(parse_stream(&stdout(&out))
        .iter()
        .any(|d| doc_id(&d.tree) == "ExternalSecret/dify-api"));
    // B4: the redis ExternalSecret ignores redis.enabled.
    let out = render(
        &format!("{ESO}redis: {{enabled: false, auth: {{password: ''}}}}\n"),
        &[],
    );
    assert!(stderr(&out).contains("redis.enabled"), "{}", stderr(&out));
    assert!(parse_stream(&stdout(&out))
        .iter()
        .any(|d| doc_id(&d.tree) == "ExternalSecret/dify-redis"));
    // Merge warning: a falsy non-map over a default remoteRef.
    let out = render(
        &format!("{ESO}  api: {{remoteRefs: {{SECRET_KEY: false}}}}\n"),
        &[],
    );
    assert!(stderr(&out).contains("cannot overwrite table with non table for dify.externalSecret.api.remoteRefs.SECRET_KEY"), "{}", stderr(&out));
    // Warnings never reach stdout.
    assert!(!stdout(&out).contains("warning"));
}

#[test]
fn a_hostile_key_cannot_forge_a_line_on_stderr() {
    let out = render(
        &format!("{ESO}  api: {{remoteRefs: {{\"X\\nError: injected line\": {{key: a}}}}}}\n"),
        &[],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(err.lines().all(|l| l.starts_with("warning: ")), "{err}");
    assert!(err.contains("X\\nError: injected line"), "{err}");
}

#[test]
fn show_only_follows_helm() {
    let out = difyx(
        &[
            "template",
            "--version",
            "0.27.0",
            "dify",
            "-s",
            "templates/worker-secret.yaml",
            "-s",
            "templates/*-secret.yaml",
        ],
        None,
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let sources: Vec<String> = parse_stream(&stdout(&out))
        .into_iter()
        .map(|d| d.source)
        .collect();
    assert_eq!(
        sources,
        [
            "dify/templates/worker-secret.yaml",
            "dify/templates/api-secret.yaml",
            "dify/templates/plugin-daemon-secret.yaml",
            "dify/templates/sandbox-secret.yaml",
            "dify/templates/worker-secret.yaml",
        ]
    );
    for missing in [
        "templates/api-externalsecret.yaml",
        "dify/templates/api-secret.yaml",
        "templates/api-config.yaml",
    ] {
        let out = difyx(
            &["template", "--version", "0.27.0", "dify", "-s", missing],
            None,
        );
        assert_eq!(out.status.code(), Some(1));
        assert!(out.stdout.is_empty());
        assert_eq!(
            stderr(&out),
            format!("Error: could not find template {missing} in chart\n")
        );
    }
}

#[test]
fn values_from_stdin_and_several_files_merge_in_order() {
    let dir = std::env::temp_dir().join(format!("difyx-test-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let a = dir.join("a.yaml");
    std::fs::write(
        &a,
        "api: {secretKey: from-a}\nsandbox: {auth: {apiKey: from-a}}\n",
    )
    .unwrap();
    let out = difyx(
        &[
            "template",
            "--version",
            "0.27.0",
            "dify",
            "-f",
            a.to_str().unwrap(),
            "-f",
            "-",
        ],
        Some("api: {secretKey: from-stdin}\n"),
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let docs = parse_stream(&stdout(&out));
    use base64::Engine as _;
    let get = |id: &str, key: &str| {
        let b = find(&docs, id)
            .lookup(["data", key])
            .and_then(Value::as_str)
            .unwrap()
            .to_owned();
        String::from_utf8(base64::engine::general_purpose::STANDARD.decode(b).unwrap()).unwrap()
    };
    assert_eq!(get("Secret/dify-api", "SECRET_KEY"), "from-stdin");
    assert_eq!(get("Secret/dify-sandbox", "API_KEY"), "from-a");
    std::fs::remove_dir_all(&dir).ok();
}
