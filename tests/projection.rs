//! Reading values files lazily (`src/values/shape.rs`) never changes what a
//! render gives: the same documents, warnings and errors as reading them
//! whole, on every values file of the repository and on files written to
//! send the lazy render back to the whole file.

mod common;

use difyx::chart::Chart;
use difyx::engine::{Engine, Release};
use difyx::pipeline::{self, Options, UserValues};

/// Stdout text and warnings, or the error's message.
fn render(engine: &Engine<'_>, chart: &Chart, user: &UserValues, project: bool) -> String {
    let mut opts = Options::new(Release::install("dify", "dify"));
    opts.project_values = project;
    match pipeline::template_with(engine, chart, user, &opts) {
        Ok(out) => format!("{}\n--- warnings:\n{}", out.text, out.warnings.join("\n")),
        Err(e) => format!("error: {e}"),
    }
}

fn same(engine: &Engine<'_>, chart: &Chart, name: &str, text: &str) {
    let user = UserValues::file(name.to_owned(), text.to_owned());
    assert_eq!(
        render(engine, chart, &user, true),
        render(engine, chart, &user, false),
        "{name}: the lazy render differs from the whole one"
    );
}

fn yaml_files(dir: &std::path::Path, out: &mut Vec<std::path::PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            yaml_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "yaml" || e == "yml") {
            out.push(path);
        }
    }
}

#[test]
fn every_values_file_renders_the_same_read_lazily() {
    let chart = Chart::embedded();
    let engine = Engine::new(&chart).unwrap();
    let mut files = Vec::new();
    for dir in ["examples", "tests/fixtures"] {
        yaml_files(&common::repo_dir().join(dir), &mut files);
    }
    yaml_files(&common::shared_dir().join("conformance"), &mut files);
    assert!(files.len() > 20, "{files:?}");
    for file in files {
        let text = std::fs::read_to_string(&file).unwrap();
        same(&engine, &chart, &file.display().to_string(), &text);
    }
}

#[test]
fn looks_at_entries_left_out_send_the_render_back_to_the_whole_file() {
    let chart = Chart::embedded();
    let engine = Engine::new(&chart).unwrap();
    let eso = "externalSecret:\n  enabled: true\n  secretStore:\n    name: vault\n    kind: ClusterSecretStore\n";
    for (name, text) in [
        // An unsupported remote reference: its map is iterated to warn about it.
        (
            "unsupported-ref",
            format!("{eso}  api:\n    enabled: true\n    remoteRefs:\n      SECRET_KEY: {{key: a/b}}\n      NOT_A_KEY: {{key: c/d}}\n"),
        ),
        // Unread keys everywhere, beside read ones.
        (
            "unread",
            format!("{eso}ingress:\n  enabled: true\n  hosts:\n  - host: x\n    paths: [/]\napi:\n  replicas: 3\n  secretKey: s\n"),
        ),
        // A database's references: every one of them reaches the ExternalSecret.
        (
            "db-refs",
            format!("{eso}  postgresql:\n    enabled: true\n    remoteRefs:\n      password: {{key: db, property: pw}}\n      extra: {{key: db, property: x}}\npostgresql:\n  primary:\n    persistence: {{size: 8Gi}}\n"),
        ),
        // Errors in read and unread places.
        ("bad-unread", format!("{eso}web:\n  image: [unclosed\n")),
        ("bad-read", format!("{eso}  refreshInterval: nonsense\n")),
        ("anchors", format!("{eso}base: &b {{x: 1}}\nother: *b\n")),
    ] {
        same(&engine, &chart, name, &text);
    }
}
