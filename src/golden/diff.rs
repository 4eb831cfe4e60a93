//! Document-level comparison of two parsed streams, with Secret values masked.
//!
//! Documents pair by kind, namespace and name (the n-th document of an id in
//! one stream with the n-th of the same id in the other). Paired trees are
//! compared recursively: maps key by key, lists of maps that all carry a
//! unique identifying field (`secretKey`, `name`, `key`, `id`) entry by
//! entry (`spec.data[secretKey=DB_USERNAME]`), other lists position by
//! position.
//!
//! Masking: every value under `data` or `stringData` of a `Secret` is
//! secret. `data` values are compared after base64 decoding (two encodings
//! of one value are equal). A secret value is printed as
//! [`fingerprint`] of its decoded bytes, so equal values show equal
//! fingerprints and nothing of the value can be recovered from the eight
//! hex digits. Any other string printed — a value, a key, an entry's
//! identifying field — that equals a secret value of either stream (decoded
//! or base64) is masked too. Document identities (kind, namespace, name)
//! are printed as they are.

use std::collections::{HashMap, HashSet};
use std::fmt::Write as _;

use base64::Engine as _;
use sha2::{Digest, Sha256};

use super::{DocId, Document};
use crate::values::gofmt::format_float;
use crate::values::Value;

/// Domain separation: these fingerprints are not plain SHA-256 of the value,
/// so they cannot be matched against a table of SHA-256 digests from elsewhere.
const DOMAIN: &[u8] = b"difyx secret fingerprint v1\0";

/// `sha256:` and the first 8 hex digits of SHA-256 over a fixed domain
/// prefix and `bytes`: enough to tell values apart in a diff (equal values,
/// equal fingerprints), far too little to recover or confirm a value.
pub fn fingerprint(bytes: &[u8]) -> String {
    let digest = Sha256::new()
        .chain_update(DOMAIN)
        .chain_update(bytes)
        .finalize();
    let mut out = String::from("sha256:");
    for b in &digest[..4] {
        let _ = write!(out, "{b:02x}");
    }
    out
}

/// The differences between two streams.
#[derive(Debug, Default)]
pub struct Report {
    lines: Vec<String>,
    pub added: usize,
    pub removed: usize,
    pub changed: usize,
    pub moved: usize,
}

impl Report {
    /// Whether the streams are semantically equal.
    pub fn is_empty(&self) -> bool {
        self.added + self.removed + self.changed + self.moved == 0
    }

    /// The report as printed: one line per document and per changed key,
    /// then a summary line.
    pub fn text(&self) -> String {
        let mut out = String::new();
        for line in &self.lines {
            out.push_str(line);
            out.push('\n');
        }
        let total = self.added + self.removed + self.changed + self.moved;
        let _ = writeln!(
            out,
            "{total} difference{}: {} added, {} removed, {} changed, {} moved",
            if total == 1 { "" } else { "s" },
            self.added,
            self.removed,
            self.changed,
            self.moved
        );
        out
    }
}

/// Compares stream `a` (the old or golden one) with stream `b`.
pub fn compare(a: &[Document], b: &[Document], show_secrets: bool) -> Report {
    let masker = Masker::new(a, b, show_secrets);
    let pairs = pair(a, b);
    let matched_b: HashSet<usize> = pairs.iter().map(|&(_, j)| j).collect();
    let matched_a: HashSet<usize> = pairs.iter().map(|&(i, _)| i).collect();
    let mut report = Report::default();

    for (i, doc) in a.iter().enumerate().filter(|(i, _)| !matched_a.contains(i)) {
        let _ = i;
        report.lines.push(format!("removed: {}", masker.doc(doc)));
        report.removed += 1;
    }
    for (_, doc) in b.iter().enumerate().filter(|(j, _)| !matched_b.contains(j)) {
        report.lines.push(format!("added: {}", masker.doc(doc)));
        report.added += 1;
    }
    let mut by_b = pairs.clone();
    by_b.sort_by_key(|&(_, j)| j);
    for &(i, j) in &by_b {
        let secret_doc = a[i].id.kind == "Secret" || b[j].id.kind == "Secret";
        let mut lines = Vec::new();
        let mut path = Vec::new();
        masker.diff(
            &mut path,
            &a[i].tree,
            &b[j].tree,
            Ctx::Document { secret: secret_doc },
            &mut lines,
        );
        if !lines.is_empty() {
            report.lines.push(format!("changed: {}", masker.doc(&b[j])));
            report.lines.extend(lines);
            report.changed += 1;
        }
    }
    // Pairs in a's order; those outside the longest run kept in order moved.
    let kept: HashSet<usize> =
        longest_increasing(&pairs.iter().map(|&(_, j)| j).collect::<Vec<_>>())
            .into_iter()
            .map(|k| pairs[k].1)
            .collect();
    for &(i, j) in by_b.iter().filter(|(_, j)| !kept.contains(j)) {
        report.lines.push(format!(
            "moved: {}: document {} -> {}",
            masker.doc(&b[j]),
            i + 1,
            j + 1
        ));
        report.moved += 1;
    }
    report
}

/// `(index in a, index in b)` of the documents of one id, n-th with n-th,
/// in a's order.
fn pair(a: &[Document], b: &[Document]) -> Vec<(usize, usize)> {
    let mut slots: HashMap<&DocId, Vec<usize>> = HashMap::new();
    for (j, doc) in b.iter().enumerate().rev() {
        slots.entry(&doc.id).or_default().push(j);
    }
    let mut pairs = Vec::new();
    for (i, doc) in a.iter().enumerate() {
        if let Some(j) = slots.get_mut(&doc.id).and_then(Vec::pop) {
            pairs.push((i, j));
        }
    }
    pairs
}

/// Indices into `seq` of one longest strictly increasing subsequence.
fn longest_increasing(seq: &[usize]) -> Vec<usize> {
    // tails[k]: index of the smallest tail of an increasing run of length k+1.
    let mut tails: Vec<usize> = Vec::new();
    let mut prev: Vec<Option<usize>> = vec![None; seq.len()];
    for (i, &x) in seq.iter().enumerate() {
        let k = tails.partition_point(|&t| seq[t] < x);
        prev[i] = k.checked_sub(1).map(|k| tails[k]);
        if k == tails.len() {
            tails.push(i);
        } else {
            tails[k] = i;
        }
    }
    let mut out = Vec::new();
    let mut cur = tails.last().copied();
    while let Some(i) = cur {
        out.push(i);
        cur = prev[i];
    }
    out.reverse();
    out
}

/// Where in a document the comparison is.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Ctx {
    /// The document's top level; `secret` when either side is a `Secret`.
    Document { secret: bool },
    /// Ordinary content.
    Plain,
    /// Under a Secret's `data` (`base64`) or `stringData`.
    Secret { base64: bool },
}

impl Ctx {
    /// The context of the value under `key` of a map in this context.
    fn child(self, key: &str) -> Ctx {
        match (self, key) {
            (Ctx::Document { secret: true }, "data") => Ctx::Secret { base64: true },
            (Ctx::Document { secret: true }, "stringData") => Ctx::Secret { base64: false },
            (Ctx::Document { .. }, _) => Ctx::Plain,
            (other, _) => other,
        }
    }
}

/// One step of a path.
enum Seg<'a> {
    Key(&'a str),
    Index(usize),
    /// An entry of a list of maps, by its identifying field.
    Entry(&'static str, &'a str),
}

/// The fields that identify an entry of a list of maps, most specific first.
const ENTRY_KEYS: &[&str] = &["secretKey", "name", "key", "id"];

/// Prints values and paths, masking secrets.
struct Masker {
    show_secrets: bool,
    /// Every secret value of both streams, decoded and as written, with its fingerprint.
    known: HashMap<String, String>,
}

impl Masker {
    fn new(a: &[Document], b: &[Document], show_secrets: bool) -> Self {
        let mut known = HashMap::new();
        if !show_secrets {
            for doc in a.iter().chain(b).filter(|d| d.id.kind == "Secret") {
                for (field, base64) in [("data", true), ("stringData", false)] {
                    let Some(Value::Map(entries)) = doc.tree.lookup([field]) else {
                        continue;
                    };
                    for v in entries.values() {
                        let Value::String(s) = v else { continue };
                        let bytes = secret_bytes(s, base64);
                        let fp = fingerprint(&bytes);
                        if let Ok(decoded) = String::from_utf8(bytes) {
                            if !decoded.is_empty() {
                                known.insert(decoded, fp.clone());
                            }
                        }
                        if !s.is_empty() {
                            known.insert(s.clone(), fp);
                        }
                    }
                }
            }
        }
        Masker {
            show_secrets,
            known,
        }
    }

    /// `Secret dify/dify-api  [dify/templates/api-secret.yaml]`. Not masked:
    /// kind, namespace and name identify the document (anyone who can list
    /// the objects sees them), and the default chart's sandbox API key is
    /// `dify-sandbox`, the sandbox objects' own name.
    fn doc(&self, doc: &Document) -> String {
        let id = &doc.id;
        let mut out = String::from(if id.kind.is_empty() {
            "(no kind)"
        } else {
            &id.kind
        });
        out.push(' ');
        if !id.namespace.is_empty() {
            out.push_str(&id.namespace);
            out.push('/');
        }
        out.push_str(if id.name.is_empty() {
            "(no name)"
        } else {
            &id.name
        });
        if !doc.source.is_empty() {
            let _ = write!(out, "  [{}]", doc.source);
        }
        out
    }

    fn path(&self, path: &[Seg]) -> String {
        let mut out = String::new();
        for seg in path {
            match seg {
                Seg::Key(k) => match self.known.get(*k) {
                    Some(fp) => {
                        let _ = write!(out, "[{fp}]");
                    }
                    None if is_plain(k) => {
                        if !out.is_empty() {
                            out.push('.');
                        }
                        out.push_str(k);
                    }
                    None => out.push_str(&format!("[{}]", quote(k))),
                },
                Seg::Index(i) => {
                    let _ = write!(out, "[{i}]");
                }
                Seg::Entry(field, v) => {
                    let shown = match self.known.get(*v) {
                        Some(fp) => fp.clone(),
                        None if is_plain(v) => (*v).to_owned(),
                        None => quote(v),
                    };
                    let _ = write!(out, "[{field}={shown}]");
                }
            }
        }
        if out.is_empty() {
            out.push_str("(the document)");
        }
        out
    }

    /// A value, compactly, with every secret masked.
    fn value(&self, v: &Value, ctx: Ctx) -> String {
        let mut out = String::new();
        self.write_value(&mut out, v, ctx);
        out
    }

    fn write_value(&self, out: &mut String, v: &Value, ctx: Ctx) {
        match (v, ctx) {
            (Value::Map(m), _) => {
                out.push('{');
                for (n, (k, v)) in m.iter().enumerate() {
                    if n > 0 {
                        out.push_str(", ");
                    }
                    match self.known.get(k) {
                        Some(fp) => out.push_str(fp),
                        None if is_plain(k) => out.push_str(k),
                        None => out.push_str(&quote(k)),
                    }
                    out.push_str(": ");
                    self.write_value(out, v, ctx.child(k));
                }
                out.push('}');
            }
            (Value::List(l), _) => {
                out.push('[');
                for (n, v) in l.iter().enumerate() {
                    if n > 0 {
                        out.push_str(", ");
                    }
                    self.write_value(out, v, ctx);
                }
                out.push(']');
            }
            (Value::String(s), Ctx::Secret { base64 }) => {
                let bytes = secret_bytes(s, base64);
                if self.show_secrets {
                    match String::from_utf8(bytes) {
                        Ok(decoded) => out.push_str(&quote(&decoded)),
                        Err(_) => out.push_str(&quote(s)),
                    }
                } else {
                    out.push_str(&fingerprint(&bytes));
                }
            }
            (scalar, Ctx::Secret { .. }) if !self.show_secrets => {
                out.push_str(&fingerprint(compact(scalar).as_bytes()));
            }
            (Value::String(s), _) => match self.known.get(s) {
                Some(fp) => out.push_str(fp),
                None => out.push_str(&quote(s)),
            },
            (scalar, _) => out.push_str(&compact(scalar)),
        }
    }

    /// Appends a line per difference between `a` and `b` at `path`.
    fn diff<'v>(
        &self,
        path: &mut Vec<Seg<'v>>,
        a: &'v Value,
        b: &'v Value,
        ctx: Ctx,
        out: &mut Vec<String>,
    ) {
        if same(a, b, ctx) {
            return;
        }
        match (a, b) {
            (Value::Map(ma), Value::Map(mb)) => {
                for (k, va) in ma {
                    path.push(Seg::Key(k));
                    match mb.get(k) {
                        Some(vb) => self.diff(path, va, vb, ctx.child(k), out),
                        None => out.push(format!(
                            "  - {}: {}",
                            self.path(path),
                            self.value(va, ctx.child(k))
                        )),
                    }
                    path.pop();
                }
                for (k, vb) in mb.iter().filter(|(k, _)| !ma.contains_key(*k)) {
                    path.push(Seg::Key(k));
                    out.push(format!(
                        "  + {}: {}",
                        self.path(path),
                        self.value(vb, ctx.child(k))
                    ));
                    path.pop();
                }
            }
            (Value::List(la), Value::List(lb)) => match entry_key(la, lb) {
                Some(field) => self.diff_entries(path, field, la, lb, ctx, out),
                None => {
                    for i in 0..la.len().max(lb.len()) {
                        path.push(Seg::Index(i));
                        match (la.get(i), lb.get(i)) {
                            (Some(va), Some(vb)) => self.diff(path, va, vb, ctx, out),
                            (Some(va), None) => out.push(format!(
                                "  - {}: {}",
                                self.path(path),
                                self.value(va, ctx)
                            )),
                            (None, Some(vb)) => out.push(format!(
                                "  + {}: {}",
                                self.path(path),
                                self.value(vb, ctx)
                            )),
                            (None, None) => {}
                        }
                        path.pop();
                    }
                }
            },
            _ => out.push(format!(
                "  ~ {}: {} -> {}",
                self.path(path),
                self.value(a, ctx),
                self.value(b, ctx)
            )),
        }
    }

    /// Lists of maps identified by `field`: entries removed, added, changed,
    /// and whether the common entries changed order.
    fn diff_entries<'v>(
        &self,
        path: &mut Vec<Seg<'v>>,
        field: &'static str,
        la: &'v [Value],
        lb: &'v [Value],
        ctx: Ctx,
        out: &mut Vec<String>,
    ) {
        let id =
            |v: &'v Value| -> &'v str { v.lookup([field]).and_then(Value::as_str).unwrap_or("") };
        let ids_a: HashMap<&str, &Value> = la.iter().map(|v| (id(v), v)).collect();
        let ids_b: HashSet<&str> = lb.iter().map(id).collect();
        for va in la.iter().filter(|v| !ids_b.contains(id(v))) {
            path.push(Seg::Entry(field, id(va)));
            out.push(format!("  - {}: {}", self.path(path), self.value(va, ctx)));
            path.pop();
        }
        for vb in lb {
            path.push(Seg::Entry(field, id(vb)));
            match ids_a.get(id(vb)) {
                Some(va) => self.diff(path, va, vb, ctx, out),
                None => out.push(format!("  + {}: {}", self.path(path), self.value(vb, ctx))),
            }
            path.pop();
        }
        let order_a: Vec<&str> = la.iter().map(id).filter(|k| ids_b.contains(k)).collect();
        let order_b: Vec<&str> = lb
            .iter()
            .map(id)
            .filter(|k| ids_a.contains_key(k))
            .collect();
        if order_a != order_b {
            out.push(format!(
                "  ~ {}: the same entries in another order",
                self.path(path)
            ));
        }
    }
}

/// The field that identifies every entry of both lists, if one does: each
/// entry a map with that field a string, unique within its list.
fn entry_key(la: &[Value], lb: &[Value]) -> Option<&'static str> {
    if la.is_empty() && lb.is_empty() {
        return None;
    }
    ENTRY_KEYS.iter().copied().find(|field| {
        [la, lb].iter().all(|list| {
            let mut seen = HashSet::new();
            list.iter().all(
                |v| matches!(v.lookup([*field]), Some(Value::String(s)) if seen.insert(s.as_str())),
            )
        })
    })
}

/// Equality as Kubernetes reads it, with `data` of a Secret compared decoded.
fn same(a: &Value, b: &Value, ctx: Ctx) -> bool {
    match (a, b) {
        (Value::String(x), Value::String(y)) if ctx == (Ctx::Secret { base64: true }) => {
            x == y || secret_bytes(x, true) == secret_bytes(y, true)
        }
        (Value::Map(x), Value::Map(y)) => {
            x.len() == y.len()
                && x.iter()
                    .all(|(k, vx)| y.get(k).is_some_and(|vy| same(vx, vy, ctx.child(k))))
        }
        (Value::List(x), Value::List(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(p, q)| same(p, q, ctx))
        }
        _ => a == b,
    }
}

/// The bytes a secret string stands for: base64-decoded for `data` (as
/// written when it is not valid base64), as written for `stringData`.
fn secret_bytes(s: &str, base64: bool) -> Vec<u8> {
    if base64 {
        let engine = base64::engine::general_purpose::STANDARD;
        if let Ok(bytes) = engine.decode(s.trim()) {
            return bytes;
        }
    }
    s.as_bytes().to_vec()
}

/// A key printed without quotes: letters, digits, `_` and `-`.
fn is_plain(s: &str) -> bool {
    !s.is_empty()
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
}

/// A string in double quotes, JSON-escaped.
fn quote(s: &str) -> String {
    serde_json::to_string(s).unwrap_or_else(|_| format!("{s:?}"))
}

/// A value in one line, unmasked: `"x"`, `6379`, `true`, `null`, `[a, b]`, `{k: v}`.
pub(crate) fn compact(v: &Value) -> String {
    match v {
        Value::Null => "null".into(),
        Value::Bool(b) => b.to_string(),
        Value::Int(i) => i.to_string(),
        Value::Float(f) => format_float(*f),
        Value::String(s) => quote(s),
        Value::List(l) => format!("[{}]", l.iter().map(compact).collect::<Vec<_>>().join(", ")),
        Value::Map(m) => format!(
            "{{{}}}",
            m.iter()
                .map(|(k, v)| format!(
                    "{}: {}",
                    if is_plain(k) { k.clone() } else { quote(k) },
                    compact(v)
                ))
                .collect::<Vec<_>>()
                .join(", ")
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::golden::parse_stream;

    fn docs(text: &str) -> Vec<Document> {
        parse_stream(text, "t", false).unwrap()
    }

    fn report(a: &str, b: &str) -> String {
        compare(&docs(a), &docs(b), false).text()
    }

    const ES: &str = "kind: ExternalSecret\nmetadata: {name: e, namespace: ns}\nspec:\n  data:\n    - secretKey: A\n      remoteRef: {key: k, property: a}\n    - secretKey: B\n      remoteRef: {key: k, property: b}\n";

    #[test]
    fn fingerprints_are_short_stable_and_domain_separated() {
        let fp = fingerprint(b"hunter2");
        assert_eq!(fp.len(), "sha256:".len() + 8);
        assert_eq!(fp, fingerprint(b"hunter2"));
        assert_ne!(fp, fingerprint(b"hunter3"));
        // Not the plain SHA-256 of the value (f52fbd32…).
        assert_ne!(fp, "sha256:f52fbd32");
    }

    #[test]
    fn equal_streams_have_no_differences() {
        let a = "---\n# Source: x\nkind: Secret\nmetadata: {name: s}\ndata: {K: \"aGk=\"}\n";
        let b = "kind: Secret\nmetadata:\n  name: s\ndata:\n  K: aGk=\n";
        assert!(compare(&docs(a), &docs(b), false).is_empty());
    }

    #[test]
    fn list_entries_pair_by_identifying_field() {
        let b = ES
            .replace("property: a", "property: z")
            .replace("secretKey: B", "secretKey: C");
        let text = report(ES, &b);
        assert_eq!(
            text,
            "changed: ExternalSecret ns/e\n\
             \x20 - spec.data[secretKey=B]: {remoteRef: {key: \"k\", property: \"b\"}, secretKey: \"B\"}\n\
             \x20 ~ spec.data[secretKey=A].remoteRef.property: \"a\" -> \"z\"\n\
             \x20 + spec.data[secretKey=C]: {remoteRef: {key: \"k\", property: \"b\"}, secretKey: \"C\"}\n\
             1 difference: 0 added, 0 removed, 1 changed, 0 moved\n"
        );
    }

    #[test]
    fn reordered_entries_and_moved_documents() {
        let swapped = "kind: ExternalSecret\nmetadata: {name: e, namespace: ns}\nspec:\n  data:\n    - secretKey: B\n      remoteRef: {key: k, property: b}\n    - secretKey: A\n      remoteRef: {key: k, property: a}\n";
        assert!(report(ES, swapped).contains("  ~ spec.data: the same entries in another order\n"));
        let (x, y, z) = (
            "kind: A\nmetadata: {name: x}\n",
            "kind: A\nmetadata: {name: y}\n",
            "kind: A\nmetadata: {name: z}\n",
        );
        let text = report(
            &format!("{x}---\n{y}---\n{z}"),
            &format!("{y}---\n{z}---\n{x}"),
        );
        assert_eq!(
            text,
            "moved: A x: document 1 -> 3\n1 difference: 0 added, 0 removed, 0 changed, 1 moved\n"
        );
    }

    #[test]
    fn added_and_removed_documents_by_kind_and_name() {
        let text = report(
            "kind: A\nmetadata: {name: x}\n",
            "kind: B\nmetadata: {name: x, namespace: ns}\n",
        );
        assert_eq!(
            text,
            "removed: A x\nadded: B ns/x\n2 differences: 1 added, 1 removed, 0 changed, 0 moved\n"
        );
    }

    #[test]
    fn secret_values_are_masked_everywhere() {
        // "s3cr3t-value" in base64, and another value.
        let a = "kind: Secret\nmetadata: {name: s}\ndata: {K: czNjcjN0LXZhbHVl, L: b2xk}\nstringData: {P: plain-secret}\n---\nkind: ConfigMap\nmetadata: {name: c}\ndata: {copy: x}\n";
        let b = "kind: Secret\nmetadata: {name: s}\ndata: {K: bmV3LXZhbHVl, M: czNjcjN0LXZhbHVl}\nstringData: {P: other-secret}\n---\nkind: ConfigMap\nmetadata: {name: c}\ndata: {copy: s3cr3t-value, b64: czNjcjN0LXZhbHVl}\n";
        let text = report(a, b);
        for secret in [
            "s3cr3t-value",
            "czNjcjN0LXZhbHVl",
            "new-value",
            "bmV3LXZhbHVl",
            "old",
            "b2xk",
            "plain-secret",
            "other-secret",
        ] {
            assert!(!text.contains(secret), "{secret} leaked:\n{text}");
        }
        let fp = fingerprint(b"s3cr3t-value");
        assert!(
            text.contains(&format!(
                "  ~ data.K: {fp} -> {}",
                fingerprint(b"new-value")
            )),
            "{text}"
        );
        assert!(text.contains(&format!("  + data.M: {fp}")), "{text}");
        assert!(
            text.contains(&format!("  - data.L: {}", fingerprint(b"old"))),
            "{text}"
        );
        // A ConfigMap is not secret, but a copy of a secret value in it is masked.
        assert!(
            text.contains(&format!("  ~ data.copy: \"x\" -> {fp}")),
            "{text}"
        );
        assert!(text.contains(&format!("  + data.b64: {fp}")), "{text}");

        let shown = compare(&docs(a), &docs(b), true).text();
        assert!(
            shown.contains("  ~ data.K: \"s3cr3t-value\" -> \"new-value\""),
            "{shown}"
        );
    }

    #[test]
    fn data_compares_decoded() {
        // Same bytes, different base64 spellings (with and without padding).
        let a = "kind: Secret\nmetadata: {name: s}\ndata: {K: \"aGk=\"}\n";
        let b = "kind: Secret\nmetadata: {name: s}\ndata: {K: \" aGk= \"}\n";
        assert!(compare(&docs(a), &docs(b), false).is_empty());
    }

    #[test]
    fn keys_with_dots_are_quoted_in_paths() {
        let a = "kind: A\nmetadata: {name: x, labels: {app.kubernetes.io/version: \"1\"}}\n";
        let b = "kind: A\nmetadata: {name: x, labels: {app.kubernetes.io/version: \"2\"}}\n";
        assert!(report(a, b)
            .contains("  ~ metadata.labels[\"app.kubernetes.io/version\"]: \"1\" -> \"2\"\n"));
    }

    #[test]
    fn longest_increasing_run() {
        assert_eq!(longest_increasing(&[1, 2, 0]), [0, 1]);
        assert_eq!(longest_increasing(&[]), Vec::<usize>::new());
        assert_eq!(longest_increasing(&[3, 0, 1, 2]), [1, 2, 3]);
    }
}
