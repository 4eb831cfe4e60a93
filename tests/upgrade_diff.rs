//! `difyx upgrade-diff --from A --to B`: the same values at two releases,
//! the masked document diff, the values whose meaning changes, and diff(1)'s
//! exit status (0 same, 1 different, 2 trouble).

mod common;

use common::{difyx, stderr, stdout};

fn run(args: &[&str]) -> (Option<i32>, String, String) {
    let mut full = vec!["upgrade-diff"];
    full.extend_from_slice(args);
    let out = difyx(&full, None);
    (out.status.code(), stdout(&out), stderr(&out))
}

#[test]
fn the_same_release_is_no_difference() {
    let (code, out, err) = run(&["--from", "0.37.0", "--to", "0.37.0", "rel", "-n", "ns"]);
    assert_eq!(code, Some(0), "{err}");
    assert!(
        out.starts_with(
            "--- chart 0.37.0\n+++ chart 0.37.0\nno differences in the rendered documents\n"
        ),
        "{out}"
    );
    assert!(
        out.contains("No value changes meaning from 0.37.0 to 0.37.0 for these values."),
        "{out}"
    );
}

#[test]
fn two_releases_differ_and_name_the_changes_of_meaning() {
    let (code, out, err) = run(&[
        "--from",
        "0.35.0",
        "--to",
        "0.36.0",
        "rel",
        "-n",
        "ns",
        "--set",
        "externalSecret.enabled=true",
        "--set",
        "api.secretKey=hunter2-old-key",
        "--set",
        "externalSecret.api.refreshInterval=5m",
    ]);
    // At least the chart labels differ.
    assert_eq!(code, Some(1), "{out}\n{err}");
    assert!(out.contains("\"dify-0.35.0\" -> \"dify-0.36.0\""), "{out}");
    assert!(
        out.contains(
            "  api.secretKey: your value is read by 0.35.0 only (read up to 0.35.0); 0.36.0 reads \
             global.appSecretKey instead\n"
        ),
        "{out}"
    );
    // Read by neither side: not a change between them.
    assert!(
        !out.contains("externalSecret.api.refreshInterval:"),
        "{out}"
    );
    // Secret values never appear, neither in the diff nor in warnings.
    assert!(
        !out.contains("hunter2") && !err.contains("hunter2"),
        "{out}\n{err}"
    );
    // The version diagnostics of each side come as warnings naming it.
    assert!(
        err.contains("warning: chart 0.36.0: api.secretKey: chart 0.36.0 ignores this value"),
        "{err}"
    );
}

#[test]
fn reverse_direction_names_what_the_older_release_reads() {
    let (code, out, _) = run(&[
        "--from",
        "0.38.0-rc2",
        "--to",
        "0.27.0",
        "--set",
        "externalSecret.enabled=true",
        "--set",
        "externalSecret.refreshInterval=5m",
        "--set",
        "api.auth.internalApiKey=k",
    ]);
    assert_eq!(code, Some(1));
    assert!(out.contains("  externalSecret.refreshInterval: your value is read by 0.38.0-rc2 only (read from 0.28.0 on); 0.27.0 reads externalSecret.<service>.refreshInterval instead\n"), "{out}");
    assert!(out.contains("  api.auth.internalApiKey: your value is read by 0.38.0-rc2 only (read from 0.38.0-rc2 on); 0.27.0 reads pluginDaemon.auth.difyApiKey instead\n"), "{out}");
}

#[test]
fn default_changes_are_listed_unless_the_user_sets_them() {
    let (_, out, _) = run(&["--from", "0.34.0", "--to", "0.35.0"]);
    assert!(
        out.contains("  global.appSecretKey: new default in 0.35.0: "),
        "{out}"
    );
    // The user's own value hides the default; what is left is that only
    // 0.35.0 reads it.
    let (_, out, _) = run(&[
        "--from",
        "0.34.0",
        "--to",
        "0.35.0",
        "--set",
        "global.appSecretKey=mine",
    ]);
    assert!(!out.contains("  global.appSecretKey: new default"), "{out}");
    assert!(out.contains("  global.appSecretKey: your value is read by 0.35.0 only (read from 0.35.0 on); 0.34.0 reads api.secretKey instead\n"), "{out}");
}

#[test]
fn trouble_exits_2() {
    let (code, out, err) = run(&["--from", "0.1.0", "--to", "0.37.0"]);
    assert_eq!(code, Some(2));
    assert!(out.is_empty());
    assert!(
        err.starts_with("Error: --from: chart \"dify\" matching 0.1.0 not found"),
        "{err}"
    );
    let (code, _, err) = run(&[
        "--from",
        "0.37.0",
        "--to",
        "0.37.0",
        "-f",
        "/nonexistent.yaml",
    ]);
    assert_eq!(code, Some(2), "{err}");
    let (code, _, _) = run(&["--to", "0.37.0"]);
    assert_eq!(
        code,
        Some(1),
        "clap usage errors keep the CLI's usual status"
    );
}

#[test]
fn help_documents_the_exit_status() {
    let (code, out, _) = run(&["--help"]);
    assert_eq!(code, Some(0));
    assert!(out.contains("Exit status, as diff(1): 0 when both releases render the same documents,\n1 when they differ, 2 on an error"), "{out}");
}

#[test]
fn secret_value_changes_are_fingerprinted_unless_shown() {
    let args = [
        "--from",
        "0.35.0",
        "--to",
        "0.36.0",
        "rel",
        "-n",
        "ns",
        "--set",
        "api.secretKey=hunter2-old-key",
    ];
    let (code, out, _) = run(&args);
    assert_eq!(code, Some(1));
    // 0.36.0 reads global.appSecretKey only: SECRET_KEY changes.
    assert!(out.contains("changed: Secret rel-dify-api  [dify/templates/api-secret.yaml]\n  ~ data.SECRET_KEY: sha256:"), "{out}");
    assert!(!out.contains("hunter2"), "{out}");
    let mut shown = args.to_vec();
    shown.push("--show-secrets");
    let (_, out, _) = run(&shown);
    assert!(out.contains("hunter2-old-key"), "{out}");
}
