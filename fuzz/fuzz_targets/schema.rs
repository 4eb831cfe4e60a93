//! The schema check on any values text that parses: the `jsonschema` crate
//! never panics on the chart's schema (merged over the chart defaults, as
//! renders see values), and the violations come out sorted and unique.
#![no_main]

use std::sync::OnceLock;

use difyx::chart::Chart;
use difyx::values::merge::coalesce;
use difyx::values::schema::{parse_schema, Schema};
use difyx::values::yaml::parse_values;
use libfuzzer_sys::fuzz_target;

const CHART_SCHEMA: &str = include_str!("../../charts/dify/values.schema.json");

fn schema() -> &'static (Chart, Schema) {
    static SCHEMA: OnceLock<(Chart, Schema)> = OnceLock::new();
    SCHEMA.get_or_init(|| (Chart::embedded(), parse_schema("fuzz", CHART_SCHEMA).unwrap()))
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let Ok(user) = parse_values(text, "fuzz.yaml") else { return };
    let (chart, schema) = schema();
    let merged = coalesce(&chart.name, &chart.values, user, &mut Vec::new());
    let violations = schema.violations(&merged);
    assert!(violations.windows(2).all(|w| w[0] < w[1]), "values:\n{text}");
});
