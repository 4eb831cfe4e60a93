//! The offline stand-in for a secret backend: `--store` files.
//!
//! A store file is a YAML (1.1, read as values files are) or JSON mapping
//! from remote key to either a string or a mapping of property → string, the
//! layout of the usage guide's "Secret Organization":
//!
//! ```yaml
//! dify/api: {secret_key: "…"}
//! dify/database: {username: postgres, password: "…"}
//! dify/legacy-token: "a plain string value"
//! ```
//!
//! Anything else (numbers, booleans, null, lists, deeper mappings) is an
//! error naming the key: a store models what ESO receives, and ESO receives
//! strings. Files are laid over each other in order: a mapping merges into a
//! mapping property by property, anything else replaces the earlier value.
//!
//! No message here ever holds a stored value — only file names, keys,
//! properties and types.

use std::collections::BTreeMap;

use crate::engine::scalar::yaml_string;
use crate::values::yaml::parse_values;
use crate::values::{Map, Value};

/// One `--store` source: its name for messages and its text.
#[derive(Clone, Debug)]
pub struct StoreFile {
    pub name: String,
    pub text: String,
}

/// What a remote key holds.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Entry {
    Text(String),
    Properties(BTreeMap<String, String>),
}

#[derive(Clone, Debug, PartialEq, Eq)]
struct Stored {
    entry: Entry,
    /// The files that set it, in order.
    origins: Vec<String>,
}

/// Every remote key of the store files, merged.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Store {
    entries: BTreeMap<String, Stored>,
}

/// A store file that cannot be read. Never holds a stored value.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct StoreError(pub String);

/// Why a `remoteRef` cannot be fetched (the fact ESO reports as a sync failure).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FetchError {
    NoKey {
        suggestion: Option<String>,
    },
    NoProperty {
        suggestion: Option<String>,
        properties: Vec<String>,
    },
    NotAMapping,
}

impl FetchError {
    /// Why the fetch failed, in words (the caller names the key and property).
    pub fn reason(&self) -> String {
        let list = |names: &[String]| {
            names
                .iter()
                .map(|p| yaml_string(p))
                .collect::<Vec<_>>()
                .join(", ")
        };
        match self {
            FetchError::NoKey { suggestion: Some(s) } => {
                format!("the store has no such key (did you mean {}?)", yaml_string(s))
            }
            FetchError::NoKey { suggestion: None } => "the store has no such key".to_owned(),
            FetchError::NoProperty { suggestion: Some(s), .. } => {
                format!("the key has no such property (did you mean {}?)", yaml_string(s))
            }
            FetchError::NoProperty { suggestion: None, properties } if properties.is_empty() => {
                "the key has no such property (it has no properties)".to_owned()
            }
            FetchError::NoProperty { suggestion: None, properties } => {
                format!("the key has no such property (its properties: {})", list(properties))
            }
            FetchError::NotAMapping => {
                "the key holds a plain string, not a mapping of properties (drop the property, or store a mapping)"
                    .to_owned()
            }
        }
    }
}

/// Reads one store file: JSON when it is a JSON object, else YAML 1.1.
pub fn parse(text: &str, source: &str) -> Result<Store, StoreError> {
    let trimmed = text.trim_start_matches('\u{feff}').trim_start();
    let tree = match trimmed
        .starts_with('{')
        .then(|| serde_json::from_str::<serde_json::Value>(trimmed))
    {
        Some(Ok(json)) => match from_json(json) {
            Value::Map(m) => m,
            other => unreachable!(
                "a JSON text starting with {{ is an object, got {}",
                other.type_name()
            ),
        },
        // Not JSON (a YAML flow mapping, or broken): read it as YAML.
        _ => parse_values(text, source).map_err(|e| {
            // The YAML reader quotes the offending line, which may hold a
            // secret: keep only the first line (file, position, reason).
            let first = e.message.lines().next().unwrap_or("").trim_end().to_owned();
            StoreError(format!("store {first}"))
        })?,
    };
    let mut entries = BTreeMap::new();
    for (key, value) in tree {
        let entry = match value {
            Value::String(s) => Entry::Text(s),
            Value::Map(props) => Entry::Properties(properties(props, source, &key)?),
            other => return Err(leaf_error(source, &key, None, &other)),
        };
        entries.insert(
            key,
            Stored {
                entry,
                origins: vec![source.to_owned()],
            },
        );
    }
    Ok(Store { entries })
}

fn properties(props: Map, source: &str, key: &str) -> Result<BTreeMap<String, String>, StoreError> {
    props
        .into_iter()
        .map(|(p, v)| match v {
            Value::String(s) => Ok((p, s)),
            other => Err(leaf_error(source, key, Some(&p), &other)),
        })
        .collect()
}

fn leaf_error(source: &str, key: &str, property: Option<&str>, found: &Value) -> StoreError {
    let at = match property {
        Some(p) => format!("{}, property {}", yaml_string(key), yaml_string(p)),
        None => yaml_string(key),
    };
    let expected = if property.is_some() {
        "a string"
    } else {
        "a string or a mapping of property to string"
    };
    let hint = match found {
        Value::Bool(_) | Value::Int(_) | Value::Float(_) => {
            " (quote it: YAML reads yes/no/on/off as booleans and digits as numbers)"
        }
        Value::Map(_) => " (a store has one level of properties)",
        _ => "",
    };
    StoreError(format!(
        "store {source}: remote key {at}: expected {expected}, got {}{hint}",
        found.type_name()
    ))
}

/// JSON to [`Value`] (numbers as floats, as a values file would give them).
fn from_json(v: serde_json::Value) -> Value {
    match v {
        serde_json::Value::Null => Value::Null,
        serde_json::Value::Bool(b) => Value::Bool(b),
        serde_json::Value::Number(n) => Value::Float(n.as_f64().unwrap_or(0.0)),
        serde_json::Value::String(s) => Value::String(s),
        serde_json::Value::Array(a) => Value::List(a.into_iter().map(from_json).collect()),
        serde_json::Value::Object(o) => {
            Value::Map(o.into_iter().map(|(k, v)| (k, from_json(v))).collect())
        }
    }
}

impl Store {
    /// Reads and merges store files in order (later files win).
    pub fn from_files(files: &[StoreFile]) -> Result<Store, StoreError> {
        let mut store = Store::default();
        for f in files {
            store.merge(parse(&f.text, &f.name)?);
        }
        Ok(store)
    }

    /// Lays `later` over `self`: mappings merge property by property, anything
    /// else replaces.
    pub fn merge(&mut self, later: Store) {
        for (key, new) in later.entries {
            match self.entries.get_mut(&key) {
                Some(old) => {
                    match (&mut old.entry, new.entry) {
                        (Entry::Properties(o), Entry::Properties(n)) => o.extend(n),
                        (slot, n) => *slot = n,
                    }
                    for origin in new.origins {
                        if !old.origins.contains(&origin) {
                            old.origins.push(origin);
                        }
                    }
                }
                None => {
                    self.entries.insert(key, new);
                }
            }
        }
    }

    /// The value ESO would get for `remoteRef` {key, property}: the property
    /// of a mapping; without a property, a string as is and a mapping as
    /// compact JSON with sorted keys (Go's `json.Marshal`, as ESO's Vault
    /// provider returns a whole secret).
    pub fn fetch(&self, key: &str, property: Option<&str>) -> Result<String, FetchError> {
        let Some(stored) = self.entries.get(key) else {
            return Err(FetchError::NoKey {
                suggestion: suggest(key, self.entries.keys()),
            });
        };
        match (&stored.entry, property) {
            (Entry::Text(s), None) => Ok(s.clone()),
            (Entry::Properties(p), None) => Ok(go_json(p)),
            (Entry::Text(_), Some(_)) => Err(FetchError::NotAMapping),
            (Entry::Properties(p), Some(prop)) => {
                p.get(prop).cloned().ok_or_else(|| FetchError::NoProperty {
                    suggestion: suggest(prop, p.keys()),
                    properties: p.keys().cloned().collect(),
                })
            }
        }
    }

    /// Every remote key with the files that set it.
    pub fn keys(&self) -> impl Iterator<Item = (&str, &[String])> {
        self.entries
            .iter()
            .map(|(k, s)| (k.as_str(), s.origins.as_slice()))
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// What `key` holds (for tests and callers that need the raw entry).
    pub fn get(&self, key: &str) -> Option<&Entry> {
        self.entries.get(key).map(|s| &s.entry)
    }
}

/// A close name among `candidates`: the same ignoring case and `-`/`_`, or
/// within two edits.
fn suggest<'a>(name: &str, candidates: impl Iterator<Item = &'a String> + Clone) -> Option<String> {
    let norm = |s: &str| s.to_ascii_lowercase().replace('-', "_");
    let wanted = norm(name);
    candidates
        .clone()
        .find(|c| norm(c) == wanted)
        .or_else(|| {
            candidates
                .map(|c| (edit_distance(c, name), c))
                .filter(|(d, _)| *d <= 2 && *d < name.chars().count())
                .min_by_key(|(d, _)| *d)
                .map(|(_, c)| c)
        })
        .cloned()
}

/// Levenshtein distance.
fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1; b.len() + 1];
        for (j, cb) in b.iter().enumerate() {
            let cost = usize::from(ca != *cb);
            cur[j + 1] = (prev[j] + cost).min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        prev = cur;
    }
    prev[b.len()]
}

/// Go's `json.Marshal` of a `map[string]string`: keys sorted, no spaces,
/// and Go's string escaping (including its HTML-safe `\u003c`, `\u003e`,
/// `\u0026` and the line/paragraph separators).
pub fn go_json(map: &BTreeMap<String, String>) -> String {
    let mut out = String::from("{");
    for (i, (k, v)) in map.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        go_json_string(&mut out, k);
        out.push(':');
        go_json_string(&mut out, v);
    }
    out.push('}');
    out
}

fn go_json_string(out: &mut String, s: &str) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            '<' | '>' | '&' | '\u{2028}' | '\u{2029}' => {
                out.push_str(&format!("\\u{:04x}", c as u32))
            }
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
}

#[cfg(test)]
mod tests {
    use super::*;

    fn store(text: &str) -> Store {
        parse(text, "s.yaml").unwrap()
    }

    fn err(text: &str) -> String {
        parse(text, "s.yaml").unwrap_err().to_string()
    }

    #[test]
    fn reads_the_usage_guide_layout() {
        let s = store("dify/api: {secret_key: \"k1\"}\ndify/database: {username: postgres, password: \"p w\"}\nplain: text\n");
        assert_eq!(s.len(), 3);
        assert_eq!(s.fetch("dify/api", Some("secret_key")).unwrap(), "k1");
        assert_eq!(s.fetch("dify/database", Some("password")).unwrap(), "p w");
        assert_eq!(s.fetch("plain", None).unwrap(), "text");
        assert_eq!(
            s.fetch("dify/database", None).unwrap(),
            r#"{"password":"p w","username":"postgres"}"#
        );
        assert_eq!(store("").len(), 0);
        assert_eq!(store("# nothing\n").len(), 0);
    }

    #[test]
    fn reads_json_exactly() {
        let s = store(r#"{"dify/api": {"secret_key": "a\/b\u00e9"}, "k": "v"}"#);
        assert_eq!(s.fetch("dify/api", Some("secret_key")).unwrap(), "a/bé");
        // A YAML flow mapping that is not JSON is still read, as YAML.
        let s = store("{dify/api: {secret_key: x}}");
        assert_eq!(s.fetch("dify/api", Some("secret_key")).unwrap(), "x");
        assert!(err(r#"{"k": 5}"#).contains("got a number"));
    }

    #[test]
    fn values_must_be_strings() {
        let e = err("dify/db:\n  port: 5432\n");
        assert_eq!(
            e,
            "store s.yaml: remote key dify/db, property port: expected a string, got a number \
             (quote it: YAML reads yes/no/on/off as booleans and digits as numbers)"
        );
        assert!(err("k: yes\n").contains(
            "remote key k: expected a string or a mapping of property to string, got a boolean"
        ));
        assert!(err("k:\n").contains("got null"));
        assert!(err("k: [a]\n").contains("got a list"));
        assert!(err("k: {p: {q: r}}\n")
            .contains("property p: expected a string, got a map (a store has one level"));
        assert!(err("- a\n").contains("top level must be a mapping"));
        // YAML 1.1, as values files: `on` is a boolean, but quoted it is a
        // string; as a key, `y` is "true" unless quoted.
        assert_eq!(store("k: {p: \"on\"}").fetch("k", Some("p")).unwrap(), "on");
        assert_eq!(
            store("k: {y: v}").fetch("k", None).unwrap(),
            r#"{"true":"v"}"#
        );
        assert_eq!(store("k: {\"y\": v}").fetch("k", Some("y")).unwrap(), "v");
    }

    #[test]
    fn syntax_errors_do_not_quote_the_file() {
        for bad in [
            "k: {p: \"topsecret\n",
            "k: {p: topsecret, q: [x}\n",
            "k: p: topsecret\n",
            "{\"k\": \"topsecret\"",
        ] {
            let e = err(bad);
            assert!(e.starts_with("store failed to parse s.yaml"), "{e}");
            assert!(!e.contains("topsecret"), "{e}");
            assert!(!e.contains('\n'), "{e}");
        }
    }

    #[test]
    fn later_files_win_property_by_property() {
        let mut s = store("a: {x: \"1\", v: \"2\"}\nb: s\nc: {z: \"3\"}\n");
        s.merge(parse("a: {v: \"20\", w: \"4\"}\nb: {p: q}\nc: t\n", "t.yaml").unwrap());
        assert_eq!(s.fetch("a", None).unwrap(), r#"{"v":"20","w":"4","x":"1"}"#);
        assert_eq!(s.fetch("b", Some("p")).unwrap(), "q");
        assert_eq!(s.fetch("c", None).unwrap(), "t");
        let origins: Vec<(&str, Vec<&str>)> = s
            .keys()
            .map(|(k, o)| (k, o.iter().map(String::as_str).collect()))
            .collect();
        assert_eq!(
            origins,
            [
                ("a", vec!["s.yaml", "t.yaml"]),
                ("b", vec!["s.yaml", "t.yaml"]),
                ("c", vec!["s.yaml", "t.yaml"])
            ]
        );
    }

    #[test]
    fn fetch_failures_say_what_is_missing_with_hints() {
        let s = store("dify/api: {secret_key: k}\ndify/database: {username: u, passwd: p}\nplain: t\nempty: {}\n");
        let e = s.fetch("dify/apis", Some("secret_key")).unwrap_err();
        assert_eq!(
            e.reason(),
            "the store has no such key (did you mean dify/api?)"
        );
        let e = s.fetch("dify/database", Some("password")).unwrap_err();
        assert_eq!(
            e.reason(),
            "the key has no such property (did you mean passwd?)"
        );
        let e = s.fetch("dify/database", Some("host")).unwrap_err();
        assert_eq!(
            e.reason(),
            "the key has no such property (its properties: passwd, username)"
        );
        let e = s.fetch("empty", Some("x")).unwrap_err();
        assert_eq!(
            e.reason(),
            "the key has no such property (it has no properties)"
        );
        let e = s.fetch("plain", Some("x")).unwrap_err();
        assert_eq!(e, FetchError::NotAMapping);
        assert!(e.reason().starts_with("the key holds a plain string"));
        let e = s.fetch("nowhere-near", None).unwrap_err();
        assert_eq!(e, FetchError::NoKey { suggestion: None });
        assert_eq!(e.reason(), "the store has no such key");
        // Case and dash/underscore differences are suggested whatever the distance.
        let s = store("Dify_Redis: {}\n");
        assert_eq!(
            s.fetch("dify-redis", None).unwrap_err(),
            FetchError::NoKey {
                suggestion: Some("Dify_Redis".into())
            }
        );
    }

    #[test]
    fn go_json_escaping() {
        let m: BTreeMap<String, String> = [
            (
                "b".to_string(),
                "<a&b>\"\\\n\t\r\u{8}\u{c}\u{1}\u{2028}é".to_string(),
            ),
            ("a".to_string(), String::new()),
        ]
        .into_iter()
        .collect();
        assert_eq!(
            go_json(&m),
            r#"{"a":"","b":"\u003ca\u0026b\u003e\"\\\n\t\r\b\f\u0001\u2028é"}"#
        );
        assert_eq!(go_json(&BTreeMap::new()), "{}");
    }
}
