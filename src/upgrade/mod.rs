//! `difyx upgrade-diff --from A --to B`: what changes in a release's secret
//! layer when the chart moves from release A to release B with the same
//! values.
//!
//! Both releases are rendered with the user's values; the two streams are
//! compared document by document by [`crate::golden`] (secret values as
//! fingerprints unless `--show-secrets`). Then every value whose meaning
//! changes between A and B for these values is listed, computed from data:
//!
//! * the user's values only one side reads, and what replaced them
//!   ([`crate::lint::versioned::readers`], the table of CHART-VERSIONS V16
//!   and the paths later releases added);
//! * the user's remoteRefs one release's ExternalSecret carries and the
//!   other's drops ([`crate::chart::dify::supported_keys`]);
//! * the defaults that differ between the two releases (added, removed or
//!   changed), except where the user's own value hides the default on both
//!   sides.

use anyhow::{anyhow, Result};

use crate::chart::{Chart, ChartVersion};
use crate::command::Outcome;
use crate::golden;
use crate::golden::diff::compact;
use crate::lint::versioned::{readers, Reader};
use crate::pipeline::{self, Options, UserValues};
use crate::values::{Map, Value};

/// One value whose meaning differs between the two releases.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Change {
    /// Dotted value path.
    pub path: String,
    /// What changes, one line, no secret of the user's.
    pub what: String,
}

/// The paths of `m` that hold a non-null value, each with that value:
/// every leaf (scalars, lists, empty maps).
fn leaves(m: &Map) -> Vec<(String, &Value)> {
    fn walk<'a>(prefix: &str, m: &'a Map, out: &mut Vec<(String, &'a Value)>) {
        for (k, v) in m {
            let path = if prefix.is_empty() {
                k.clone()
            } else {
                format!("{prefix}.{k}")
            };
            match v {
                Value::Map(inner) if !inner.is_empty() => walk(&path, inner, out),
                Value::Null => {}
                other => out.push((path, other)),
            }
        }
    }
    let mut out = Vec::new();
    walk("", m, &mut out);
    out
}

fn lookup<'a>(m: &'a Map, path: &str) -> Option<&'a Value> {
    let mut segments = path.split('.');
    let mut cur = m.get(segments.next()?)?;
    for s in segments {
        cur = cur.as_map()?.get(s)?;
    }
    (*cur != Value::Null).then_some(cur)
}

/// Whether the user's values set `path`, or a value above or below it.
fn user_sets(user: &Map, path: &str) -> bool {
    let mut cur: Option<&Value> = None;
    let mut map = Some(user);
    for s in path.split('.') {
        let Some(m) = map else { break };
        cur = m.get(s);
        match cur {
            // A scalar (or null) above the path replaces the whole subtree.
            Some(Value::Map(inner)) => map = Some(inner),
            Some(_) => return true,
            None => return false,
        }
    }
    cur.is_some()
}

/// The changes of meaning for `user`'s values from release `from` to `to`.
pub fn meaning_changes(
    user: &Map,
    from: (&ChartVersion, &Map),
    to: (&ChartVersion, &Map),
) -> Vec<Change> {
    let (a, a_defaults) = from;
    let (b, b_defaults) = to;
    let table = readers();
    let mut out = Vec::new();
    // Values only one side reads.
    for r in &table {
        let (in_a, in_b) = (r.span.reads(a), r.span.reads(b));
        if in_a == in_b || lookup(user, &r.path).is_none() {
            continue;
        }
        let (reader, other) = if in_a { (a, b) } else { (b, a) };
        let instead = live_replacements(&table, r, other);
        let tail = if instead.is_empty() {
            format!("{} ignores it", other.version)
        } else {
            format!("{} reads {} instead", other.version, instead.join(" or "))
        };
        out.push(Change {
            path: r.path.clone(),
            what: format!(
                "your value is read by {} only (read {}); {tail}",
                reader.version,
                r.span.describe()
            ),
        });
    }
    // The user's remoteRefs one side's ExternalSecret carries and the other drops.
    if let Some(Value::Map(es)) = user.get("externalSecret") {
        for (svc, conf) in es {
            let Some(Value::Map(refs)) = conf.as_map().and_then(|c| c.get("remoteRefs")) else {
                continue;
            };
            let (in_a, in_b) = (
                crate::chart::dify::supported_keys(svc, a),
                crate::chart::dify::supported_keys(svc, b),
            );
            if in_a.is_empty() && in_b.is_empty() {
                continue;
            }
            for key in refs.iter().filter(|(_, e)| e.is_truthy()).map(|(k, _)| k) {
                let path = format!("externalSecret.{svc}.remoteRefs.{key}");
                if out.iter().any(|c: &Change| c.path == path) {
                    continue;
                }
                let (ka, kb) = (in_a.contains(&key.as_str()), in_b.contains(&key.as_str()));
                if ka == kb {
                    continue;
                }
                let (has, lacks) = if ka { (a, b) } else { (b, a) };
                out.push(Change {
                    path,
                    what: format!(
                        "the {svc} ExternalSecret of {} carries this ref; {}'s drops it",
                        has.version, lacks.version
                    ),
                });
            }
        }
    }
    // Defaults that differ, where the user's value does not hide them.
    let a_leaves = leaves(a_defaults);
    let b_leaves = leaves(b_defaults);
    let mut paths: Vec<&String> = a_leaves.iter().chain(&b_leaves).map(|(p, _)| p).collect();
    paths.sort();
    paths.dedup();
    for path in paths {
        if user_sets(user, path) {
            continue;
        }
        let find =
            |l: &[(String, &Value)]| l.iter().find(|(p, _)| p == path).map(|(_, v)| compact(v));
        let what = match (find(&a_leaves), find(&b_leaves)) {
            (Some(x), Some(y)) if x != y => format!("default changes: {x} -> {y}"),
            (Some(x), None) => format!("default {x} removed in {}", b.version),
            (None, Some(y)) => format!("new default in {}: {y}", b.version),
            _ => continue,
        };
        out.push(Change {
            path: path.clone(),
            what,
        });
    }
    out
}

/// The replacement paths of `r` that release `v` reads.
fn live_replacements<'a>(table: &[Reader], r: &'a Reader, v: &ChartVersion) -> Vec<&'a str> {
    r.replaced_by
        .iter()
        .filter(|p| {
            table
                .iter()
                .filter(|o| o.path == **p)
                .all(|o| o.span.reads(v))
        })
        .map(String::as_str)
        .collect()
}

/// `difyx upgrade-diff`: renders `user` at both releases and reports.
///
/// The outcome succeeds (exit 0) when the rendered documents are the same,
/// fails (exit 1) when they differ; the changes of meaning are printed
/// either way and do not decide the exit status.
pub fn run(
    from: &'static ChartVersion,
    to: &'static ChartVersion,
    user: &UserValues,
    opts: &Options,
    show_secrets: bool,
    warnings: &mut Vec<String>,
) -> Result<Outcome> {
    let render =
        |v: &'static ChartVersion, warnings: &mut Vec<String>| -> Result<(Chart, String)> {
            let chart = Chart::embedded(v);
            let out = pipeline::template(&chart, user, opts)
                .map_err(|e| anyhow!("chart {}: {e}", v.version))?;
            warnings.extend(
                out.warnings
                    .iter()
                    .map(|w| format!("chart {}: {w}", v.version)),
            );
            Ok((chart, out.text))
        };
    let (a_chart, a_text) = render(from, warnings)?;
    let (b_chart, b_text) = render(to, warnings)?;
    let a_label = format!("chart {}", from.version);
    let b_label = format!("chart {}", to.version);
    let a_docs = golden::parse_stream(&a_text, &a_label, show_secrets)?;
    let b_docs = golden::parse_stream(&b_text, &b_label, show_secrets)?;
    let report = golden::compare(&a_docs, &b_docs, show_secrets);

    let own = user.merged()?;
    let changes = meaning_changes(&own, (from, &a_chart.values), (to, &b_chart.values));

    let mut text = format!("--- {a_label}\n+++ {b_label}\n");
    if report.is_empty() {
        text.push_str("no differences in the rendered documents\n");
    } else {
        text.push_str(&report.text());
    }
    text.push('\n');
    if changes.is_empty() {
        text.push_str(&format!(
            "No value changes meaning from {} to {} for these values.\n",
            from.version, to.version
        ));
    } else {
        text.push_str(&format!(
            "Values whose meaning changes from {} to {} ({}):\n",
            from.version,
            to.version,
            changes.len()
        ));
        for c in &changes {
            text.push_str(&format!("  {}: {}\n", c.path, c.what));
        }
    }
    Ok(if report.is_empty() {
        Outcome::ok(text)
    } else {
        Outcome::failed(text)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::chart::versions::find;
    use crate::values::yaml::parse_values;

    fn map(yaml: &str) -> Map {
        parse_values(yaml, "t.yaml").unwrap()
    }

    #[test]
    fn values_read_by_one_side_and_default_changes() {
        let a = find("0.35.0").unwrap();
        let b = find("0.36.0").unwrap();
        let user = map("api:\n  secretKey: x\nglobal:\n  appSecretKey: y\n");
        let a_def = map("api:\n  secretKey: \"\"\nglobal:\n  appSecretKey: old\n  internalApiKey: \"\"\nkeep: 1\n");
        let b_def =
            map("global:\n  appSecretKey: new\n  internalApiKey: \"\"\nkeep: 1\nadded: {x: 1}\n");
        let c = meaning_changes(&user, (a, &a_def), (b, &b_def));
        assert_eq!(
            c,
            [
                Change {
                    path: "api.secretKey".into(),
                    what: "your value is read by 0.35.0 only (read up to 0.35.0); 0.36.0 reads \
                           global.appSecretKey instead"
                        .into()
                },
                Change {
                    path: "added.x".into(),
                    what: "new default in 0.36.0: 1".into()
                },
            ]
        );
        // Without the user's values the default change shows.
        let c = meaning_changes(&Map::new(), (a, &a_def), (b, &b_def));
        let paths: Vec<&str> = c.iter().map(|c| c.path.as_str()).collect();
        assert_eq!(paths, ["added.x", "api.secretKey", "global.appSecretKey"]);
        assert_eq!(c[1].what, "default \"\" removed in 0.36.0");
        assert_eq!(c[2].what, "default changes: \"old\" -> \"new\"");
    }

    #[test]
    fn the_reverse_direction_and_renames() {
        let a = find("0.38.0-rc2").unwrap();
        let b = find("0.27.0").unwrap();
        let user =
            map("api:\n  auth:\n    internalApiKey: k\nexternalSecret:\n  refreshInterval: 5m\n");
        let c = meaning_changes(&user, (a, &Map::new()), (b, &Map::new()));
        assert_eq!(c.len(), 2, "{c:?}");
        assert_eq!(c[0].path, "externalSecret.refreshInterval");
        assert!(
            c[0].what
                .ends_with("0.27.0 reads externalSecret.<service>.refreshInterval instead"),
            "{}",
            c[0].what
        );
        assert_eq!(c[1].path, "api.auth.internalApiKey");
        assert!(
            c[1].what
                .ends_with("0.27.0 reads pluginDaemon.auth.difyApiKey instead"),
            "{}",
            c[1].what
        );
    }

    #[test]
    fn refs_one_side_carries() {
        let user = map("externalSecret:\n  api:\n    remoteRefs:\n      ELASTICSEARCH_USERNAME: {key: e}\n      SECRET_KEY: {key: s}\n");
        let c = meaning_changes(
            &user,
            (find("0.27.0").unwrap(), &Map::new()),
            (find("0.28.0").unwrap(), &Map::new()),
        );
        assert_eq!(
            c,
            [Change {
                path: "externalSecret.api.remoteRefs.ELASTICSEARCH_USERNAME".into(),
                what: "the api ExternalSecret of 0.28.0 carries this ref; 0.27.0's drops it".into()
            }]
        );
    }

    #[test]
    fn user_values_hide_defaults() {
        let user = map("a:\n  b: 1\nc: 5\n");
        assert!(user_sets(&user, "a.b"));
        assert!(user_sets(&user, "a"));
        assert!(
            user_sets(&user, "c.d"),
            "a scalar above replaces the subtree"
        );
        assert!(!user_sets(&user, "a.x"));
        assert!(!user_sets(&user, "z"));
    }
}
