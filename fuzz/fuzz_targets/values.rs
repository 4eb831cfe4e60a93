//! Values parsing and merging: any text either fails cleanly or gives values
//! that survive coalescing over the chart defaults and a YAML round trip;
//! the fast block reader agrees with serde-saphyr on every input; and the
//! lazy reading of the embedded chart's shape takes only what the full
//! reading takes, and gives its values less entries left out.
#![no_main]

use difyx::chart::Chart;
use difyx::values::emit::to_yaml;
use difyx::values::merge::coalesce;
use difyx::values::yaml::{parse_values, parse_values_projected, parse_values_reference};
use difyx::values::{Map, Value};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let parsed = parse_values(text, "fuzz.yaml");
    let reference = parse_values_reference(text, "fuzz.yaml");
    match (&parsed, &reference) {
        (Ok(a), Ok(b)) => assert_eq!(a, b, "fast reader differs on:\n{text}"),
        (Err(_), Err(_)) => {}
        _ => panic!("fast reader and serde-saphyr disagree on success for:\n{text}\n{parsed:?}\n{reference:?}"),
    }
    let chart = Chart::embedded();
    if let Some((projected, _)) = difyx::values::shape::EMBEDDED
        .and_then(|shape| parse_values_projected(text, shape, &chart.values))
    {
        let full = parsed.as_ref().unwrap_or_else(|e| {
            panic!("the lazy reading took what the full one rejects:\n{text}\n{e}")
        });
        within(&projected, full, text);
    }
    let Ok(user) = parsed else { return };
    let merged = coalesce(&chart.name, &chart.values, user, &mut Vec::new());
    let tree = Value::Map(merged);
    let emitted = to_yaml(&tree);
    let again = parse_values(&emitted, "emitted.yaml").expect("emitted values parse");
    assert_eq!(Value::Map(again), tree, "round trip of:\n{emitted}");
});

/// Every entry of `part` is in `whole`, maps compared the same way.
fn within(part: &Map, whole: &Map, text: &str) {
    for (k, v) in part.iter() {
        match (v, whole.get(k)) {
            (Value::Map(p), Some(Value::Map(w))) => within(p, w, text),
            (v, Some(w)) => assert_eq!(v, w, "lazy reading differs at {k} on:\n{text}"),
            (_, None) => panic!("lazy reading invented {k} on:\n{text}"),
        }
    }
}
