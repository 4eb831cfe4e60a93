//! The in-place schema evaluator against the jsonschema crate: for any
//! values text that parses, both report the same violations, on the chart's
//! schema (merged over the chart defaults, as renders see values) and on a
//! schema using every keyword the evaluator implements (the bare values).
#![no_main]

use std::sync::OnceLock;

use difyx::chart::Chart;
use difyx::values::merge::coalesce;
use difyx::values::schema::{parse_schema_with, Schema, Validator};
use difyx::values::yaml::parse_values;
use libfuzzer_sys::fuzz_target;

const CHART_SCHEMA: &str = include_str!("../../charts/dify/values.schema.json");

const EVERY_KEYWORD: &str = r##"{
  "$schema": "http://json-schema.org/draft-07/schema#",
  "type": "object", "minProperties": 1, "maxProperties": 8,
  "definitions": {
    "leaf": {"type": ["string", "number", "null"], "minLength": 2, "maxLength": 4, "pattern": "^[a-c]+$",
             "minimum": 1, "maximum": 10, "exclusiveMinimum": 0, "exclusiveMaximum": 9.5},
    "tree": {"anyOf": [{"$ref": "#/definitions/leaf"}, {"type": "object", "additionalProperties": {"$ref": "#/definitions/tree"}}]}
  },
  "properties": {
    "a": {"$ref": "#/definitions/leaf"},
    "b": {"type": "array", "items": {"$ref": "#/definitions/leaf"}, "minItems": 1, "maxItems": 3},
    "c": {"type": "array", "items": [{"const": "x"}, {"enum": [1, "y", null, [], {}]}]},
    "d": {"if": {"type": "string"}, "then": {"enum": ["p", "q"]}, "else": {"type": "integer"}},
    "e": {"allOf": [{"minimum": 2}, {"maximum": 3}], "not": {"const": 2.5}},
    "f": {"$ref": "#/definitions/tree"},
    "g": {"type": "object", "properties": {"x": false}, "additionalProperties": false, "required": ["y"]},
    "i": {"const": {"k": [1, 2]}}
  },
  "patternProperties": {"^k": {"type": "string"}},
  "additionalProperties": {"type": ["string", "integer", "object"]}
}"##;

struct Pair {
    fast: Schema,
    general: Schema,
}

fn pair(text: &str) -> Pair {
    let fast = parse_schema_with("fuzz", text, Validator::Auto).unwrap();
    assert!(fast.is_fast());
    let general = parse_schema_with("fuzz", text, Validator::General).unwrap();
    Pair { fast, general }
}

fn schemas() -> &'static (Chart, Pair, Pair) {
    static SCHEMAS: OnceLock<(Chart, Pair, Pair)> = OnceLock::new();
    SCHEMAS.get_or_init(|| (Chart::embedded(), pair(CHART_SCHEMA), pair(EVERY_KEYWORD)))
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let Ok(user) = parse_values(text, "fuzz.yaml") else { return };
    let (chart, chart_schema, every_keyword) = schemas();
    assert_eq!(
        every_keyword.fast.violations(&user),
        every_keyword.general.violations(&user),
        "every-keyword schema, values:\n{text}"
    );
    let merged = coalesce(&chart.name, &chart.values, user, &mut Vec::new());
    assert_eq!(
        chart_schema.fast.violations(&merged),
        chart_schema.general.violations(&merged),
        "chart schema, values:\n{text}"
    );
});
