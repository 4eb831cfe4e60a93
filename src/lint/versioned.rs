//! What the chosen chart release makes of values written for another one
//! (CHART-VERSIONS §V, V11–V16): the data (which release reads which value
//! path, which keys each ExternalSecret supports) and the diagnostics over
//! the final values. `difyx template` prints them as warnings, `difyx lint`
//! reports them as DFX060–DFX063, and `difyx upgrade-diff` lists the paths
//! whose meaning changes between two releases from the same table.

use crate::chart::versions::{self, ChartVersion};
use crate::values::{Map, Value};

/// The releases a value path is read in: `[since, until)`, by embedded
/// release (`None` = open end). `NEVER` for a path no release reads.
#[derive(Clone, Copy, Debug)]
pub struct Span {
    pub since: Option<&'static str>,
    pub until: Option<&'static str>,
}

const NEVER: Span = Span {
    since: Some("never"),
    until: None,
};

const fn since(v: &'static str) -> Span {
    Span {
        since: Some(v),
        until: None,
    }
}

const fn until(v: &'static str) -> Span {
    Span {
        since: None,
        until: Some(v),
    }
}

impl Span {
    /// Whether the release `v` reads the path.
    pub fn reads(&self, v: &ChartVersion) -> bool {
        let me = position(v);
        let from = match self.since {
            Some("never") => return false,
            Some(s) => index(s),
            None => 0,
        };
        from <= me && self.until.is_none_or(|u| me < index(u))
    }

    /// "from 0.28.0", "up to 0.27.0", "by no release", "in 0.29.0–0.33.0".
    pub fn describe(&self) -> String {
        let last_before = |u: &str| versions::VERSIONS[index(u) - 1].version;
        match (self.since, self.until) {
            (Some("never"), _) => "by no release".to_owned(),
            (Some(s), None) => format!("from {s} on"),
            (None, Some(u)) => format!("up to {}", last_before(u)),
            (Some(s), Some(u)) => format!("in {s} to {}", last_before(u)),
            (None, None) => "by every release".to_owned(),
        }
    }
}

fn index(v: &str) -> usize {
    position(versions::find(v).unwrap_or_else(|| panic!("{v} is not an embedded release")))
}

/// Where a release is in [`versions::VERSIONS`] (oldest first).
fn position(v: &ChartVersion) -> usize {
    versions::VERSIONS
        .iter()
        .position(|x| x.version == v.version)
        .expect("an embedded release")
}

/// A value path only some releases read (the V16 table, and the paths
/// later releases added), and the paths that took over its job.
#[derive(Clone, Debug)]
pub struct Reader {
    /// Dotted path; the whole subtree counts.
    pub path: String,
    pub span: Span,
    /// The paths that do the same job in other releases.
    pub replaced_by: Vec<String>,
}

fn reader(path: &str, span: Span, replaced_by: &[&str]) -> Reader {
    Reader {
        path: path.to_owned(),
        span,
        replaced_by: replaced_by.iter().map(|s| (*s).to_owned()).collect(),
    }
}

/// The ExternalSecrets whose per-service refreshInterval 0.27.0 reads.
const ESO_SERVICES: [&str; 6] = [
    "api",
    "worker",
    "sandbox",
    "pluginDaemon",
    "postgresql",
    "redis",
];

/// Every value path the secret layer reads in some releases only.
pub fn readers() -> Vec<Reader> {
    let mut out = Vec::new();
    for svc in ESO_SERVICES {
        out.push(reader(
            &format!("externalSecret.{svc}.refreshInterval"),
            until("0.28.0"),
            &["externalSecret.refreshInterval"],
        ));
    }
    for svc in ["agentBackend", "localSandbox"] {
        out.push(reader(
            &format!("externalSecret.{svc}.refreshInterval"),
            NEVER,
            &["externalSecret.refreshInterval"],
        ));
    }
    out.push(reader(
        "externalSecret.refreshInterval",
        since("0.28.0"),
        &["externalSecret.<service>.refreshInterval"],
    ));
    out.push(reader(
        "externalSecret.decodingStrategy",
        since("0.28.0"),
        &[],
    ));
    for svc in ["api", "worker"] {
        out.push(reader(
            &format!("externalSecret.{svc}.remoteRefs.CELERY_BROKER_URL"),
            until("0.28.0"),
            &[&format!("externalSecret.{svc}.data.CELERY_BROKER_URL")],
        ));
        out.push(reader(
            &format!("externalSecret.{svc}.data.CELERY_BROKER_URL"),
            since("0.28.0"),
            &[&format!(
                "externalSecret.{svc}.remoteRefs.CELERY_BROKER_URL"
            )],
        ));
    }
    out.push(reader(
        "externalSecret.elasticsearch",
        NEVER,
        &[
            "externalSecret.api.remoteRefs.ELASTICSEARCH_USERNAME",
            "externalSecret.pluginDaemon.remoteRefs.ELASTICSEARCH_USERNAME",
        ],
    ));
    out.push(reader(
        "api.secretKey",
        until("0.36.0"),
        &["global.appSecretKey"],
    ));
    out.push(reader(
        "global.appSecretKey",
        since("0.35.0"),
        &["api.secretKey"],
    ));
    out.push(reader(
        "global.internalApiKey",
        since("0.35.0"),
        &[
            "sandbox.auth.apiKey",
            "pluginDaemon.auth.serverKey",
            "pluginDaemon.auth.difyApiKey",
        ],
    ));
    out.push(reader(
        "pluginDaemon.auth.difyApiKey",
        until("0.38.0-rc2"),
        &["api.auth.internalApiKey"],
    ));
    out.push(reader(
        "api.auth.internalApiKey",
        since("0.38.0-rc2"),
        &["pluginDaemon.auth.difyApiKey"],
    ));
    out.push(reader(
        "externalMyScaleDB.user",
        NEVER,
        &["externalMyScaleDB.username"],
    ));
    out.push(reader("api.otel.apiKey", since("0.29.0"), &[]));
    out.push(reader(
        "externalElasticsearch.username",
        since("0.28.1"),
        &[],
    ));
    out.push(reader(
        "externalElasticsearch.password",
        since("0.28.1"),
        &[],
    ));
    out.push(reader("externalMysql", since("0.34.0"), &[]));
    out.push(reader("externalRedis.sentinel", since("0.31.0"), &[]));
    out.push(reader("externalRedis.db.celery", since("0.33.0"), &[]));
    out.push(reader("externalRedis.db.agent", since("0.38.0-rc2"), &[]));
    for p in [
        "agentBackend",
        "localSandbox",
        "externalSecret.agentBackend",
        "externalSecret.localSandbox",
    ] {
        out.push(reader(p, since("0.38.0-rc2"), &[]));
    }
    out
}

/// The value at a dotted path of `m`, if set and not null.
fn set_at<'a>(m: &'a Map, path: &str) -> Option<&'a Value> {
    let mut segments = path.split('.');
    let mut cur = m.get(segments.next()?)?;
    for s in segments {
        cur = cur.as_map()?.get(s)?;
    }
    (*cur != Value::Null).then_some(cur)
}

fn truthy(m: &Map, path: &str) -> bool {
    set_at(m, path).is_some_and(Value::is_truthy)
}

/// A diagnostic: which rule, the value path at fault, the message and a hint.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Diagnostic {
    /// The lint rule: DFX060 ignored value, DFX061 key lost, DFX062 default
    /// ref for a feature that is off, DFX063 ref dropped by its gate.
    pub id: &'static str,
    pub path: String,
    pub message: String,
    pub hint: String,
}

impl Diagnostic {
    /// The `warning:` line `difyx template` prints.
    pub fn warning(&self) -> String {
        format!("{}: {} ({})", self.path, self.message, self.hint)
    }
}

/// The user's values the release `v` ignores although another release reads
/// them (V16 and the reverse), naming the path that does the job in `v`.
pub fn ignored_values(user: &Map, v: &ChartVersion) -> Vec<Diagnostic> {
    let all = readers();
    let mut out = Vec::new();
    for r in &all {
        if r.span.reads(v) || set_at(user, &r.path).is_none() {
            continue;
        }
        // The MyScale credentials matter only with MyScale on: a full values
        // file copied from upstream (whose defaults held `user` up to
        // 0.31.0) is not a mistake.
        if r.path == "externalMyScaleDB.user"
            && !set_at(user, "externalMyScaleDB.enabled").is_some_and(Value::is_truthy)
        {
            continue;
        }
        let live: Vec<&str> = r
            .replaced_by
            .iter()
            .filter(|p| {
                // A placeholder or a path this table does not restrict is read.
                all.iter()
                    .filter(|o| o.path == **p)
                    .all(|o| o.span.reads(v))
            })
            .map(String::as_str)
            .collect();
        let hint = if live.is_empty() {
            format!(
                "remove it, or render chart {} where it is read",
                read_in(&r.span)
            )
        } else {
            format!("use {} instead", live.join(" or "))
        };
        out.push(Diagnostic {
            id: "DFX060",
            path: r.path.clone(),
            message: format!(
                "chart {} ignores this value: it is read {}",
                v.version,
                r.span.describe()
            ),
            hint,
        });
    }
    // remoteRefs keys this release's ExternalSecret lacks but another carries.
    if let Some(Value::Map(es)) = user.get("externalSecret") {
        for (svc, conf) in es {
            let Some(Value::Map(refs)) = conf.as_map().and_then(|c| c.get("remoteRefs")) else {
                continue;
            };
            let here = supported_keys(svc, v);
            for key in refs.iter().filter(|(_, e)| e.is_truthy()).map(|(k, _)| k) {
                let path = format!("externalSecret.{svc}.remoteRefs.{key}");
                if here.contains(&key.as_str()) || all.iter().any(|r| r.path == path) {
                    continue;
                }
                let carried: Vec<&str> = versions::VERSIONS
                    .iter()
                    .filter(|o| supported_keys(svc, o).contains(&key.as_str()))
                    .map(|o| o.version)
                    .collect();
                let (Some(first), Some(last)) = (carried.first(), carried.last()) else {
                    continue;
                };
                let when = if carried.len() == 1 {
                    format!("in {first}")
                } else if *last == versions::VERSIONS.last().expect("releases").version {
                    format!("from {first} on")
                } else {
                    format!("in {first} to {last}")
                };
                out.push(Diagnostic {
                    id: "DFX060",
                    path,
                    message: format!(
                        "the {svc} ExternalSecret of chart {} does not carry {key}, so the ref is dropped: \
                         it is carried {when}",
                        v.version
                    ),
                    hint: format!("remove it, or render chart {first} or later"),
                });
            }
        }
    }
    // Per-entry decodingStrategy: 0.28.0 on.
    if !since("0.28.0").reads(v) {
        if let Some(Value::Map(es)) = user.get("externalSecret") {
            for (svc, conf) in es {
                let Some(Value::Map(refs)) = conf.as_map().and_then(|c| c.get("remoteRefs")) else {
                    continue;
                };
                for (key, entry) in refs {
                    if entry
                        .as_map()
                        .and_then(|e| e.get("decodingStrategy"))
                        .is_some_and(|d| *d != Value::Null)
                    {
                        out.push(Diagnostic {
                            id: "DFX060",
                            path: format!("externalSecret.{svc}.remoteRefs.{key}.decodingStrategy"),
                            message: format!(
                                "chart {} ignores this value: it is read from 0.28.0 on",
                                v.version
                            ),
                            hint: "remove it: ESO applies decodingStrategy None".to_owned(),
                        });
                    }
                }
            }
        }
    }
    out
}

fn read_in(span: &Span) -> String {
    match (span.since, span.until) {
        (Some(s), None) => format!("{s} or later"),
        (None, Some(u)) => format!("before {u}"),
        _ => "a release".to_owned(),
    }
}

/// The keys the service's ExternalSecret supports at release `v`, in
/// spec.data order: [`crate::chart::dify::supported_keys`], the one table
/// the templates are held to.
pub fn supported_keys(service: &str, v: &ChartVersion) -> Vec<&'static str> {
    crate::chart::dify::supported_keys(service, v)
}

/// The gate a supported key needs besides its ref at release `v`: the value
/// path that must be truthy, if any (`WEAVIATE_API_KEY†`, `ELASTICSEARCH_*†`, …).
pub fn gate(service: &str, key: &str, v: &ChartVersion) -> Option<&'static str> {
    crate::chart::dify::gate(service, key, v)
}

/// The application ExternalSecrets of release `v` (keys under `externalSecret`).
pub fn app_services(v: &ChartVersion) -> Vec<&'static str> {
    let mut s = vec!["api", "worker", "sandbox", "pluginDaemon"];
    if since("0.38.0-rc2").reads(v) {
        s.extend(["agentBackend", "localSandbox"]);
    }
    s
}

/// Whether the service's ExternalSecret renders (SPEC §4.1, §M.3, §M.4).
pub fn es_renders(values: &Map, svc: &str) -> bool {
    if !truthy(values, "externalSecret.enabled")
        || !truthy(values, &format!("externalSecret.{svc}.enabled"))
    {
        return false;
    }
    match svc {
        "sandbox" => truthy(values, "sandbox.enabled"),
        "agentBackend" => truthy(values, "agentBackend.enabled"),
        "localSandbox" => truthy(values, "localSandbox.enabled"),
        _ => true,
    }
}

/// V11, V13 and V14 over the final values at release `v`.
pub fn eso_gaps(user: &Map, values: &Map, v: &ChartVersion) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    if !since("0.28.0").reads(v) {
        return out;
    }
    let global = truthy(values, "externalSecret.enabled");
    let s3 = truthy(values, "externalS3.enabled")
        && !(since("0.38.0-rc2").reads(v) && truthy(values, "externalS3.useIAM"));
    let otel = since("0.29.0").reads(v) && truthy(values, "api.otel.enabled");
    // V11: the fallback Secret's S3 / OTLP keys look at the global switch.
    for svc in ["api", "worker"] {
        if !global || truthy(values, &format!("externalSecret.{svc}.enabled")) {
            continue;
        }
        let mut lost = Vec::new();
        if s3 {
            lost.push(("S3_ACCESS_KEY, S3_SECRET_KEY", "externalS3"));
        }
        if otel {
            lost.push(("OTLP_API_KEY", "api.otel"));
        }
        for (keys, from) in lost {
            let fallthrough = if from == "externalS3" && !since("0.38.0-rc2").reads(v) {
                " (the storage block falls through to the next enabled provider instead)"
            } else {
                ""
            };
            out.push(Diagnostic {
                id: "DFX061",
                path: format!("externalSecret.{svc}.enabled"),
                message: format!(
                    "the {svc} Secret gets no {keys}: with externalSecret.enabled true, chart {} leaves \
                     them out of the plain Secret{fallthrough}, and the {svc} ExternalSecret is off",
                    v.version
                ),
                hint: format!(
                    "set externalSecret.{svc}.enabled: true (its remoteRefs provide {keys}), or \
                     externalSecret.enabled: false to keep {from}'s keys in plain Secrets"
                ),
            });
        }
    }
    for svc in app_services(v) {
        if !es_renders(values, svc) {
            continue;
        }
        let refs = match set_at(values, &format!("externalSecret.{svc}.remoteRefs")) {
            Some(Value::Map(r)) => r,
            _ => continue,
        };
        let user_refs = match set_at(user, &format!("externalSecret.{svc}.remoteRefs")) {
            Some(Value::Map(r)) => Some(r),
            _ => None,
        };
        let by_user = |k: &str| user_refs.is_some_and(|u| u.get(k).is_some_and(Value::is_truthy));
        let supported = supported_keys(svc, v);
        for key in &supported {
            if !refs.get(*key).is_some_and(Value::is_truthy) {
                continue;
            }
            let path = format!("externalSecret.{svc}.remoteRefs.{key}");
            // V14: dropped by its gate.
            if let Some(g) = gate(svc, key, v) {
                if !truthy(values, g) {
                    let external = if *key == "WEAVIATE_API_KEY"
                        && truthy(values, "externalWeaviate.enabled")
                    {
                        " (externalWeaviate.enabled does not open it: the gate is the built-in weaviate.enabled)"
                    } else {
                        ""
                    };
                    if by_user(key) || !external.is_empty() {
                        out.push(Diagnostic {
                            id: "DFX063",
                            path,
                            message: format!(
                                "chart {} drops this ref because {g} is false{external}: the {svc} Secret \
                                 gets no {key}",
                                v.version
                            ),
                            hint: if external.is_empty() {
                                format!("remove the ref, or set {g}: true")
                            } else {
                                "put WEAVIATE_API_KEY in the Secret another way (e.g. an extra ExternalSecret); \
                                 the chart's cannot carry it"
                                    .to_owned()
                            },
                        });
                    }
                }
                continue;
            }
            // V13: a default ref fetched for a feature that is off.
            let feature = match *key {
                "S3_ACCESS_KEY" | "S3_SECRET_KEY" if !truthy(values, "externalS3.enabled") => {
                    Some("externalS3.enabled")
                }
                "OTLP_API_KEY" if !truthy(values, "api.otel.enabled") => Some("api.otel.enabled"),
                _ => None,
            };
            if let Some(f) = feature {
                if !by_user(key) {
                    out.push(Diagnostic {
                        id: "DFX062",
                        path,
                        message: format!(
                            "the chart's default ref is fetched although {f} is false: ESO fails the sync \
                             if the store lacks it"
                        ),
                        hint: format!("set {}: null unless you use it", format_path(svc, key)),
                    });
                }
            }
        }
        // V14: keys the service's ExternalSecret never carries at this release.
        if let Some(u) = user_refs {
            for key in ["ELASTICSEARCH_USERNAME", "ELASTICSEARCH_PASSWORD"] {
                if svc == "worker" && u.get(key).is_some_and(Value::is_truthy) {
                    out.push(Diagnostic {
                        id: "DFX063",
                        path: format!("externalSecret.worker.remoteRefs.{key}"),
                        message: format!(
                            "the worker ExternalSecret of chart {} has no {key}: the ref is dropped",
                            v.version
                        ),
                        hint: format!(
                            "remove it; externalSecret.api.remoteRefs.{key} and \
                             externalSecret.pluginDaemon.remoteRefs.{key} carry it"
                        ),
                    });
                }
            }
        }
    }
    out
}

fn format_path(svc: &str, key: &str) -> String {
    format!("externalSecret.{svc}.remoteRefs.{key}")
}

/// The top-level keys of the user's values that [`diagnostics`] reads: a
/// caller keeps only these of a values file it must hand on.
pub fn user_roots() -> Vec<String> {
    let mut roots: Vec<String> = readers()
        .iter()
        .filter_map(|r| r.path.split('.').next().map(str::to_owned))
        .chain(["externalSecret".to_owned(), "externalMyScaleDB".to_owned()])
        .collect();
    roots.sort();
    roots.dedup();
    roots
}

/// Every diagnostic for the user's values (`user`, before defaults) and
/// the final `values` at release `v`.
pub fn diagnostics(user: &Map, values: &Map, v: &ChartVersion) -> Vec<Diagnostic> {
    let mut out = ignored_values(user, v);
    out.extend(eso_gaps(user, values, v));
    out
}

/// The embedded release a chart is, if it is one.
pub fn release_of(chart: &crate::chart::Chart) -> Option<&'static ChartVersion> {
    (chart.name == "dify")
        .then(|| versions::find(&chart.version))
        .flatten()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::chart::Chart;
    use crate::values::merge::coalesce;
    use crate::values::yaml::parse_values;

    /// The default refs 0.29.0+ adds (S3 from 0.28.0, OTLP from 0.29.0),
    /// laid over the embedded defaults whatever their overlays hold yet.
    const NEW_DEFAULT_REFS: &str = "externalSecret:\n  api:\n    remoteRefs:\n      \
        S3_ACCESS_KEY: {key: dify/s3, property: access_key}\n      S3_SECRET_KEY: {key: dify/s3, property: secret_key}\n      \
        OTLP_API_KEY: {key: dify/otel, property: api_key}\n  worker:\n    remoteRefs:\n      \
        S3_ACCESS_KEY: {key: dify/s3, property: access_key}\n      S3_SECRET_KEY: {key: dify/s3, property: secret_key}\n      \
        OTLP_API_KEY: {key: dify/otel, property: api_key}\n";

    fn diags(version: &str, yaml: &str) -> Vec<Diagnostic> {
        let chart = Chart::dify(version);
        let mut w = Vec::new();
        let defaults = if version == "0.27.0" {
            chart.values.clone()
        } else {
            let extra = parse_values(NEW_DEFAULT_REFS, "d.yaml").unwrap();
            coalesce(&chart.name, &chart.values, extra, &mut w)
        };
        let user = parse_values(yaml, "t.yaml").unwrap();
        let values = coalesce(&chart.name, &defaults, user.clone(), &mut w);
        diagnostics(&user, &values, versions::find(version).unwrap())
    }

    fn paths(version: &str, yaml: &str) -> Vec<(&'static str, String)> {
        diags(version, yaml)
            .into_iter()
            .map(|d| (d.id, d.path))
            .collect()
    }

    #[test]
    fn spans() {
        let v = |s| versions::find(s).unwrap();
        assert!(until("0.28.0").reads(v("0.27.0")));
        assert!(!until("0.28.0").reads(v("0.28.0")));
        assert!(since("0.35.0").reads(v("0.38.0-rc2")));
        assert!(!NEVER.reads(v("0.37.0")));
        assert_eq!(until("0.36.0").describe(), "up to 0.35.0");
        assert_eq!(since("0.28.0").describe(), "from 0.28.0 on");
    }

    #[test]
    fn values_another_release_reads() {
        let d = diags(
            "0.37.0",
            "api:\n  secretKey: x\nexternalSecret:\n  api:\n    refreshInterval: 5m\n",
        );
        assert_eq!(d.len(), 2, "{d:?}");
        assert_eq!(d[0].path, "externalSecret.api.refreshInterval");
        assert_eq!(d[0].hint, "use externalSecret.refreshInterval instead");
        assert_eq!(d[1].path, "api.secretKey");
        assert_eq!(
            d[1].warning(),
            "api.secretKey: chart 0.37.0 ignores this value: it is read up to 0.35.0 (use global.appSecretKey instead)"
        );
        // The reverse: a 0.28+ key at 0.27.0, and the Celery URL both ways.
        assert_eq!(
            paths(
                "0.27.0",
                "externalSecret:\n  refreshInterval: 5m\n  api:\n    data:\n      CELERY_BROKER_URL: x\n    remoteRefs:\n      SECRET_KEY: {key: a, decodingStrategy: Base64}\n"
            ),
            [
                ("DFX060", "externalSecret.refreshInterval".to_owned()),
                ("DFX060", "externalSecret.api.data.CELERY_BROKER_URL".to_owned()),
                ("DFX060", "externalSecret.api.remoteRefs.SECRET_KEY.decodingStrategy".to_owned()),
            ]
        );
        let d = diags(
            "0.30.0",
            "externalSecret:\n  worker:\n    remoteRefs:\n      CELERY_BROKER_URL: {key: a}\n",
        );
        assert_eq!(
            d[0].hint,
            "use externalSecret.worker.data.CELERY_BROKER_URL instead"
        );
        let d = diags(
            "0.38.0-rc2",
            "pluginDaemon:\n  auth:\n    difyApiKey: k\nexternalMyScaleDB:\n  enabled: true\n  user: u\n",
        );
        assert_eq!(d.len(), 2, "{d:?}");
        assert_eq!(d[0].hint, "use api.auth.internalApiKey instead");
        assert_eq!(d[1].hint, "use externalMyScaleDB.username instead");
        // 0.35.0 reads both api.secretKey and global.appSecretKey.
        assert!(diags(
            "0.35.0",
            "api:\n  secretKey: x\nglobal:\n  appSecretKey: y\n"
        )
        .is_empty());
        // A ref another release carries.
        let d = diags(
            "0.27.0",
            "externalSecret:\n  api:\n    remoteRefs:\n      S3_ACCESS_KEY: {key: s}\n",
        );
        assert_eq!(d.len(), 1, "{d:?}");
        assert_eq!(
            d[0].message,
            "the api ExternalSecret of chart 0.27.0 does not carry S3_ACCESS_KEY, so the ref is dropped: it is carried from 0.28.0 on"
        );
        // Only the user's values count, not the defaults.
        assert!(diags("0.27.0", "").is_empty());
        assert!(diags("0.37.0", "").is_empty());
    }

    #[test]
    fn supported_keys_per_release() {
        let v = |s| versions::find(s).unwrap();
        assert_eq!(
            supported_keys("api", v("0.27.0")),
            crate::chart::dify::API_KEYS
        );
        assert_eq!(
            supported_keys("worker", v("0.27.0")),
            crate::chart::dify::WORKER_KEYS
        );
        assert_eq!(
            supported_keys("pluginDaemon", v("0.27.0")),
            crate::chart::dify::PLUGIN_DAEMON_KEYS
        );
        assert_eq!(supported_keys("api", v("0.28.0")).len(), 25);
        assert_eq!(supported_keys("worker", v("0.28.0")).len(), 22);
        assert_eq!(supported_keys("pluginDaemon", v("0.28.0")).len(), 13);
        assert_eq!(
            supported_keys("worker", v("0.37.0"))[1],
            "CODE_EXECUTION_API_KEY"
        );
        assert_eq!(
            supported_keys("api", v("0.38.0-rc2")).last(),
            Some(&"AGENT_BACKEND_API_TOKEN")
        );
        assert!(supported_keys("agentBackend", v("0.37.0")).is_empty());
    }

    #[test]
    fn eso_keys_lost_fetched_or_dropped() {
        // V11: ESO on globally, off for api, with S3 and otel.
        let d = paths(
            "0.37.0",
            "externalSecret:\n  enabled: true\n  api:\n    enabled: false\nexternalS3:\n  enabled: true\napi:\n  otel:\n    enabled: true\n",
        );
        assert!(
            d.contains(&("DFX061", "externalSecret.api.enabled".to_owned())),
            "{d:?}"
        );
        assert_eq!(d.iter().filter(|x| x.0 == "DFX061").count(), 2);
        // Not at 0.28.0 for OTLP (no such key yet), not at 0.27.0 at all.
        let d = paths("0.28.0", "externalSecret:\n  enabled: true\n  api:\n    enabled: false\nexternalS3:\n  enabled: true\napi:\n  otel:\n    enabled: true\n");
        assert_eq!(d.iter().filter(|x| x.0 == "DFX061").count(), 1, "{d:?}");
        assert!(paths("0.27.0", "externalSecret:\n  enabled: true\n  api:\n    enabled: false\nexternalS3:\n  enabled: true\n").is_empty());
        // useIAM (rc2): no static keys to lose.
        let d = paths("0.38.0-rc2", "externalSecret:\n  enabled: true\n  api:\n    enabled: false\nexternalS3:\n  enabled: true\n  useIAM: true\n");
        assert!(!d.iter().any(|x| x.0 == "DFX061"), "{d:?}");

        // V13: the defaults fetch S3 and OTLP refs with both features off.
        let d = paths("0.37.0", "externalSecret:\n  enabled: true\n");
        for svc in ["api", "worker"] {
            for k in ["S3_ACCESS_KEY", "S3_SECRET_KEY", "OTLP_API_KEY"] {
                assert!(
                    d.contains(&("DFX062", format!("externalSecret.{svc}.remoteRefs.{k}"))),
                    "{svc} {k}: {d:?}"
                );
            }
        }
        assert_eq!(d.len(), 6, "{d:?}");
        // A ref the user wrote is theirs to keep.
        let d = paths("0.37.0", "externalSecret:\n  enabled: true\n  api:\n    remoteRefs:\n      OTLP_API_KEY: {key: x}\n");
        assert!(!d.contains(&(
            "DFX062",
            "externalSecret.api.remoteRefs.OTLP_API_KEY".to_owned()
        )));

        // V14: gates.
        let d = paths(
            "0.37.0",
            "externalSecret:\n  enabled: true\n  api:\n    remoteRefs:\n      ELASTICSEARCH_USERNAME: {key: e}\n  worker:\n    remoteRefs:\n      ELASTICSEARCH_PASSWORD: {key: e}\nweaviate:\n  enabled: false\nexternalWeaviate:\n  enabled: true\n",
        );
        for want in [
            "externalSecret.api.remoteRefs.ELASTICSEARCH_USERNAME",
            "externalSecret.worker.remoteRefs.ELASTICSEARCH_PASSWORD",
            "externalSecret.api.remoteRefs.WEAVIATE_API_KEY",
            "externalSecret.worker.remoteRefs.WEAVIATE_API_KEY",
        ] {
            assert!(d.contains(&("DFX063", want.to_owned())), "{want}: {d:?}");
        }
        let d = paths("0.38.0-rc2", "externalSecret:\n  enabled: true\n  api:\n    remoteRefs:\n      AGENT_BACKEND_API_TOKEN: {key: a}\nagentBackend:\n  enabled: false\n");
        assert!(
            d.contains(&(
                "DFX063",
                "externalSecret.api.remoteRefs.AGENT_BACKEND_API_TOKEN".to_owned()
            )),
            "{d:?}"
        );
    }
}
