//! The command line beyond `template` to stdout: --output-dir, API versions,
//! completions, help and version, a closed pipe, `values` and `show`.

mod common;

use common::*;
use difyx::values::Value;

#[test]
fn output_dir_writes_helm_layout_atomically() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path().to_str().unwrap();
    let out = difyx(
        &[
            "template",
            "--version",
            "0.27.0",
            "dify",
            "-n",
            "dify",
            "-f",
            "examples/scenario-4-builtin-redis.yaml",
            "--output-dir",
            d,
        ],
        None,
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let wrote: Vec<String> = stdout(&out).lines().map(str::to_owned).collect();
    let stream = stdout(&difyx(
        &[
            "template",
            "--version",
            "0.27.0",
            "dify",
            "-n",
            "dify",
            "-f",
            "examples/scenario-4-builtin-redis.yaml",
        ],
        None,
    ));
    let docs = parse_stream(&stream);
    assert_eq!(wrote.len(), docs.len(), "one `wrote` line per document");
    for (line, doc) in wrote.iter().zip(&docs) {
        let path = format!("{d}/{}", doc.source);
        assert_eq!(line, &format!("wrote {path}"));
        let text = std::fs::read_to_string(&path).unwrap();
        assert_eq!(parse_stream(&text)[0], *doc, "{path}");
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600, "{path} holds secrets");
    }
    let leftovers: Vec<_> = std::fs::read_dir(format!("{d}/dify/templates"))
        .unwrap()
        .filter_map(Result::ok)
        .filter(|e| e.file_name().to_string_lossy().starts_with(".difyx-"))
        .collect();
    assert!(leftovers.is_empty());

    let out = difyx(
        &[
            "template",
            "--version",
            "0.27.0",
            "dify",
            "--output-dir",
            d,
            "--release-name",
        ],
        None,
    );
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stdout(&out).starts_with(&format!("wrote {d}/dify/dify/templates/")),
        "{}",
        stdout(&out)
    );
}

#[test]
fn output_dir_writes_nothing_when_the_render_fails() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path().to_str().unwrap();
    let out = difyx(
        &[
            "template",
            "--version",
            "0.27.0",
            "dify",
            "--output-dir",
            d,
            "--set",
            "api.secretKey=null",
        ],
        None,
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(out.stdout.is_empty());
    assert_eq!(std::fs::read_dir(d).unwrap().count(), 0);
}

#[test]
fn eso_api_version_follows_the_cluster() {
    let version = |extra: &[&str]| {
        let mut args = vec![
            "template",
            "--version",
            "0.27.0",
            "dify",
            "--set",
            "externalSecret.enabled=true",
            "-s",
            "templates/api-externalsecret.yaml",
        ];
        args.extend_from_slice(extra);
        let out = difyx(&args, None);
        assert!(out.status.success(), "{}", stderr(&out));
        let docs = parse_stream(&stdout(&out));
        (
            docs[0]
                .tree
                .lookup(["apiVersion"])
                .and_then(Value::as_str)
                .unwrap()
                .to_owned(),
            stderr(&out),
        )
    };
    assert_eq!(version(&[]).0, "external-secrets.io/v1");
    let (v, err) = version(&["-a", "external-secrets.io/v1beta1"]);
    assert_eq!(v, "external-secrets.io/v1beta1");
    assert!(err.contains("v1beta1"), "{err}");
    assert_eq!(
        version(&["-a", "external-secrets.io/v1beta1,external-secrets.io/v1"]).0,
        "external-secrets.io/v1"
    );
    assert_eq!(
        version(&[
            "--set",
            "externalSecret.apiVersion=external-secrets.io/v1beta1"
        ])
        .0,
        "external-secrets.io/v1beta1"
    );
    let out = difyx(
        &[
            "template",
            "--version",
            "0.27.0",
            "dify",
            "--set",
            "externalSecret.enabled=true,externalSecret.apiVersion=v2",
        ],
        None,
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("externalSecret.apiVersion"));
}

#[test]
fn completions_help_and_version() {
    for shell in ["bash", "zsh", "fish", "powershell"] {
        let out = difyx(&["completion", shell], None);
        assert!(out.status.success(), "{shell}");
        assert!(stdout(&out).contains("difyx"), "{shell}");
    }
    let out = difyx(&["--version"], None);
    assert!(out.status.success());
    assert!(stdout(&out).starts_with("difyx "));
    for sub in [
        &["--help"][..],
        &["template", "--help"],
        &["values", "--help"],
        &["show", "--help"],
        &["completion", "--help"],
    ] {
        let out = difyx(sub, None);
        assert!(out.status.success(), "{sub:?}");
        assert!(
            stdout(&out).contains("Examples:"),
            "{sub:?} should show examples"
        );
    }
}

#[test]
fn a_closed_pipe_ends_quietly() {
    use std::io::Read;
    use std::process::{Command, Stdio};
    // Enough output (repeated --show-only) to overflow the pipe buffer.
    let mut args = vec!["template".to_owned(), "dify".to_owned()];
    for _ in 0..200 {
        args.extend(["-s".to_owned(), "templates/*".to_owned()]);
    }
    let mut child = Command::new(env!("CARGO_BIN_EXE_difyx"))
        .args(&args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut first = [0u8; 16];
    child
        .stdout
        .as_mut()
        .unwrap()
        .read_exact(&mut first)
        .unwrap();
    drop(child.stdout.take());
    let out = child.wait_with_output().unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        out.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Started with stdout or stdin closed, difyx must not hand those numbers
/// to the files it opens (std's runtime keeps them open on /dev/null): the
/// values file read through fd 1 would otherwise receive the output, or
/// stdout be a file.
#[cfg(target_os = "linux")]
#[test]
fn closed_standard_descriptors_stay_closed_to_files() {
    use std::os::fd::FromRawFd;
    use std::os::unix::process::CommandExt;
    use std::process::{Command, Stdio};
    let dir = tempfile::tempdir().unwrap();
    let values = dir.path().join("values.yaml");
    let text = "externalSecret:\n  enabled: true\n";
    std::fs::write(&values, text).unwrap();
    for fd in [0, 1] {
        let mut command = Command::new(env!("CARGO_BIN_EXE_difyx"));
        command
            .args([
                "template",
                "--version",
                "0.27.0",
                "dify",
                "-f",
                values.to_str().unwrap(),
            ])
            .stderr(Stdio::piped());
        // SAFETY: dropping the OwnedFd only calls close, which is
        // async-signal-safe, as pre_exec requires; nothing else owns `fd`
        // in the child.
        unsafe {
            command.pre_exec(move || {
                drop(std::os::fd::OwnedFd::from_raw_fd(fd));
                Ok(())
            });
        }
        let out = command.output().unwrap();
        assert!(
            out.status.success(),
            "fd {fd} closed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert_eq!(
            std::fs::read_to_string(&values).unwrap(),
            text,
            "fd {fd} closed"
        );
    }
}

#[test]
fn values_and_show() {
    let out = difyx(
        &[
            "values",
            "--version",
            "0.27.0",
            "dify",
            "--set",
            "externalSecret.enabled=true",
            "--set",
            "api.secretKey=null",
        ],
        None,
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let values = difyx::values::yaml::parse_values(&stdout(&out), "values").unwrap();
    assert_eq!(
        values["externalSecret"].lookup(["enabled"]),
        Some(&Value::Bool(true))
    );
    assert_eq!(
        values["api"].lookup(["secretKey"]),
        None,
        "null deletes the default"
    );
    assert!(
        values["externalS3"]
            .lookup(["bucketName", "pluginDaemon"])
            .is_none(),
        "default nulls are dropped"
    );

    let out = difyx(&["show", "values", "--version", "0.27.0"], None);
    assert_eq!(
        stdout(&out),
        std::fs::read_to_string(repo_dir().join("charts/dify/values.yaml")).unwrap()
    );
    let out = difyx(&["show", "chart", "--version", "0.27.0"], None);
    assert!(stdout(&out).contains("name: dify"));
    assert!(stdout(&out).contains("version: 0.27.0\n"));
    // Without --version: the newest stable release.
    let default = difyx::chart::versions::default_version().version;
    let out = difyx(&["show", "chart"], None);
    assert!(
        stdout(&out).contains(&format!("version: {default}\n")),
        "{}",
        stdout(&out)
    );
    let out = difyx(&["show", "values"], None);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(!out.stdout.is_empty());
}

#[test]
fn a_chart_directory_renders_like_the_embedded_chart() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("dify");
    chart_dir_0_27_0(&dir);
    let a = difyx(
        &[
            "template",
            "dify",
            dir.to_str().unwrap(),
            "-f",
            "examples/scenario-1-full-eso.yaml",
        ],
        None,
    );
    let b = difyx(
        &[
            "template",
            "--version",
            "0.27.0",
            "dify",
            "-f",
            "examples/scenario-1-full-eso.yaml",
        ],
        None,
    );
    assert!(a.status.success(), "{}", stderr(&a));
    assert_eq!(a.stdout, b.stdout);
}

#[test]
fn a_chart_directory_compiles_every_template_first() {
    // As Helm does: a syntax error in a template no render needs (the
    // plain-Secret helpers, with every ExternalSecret on) still fails. The
    // embedded chart compiles on first use; its tests compile everything.
    let dir = tempfile::tempdir().unwrap();
    let chart = dir.path().join("dify");
    chart_dir_0_27_0(&chart);
    let credentials = chart.join("templates/_credentials.tpl");
    let text = std::fs::read_to_string(&credentials).unwrap();
    std::fs::write(&credentials, format!("{text}\n{{% if %}}\n")).unwrap();
    let eso_on = [
        "template",
        "dify",
        chart.to_str().unwrap(),
        "-f",
        "examples/scenario-1-full-eso.yaml",
    ];
    let out = difyx(&eso_on, None);
    assert!(!out.status.success());
    assert!(out.stdout.is_empty());
    assert!(
        stderr(&out).contains("templates/_credentials.tpl"),
        "{}",
        stderr(&out)
    );
}
