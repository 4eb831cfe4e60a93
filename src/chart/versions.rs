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
#[derive(Clone, Debug, PartialEq, Eq)]
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
        name: "s3_eso_gate",
        since: "0.28.0",
        until: None,
        what: "plain api/worker Secrets: S3 keys only while externalSecret.enabled is off; otherwise the storage chain falls through to the next provider",
    },
    Feature {
        name: "es_vector",
        since: "0.28.1",
        until: None,
        what: "plain Secrets: Elasticsearch branch of the vector block (after TableStore)",
    },
    Feature {
        name: "otlp",
        since: "0.29.0",
        until: None,
        what: "api and worker ExternalSecrets fetch OTLP_API_KEY; plain api/worker Secrets: OTLP_API_KEY from api.otel while ESO is off globally",
    },
    Feature {
        name: "tos_plugin_key_renamed",
        since: "0.29.0",
        until: None,
        what: "plain plugin-daemon Secret: PLUGIN_VOLCENGINE_TOS_SECRET_KEY becomes VOLCENGINE_TOS_SECRET_KEY",
    },
    Feature {
        name: "plugin_azure",
        since: "0.30.0",
        until: None,
        what: "plain plugin-daemon Secret: Azure connection string (url must be http:// or https://)",
    },
    Feature {
        name: "azure_r2_fail",
        since: "0.30.0",
        until: Some("0.32.0"),
        what: "plain plugin-daemon Secret: an Azure url on .r2.cloudflarestorage.com fails",
    },
    Feature {
        name: "redis_sentinel",
        since: "0.31.0",
        until: None,
        what: "plain Secrets: Redis Sentinel (external and built-in) in the Redis and Celery blocks",
    },
    Feature {
        name: "celery_db_index",
        since: "0.33.0",
        until: None,
        what: "plain Secrets: external Redis Celery URL ends in externalRedis.db.celery, not /1",
    },
    Feature {
        name: "external_mysql",
        since: "0.34.0",
        until: None,
        what: "plain Secrets: externalMysql branch of the DB block",
    },
    Feature {
        name: "secret_labels",
        since: "0.35.0",
        until: None,
        what: "plain Secrets carry the chart labels and a bare component label",
    },
    Feature {
        name: "global_fallbacks",
        since: "0.35.0",
        until: None,
        what: "plain Secrets: empty keys fall back to global.appSecretKey / global.internalApiKey",
    },
    Feature {
        name: "secret_key_global_only",
        since: "0.36.0",
        until: None,
        what: "plain Secrets: SECRET_KEY from global.appSecretKey only (api.secretKey ignored)",
    },
    Feature {
        name: "redis_fullname",
        since: "0.36.0",
        until: None,
        what: "plain Secrets: built-in Redis hosts follow the Bitnami subchart's fullname",
    },
    Feature {
        name: "worker_code_execution",
        since: "0.37.0",
        until: None,
        what: "worker ExternalSecret fetches CODE_EXECUTION_API_KEY; plain worker Secret: CODE_EXECUTION_API_KEY",
    },
    Feature {
        name: "agent_backend",
        since: "0.38.0-rc2",
        until: None,
        what: "agent-backend and local-sandbox ExternalSecrets; api and worker fetch \
               AGENT_BACKEND_API_TOKEN; plain agent-backend and local-sandbox Secrets, AGENT_BACKEND_API_TOKEN, inner API key from api.auth.internalApiKey",
    },
    Feature {
        name: "s3_use_iam",
        since: "0.38.0-rc2",
        until: None,
        what: "plain Secrets: externalS3.useIAM drops the static S3/AWS keys; S3 ends the storage chain",
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

/// The release `--version` (and `--devel`) select, as Helm picks a chart
/// from a repository index (`repo.IndexFile.Get` after `LocateChart`):
///
/// * no version: the newest stable release; with `devel`, the constraint
///   `>0.0.0-0`, i.e. the newest release, pre-releases included;
/// * a version equal to a release's, character for character, selects it
///   (`0.38.0-rc2`);
/// * anything else is a SemVer constraint ([`super::constraint`]: `^0.36`,
///   `~0.37.0`, `>=0.30.0 <0.33.0`, `0.3x || 0.27.0`, ...) and selects the
///   newest release it matches. A release with a pre-release matches only a
///   constraint that names a pre-release; `devel` does not change that, as
///   Helm ignores `--devel` when a version is given.
pub fn resolve(constraint: Option<&str>, devel: bool) -> Result<&'static ChartVersion, String> {
    let given = constraint.map(str::trim).filter(|c| !c.is_empty());
    if let Some(exact) = given.and_then(find) {
        return Ok(exact);
    }
    let text = match given {
        Some(c) => c,
        None if devel => ">0.0.0-0",
        None => return Ok(default_version()),
    };
    let list = || {
        VERSIONS
            .iter()
            .map(|v| v.version)
            .collect::<Vec<_>>()
            .join(", ")
    };
    let parsed = super::constraint::Constraint::parse(text)
        .map_err(|e| format!("--version: {e}; the embedded releases are {}", list()))?;
    VERSIONS
        .iter()
        .rev()
        .find(|v| super::constraint::parse_version(v.version).is_some_and(|sv| parsed.matches(&sv)))
        .ok_or_else(|| {
            format!(
                "chart \"dify\" matching {text} not found: the embedded releases are {} \
                 (difyx show versions lists them; pre-releases match only a constraint \
                 that names one, such as >=0.38.0-0)",
                list()
            )
        })
}

/// The embedded release with exactly this version.
pub fn find(version: &str) -> Option<&'static ChartVersion> {
    VERSIONS.iter().find(|v| v.version == version)
}

impl ChartVersion {
    /// The chart's version as SemVer.
    pub fn semver(&self) -> semver::Version {
        semver::Version::parse(self.version).expect("embedded versions are SemVer (tested)")
    }

    /// The overlays that make this release's defaults, oldest first: every
    /// embedded release before it, then its own. A release that is not
    /// (yet) in [`VERSIONS`] gets the same treatment.
    pub fn overlays(&self) -> impl Iterator<Item = &ChartVersion> {
        let me = self.semver();
        VERSIONS
            .iter()
            .filter(move |v| v.semver() < me)
            .chain(std::iter::once(self))
    }

    /// Whether this release is `since` or later, and before `until`.
    pub fn within(&self, since: &str, until: Option<&str>) -> bool {
        let me = self.semver();
        let at = |v: &str| semver::Version::parse(v).expect("release bounds are SemVer");
        at(since) <= me && until.is_none_or(|u| me < at(u))
    }

    /// The names of the features this release has.
    pub fn features(&self) -> Vec<&'static str> {
        FEATURES
            .iter()
            .filter(|f| self.within(f.since, f.until))
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
             appVersion: \"{}\"\n{}",
            self.version,
            self.app_version,
            super::dependencies_yaml(self)
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
                assert!(find(u).unwrap().semver() > find(f.since).unwrap().semver());
            }
        }
    }

    #[test]
    fn the_default_is_the_newest_stable_release() {
        assert_eq!(default_version().version, "0.37.0");
    }

    fn pick(c: Option<&str>, devel: bool) -> Result<&'static str, String> {
        resolve(c, devel).map(|v| v.version)
    }

    #[test]
    fn resolve_follows_helm() {
        assert_eq!(pick(None, false).unwrap(), "0.37.0");
        assert_eq!(pick(Some(""), false).unwrap(), "0.37.0");
        assert_eq!(pick(None, true).unwrap(), "0.38.0-rc2");
        assert_eq!(pick(Some("0.30.0"), false).unwrap(), "0.30.0");
        assert_eq!(pick(Some("v0.30.0"), false).unwrap(), "0.30.0");
        assert_eq!(pick(Some("0.38.0-rc2"), false).unwrap(), "0.38.0-rc2");
        assert_eq!(pick(Some("^0.36"), false).unwrap(), "0.36.0");
        assert_eq!(pick(Some("^0.28.0"), false).unwrap(), "0.28.1");
        assert_eq!(pick(Some("~0.37.0"), false).unwrap(), "0.37.0");
        assert_eq!(pick(Some(">=0.30.0 <0.33.0"), false).unwrap(), "0.32.0");
        assert_eq!(pick(Some(">=0.30, <0.33"), false).unwrap(), "0.32.0");
        assert_eq!(pick(Some("0.27.0 || 0.29.x"), false).unwrap(), "0.29.0");
        assert_eq!(pick(Some("0.28.x"), false).unwrap(), "0.28.1");
        assert_eq!(pick(Some("0.x"), false).unwrap(), "0.37.0");
        assert_eq!(pick(Some("*"), true).unwrap(), "0.37.0");
        assert_eq!(pick(Some("0.30.0 - 0.34.0"), false).unwrap(), "0.34.0");
        assert_eq!(pick(Some(">=0.37.0-0"), false).unwrap(), "0.38.0-rc2");
        assert_eq!(pick(Some("~0.38.0-rc1"), false).unwrap(), "0.38.0-rc2");
        // --devel does not widen a given constraint (Helm ignores it then).
        assert_eq!(pick(Some(">=0.37.0"), true).unwrap(), "0.37.0");
        let err = pick(Some("0.38.0"), false).unwrap_err();
        assert!(err.contains("matching 0.38.0 not found"), "{err}");
        assert!(err.contains("0.27.0, 0.28.0"), "{err}");
        let err = pick(Some("latest"), false).unwrap_err();
        assert!(
            err.contains("\"latest\" is not a version constraint"),
            "{err}"
        );
    }

    #[test]
    fn features_accumulate() {
        assert!(!find("0.27.0").unwrap().has("eso_v2"));
        assert!(find("0.28.0").unwrap().has("eso_v2"));
        assert!(find("0.38.0-rc2").unwrap().has("eso_v2"));
    }
}
