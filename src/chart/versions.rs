//! The Dify chart releases built into difyx, and what tells them apart.
//!
//! Every release shares one template set (`charts/dify/templates/`). What
//! differs between releases is data, kept here and in `charts/dify/values/`:
//!
//! * [`VERSIONS`]: each release's version, appVersion and defaults overlay
//!   (`charts/dify/values/<version>.yaml`, laid over the previous
//!   release's defaults; the oldest release's are `charts/dify/values.yaml`);
//! * [`FEATURES`]: named switches the templates test as `Features.<name>`,
//!   each on from one release (and off again from another, if upstream
//!   removed it).
//!
//! `docs/chart-versions.md` says how to add a release.

/// One embedded chart release.
#[derive(Debug, PartialEq, Eq)]
pub struct ChartVersion {
    /// The chart's `version` (SemVer).
    pub version: &'static str,
    /// The chart's `appVersion` (Dify's version).
    pub app_version: &'static str,
    /// The overlay of default values this release lays over the previous
    /// release's, as YAML (a `null` deletes a default).
    pub values_overlay: &'static str,
}

/// A template switch: on for releases from `since` up to, not including,
/// `until`.
#[derive(Debug)]
pub struct Feature {
    pub name: &'static str,
    pub since: &'static str,
    pub until: Option<&'static str>,
    /// What it switches, for `docs/chart-versions.md` and reviewers.
    pub what: &'static str,
}

macro_rules! overlay {
    ($v:literal) => {
        include_str!(concat!("../../charts/dify/values/", $v, ".yaml"))
    };
}

/// The embedded releases, oldest first.
pub const VERSIONS: &[ChartVersion] = &[
    ChartVersion {
        version: "0.27.0",
        app_version: "1.6.0",
        values_overlay: "",
    },
    ChartVersion {
        version: "0.28.0",
        app_version: "1.7.1",
        values_overlay: overlay!("0.28.0"),
    },
    ChartVersion {
        version: "0.28.1",
        app_version: "1.7.1",
        values_overlay: overlay!("0.28.1"),
    },
    ChartVersion {
        version: "0.29.0",
        app_version: "1.8.1",
        values_overlay: overlay!("0.29.0"),
    },
    ChartVersion {
        version: "0.30.0",
        app_version: "1.8.1",
        values_overlay: overlay!("0.30.0"),
    },
    ChartVersion {
        version: "0.31.0",
        app_version: "1.9.1",
        values_overlay: overlay!("0.31.0"),
    },
    ChartVersion {
        version: "0.32.0",
        app_version: "1.10.0",
        values_overlay: overlay!("0.32.0"),
    },
    ChartVersion {
        version: "0.33.0",
        app_version: "1.10.0",
        values_overlay: overlay!("0.33.0"),
    },
    ChartVersion {
        version: "0.34.0",
        app_version: "1.10.1-fix.1",
        values_overlay: overlay!("0.34.0"),
    },
    ChartVersion {
        version: "0.35.0",
        app_version: "1.10.1-fix.1",
        values_overlay: overlay!("0.35.0"),
    },
    ChartVersion {
        version: "0.36.0",
        app_version: "1.12.1",
        values_overlay: overlay!("0.36.0"),
    },
    ChartVersion {
        version: "0.37.0",
        app_version: "1.14.2",
        values_overlay: overlay!("0.37.0"),
    },
    ChartVersion {
        version: "0.38.0-rc2",
        app_version: "1.16.1",
        values_overlay: overlay!("0.38.0-rc2"),
    },
];

/// The template switches, in the order they appeared upstream.
pub const FEATURES: &[Feature] = &[
    Feature {
        name: "eso_v2",
        since: "0.28.0",
        until: None,
        what: "ExternalSecret rework: global refreshInterval and decodingStrategy, \
           conversionStrategy/metadataPolicy on every remoteRef, Celery URL as template data",
    },
    Feature {
        name: "eso_otlp",
        since: "0.29.0",
        until: None,
        what: "api and worker ExternalSecrets fetch OTLP_API_KEY",
    },
    Feature {
        name: "eso_worker_code_execution",
        since: "0.37.0",
        until: None,
        what: "worker ExternalSecret fetches CODE_EXECUTION_API_KEY",
    },
    Feature {
        name: "eso_agent_backend",
        since: "0.38.0-rc2",
        until: None,
        what: "agent-backend and local-sandbox ExternalSecrets; api and worker fetch \
               AGENT_BACKEND_API_TOKEN",
    },
];

/// The release `difyx` renders without `--version`: the newest stable one.
pub fn default_version() -> &'static ChartVersion {
    VERSIONS
        .iter()
        .rev()
        .find(|v| !v.version.contains('-'))
        .expect("a stable release is embedded")
}

/// The release `--version` (and `--devel`) select, as Helm picks from a
/// repository: an exact version, or the newest release a SemVer constraint
/// matches; pre-releases only when named exactly or with `devel`.
pub fn resolve(constraint: Option<&str>, devel: bool) -> Result<&'static ChartVersion, String> {
    let Some(constraint) = constraint.map(str::trim).filter(|c| !c.is_empty()) else {
        return Ok(if devel {
            VERSIONS.last().expect("releases are embedded")
        } else {
            default_version()
        });
    };
    find(constraint.strip_prefix('v').unwrap_or(constraint)).ok_or_else(|| {
        format!(
            "chart \"dify\" matching {constraint} not found: the embedded releases are {} \
             (difyx show versions lists them)",
            VERSIONS
                .iter()
                .map(|v| v.version)
                .collect::<Vec<_>>()
                .join(", ")
        )
    })
}

/// The embedded release with exactly this version.
pub fn find(version: &str) -> Option<&'static ChartVersion> {
    VERSIONS.iter().find(|v| v.version == version)
}

impl ChartVersion {
    /// Position in [`VERSIONS`]; releases are compared by it.
    pub fn index(&self) -> usize {
        VERSIONS
            .iter()
            .position(|v| v.version == self.version)
            .expect("an embedded release")
    }

    /// The names of the features this release has.
    pub fn features(&self) -> Vec<&'static str> {
        let at = |v: &str| {
            find(v)
                .expect("feature bounds name embedded releases")
                .index()
        };
        let me = self.index();
        FEATURES
            .iter()
            .filter(|f| at(f.since) <= me && f.until.is_none_or(|u| me < at(u)))
            .map(|f| f.name)
            .collect()
    }

    /// Whether this release has the feature `name`.
    pub fn has(&self, name: &str) -> bool {
        self.features().contains(&name)
    }

    /// This release's `Chart.yaml`.
    pub fn chart_yaml(&self) -> String {
        format!(
            "apiVersion: v2\n\
             name: dify\n\
             description: Instant cloud deployment for https://github.com/langgenius/dify.\n\
             type: application\n\
             version: {}\n\
             appVersion: \"{}\"\n",
            self.version, self.app_version
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_are_listed_oldest_first_and_unique() {
        for pair in VERSIONS.windows(2) {
            let (a, b) = (
                semver::Version::parse(pair[0].version).unwrap(),
                semver::Version::parse(pair[1].version).unwrap(),
            );
            assert!(a < b, "{a} before {b}");
        }
    }

    #[test]
    fn feature_bounds_name_embedded_releases() {
        for f in FEATURES {
            assert!(find(f.since).is_some(), "{}: since {}", f.name, f.since);
            if let Some(u) = f.until {
                assert!(find(u).is_some(), "{}: until {u}", f.name);
                assert!(find(u).unwrap().index() > find(f.since).unwrap().index());
            }
        }
    }

    #[test]
    fn the_default_is_the_newest_stable_release() {
        assert_eq!(default_version().version, "0.37.0");
    }

    #[test]
    fn features_accumulate() {
        assert!(!find("0.27.0").unwrap().has("eso_v2"));
        assert!(find("0.28.0").unwrap().has("eso_v2"));
        assert!(find("0.38.0-rc2").unwrap().has("eso_v2"));
    }
}
