//! Reading values files as Helm does: YAML 1.1 through a JSON round trip.
//!
//! Helm parses a values file with goyaml.v2 (YAML 1.1) and converts the result
//! to JSON (`sigs.k8s.io/yaml`). That gives these rules, all checked against
//! Helm 4.3.1 (HELM-CLI.md §3, SPEC §2.1):
//!
//! * `yes`/`no`/`on`/`off`/`y`/`n` in any of their YAML 1.1 spellings are
//!   booleans; `0123` is octal; `0x1F`, `0b101`, `1_000` are integers;
//! * every number becomes a float64; `.inf` and `.nan` are errors;
//! * map keys become strings (`on:` is the key `"true"`, `0x1F:` is `"31"`,
//!   `1e3:` is `"1000"`); a null key is an error;
//! * duplicate keys: the last one wins; merge keys (`<<`) are applied;
//! * every `---` document is read and they are deep-merged in order;
//! * the top level must be a mapping (or empty).
//!
//! serde-saphyr reads YAML 1.1 scalars this way when asked to
//! (`legacy_octal_numbers`, non-strict booleans, last-wins duplicates); the
//! visitor below turns what it infers into [`Value`]s with Go's key rules.

use std::fmt;

use serde::de::{self, Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_saphyr::options::{DuplicateKeyPolicy, MergeKeyPolicy, NonFiniteFloatPolicy};

use super::gofmt::format_float;
use super::merge::merge_maps;
use super::{Map, Value};

/// A values file that could not be read as Helm reads it.
#[derive(Debug, thiserror::Error)]
#[error("{message}")]
pub struct YamlError {
    /// Human-readable text: what is wrong, with line and column when known
    /// and the offending line with a caret.
    pub message: String,
}

fn options() -> serde_saphyr::Options {
    serde_saphyr::options! {
        duplicate_keys: DuplicateKeyPolicy::LastWins,
        // `<<` is applied by the visitor below, in goyaml.v2's order.
        merge_keys: MergeKeyPolicy::AsOrdinary,
        legacy_octal_numbers: true,
        strict_booleans: false,
        non_finite_float_policy: NonFiniteFloatPolicy::Reject,
    }
}

/// Parses the text of a values file (every document) into one map.
///
/// `source` names the file in messages (`values.yaml`, `<stdin>`).
pub fn parse_values(text: &str, source: &str) -> Result<Map, YamlError> {
    let docs: Vec<Document> = serde_saphyr::from_multiple_with_options(text, options())
        .map_err(|e| YamlError { message: describe(source, &e) })?;
    let mut out = Map::new();
    for (i, doc) in docs.into_iter().enumerate() {
        match doc.0 {
            Value::Null => {}
            Value::Map(m) => out = merge_maps(out, m),
            other => {
                let which = if i == 0 { String::new() } else { format!(" (document {})", i + 1) };
                return Err(YamlError {
                    message: format!(
                        "failed to parse {source}{which}: the top level must be a mapping of keys to values, found {}",
                        other.type_name()
                    ),
                });
            }
        }
    }
    Ok(out)
}

/// Parses one YAML document of any shape (used for rendered manifests).
pub fn parse_document(text: &str, source: &str) -> Result<Value, YamlError> {
    let docs: Vec<Document> = serde_saphyr::from_multiple_with_options(text, options())
        .map_err(|e| YamlError { message: describe(source, &e) })?;
    match docs.len() {
        0 => Ok(Value::Null),
        1 => Ok(docs.into_iter().next().map(|d| d.0).unwrap_or(Value::Null)),
        n => Err(YamlError { message: format!("{source}: expected one YAML document, found {n}") }),
    }
}

/// `failed to parse FILE:LINE:COL: reason`, then the offending line with a caret.
fn describe(source: &str, err: &serde_saphyr::Error) -> String {
    let options = serde_saphyr::render_options! { source_name: Some(source) };
    let rendered = err.render_with_options(options);
    // The renderer starts with "error: line L column C: reason"; keep the
    // snippet that follows and say the rest once, our way.
    let reason = err.without_snippet().to_string();
    let reason = reason.split_once(": ").filter(|(head, _)| head.starts_with("line ")).map_or(reason.as_str(), |(_, r)| r);
    let reason = match reason.rfind(" at line ") {
        Some(i) if reason[i..].contains(", column ") => &reason[..i],
        _ => reason,
    };
    let snippet = rendered.split_once('\n').map_or("", |(_, rest)| rest).trim_end();
    let place = match err.location() {
        Some(loc) => format!("{source}:{}:{}", loc.line(), loc.column()),
        None => source.to_owned(),
    };
    if snippet.is_empty() {
        format!("failed to parse {place}: {reason}")
    } else {
        format!("failed to parse {place}: {reason}\n{snippet}")
    }
}

/// One document: a [`Value`] read with Go's conversion rules.
struct Document(Value);

impl<'de> Deserialize<'de> for Document {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(ValueVisitor).map(Document)
    }
}

struct ValueVisitor;

impl<'de> Visitor<'de> for ValueVisitor {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a YAML value")
    }
    fn visit_bool<E>(self, v: bool) -> Result<Value, E> {
        Ok(Value::Bool(v))
    }
    fn visit_i64<E>(self, v: i64) -> Result<Value, E> {
        Ok(Value::Float(v as f64))
    }
    fn visit_u64<E>(self, v: u64) -> Result<Value, E> {
        Ok(Value::Float(v as f64))
    }
    fn visit_i128<E>(self, v: i128) -> Result<Value, E> {
        Ok(Value::Float(v as f64))
    }
    fn visit_u128<E>(self, v: u128) -> Result<Value, E> {
        Ok(Value::Float(v as f64))
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Value, E> {
        if v.is_finite() {
            Ok(Value::Float(v))
        } else {
            Err(E::custom(format!("json: unsupported value: {}", format_float(v))))
        }
    }
    fn visit_str<E>(self, v: &str) -> Result<Value, E> {
        Ok(Value::String(v.to_owned()))
    }
    fn visit_string<E>(self, v: String) -> Result<Value, E> {
        Ok(Value::String(v))
    }
    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }
    fn visit_none<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }
    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
        d.deserialize_any(ValueVisitor)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let mut out = Vec::with_capacity(seq.size_hint().unwrap_or(0));
        while let Some(Document(v)) = seq.next_element()? {
            out.push(v);
        }
        Ok(Value::List(out))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let mut out = Map::new();
        while let Some(Key(k)) = map.next_key()? {
            let Document(v) = map.next_value()?;
            if k == "<<" {
                merge_key(&mut out, v).map_err(de::Error::custom)?;
            } else {
                out.insert(k, v);
            }
        }
        Ok(Value::Map(out))
    }
}

/// Applies a YAML 1.1 merge key where it stands, as goyaml.v2 does: the
/// merged entries override keys written before `<<` and are overridden by
/// keys after it; in a list of maps the earlier map wins.
fn merge_key(out: &mut Map, v: Value) -> Result<(), &'static str> {
    const MSG: &str = "map merge requires map or sequence of maps as the value";
    match v {
        Value::Map(m) => out.extend(m),
        Value::List(items) => {
            for item in items.into_iter().rev() {
                match item {
                    Value::Map(m) => out.extend(m),
                    _ => return Err(MSG),
                }
            }
        }
        _ => return Err(MSG),
    }
    Ok(())
}

/// A map key, converted to a string the way `sigs.k8s.io/yaml` does.
struct Key(String);

impl<'de> Deserialize<'de> for Key {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        match d.deserialize_any(ValueVisitor)? {
            Value::String(s) => Ok(Key(s)),
            Value::Bool(b) => Ok(Key(b.to_string())),
            Value::Float(f) => Ok(Key(format_float(f))),
            Value::Int(i) => Ok(Key(i.to_string())),
            Value::Null => Err(de::Error::custom(
                "error converting YAML to JSON: unsupported map key of type null",
            )),
            other => Err(de::Error::custom(format!(
                "error converting YAML to JSON: unsupported map key of type {}",
                other.type_name()
            ))),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn one(yaml: &str) -> Value {
        let m = parse_values(&format!("v: {yaml}\n"), "t.yaml").expect(yaml);
        m.get("v").cloned().unwrap_or(Value::Null)
    }

    #[test]
    fn yaml_11_booleans() {
        for t in ["true", "True", "TRUE", "yes", "Yes", "YES", "y", "Y", "on", "On", "ON"] {
            assert_eq!(one(t), Value::Bool(true), "{t}");
        }
        for f in ["false", "False", "FALSE", "no", "No", "NO", "n", "N", "off", "Off", "OFF"] {
            assert_eq!(one(f), Value::Bool(false), "{f}");
        }
        assert_eq!(one("\"no\""), Value::from("no"));
    }

    #[test]
    fn yaml_11_numbers_are_floats() {
        let cases: &[(&str, f64)] = &[
            ("6379", 6379.0),
            ("+12", 12.0),
            ("1_000", 1000.0),
            ("0x1F", 31.0),
            ("0o17", 15.0),
            ("017", 15.0),
            ("0123", 83.0),
            ("08", 8.0),
            ("0b101", 5.0),
            ("1.5", 1.5),
            ("1e3", 1000.0),
        ];
        for (src, want) in cases {
            assert_eq!(one(src), Value::Float(*want), "{src}");
        }
    }

    #[test]
    fn nulls_and_strings() {
        assert_eq!(one("~"), Value::Null);
        assert_eq!(one("null"), Value::Null);
        assert_eq!(one(""), Value::Null);
        assert_eq!(one("2001-12-14"), Value::from("2001-12-14"));
        assert_eq!(one("1:30"), Value::from("1:30"));
        assert_eq!(one("'0123'"), Value::from("0123"));
    }

    #[test]
    fn non_finite_floats_are_errors() {
        assert!(parse_values("v: .inf\n", "t.yaml").is_err());
        assert!(parse_values("v: .nan\n", "t.yaml").is_err());
    }

    #[test]
    fn keys_become_strings() {
        let m = parse_values("on: a\n0x1F: b\n1e3: c\n1.5: d\n", "t.yaml").unwrap();
        let keys: Vec<&str> = m.keys().map(String::as_str).collect();
        assert_eq!(keys, ["1.5", "1000", "31", "true"]);
        assert!(parse_values("~: x\n", "t.yaml").is_err());
    }

    #[test]
    fn duplicate_keys_last_wins_and_merge_keys_apply() {
        let m = parse_values("a: 1\na: 2\n", "t.yaml").unwrap();
        assert_eq!(m["a"], Value::Float(2.0));
        let m = parse_values("base: &b {k: x, j: why}\nm:\n  k: own\n  <<: *b\n", "t.yaml").unwrap();
        let inner = m["m"].as_map().unwrap();
        // `<<` overrides keys written before it (SPEC §2.1).
        assert_eq!(inner["k"], Value::from("x"));
        assert_eq!(inner["j"], Value::from("why"));
        let m = parse_values("a: &a {k: 1}\nb: &b {k: 2}\nm: {<<: [*a, *b], k2: 3}\nafter: {<<: *a, k: 9}\n", "t.yaml").unwrap();
        assert_eq!(m["m"].as_map().unwrap()["k"], Value::Float(1.0), "earlier map of a list wins");
        assert_eq!(m["after"].as_map().unwrap()["k"], Value::Float(9.0), "keys after << win");
    }

    #[test]
    fn documents_merge_in_order() {
        let m = parse_values("a: {p: 1, q: 1}\n---\na: {q: 2}\n", "t.yaml").unwrap();
        let a = m["a"].as_map().unwrap();
        assert_eq!(a["p"], Value::Float(1.0));
        assert_eq!(a["q"], Value::Float(2.0));
    }

    #[test]
    fn top_level_must_be_a_map() {
        let err = parse_values("- a\n- b\n", "t.yaml").unwrap_err();
        assert!(err.message.contains("t.yaml"), "{}", err.message);
        assert!(parse_values("", "t.yaml").unwrap().is_empty());
        assert!(parse_values("# only a comment\n", "t.yaml").unwrap().is_empty());
    }

    #[test]
    fn syntax_errors_name_file_line_and_column() {
        let err = parse_values("a: b\nc: [unclosed\n", "bad.yaml").unwrap_err();
        assert!(err.message.starts_with("failed to parse bad.yaml:2:4: unclosed bracket"), "{}", err.message);
        // The offending line is shown with a caret under the column.
        assert!(err.message.contains("2 | c: [unclosed\n  |    ^"), "{}", err.message);
    }
}
