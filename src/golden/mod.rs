//! Golden-file checks and semantic diffs of rendered streams:
//! `difyx template … --check FILE` and `difyx diff A B`.
//!
//! Both read two streams of YAML documents (split on `---` lines, each named
//! by its `# Source:` comment), pair the documents by kind, namespace and
//! name, and compare the paired trees as Kubernetes reads them — formatting,
//! quoting, key order and comments do not count; document order does (it is
//! Helm's install order). The report names documents added, removed, changed
//! or moved, and for a changed one each key that differs, by its path:
//!
//! ```text
//! --- golden/prod.yaml
//! +++ (render)
//! changed: Secret dify-api  [dify/templates/api-secret.yaml]
//!   ~ data.SECRET_KEY: sha256:1a2b3c4d -> sha256:9e8f7a6b
//!   ~ spec.data[secretKey=DB_USERNAME].remoteRef.property: "username" -> "user"
//! removed: ExternalSecret dify/dify-redis  [dify/templates/redis-externalsecret.yaml]
//! 2 differences: 0 added, 1 removed, 1 changed, 0 moved
//! ```
//!
//! Secret values never appear: every value under `data` or `stringData` of
//! a `Secret` is shown as a fingerprint (see [`diff::fingerprint`]), `data`
//! compared after base64 decoding; and any other string printed that equals
//! one of those values, in either stream, is masked the same way. Only
//! `--show-secrets` prints them.

pub mod diff;

use std::io::Read;
use std::path::Path;

use anyhow::{anyhow, bail, Context, Result};

use crate::command::Outcome;
use crate::values::yaml::parse_document;
use crate::values::Value;

pub use diff::{compare, fingerprint, Report};

/// One document of a rendered stream.
#[derive(Clone, Debug)]
pub struct Document {
    /// What `# Source:` says (empty without the comment).
    pub source: String,
    /// Kind, namespace and name: what documents are paired by.
    pub id: DocId,
    /// The parsed document.
    pub tree: Value,
}

/// What identifies a document across two streams.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct DocId {
    pub kind: String,
    pub namespace: String,
    pub name: String,
}

impl DocId {
    fn of(tree: &Value) -> DocId {
        let text = |path: &[&str]| match tree.lookup(path.iter().copied()) {
            Some(Value::String(s)) => s.clone(),
            Some(Value::Null) | None => String::new(),
            Some(other) => diff::compact(other),
        };
        DocId {
            kind: text(&["kind"]),
            namespace: text(&["metadata", "namespace"]),
            name: text(&["metadata", "name"]),
        }
    }
}

/// `difyx diff A B`: the streams in files `a` and `b` (`-` for stdin).
pub fn diff_files(a: &Path, b: &Path, show_secrets: bool) -> Result<Outcome> {
    let is_stdin = |p: &Path| p.as_os_str() == "-";
    if is_stdin(a) && is_stdin(b) {
        bail!("difyx diff: only one of the two streams can be stdin (-)");
    }
    let (a_label, a_text) = read_stream(a)?;
    let (b_label, b_text) = read_stream(b)?;
    let a = parse_stream(&a_text, &a_label, show_secrets)?;
    let b = parse_stream(&b_text, &b_label, show_secrets)?;
    Ok(outcome(&a_label, &b_label, &a, &b, show_secrets))
}

/// `difyx template … --check FILE`: the render against the golden FILE.
pub fn check(rendered: &str, golden: &Path, show_secrets: bool) -> Result<Outcome> {
    let (label, text) = read_stream(golden)?;
    let want = parse_stream(&text, &label, show_secrets)?;
    let got = parse_stream(rendered, "(render)", show_secrets)?;
    Ok(outcome(&label, "(render)", &want, &got, show_secrets))
}

/// Nothing on stdout when equal; the report and exit 1 otherwise.
fn outcome(
    a_label: &str,
    b_label: &str,
    a: &[Document],
    b: &[Document],
    show_secrets: bool,
) -> Outcome {
    let report = compare(a, b, show_secrets);
    if report.is_empty() {
        Outcome::ok(String::new())
    } else {
        Outcome::failed(format!("--- {a_label}\n+++ {b_label}\n{}", report.text()))
    }
}

/// The text of `path` (stdin for `-`) and its name for messages.
fn read_stream(path: &Path) -> Result<(String, String)> {
    if path.as_os_str() == "-" {
        let mut text = String::new();
        std::io::stdin()
            .read_to_string(&mut text)
            .context("cannot read a stream from stdin")?;
        return Ok(("<stdin>".to_owned(), text));
    }
    let label = path.display().to_string();
    let bytes = std::fs::read(path).with_context(|| format!("cannot read {label}"))?;
    let text = String::from_utf8(bytes).map_err(|_| anyhow!("{label} is not valid UTF-8 text"))?;
    Ok((label, text))
}

/// Splits a stream on `---` lines and parses every non-empty document.
///
/// A document that does not parse is an error naming the stream, the
/// document and the line; the offending text is quoted only with
/// `show_secrets` (it may be a Secret's).
pub fn parse_stream(text: &str, label: &str, show_secrets: bool) -> Result<Vec<Document>> {
    let mut docs = Vec::new();
    for (number, (first_line, body)) in split_stream(text).into_iter().enumerate() {
        let source = body
            .lines()
            .find_map(|l| l.strip_prefix("# Source: "))
            .unwrap_or("")
            .trim()
            .to_owned();
        let tree = parse_document(body, label).map_err(|e| {
            let at = if source.is_empty() {
                String::new()
            } else {
                format!(" ({source})")
            };
            let location = error_line(&e.message, label)
                .map(|(line, column)| {
                    format!(" at line {}, column {column}", first_line + line - 1)
                })
                .unwrap_or_default();
            let detail = if show_secrets {
                format!(": {}", e.message)
            } else {
                String::new()
            };
            anyhow!(
                "{label}: document {}{at} is not valid YAML{location}{detail}",
                number + 1
            )
        })?;
        if tree == Value::Null {
            continue;
        }
        docs.push(Document {
            source,
            id: DocId::of(&tree),
            tree,
        });
    }
    Ok(docs)
}

/// Each document's text with the number of its first line in the stream.
fn split_stream(text: &str) -> Vec<(usize, &str)> {
    let mut docs = Vec::new();
    let (mut start, mut start_line, mut pos) = (0, 1, 0);
    for (i, line) in text.split_inclusive('\n').enumerate() {
        let content = line.trim_end();
        if content == "---" || content.starts_with("--- ") {
            docs.push((start_line, &text[start..pos]));
            // Anything after `--- ` on the marker line belongs to the next document.
            start = pos + if content == "---" { line.len() } else { 4 };
            start_line = if content == "---" { i + 2 } else { i + 1 };
        }
        pos += line.len();
    }
    docs.push((start_line, &text[start..]));
    docs.retain(|(_, d)| !d.trim().is_empty());
    docs
}

/// `(line, column)` out of a values-parser message (`failed to parse
/// SOURCE:LINE:COL: …`), without its quoted text.
fn error_line(message: &str, source: &str) -> Option<(usize, usize)> {
    let rest = message
        .strip_prefix("failed to parse ")?
        .strip_prefix(source)?
        .strip_prefix(':')?;
    let mut numbers = rest.splitn(3, ':');
    Some((numbers.next()?.parse().ok()?, numbers.next()?.parse().ok()?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_on_marker_lines_and_names_sources() {
        let text = "---\n# Source: c/templates/a.yaml\nkind: A\nmetadata: {name: a}\n---\n\n--- # x\nkind: B\n";
        let docs = parse_stream(text, "s", false).unwrap();
        assert_eq!(docs.len(), 2);
        assert_eq!(docs[0].source, "c/templates/a.yaml");
        assert_eq!(
            docs[0].id,
            DocId {
                kind: "A".into(),
                namespace: String::new(),
                name: "a".into()
            }
        );
        assert_eq!(docs[1].id.kind, "B");
    }

    #[test]
    fn a_bad_document_names_its_line_but_not_its_text() {
        let text = "---\nkind: A\n---\n# Source: c/t.yaml\nkind: Secret\ndata:\n  K: \"hunter2\n";
        let err = parse_stream(text, "s.yaml", false).unwrap_err().to_string();
        assert!(
            err.starts_with("s.yaml: document 2 (c/t.yaml) is not valid YAML at line 7, column "),
            "{err}"
        );
        assert!(!err.contains("hunter2"), "{err}");
        let err = parse_stream(text, "s.yaml", true).unwrap_err().to_string();
        assert!(err.contains("hunter2"), "{err}");
    }
}
