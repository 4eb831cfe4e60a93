//! `difyx resolve` (issue 6): the Kubernetes Secrets a release will have once
//! the External Secrets Operator has synced, computed offline from store files.
//!
//! The release is rendered as `difyx template` renders it; then
//!
//! * each plain `Secret` is printed as rendered;
//! * each `ExternalSecret` is replaced by the Secret ESO would write: every
//!   `spec.data[]` entry is fetched from the store ([`store`]), every
//!   `target.template.data` value is evaluated as an ESO v2 Go template over
//!   the fetched values ([`esotemplate`]), and the result follows ESO's
//!   `applyTemplate`: `type` from `target.template.type` (default `Opaque`);
//!   with the default `mergePolicy: Replace` the templated keys are the data;
//!   with no templated keys (or no template) the fetched keys are. The Secret
//!   keeps the ExternalSecret's `# Source:` and names it in the annotation
//!   [`ANNOTATION`];
//! * every `remoteRef` that the store cannot satisfy is collected and they
//!   are all reported in one error, naming the ExternalSecret, the secretKey,
//!   the remote key and the property — ESO's sync failures, ahead of time;
//! * warnings: store keys no ExternalSecret reads (least privilege), and keys
//!   the plaintext Secret would hold (the same values rendered with
//!   `externalSecret.enabled=false`) that no ExternalSecret provides.
//!
//! No message ever holds a secret value: only names, keys and types.

pub mod esotemplate;
pub mod store;

use std::collections::{BTreeMap, BTreeSet};

use anyhow::{bail, Result};
use base64::Engine as _;

use crate::chart::Chart;
use crate::command::Outcome;
use crate::engine::scalar::{double_quoted, yaml_string};
use crate::manifests::{self, Manifest};
use crate::pipeline::{self, Options, UserValues};
use crate::values::strvals::SetKind;
use crate::values::yaml::parse_document;
use crate::values::Value;

use store::{Store, StoreFile};

/// The annotation on each resolved Secret naming the ExternalSecret it came from.
pub const ANNOTATION: &str = "difyx.io/resolved-from";

/// `difyx resolve`: the release `chart`, `user` and `opts` give, with
/// each ExternalSecret replaced by the Secret ESO would write from the
/// store `files`. Findings go to `warnings`; with `strict` they are an
/// error instead.
pub fn run(
    chart: &Chart,
    user: &UserValues,
    opts: &Options,
    files: &[StoreFile],
    strict: bool,
    warnings: &mut Vec<String>,
) -> Result<Outcome> {
    let store = Store::from_files(files)?;
    let out = pipeline::template(chart, user, opts)?;

    let mut found = out.warnings;
    let resolution = resolve(&out.manifests, &store);
    found.extend(resolution.warnings.iter().cloned());
    let (values, _) = pipeline::compute_values(chart, user, true)?;
    found.extend(missing_existing_secrets(
        &Value::Map(values),
        &resolution.manifests,
    ));

    if resolution.external_secrets == 0 {
        found.push(format!(
            "no ExternalSecret renders for these values (is externalSecret.enabled true?): the output is the \
             chart's plain Secrets, and none of the {} store key(s) is read",
            store.len()
        ));
    } else {
        let mut plain_user = user.clone();
        plain_user
            .sets
            .push((SetKind::Set, "externalSecret.enabled=false".to_owned()));
        match pipeline::template(chart, &plain_user, opts) {
            Ok(plain) if plain.manifests.iter().any(|m| m.kind == "ExternalSecret") => found.push(
                "cannot compare with the plaintext Secrets: ExternalSecrets still render with \
                 --set externalSecret.enabled=false (is it set with --set-string, --set-file or --set-literal?)"
                    .to_owned(),
            ),
            Ok(plain) => found.extend(gaps(&out.manifests, &plain.manifests)),
            Err(e) => found.push(format!("cannot render the plaintext Secrets to compare with: {e}")),
        }
        found.extend(unused_keys(&out.manifests, &store));
    }

    if !resolution.failures.is_empty() {
        warnings.extend(found);
        let n = resolution.failures.len();
        let mut msg = format!(
            "cannot resolve {n} ExternalSecret value(s):\n  {}",
            resolution.failures.join("\n  ")
        );
        if resolution.store_failures > 0 {
            msg.push_str(
                "\nESO would report each missing remote key or property as a sync failure (SecretSyncedError) \
                 and create no Secret for that ExternalSecret: add them to the store or fix the remoteRefs.",
            );
        }
        bail!(msg);
    }
    if strict && !found.is_empty() {
        return Err(pipeline::Error::Strict(found).into());
    }
    warnings.extend(found);
    Ok(Outcome::ok(manifests::format_stream(&resolution.manifests)))
}

/// What [`resolve`] made of a render.
#[derive(Debug, Default)]
pub struct Resolution {
    /// The plain Secrets, then one Secret per resolved ExternalSecret.
    pub manifests: Vec<Manifest>,
    /// How many ExternalSecrets the render holds.
    pub external_secrets: usize,
    /// Everything that stops the resolution, one line each.
    pub failures: Vec<String>,
    /// How many of the failures are remote keys or properties missing from the store.
    pub store_failures: usize,
    pub warnings: Vec<String>,
}

/// One `spec.data[]` entry.
#[derive(Clone, Debug, PartialEq, Eq)]
struct DataRef {
    secret_key: String,
    key: String,
    property: Option<String>,
    decoding: Decoding,
}

/// ESO's `remoteRef.decodingStrategy`: what ESO does to a fetched value
/// before it reaches the template (ESO `utils.Decode`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Decoding {
    /// The value as fetched (the default).
    None,
    /// Go's `base64.StdEncoding` (padded); a value that is not is an error.
    Base64,
    /// Go's `base64.URLEncoding` (padded, `-` and `_`); likewise.
    Base64Url,
    /// `Base64`, else `Base64URL`, else the value as fetched; never an error.
    Auto,
}

impl Decoding {
    /// The strategy a CRD value names (`None`, `Base64`, `Base64URL`, `Auto`).
    pub fn parse(name: &str) -> Option<Decoding> {
        Some(match name {
            "None" => Decoding::None,
            "Base64" => Decoding::Base64,
            "Base64URL" => Decoding::Base64Url,
            "Auto" => Decoding::Auto,
            _ => return None,
        })
    }

    pub fn name(self) -> &'static str {
        match self {
            Decoding::None => "None",
            Decoding::Base64 => "Base64",
            Decoding::Base64Url => "Base64URL",
            Decoding::Auto => "Auto",
        }
    }

    /// The bytes ESO keeps for a fetched value, or why the decoding fails.
    pub fn apply(self, fetched: &str) -> Result<Vec<u8>, String> {
        use base64::alphabet;
        use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};
        // Go's decoders: padding required, non-zero trailing bits accepted
        // (only `Strict()` refuses them), and `\r` / `\n` skipped.
        let config = GeneralPurposeConfig::new()
            .with_decode_padding_mode(DecodePaddingMode::RequireCanonical)
            .with_decode_allow_trailing_bits(true);
        let go = |alphabet: &alphabet::Alphabet| {
            let cleaned: String = fetched
                .chars()
                .filter(|c| !matches!(c, '\r' | '\n'))
                .collect();
            GeneralPurpose::new(alphabet, config).decode(cleaned)
        };
        match self {
            Decoding::None => Ok(fetched.as_bytes().to_vec()),
            Decoding::Base64 => go(&alphabet::STANDARD).map_err(|_| {
                "decodingStrategy Base64: the value is not standard base64".to_owned()
            }),
            Decoding::Base64Url => go(&alphabet::URL_SAFE).map_err(|_| {
                "decodingStrategy Base64URL: the value is not URL-safe base64".to_owned()
            }),
            Decoding::Auto => Ok(go(&alphabet::STANDARD)
                .or_else(|_| go(&alphabet::URL_SAFE))
                .unwrap_or_else(|_| fetched.as_bytes().to_vec())),
        }
    }
}

/// What an ExternalSecret asks ESO to do, read from its manifest.
#[derive(Clone, Debug)]
struct ExternalSecret {
    name: String,
    namespace: Option<String>,
    target: String,
    secret_type: String,
    /// `target.template.data`; `None` when there is no `target.template`.
    template: Option<BTreeMap<String, String>>,
    merge: bool,
    data: Vec<DataRef>,
}

impl ExternalSecret {
    /// The keys the Secret will hold, whatever the store holds.
    fn provided_keys(&self) -> BTreeSet<&str> {
        let fetched = || self.data.iter().map(|d| d.secret_key.as_str());
        match &self.template {
            Some(t) if !t.is_empty() => {
                let mut keys: BTreeSet<&str> = t.keys().map(String::as_str).collect();
                if self.merge {
                    keys.extend(fetched());
                }
                keys
            }
            _ => fetched().collect(),
        }
    }
}

/// Reads an ExternalSecret manifest; what difyx cannot model is an error.
fn read_external_secret(m: &Manifest) -> Result<ExternalSecret, Vec<String>> {
    let doc = &m.doc;
    let name = m.name.clone();
    let mut problems = Vec::new();
    let mut problem =
        |what: String| problems.push(format!("ExternalSecret {}: {what}", yaml_string(&name)));
    let str_at = |path: &[&str]| {
        doc.lookup(path.iter().copied())
            .and_then(Value::as_str)
            .map(str::to_owned)
    };
    let present = |path: &[&str]| {
        doc.lookup(path.iter().copied())
            .is_some_and(|v| *v != Value::Null)
    };

    let namespace = str_at(&["metadata", "namespace"]);
    let target = str_at(&["spec", "target", "name"])
        .filter(|t| !t.is_empty())
        .unwrap_or_else(|| name.clone());
    if present(&["spec", "dataFrom"]) {
        problem("spec.dataFrom is not supported by difyx resolve".into());
    }
    let tpl = doc
        .lookup(["spec", "target", "template"])
        .filter(|v| **v != Value::Null);
    let mut template = None;
    let mut secret_type = "Opaque".to_owned();
    let mut merge = false;
    if let Some(tpl) = tpl {
        if let Some(t) = str_at(&["spec", "target", "template", "type"]).filter(|t| !t.is_empty()) {
            secret_type = t;
        }
        match str_at(&["spec", "target", "template", "engineVersion"]).as_deref() {
            None | Some("v2") => {}
            Some(other) => problem(format!(
                "target.template.engineVersion {} is not supported by difyx resolve (only v2)",
                yaml_string(other)
            )),
        }
        match str_at(&["spec", "target", "template", "mergePolicy"]).as_deref() {
            None | Some("Replace") => {}
            Some("Merge") => merge = true,
            Some(other) => problem(format!(
                "target.template.mergePolicy {} is not Replace or Merge",
                yaml_string(other)
            )),
        }
        for unsupported in ["templateFrom", "metadata"] {
            if tpl.lookup([unsupported]).is_some_and(|v| v.is_truthy()) {
                problem(format!(
                    "target.template.{unsupported} is not supported by difyx resolve"
                ));
            }
        }
        let mut data = BTreeMap::new();
        match tpl.lookup(["data"]) {
            None | Some(Value::Null) => {}
            Some(Value::Map(entries)) => {
                for (k, v) in entries {
                    match v {
                        Value::String(s) => {
                            data.insert(k.clone(), s.clone());
                        }
                        other => problem(format!(
                            "target.template.data.{k}: expected a string, got {}",
                            other.type_name()
                        )),
                    }
                }
            }
            Some(other) => problem(format!(
                "target.template.data: expected a mapping, got {}",
                other.type_name()
            )),
        }
        template = Some(data);
    }
    let mut data = Vec::new();
    match doc.lookup(["spec", "data"]) {
        None | Some(Value::Null) => {}
        Some(Value::List(entries)) => {
            for (i, entry) in entries.iter().enumerate() {
                match read_data_ref(entry) {
                    Ok(d) => data.push(d),
                    Err(why) => problem(format!("spec.data[{i}]: {why}")),
                }
            }
        }
        Some(other) => problem(format!(
            "spec.data: expected a list, got {}",
            other.type_name()
        )),
    }
    if problems.is_empty() {
        Ok(ExternalSecret {
            name,
            namespace,
            target,
            secret_type,
            template,
            merge,
            data,
        })
    } else {
        Err(problems)
    }
}

fn read_data_ref(entry: &Value) -> Result<DataRef, String> {
    let get = |k: &str| entry.lookup([k]);
    let secret_key = get("secretKey")
        .and_then(Value::as_str)
        .filter(|s| !s.is_empty())
        .ok_or("no secretKey")?;
    if get("sourceRef").is_some_and(Value::is_truthy) {
        return Err(format!(
            "secretKey {}: sourceRef is not supported by difyx resolve",
            yaml_string(secret_key)
        ));
    }
    let Some(Value::Map(r)) = get("remoteRef") else {
        return Err(format!(
            "secretKey {}: no remoteRef",
            yaml_string(secret_key)
        ));
    };
    let key = r
        .get("key")
        .and_then(Value::as_str)
        .filter(|s| !s.is_empty());
    let key =
        key.ok_or_else(|| format!("secretKey {}: no remoteRef.key", yaml_string(secret_key)))?;
    let property = match r.get("property") {
        None | Some(Value::Null) => None,
        Some(Value::String(p)) if p.is_empty() => None,
        Some(Value::String(p)) => Some(p.clone()),
        Some(other) => {
            return Err(format!(
                "secretKey {}: remoteRef.property: expected a string, got {}",
                yaml_string(secret_key),
                other.type_name()
            ))
        }
    };
    let mut decoding = Decoding::None;
    // decodingStrategy is applied; the other fields' defaults (the API
    // server fills them in) change nothing, and anything else would.
    for (field, value) in r {
        let default = match field.as_str() {
            "key" | "property" => continue,
            "decodingStrategy" => {
                match value.as_str().and_then(Decoding::parse) {
                    Some(d) => decoding = d,
                    None => {
                        return Err(format!(
                            "secretKey {}: remoteRef.decodingStrategy {} is not one of None, Base64, Base64URL, \
                             Auto (the ESO CRD refuses it)",
                            yaml_string(secret_key),
                            crate::values::gofmt::format_value(value)
                        ))
                    }
                }
                continue;
            }
            "conversionStrategy" => "Default",
            "metadataPolicy" => "None",
            _ => "",
        };
        if value.as_str() != Some(default) {
            return Err(format!(
                "secretKey {}: remoteRef.{field} is not supported by difyx resolve",
                yaml_string(secret_key)
            ));
        }
    }
    Ok(DataRef {
        secret_key: secret_key.to_owned(),
        key: key.to_owned(),
        property,
        decoding,
    })
}

/// Resolves every ExternalSecret of a render against the store.
pub fn resolve(rendered: &[Manifest], store: &Store) -> Resolution {
    let mut res = Resolution::default();
    res.manifests
        .extend(rendered.iter().filter(|m| m.kind == "Secret").cloned());
    let mut created_by: BTreeMap<String, String> = res
        .manifests
        .iter()
        .map(|m| (m.name.clone(), format!("the Secret from {}", m.source)))
        .collect();
    for m in rendered.iter().filter(|m| m.kind == "ExternalSecret") {
        res.external_secrets += 1;
        let es = match read_external_secret(m) {
            Ok(es) => es,
            Err(problems) => {
                res.failures.extend(problems);
                continue;
            }
        };
        let by = format!("ExternalSecret {}", es.name);
        if let Some(other) = created_by.insert(es.target.clone(), by.clone()) {
            res.warnings.push(format!(
                "Secret {} is written both by {other} and by {by}: they would overwrite each other",
                yaml_string(&es.target)
            ));
        }
        if let Some(secret) = resolve_one(m, &es, store, &mut res) {
            res.manifests.push(secret);
        }
    }
    res
}

/// The Secret one ExternalSecret makes, or `None` after recording failures.
fn resolve_one(
    m: &Manifest,
    es: &ExternalSecret,
    store: &Store,
    res: &mut Resolution,
) -> Option<Manifest> {
    let es_name = yaml_string(&es.name);
    let before = res.failures.len();
    let mut fetched = BTreeMap::new();
    for d in &es.data {
        match store.fetch(&d.key, d.property.as_deref()) {
            Ok(v) => match d.decoding.apply(&v) {
                Ok(bytes) => {
                    fetched.insert(d.secret_key.clone(), bytes);
                }
                Err(why) => {
                    let property = match &d.property {
                        Some(p) => format!(", property {}", yaml_string(p)),
                        None => " (no property)".to_owned(),
                    };
                    res.failures.push(format!(
                        "ExternalSecret {es_name}, secretKey {}: remote key {}{property}: {why} \
                         (ESO fails the sync)",
                        yaml_string(&d.secret_key),
                        yaml_string(&d.key),
                    ));
                }
            },
            Err(e) => {
                let property = match &d.property {
                    Some(p) => format!(", property {}", yaml_string(p)),
                    None => " (no property)".to_owned(),
                };
                res.failures.push(format!(
                    "ExternalSecret {es_name}, secretKey {}: remote key {}{property}: {}",
                    yaml_string(&d.secret_key),
                    yaml_string(&d.key),
                    e.reason()
                ));
                res.store_failures += 1;
            }
        }
    }
    // Parse every template even when a fetch failed: an unsupported one is
    // worth knowing about in the same run.
    let mut templates = Vec::new();
    for (key, src) in es.template.iter().flatten() {
        match esotemplate::parse(src) {
            Ok(t) => templates.push((key, t)),
            Err(e) => res.failures.push(format!(
                "ExternalSecret {es_name}: target.template.data.{key}: {e}"
            )),
        }
    }
    if res.failures.len() > before {
        return None;
    }
    let mut data: BTreeMap<String, Vec<u8>> = match &es.template {
        Some(t) if !t.is_empty() && !es.merge => BTreeMap::new(),
        _ => fetched.clone(),
    };
    // Go templates run over the bytes as strings; difyx's evaluator works
    // on text, so a decoded value that is not UTF-8 cannot feed a template.
    let text: BTreeMap<String, String> = fetched
        .iter()
        .filter_map(|(k, v)| Some((k.clone(), String::from_utf8(v.clone()).ok()?)))
        .collect();
    for (key, t) in templates {
        if let Some(binary) = t
            .references()
            .into_iter()
            .find(|r| fetched.contains_key(*r) && !text.contains_key(*r))
        {
            res.failures.push(format!(
                "ExternalSecret {es_name}: target.template.data.{key} reads {binary}, whose decoded value is \
                 not UTF-8 text: difyx resolve cannot evaluate the template over binary data"
            ));
            continue;
        }
        match t.execute(&text) {
            Ok(out) => {
                for absent in out.absent {
                    res.warnings.push(format!(
                        "ExternalSecret {es_name}: target.template.data.{key} reads index . {:?}, which no \
                         spec.data entry fetches: ESO writes an empty string there",
                        absent
                    ));
                }
                data.insert(key.clone(), out.text.into_bytes());
            }
            Err(e) => res.failures.push(format!(
                "ExternalSecret {es_name}: target.template.data.{key}: {e}"
            )),
        }
    }
    for key in data.keys().filter(|k| !is_secret_key(k)) {
        res.failures.push(format!(
            "ExternalSecret {es_name}: {} is not a valid Secret key ([-._a-zA-Z0-9]+, at most 253 characters): \
             the API server would reject the Secret",
            double_quoted(key)
        ));
    }
    if res.failures.len() > before {
        return None;
    }
    let body = secret_body(es, &data);
    let doc = parse_document(&body, &m.source).unwrap_or(Value::Null);
    Some(Manifest {
        template: m.template.clone(),
        source: m.source.clone(),
        kind: "Secret".to_owned(),
        name: es.target.clone(),
        body,
        trailing: String::new(),
        doc,
    })
}

/// Kubernetes' rule for Secret data keys.
fn is_secret_key(k: &str) -> bool {
    !k.is_empty()
        && k.len() <= 253
        && k.bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_'))
}

/// The Secret as YAML: keys sorted (as the API server returns them), values
/// base64-encoded as Kubernetes stores them.
fn secret_body(es: &ExternalSecret, data: &BTreeMap<String, Vec<u8>>) -> String {
    let mut out = String::from("apiVersion: v1\nkind: Secret\nmetadata:\n");
    out.push_str(&format!("  name: {}\n", yaml_string(&es.target)));
    if let Some(ns) = &es.namespace {
        out.push_str(&format!("  namespace: {}\n", yaml_string(ns)));
    }
    out.push_str(&format!(
        "  annotations:\n    {ANNOTATION}: {}\n",
        yaml_string(&format!("ExternalSecret/{}", es.name))
    ));
    out.push_str(&format!("type: {}\n", yaml_string(&es.secret_type)));
    if data.is_empty() {
        out.push_str("data: {}\n");
    } else {
        out.push_str("data:\n");
        for (k, v) in data {
            let encoded = base64::engine::general_purpose::STANDARD.encode(v);
            out.push_str(&format!(
                "  {}: {}\n",
                yaml_string(k),
                double_quoted(&encoded)
            ));
        }
    }
    out
}

/// The keys a plaintext Secret holds that no ExternalSecret targeting the
/// same Secret provides, as warnings: `<secret>/<KEY> exists in the
/// plaintext Secret but no ExternalSecret provides it`. `rendered` is the
/// render with ExternalSecrets, `plaintext` the same values rendered with
/// `externalSecret.enabled=false`.
pub fn gaps(rendered: &[Manifest], plaintext: &[Manifest]) -> Vec<String> {
    let mut provided: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    let mut order = Vec::new();
    for m in rendered.iter().filter(|m| m.kind == "ExternalSecret") {
        let Ok(es) = read_external_secret(m) else {
            continue;
        };
        if !provided.contains_key(&es.target) {
            order.push(es.target.clone());
        }
        provided
            .entry(es.target.clone())
            .or_default()
            .extend(es.provided_keys().into_iter().map(str::to_owned));
    }
    let mut out = Vec::new();
    for target in order {
        let keys = &provided[&target];
        for plain in plaintext
            .iter()
            .filter(|p| p.kind == "Secret" && p.name == target)
        {
            let mut plain_keys = BTreeSet::new();
            for field in ["data", "stringData"] {
                if let Some(Value::Map(d)) = plain.doc.lookup([field]) {
                    plain_keys.extend(d.keys());
                }
            }
            for k in plain_keys.into_iter().filter(|k| !keys.contains(*k)) {
                out.push(format!(
                    "{target}/{k} exists in the plaintext Secret but no ExternalSecret provides it"
                ));
            }
        }
    }
    out
}

/// The Secrets the built-in PostgreSQL and Redis subcharts are told to read
/// (`existingSecret`) that this release creates neither as a plain Secret
/// nor through an ExternalSecret, as warnings: the subchart waits for them.
pub fn missing_existing_secrets(values: &Value, secrets: &[Manifest]) -> Vec<String> {
    let on = |path: &[&str]| {
        values
            .lookup(path.iter().copied())
            .is_some_and(Value::is_truthy)
    };
    let checks = [
        (
            "PostgreSQL",
            on(&["postgresql", "enabled"]),
            &["postgresql", "global", "postgresql", "auth", "existingSecret"][..],
            "the postgresql ExternalSecret renders only with externalSecret.enabled, \
             externalSecret.postgresql.enabled and postgresql.enabled",
        ),
        (
            "Redis",
            on(&["redis", "enabled"]) && on(&["redis", "auth", "enabled"]),
            &["redis", "auth", "existingSecret"][..],
            "the redis ExternalSecret renders only with externalSecret.enabled, externalSecret.redis.enabled, \
             redis.auth.enabled and an empty redis.auth.password",
        ),
    ];
    let mut out = Vec::new();
    for (label, enabled, path, hint) in checks {
        let Some(name) = values.lookup(path.iter().copied()).and_then(Value::as_str) else {
            continue;
        };
        if !enabled || name.is_empty() || secrets.iter().any(|m| m.name == name) {
            continue;
        }
        out.push(format!(
            "{} names Secret {}, which this release creates neither as a plain Secret nor through an \
             ExternalSecret: it must exist before the {label} subchart starts ({hint})",
            path.join("."),
            yaml_string(name)
        ));
    }
    out
}

/// The store keys no ExternalSecret of the render reads, as warnings.
pub fn unused_keys(rendered: &[Manifest], store: &Store) -> Vec<String> {
    let read: BTreeSet<String> = rendered
        .iter()
        .filter(|m| m.kind == "ExternalSecret")
        .filter_map(|m| read_external_secret(m).ok())
        .flat_map(|es| es.data.into_iter().map(|d| d.key))
        .collect();
    store
        .keys()
        .filter(|(k, _)| !read.contains(*k))
        .map(|(k, origins)| {
            format!(
                "store key {} ({}) is read by no ExternalSecret of this release: least privilege says the \
                 SecretStore need not reach it",
                yaml_string(k),
                origins.join(", ")
            )
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::RenderedFile;

    const ES: &str = "\
apiVersion: external-secrets.io/v1
kind: ExternalSecret
metadata:
  name: rel-api
  namespace: ns
spec:
  target:
    name: rel-api
    template:
      type: Opaque
      data:
        SECRET_KEY: \"{{ .SECRET_KEY }}\"
        db-password: \"{{ index . \\\"db-password\\\" }}\"
  data:
    - secretKey: SECRET_KEY
      remoteRef: {key: dify/api, property: secret_key}
    - secretKey: db-password
      remoteRef: {key: dify/database, property: password}
";

    fn manifests(files: &[(&str, &str)]) -> Vec<Manifest> {
        let files: Vec<RenderedFile> = files
            .iter()
            .map(|(p, t)| RenderedFile {
                path: p.to_string(),
                text: t.to_string(),
            })
            .collect();
        let mut m = manifests::split("dify", &files).unwrap();
        manifests::sort_by_kind(&mut m);
        m
    }

    fn store(text: &str) -> Store {
        store::parse(text, "store.yaml").unwrap()
    }

    fn data_of(m: &Manifest) -> BTreeMap<String, String> {
        let Some(Value::Map(d)) = m.doc.lookup(["data"]) else {
            return BTreeMap::new();
        };
        d.iter()
            .map(|(k, v)| {
                let raw = base64::engine::general_purpose::STANDARD
                    .decode(v.as_str().unwrap())
                    .unwrap();
                (k.clone(), String::from_utf8(raw).unwrap())
            })
            .collect()
    }

    #[test]
    fn an_external_secret_becomes_the_secret_eso_writes() {
        let m = manifests(&[("templates/api-externalsecret.yaml", ES)]);
        let res = resolve(
            &m,
            &store("dify/api: {secret_key: k1}\ndify/database: {password: \"p:w\"}\n"),
        );
        assert!(res.failures.is_empty(), "{:?}", res.failures);
        assert_eq!(res.manifests.len(), 1);
        let s = &res.manifests[0];
        assert_eq!(
            s.body,
            "apiVersion: v1\nkind: Secret\nmetadata:\n  name: rel-api\n  namespace: ns\n  annotations:\n    \
             difyx.io/resolved-from: ExternalSecret/rel-api\ntype: Opaque\ndata:\n  SECRET_KEY: \"azE=\"\n  \
             db-password: \"cDp3\"\n"
        );
        assert_eq!(s.source, "dify/templates/api-externalsecret.yaml");
        assert_eq!((s.kind.as_str(), s.name.as_str()), ("Secret", "rel-api"));
        assert_eq!(
            data_of(s),
            [
                ("SECRET_KEY".into(), "k1".into()),
                ("db-password".into(), "p:w".into())
            ]
            .into()
        );
    }

    #[test]
    fn every_missing_value_is_listed() {
        let two = ES.replace("rel-api", "rel-worker");
        let m = manifests(&[
            ("templates/api-externalsecret.yaml", ES),
            ("templates/worker-externalsecret.yaml", &two),
        ]);
        let res = resolve(&m, &store("dify/database: {passwd: x}\n"));
        assert_eq!(
            res.failures,
            [
                "ExternalSecret rel-api, secretKey SECRET_KEY: remote key dify/api, property secret_key: the store has no such key",
                "ExternalSecret rel-api, secretKey db-password: remote key dify/database, property password: the key has no such property (did you mean passwd?)",
                "ExternalSecret rel-worker, secretKey SECRET_KEY: remote key dify/api, property secret_key: the store has no such key",
                "ExternalSecret rel-worker, secretKey db-password: remote key dify/database, property password: the key has no such property (did you mean passwd?)",
            ]
        );
        assert_eq!(res.store_failures, 4);
        assert!(res.manifests.is_empty());
    }

    #[test]
    fn eso_merge_rules() {
        // No template.data: the fetched keys are the Secret's (ESO's fallback),
        // a whole mapping as Go JSON; no template at all: the same.
        let no_tpl_data = "kind: ExternalSecret\nmetadata: {name: a}\nspec:\n  target: {name: t, template: {type: kubernetes.io/basic-auth, data: null}}\n  \
                           data:\n    - {secretKey: whole, remoteRef: {key: k}}\n";
        let no_tpl = "kind: ExternalSecret\nmetadata: {name: b}\nspec:\n  data:\n    - {secretKey: s, remoteRef: {key: k, property: p}}\n";
        // Replace keeps only templated keys; Merge adds the fetched ones.
        let replace = ES.replace("rel-api", "r").replace(
            "        db-password: \"{{ index . \\\"db-password\\\" }}\"\n",
            "",
        );
        let merge = replace.replace(
            "name: r\n    template:\n",
            "name: m\n    template:\n      mergePolicy: Merge\n",
        );
        let m = manifests(&[
            ("templates/a.yaml", no_tpl_data),
            ("templates/b.yaml", no_tpl),
            ("templates/c.yaml", &replace),
            ("templates/d.yaml", &merge),
        ]);
        let s = store(
            "k: {p: \"<&>\", q: v}\ndify/api: {secret_key: sk}\ndify/database: {password: pw}\n",
        );
        let res = resolve(&m, &s);
        assert!(res.failures.is_empty(), "{:?}", res.failures);
        let by_name: BTreeMap<&str, &Manifest> =
            res.manifests.iter().map(|m| (m.name.as_str(), m)).collect();
        assert_eq!(
            data_of(by_name["t"]),
            [(
                "whole".into(),
                r#"{"p":"\u003c\u0026\u003e","q":"v"}"#.into()
            )]
            .into()
        );
        assert!(by_name["t"]
            .body
            .contains("type: kubernetes.io/basic-auth\n"));
        assert_eq!(data_of(by_name["b"]), [("s".into(), "<&>".into())].into());
        assert!(by_name["b"].body.contains("type: Opaque\n"));
        assert!(!by_name["b"].body.contains("namespace:"));
        assert_eq!(
            data_of(by_name["r"]),
            [("SECRET_KEY".into(), "sk".into())].into()
        );
        assert_eq!(
            data_of(by_name["m"]),
            [
                ("SECRET_KEY".into(), "sk".into()),
                ("db-password".into(), "pw".into())
            ]
            .into()
        );
    }

    #[test]
    fn no_data_gives_an_empty_secret() {
        let es = "kind: ExternalSecret\nmetadata: {name: e, namespace: n}\nspec:\n  target:\n    name: e\n    template:\n      type: Opaque\n      data:\n  data:\n";
        let res = resolve(&manifests(&[("templates/e.yaml", es)]), &Store::default());
        assert!(res.failures.is_empty());
        assert!(
            res.manifests[0].body.ends_with("type: Opaque\ndata: {}\n"),
            "{}",
            res.manifests[0].body
        );
    }

    #[test]
    fn plain_secrets_first_then_resolved_in_order() {
        let m = manifests(&[
            ("templates/api-externalsecret.yaml", ES),
            ("templates/sandbox-secret.yaml", "apiVersion: v1\nkind: Secret\nmetadata:\n  name: rel-sandbox\ntype: Opaque\ndata:\n  API_KEY: \"eA==\"\n"),
            ("templates/z.yaml", "kind: ConfigMap\nmetadata: {name: c}\n"),
        ]);
        let res = resolve(
            &m,
            &store("dify/api: {secret_key: a}\ndify/database: {password: b}\n"),
        );
        let names: Vec<(&str, &str)> = res
            .manifests
            .iter()
            .map(|m| (m.source.as_str(), m.name.as_str()))
            .collect();
        assert_eq!(
            names,
            [
                ("dify/templates/sandbox-secret.yaml", "rel-sandbox"),
                ("dify/templates/api-externalsecret.yaml", "rel-api")
            ]
        );
        assert_eq!(
            res.manifests[0].body,
            m.iter().find(|m| m.name == "rel-sandbox").unwrap().body
        );
        assert_eq!(res.external_secrets, 1);
    }

    #[test]
    fn unsupported_shapes_fail_clearly() {
        let cases = [
            (
                ES.replace("{{ .SECRET_KEY }}", "{{ .SECRET_KEY | upper }}"),
                "target.template.data.SECRET_KEY: unsupported template action",
            ),
            (
                ES.replace("{{ .SECRET_KEY }}", "{{ .OTHER }}"),
                "target.template.data.SECRET_KEY: {{ .OTHER }} reads OTHER",
            ),
            (
                ES.replace(
                    "  data:\n    - secretKey",
                    "  dataFrom: [{extract: {key: x}}]\n  data:\n    - secretKey",
                ),
                "spec.dataFrom is not supported",
            ),
            (
                ES.replace("type: Opaque", "type: Opaque\n      engineVersion: v1"),
                "engineVersion v1 is not supported",
            ),
            (
                ES.replace("property: password}", "property: password, version: \"2\"}"),
                "spec.data[1]: secretKey db-password: remoteRef.version is not supported",
            ),
            (
                ES.replace("SECRET_KEY: \"{{", "\"BAD KEY\": \"{{"),
                "\"BAD KEY\" is not a valid Secret key",
            ),
        ];
        let s = store("dify/api: {secret_key: a}\ndify/database: {password: b}\n");
        for (es, expected) in cases {
            let res = resolve(
                &manifests(&[("templates/api-externalsecret.yaml", &es)]),
                &s,
            );
            assert_eq!(res.failures.len(), 1, "{expected}: {:?}", res.failures);
            assert!(
                res.failures[0].starts_with("ExternalSecret rel-api"),
                "{}",
                res.failures[0]
            );
            assert!(
                res.failures[0].contains(expected),
                "{expected}: {}",
                res.failures[0]
            );
            assert_eq!(res.store_failures, 0);
        }
        // The defaults the API server fills in are fine.
        let defaults = ES.replace(
            "property: password}",
            "property: password, conversionStrategy: Default, decodingStrategy: None, metadataPolicy: None}",
        );
        assert!(resolve(&manifests(&[("templates/a.yaml", &defaults)]), &s)
            .failures
            .is_empty());
    }

    #[test]
    fn decoding_strategies_follow_eso() {
        // ESO utils.Decode: Base64 / Base64URL fail on bad input, Auto tries
        // both then keeps the raw value, None keeps it.
        assert_eq!(Decoding::None.apply("aGk=").unwrap(), b"aGk=");
        assert_eq!(Decoding::Base64.apply("aGk=").unwrap(), b"hi");
        assert_eq!(Decoding::Base64.apply("aG\nk=").unwrap(), b"hi");
        assert!(
            Decoding::Base64.apply("aGk").is_err(),
            "padding is required"
        );
        assert!(Decoding::Base64.apply("_-8=").is_err());
        assert_eq!(Decoding::Base64Url.apply("_-8=").unwrap(), [0xff, 0xef]);
        assert!(Decoding::Base64Url.apply("/+8=").is_err());
        assert_eq!(Decoding::Auto.apply("/+8=").unwrap(), [0xff, 0xef]);
        assert_eq!(Decoding::Auto.apply("_-8=").unwrap(), [0xff, 0xef]);
        assert_eq!(Decoding::Auto.apply("p@ss").unwrap(), b"p@ss");
        // Go accepts non-zero trailing bits unless Strict().
        assert_eq!(Decoding::Base64.apply("aGl=").unwrap(), b"hi");

        let es = ES.replace(
            "property: secret_key}",
            "property: secret_key, decodingStrategy: Base64}",
        );
        let s = store("dify/api: {secret_key: \"czNjcjN0\"}\ndify/database: {password: cDp3}\n");
        let res = resolve(&manifests(&[("templates/a.yaml", &es)]), &s);
        assert!(res.failures.is_empty(), "{:?}", res.failures);
        let d = data_of(&res.manifests[0]);
        assert_eq!(d["SECRET_KEY"], "s3cr3t");
        assert_eq!(d["db-password"], "cDp3", "None keeps the value");

        let bad = store("dify/api: {secret_key: \"not base64!\"}\ndify/database: {password: x}\n");
        let res = resolve(&manifests(&[("templates/a.yaml", &es)]), &bad);
        assert_eq!(res.failures.len(), 1);
        assert!(
            res.failures[0].contains("secretKey SECRET_KEY")
                && res.failures[0].contains("decodingStrategy Base64"),
            "{}",
            res.failures[0]
        );
        // A decoded binary value can be a Secret value but not a template input.
        let binary = store("dify/api: {secret_key: \"/+8=\"}\ndify/database: {password: x}\n");
        let res = resolve(&manifests(&[("templates/a.yaml", &es)]), &binary);
        assert!(res.failures[0].contains("not UTF-8"), "{:?}", res.failures);
        let unknown = ES.replace(
            "property: secret_key}",
            "property: secret_key, decodingStrategy: Hex}",
        );
        let res = resolve(&manifests(&[("templates/a.yaml", &unknown)]), &s);
        assert!(
            res.failures[0].contains("decodingStrategy Hex is not one of"),
            "{:?}",
            res.failures
        );
    }

    #[test]
    fn eso_v2_template_data_of_the_chart() {
        // 0.28.0+: REDIS_USERNAME as a literal "", the Celery URL as a
        // template over fetched keys, DIFY_AGENT_REDIS_URL over keys only
        // spec.data fetches.
        let es = "kind: ExternalSecret\nmetadata: {name: rel-agent-backend, namespace: ns}\nspec:\n  target:\n    name: rel-agent-backend\n    template:\n      type: Opaque\n      data:\n        REDIS_USERNAME: \"\"\n        CELERY_BROKER_URL: redis://{{ .REDIS_USERNAME }}:{{ .REDIS_PASSWORD }}@redis:6379/1\n        DIFY_AGENT_REDIS_URL: \"redis://:{{ .REDIS_PASSWORD }}@redis:6379/2\"\n  data:\n    - secretKey: REDIS_USERNAME\n      remoteRef: {key: dify/redis, property: username, conversionStrategy: Default, metadataPolicy: None, decodingStrategy: None}\n    - secretKey: REDIS_PASSWORD\n      remoteRef: {key: dify/redis, property: password, conversionStrategy: Default, metadataPolicy: None, decodingStrategy: Auto}\n";
        let s = store("dify/redis: {username: u, password: \"cDp3\"}\n");
        let res = resolve(&manifests(&[("templates/a.yaml", es)]), &s);
        assert!(res.failures.is_empty(), "{:?}", res.failures);
        let d = data_of(&res.manifests[0]);
        assert_eq!(d["REDIS_USERNAME"], "");
        assert_eq!(d["CELERY_BROKER_URL"], "redis://u:p:w@redis:6379/1");
        assert_eq!(d["DIFY_AGENT_REDIS_URL"], "redis://:p:w@redis:6379/2");
        assert_eq!(d.len(), 3, "Replace: only templated keys");
    }

    #[test]
    fn index_of_an_unfetched_key_warns() {
        let es = ES.replace("index . \\\"db-password\\\"", "index . \\\"nope\\\"");
        let s = store("dify/api: {secret_key: a}\ndify/database: {password: b}\n");
        let res = resolve(&manifests(&[("templates/a.yaml", &es)]), &s);
        assert!(res.failures.is_empty());
        assert_eq!(data_of(&res.manifests[0])["db-password"], "");
        assert_eq!(res.warnings.len(), 1);
        assert!(
            res.warnings[0].contains("reads index . \"nope\""),
            "{}",
            res.warnings[0]
        );
    }

    #[test]
    fn two_writers_of_one_secret_warn() {
        let plain = "apiVersion: v1\nkind: Secret\nmetadata:\n  name: rel-api\ndata: {}\n";
        let m = manifests(&[
            ("templates/api-externalsecret.yaml", ES),
            ("templates/api-secret.yaml", plain),
        ]);
        let res = resolve(
            &m,
            &store("dify/api: {secret_key: a}\ndify/database: {password: b}\n"),
        );
        assert_eq!(
            res.warnings,
            ["Secret rel-api is written both by the Secret from dify/templates/api-secret.yaml and by ExternalSecret rel-api: they would overwrite each other"]
        );
    }

    #[test]
    fn gaps_name_plaintext_keys_no_external_secret_provides() {
        let rendered = manifests(&[("templates/api-externalsecret.yaml", ES)]);
        let plain = manifests(&[(
            "templates/api-secret.yaml",
            "kind: Secret\nmetadata: {name: rel-api}\ndata: {SECRET_KEY: eA==, SMTP_PASSWORD: eA==, db-password: eA==}\nstringData: {S3_SECRET_KEY: x}\n",
        ), ("templates/other-secret.yaml", "kind: Secret\nmetadata: {name: other}\ndata: {X: eA==}\n")]);
        assert_eq!(
            gaps(&rendered, &plain),
            [
                "rel-api/S3_SECRET_KEY exists in the plaintext Secret but no ExternalSecret provides it",
                "rel-api/SMTP_PASSWORD exists in the plaintext Secret but no ExternalSecret provides it",
            ]
        );
    }

    #[test]
    fn existing_secrets_nobody_creates_warn() {
        let values = |text: &str| Value::Map(crate::values::yaml::parse_values(text, "v").unwrap());
        let secret = manifests(&[(
            "templates/r.yaml",
            "kind: Secret\nmetadata: {name: redis}\n",
        )]);
        let v = values(
            "postgresql: {enabled: true, global: {postgresql: {auth: {existingSecret: dify-postgresql}}}}\n\
             redis: {enabled: true, auth: {enabled: true, existingSecret: redis}}\n",
        );
        let w = missing_existing_secrets(&v, &secret);
        assert_eq!(w.len(), 1, "{w:?}");
        assert!(
            w[0].starts_with(
                "postgresql.global.postgresql.auth.existingSecret names Secret dify-postgresql, which this \
                 release creates neither as a plain Secret nor through an ExternalSecret: it must exist before \
                 the PostgreSQL subchart starts"
            ),
            "{}",
            w[0]
        );
        assert_eq!(missing_existing_secrets(&v, &[]).len(), 2);
        // A disabled subchart, or no existingSecret, is no concern.
        let v = values("postgresql: {enabled: false, global: {postgresql: {auth: {existingSecret: x}}}}\nredis: {enabled: true, auth: {enabled: true, existingSecret: \"\"}}\n");
        assert!(missing_existing_secrets(&v, &[]).is_empty());
    }

    #[test]
    fn unused_store_keys_warn_with_their_files() {
        let rendered = manifests(&[("templates/api-externalsecret.yaml", ES)]);
        let mut s =
            store("dify/api: {secret_key: a}\ndify/database: {password: b}\ndify/mail: {k: v}\n");
        s.merge(store::parse("dify/mail: {j: w}\n", "more.yaml").unwrap());
        assert_eq!(
            unused_keys(&rendered, &s),
            ["store key dify/mail (store.yaml, more.yaml) is read by no ExternalSecret of this release: least \
              privilege says the SecretStore need not reach it"]
        );
    }
}
