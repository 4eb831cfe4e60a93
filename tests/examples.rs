//! Every file in examples/ renders, without warnings, and the usage-guide
//! scenarios give exactly the documents of their golden case.

mod common;

use common::*;

fn examples() -> Vec<std::path::PathBuf> {
    let mut files: Vec<_> = std::fs::read_dir(repo_dir().join("examples"))
        .unwrap()
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "yaml"))
        .collect();
    files.sort();
    assert!(
        files.len() >= 5,
        "the four scenarios and the migration step"
    );
    files
}

#[test]
fn every_example_renders_cleanly() {
    for file in examples() {
        let out = difyx(
            &[
                "template",
                "--version",
                "0.27.0",
                "dify",
                "-n",
                "dify",
                "-f",
                file.to_str().unwrap(),
            ],
            None,
        );
        assert!(out.status.success(), "{}: {}", file.display(), stderr(&out));
        assert_eq!(stderr(&out), "", "{}: no warnings expected", file.display());
        assert!(!parse_stream(&stdout(&out)).is_empty());
    }
}

#[test]
fn scenarios_match_their_golden_cases() {
    for file in examples() {
        let stem = file.file_stem().unwrap().to_string_lossy().into_owned();
        let golden = shared_dir()
            .join("conformance")
            .join(&stem)
            .join("expected.yaml");
        let Ok(expected) = std::fs::read_to_string(&golden) else {
            continue;
        };
        let out = difyx(
            &[
                "template",
                "--version",
                "0.27.0",
                "dify",
                "-n",
                "dify",
                "-f",
                file.to_str().unwrap(),
            ],
            None,
        );
        assert_eq!(
            parse_stream(&stdout(&out)),
            parse_stream(&expected),
            "{stem}"
        );
    }
}

/// What `difyx template dify -n dify --version V -f FILE` prints (or, when
/// it fails, its exit status and stderr): the text of one snapshot.
fn render_at(file: &std::path::Path, version: &str) -> String {
    let out = difyx(
        &[
            "template",
            "dify",
            "-n",
            "dify",
            "--version",
            version,
            "-f",
            file.to_str().unwrap(),
        ],
        None,
    );
    if out.status.success() {
        let mut text = stdout(&out);
        if !out.stderr.is_empty() {
            text = format!("{text}--- stderr\n{}", stderr(&out));
        }
        text
    } else {
        format!("exit {:?}\n{}", out.status.code(), stderr(&out))
    }
}

/// Every example (the usage guide's scenarios and migration step) rendered
/// at one release, one insta snapshot per example and release
/// (`tests/snapshots/examples__<example>@<version>.snap`). After a template
/// change, review and accept them with
/// `INSTA_UPDATE=always cargo test --test examples` (then `git diff tests/snapshots`).
fn snapshot_examples_at(version: &str) {
    for file in examples() {
        let stem = file.file_stem().unwrap().to_string_lossy().into_owned();
        insta::assert_snapshot!(format!("{stem}@{version}"), render_at(&file, version));
    }
}

macro_rules! version_snapshots {
    ($($name:ident => $version:literal,)*) => {
        const SNAPSHOT_VERSIONS: &[&str] = &[$($version),*];
        $(
            #[test]
            fn $name() {
                snapshot_examples_at($version);
            }
        )*
    };
}

version_snapshots! {
    examples_at_0_27_0 => "0.27.0",
    examples_at_0_28_0 => "0.28.0",
    examples_at_0_28_1 => "0.28.1",
    examples_at_0_29_0 => "0.29.0",
    examples_at_0_30_0 => "0.30.0",
    examples_at_0_31_0 => "0.31.0",
    examples_at_0_32_0 => "0.32.0",
    examples_at_0_33_0 => "0.33.0",
    examples_at_0_34_0 => "0.34.0",
    examples_at_0_35_0 => "0.35.0",
    examples_at_0_36_0 => "0.36.0",
    examples_at_0_37_0 => "0.37.0",
    examples_at_0_38_0_rc2 => "0.38.0-rc2",
}

/// The snapshot tests cover exactly the embedded releases.
#[test]
fn snapshots_cover_every_embedded_release() {
    let embedded: Vec<&str> = difyx::chart::versions::VERSIONS
        .iter()
        .map(|v| v.version)
        .collect();
    assert_eq!(SNAPSHOT_VERSIONS, embedded.as_slice());
}

/// The plain Secrets of a stream with `data` decoded, so a difference reads
/// as text.
fn decoded_docs(stream: &str) -> Vec<Doc> {
    use base64::Engine as _;
    let mut docs = parse_stream(stream);
    for doc in &mut docs {
        if let difyx::values::Value::Map(m) = &mut doc.tree {
            if let Some(difyx::values::Value::Map(data)) = m.get_mut("data") {
                for v in data.values_mut() {
                    if let difyx::values::Value::String(s) = v {
                        let bytes = base64::engine::general_purpose::STANDARD
                            .decode(s.as_bytes())
                            .expect("Secret data is base64");
                        *v = difyx::values::Value::String(String::from_utf8(bytes).unwrap());
                    }
                }
            }
        }
    }
    docs
}

/// Every example at every release renders what real Helm renders on the
/// upstream chart of that release (`../shared/upstream/<V>`): the same
/// documents, Secrets equal once decoded, ExternalSecrets byte for byte.
#[test]
fn examples_at_every_release_match_helm() {
    let Some(helm) = helm_if_present("the examples at every release against Helm") else {
        return;
    };
    let home = tempfile::tempdir().unwrap();
    let mut failures = Vec::new();
    for version in SNAPSHOT_VERSIONS {
        let chart = shared_dir().join("upstream").join(version);
        for file in examples() {
            let f = file.to_str().unwrap();
            let h = std::process::Command::new(&helm)
                .args([
                    "template",
                    "dify",
                    chart.to_str().unwrap(),
                    "-n",
                    "dify",
                    "-f",
                    f,
                ])
                .env_remove("HELM_NAMESPACE")
                .env("KUBECONFIG", home.path().join("none"))
                .env("HELM_CONFIG_HOME", home.path().join("config"))
                .env("HELM_CACHE_HOME", home.path().join("cache"))
                .env("HELM_DATA_HOME", home.path().join("data"))
                .output()
                .expect("run helm");
            assert!(h.status.success(), "helm {version} {f}: {}", stderr(&h));
            let d = difyx(
                &[
                    "template",
                    "dify",
                    "-n",
                    "dify",
                    "--version",
                    version,
                    "-f",
                    f,
                ],
                None,
            );
            if !d.status.success() {
                failures.push(format!("{version} {f}: difyx failed: {}", stderr(&d)));
                continue;
            }
            let (hs, ds) = (stdout(&h), stdout(&d));
            if decoded_docs(&hs) != decoded_docs(&ds) {
                failures.push(format!("{version} {f}: the documents differ from Helm's"));
            } else if raw_external_secrets(&hs) != raw_external_secrets(&ds) {
                failures.push(format!(
                    "{version} {f}: ExternalSecrets not byte-identical to Helm's"
                ));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
