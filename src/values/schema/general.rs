//! The validator: the `jsonschema` crate, with violations worded as Helm
//! words them.

use jsonschema::error::{TypeKind, ValidationErrorKind};
use jsonschema::{ValidationError, Validator};
use serde_json::Value as Json;

use super::{messages, schema_file_error, SchemaError, Violation};
use crate::values::{Map, Value};

/// A schema compiled by the `jsonschema` crate.
pub struct General {
    validator: Validator,
}

impl std::fmt::Debug for General {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("General").finish_non_exhaustive()
    }
}

impl General {
    /// Compiles `doc`; a document that is not a valid JSON Schema is an
    /// error naming `source`.
    pub fn compile(source: &str, doc: &Json) -> Result<General, SchemaError> {
        let validator = jsonschema::validator_for(doc).map_err(|e| {
            let at = e.instance_path().as_str();
            let at = if at.is_empty() {
                String::new()
            } else {
                format!(" at '{at}'")
            };
            schema_file_error(format!("{source}: not a valid JSON Schema{at}: {e}"))
        })?;
        Ok(General { validator })
    }

    /// Every violation in `values`, unsorted.
    pub fn violations(&self, values: &Map) -> Vec<Violation> {
        let instance = map_to_json(values);
        self.validator
            .iter_errors(&instance)
            .map(|e| Violation {
                path: e.instance_path().as_str().to_owned(),
                message: message(&e),
            })
            .collect()
    }
}

/// The values as JSON, as Helm hands them to the validator. Numbers are
/// float64 in Helm; one holding an integer is written as a JSON integer so
/// that `"type": "integer"` accepts it, as in Helm.
pub fn to_json(v: &Value) -> Json {
    match v {
        Value::Null => Json::Null,
        Value::Bool(b) => Json::Bool(*b),
        Value::Int(i) => Json::from(*i),
        Value::Float(f) => float_to_json(*f),
        Value::String(s) => Json::String(s.clone()),
        Value::List(l) => Json::Array(l.iter().map(to_json).collect()),
        Value::Map(m) => map_to_json(m),
    }
}

pub(super) fn map_to_json(m: &Map) -> Json {
    Json::Object(m.iter().map(|(k, v)| (k.clone(), to_json(v))).collect())
}

fn float_to_json(f: f64) -> Json {
    // 2^63: every integral float below it in magnitude fits an i64 exactly.
    const LIMIT: f64 = 9_223_372_036_854_775_808.0;
    if f.fract() == 0.0 && f.abs() < LIMIT {
        Json::from(f as i64)
    } else {
        // YAML and JSON values never hold NaN or infinities (Helm rejects them).
        serde_json::Number::from_f64(f).map_or(Json::Null, Json::Number)
    }
}

/// The message for one violation, in the wording both validators share
/// ([`messages`]); jsonschema's own text for keywords only this one checks.
fn message(e: &ValidationError<'_>) -> String {
    let instance = e.instance();
    let count = |keyword: &str, got: usize, limit: u64| messages::count(keyword, got as u64, limit);
    let str_len = || instance.as_str().map_or(0, |s| s.chars().count());
    let array_len = || instance.as_array().map_or(0, Vec::len);
    let object_len = || instance.as_object().map_or(0, serde_json::Map::len);
    match e.kind() {
        ValidationErrorKind::Type { kind } => {
            let want: Vec<&str> = match kind {
                TypeKind::Single(t) => vec![t.as_str()],
                TypeKind::Multiple(set) => set.iter().map(|t| t.as_str()).collect(),
            };
            messages::types(type_of(instance), &want)
        }
        ValidationErrorKind::Enum { options } => match options.as_array() {
            Some(opts) => messages::enumeration(opts),
            None => "enum failed".to_owned(),
        },
        ValidationErrorKind::Constant { expected_value } => messages::constant(expected_value),
        ValidationErrorKind::Pattern { pattern } => match instance.as_str() {
            Some(s) => messages::pattern(s, pattern),
            None => e.to_string(),
        },
        ValidationErrorKind::Required { property } => match property.as_str() {
            Some(p) => messages::required(p),
            None => e.to_string(),
        },
        ValidationErrorKind::MinLength { limit } => count("minLength", str_len(), *limit),
        ValidationErrorKind::MaxLength { limit } => count("maxLength", str_len(), *limit),
        ValidationErrorKind::MinItems { limit } => count("minItems", array_len(), *limit),
        ValidationErrorKind::MaxItems { limit } => count("maxItems", array_len(), *limit),
        ValidationErrorKind::MinProperties { limit } => {
            count("minProperties", object_len(), *limit)
        }
        ValidationErrorKind::MaxProperties { limit } => {
            count("maxProperties", object_len(), *limit)
        }
        ValidationErrorKind::Minimum { limit } => messages::bound("minimum", instance, limit),
        ValidationErrorKind::Maximum { limit } => messages::bound("maximum", instance, limit),
        ValidationErrorKind::ExclusiveMinimum { limit } => {
            messages::bound("exclusiveMinimum", instance, limit)
        }
        ValidationErrorKind::ExclusiveMaximum { limit } => {
            messages::bound("exclusiveMaximum", instance, limit)
        }
        ValidationErrorKind::AdditionalProperties { unexpected } => {
            let names: Vec<&str> = unexpected.iter().map(String::as_str).collect();
            messages::additional(&names)
        }
        ValidationErrorKind::FalseSchema => messages::FALSE_SCHEMA.to_owned(),
        ValidationErrorKind::AnyOf { .. } => messages::ANY_OF.to_owned(),
        ValidationErrorKind::Not { .. } => messages::NOT.to_owned(),
        ValidationErrorKind::OneOfNotValid { .. } => "oneOf failed, none matched".to_owned(),
        ValidationErrorKind::OneOfMultipleValid { .. } => {
            "oneOf failed, more than one matched".to_owned()
        }
        _ => e.to_string(),
    }
}

/// A JSON type name as the Helm validator reports it: every number is a "number".
fn type_of(v: &Json) -> &'static str {
    match v {
        Json::Null => "null",
        Json::Bool(_) => "boolean",
        Json::Number(_) => "number",
        Json::String(_) => "string",
        Json::Array(_) => "array",
        Json::Object(_) => "object",
    }
}
