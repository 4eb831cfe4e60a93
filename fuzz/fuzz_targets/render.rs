//! A whole render of the embedded chart: any values file either fails with
//! an error or gives documents that each parse as one mapping.
#![no_main]

use difyx::chart::Chart;
use difyx::engine::Release;
use difyx::pipeline::{template, Options, UserValues};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let user = UserValues::file("fuzz.yaml", text.to_owned());
    let opts = Options::new(Release::install("dify", "dify"));
    if let Ok(out) = template(&Chart::embedded(), &user, &opts) {
        // Every document was re-parsed by the pipeline; the stream must split
        // back into exactly those documents.
        let markers = out.text.lines().filter(|l| *l == "---").count();
        assert_eq!(markers, out.manifests.len(), "{}", out.text);
    }
});
