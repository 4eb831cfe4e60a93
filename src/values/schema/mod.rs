//! `values.schema.json`: checks the final values against a chart's JSON
//! Schema, as Helm does before rendering.
//!
//! Helm (`pkg/chart/common/util/jsonschema.go`) validates the values the
//! templates will see — the chart defaults with the user's values laid over
//! them ([`crate::values::merge::coalesce`]) — and reports every violation at
//! once:
//!
//! ```text
//! values don't meet the specifications of the schema(s) in the following chart(s):
//! dify:
//! - at '/externalSecret/api/refreshInterval': got number, want null or string
//! ```
//!
//! The messages follow the wording of the validator Helm 4 uses
//! (santhosh-tekuri/jsonschema v6) for the keywords a values schema uses;
//! the lines are sorted by path so the output is deterministic.

use std::fmt::Write as _;

use serde_json::Value as Json;

use crate::values::Map;

mod general;
pub mod versioned;

pub use general::to_json;

/// The values break the schema, or the schema itself is unusable. The
/// Display text is the whole message, without a leading `Error: `.
#[derive(Debug, thiserror::Error)]
#[error("{message}")]
pub struct SchemaError {
    /// The full text, as printed.
    pub message: String,
    /// Each violation, sorted by path; empty when the schema itself is at fault.
    pub violations: Vec<Violation>,
}

/// One value that breaks one rule of the schema.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Violation {
    /// JSON Pointer to the value (`/externalSecret/api/refreshInterval`; `` for the root).
    pub path: String,
    /// What is wrong with it.
    pub message: String,
}

/// A compiled `values.schema.json`, checked by the `jsonschema` crate
/// ([`general`]) whatever keywords it uses.
#[derive(Debug)]
pub struct Schema {
    validator: general::General,
}

/// Compiles a schema document. `source` names the file in messages
/// (for example `dify/values.schema.json`).
pub fn parse_schema(source: &str, schema_json: &str) -> Result<Schema, SchemaError> {
    let doc: Json = serde_json::from_str(schema_json)
        .map_err(|e| schema_file_error(format!("{source}: not valid JSON: {e}")))?;
    compile_schema(source, &doc)
}

/// Compiles a schema document already parsed (the embedded release's,
/// pruned from its annotated source without printing it again).
pub fn compile_schema(source: &str, doc: &Json) -> Result<Schema, SchemaError> {
    Ok(Schema {
        validator: general::General::compile(source, doc)?,
    })
}

fn schema_file_error(message: String) -> SchemaError {
    SchemaError {
        message,
        violations: Vec::new(),
    }
}

impl Schema {
    /// Every violation in `values`, sorted by path, without duplicates.
    pub fn violations(&self, values: &Map) -> Vec<Violation> {
        let mut violations = self.validator.violations(values);
        violations.sort();
        violations.dedup();
        violations
    }

    /// Checks `values` (the final, coalesced values) and reports every
    /// violation at once.
    pub fn validate(&self, chart_name: &str, values: &Map) -> Result<(), SchemaError> {
        let violations = self.violations(values);
        if violations.is_empty() {
            return Ok(());
        }
        let mut message = String::from(
            "values don't meet the specifications of the schema(s) in the following chart(s):\n",
        );
        let _ = write!(message, "{chart_name}:");
        for v in &violations {
            let _ = write!(
                message,
                "\n- at '{}'{}: {}",
                v.path,
                value_path(v),
                v.message
            );
        }
        Err(SchemaError {
            message,
            violations,
        })
    }
}

/// The dotted path a violation is about: the pointer's, and for a missing
/// property the property itself (`externalSecret.api`, not `externalSecret`).
fn value_path(v: &Violation) -> String {
    let missing = v
        .message
        .strip_prefix("missing property '")
        .and_then(|m| m.strip_suffix('\''));
    match missing {
        Some(name) => {
            let pointer = format!("{}/{}", v.path, name.replace('~', "~0").replace('/', "~1"));
            dotted(&pointer)
        }
        None => dotted(&v.path),
    }
}

/// ` (a.b.c)` for the pointer `/a/b/c`: the value path as every other
/// difyx message writes it; empty for the root.
fn dotted(pointer: &str) -> String {
    if pointer.is_empty() {
        return String::new();
    }
    let steps: Vec<String> = pointer
        .trim_start_matches('/')
        .split('/')
        .map(|s| s.replace("~1", "/").replace("~0", "~"))
        .collect();
    format!(" ({})", steps.join("."))
}

/// One chart's part of a schema check as Helm reports it.
#[derive(Debug)]
pub struct ChartCheck {
    name: String,
    /// Violations with paths relative to the chart's values, or the one
    /// line Helm prints when its values are not a map.
    outcome: Result<Vec<Violation>, String>,
    /// JSON Pointer of the chart's values in the top chart's.
    pointer: String,
}

impl ChartCheck {
    /// Checks `values` (or records the error line in their place) against
    /// `schema_json`; a schema that does not compile is an error.
    pub fn run(
        name: &str,
        pointer: &str,
        schema_json: &str,
        values: Result<&Map, String>,
    ) -> Result<ChartCheck, SchemaError> {
        let source = format!("{name}/values.schema.json");
        let doc: Json = serde_json::from_str(schema_json)
            .map_err(|e| schema_file_error(format!("{source}: not valid JSON: {e}")))?;
        ChartCheck::run_doc(name, pointer, &doc, values)
    }

    /// [`ChartCheck::run`] with the schema already parsed.
    pub fn run_doc(
        name: &str,
        pointer: &str,
        doc: &Json,
        values: Result<&Map, String>,
    ) -> Result<ChartCheck, SchemaError> {
        let outcome = match values {
            Ok(values) => {
                Ok(compile_schema(&format!("{name}/values.schema.json"), doc)?.violations(values))
            }
            Err(line) => Err(line),
        };
        Ok(ChartCheck {
            name: name.to_owned(),
            outcome,
            pointer: pointer.to_owned(),
        })
    }

    /// A chart whose values could not be checked (the line says why).
    pub fn failed(name: &str, line: String) -> ChartCheck {
        ChartCheck {
            name: name.to_owned(),
            outcome: Err(line),
            pointer: String::new(),
        }
    }
}

/// Helm's report of a schema check over a chart and its subcharts
/// (`ValidateAgainstSchema`): each chart with violations, in order, as
/// `<chart>:` followed by one `- at '<pointer>': <message>` line per
/// violation (pointers relative to that chart's values). The violations
/// of the error carry pointers from the top chart's values.
pub fn helm_report(checks: Vec<ChartCheck>) -> Result<(), SchemaError> {
    let mut body = String::new();
    let mut violations = Vec::new();
    for check in checks {
        match check.outcome {
            Ok(list) if list.is_empty() => {}
            Ok(list) => {
                let _ = write!(body, "\n{}:", check.name);
                // Helm's validator stops at a failed `type`: the other
                // keywords of that value are not reported.
                let typed: Vec<&str> = list
                    .iter()
                    .filter(|v| v.message.starts_with("got "))
                    .map(|v| v.path.as_str())
                    .collect();
                let refs: Vec<&Violation> = list
                    .iter()
                    .filter(|v| v.message.starts_with("got ") || !typed.contains(&v.path.as_str()))
                    .collect();
                let mut top = items("", &refs);
                // The root's failures are listed as they are; a single
                // group is opened.
                if let [Item::Group(_, _)] = top.as_slice() {
                    if let Some(Item::Group(_, sub)) = top.pop() {
                        top = sub;
                    }
                }
                write_tree(&mut body, &top, 0);
                for v in list {
                    violations.push(Violation {
                        path: format!("{}{}", check.pointer, v.path),
                        message: v.message,
                    });
                }
            }
            Err(line) => {
                let _ = write!(body, "\n{}:\n{line}", check.name);
                violations.push(Violation {
                    path: check.pointer,
                    message: line,
                });
            }
        }
    }
    if body.is_empty() {
        return Ok(());
    }
    Err(SchemaError {
        message: format!(
            "values don't meet the specifications of the schema(s) in the following chart(s):{body}"
        ),
        violations,
    })
}

/// A violation, or several below one value (Helm's validator groups the
/// failures of one subschema under its value: `validation failed`).
enum Item<'a> {
    Leaf(&'a Violation),
    Group(String, Vec<Item<'a>>),
}

/// The items at pointer `at`: its own violations, then each child value's
/// (one item each: a single failure as it is, several as a group).
fn items<'a>(at: &str, below: &[&'a Violation]) -> Vec<Item<'a>> {
    let mut out: Vec<Item<'a>> = below
        .iter()
        .filter(|v| v.path == at)
        .map(|v| Item::Leaf(v))
        .collect();
    let mut children: Vec<(String, Vec<&'a Violation>)> = Vec::new();
    for v in below.iter().filter(|v| v.path != at) {
        let rest = &v.path[at.len() + 1..];
        let step = rest.split('/').next().unwrap_or(rest);
        let child = format!("{at}/{step}");
        match children.iter_mut().find(|(c, _)| *c == child) {
            Some((_, list)) => list.push(v),
            None => children.push((child, vec![v])),
        }
    }
    for (child, list) in children {
        let mut sub = items(&child, &list);
        if sub.len() == 1 {
            out.push(sub.pop().expect("one item"));
        } else {
            out.push(Item::Group(child, sub));
        }
    }
    out
}

fn write_tree(out: &mut String, items: &[Item<'_>], depth: usize) {
    for item in items {
        let indent = "  ".repeat(depth);
        match item {
            Item::Leaf(v) => {
                let _ = write!(out, "\n{indent}- at '{}': {}", v.path, v.message);
            }
            Item::Group(path, sub) => {
                let _ = write!(out, "\n{indent}- at '{path}': validation failed");
                write_tree(out, sub, depth + 1);
            }
        }
    }
}

/// Compiles `schema_json` (the chart's `values.schema.json`) and checks
/// `values` against it. See [`Schema::validate`].
pub fn validate(chart_name: &str, schema_json: &str, values: &Map) -> Result<(), SchemaError> {
    parse_schema(&format!("{chart_name}/values.schema.json"), schema_json)?
        .validate(chart_name, values)
}

/// The wording of each violation: that of the validator Helm 4 uses (santhosh-tekuri/jsonschema v6). No message quotes
/// a whole value: values hold secrets.
mod messages {
    use std::fmt::Write as _;

    use serde_json::Value as Json;

    pub const FALSE_SCHEMA: &str = "false schema";
    pub const ANY_OF: &str = "anyOf failed";
    pub const NOT: &str = "'not' failed";

    pub fn types(got: &str, want: &[&str]) -> String {
        format!("got {got}, want {}", want.join(" or "))
    }

    pub fn enumeration(options: &[Json]) -> String {
        match options {
            [one] => constant(one),
            _ if options.iter().all(is_primitive) => format!(
                "value must be one of {}",
                options.iter().map(display).collect::<Vec<_>>().join(", ")
            ),
            _ => "enum failed".to_owned(),
        }
    }

    pub fn constant(value: &Json) -> String {
        if is_primitive(value) {
            format!("value must be {}", display(value))
        } else {
            "const failed".to_owned()
        }
    }

    pub fn required(name: &str) -> String {
        format!("missing property {}", quote(name))
    }

    pub fn count(keyword: &str, got: u64, want: u64) -> String {
        format!("{keyword}: got {got}, want {want}")
    }

    pub fn pattern(s: &str, pattern: &str) -> String {
        format!("{} does not match pattern {}", quote(s), quote(pattern))
    }

    pub fn bound(keyword: &str, got: &Json, want: &Json) -> String {
        format!("{keyword}: got {got}, want {want}")
    }

    pub fn additional(names: &[&str]) -> String {
        format!(
            "additional properties {} not allowed",
            names
                .iter()
                .map(|p| quote(p))
                .collect::<Vec<_>>()
                .join(", ")
        )
    }

    fn is_primitive(v: &Json) -> bool {
        !matches!(v, Json::Array(_) | Json::Object(_))
    }

    fn display(v: &Json) -> String {
        match v {
            Json::String(s) => quote(s),
            Json::Array(_) | Json::Object(_) => "value".to_owned(),
            other => other.to_string(),
        }
    }

    /// Single-quoted, with Go-`%q`-style escapes for control characters and `'`.
    pub fn quote(s: &str) -> String {
        let mut out = String::with_capacity(s.len() + 2);
        out.push('\'');
        for c in s.chars() {
            match c {
                '\'' => out.push_str("\\'"),
                '\\' => out.push_str("\\\\"),
                '\n' => out.push_str("\\n"),
                '\r' => out.push_str("\\r"),
                '\t' => out.push_str("\\t"),
                c if c.is_control() => {
                    let _ = write!(out, "\\u{:04x}", c as u32);
                }
                c => out.push(c),
            }
        }
        out.push('\'');
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::values::yaml::parse_values;
    use crate::values::Value;

    const SCHEMA: &str = r#"{
      "$schema": "https://json-schema.org/draft/2020-12/schema",
      "type": "object",
      "properties": {
        "name": {"type": ["string", "null"]},
        "count": {"type": "integer", "minimum": 1},
        "kind": {"enum": ["A", "B"]},
        "every": {"type": "string", "pattern": "^[0-9]+m$"},
        "ref": {"type": "object", "required": ["key"], "properties": {"key": {"type": "string", "minLength": 1}}}
      }
    }"#;

    fn values(yaml: &str) -> Map {
        parse_values(yaml, "test.yaml").unwrap()
    }

    fn check(yaml: &str) -> Result<(), SchemaError> {
        validate("demo", SCHEMA, &values(yaml))
    }

    #[test]
    fn valid_values_pass() {
        check("name: x\ncount: 3\nkind: A\nevery: 15m\nref: {key: k}\nother: [1, 2]\n").unwrap();
        check("name: null\n").unwrap();
        check("").unwrap();
    }

    #[test]
    fn integral_floats_are_integers_as_in_helm() {
        // Values files give floats only; 3 must still pass "type": "integer".
        assert_eq!(values("count: 3\n").get("count"), Some(&Value::Float(3.0)));
        check("count: 3\n").unwrap();
        check("count: 3.0\n").unwrap();
        let err = check("count: 3.5\n").unwrap_err();
        assert_eq!(err.violations[0].message, "got number, want integer");
    }

    #[test]
    fn one_violation_is_formatted_like_helm() {
        let err = check("count: \"3\"\n").unwrap_err();
        assert_eq!(
            err.to_string(),
            "values don't meet the specifications of the schema(s) in the following chart(s):\n\
             demo:\n\
             - at '/count' (count): got string, want integer"
        );
    }

    #[test]
    fn every_violation_is_listed_sorted_by_path() {
        let err = check("ref: {key: \"\"}\nname: 5\nkind: C\nevery: 1d\ncount: 0\n").unwrap_err();
        let lines: Vec<&str> = err.message.lines().skip(2).collect();
        assert_eq!(
            lines,
            [
                "- at '/count' (count): minimum: got 0, want 1",
                "- at '/every' (every): '1d' does not match pattern '^[0-9]+m$'",
                "- at '/kind' (kind): value must be one of 'A', 'B'",
                "- at '/name' (name): got number, want null or string",
                "- at '/ref/key' (ref.key): minLength: got 0, want 1",
            ]
        );
        assert_eq!(err.violations.len(), 5);
    }

    #[test]
    fn missing_property_names_it() {
        let err = check("ref: {property: p}\n").unwrap_err();
        assert_eq!(
            err.violations,
            [Violation {
                path: "/ref".into(),
                message: "missing property 'key'".into()
            }]
        );
    }

    #[test]
    fn root_violation_has_the_empty_path() {
        // Helm's pointer is the parent (''); the value path names what is missing.
        let err = validate("demo", r#"{"required": ["x"]}"#, &Map::new()).unwrap_err();
        assert!(
            err.message
                .ends_with("demo:\n- at '' (x): missing property 'x'"),
            "{err}"
        );
    }

    #[test]
    fn quoting_escapes_like_go() {
        assert_eq!(messages::quote("it's\n"), "'it\\'s\\n'");
        assert_eq!(messages::quote("µs"), "'µs'");
    }

    #[test]
    fn invalid_schema_documents_name_the_file() {
        let err = validate("demo", "{not json", &Map::new()).unwrap_err();
        assert!(
            err.message
                .starts_with("demo/values.schema.json: not valid JSON"),
            "{err}"
        );
        assert!(err.violations.is_empty());
        let err = validate("demo", r#"{"type": "strin"}"#, &Map::new()).unwrap_err();
        assert!(
            err.message
                .starts_with("demo/values.schema.json: not a valid JSON Schema"),
            "{err}"
        );
        let err = parse_schema("x/values.schema.json", r#"{"pattern": "("}"#).unwrap_err();
        assert!(
            err.message
                .starts_with("x/values.schema.json: not a valid JSON Schema"),
            "{err}"
        );
    }

    #[test]
    fn conversion_keeps_every_type() {
        let mut m = Map::new();
        m.insert("i".into(), Value::Int(-4));
        m.insert("f".into(), Value::Float(1.5));
        m.insert("big".into(), Value::Float(1e20));
        m.insert("neg0".into(), Value::Float(-0.0));
        m.insert(
            "l".into(),
            Value::List(vec![Value::Null, Value::Bool(true)]),
        );
        let json = general::map_to_json(&m);
        assert_eq!(
            json,
            serde_json::json!({"i": -4, "f": 1.5, "big": 1e20, "neg0": 0, "l": [null, true]})
        );
    }
}
