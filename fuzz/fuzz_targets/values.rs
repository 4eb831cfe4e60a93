//! Values parsing and merging: any text either fails cleanly or gives values
//! that survive coalescing over the chart defaults and a YAML round trip.
#![no_main]

use difyx::chart::Chart;
use difyx::values::emit::to_yaml;
use difyx::values::merge::coalesce;
use difyx::values::yaml::parse_values;
use difyx::values::Value;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let Ok(user) = parse_values(text, "fuzz.yaml") else { return };
    let chart = Chart::embedded();
    let merged = coalesce(&chart.name, &chart.values, user, &mut Vec::new());
    let tree = Value::Map(merged);
    let emitted = to_yaml(&tree);
    let again = parse_values(&emitted, "emitted.yaml").expect("emitted values parse");
    assert_eq!(Value::Map(again), tree, "round trip of:\n{emitted}");
});
