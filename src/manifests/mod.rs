//! Rendered files to Helm's output stream (Helm's `releaseutil` and the
//! printing part of `helm template`).
//!
//! * [`split`] cuts each rendered file on `---`, drops empty documents and
//!   checks that every document is one YAML mapping with a `kind` — the only
//!   document separators in the output are the ones difyx writes (SPEC §7 A8);
//! * [`sort_by_kind`] applies Helm's install order, stably;
//! * [`format_stream`] and [`show_only`] frame documents exactly as Helm does.

pub mod glob;
pub mod validate;

use crate::engine::RenderedFile;
use crate::values::yaml::parse_document;
use crate::values::Value;

/// One document of the output.
#[derive(Clone, Debug)]
pub struct Manifest {
    /// The template path inside the chart: `templates/api-secret.yaml`.
    pub template: String,
    /// What Helm prints after `# Source:`: `dify/templates/api-secret.yaml`.
    pub source: String,
    /// The document's `kind`.
    pub kind: String,
    /// The document's `metadata.name` (empty if it has none).
    pub name: String,
    /// The document's text, without leading blank lines, ending in one newline.
    pub body: String,
    /// The whitespace the template left after the document's last line
    /// (after `body`'s final newline, or in place of it). Helm 4 keeps it:
    /// it prints each document as the template wrote it, less leading
    /// whitespace, plus one newline. So a template ending in a newline
    /// gives a blank line before the next `---`, one ending in `{{- end }}`
    /// does not.
    pub trailing: String,
    /// The document, parsed.
    pub doc: Value,
}

/// A rendered document is not well-formed YAML of the expected shape.
#[derive(Debug, thiserror::Error)]
#[error("YAML parse error on {template}: {message}")]
pub struct ManifestError {
    pub template: String,
    pub message: String,
}

/// Helm's install order of kinds; other kinds sort after all of these, by name.
const INSTALL_ORDER: &[&str] = &[
    "PriorityClass",
    "Namespace",
    "NetworkPolicy",
    "ResourceQuota",
    "LimitRange",
    "PodSecurityPolicy",
    "PodDisruptionBudget",
    "ServiceAccount",
    "Secret",
    "SecretList",
    "ConfigMap",
    "StorageClass",
    "PersistentVolume",
    "PersistentVolumeClaim",
    "CustomResourceDefinition",
    "ClusterRole",
    "ClusterRoleList",
    "ClusterRoleBinding",
    "ClusterRoleBindingList",
    "Role",
    "RoleList",
    "RoleBinding",
    "RoleBindingList",
    "Service",
    "DaemonSet",
    "Pod",
    "ReplicationController",
    "ReplicaSet",
    "Deployment",
    "HorizontalPodAutoscaler",
    "StatefulSet",
    "Job",
    "CronJob",
    "IngressClass",
    "Ingress",
    "APIService",
    "MutatingWebhookConfiguration",
    "ValidatingWebhookConfiguration",
];

/// Splits rendered files into documents, in file-path order.
pub fn split(chart_name: &str, files: &[RenderedFile]) -> Result<Vec<Manifest>, ManifestError> {
    let mut out = Vec::new();
    for file in files {
        let source = format!("{chart_name}/{}", file.path);
        for text in split_documents(&file.text) {
            if text.trim().is_empty() {
                continue;
            }
            let content = text.trim_start();
            let core = content.trim_end_matches(['\n', ' ', '\t', '\r']);
            let trailing = content[core.len()..].to_owned();
            let body = format!("{core}\n");
            let doc = parse_document(&body, &source).map_err(|e| ManifestError {
                template: source.clone(),
                message: e.message,
            })?;
            let (kind, name) = identify(&doc).map_err(|message| ManifestError {
                template: source.clone(),
                message,
            })?;
            out.push(Manifest {
                template: file.path.clone(),
                source: source.clone(),
                kind,
                name,
                body,
                trailing,
                doc,
            });
        }
    }
    Ok(out)
}

/// Splits on lines that are a document marker (`---`, trailing blanks allowed).
///
/// Only lines starting with `---` are looked at, found by a substring
/// search rather than line by line.
fn split_documents(text: &str) -> Vec<&str> {
    let bytes = text.as_bytes();
    let mut docs = Vec::new();
    let mut start = 0;
    for at in memchr::memmem::find_iter(bytes, b"---") {
        if at < start || (at > 0 && bytes[at - 1] != b'\n') {
            continue; // inside a marker line just taken, or not at a line's start
        }
        let end = memchr::memchr(b'\n', &bytes[at..]).map_or(bytes.len(), |e| at + e + 1);
        let line = &text[at..end];
        if line.trim_end() == "---" || line.starts_with("--- ") {
            docs.push(&text[start..at]);
            start = end;
        }
    }
    docs.push(&text[start..]);
    docs
}

/// The `kind` and `metadata.name` of a document, which must be a mapping.
fn identify(doc: &Value) -> Result<(String, String), String> {
    let Value::Map(m) = doc else {
        return Err(format!(
            "a manifest must be a YAML mapping, got {}",
            doc.type_name()
        ));
    };
    let kind = match m.get("kind") {
        Some(Value::String(k)) if !k.is_empty() => k.clone(),
        _ => return Err("the manifest has no kind".into()),
    };
    let name = doc
        .lookup(["metadata", "name"])
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_owned();
    Ok((kind, name))
}

/// Helm's install order: known kinds in [`INSTALL_ORDER`], unknown kinds
/// after them by name; ties keep their order (a stable sort).
pub fn sort_by_kind(manifests: &mut [Manifest]) {
    manifests.sort_by(|a, b| rank(&a.kind).cmp(&rank(&b.kind)));
}

fn rank(kind: &str) -> (usize, &str) {
    match INSTALL_ORDER.iter().position(|k| *k == kind) {
        Some(i) => (i, ""),
        None => (INSTALL_ORDER.len(), kind),
    }
}

impl Manifest {
    /// The document as Helm prints it: `---`, `# Source:`, the template's
    /// text (less leading whitespace, trailing whitespace kept) and a newline.
    pub fn push_framed(&self, out: &mut String) {
        out.push_str("---\n# Source: ");
        out.push_str(&self.source);
        out.push('\n');
        out.push_str(self.body.strip_suffix('\n').unwrap_or(&self.body));
        out.push_str(&self.trailing);
        out.push('\n');
    }
}

/// The whole output stream: `---` and `# Source:` before each document,
/// the end trimmed to one newline. An empty render prints a lone newline.
pub fn format_stream(manifests: &[Manifest]) -> String {
    let mut out = String::new();
    for m in manifests {
        m.push_framed(&mut out);
    }
    let trimmed = out.trim_end().len();
    out.truncate(trimmed);
    out.push('\n');
    out
}

/// `--show-only`: for each pattern in order, every document whose template
/// path matches it (Go's `filepath.Match`); a document matched twice comes
/// twice. A pattern that selects nothing is an error, as in Helm.
///
/// Helm cuts `--show-only` output from the full stream, whose end is
/// trimmed: the last document of the stream loses its trailing whitespace.
pub fn select(manifests: &[Manifest], patterns: &[String]) -> Result<Vec<Manifest>, String> {
    let mut out = Vec::new();
    let last = manifests.len().wrapping_sub(1);
    for pattern in patterns {
        let before = out.len();
        out.extend(
            manifests
                .iter()
                .enumerate()
                .filter(|(_, m)| glob::matches(pattern, &m.template))
                .map(|(i, m)| {
                    let mut m = m.clone();
                    if i == last {
                        m.trailing.clear();
                    }
                    m
                }),
        );
        if out.len() == before {
            return Err(format!("could not find template {pattern} in chart"));
        }
    }
    Ok(out)
}

/// Helm's framing of `--show-only` output: each document with one more
/// newline than in the full stream, and the end not trimmed.
pub fn format_show_only(selected: &[Manifest]) -> String {
    let mut out = String::new();
    for m in selected {
        m.push_framed(&mut out);
        out.push('\n');
    }
    out
}

/// [`select`] then [`format_show_only`].
pub fn show_only(manifests: &[Manifest], patterns: &[String]) -> Result<String, String> {
    select(manifests, patterns).map(|s| format_show_only(&s))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// [`split_documents`] as it was written first: every line looked at.
    fn split_by_lines(text: &str) -> Vec<&str> {
        let mut docs = Vec::new();
        let (mut start, mut pos) = (0, 0);
        for line in text.split_inclusive('\n') {
            if line.trim_end() == "---" || line.starts_with("--- ") {
                docs.push(&text[start..pos]);
                start = pos + line.len();
            }
            pos += line.len();
        }
        docs.push(&text[start..]);
        docs
    }

    #[test]
    fn documents_split_on_marker_lines_only() {
        for text in [
            "",
            "---",
            "---\n",
            "a: 1\n---\nb: 2\n",
            "--- ---\n---\n",
            "------\n--- \n",
            "a: ---\n --- \n---\t\r\n---x\n",
            "-----\n---",
        ] {
            assert_eq!(split_documents(text), split_by_lines(text), "{text:?}");
        }
    }

    proptest! {
        #[test]
        fn documents_split_as_line_by_line(text in "(---|-| |\\n|a|\\t|\\r){0,24}") {
            prop_assert_eq!(split_documents(&text), split_by_lines(&text));
        }
    }

    fn file(path: &str, text: &str) -> RenderedFile {
        RenderedFile {
            path: path.into(),
            text: text.into(),
        }
    }

    #[test]
    fn splits_and_drops_empty_documents() {
        let files = [file(
            "templates/a.yaml",
            "\n---\nkind: A\nmetadata: {name: x}\n---\n\n---\nkind: B\n",
        )];
        let m = split("c", &files).unwrap();
        assert_eq!(
            m.iter().map(|m| m.kind.as_str()).collect::<Vec<_>>(),
            ["A", "B"]
        );
        assert_eq!(m[0].name, "x");
        assert_eq!(m[0].body, "kind: A\nmetadata: {name: x}\n");
    }

    #[test]
    fn a_document_must_be_a_mapping_with_a_kind() {
        assert!(split("c", &[file("templates/a.yaml", "- a\n")]).is_err());
        assert!(split("c", &[file("templates/a.yaml", "name: x\n")]).is_err());
        let err = split("c", &[file("templates/a.yaml", "kind: A\nx: [\n")]).unwrap_err();
        assert_eq!(err.template, "c/templates/a.yaml");
    }

    #[test]
    fn known_kinds_first_then_unknown_by_name_stably() {
        let files = [
            file(
                "templates/1.yaml",
                "kind: ExternalSecret\nmetadata: {name: e1}\n",
            ),
            file("templates/2.yaml", "kind: Secret\nmetadata: {name: s1}\n"),
            file("templates/3.yaml", "kind: Alpha\nmetadata: {name: a}\n"),
            file(
                "templates/4.yaml",
                "kind: ExternalSecret\nmetadata: {name: e2}\n",
            ),
            file("templates/5.yaml", "kind: Secret\nmetadata: {name: s2}\n"),
            file(
                "templates/6.yaml",
                "kind: Namespace\nmetadata: {name: ns}\n",
            ),
        ];
        let mut m = split("c", &files).unwrap();
        sort_by_kind(&mut m);
        let names: Vec<&str> = m.iter().map(|m| m.name.as_str()).collect();
        assert_eq!(names, ["ns", "s1", "s2", "a", "e1", "e2"]);
    }

    /// Helm 4.3.1's framing, as measured: a template's trailing newlines
    /// stay (a blank line before the next `---`), leading ones go, and the
    /// stream's end is trimmed. `--show-only` adds one newline per document
    /// and cuts from the trimmed stream.
    #[test]
    fn stream_and_show_only_framing() {
        let files = [
            file("templates/a.yaml", "\n\nkind: A\n"),
            file("templates/b.yaml", "kind: B"),
            file("templates/c.yaml", "kind: C\n\n"),
        ];
        let m = split("c", &files).unwrap();
        assert_eq!(
            format_stream(&m),
            "---\n# Source: c/templates/a.yaml\nkind: A\n\n\
             ---\n# Source: c/templates/b.yaml\nkind: B\n\
             ---\n# Source: c/templates/c.yaml\nkind: C\n"
        );
        assert_eq!(format_stream(&[]), "\n");
        let shown = show_only(
            &m,
            &[
                "templates/a.yaml".into(),
                "templates/c.yaml".into(),
                "templates/b.yaml".into(),
            ],
        )
        .unwrap();
        assert_eq!(
            shown,
            "---\n# Source: c/templates/a.yaml\nkind: A\n\n\n\
             ---\n# Source: c/templates/c.yaml\nkind: C\n\n\
             ---\n# Source: c/templates/b.yaml\nkind: B\n\n"
        );
        let shown = show_only(&m, &["templates/b.yaml".into(), "templates/*".into()]).unwrap();
        assert!(shown.starts_with("---\n# Source: c/templates/b.yaml\nkind: B\n\n---\n"));
        assert_eq!(
            show_only(&m, &["templates/x.yaml".into()]).unwrap_err(),
            "could not find template templates/x.yaml in chart"
        );
        assert!(show_only(&m, &["c/templates/a.yaml".into()]).is_err());
    }
}
