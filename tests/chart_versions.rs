//! The embedded chart releases, and what adding the next one takes
//! (`docs/chart-versions.md`): one row in `VERSIONS`, one defaults overlay,
//! and, where the templates changed, `FEATURES` rows.

mod common;

use difyx::chart::versions::{ChartVersion, FEATURES, VERSIONS};
use difyx::chart::Chart;
use difyx::engine::Release;
use difyx::pipeline::{template, Options, UserValues};

/// Every release `../shared/upstream/` holds is embedded, and nothing else:
/// a new upstream release fails this test until it is added.
#[test]
fn every_upstream_release_is_embedded() {
    let dir = common::shared_dir().join("upstream");
    let mut upstream: Vec<String> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .filter_map(|e| e.ok())
        .filter(|e| e.path().join("Chart.yaml").is_file())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    upstream.sort_by_key(|v| semver::Version::parse(v).unwrap());
    let embedded: Vec<&str> = VERSIONS.iter().map(|v| v.version).collect();
    assert_eq!(upstream, embedded);
}

/// The docs list every release: `docs/chart-versions.md` and the README's
/// version table.
#[test]
fn the_docs_list_every_release() {
    for doc in ["docs/chart-versions.md", "README.md"] {
        let text = std::fs::read_to_string(common::repo_dir().join(doc)).unwrap();
        for v in VERSIONS {
            let row = format!("| {} |", v.version);
            assert!(text.contains(&row), "{doc} has no table row `{row}`");
        }
    }
}

/// What `docs/chart-versions.md` promises: a release that is not in the
/// table yet, given as data alone (a version, an appVersion, an overlay),
/// renders — newest templates, its own labels, its defaults overlay laid
/// over every earlier release's.
#[test]
fn a_new_release_is_data() {
    let newest = VERSIONS.last().unwrap();
    let next = ChartVersion {
        version: "0.99.0",
        app_version: "9.9.9",
        values_overlay: "externalSecret:\n  secretStore:\n    name: from-the-overlay\n",
    };
    let chart = Chart::embedded(&next);
    assert_eq!(chart.version, "0.99.0");
    let still_on: Vec<&str> = FEATURES
        .iter()
        .filter(|f| f.until.is_none())
        .map(|f| f.name)
        .collect();
    assert_eq!(
        chart.features, still_on,
        "every switch not yet removed is on"
    );
    let user = UserValues::file("v.yaml", "externalSecret:\n  enabled: true\n");
    let opts = Options::new(Release::install("dify", "dify"));
    let out = template(&chart, &user, &opts).unwrap();
    assert!(out.text.contains("helm.sh/chart: dify-0.99.0"));
    assert!(out.text.contains("name: from-the-overlay"));
    // Apart from the labels and the overlay, it renders what the newest does.
    let same = template(&Chart::embedded(newest), &user, &opts)
        .unwrap()
        .text;
    let normalise = |t: &str| {
        t.replace("0.99.0", newest.version)
            .replace("9.9.9", newest.app_version)
            .replace("from-the-overlay", "vault-backend")
    };
    let store = Chart::embedded(newest).values;
    let default_store = store
        .get("externalSecret")
        .and_then(|e| e.lookup(["secretStore", "name"]))
        .and_then(|v| v.as_str())
        .unwrap()
        .to_owned();
    assert_eq!(
        normalise(&out.text).replace("vault-backend", &default_store),
        same
    );
}
