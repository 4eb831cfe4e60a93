//! Post-render validation: every document is checked, before anything is
//! printed, against the rules the cluster would apply to it.
//!
//! * Documents of kinds other than Secret and ExternalSecret (difyx renders
//!   other charts too) are the chart's business, as in `helm template`: they
//!   are not checked. Secrets and ExternalSecrets need string `apiVersion`
//!   and `kind` and a `metadata.name`.
//! * A `Secret` is checked as the API server checks a `v1` Secret: it must
//!   deserialize as [`k8s_openapi::api::core::v1::Secret`], its name is a
//!   DNS-1123 subdomain, data keys are `[-._a-zA-Z0-9]+` (at most 253, not
//!   `.`, `..` or `..*`), every data value is standard base64, `type` is a
//!   string, the data fit in 1 MiB, and no unknown field is present (the API
//!   server would drop it with a warning; our templates never write one).
//! * An `ExternalSecret` (`external-secrets.io/v1` or `v1beta1`) must
//!   deserialize into the typed model below, which rejects unknown fields in
//!   every part difyx writes, and then satisfy the ESO CRD schema and
//!   webhook rules (HELM-CLI.md §6): a Go-duration `refreshInterval`, the
//!   store kind and policy enums and their forbidden combinations,
//!   DNS-1123 names of 1–253 characters, `secretKey`s of
//!   `^[-._a-zA-Z0-9]+$` (1–253, unique), non-empty remote keys, string
//!   `template.data` values that only reference fetched keys. `data: null`
//!   and `template.data: null` are accepted (SPEC §4.2).
//! * Labels and annotations follow Kubernetes' rules for keys (optional
//!   DNS-subdomain prefix, `/`, a name of at most 63 characters) and label
//!   values.
//!
//! The values were checked before rendering, so a violation here means the
//! chart's templates produced something they should not have: it is reported
//! as an internal error, never blamed on the user.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use base64::Engine as _;
use serde::de::DeserializeOwned;
use serde::Deserialize;
use serde_json::Value as Json;

use super::Manifest;
use crate::engine::scalar::{
    check_go_duration, is_dns1123_label, is_dns1123_subdomain, is_label_value,
};
use crate::values::Value;

/// One rule a rendered document breaks.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Violation {
    /// The document's `# Source:` path, e.g. `dify/templates/api-secret.yaml`.
    pub source: String,
    /// The document's kind.
    pub kind: String,
    /// The document's `metadata.name` (empty if it has none).
    pub name: String,
    /// Where in the document, e.g. `spec.data[2].secretKey`.
    pub path: String,
    /// What is wrong there.
    pub problem: String,
}

impl fmt::Display for Violation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} ({}/{}): {}: {}",
            printable(&self.source),
            printable(&self.kind),
            printable(&self.name),
            self.path,
            self.problem
        )
    }
}

/// Rendered documents that break Kubernetes' or ESO's rules.
#[derive(Debug, thiserror::Error)]
#[error(
    "internal error: the chart's templates rendered {} invalid document(s). This is a bug in the chart, \
     not in your values; please report it with the values you used.\n  {}",
    documents(.violations),
    lines(.violations)
)]
pub struct ValidationError {
    /// Every violation, document by document, in the order of the documents given.
    pub violations: Vec<Violation>,
}

fn documents(violations: &[Violation]) -> usize {
    let mut seen: Vec<(&str, &str, &str)> = Vec::new();
    for v in violations {
        let id = (v.source.as_str(), v.kind.as_str(), v.name.as_str());
        if !seen.contains(&id) {
            seen.push(id);
        }
    }
    seen.len()
}

fn lines(violations: &[Violation]) -> String {
    violations
        .iter()
        .map(Violation::to_string)
        .collect::<Vec<_>>()
        .join("\n  ")
}

/// Checks every document; `Err` lists every violation found.
///
/// `Ok` holds warnings: text from the user's values that SPEC §7.0 D1 says
/// to emit faithfully (quoted) although the ESO CRD will refuse it — a
/// store name or a postgresql/redis `secretKey` that is not a valid name.
/// The API server will reject those documents; the user is told now.
pub fn validate(manifests: &[Manifest]) -> Result<Vec<String>, ValidationError> {
    let mut violations = Vec::new();
    let mut warnings = Vec::new();
    for m in manifests {
        let mut ctx = Ctx {
            manifest: m,
            out: &mut violations,
            warnings: &mut warnings,
        };
        check_document(&mut ctx, &m.doc);
    }
    if violations.is_empty() {
        Ok(warnings)
    } else {
        Err(ValidationError { violations })
    }
}

/// Collects the violations of one document.
struct Ctx<'a> {
    manifest: &'a Manifest,
    out: &'a mut Vec<Violation>,
    warnings: &'a mut Vec<String>,
}

impl Ctx<'_> {
    /// A value the user chose that the API server will refuse.
    fn refused(&mut self, path: impl Into<String>, problem: impl Into<String>) {
        let v = Violation {
            source: self.manifest.source.clone(),
            kind: self.manifest.kind.clone(),
            name: self.manifest.name.clone(),
            path: one_line(&path.into()),
            problem: one_line(&problem.into()),
        };
        self.warnings
            .push(format!("{v}; the API server will refuse this document"));
    }

    fn bad(&mut self, path: impl Into<String>, problem: impl Into<String>) {
        self.out.push(Violation {
            source: self.manifest.source.clone(),
            kind: self.manifest.kind.clone(),
            name: self.manifest.name.clone(),
            path: one_line(&path.into()),
            problem: one_line(&problem.into()),
        });
    }
}

/// Text for a message on one line: as is when plain, else Rust-quoted.
fn printable(s: &str) -> String {
    if s.chars()
        .all(|c| !c.is_control() && (c == ' ' || !c.is_whitespace()))
    {
        s.to_owned()
    } else {
        format!("{s:?}")
    }
}

/// `s` with control characters and line separators escaped, so that each
/// violation stays on one line whatever text a message quotes.
fn one_line(s: &str) -> String {
    s.chars()
        .flat_map(|c| {
            let escape = c.is_control() || matches!(c, '\u{2028}' | '\u{2029}');
            let escaped: Vec<char> = if escape {
                c.escape_default().collect()
            } else {
                vec![c]
            };
            escaped
        })
        .collect()
}

/// `parent.key`, or `parent["key"]` when the key is not a plain word.
fn child(parent: &str, key: &str) -> String {
    let plain = !key.is_empty()
        && key
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-');
    match (parent.is_empty(), plain) {
        (true, true) => key.to_owned(),
        (false, true) => format!("{parent}.{key}"),
        (_, false) => format!("{parent}[{key:?}]"),
    }
}

/// The type of a value, as a message says it.
fn type_of(v: &Value) -> &'static str {
    v.type_name()
}

fn check_document(ctx: &mut Ctx<'_>, doc: &Value) {
    let Value::Map(top) = doc else {
        ctx.bad(
            "(document)",
            format!("expected a mapping, got {}", type_of(doc)),
        );
        return;
    };
    // Documents of other kinds (from a chart directory given as CHART) are
    // the chart's business, as in `helm template`: only the kind is needed,
    // to order them.
    if !matches!(
        top.get("kind").and_then(Value::as_str),
        Some("Secret" | "ExternalSecret")
    ) {
        return;
    }
    let before = ctx.out.len();
    for field in ["apiVersion", "kind"] {
        match top.get(field) {
            Some(Value::String(s)) if !s.is_empty() => {}
            Some(Value::String(_)) => ctx.bad(field, "must not be empty"),
            Some(other) => ctx.bad(field, format!("expected a string, got {}", type_of(other))),
            None => ctx.bad(field, "missing"),
        }
    }
    match top.get("metadata") {
        Some(Value::Map(meta)) => match meta.get("name") {
            Some(Value::String(s)) if !s.is_empty() => {}
            Some(Value::String(_)) => ctx.bad("metadata.name", "must not be empty"),
            Some(other) => ctx.bad(
                "metadata.name",
                format!("expected a string, got {}", type_of(other)),
            ),
            None => ctx.bad("metadata.name", "missing"),
        },
        Some(other) => ctx.bad(
            "metadata",
            format!("expected a mapping, got {}", type_of(other)),
        ),
        None => ctx.bad("metadata", "missing"),
    }
    if ctx.out.len() > before {
        return;
    }
    match top.get("kind").and_then(Value::as_str) {
        Some("Secret") => check_secret(ctx, doc),
        Some("ExternalSecret") => check_external_secret(ctx, doc),
        _ => {}
    }
}

/// Our value tree as JSON, the way Kubernetes receives it: integral floats
/// become JSON integers.
pub(crate) fn to_json(v: &Value) -> Json {
    match v {
        Value::Null => Json::Null,
        Value::Bool(b) => Json::Bool(*b),
        Value::Int(i) => Json::from(*i),
        Value::Float(f) if f.fract() == 0.0 && f.abs() < 9.2e18 => Json::from(*f as i64),
        Value::Float(f) => serde_json::Number::from_f64(*f).map_or(Json::Null, Json::Number),
        Value::String(s) => Json::String(s.clone()),
        Value::List(l) => Json::Array(l.iter().map(to_json).collect()),
        Value::Map(m) => Json::Object(m.iter().map(|(k, v)| (k.clone(), to_json(v))).collect()),
    }
}

// ---------------------------------------------------------------------------
// Kubernetes rules shared by every kind
// ---------------------------------------------------------------------------

/// Why `key` is not a valid Secret / ConfigMap data key (Kubernetes'
/// `IsConfigMapKey`), or `None`.
fn data_key_problem(key: &str) -> Option<String> {
    if key.is_empty() {
        return Some("a data key must not be empty".into());
    }
    if key.len() > 253 {
        return Some(format!(
            "a data key must be at most 253 characters, this one has {}",
            key.len()
        ));
    }
    if !key
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_'))
    {
        return Some(format!(
            "{:?} is not a valid data key (only letters, digits, '-', '_' and '.')",
            key
        ));
    }
    if key == "." || key == ".." || key.starts_with("..") {
        return Some(format!(
            "{key:?} is not a valid data key (must not be '.', '..' or start with '..')"
        ));
    }
    None
}

/// Why `key` is not a valid label or annotation key (a qualified name:
/// optional DNS-subdomain prefix and `/`, then a name of at most 63), or `None`.
fn qualified_name_problem(key: &str) -> Option<String> {
    let (prefix, name) = match key.split_once('/') {
        Some((_, n)) if n.contains('/') => {
            return Some(format!(
                "{key:?} is not a valid key (at most one '/', between prefix and name)"
            ))
        }
        Some((p, n)) => (Some(p), n),
        None => (None, key),
    };
    if let Some(p) = prefix {
        if !is_dns1123_subdomain(p) {
            return Some(format!("the key prefix {p:?} is not a DNS-1123 subdomain"));
        }
    }
    let b = name.as_bytes();
    let ok = !b.is_empty()
        && b.len() <= 63
        && b.iter()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, b'-' | b'_' | b'.'))
        && b[0].is_ascii_alphanumeric()
        && b[b.len() - 1].is_ascii_alphanumeric();
    if !ok {
        return Some(format!(
            "{key:?} is not a valid key (a name of at most 63 letters, digits, '-', '_' and '.', \
             alphanumeric at both ends, with an optional DNS-subdomain prefix and '/')"
        ));
    }
    None
}

fn check_name(ctx: &mut Ctx<'_>, path: &str, name: &str) {
    if !is_dns1123_subdomain(name) {
        ctx.bad(
            path,
            format!(
                "{name:?} is not a valid object name (a DNS-1123 subdomain: at most 253 lower-case \
                 letters, digits, '-' and '.', alphanumeric at both ends of each part)"
            ),
        );
    }
}

fn check_namespace(ctx: &mut Ctx<'_>, path: &str, ns: &str) {
    if !is_dns1123_label(ns) {
        ctx.bad(
            path,
            format!(
                "{ns:?} is not a valid namespace (a DNS-1123 label: at most 63 lower-case letters, \
                 digits and '-', alphanumeric at both ends)"
            ),
        );
    }
}

fn check_labels<'a>(
    ctx: &mut Ctx<'_>,
    path: &str,
    labels: impl Iterator<Item = (&'a String, &'a str)>,
) {
    for (k, v) in labels {
        if let Some(problem) = qualified_name_problem(k) {
            ctx.bad(child(path, k), format!("label key: {problem}"));
        }
        if !is_label_value(v) {
            ctx.bad(
                child(path, k),
                format!(
                    "{v:?} is not a valid label value (at most 63 letters, digits, '-', '_' and '.', \
                     alphanumeric at both ends)"
                ),
            );
        }
    }
}

/// Kubernetes' limit on the total size of an object's annotations.
const MAX_ANNOTATIONS_BYTES: usize = 256 * 1024;

fn check_annotations<'a>(
    ctx: &mut Ctx<'_>,
    path: &str,
    annotations: impl Iterator<Item = (&'a String, &'a str)>,
) {
    let mut total = 0;
    for (k, v) in annotations {
        total += k.len() + v.len();
        if let Some(problem) = qualified_name_problem(k) {
            ctx.bad(child(path, k), format!("annotation key: {problem}"));
        }
    }
    if total > MAX_ANNOTATIONS_BYTES {
        ctx.bad(
            path,
            format!("annotations total {total} bytes, more than the 262144 Kubernetes allows"),
        );
    }
}

/// A `map[string]string` field (labels, annotations): the entries, with a
/// violation for each non-string value.
fn string_map<'a>(ctx: &mut Ctx<'_>, path: &str, v: &'a Value) -> Vec<(&'a String, &'a str)> {
    match v {
        Value::Null => Vec::new(),
        Value::Map(m) => m
            .iter()
            .filter_map(|(k, v)| match v {
                Value::String(s) => Some((k, s.as_str())),
                other => {
                    ctx.bad(
                        child(path, k),
                        format!("expected a string, got {}", type_of(other)),
                    );
                    None
                }
            })
            .collect(),
        other => {
            ctx.bad(path, format!("expected a mapping, got {}", type_of(other)));
            Vec::new()
        }
    }
}

// ---------------------------------------------------------------------------
// v1 Secret
// ---------------------------------------------------------------------------

const SECRET_FIELDS: &[&str] = &[
    "apiVersion",
    "kind",
    "metadata",
    "type",
    "data",
    "stringData",
    "immutable",
];

const OBJECT_META_FIELDS: &[&str] = &[
    "annotations",
    "creationTimestamp",
    "deletionGracePeriodSeconds",
    "deletionTimestamp",
    "finalizers",
    "generateName",
    "generation",
    "labels",
    "managedFields",
    "name",
    "namespace",
    "ownerReferences",
    "resourceVersion",
    "selfLink",
    "uid",
];

/// Kubernetes' limit on a Secret's data (`MaxSecretSize`).
const MAX_SECRET_BYTES: usize = 1024 * 1024;

/// Keys that the well-known Secret types require in `data`.
const TYPE_REQUIRED_KEYS: &[(&str, &[&str])] = &[
    ("kubernetes.io/dockercfg", &[".dockercfg"]),
    ("kubernetes.io/dockerconfigjson", &[".dockerconfigjson"]),
    ("kubernetes.io/ssh-auth", &["ssh-privatekey"]),
    ("kubernetes.io/tls", &["tls.crt", "tls.key"]),
];

fn check_secret(ctx: &mut Ctx<'_>, doc: &Value) {
    let Some(top) = doc.as_map() else { return };
    let before = ctx.out.len();
    if top.get("apiVersion").and_then(Value::as_str) != Some("v1") {
        ctx.bad("apiVersion", "a Secret's apiVersion must be \"v1\"");
        return;
    }
    for key in top.keys().filter(|k| !SECRET_FIELDS.contains(&k.as_str())) {
        ctx.bad(child("", key), "unknown field: a v1 Secret has only apiVersion, kind, metadata, type, data, stringData and immutable");
    }

    // metadata
    let meta = top
        .get("metadata")
        .and_then(Value::as_map)
        .expect("checked by check_document");
    for key in meta
        .keys()
        .filter(|k| !OBJECT_META_FIELDS.contains(&k.as_str()))
    {
        ctx.bad(child("metadata", key), "unknown field of metadata");
    }
    if let Some(name) = meta.get("name").and_then(Value::as_str) {
        check_name(ctx, "metadata.name", name);
    }
    match meta.get("namespace") {
        None | Some(Value::Null) => {}
        Some(Value::String(ns)) => check_namespace(ctx, "metadata.namespace", ns),
        Some(other) => ctx.bad(
            "metadata.namespace",
            format!("expected a string, got {}", type_of(other)),
        ),
    }
    if let Some(labels) = meta.get("labels") {
        let entries = string_map(ctx, "metadata.labels", labels);
        check_labels(ctx, "metadata.labels", entries.into_iter());
    }
    if let Some(annotations) = meta.get("annotations") {
        let entries = string_map(ctx, "metadata.annotations", annotations);
        check_annotations(ctx, "metadata.annotations", entries.into_iter());
    }

    // data: base64 values; stringData: plain strings.
    let mut size = 0;
    let mut keys = BTreeSet::new();
    match top.get("data") {
        None | Some(Value::Null) => {}
        Some(Value::Map(data)) => {
            for (k, v) in data {
                let path = child("data", k);
                if let Some(problem) = data_key_problem(k) {
                    ctx.bad(&path, problem);
                }
                keys.insert(k.as_str());
                match v {
                    Value::String(s) => match base64::engine::general_purpose::STANDARD.decode(s) {
                        Ok(bytes) => size += bytes.len(),
                        Err(e) => ctx.bad(&path, format!("not valid standard base64: {e}")),
                    },
                    other => ctx.bad(
                        &path,
                        format!("expected a base64 string, got {}", type_of(other)),
                    ),
                }
            }
        }
        Some(other) => ctx.bad(
            "data",
            format!("expected a mapping, got {}", type_of(other)),
        ),
    }
    match top.get("stringData") {
        None | Some(Value::Null) => {}
        Some(Value::Map(data)) => {
            for (k, v) in data {
                let path = child("stringData", k);
                if let Some(problem) = data_key_problem(k) {
                    ctx.bad(&path, problem);
                }
                keys.insert(k.as_str());
                match v {
                    Value::String(s) => size += s.len(),
                    other => ctx.bad(&path, format!("expected a string, got {}", type_of(other))),
                }
            }
        }
        Some(other) => ctx.bad(
            "stringData",
            format!("expected a mapping, got {}", type_of(other)),
        ),
    }
    if size > MAX_SECRET_BYTES {
        ctx.bad(
            "data",
            format!("the data total {size} bytes, more than the 1048576 a Secret may hold"),
        );
    }
    match top.get("type") {
        None => {}
        Some(Value::String(t)) => {
            for (ty, required) in TYPE_REQUIRED_KEYS {
                if t == ty {
                    for key in required.iter().filter(|k| !keys.contains(**k)) {
                        ctx.bad(
                            "data",
                            format!("a Secret of type {ty} needs the key {key:?}"),
                        );
                    }
                }
            }
        }
        Some(other) => ctx.bad("type", format!("expected a string, got {}", type_of(other))),
    }
    match top.get("immutable") {
        None | Some(Value::Null) | Some(Value::Bool(_)) => {}
        Some(other) => ctx.bad(
            "immutable",
            format!("expected a boolean, got {}", type_of(other)),
        ),
    }
    if ctx.out.len() > before {
        return;
    }

    // The same document through Kubernetes' own types (which decode base64).
    let secret = crate::values::de::from_value::<k8s_openapi::api::core::v1::Secret>(doc)
        .or_else(|_| serde_json::from_value(to_json(doc)));
    match secret {
        Err(e) => ctx.bad(
            "(document)",
            format!("does not deserialize as a Kubernetes v1 Secret: {e}"),
        ),
        Ok(secret) => {
            if secret.metadata.name.as_deref() != meta.get("name").and_then(Value::as_str) {
                ctx.bad(
                    "metadata.name",
                    "reads back differently through the Kubernetes Secret type",
                );
            }
            let decoded: usize = secret.data.iter().flatten().map(|(_, v)| v.0.len()).sum();
            let strings: usize = secret
                .string_data
                .iter()
                .flatten()
                .map(|(_, v)| v.len())
                .sum();
            if decoded + strings != size {
                ctx.bad(
                    "data",
                    "decodes differently through the Kubernetes Secret type",
                );
            }
        }
    }
}

// ---------------------------------------------------------------------------
// ExternalSecret (external-secrets.io/v1 and v1beta1)
// ---------------------------------------------------------------------------

const ESO_V1: &str = "external-secrets.io/v1";
const ESO_V1BETA1: &str = "external-secrets.io/v1beta1";

/// The parts of an ExternalSecret that difyx writes. Unknown fields are
/// errors: our templates never write them.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct ExternalSecret {
    api_version: String,
    #[allow(dead_code)]
    kind: String,
    metadata: EsMetadata,
    spec: EsSpec,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct EsMetadata {
    name: String,
    namespace: Option<String>,
    labels: Option<BTreeMap<String, String>>,
    annotations: Option<BTreeMap<String, String>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct EsSpec {
    refresh_interval: Option<String>,
    secret_store_ref: Option<SecretStoreRef>,
    target: Option<Target>,
    /// `null` when no entries (SPEC §4.2).
    data: Option<Vec<DataItem>>,
    data_from: Option<Vec<DataFromItem>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct SecretStoreRef {
    name: Option<String>,
    #[allow(dead_code)]
    kind: Option<StoreKind>,
}

#[derive(Debug, Deserialize, Clone, Copy, PartialEq, Eq)]
enum StoreKind {
    SecretStore,
    ClusterSecretStore,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct Target {
    name: Option<String>,
    creation_policy: Option<CreationPolicy>,
    deletion_policy: Option<DeletionPolicy>,
    template: Option<Template>,
}

#[derive(Debug, Deserialize, Clone, Copy, PartialEq, Eq)]
enum CreationPolicy {
    Owner,
    Orphan,
    Merge,
    None,
    /// v1 only.
    CreateOrMerge,
}

#[derive(Debug, Deserialize, Clone, Copy, PartialEq, Eq)]
enum DeletionPolicy {
    Delete,
    Merge,
    Retain,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct Template {
    #[serde(rename = "type")]
    #[allow(dead_code)]
    type_: Option<String>,
    /// `null` when no entries (SPEC §4.2); each value an ESO Go template.
    data: Option<BTreeMap<String, String>>,
    #[allow(dead_code)]
    engine_version: Option<EngineVersion>,
    #[allow(dead_code)]
    merge_policy: Option<MergePolicy>,
}

#[derive(Debug, Deserialize, Clone, Copy)]
enum EngineVersion {
    #[serde(rename = "v2")]
    V2,
}

#[derive(Debug, Deserialize, Clone, Copy)]
enum MergePolicy {
    Replace,
    Merge,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct DataItem {
    secret_key: String,
    remote_ref: RemoteRef,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct RemoteRef {
    key: String,
    #[allow(dead_code)]
    property: Option<String>,
    #[allow(dead_code)]
    version: Option<String>,
    #[allow(dead_code)]
    decoding_strategy: Option<DecodingStrategy>,
    #[allow(dead_code)]
    conversion_strategy: Option<ConversionStrategy>,
    #[allow(dead_code)]
    metadata_policy: Option<MetadataPolicy>,
}

#[derive(Debug, Deserialize, Clone, Copy)]
enum DecodingStrategy {
    Auto,
    Base64,
    #[serde(rename = "Base64URL")]
    Base64Url,
    None,
}

#[derive(Debug, Deserialize, Clone, Copy)]
enum ConversionStrategy {
    Default,
    Unicode,
}

#[derive(Debug, Deserialize, Clone, Copy)]
enum MetadataPolicy {
    None,
    Fetch,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct DataFromItem {
    extract: Option<RemoteRef>,
    find: Option<Find>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct Find {
    #[allow(dead_code)]
    path: Option<String>,
    #[allow(dead_code)]
    name: Option<FindName>,
    #[allow(dead_code)]
    tags: Option<BTreeMap<String, String>>,
    #[allow(dead_code)]
    conversion_strategy: Option<ConversionStrategy>,
    #[allow(dead_code)]
    decoding_strategy: Option<DecodingStrategy>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct FindName {
    #[allow(dead_code)]
    regexp: Option<String>,
}

fn check_external_secret(ctx: &mut Ctx<'_>, doc: &Value) {
    // Read in place; a document that does not fit goes through JSON, which
    // decides and words the error.
    let es = match crate::values::de::from_value::<ExternalSecret>(doc) {
        Ok(es) => es,
        Err(_) => {
            let json = to_json(doc);
            match ExternalSecret::deserialize(&json) {
                Ok(es) => es,
                Err(e) => {
                    let (path, problem) = locate_es_error(&json)
                        .unwrap_or_else(|| ("(document)".into(), e.to_string()));
                    ctx.bad(
                        path,
                        format!("does not fit the ExternalSecret schema: {problem}"),
                    );
                    return;
                }
            }
        }
    };
    let v1 = match es.api_version.as_str() {
        ESO_V1 => true,
        ESO_V1BETA1 => false,
        other => {
            ctx.bad(
                "apiVersion",
                format!(
                    "{other:?} is not an ExternalSecret API version ({ESO_V1} or {ESO_V1BETA1})"
                ),
            );
            return;
        }
    };

    // metadata
    check_name(ctx, "metadata.name", &es.metadata.name);
    if let Some(ns) = &es.metadata.namespace {
        check_namespace(ctx, "metadata.namespace", ns);
    }
    if let Some(labels) = &es.metadata.labels {
        check_labels(
            ctx,
            "metadata.labels",
            labels.iter().map(|(k, v)| (k, v.as_str())),
        );
    }
    if let Some(annotations) = &es.metadata.annotations {
        check_annotations(
            ctx,
            "metadata.annotations",
            annotations.iter().map(|(k, v)| (k, v.as_str())),
        );
    }

    let spec = &es.spec;
    if let Some(interval) = &spec.refresh_interval {
        if let Err(why) = check_go_duration(interval) {
            ctx.bad(
                "spec.refreshInterval",
                format!("{interval:?} is not a Go duration ({why})"),
            );
        }
    }

    // Where the data comes from.
    let data = spec.data.as_deref().unwrap_or_default();
    let data_from = spec.data_from.as_deref().unwrap_or_default();
    match &spec.secret_store_ref {
        Some(store) => match &store.name {
            Some(name) => check_store_name(ctx, "spec.secretStoreRef.name", name),
            None => ctx.bad(
                "spec.secretStoreRef.name",
                "missing: ESO needs the store's name",
            ),
        },
        None if !data.is_empty() || !data_from.is_empty() => ctx.bad(
            "spec.secretStoreRef",
            "missing: spec.data and spec.dataFrom need a store to read from",
        ),
        None => {}
    }
    let mut fetched = BTreeSet::new();
    for (i, item) in data.iter().enumerate() {
        let path = format!("spec.data[{i}]");
        let key = &item.secret_key;
        if key.is_empty()
            || key.len() > 253
            || !key
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_'))
        {
            ctx.refused(
                format!("{path}.secretKey"),
                format!("{key:?} does not match ^[-._a-zA-Z0-9]+$ with 1 to 253 characters"),
            );
        }
        if !fetched.insert(key.as_str()) {
            ctx.bad(
                format!("{path}.secretKey"),
                format!("{key:?} appears more than once in spec.data"),
            );
        }
        if item.remote_ref.key.is_empty() {
            ctx.bad(format!("{path}.remoteRef.key"), "must not be empty");
        }
    }
    for (i, item) in data_from.iter().enumerate() {
        let path = format!("spec.dataFrom[{i}]");
        match (&item.extract, &item.find) {
            (None, None) => ctx.bad(&path, "needs extract or find"),
            (Some(extract), _) if extract.key.is_empty() => {
                ctx.bad(format!("{path}.extract.key"), "must not be empty")
            }
            _ => {}
        }
    }

    // target
    let Some(target) = &spec.target else { return };
    if let Some(name) = &target.name {
        check_name(ctx, "spec.target.name", name);
    }
    let creation = target.creation_policy.unwrap_or(CreationPolicy::Owner);
    let deletion = target.deletion_policy.unwrap_or(DeletionPolicy::Retain);
    if creation == CreationPolicy::CreateOrMerge && !v1 {
        ctx.bad(
            "spec.target.creationPolicy",
            format!("CreateOrMerge is not available in {ESO_V1BETA1}"),
        );
    }
    match (deletion, creation) {
        (DeletionPolicy::Delete, CreationPolicy::Merge | CreationPolicy::None | CreationPolicy::CreateOrMerge) => ctx.bad(
            "spec.target.deletionPolicy",
            format!("Delete must not be used with creationPolicy {creation:?}: ESO does not own that Secret"),
        ),
        (DeletionPolicy::Merge, CreationPolicy::None) => ctx.bad(
            "spec.target.deletionPolicy",
            "Merge must not be used with creationPolicy None: there is no Secret to merge with",
        ),
        _ => {}
    }
    let Some(template) = &target.template else {
        return;
    };
    for (key, text) in template.data.iter().flatten() {
        let path = child("spec.target.template.data", key);
        if let Some(problem) = data_key_problem(key) {
            ctx.bad(&path, problem);
        }
        // A template referencing a key that is not fetched fails in ESO.
        if data_from.is_empty() {
            if let Some(referenced) = simple_reference(text) {
                if !fetched.contains(referenced.as_str()) {
                    ctx.bad(
                        &path,
                        format!("references {referenced:?}, which spec.data does not fetch"),
                    );
                }
            }
        }
    }
}

/// `secretStoreRef.name`: 1 to 253 characters matching the CRD's DNS-1123
/// subdomain pattern.
fn check_store_name(ctx: &mut Ctx<'_>, path: &str, name: &str) {
    if !is_dns1123_subdomain(name) {
        ctx.refused(
            path,
            format!(
                "{name:?} does not match the CRD's pattern for a store name (a DNS-1123 subdomain of 1 to 253 \
                 characters)"
            ),
        );
    }
}

/// The key an ESO template of the exact forms difyx writes refers to:
/// `{{ .KEY }}` or `{{ index . "key" }}` (Go string escapes `\"`, `\\`).
fn simple_reference(text: &str) -> Option<String> {
    let inner = text.strip_prefix("{{ ")?.strip_suffix(" }}")?;
    if let Some(ident) = inner.strip_prefix('.') {
        let ok = ident
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
            && ident.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
        return ok.then(|| ident.to_owned());
    }
    let quoted = inner.strip_prefix("index . \"")?.strip_suffix('"')?;
    let mut out = String::new();
    let mut chars = quoted.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => match chars.next()? {
                c @ ('"' | '\\') => out.push(c),
                _ => return None,
            },
            '"' => return None,
            c => out.push(c),
        }
    }
    Some(out)
}

/// Where a document that does not fit [`ExternalSecret`] goes wrong: the
/// deepest part that fails on its own, and serde's message for it.
fn locate_es_error(json: &Json) -> Option<(String, String)> {
    fn probe<T: DeserializeOwned>(path: String, v: Option<&Json>) -> Option<(String, String)> {
        let err = serde_json::from_value::<T>(v?.clone()).err()?;
        Some((path, err.to_string()))
    }
    let spec = json.get("spec");
    if let Some(Json::Array(items)) = spec.and_then(|s| s.get("data")) {
        for (i, item) in items.iter().enumerate() {
            let found =
                probe::<RemoteRef>(format!("spec.data[{i}].remoteRef"), item.get("remoteRef"))
                    .or_else(|| probe::<DataItem>(format!("spec.data[{i}]"), Some(item)));
            if found.is_some() {
                return found;
            }
        }
    }
    if let Some(Json::Array(items)) = spec.and_then(|s| s.get("dataFrom")) {
        for (i, item) in items.iter().enumerate() {
            let found =
                probe::<RemoteRef>(format!("spec.dataFrom[{i}].extract"), item.get("extract"))
                    .or_else(|| probe::<Find>(format!("spec.dataFrom[{i}].find"), item.get("find")))
                    .or_else(|| probe::<DataFromItem>(format!("spec.dataFrom[{i}]"), Some(item)));
            if found.is_some() {
                return found;
            }
        }
    }
    let target = spec.and_then(|s| s.get("target"));
    probe::<Template>(
        "spec.target.template".into(),
        target.and_then(|t| t.get("template")),
    )
    .or_else(|| probe::<Target>("spec.target".into(), target))
    .or_else(|| {
        probe::<SecretStoreRef>(
            "spec.secretStoreRef".into(),
            spec.and_then(|s| s.get("secretStoreRef")),
        )
    })
    .or_else(|| probe::<EsSpec>("spec".into(), spec))
    .or_else(|| probe::<EsMetadata>("metadata".into(), json.get("metadata")))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::values::yaml::parse_document;

    fn manifest(text: &str) -> Manifest {
        let doc = parse_document(text, "test").expect("test document parses");
        let kind = doc
            .lookup(["kind"])
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_owned();
        let name = doc
            .lookup(["metadata", "name"])
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_owned();
        Manifest {
            template: "templates/t.yaml".into(),
            source: "c/templates/t.yaml".into(),
            kind,
            name,
            body: text.to_owned(),
            trailing: String::new(),
            doc,
        }
    }

    /// The violations of one document, as `path: problem` lines.
    fn violations(text: &str) -> Vec<(String, String)> {
        match validate(&[manifest(text)]) {
            Ok(_) => Vec::new(),
            Err(e) => e
                .violations
                .into_iter()
                .map(|v| (v.path, v.problem))
                .collect(),
        }
    }

    /// The warnings of one document (values the API server will refuse).
    fn assert_refused(text: &str, path: &str, needle: &str) {
        let warnings =
            validate(&[manifest(text)]).expect("refused values are warnings, not violations");
        assert!(
            warnings.iter().any(|w| w.contains(path)
                && w.contains(needle)
                && w.contains("the API server will refuse")),
            "expected a warning at {path} containing {needle:?}, got {warnings:#?}\n{text}"
        );
    }

    fn assert_ok(text: &str) {
        let v = violations(text);
        assert!(v.is_empty(), "expected no violations, got {v:#?}\n{text}");
    }

    /// Asserts one violation or more, one of them at `path` mentioning `word`.
    fn assert_bad(text: &str, path: &str, word: &str) {
        let v = violations(text);
        assert!(
            v.iter().any(|(p, m)| p == path && m.contains(word)),
            "expected a violation at {path} mentioning {word:?}, got {v:#?}\n{text}"
        );
    }

    const SECRET: &str = "apiVersion: v1\nkind: Secret\nmetadata:\n  name: dify-api\ntype: Opaque\ndata:\n  SECRET_KEY: \"c2VjcmV0\"\n  EMPTY: \"\"\n";

    /// A Secret with one line replaced (`from` must occur in [`SECRET`]).
    fn secret_with(from: &str, to: &str) -> String {
        assert!(SECRET.contains(from), "{from}");
        SECRET.replacen(from, to, 1)
    }

    const ES: &str = r#"apiVersion: external-secrets.io/v1
kind: ExternalSecret
metadata:
  name: dify-postgresql
  namespace: dify
  labels:
    helm.sh/chart: dify-0.27.0
    app.kubernetes.io/name: dify
    app.kubernetes.io/version: "1.6.0"
spec:
  refreshInterval: 15m
  secretStoreRef:
    name: vault-backend
    kind: SecretStore
  target:
    name: dify-postgresql
    creationPolicy: Owner
    template:
      type: Opaque
      data:
        SECRET_KEY: "{{ .SECRET_KEY }}"
        postgres-password: "{{ index . \"postgres-password\" }}"
  data:
    - secretKey: SECRET_KEY
      remoteRef:
        key: dify/api
        property: secret_key
    - secretKey: postgres-password
      remoteRef:
        key: dify/postgresql
"#;

    /// The document with its SECRET_KEY template line dropped: a renamed
    /// `spec.data` key is then fetched but not templated, as a
    /// postgresql/redis extra key is.
    fn without_template_ref(doc: String) -> String {
        doc.replace("        SECRET_KEY: \"{{ .SECRET_KEY }}\"\n", "")
    }

    fn es_with(from: &str, to: &str) -> String {
        assert!(ES.contains(from), "{from}");
        ES.replacen(from, to, 1)
    }

    #[test]
    fn well_formed_documents_pass() {
        assert_ok(SECRET);
        assert_ok(ES);
        assert_ok(&es_with(
            "external-secrets.io/v1\n",
            "external-secrets.io/v1beta1\n",
        ));
        assert_ok("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: Whatever_Other_Kinds\nanything: [1, 2]\n");
    }

    #[test]
    fn secrets_and_external_secrets_need_api_version_kind_and_name() {
        for kind in ["Secret", "ExternalSecret"] {
            assert_bad(
                &format!("kind: {kind}\nmetadata: {{name: x}}\n"),
                "apiVersion",
                "missing",
            );
            assert_bad(
                &format!("apiVersion: 1\nkind: {kind}\nmetadata: {{name: x}}\n"),
                "apiVersion",
                "expected a string",
            );
            assert_bad(
                &format!("apiVersion: v1\nkind: {kind}\n"),
                "metadata",
                "missing",
            );
            assert_bad(
                &format!("apiVersion: v1\nkind: {kind}\nmetadata: {{name: 5}}\n"),
                "metadata.name",
                "expected a string",
            );
            assert_bad(
                &format!("apiVersion: v1\nkind: {kind}\nmetadata: {{name: ''}}\n"),
                "metadata.name",
                "empty",
            );
        }
        assert_bad("- a\n", "(document)", "mapping");
    }

    /// Other kinds, from a chart directory, are left to the chart (as Helm does).
    #[test]
    fn other_kinds_are_not_checked() {
        assert_ok("kind: ValuesProbe\nx: 1\n");
        assert_ok("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: Not_A_Name}\n");
    }

    #[test]
    fn secret_api_version_and_unknown_fields() {
        assert_bad(
            &secret_with("apiVersion: v1", "apiVersion: v2"),
            "apiVersion",
            "\"v1\"",
        );
        assert_bad(&format!("{SECRET}extra: 1\n"), "extra", "unknown field");
        assert_bad(
            &secret_with("  name: dify-api\n", "  name: dify-api\n  colour: red\n"),
            "metadata.colour",
            "unknown",
        );
        assert_ok(&format!(
            "{SECRET}immutable: true\nstringData:\n  PLAIN: text\n"
        ));
        assert_bad(
            &format!("{SECRET}immutable: 'yes'\n"),
            "immutable",
            "boolean",
        );
    }

    #[test]
    fn secret_name_and_namespace() {
        assert_bad(
            &secret_with("name: dify-api", "name: Dify-API"),
            "metadata.name",
            "DNS-1123",
        );
        assert_bad(
            &secret_with("name: dify-api", &format!("name: {}", "a".repeat(254))),
            "metadata.name",
            "DNS-1123",
        );
        assert_ok(&secret_with(
            "name: dify-api",
            &format!("name: {}", "a".repeat(253)),
        ));
        assert_ok(&secret_with(
            "  name: dify-api\n",
            "  name: dify-api\n  namespace: dify\n",
        ));
        assert_bad(
            &secret_with("  name: dify-api\n", "  name: dify-api\n  namespace: a.b\n"),
            "metadata.namespace",
            "DNS-1123 label",
        );
    }

    #[test]
    fn secret_data_keys() {
        assert_ok(&secret_with("SECRET_KEY:", "a-b.c_D9:"));
        assert_bad(
            &secret_with("SECRET_KEY:", "\"a b\":"),
            "data[\"a b\"]",
            "not a valid data key",
        );
        assert_bad(
            &secret_with("SECRET_KEY:", "a/b:"),
            "data[\"a/b\"]",
            "not a valid data key",
        );
        assert_bad(
            &secret_with("SECRET_KEY:", "\"..a\":"),
            "data[\"..a\"]",
            "'..'",
        );
        assert_bad(&secret_with("SECRET_KEY:", "\".\":"), "data[\".\"]", "'.'");
        assert_bad(
            &secret_with("SECRET_KEY:", &format!("{}:", "k".repeat(254))),
            &format!("data.{}", "k".repeat(254)),
            "253",
        );
    }

    #[test]
    fn secret_data_values_are_standard_base64() {
        assert_bad(
            &secret_with("\"c2VjcmV0\"", "\"not base64!\""),
            "data.SECRET_KEY",
            "base64",
        );
        assert_bad(
            &secret_with("\"c2VjcmV0\"", "\"c2VjcmV0\\n\""),
            "data.SECRET_KEY",
            "base64",
        );
        // URL-safe alphabet and missing padding are not standard base64.
        assert_bad(
            &secret_with("\"c2VjcmV0\"", "\"-_-_\""),
            "data.SECRET_KEY",
            "base64",
        );
        assert_bad(
            &secret_with("\"c2VjcmV0\"", "\"YQ\""),
            "data.SECRET_KEY",
            "base64",
        );
        assert_bad(
            &secret_with("\"c2VjcmV0\"", "5"),
            "data.SECRET_KEY",
            "expected a base64 string",
        );
        assert_bad(
            &secret_with("\"c2VjcmV0\"", "null"),
            "data.SECRET_KEY",
            "got null",
        );
        assert_bad(
            &secret_with("\ndata:\n", "\ndata: [a]\nx:\n"),
            "data",
            "mapping",
        );
        assert_ok(&secret_with("\"c2VjcmV0\"", "\"YQ==\""));
    }

    #[test]
    fn secret_type_and_size() {
        assert_bad(
            &secret_with("type: Opaque", "type: 5"),
            "type",
            "expected a string",
        );
        assert_bad(
            &secret_with("type: Opaque", "type: kubernetes.io/tls"),
            "data",
            "tls.crt",
        );
        let big =
            base64::engine::general_purpose::STANDARD.encode(vec![b'x'; MAX_SECRET_BYTES + 1]);
        assert_bad(
            &secret_with("\"c2VjcmV0\"", &format!("\"{big}\"")),
            "data",
            "1048576",
        );
    }

    #[test]
    fn labels_and_annotations() {
        assert_bad(
            &es_with(
                "app.kubernetes.io/name: dify",
                "app.kubernetes.io/name: dify-",
            ),
            "metadata.labels[\"app.kubernetes.io/name\"]",
            "label value",
        );
        assert_bad(
            &es_with(
                "app.kubernetes.io/name: dify",
                &format!("app.kubernetes.io/name: {}", "a".repeat(64)),
            ),
            "metadata.labels[\"app.kubernetes.io/name\"]",
            "label value",
        );
        assert_bad(
            &es_with("helm.sh/chart:", "Bad_Prefix/chart:"),
            "metadata.labels[\"Bad_Prefix/chart\"]",
            "prefix",
        );
        assert_bad(
            &es_with("helm.sh/chart:", "a/b/c:"),
            "metadata.labels[\"a/b/c\"]",
            "one '/'",
        );
        assert_bad(
            &es_with("helm.sh/chart:", &format!("{}:", "n".repeat(64))),
            &format!("metadata.labels.{}", "n".repeat(64)),
            "not a valid key",
        );
        assert_ok(&es_with(
            "helm.sh/chart: dify-0.27.0",
            "helm.sh/chart: \"\"",
        ));
        assert_ok(&es_with(
            "  labels:\n",
            "  annotations:\n    example.com/note: \"any text: here\"\n  labels:\n",
        ));
        assert_bad(
            &es_with("  labels:\n", "  annotations:\n    \"-x\": z\n  labels:\n"),
            "metadata.annotations.-x",
            "annotation key",
        );
        assert_bad(
            &secret_with("  name: dify-api\n", "  name: dify-api\n  labels: {a: 5}\n"),
            "metadata.labels.a",
            "expected a string",
        );
    }

    #[test]
    fn external_secret_api_version_and_unknown_fields() {
        assert_bad(
            &es_with("external-secrets.io/v1\n", "external-secrets.io/v2\n"),
            "apiVersion",
            "not an ExternalSecret API version",
        );
        assert_bad(
            &format!("{ES}status: {{}}\n"),
            "(document)",
            "unknown field `status`",
        );
        assert_bad(
            &es_with("  namespace: dify\n", "  namespace: dify\n  uid: x\n"),
            "metadata",
            "unknown field `uid`",
        );
        assert_bad(
            &es_with(
                "  refreshInterval: 15m\n",
                "  refreshInterval: 15m\n  refreshPolicy: x\n",
            ),
            "spec",
            "unknown field `refreshPolicy`",
        );
        assert_bad(
            &es_with(
                "        property: secret_key\n",
                "        property: secret_key\n        extra: 1\n",
            ),
            "spec.data[0].remoteRef",
            "unknown field `extra`",
        );
        assert_bad(
            &es_with(
                "    creationPolicy: Owner\n",
                "    creationPolicy: Owner\n    immutable: true\n",
            ),
            "spec.target",
            "unknown field `immutable`",
        );
        assert_bad(
            &es_with(
                "      type: Opaque\n",
                "      type: Opaque\n      metadata: {}\n",
            ),
            "spec.target.template",
            "unknown field `metadata`",
        );
        assert_bad(
            &es_with(
                "    kind: SecretStore\n",
                "    kind: SecretStore\n    namespace: x\n",
            ),
            "spec.secretStoreRef",
            "unknown field",
        );
        // Optional fields of the model are accepted.
        assert_ok(&es_with(
            "        property: secret_key\n",
            "        property: secret_key\n        version: \"2\"\n        decodingStrategy: Base64URL\n        conversionStrategy: Unicode\n        metadataPolicy: Fetch\n",
        ));
        assert_ok(&es_with(
            "      type: Opaque\n",
            "      type: Opaque\n      engineVersion: v2\n      mergePolicy: Merge\n",
        ));
        assert_bad(
            &es_with(
                "        property: secret_key\n",
                "        property: secret_key\n        decodingStrategy: Hex\n",
            ),
            "spec.data[0].remoteRef",
            "unknown variant `Hex`",
        );
        assert_bad(
            &es_with(
                "      type: Opaque\n",
                "      type: Opaque\n      engineVersion: v1\n",
            ),
            "spec.target.template",
            "unknown variant `v1`",
        );
    }

    #[test]
    fn external_secret_metadata() {
        assert_bad(
            &es_with(
                "  name: dify-postgresql\n  namespace",
                "  name: Dify\n  namespace",
            ),
            "metadata.name",
            "DNS-1123",
        );
        assert_bad(
            &es_with("namespace: dify", "namespace: \"007.x\""),
            "metadata.namespace",
            "DNS-1123 label",
        );
        assert_bad(
            &es_with("namespace: dify", &format!("namespace: {}", "n".repeat(64))),
            "metadata.namespace",
            "DNS-1123 label",
        );
        assert_ok(&es_with("namespace: dify", "namespace: \"007\""));
        assert_bad(
            &es_with("namespace: dify", "namespace: 7"),
            "metadata",
            "invalid type",
        );
    }

    #[test]
    fn refresh_interval_is_a_go_duration_string() {
        for ok in ["1h", "\"0\"", "0s", "1h30m", "1.5h", "\"1µs\""] {
            assert_ok(&es_with(
                "refreshInterval: 15m",
                &format!("refreshInterval: {ok}"),
            ));
        }
        for bad in ["1d", "\"15 m\"", "\"\"", "1H"] {
            assert_bad(
                &es_with("refreshInterval: 15m", &format!("refreshInterval: {bad}")),
                "spec.refreshInterval",
                "Go duration",
            );
        }
        assert_bad(
            &es_with("refreshInterval: 15m", "refreshInterval: 300"),
            "spec",
            "invalid type",
        );
        assert_ok(&es_with("  refreshInterval: 15m\n", ""));
    }

    #[test]
    fn secret_store_ref() {
        assert_ok(&es_with("kind: SecretStore", "kind: ClusterSecretStore"));
        assert_bad(
            &es_with("kind: SecretStore", "kind: Vault"),
            "spec.secretStoreRef",
            "unknown variant `Vault`",
        );
        assert_bad(
            &es_with("kind: SecretStore", "kind: null\n    x: 1"),
            "spec.secretStoreRef",
            "unknown field",
        );
        for bad in ["\"\"", "Vault", "\"a b\"", "\"vault #c\"", "a..b", "-a"] {
            assert_refused(
                &es_with("name: vault-backend", &format!("name: {bad}")),
                "spec.secretStoreRef.name",
                "store name",
            );
        }
        assert_refused(
            &es_with("name: vault-backend", &format!("name: {}", "v".repeat(254))),
            "spec.secretStoreRef.name",
            "253",
        );
        assert_ok(&es_with(
            "name: vault-backend",
            &format!("name: {}", "v".repeat(253)),
        ));
        assert_bad(
            &es_with("    name: vault-backend\n", ""),
            "spec.secretStoreRef.name",
            "missing",
        );
        assert_bad(
            &es_with(
                "  secretStoreRef:\n    name: vault-backend\n    kind: SecretStore\n",
                "",
            ),
            "spec.secretStoreRef",
            "missing",
        );
    }

    #[test]
    fn target_policies() {
        for ok in ["Owner", "Orphan", "Merge", "None", "CreateOrMerge"] {
            assert_ok(&es_with(
                "creationPolicy: Owner",
                &format!("creationPolicy: {ok}"),
            ));
        }
        assert_bad(
            &es_with("creationPolicy: Owner", "creationPolicy: owner"),
            "spec.target",
            "unknown variant",
        );
        let with = |creation: &str, deletion: &str| {
            es_with(
                "    creationPolicy: Owner\n",
                &format!("    creationPolicy: {creation}\n    deletionPolicy: {deletion}\n"),
            )
        };
        for (c, d) in [
            ("Owner", "Delete"),
            ("Owner", "Retain"),
            ("Owner", "Merge"),
            ("Orphan", "Delete"),
            ("Merge", "Merge"),
            ("Merge", "Retain"),
            ("None", "Retain"),
        ] {
            assert_ok(&with(c, d));
        }
        for c in ["Merge", "None", "CreateOrMerge"] {
            assert_bad(
                &with(c, "Delete"),
                "spec.target.deletionPolicy",
                "Delete must not be used",
            );
        }
        assert_bad(
            &with("None", "Merge"),
            "spec.target.deletionPolicy",
            "Merge must not be used",
        );
        assert_bad(
            &with("Owner", "Keep"),
            "spec.target",
            "unknown variant `Keep`",
        );
        let beta = with("CreateOrMerge", "Retain")
            .replace("external-secrets.io/v1\n", "external-secrets.io/v1beta1\n");
        assert_bad(&beta, "spec.target.creationPolicy", "v1beta1");
        assert_bad(
            &es_with(
                "  target:\n    name: dify-postgresql\n",
                "  target:\n    name: Dify_PG\n",
            ),
            "spec.target.name",
            "DNS-1123",
        );
    }

    #[test]
    fn spec_data_entries() {
        assert_refused(
            &without_template_ref(es_with("secretKey: SECRET_KEY", "secretKey: \"a b\"")),
            "spec.data[0].secretKey",
            "^[-._a-zA-Z0-9]+$",
        );
        assert_refused(
            &without_template_ref(es_with("secretKey: SECRET_KEY", "secretKey: \"\"")),
            "spec.data[0].secretKey",
            "1 to 253",
        );
        assert_refused(
            &without_template_ref(es_with(
                "secretKey: SECRET_KEY",
                &format!("secretKey: {}", "k".repeat(254)),
            )),
            "spec.data[0].secretKey",
            "1 to 253",
        );
        assert_refused(
            &without_template_ref(es_with("secretKey: SECRET_KEY", "secretKey: \"on\\nx\"")),
            "spec.data[0].secretKey",
            "^[-._a-zA-Z0-9]+$",
        );
        assert_bad(
            &es_with("secretKey: postgres-password", "secretKey: SECRET_KEY"),
            "spec.data[1].secretKey",
            "more than once",
        );
        assert_bad(
            &es_with("key: dify/postgresql", "key: \"\""),
            "spec.data[1].remoteRef.key",
            "must not be empty",
        );
        assert_bad(
            &es_with("        key: dify/postgresql\n", "        property: x\n"),
            "spec.data[1].remoteRef",
            "missing field `key`",
        );
        assert_bad(
            &es_with("key: dify/postgresql", "key: null"),
            "spec.data[1].remoteRef",
            "invalid type: null",
        );
        assert_bad(
            &es_with("key: dify/postgresql", "key: 12345"),
            "spec.data[1].remoteRef",
            "invalid type",
        );
        assert_bad(
            &es_with(
                "    - secretKey: postgres-password\n",
                "    - remoteRef: {key: a}\n      secretKey: postgres-password\n      x: 1\n",
            ),
            "spec.data[1]",
            "unknown field",
        );
        assert_ok(&es_with(
            "        property: secret_key\n",
            "        property: null\n",
        ));
        assert_ok(&es_with(
            "        key: dify/api\n",
            "        key: \"a: b # c\\n---\"\n",
        ));
    }

    #[test]
    fn null_data_and_template_data_are_accepted() {
        let empty = ES[..ES.find("      data:\n").unwrap()].to_owned() + "      data:\n  data:\n";
        assert_ok(&empty);
        let empty_lists =
            ES[..ES.find("      data:\n").unwrap()].to_owned() + "      data: {}\n  data: []\n";
        assert_ok(&empty_lists);
    }

    #[test]
    fn template_data_values_are_strings_referencing_fetched_keys() {
        assert_bad(
            &es_with("SECRET_KEY: \"{{ .SECRET_KEY }}\"", "SECRET_KEY: 5"),
            "spec.target.template",
            "invalid type",
        );
        assert_bad(
            &es_with("SECRET_KEY: \"{{ .SECRET_KEY }}\"", "SECRET_KEY: null"),
            "spec.target.template",
            "invalid type: null",
        );
        assert_bad(
            &es_with(
                "SECRET_KEY: \"{{ .SECRET_KEY }}\"",
                "SECRET_KEY: \"{{ .OTHER }}\"",
            ),
            "spec.target.template.data.SECRET_KEY",
            "\"OTHER\"",
        );
        assert_bad(
            &es_with(
                "postgres-password: \"{{ index . \\\"postgres-password\\\" }}\"",
                "postgres-password: \"{{ index . \\\"replication-password\\\" }}\"",
            ),
            "spec.target.template.data.postgres-password",
            "\"replication-password\"",
        );
        assert_bad(
            &es_with("        SECRET_KEY: \"{{", "        \"a b\": \"{{"),
            "spec.target.template.data[\"a b\"]",
            "not a valid data key",
        );
        // Templates of other forms are ESO's business.
        assert_ok(&es_with(
            "SECRET_KEY: \"{{ .SECRET_KEY }}\"",
            "SECRET_KEY: \"prefix-{{ .SECRET_KEY | upper }}\"",
        ));
        assert_eq!(
            simple_reference("{{ index . \"a\\\"b\\\\c\" }}").as_deref(),
            Some("a\"b\\c")
        );
        assert_eq!(simple_reference("{{ .A_1 }}").as_deref(), Some("A_1"));
        assert_eq!(simple_reference("{{ .1A }}"), None);
        assert_eq!(simple_reference("{{ index . \"a\"b\" }}"), None);
    }

    #[test]
    fn data_from_entries() {
        let with = |item: &str| format!("{ES}  dataFrom:\n    - {item}\n");
        assert_ok(&with("extract: {key: dify/all}"));
        assert_ok(&with(
            "find: {path: dify, name: {regexp: \".*\"}, tags: {env: prod}}",
        ));
        assert_bad(&with("{}"), "spec.dataFrom[0]", "needs extract or find");
        assert_bad(
            &with("extract: {key: ''}"),
            "spec.dataFrom[0].extract.key",
            "must not be empty",
        );
        assert_bad(
            &with("rewrite: []"),
            "spec.dataFrom[0]",
            "unknown field `rewrite`",
        );
        assert_bad(
            &with("find: {path: 5}"),
            "spec.dataFrom[0].find",
            "invalid type",
        );
        // With dataFrom, template.data may use keys that spec.data does not list.
        let es = with("extract: {key: dify/all}")
            .replace("\"{{ .SECRET_KEY }}\"", "\"{{ .FROM_DATA_FROM }}\"");
        assert_ok(&es);
    }

    #[test]
    fn error_message_blames_the_chart_and_lists_every_violation() {
        let bad_namespace = ES.replace("namespace: dify", "namespace: \"a.b\"");
        let bad_kind = es_with("kind: SecretStore", "kind: \"Vault\\nX\"");
        let err = validate(&[
            manifest(&bad_namespace),
            manifest(SECRET),
            manifest(&bad_kind),
        ])
        .unwrap_err();
        assert_eq!(err.violations.len(), 2, "{err}");
        let text = err.to_string();
        let first = text.lines().next().unwrap();
        assert!(first.starts_with("internal error:"), "{text}");
        assert!(
            first.contains("bug in the chart, not in your values"),
            "{text}"
        );
        let lines: Vec<&str> = text.lines().skip(1).collect();
        assert_eq!(lines.len(), 2, "{text}");
        assert!(lines[0].starts_with("  c/templates/t.yaml (ExternalSecret/dify-postgresql): metadata.namespace: \"a.b\""), "{text}");
        assert!(
            lines[1].contains("spec.secretStoreRef") && lines[1].contains("Vault\\nX"),
            "{text}"
        );
    }

    #[test]
    fn every_violation_is_one_line() {
        assert_eq!(one_line("a\nb\u{2028}c\u{85}"), "a\\nb\\u{2028}c\\u{85}");
        let bad = es_with("kind: SecretStore", "kind: \"Vault\\nX\"");
        let err = validate(&[manifest(&bad)]).unwrap_err();
        assert_eq!(err.to_string().lines().count(), 2, "{err}");
    }

    #[test]
    fn json_conversion_makes_integral_floats_integers() {
        assert_eq!(to_json(&Value::Float(3.0)), serde_json::json!(3));
        assert_eq!(to_json(&Value::Float(-0.0)), serde_json::json!(0));
        assert_eq!(to_json(&Value::Float(1.5)), serde_json::json!(1.5));
        assert_eq!(to_json(&Value::Int(-7)), serde_json::json!(-7));
        assert!(to_json(&Value::Float(3.0)).is_i64());
    }

    /// Every golden case of `../shared/conformance` that renders gives
    /// documents without a single violation.
    #[test]
    fn every_conformance_case_validates() {
        use crate::chart::Chart;
        use crate::engine::Release;
        use crate::pipeline::{self, Options, UserValues};

        let shared = std::env::var_os("DIFYX_SHARED")
            .map(std::path::PathBuf::from)
            .unwrap_or_else(|| std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared"));
        let dir = shared.join("conformance");
        let mut cases: Vec<_> = std::fs::read_dir(&dir)
            .unwrap_or_else(|e| panic!("cannot read {}: {e}", dir.display()))
            .filter_map(Result::ok)
            .map(|e| e.path())
            .filter(|p| p.join("values.yaml").exists())
            .collect();
        cases.sort();
        assert!(
            cases.len() >= 13,
            "expected the 13 golden cases, found {}",
            cases.len()
        );
        let chart = Chart::dify("0.27.0");
        let mut rendered = 0;
        for case in cases {
            let name = case.file_name().unwrap().to_string_lossy().into_owned();
            let args = std::fs::read_to_string(case.join("args")).unwrap();
            let words: Vec<&str> = args.split_whitespace().collect();
            let mut release = None;
            let mut namespace = "default".to_owned();
            let mut i = 0;
            while i < words.len() {
                match words[i] {
                    "-n" | "--namespace" => {
                        namespace = words[i + 1].to_owned();
                        i += 1;
                    }
                    w if !w.starts_with('-') => release = Some(w.to_owned()),
                    w => panic!("{name}: unexpected argument {w}"),
                }
                i += 1;
            }
            let text = std::fs::read_to_string(case.join("values.yaml")).unwrap();
            let user = UserValues::file("values.yaml", text);
            let opts = Options::new(Release::install(
                release.unwrap_or_else(|| crate::release::DEFAULT_NAME.to_owned()),
                namespace,
            ));
            let expect_error = std::fs::read_to_string(case.join("expect.yaml"))
                .is_ok_and(|t| t.contains("mode: error"));
            match pipeline::template(&chart, &user, &opts) {
                Ok(out) => {
                    assert!(!expect_error, "{name}: expected an error");
                    assert!(!out.manifests.is_empty(), "{name}: no documents");
                    if let Err(e) = validate(&out.manifests) {
                        panic!("{name}: {e}");
                    }
                    for m in &out.manifests {
                        read_alike(&m.doc, &m.kind);
                    }
                    rendered += 1;
                }
                Err(e) => assert!(expect_error, "{name}: {e}"),
            }
        }
        assert!(rendered >= 12, "only {rendered} cases rendered");
    }

    /// The document reads the same in place (`values::de`) as through JSON.
    fn read_alike(doc: &Value, kind: &str) {
        let json = to_json(doc);
        match kind {
            "ExternalSecret" => {
                let direct = crate::values::de::from_value::<ExternalSecret>(doc).unwrap();
                let via_json = ExternalSecret::deserialize(&json).unwrap();
                assert_eq!(format!("{direct:?}"), format!("{via_json:?}"));
            }
            "Secret" => {
                type Secret = k8s_openapi::api::core::v1::Secret;
                let direct = crate::values::de::from_value::<Secret>(doc).unwrap();
                assert_eq!(direct, serde_json::from_value::<Secret>(json).unwrap());
            }
            other => panic!("unexpected kind {other}"),
        }
    }
}
