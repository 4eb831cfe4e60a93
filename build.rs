//! Embeds the chart's `values.schema.json` without its annotations.
//!
//! The schema is read at every render; two thirds of its 110 KB are
//! descriptions for people, which the JSON parser would read and allocate
//! only to throw them away. `charts/dify/values.schema.json` stays the
//! source; `$OUT_DIR/values.schema.min.json` is what the binary embeds, and
//! `src/chart` tests that it validates as the source does.

use std::path::Path;

include!("src/chart/annotations.rs");

fn main() {
    let source = "charts/dify/values.schema.json";
    println!("cargo::rerun-if-changed={source}");
    println!("cargo::rerun-if-changed=src/chart/annotations.rs");
    let text = std::fs::read_to_string(source).unwrap_or_else(|e| panic!("{source}: {e}"));
    let mut schema: serde_json::Value =
        serde_json::from_str(&text).unwrap_or_else(|e| panic!("{source}: {e}"));
    strip_annotations(&mut schema);
    let out = Path::new(&std::env::var("OUT_DIR").expect("cargo sets OUT_DIR"))
        .join("values.schema.min.json");
    std::fs::write(&out, schema.to_string()).unwrap_or_else(|e| panic!("{}: {e}", out.display()));
}
