//! `difyx template … --check FILE` and `difyx diff A B`: semantic equality,
//! document-level reports, exit codes, and no secret value in any output.

mod common;

use base64::Engine as _;
use common::{difyx, stderr, stdout};
use difyx::golden::fingerprint;

const SCENARIO: &str = "examples/scenario-1-full-eso.yaml";

fn render(args: &[&str]) -> String {
    let mut all = vec!["template", "--version", "0.27.0", "dify", "-n", "dify"];
    all.extend_from_slice(args);
    let out = difyx(&all, None);
    assert!(out.status.success(), "{}", stderr(&out));
    stdout(&out)
}

fn write(dir: &tempfile::TempDir, name: &str, text: &str) -> String {
    let path = dir.path().join(name);
    std::fs::write(&path, text).unwrap();
    path.display().to_string()
}

#[test]
fn check_passes_on_a_semantically_equal_golden_file() {
    let dir = tempfile::tempdir().unwrap();
    let golden = render(&["-f", SCENARIO]);
    let exact = write(&dir, "exact.yaml", &golden);
    // The same documents, written differently: quoting, flow style, comments.
    let restyled = golden
        .replace("kind: ExternalSecret", "kind: \"ExternalSecret\"  # restyled")
        .replace("creationPolicy: Owner", "creationPolicy: 'Owner'")
        .replace("    - secretKey: SECRET_KEY\n      remoteRef:\n        key: dify/api\n        property: secret_key\n",
                 "    - {secretKey: SECRET_KEY, remoteRef: {property: secret_key, key: dify/api}}\n");
    assert_ne!(restyled, golden);
    let restyled = write(&dir, "restyled.yaml", &restyled);
    for file in [&exact, &restyled] {
        let out = difyx(
            &[
                "template",
                "--version",
                "0.27.0",
                "dify",
                "-n",
                "dify",
                "-f",
                SCENARIO,
                "--check",
                file,
            ],
            None,
        );
        assert!(out.status.success(), "{}{}", stdout(&out), stderr(&out));
        assert_eq!(stdout(&out), "");
    }
}

#[test]
fn check_fails_with_a_document_level_diff() {
    let dir = tempfile::tempdir().unwrap();
    let golden = write(&dir, "golden.yaml", &render(&["-f", SCENARIO]));
    let out = difyx(
        &[
            "template",
            "--version",
            "0.27.0",
            "dify",
            "-n",
            "dify",
            "-f",
            SCENARIO,
            "--check",
            &golden,
            "--set",
            "externalSecret.api.refreshInterval=1h",
            "--set",
            "externalSecret.api.remoteRefs.DB_USERNAME.property=user",
            "--set",
            "externalSecret.postgresql.enabled=false",
        ],
        None,
    );
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert_eq!(stderr(&out), "", "a failed check is not an error");
    assert_eq!(
        stdout(&out),
        format!(
            "--- {golden}\n+++ (render)\n\
             removed: ExternalSecret dify/dify-postgresql  [dify/templates/postgresql-externalsecret.yaml]\n\
             changed: ExternalSecret dify/dify-api  [dify/templates/api-externalsecret.yaml]\n\
             \x20 ~ spec.data[secretKey=DB_USERNAME].remoteRef.property: \"username\" -> \"user\"\n\
             \x20 ~ spec.refreshInterval: \"15m\" -> \"1h\"\n\
             2 differences: 0 added, 1 removed, 1 changed, 0 moved\n"
        )
    );
}

#[test]
fn check_with_a_missing_golden_file_is_an_error() {
    let out = difyx(
        &[
            "template",
            "--version",
            "0.27.0",
            "dify",
            "--check",
            "no/such/golden.yaml",
        ],
        None,
    );
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(stdout(&out), "");
    assert!(
        stderr(&out).starts_with("Error: cannot read no/such/golden.yaml"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn diff_reports_added_removed_and_changed_keys() {
    let dir = tempfile::tempdir().unwrap();
    let a = write(
        &dir,
        "a.yaml",
        &render(&[
            "-f",
            SCENARIO,
            "--set",
            "externalSecret.sandbox.enabled=false",
        ]),
    );
    let b = write(
        &dir,
        "b.yaml",
        &render(&[
            "-f",
            SCENARIO,
            "--set",
            "externalSecret.api.remoteRefs.QDRANT_API_KEY.key=dify/qdrant",
        ]),
    );
    let out = difyx(&["diff", &a, &b], None);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(
        text.contains("\nremoved: Secret dify-sandbox  [dify/templates/sandbox-secret.yaml]\n"),
        "{text}"
    );
    assert!(text.contains("\nadded: ExternalSecret dify/dify-sandbox  [dify/templates/sandbox-externalsecret.yaml]\n"), "{text}");
    assert!(text.contains("  + spec.data[secretKey=QDRANT_API_KEY]: {remoteRef: {key: \"dify/qdrant\"}, secretKey: \"QDRANT_API_KEY\"}\n"), "{text}");
    assert!(
        text.contains("  + spec.target.template.data.QDRANT_API_KEY: \"{{ .QDRANT_API_KEY }}\"\n"),
        "{text}"
    );
    assert!(
        text.ends_with("3 differences: 1 added, 1 removed, 1 changed, 0 moved\n"),
        "{text}"
    );

    // Equal streams: exit 0, nothing printed; `-` reads stdin.
    let same = difyx(
        &["diff", &b, "-"],
        Some(&render(&[
            "-f",
            SCENARIO,
            "--set",
            "externalSecret.api.remoteRefs.QDRANT_API_KEY.key=dify/qdrant",
        ])),
    );
    assert!(same.status.success(), "{}", stdout(&same));
    assert_eq!(stdout(&same), "");
}

#[test]
fn diff_reports_moved_documents() {
    let dir = tempfile::tempdir().unwrap();
    let stream = render(&["-f", SCENARIO]);
    let mut docs: Vec<&str> = stream.split("---\n").filter(|d| !d.is_empty()).collect();
    let first = docs.remove(0);
    docs.push(first);
    let a = write(&dir, "a.yaml", &stream);
    let b = write(&dir, "b.yaml", &format!("---\n{}", docs.join("---\n")));
    let out = difyx(&["diff", &a, &b], None);
    assert_eq!(out.status.code(), Some(1));
    assert!(stdout(&out).contains("moved: ExternalSecret dify/dify-api  [dify/templates/api-externalsecret.yaml]: document 1 -> 5\n"), "{}", stdout(&out));
}

#[test]
fn diff_of_a_bad_stream_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let a = write(&dir, "a.yaml", "kind: A\n");
    let out = difyx(&["diff", &a, "no/such/file.yaml"], None);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).starts_with("Error: cannot read no/such/file.yaml"),
        "{}",
        stderr(&out)
    );
    let out = difyx(&["diff", "-", "-"], Some(""));
    assert!(
        stderr(&out).contains("only one of the two streams can be stdin"),
        "{}",
        stderr(&out)
    );
}

/// Distinctive secret values, each set on one side only or changed.
const OLD: &[(&str, &str)] = &[
    ("api.secretKey", "Old-Api-Secret-Key-7f3a9c"),
    ("redis.auth.password", "Old-Redis-Pass-51be20"),
    ("sandbox.auth.apiKey", "Old-Sandbox-Key-0d9e44"),
    ("pluginDaemon.auth.serverKey", "Shared-Server-Key-aa71c3"),
];
const NEW: &[(&str, &str)] = &[
    ("api.secretKey", "New-Api-Secret-Key-c81e07"),
    ("redis.auth.password", "New-Redis-Pass-93ff18"),
    ("sandbox.auth.apiKey", "New-Sandbox-Key-6b2d5a"),
    ("pluginDaemon.auth.serverKey", "Shared-Server-Key-aa71c3"),
];

fn with_secrets(values: &[(&str, &str)]) -> String {
    let mut args: Vec<String> = Vec::new();
    for (key, value) in values {
        args.push("--set-string".into());
        args.push(format!("{key}={value}"));
    }
    render(&args.iter().map(String::as_str).collect::<Vec<_>>())
}

/// Every form a secret could leak in: as set, base64 (as in the Secret),
/// and the base64 of the broker URL that embeds the Redis password.
fn forbidden() -> Vec<String> {
    let b64 = |s: &str| base64::engine::general_purpose::STANDARD.encode(s);
    let mut out = Vec::new();
    for (_, v) in OLD.iter().chain(NEW) {
        out.push(v.to_string());
        out.push(b64(v));
        // The part of the base64 that does not depend on alignment.
        out.push(b64(v)[..12].to_owned());
    }
    for pass in ["Old-Redis-Pass-51be20", "New-Redis-Pass-93ff18"] {
        out.push(b64(&format!("redis://:{pass}@dify-redis-master:6379/1")));
    }
    out
}

fn assert_no_secret(text: &str) {
    for secret in forbidden() {
        assert!(!text.contains(&secret), "{secret} leaked:\n{text}");
    }
}

#[test]
fn no_secret_value_appears_in_check_or_diff_output() {
    let dir = tempfile::tempdir().unwrap();
    let old = write(&dir, "old.yaml", &with_secrets(OLD));
    let new = write(&dir, "new.yaml", &with_secrets(NEW));

    let diff = difyx(&["diff", &old, &new], None);
    assert_eq!(diff.status.code(), Some(1));
    let text = stdout(&diff);
    assert_no_secret(&text);
    assert_no_secret(&stderr(&diff));
    // A changed value shows two fingerprints; the unchanged shared key none.
    let (o, n) = (
        fingerprint(b"Old-Api-Secret-Key-7f3a9c"),
        fingerprint(b"New-Api-Secret-Key-c81e07"),
    );
    assert!(text.contains("changed: Secret dify-api  [dify/templates/api-secret.yaml]\n  ~ data.CELERY_BROKER_URL: "), "{text}");
    assert!(
        text.contains(&format!("  ~ data.SECRET_KEY: {o} -> {n}\n")),
        "{text}"
    );
    assert!(!text.contains("PLUGIN_DAEMON_KEY"), "{text}");

    // --check against a golden file, both directions.
    let mut args: Vec<String> = vec![
        "template".into(),
        "--version".into(),
        "0.27.0".into(),
        "dify".into(),
        "-n".into(),
        "dify".into(),
    ];
    for (key, value) in NEW {
        args.extend(["--set-string".into(), format!("{key}={value}")]);
    }
    args.extend(["--check".into(), old.clone()]);
    let check = difyx(&args.iter().map(String::as_str).collect::<Vec<_>>(), None);
    assert_eq!(check.status.code(), Some(1));
    assert_eq!(
        stdout(&check).replace(&old, "A").replace("(render)", "B"),
        text.replace(&old, "A").replace(&new, "B")
    );
    assert_no_secret(&stdout(&check));
    assert_no_secret(&stderr(&check));

    // A golden file that does not parse is reported without its text.
    let broken = with_secrets(OLD).replace(
        "type: Opaque\ndata:\n  SECRET_KEY: \"",
        "type: Opaque\ndata:\n  SECRET_KEY: \"[\n",
    );
    let broken = write(
        &dir,
        "broken.yaml",
        &broken.replace("\n  CODE_EXECUTION_API_KEY", "\n CODE_EXECUTION_API_KEY"),
    );
    let out = difyx(&["diff", &broken, &new], None);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("is not valid YAML"),
        "{}",
        stderr(&out)
    );
    assert_no_secret(&stdout(&out));
    assert_no_secret(&stderr(&out));

    // --show-secrets opts out: the same report then holds the values.
    let shown = difyx(&["diff", "--show-secrets", &old, &new], None);
    assert!(
        stdout(&shown).contains(
            "  ~ data.SECRET_KEY: \"Old-Api-Secret-Key-7f3a9c\" -> \"New-Api-Secret-Key-c81e07\"\n"
        ),
        "{}",
        stdout(&shown)
    );
}

#[test]
fn a_secret_value_copied_elsewhere_is_masked_there_too() {
    let dir = tempfile::tempdir().unwrap();
    let secret = "Copied-Secret-e5d1f0";
    let b64 = base64::engine::general_purpose::STANDARD.encode(secret);
    let a = write(&dir, "a.yaml", &format!(
        "---\nkind: Secret\nmetadata: {{name: s}}\ndata: {{K: {b64}}}\n---\nkind: ConfigMap\nmetadata: {{name: c}}\ndata: {{plain: x}}\n"
    ));
    let b = write(&dir, "b.yaml", &format!(
        "---\nkind: Secret\nmetadata: {{name: s}}\ndata: {{K: {b64}}}\n---\nkind: ConfigMap\nmetadata: {{name: c}}\ndata: {{plain: {secret}, encoded: {b64}, {secret}: key}}\n"
    ));
    let out = difyx(&["diff", &a, &b], None);
    let text = stdout(&out);
    assert!(!text.contains(secret) && !text.contains(&b64), "{text}");
    let fp = fingerprint(secret.as_bytes());
    assert!(
        text.contains(&format!("  ~ data.plain: \"x\" -> {fp}\n")),
        "{text}"
    );
    assert!(
        text.contains(&format!("  + data.encoded: {fp}\n")),
        "{text}"
    );
}
