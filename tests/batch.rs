//! `difyx template --each GLOB --output-dir DIR`: the same bytes as one run
//! per file, file order in the report, failures named and isolated.

mod common;

use std::collections::BTreeMap;
use std::path::Path;

use common::{difyx, repo_dir, stderr, stdout};

/// Every file under `dir`, relative path to bytes.
fn tree(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    fn walk(root: &Path, dir: &Path, out: &mut BTreeMap<String, Vec<u8>>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                walk(root, &path, out);
            } else {
                let rel = path.strip_prefix(root).unwrap().display().to_string();
                out.insert(rel, std::fs::read(&path).unwrap());
            }
        }
    }
    let mut out = BTreeMap::new();
    if dir.exists() {
        walk(dir, dir, &mut out);
    }
    out
}

/// A folder with `envs/` holding the examples (and a base file beside it).
fn workspace() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("envs")).unwrap();
    for entry in std::fs::read_dir(repo_dir().join("examples")).unwrap() {
        let path = entry.unwrap().path();
        std::fs::copy(
            &path,
            dir.path().join("envs").join(path.file_name().unwrap()),
        )
        .unwrap();
    }
    std::fs::write(
        dir.path().join("base.yaml"),
        "nameOverride: difyx\napi:\n  secretKey: base-secret\n",
    )
    .unwrap();
    dir
}

fn run(args: &[String]) -> std::process::Output {
    difyx(&args.iter().map(String::as_str).collect::<Vec<_>>(), None)
}

fn strings(args: &[&str]) -> Vec<String> {
    args.iter().map(|s| s.to_string()).collect()
}

/// `--each` against one `difyx template … -f base -f FILE --output-dir sep/<stem>` per file.
fn assert_same_as_separate_runs(common_args: &[&str]) {
    let ws = workspace();
    let root = ws.path().display().to_string();
    let each_out = format!("{root}/each");
    let mut args = strings(&["template", "--version", "0.27.0", "dify"]);
    args.extend(strings(common_args));
    args.extend(strings(&[
        "-f",
        &format!("{root}/base.yaml"),
        "--each",
        &format!("{root}/envs/*.yaml"),
        "--output-dir",
        &each_out,
    ]));
    let batch = run(&args);
    assert!(batch.status.success(), "{}", stderr(&batch));

    let mut envs: Vec<_> = std::fs::read_dir(ws.path().join("envs"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    envs.sort();
    assert!(envs.len() >= 5, "{envs:?}");
    let mut separate_stdout = String::new();
    let mut separate_stderr = String::new();
    for env in &envs {
        let stem = env.file_stem().unwrap().to_string_lossy();
        let mut args = strings(&["template", "--version", "0.27.0", "dify"]);
        args.extend(strings(common_args));
        args.extend(strings(&[
            "-f",
            &format!("{root}/base.yaml"),
            "-f",
            &env.display().to_string(),
            "--output-dir",
            &format!("{each_out}-sep/{stem}"),
        ]));
        let one = run(&args);
        assert!(one.status.success(), "{}", stderr(&one));
        separate_stdout
            .push_str(&stdout(&one).replace(&format!("{each_out}-sep/"), &format!("{each_out}/")));
        for line in stderr(&one).lines() {
            let w = line.strip_prefix("warning: ").unwrap();
            separate_stderr.push_str(&format!("warning: {}: {w}\n", env.display()));
        }
    }
    let (batch_tree, separate_tree) = (
        tree(Path::new(&each_out)),
        tree(Path::new(&format!("{each_out}-sep"))),
    );
    assert_eq!(
        batch_tree.keys().collect::<Vec<_>>(),
        separate_tree.keys().collect::<Vec<_>>()
    );
    assert!(batch_tree.len() >= 20, "{:?}", batch_tree.keys());
    for (path, bytes) in &batch_tree {
        assert!(
            bytes == &separate_tree[path],
            "{path} differs from a separate run"
        );
    }
    assert_eq!(stdout(&batch), separate_stdout, "wrote lines in file order");
    assert_eq!(
        stderr(&batch),
        separate_stderr,
        "warnings named by file, in file order"
    );
}

#[test]
fn each_writes_the_same_bytes_as_separate_runs() {
    assert_same_as_separate_runs(&["-n", "dify"]);
}

#[test]
fn each_with_release_name_show_only_and_sets() {
    assert_same_as_separate_runs(&[
        "--release-name",
        "-s",
        "templates/*-externalsecret.yaml",
        "--set",
        "externalSecret.secretStore.kind=ClusterSecretStore",
        "-a",
        "external-secrets.io/v1beta1",
    ]);
}

#[test]
fn each_is_deterministic() {
    let ws = workspace();
    let root = ws.path().display().to_string();
    let outputs: Vec<String> = (0..3)
        .map(|i| {
            let out = run(&strings(&[
                "template",
                "--version",
                "0.27.0",
                "--each",
                &format!("{root}/envs/*"),
                "--output-dir",
                &format!("{root}/o{i}"),
            ]));
            assert!(out.status.success(), "{}", stderr(&out));
            stdout(&out).replace(&format!("{root}/o{i}"), "OUT")
        })
        .collect();
    assert_eq!(outputs[0], outputs[1]);
    assert_eq!(outputs[1], outputs[2]);
    assert_eq!(tree(&ws.path().join("o0")), tree(&ws.path().join("o2")));
}

#[test]
fn a_failing_file_names_itself_and_the_others_still_render() {
    let ws = workspace();
    let root = ws.path().display().to_string();
    std::fs::write(
        ws.path().join("envs/broken.yaml"),
        "externalSecret:\n  enabled: true\n  api:\n    refreshInterval: 5\n",
    )
    .unwrap();
    std::fs::write(ws.path().join("envs/bad-yaml.yaml"), "api: [\n").unwrap();
    let out_dir = format!("{root}/out");
    let out = run(&strings(&[
        "template",
        "--version",
        "0.27.0",
        "dify",
        "--each",
        &format!("{root}/envs/*.yaml"),
        "--output-dir",
        &out_dir,
    ]));
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    let errors: Vec<&str> = err.lines().filter(|l| l.starts_with("Error: ")).collect();
    assert_eq!(errors.len(), 3, "{err}");
    assert!(
        errors[0].starts_with(&format!(
            "Error: {root}/envs/bad-yaml.yaml: failed to parse {root}/envs/bad-yaml.yaml"
        )),
        "{err}"
    );
    // The render's own message follows the file's name (a schema or value error).
    assert!(
        errors[1].starts_with(&format!("Error: {root}/envs/broken.yaml: ")),
        "{err}"
    );
    assert!(err.contains("refreshInterval"), "{err}");
    let good: Vec<String> = std::fs::read_dir(repo_dir().join("examples"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "yaml"))
        .map(|p| p.file_stem().unwrap().to_string_lossy().into_owned())
        .collect();
    assert_eq!(
        errors[2],
        format!(
            "Error: 2 of {} values files failed to render",
            good.len() + 2
        )
    );
    // The good files rendered; the bad ones left nothing behind.
    let written = tree(Path::new(&out_dir));
    for stem in &good {
        assert!(
            written
                .keys()
                .any(|k| k.starts_with(&format!("{stem}/dify/templates/"))),
            "{stem} missing"
        );
    }
    assert!(!written
        .keys()
        .any(|k| k.starts_with("broken/") || k.starts_with("bad-yaml/")));
    let wrote = stdout(&out);
    assert!(
        wrote
            .lines()
            .all(|l| l.starts_with(&format!("wrote {out_dir}/")) && !l.contains("broken")),
        "{wrote}"
    );
}

#[test]
fn each_errors_before_rendering() {
    let ws = workspace();
    let root = ws.path().display().to_string();
    let out = run(&strings(&[
        "template",
        "--version",
        "0.27.0",
        "--each",
        &format!("{root}/none/*.yaml"),
        "--output-dir",
        &format!("{root}/o"),
    ]));
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        stderr(&out),
        format!("Error: --each {root}/none/*.yaml: no values file matches\n")
    );

    std::fs::create_dir(ws.path().join("more")).unwrap();
    std::fs::write(ws.path().join("more/scenario-4-builtin-redis.yml"), "{}\n").unwrap();
    let out = run(&strings(&[
        "template",
        "--version",
        "0.27.0",
        "--each",
        &format!("{root}/*/scenario-4*"),
        "--output-dir",
        &format!("{root}/o"),
    ]));
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("would both render into"),
        "{}",
        stderr(&out)
    );
    assert!(!ws.path().join("o").exists());

    // --each needs --output-dir (clap).
    let out = run(&strings(&[
        "template",
        "--version",
        "0.27.0",
        "--each",
        "x/*.yaml",
    ]));
    assert_eq!(out.status.code(), Some(1));
}
