//! Shared test helpers: running the binary, locating `../shared`, and
//! comparing YAML streams the way Kubernetes reads them.

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use difyx::values::yaml::parse_document;
use difyx::values::Value;

/// The shared folder beside the repository (`DIFYX_SHARED` overrides).
pub fn shared_dir() -> PathBuf {
    std::env::var_os("DIFYX_SHARED")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared"))
}

pub fn repo_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Runs the difyx binary with `args` (and optional stdin), without HELM_NAMESPACE.
pub fn difyx(args: &[&str], stdin: Option<&str>) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_difyx"));
    cmd.args(args)
        .env_remove("HELM_NAMESPACE")
        .current_dir(repo_dir());
    cmd.stdin(if stdin.is_some() {
        Stdio::piped()
    } else {
        Stdio::null()
    });
    cmd.stdout(Stdio::piped()).stderr(Stdio::piped());
    let mut child = cmd.spawn().expect("run difyx");
    if let Some(input) = stdin {
        use std::io::Write;
        child
            .stdin
            .take()
            .unwrap()
            .write_all(input.as_bytes())
            .unwrap();
    }
    child.wait_with_output().expect("wait for difyx")
}

pub fn stdout(o: &Output) -> String {
    String::from_utf8(o.stdout.clone()).expect("utf-8 stdout")
}

pub fn stderr(o: &Output) -> String {
    String::from_utf8(o.stderr.clone()).expect("utf-8 stderr")
}

/// One document of a stream: its `# Source:` path and its parsed tree.
#[derive(Debug, Clone, PartialEq)]
pub struct Doc {
    pub source: String,
    pub tree: Value,
}

/// Splits a stream on `---` lines and parses each non-empty document.
pub fn parse_stream(text: &str) -> Vec<Doc> {
    let mut docs = Vec::new();
    let mut current = String::new();
    let flush = |current: &mut String, docs: &mut Vec<Doc>| {
        if !current.trim().is_empty() {
            let source = current
                .lines()
                .find_map(|l| l.strip_prefix("# Source: "))
                .unwrap_or("")
                .trim()
                .to_owned();
            let tree = parse_document(current, &source).unwrap_or_else(|e| {
                panic!("document from {source} does not parse: {e}\n{current}")
            });
            docs.push(Doc { source, tree });
        }
        current.clear();
    };
    for line in text.split_inclusive('\n') {
        if line.trim_end() == "---" {
            flush(&mut current, &mut docs);
        } else {
            current.push_str(line);
        }
    }
    flush(&mut current, &mut docs);
    docs
}

/// `kind/metadata.name` of a document.
pub fn doc_id(tree: &Value) -> String {
    let get = |path: &[&str]| {
        tree.lookup(path.iter().copied())
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_owned()
    };
    format!("{}/{}", get(&["kind"]), get(&["metadata", "name"]))
}

/// The documents of a stream as raw text, each from its `---` line up to
/// (not including) the next document's `---` line: blank lines, spacing and
/// quoting kept.
pub fn raw_documents(stream: &str) -> Vec<&str> {
    let mut starts: Vec<usize> = stream
        .match_indices("---\n# Source: ")
        .map(|(i, _)| i)
        .filter(|&i| i == 0 || stream.as_bytes()[i - 1] == b'\n')
        .collect();
    starts.push(stream.len());
    starts.windows(2).map(|w| &stream[w[0]..w[1]]).collect()
}

/// `ExternalSecret/<metadata.name>` of a raw ExternalSecret document, or
/// `None` for any other kind.
pub fn raw_external_secret_id(doc: &str) -> Option<String> {
    doc.lines().any(|l| l == "kind: ExternalSecret").then(|| {
        let name = doc
            .lines()
            .skip_while(|l| *l != "metadata:")
            .find_map(|l| l.strip_prefix("  name: "))
            .unwrap_or("");
        format!("ExternalSecret/{}", name.trim_matches('"'))
    })
}

/// The ExternalSecret documents of a stream, raw, with their ids.
pub fn raw_external_secrets(stream: &str) -> Vec<(String, &str)> {
    raw_documents(stream)
        .into_iter()
        .filter_map(|d| raw_external_secret_id(d).map(|id| (id, d)))
        .collect()
}
