//! `difyx migrate` (issue 7), through the binary, plus the library's
//! verification fed tampered overlays.

mod common;

use std::collections::BTreeMap;
use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use common::{difyx, shared_dir, stderr, stdout};
use difyx::chart::Chart;
use difyx::engine::Release;
use difyx::pipeline::{Options, UserValues, ValuesFile};
use difyx::resolve::store::{self, Entry};

/// The conformance cases whose values render (the `error-*` ones fail by design).
fn conformance_cases() -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> = fs::read_dir(shared_dir().join("conformance"))
        .expect("../shared/conformance")
        .map(|e| e.unwrap().path())
        .filter(|p| p.join("values.yaml").exists())
        .filter(|p| {
            !p.file_name()
                .unwrap()
                .to_string_lossy()
                .starts_with("error-")
        })
        .collect();
    out.sort();
    out
}

fn case_args(dir: &Path) -> Vec<String> {
    fs::read_to_string(dir.join("args"))
        .unwrap_or_default()
        .split_whitespace()
        .map(str::to_owned)
        .collect()
}

struct Outputs {
    _dir: tempfile::TempDir,
    values: PathBuf,
    store: PathBuf,
    script: PathBuf,
}

fn outputs() -> Outputs {
    let dir = tempfile::tempdir().unwrap();
    Outputs {
        values: dir.path().join("new-values.yaml"),
        store: dir.path().join("store.yaml"),
        script: dir.path().join("put-secrets.sh"),
        _dir: dir,
    }
}

fn migrate(release: &[String], values: &Path, o: &Outputs, extra: &[&str]) -> Output {
    // The conformance cases and examples are 0.27.0's; every release is
    // checked through Helm below.
    let mut args: Vec<String> = vec!["migrate".into(), "--version".into(), "0.27.0".into()];
    args.extend(release.iter().cloned());
    args.extend([
        "-f".into(),
        values.display().to_string(),
        "--values-out".into(),
        o.values.display().to_string(),
        "--store-out".into(),
        o.store.display().to_string(),
        "--vault-script-out".into(),
        o.script.display().to_string(),
    ]);
    args.extend(extra.iter().map(|s| s.to_string()));
    let refs: Vec<&str> = args.iter().map(String::as_str).collect();
    difyx(&refs, None)
}

/// Every property value of a store file.
fn store_values(path: &Path) -> Vec<String> {
    let s = store::parse(&fs::read_to_string(path).unwrap(), "store").unwrap();
    let mut out = Vec::new();
    for (k, _) in s.keys() {
        match s.get(k).unwrap() {
            Entry::Text(t) => out.push(t.clone()),
            Entry::Properties(p) => out.extend(p.values().cloned()),
        }
    }
    out
}

fn assert_no_secret_printed(o: &Output, store: &Path) {
    let (out, err) = (stdout(o), stderr(o));
    // ("postgres", the default user name, is also part of "dify/postgresql".)
    for v in store_values(store)
        .into_iter()
        .filter(|v| v.chars().count() >= 6 && v != "postgres")
    {
        assert!(!out.contains(&v), "a secret value is on stdout:\n{out}");
        assert!(!err.contains(&v), "a secret value is on stderr:\n{err}");
    }
}

fn mode(p: &Path) -> u32 {
    fs::metadata(p).unwrap().permissions().mode() & 0o777
}

/// Migrates, then checks the result with `difyx resolve` independently of the
/// command's own verification: legacy + overlay with the store succeeds, and
/// every legacy plain Secret comes out with the same data.
fn migrate_and_check(release: &[String], values: &Path) {
    let o = outputs();
    let out = migrate(release, values, &o, &["--allow-partial"]);
    assert!(
        out.status.success(),
        "{}: {}",
        values.display(),
        stderr(&out)
    );
    assert!(stdout(&out).contains("verified"), "{}", stdout(&out));
    for p in [&o.values, &o.store, &o.script] {
        assert_eq!(mode(p), 0o600, "{}", p.display());
    }
    assert_no_secret_printed(&out, &o.store);

    let mut args: Vec<String> = vec!["resolve".into(), "--version".into(), "0.27.0".into()];
    args.extend(release.iter().cloned());
    for a in [values, &o.values] {
        args.push("-f".into());
        args.push(a.display().to_string());
    }
    args.push("--store".into());
    args.push(o.store.display().to_string());
    let refs: Vec<&str> = args.iter().map(String::as_str).collect();
    let resolved = difyx(&refs, None);
    assert!(
        resolved.status.success(),
        "{}: {}",
        values.display(),
        stderr(&resolved)
    );
    let err = stderr(&resolved);
    assert!(
        !err.contains("read by no ExternalSecret"),
        "least privilege: {err}"
    );
    assert!(
        !err.contains("no ExternalSecret provides it"),
        "a key is lost: {err}"
    );

    // The legacy plain Secrets, data for data.
    let mut targs: Vec<String> = vec!["template".into(), "--version".into(), "0.27.0".into()];
    targs.extend(release.iter().cloned());
    targs.extend(["-f".into(), values.display().to_string()]);
    targs.extend(["--set".into(), "externalSecret.enabled=false".into()]);
    let refs: Vec<&str> = targs.iter().map(String::as_str).collect();
    let legacy = difyx(&refs, None);
    assert!(legacy.status.success());
    let after = common::parse_stream(&stdout(&resolved));
    for doc in common::parse_stream(&stdout(&legacy)) {
        if doc.tree.lookup(["kind"]).and_then(|v| v.as_str()) != Some("Secret") {
            continue;
        }
        let name = doc.tree.lookup(["metadata", "name"]).unwrap();
        let got = after
            .iter()
            .find(|d| d.tree.lookup(["metadata", "name"]) == Some(name))
            .unwrap_or_else(|| panic!("{}: Secret {name:?} is gone", values.display()));
        assert_eq!(
            got.tree.lookup(["data"]),
            doc.tree.lookup(["data"]),
            "{}",
            values.display()
        );
    }
}

#[test]
fn every_conformance_case_migrates_and_resolves_to_the_legacy_secrets() {
    let cases = conformance_cases();
    assert!(cases.len() >= 8, "{cases:?}");
    for dir in cases {
        migrate_and_check(&case_args(&dir), &dir.join("values.yaml"));
    }
}

#[test]
fn every_example_migrates_and_resolves_to_the_legacy_secrets() {
    let mut n = 0;
    for e in fs::read_dir(common::repo_dir().join("examples")).unwrap() {
        let p = e.unwrap().path();
        if p.extension().is_some_and(|x| x == "yaml") {
            migrate_and_check(&["dify".into(), "-n".into(), "dify".into()], &p);
            n += 1;
        }
    }
    assert!(n >= 5);
}

#[test]
fn defaults_use_the_chart_layout_and_wire_the_builtin_databases() {
    let dir = shared_dir().join("conformance/defaults");
    let o = outputs();
    let out = migrate(&case_args(&dir), &dir.join("values.yaml"), &o, &[]);
    assert!(out.status.success(), "{}", stderr(&out));
    let overlay = fs::read_to_string(&o.values).unwrap();
    for needle in [
        "existingSecret: dify-postgresql",
        "existingSecret: dify-redis",
        "postgresPassword: \"\"",
        "password: \"\"",
        "secretKey: \"\"",
        "replication-password: null",
    ] {
        assert!(overlay.contains(needle), "{needle} not in\n{overlay}");
    }
    let s = store::parse(&fs::read_to_string(&o.store).unwrap(), "store").unwrap();
    for (key, prop) in [
        ("dify/api", "secret_key"),
        ("dify/database", "password"),
        ("dify/redis", "celery_broker_url"),
        ("dify/redis", "redis_password"),
        ("dify/sandbox", "api_key"),
        ("dify/plugin-daemon", "server_key"),
        ("dify/plugin-daemon", "dify_api_key"),
        ("dify/mail", "resend_api_key"),
        ("dify/weaviate", "api_key"),
        ("dify/postgresql", "postgres_password"),
    ] {
        assert!(s.fetch(key, Some(prop)).is_ok(), "{key} {prop}");
    }
    let text = stdout(&out);
    assert!(
        text.contains("switched to ExternalSecrets: api, pluginDaemon, sandbox, worker"),
        "{text}"
    );
    assert!(text.contains("dify/database: password, username"), "{text}");
}

#[test]
fn uncarriable_keys_fail_without_allow_partial_and_stay_behind_with_it() {
    let dir = shared_dir().join("conformance/legacy-external-all");
    let o = outputs();
    let out = migrate(&case_args(&dir), &dir.join("values.yaml"), &o, &[]);
    assert!(!out.status.success());
    let err = stderr(&out);
    assert!(
        err.contains("S3_ACCESS_KEY") && err.contains("--allow-partial"),
        "{err}"
    );
    assert!(!o.values.exists() && !o.store.exists() && !o.script.exists());

    let out = migrate(
        &case_args(&dir),
        &dir.join("values.yaml"),
        &o,
        &["--allow-partial"],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(text.contains("staying on plaintext Secrets"), "{text}");
    assert!(text.contains("api: S3_ACCESS_KEY, S3_SECRET_KEY"), "{text}");
    let overlay = fs::read_to_string(&o.values).unwrap();
    // The kept services keep their values: api.secretKey is not cleared.
    assert!(!overlay.contains("secretKey: \"\""), "{overlay}");
}

#[test]
fn refuses_to_overwrite_without_force() {
    let dir = shared_dir().join("conformance/defaults");
    let o = outputs();
    fs::write(&o.store, "keep me").unwrap();
    let out = migrate(&case_args(&dir), &dir.join("values.yaml"), &o, &[]);
    assert!(!out.status.success());
    assert!(stderr(&out).contains("--force"), "{}", stderr(&out));
    assert_eq!(fs::read_to_string(&o.store).unwrap(), "keep me");
    assert!(!o.values.exists());
    let out = migrate(&case_args(&dir), &dir.join("values.yaml"), &o, &["--force"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_ne!(fs::read_to_string(&o.store).unwrap(), "keep me");
    assert_eq!(mode(&o.store), 0o600);
}

const HOSTILE: &str = r#"
api:
  secretKey: "it's \"quoted\" $HOME `id` $(id)\nsecond line\\"
  mail:
    type: resend
    resend:
      apiKey: "@/etc/passwd"
sandbox:
  auth:
    apiKey: "-"
pluginDaemon:
  auth:
    serverKey: "ключ 🔑 \t tab <>&"
    difyApiKey: "DIFYX_SECRET_JSON"
postgresql:
  global:
    postgresql:
      auth:
        postgresPassword: "'; rm -rf / #"
"#;

#[test]
fn the_vault_script_passes_hostile_values_byte_for_byte() {
    let tmp = tempfile::tempdir().unwrap();
    let values = tmp.path().join("legacy.yaml");
    fs::write(&values, HOSTILE).unwrap();
    let o = outputs();
    let release = ["dify".to_owned(), "-n".to_owned(), "dify".to_owned()];
    let out = migrate(&release, &values, &o, &[]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_no_secret_printed(&out, &o.store);
    for secret in ["$HOME", "second line", "/etc/passwd", "ключ", "rm -rf"] {
        assert!(!stdout(&out).contains(secret) && !stderr(&out).contains(secret));
    }

    // A stub vault that records each call's arguments and stdin.
    let bin = tmp.path().join("bin");
    let log = tmp.path().join("log");
    fs::create_dir_all(&bin).unwrap();
    fs::create_dir_all(&log).unwrap();
    fs::write(
        bin.join("vault"),
        "#!/bin/sh\nn=$(ls \"$VAULT_LOG\" | wc -l)\nn=$(( n / 2 ))\n\
         printf '%s\\n' \"$@\" > \"$VAULT_LOG/$n.args\"\ncat > \"$VAULT_LOG/$n.stdin\"\n",
    )
    .unwrap();
    fs::set_permissions(bin.join("vault"), fs::Permissions::from_mode(0o755)).unwrap();
    let path = format!("{}:{}", bin.display(), std::env::var("PATH").unwrap());
    let run = Command::new("sh")
        .arg(&o.script)
        .env("PATH", path)
        .env("VAULT_LOG", &log)
        .output()
        .unwrap();
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );

    let s = store::parse(&fs::read_to_string(&o.store).unwrap(), "store").unwrap();
    let keys: Vec<String> = s.keys().map(|(k, _)| k.to_owned()).collect();
    let mut seen = BTreeMap::new();
    for i in 0..keys.len() {
        let args = fs::read_to_string(log.join(format!("{i}.args"))).unwrap();
        let args: Vec<&str> = args.lines().collect();
        assert_eq!(args[..2], ["kv", "put"]);
        assert_eq!(args[3], "-");
        assert_eq!(args.len(), 4, "{args:?}");
        let path = args[2].strip_prefix("secret/").unwrap().to_owned();
        let stdin = fs::read_to_string(log.join(format!("{i}.stdin"))).unwrap();
        let json: BTreeMap<String, String> = serde_json::from_str(&stdin).unwrap();
        seen.insert(path, json);
    }
    assert_eq!(seen.len(), keys.len());
    for k in &keys {
        let Entry::Properties(p) = s.get(k).unwrap() else {
            panic!("{k}")
        };
        assert_eq!(&seen[k], p, "{k}");
    }
    // The hostile values themselves, as the legacy values hold them.
    let api = &seen["dify/api"]["secret_key"];
    assert_eq!(api, "it's \"quoted\" $HOME `id` $(id)\nsecond line\\");
    assert_eq!(seen["dify/mail"]["resend_api_key"], "@/etc/passwd");
    assert_eq!(seen["dify/sandbox"]["api_key"], "-");
    assert_eq!(
        seen["dify/plugin-daemon"]["server_key"],
        "ключ 🔑 \t tab <>&"
    );
    assert_eq!(
        seen["dify/plugin-daemon"]["dify_api_key"],
        "DIFYX_SECRET_JSON"
    );
    assert_eq!(
        seen["dify/postgresql"]["postgres_password"],
        "'; rm -rf / #"
    );
}

#[test]
fn a_nul_byte_is_refused_for_the_vault_script() {
    let tmp = tempfile::tempdir().unwrap();
    let values = tmp.path().join("legacy.yaml");
    fs::write(&values, "api:\n  secretKey: \"a\\0b\"\n").unwrap();
    let o = outputs();
    let out = migrate(&["dify".into()], &values, &o, &[]);
    assert!(!out.status.success());
    assert!(stderr(&out).contains("NUL"), "{}", stderr(&out));
    assert!(!o.values.exists() && !o.store.exists() && !o.script.exists());
}

fn defaults_setup() -> (Chart, UserValues, Options) {
    let dir = shared_dir().join("conformance/defaults");
    let user = UserValues {
        files: vec![ValuesFile {
            name: "values.yaml".into(),
            text: fs::read_to_string(dir.join("values.yaml")).unwrap(),
        }],
        sets: Vec::new(),
    };
    let opts = Options::new(Release::install("dify", "dify"));
    (Chart::dify("0.27.0"), user, opts)
}

#[test]
fn verification_fails_when_the_overlay_or_store_is_tampered_with() {
    let (chart, user, opts) = defaults_setup();
    let plan = difyx::migrate::plan(&chart, &user, &opts, "dify").unwrap();
    let store = store::parse(&plan.store_text, "store").unwrap();
    let ok = difyx::migrate::verify(&chart, &user, &plan.overlay, &store, &opts).unwrap();
    assert!(ok.is_empty(), "{ok:?}");

    // A remote path changed.
    let moved = plan
        .overlay
        .replacen("key: dify/api\n", "key: dify/api-moved\n", 1);
    assert_ne!(moved, plan.overlay);
    let problems = difyx::migrate::verify(&chart, &user, &moved, &store, &opts).unwrap();
    assert!(
        problems.iter().any(|p| p.contains("dify/api-moved")),
        "{problems:?}"
    );

    // A key removed.
    let ref_text = "      SECRET_KEY:\n        key: dify/api\n        property: secret_key\n";
    assert!(plan.overlay.contains(ref_text));
    let removed = plan
        .overlay
        .replacen(ref_text, "      SECRET_KEY: null\n", 1);
    let problems = difyx::migrate::verify(&chart, &user, &removed, &store, &opts).unwrap();
    assert!(
        problems
            .iter()
            .any(|p| p.contains("key SECRET_KEY is missing")),
        "{problems:?}"
    );

    // The built-in PostgreSQL's ExternalSecret switched off: its existingSecret is missing.
    let on = "  postgresql:\n    enabled: true\n    remoteRefs:\n";
    assert!(plan.overlay.contains(on), "{}", plan.overlay);
    let unwired = plan
        .overlay
        .replace(on, "  postgresql:\n    enabled: false\n    remoteRefs:\n");
    let problems = difyx::migrate::verify(&chart, &user, &unwired, &store, &opts).unwrap();
    assert!(
        problems.iter().any(|p| p.contains("existingSecret")),
        "{problems:?}"
    );

    // A value changed in the store.
    let other = plan
        .store_text
        .replace("\"dify-sandbox\"", "\"not-the-key\"");
    assert_ne!(other, plan.store_text);
    let store2 = store::parse(&other, "store").unwrap();
    let problems = difyx::migrate::verify(&chart, &user, &plan.overlay, &store2, &opts).unwrap();
    assert!(
        problems.iter().any(|p| p.contains("different value")),
        "{problems:?}"
    );
    // No message holds a value.
    assert!(problems.iter().all(|p| !p.contains("not-the-key")));
}

// ---------------------------------------------------------------------------
// Every release: the plan difyx makes, checked by real Helm. The legacy
// values and legacy + overlay are both rendered by `helm template` on the
// upstream chart of that release; the overlay's ExternalSecrets, resolved
// against the plan's store, must give every Secret exactly the legacy data.

/// Helm's render of `files` at release `version` as manifests.
fn helm_manifests(
    helm: &Path,
    version: &str,
    files: &[&Path],
    sets: &[&str],
) -> Result<Vec<difyx::manifests::Manifest>, String> {
    let chart = shared_dir().join("upstream").join(version);
    let mut cmd = Command::new(helm);
    cmd.args(["template", "rel"]).arg(&chart).args(["-n", "ns"]);
    for f in files {
        cmd.arg("-f").arg(f);
    }
    for s in sets {
        cmd.args(["--set", s]);
    }
    let out = cmd.output().expect("run helm");
    if !out.status.success() {
        return Err(String::from_utf8_lossy(&out.stderr).into_owned());
    }
    let text = String::from_utf8(out.stdout).unwrap();
    let rendered = common::helm_files(&text);
    difyx::manifests::split("dify", &rendered).map_err(|e| e.to_string())
}

/// Legacy values sets and the first release each applies to.
const LEGACY: &[(&str, &str, &str)] = &[
    ("defaults", "0.27.0", ""),
    (
        "external-redis-s3-otel",
        "0.29.0",
        "externalRedis:\n  enabled: true\n  host: redis.example\n  port: 6380\n  username: app\n  password: \"p@ss-r3dis\"\n  useSSL: true\n\
         redis:\n  enabled: false\nexternalS3:\n  enabled: true\n  accessKey: AKIAEXAMPLE\n  secretKey: s3-secret-value\n\
         api:\n  otel:\n    enabled: true\n    apiKey: otel-key-value\n",
    ),
    (
        "global-keys",
        "0.35.0",
        "global:\n  appSecretKey: app-secret-global\n  internalApiKey: internal-global\n",
    ),
];

const MIGRATE_VERSIONS: &[&str] = &[
    "0.27.0",
    "0.28.0",
    "0.28.1",
    "0.29.0",
    "0.30.0",
    "0.31.0",
    "0.32.0",
    "0.33.0",
    "0.34.0",
    "0.35.0",
    "0.36.0",
    "0.37.0",
    "0.38.0-rc2",
];

#[test]
fn migrate_round_trips_through_helm_at_every_release() {
    let Some(helm) = common::helm_if_present("migrate round trip through Helm") else {
        return;
    };
    let dir = std::env::temp_dir().join(format!("difyx-migrate-versions-{}", std::process::id()));
    fs::create_dir_all(&dir).unwrap();
    let mut verified = Vec::new();
    for (name, from, yaml) in LEGACY {
        for version in MIGRATE_VERSIONS {
            let at = |v: &str| {
                MIGRATE_VERSIONS.iter().position(|x| *x == *version)
                    >= MIGRATE_VERSIONS.iter().position(|x| *x == v)
            };
            if !at(from) {
                continue;
            }
            let case = format!("{name}@{version}");
            let user_path = dir.join(format!("{name}-{version}-values.yaml"));
            fs::write(&user_path, yaml).unwrap();
            let user = UserValues::file("values.yaml", *yaml);
            let chart = Chart::dify(version);
            let opts = Options::new(Release::install("rel", "ns"));
            let legacy_helm = helm_manifests(
                &helm,
                version,
                &[&user_path],
                &["externalSecret.enabled=false"],
            )
            .unwrap_or_else(|e| panic!("{case}: helm legacy: {e}"));
            let legacy = difyx::migrate::secret_data(&legacy_helm).unwrap();
            // difyx's own legacy render must be Helm's before its plan can be.
            let ours = difyx::pipeline::template(
                &chart,
                &UserValues {
                    sets: vec![(
                        difyx::values::strvals::SetKind::Set,
                        "externalSecret.enabled=false".into(),
                    )],
                    ..user.clone()
                },
                &opts,
            )
            .map(|o| difyx::migrate::secret_data(&o.manifests).unwrap());
            // difyx's own legacy render is Helm's, so its plan starts right.
            assert_eq!(
                ours.as_ref().ok(),
                Some(&legacy),
                "{case}: difyx's legacy Secrets are not Helm's"
            );
            let plan = difyx::migrate::plan(&chart, &user, &opts, "dify")
                .unwrap_or_else(|e| panic!("{case}: plan: {e}"));
            assert!(plan.kept.is_empty(), "{case}: kept {:?}", plan.kept);
            let overlay_path = dir.join(format!("{name}-{version}-overlay.yaml"));
            fs::write(&overlay_path, &plan.overlay).unwrap();
            let migrated = helm_manifests(&helm, version, &[&user_path, &overlay_path], &[])
                .unwrap_or_else(|e| panic!("{case}: helm with the overlay: {e}\n{}", plan.overlay));
            let store = store::parse(&plan.store_text, "store.yaml").unwrap();
            let res = difyx::resolve::resolve(&migrated, &store);
            assert!(
                res.failures.is_empty(),
                "{case}: {:?}\n{}",
                res.failures,
                plan.overlay
            );
            let after = difyx::migrate::secret_data(&res.manifests).unwrap();
            for (secret, data) in &legacy {
                assert_eq!(
                    after.get(secret),
                    Some(data),
                    "{case}: Secret {secret}\n{}",
                    plan.overlay
                );
            }
            // No credential in the overlay.
            let secretish = |k: &str| {
                ["PASSWORD", "SECRET", "_KEY", "TOKEN"]
                    .iter()
                    .any(|s| k.contains(s))
            };
            for data in legacy.values() {
                for (k, v) in data.iter().filter(|(k, v)| secretish(k) && v.len() > 6) {
                    assert!(
                        !plan.overlay.contains(v.as_str()),
                        "{case}: the overlay holds {k}"
                    );
                }
            }
            verified.push(case);
        }
    }
    eprintln!("migrate round trip verified through Helm: {verified:?}");
    assert_eq!(verified.len(), 13 + 10 + 4, "every case ran");
}

/// `difyx migrate --version V` end to end (its own verification renders
/// legacy + overlay with difyx and resolves it), then `difyx resolve` of
/// the result at the same release.
#[test]
fn the_command_migrates_at_later_releases() {
    let dir = tempfile::tempdir().unwrap();
    let values = dir.path().join("legacy.yaml");
    fs::write(&values, LEGACY[1].2).unwrap();
    for version in ["0.29.0", "0.33.0", "0.37.0", "0.38.0-rc2"] {
        let o = outputs();
        let mut args: Vec<String> = ["migrate", "rel", "-n", "ns", "--version", version, "-f"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        args.push(values.display().to_string());
        for (flag, p) in [
            ("--values-out", &o.values),
            ("--store-out", &o.store),
            ("--vault-script-out", &o.script),
        ] {
            args.push(flag.into());
            args.push(p.display().to_string());
        }
        let refs: Vec<&str> = args.iter().map(String::as_str).collect();
        let out = difyx(&refs, None);
        assert!(out.status.success(), "{version}: {}", stderr(&out));
        assert!(
            stdout(&out).contains("verified"),
            "{version}: {}",
            stdout(&out)
        );
        assert_no_secret_printed(&out, &o.store);
        let overlay = fs::read_to_string(&o.values).unwrap();
        assert!(
            overlay.contains("CELERY_BROKER_URL: rediss://{{ .REDIS_USERNAME }}:{{ .REDIS_PASSWORD }}@redis.example:6380/1")
                || overlay.contains("CELERY_BROKER_URL: \"rediss://{{ .REDIS_USERNAME }}:{{ .REDIS_PASSWORD }}@redis.example:6380/1\"")
                || overlay.contains("CELERY_BROKER_URL: 'rediss://{{ .REDIS_USERNAME }}:{{ .REDIS_PASSWORD }}@redis.example:6380/1'"),
            "{version}: {overlay}"
        );
        let resolved = difyx(
            &[
                "resolve",
                "rel",
                "-n",
                "ns",
                "--version",
                version,
                "-f",
                values.to_str().unwrap(),
                "-f",
                o.values.to_str().unwrap(),
                "--store",
                o.store.to_str().unwrap(),
            ],
            None,
        );
        assert!(
            resolved.status.success(),
            "{version}: {}",
            stderr(&resolved)
        );
        assert!(
            !stderr(&resolved).contains("no ExternalSecret provides it"),
            "{version}: {}",
            stderr(&resolved)
        );
    }
}
