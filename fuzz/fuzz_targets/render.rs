//! A whole render of the embedded chart: any values file either fails with
//! an error or gives documents that each parse as one mapping.
#![no_main]

use difyx::chart::Chart;
use difyx::engine::{Capabilities, Release};
use difyx::pipeline::{template, Options, UserValues, ValuesFile};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let user = UserValues {
        files: vec![ValuesFile { name: "fuzz.yaml".into(), text: text.to_owned().into() }],
        sets: vec![],
    };
    let opts = Options {
        release: Release { name: "dify".into(), namespace: "dify".into(), is_upgrade: false, revision: 1 },
        capabilities: Capabilities::default(),
        show_only: vec![],
        strict: false,
        skip_schema_validation: false,
    };
    if let Ok(out) = template(&Chart::embedded(), &user, &opts) {
        // Every document was re-parsed by the pipeline; the stream must split
        // back into exactly those documents.
        let markers = out.text.lines().filter(|l| *l == "---").count();
        assert_eq!(markers, out.manifests.len(), "{}", out.text);
    }
});
