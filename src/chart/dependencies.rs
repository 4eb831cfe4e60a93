//! Subcharts: which of a chart's subcharts take part in a render, and the
//! values they get — Helm's `ProcessDependencies` followed by
//! `CoalesceValues` (`pkg/chart/v2/util/dependencies.go`).
//!
//! A chart's subcharts are the folders under its `charts/`. Its
//! `Chart.yaml` `dependencies` list says, for each by name (and a version
//! constraint the subchart's version must meet):
//!
//! * `alias`: the subchart's name under the parent (its values section);
//! * `tags`: names under the top-level `tags:` map; a subchart whose tags
//!   are all `false` there (and none `true`) is off;
//! * `condition`: comma-separated value paths; the first that holds a
//!   boolean decides, over the tags. A path that is absent or holds a map
//!   is skipped silently; one that holds anything else (a string, a number,
//!   null) is skipped with a warning. With no boolean, the subchart stays
//!   as the tags left it (on by default).
//!
//! Subcharts in `charts/` that `dependencies` does not list (or whose version
//! does not meet the listed constraint) always take part. Conditions and tags
//! are read from the values coalesced with every subchart's defaults, and
//! for a subchart's own dependencies with its section's path as prefix.
//! A subchart that is off contributes no defaults, no `global` copy and no
//! schema check.

use super::constraint::is_compatible_range;
use super::{Chart, ChartError};
use crate::values::subcharts::{coalesce_tree, ChartValues};
use crate::values::{Map, Value};

/// One entry of `Chart.yaml` `dependencies`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Dependency {
    pub name: String,
    /// A SemVer constraint the subchart's version must meet.
    pub version: String,
    pub repository: String,
    pub condition: String,
    pub tags: Vec<String>,
    pub alias: String,
}

/// Reads `dependencies` from a parsed `Chart.yaml`.
pub fn parse_dependencies(meta: &Map, origin: &str) -> Result<Vec<Dependency>, ChartError> {
    let bad = |what: String| ChartError::Invalid(format!("{origin}/Chart.yaml: {what}"));
    let list = match meta.get("dependencies") {
        None | Some(Value::Null) => return Ok(Vec::new()),
        Some(Value::List(l)) => l,
        Some(other) => {
            return Err(bad(format!(
                "dependencies must be a list, got {}",
                other.type_name()
            )))
        }
    };
    let mut out = Vec::new();
    for (i, item) in list.iter().enumerate() {
        let Value::Map(m) = item else {
            return Err(bad(format!(
                "dependencies[{i}] must be a map, got {}",
                item.type_name()
            )));
        };
        let text = |key: &str| -> Result<String, ChartError> {
            match m.get(key) {
                None | Some(Value::Null) => Ok(String::new()),
                Some(Value::String(s)) => Ok(s.clone()),
                Some(v @ (Value::Int(_) | Value::Float(_) | Value::Bool(_))) => {
                    Ok(crate::values::gofmt::format_value(v))
                }
                Some(other) => Err(bad(format!(
                    "dependencies[{i}].{key} must be a string, got {}",
                    other.type_name()
                ))),
            }
        };
        let tags = match m.get("tags") {
            None | Some(Value::Null) => Vec::new(),
            Some(Value::List(l)) => l
                .iter()
                .map(|t| match t {
                    Value::String(s) => Ok(s.clone()),
                    other => Err(bad(format!(
                        "dependencies[{i}].tags must be strings, got {}",
                        other.type_name()
                    ))),
                })
                .collect::<Result<_, _>>()?,
            Some(other) => {
                return Err(bad(format!(
                    "dependencies[{i}].tags must be a list, got {}",
                    other.type_name()
                )))
            }
        };
        let dep = Dependency {
            name: text("name")?,
            version: text("version")?,
            repository: text("repository")?,
            condition: text("condition")?,
            tags,
            alias: text("alias")?,
        };
        if dep.name.is_empty() {
            return Err(bad(format!("dependencies[{i}] has no name")));
        }
        if m.get("import-values").is_some_and(Value::is_truthy) {
            return Err(bad(format!(
                "dependencies[{i}] ({}) has import-values, which difyx does not implement",
                dep.name
            )));
        }
        out.push(dep);
    }
    Ok(out)
}

/// A chart with the subcharts that take part in a render.
#[derive(Debug)]
pub struct Enabled<'c> {
    /// The name its values live under in its parent (the alias, if any).
    pub name: String,
    pub chart: &'c Chart,
    /// Its default values as the final coalescing sees them: its own, or,
    /// when it lists dependencies that stay on, merged with theirs (Helm's
    /// import step, which keeps nulls).
    pub values: Map,
    pub deps: Vec<Enabled<'c>>,
    /// Whether it still lists a dependency once conditions and tags are
    /// applied (Helm merges subchart defaults into such a chart's own).
    lists_deps: bool,
}

/// A subchart chosen by the dependency list, before conditions: the chart
/// and its name under the parent.
struct Candidate<'c> {
    name: String,
    chart: &'c Chart,
}

/// The subcharts of `chart` that take part with `user` values, and the
/// warnings (conditions that are not booleans).
pub fn process<'c>(
    chart: &'c Chart,
    user: &Map,
    warnings: &mut Vec<String>,
) -> Result<Enabled<'c>, String> {
    // Which subcharts take part depends only on the values under their
    // sections, `tags` and `global`: the conditions read nothing else, and
    // each top-level key coalesces on its own. The rest of the user's
    // values (most of a full values file) need not be coalesced here.
    let wanted = |key: &str| {
        key == "tags"
            || key == "global"
            || chart
                .dependencies
                .iter()
                .any(|d| d.name == key || d.alias == key)
            || chart.subcharts.iter().any(|s| s.name == key)
    };
    let relevant: Map = user
        .iter()
        .filter(|(k, _)| wanted(k))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    let mut root = enabled_tree(chart, chart.name.clone(), &relevant, "", warnings)?;
    import_values(&mut root, warnings)?;
    Ok(root)
}

/// The candidates of `chart`: unlisted subcharts first, then each listed
/// dependency that has a subchart of its name and a matching version.
fn candidates(chart: &Chart) -> Vec<Candidate<'_>> {
    let listed_match = |sub: &Chart| {
        chart
            .dependencies
            .iter()
            .any(|d| d.name == sub.name && is_compatible_range(&d.version, &sub.version))
    };
    let mut out: Vec<Candidate<'_>> = chart
        .subcharts
        .iter()
        .filter(|s| !listed_match(s))
        .map(|s| Candidate {
            name: s.name.clone(),
            chart: s,
        })
        .collect();
    for dep in &chart.dependencies {
        if let Some(sub) = chart
            .subcharts
            .iter()
            .find(|s| s.name == dep.name && is_compatible_range(&dep.version, &s.version))
        {
            out.push(Candidate {
                name: if dep.alias.is_empty() {
                    dep.name.clone()
                } else {
                    dep.alias.clone()
                },
                chart: sub,
            });
        }
    }
    out
}

/// Every subchart as loaded, with no condition applied (a chart whose
/// `dependencies` list is empty is taken as it is, as Helm does).
fn all_values<'c>(chart: &'c Chart, name: String) -> ChartValues<'c> {
    ChartValues {
        name,
        values: &chart.values,
        deps: chart
            .subcharts
            .iter()
            .map(|s| all_values(s, s.name.clone()))
            .collect(),
    }
}

/// Helm's `processDependencyEnabled`: `values` are the values given to the
/// top chart (coalesced at each level), `path` the section of `chart`.
fn enabled_tree<'c>(
    chart: &'c Chart,
    name: String,
    values: &Map,
    path: &str,
    warnings: &mut Vec<String>,
) -> Result<Enabled<'c>, String> {
    if chart.dependencies.is_empty() {
        return Ok(whole(chart, name));
    }
    let cands = candidates(chart);
    let tree = ChartValues {
        name: name.clone(),
        values: &chart.values,
        deps: cands
            .iter()
            .map(|c| all_values(c.chart, c.name.clone()))
            .collect(),
    };
    let cvals = coalesce_tree(&tree, values, false, &mut Vec::new())?;
    // Every listed dependency, by its name under the parent: on or off.
    let mut on: Vec<(String, bool)> = chart
        .dependencies
        .iter()
        .map(|d| {
            let n = if d.alias.is_empty() {
                &d.name
            } else {
                &d.alias
            };
            (n.clone(), true)
        })
        .collect();
    if let Some(Value::Map(tags)) = cvals.get("tags") {
        for (dep, state) in chart.dependencies.iter().zip(on.iter_mut()) {
            let (mut any_true, mut any_false) = (false, false);
            for tag in &dep.tags {
                match tags.get(tag) {
                    Some(Value::Bool(true)) => any_true = true,
                    Some(Value::Bool(false)) => any_false = true,
                    Some(other) => warnings.push(format!(
                        "tags.{tag} of subchart {} is {}, not a boolean: ignored",
                        state.0,
                        other.type_name()
                    )),
                    None => {}
                }
            }
            state.1 = any_true || !any_false;
        }
    }
    for (dep, state) in chart.dependencies.iter().zip(on.iter_mut()) {
        for cond in dep.condition.trim().split(',').filter(|c| !c.is_empty()) {
            let full = format!("{path}{cond}");
            match path_value(&cvals, &full) {
                Some(Value::Bool(b)) => {
                    state.1 = *b;
                    break;
                }
                Some(other) => warnings.push(format!(
                    "condition {full} of subchart {} is {}, not a boolean: ignored (the next condition, or else the tags, decide; by default the subchart is on)",
                    state.0,
                    match other {
                        Value::Null => "null",
                        o => o.type_name(),
                    }
                )),
                None => {}
            }
        }
    }
    let off = |n: &str| on.iter().any(|(name, enabled)| name == n && !enabled);
    let mut deps = Vec::new();
    for cand in cands.into_iter().filter(|c| !off(&c.name)) {
        // A subchart's own conditions are read from these values (Helm
        // coalesces its defaults into them, at the top level, first) with
        // its section as prefix.
        let sub_path = format!("{path}{}.", cand.name);
        deps.push(enabled_tree(
            cand.chart, cand.name, &cvals, &sub_path, warnings,
        )?);
    }
    Ok(Enabled {
        name,
        chart,
        values: Map::new(),
        deps,
        lists_deps: on.iter().any(|(_, enabled)| *enabled),
    })
}

/// A chart with every subchart as loaded (no `dependencies` to process).
fn whole(chart: &Chart, name: String) -> Enabled<'_> {
    Enabled {
        name,
        chart,
        values: Map::new(),
        deps: chart
            .subcharts
            .iter()
            .map(|s| whole(s, s.name.clone()))
            .collect(),
        lists_deps: !chart.dependencies.is_empty(),
    }
}

/// Helm's import step (`processDependencyImportValues` with merging, no
/// `import-values`): bottom-up, each chart that still lists a dependency
/// gets as defaults its values merged with its subcharts'.
fn import_values(node: &mut Enabled<'_>, warnings: &mut Vec<String>) -> Result<(), String> {
    for dep in &mut node.deps {
        import_values(dep, warnings)?;
    }
    node.values = if node.lists_deps {
        let tree = ChartValues {
            name: node.name.clone(),
            values: &node.chart.values,
            deps: node.deps.iter().map(Enabled::values_tree).collect(),
        };
        coalesce_tree(&tree, &Map::new(), true, warnings)?
    } else {
        node.chart.values.clone()
    };
    Ok(())
}

impl<'c> Enabled<'c> {
    /// The tree the final coalescing walks.
    pub fn values_tree(&self) -> ChartValues<'_> {
        ChartValues {
            name: self.name.clone(),
            values: &self.values,
            deps: self.deps.iter().map(Enabled::values_tree).collect(),
        }
    }

    /// The final values: `user` coalesced with every enabled chart's defaults.
    pub fn coalesce(&self, user: &Map, warnings: &mut Vec<String>) -> Result<Map, String> {
        let mut w = Vec::new();
        let out = coalesce_tree(&self.values_tree(), user, false, &mut w)?;
        for line in w {
            if !warnings.contains(&line) {
                warnings.push(line);
            }
        }
        Ok(out)
    }

    /// Each enabled chart and the values its schema is checked against,
    /// parents before their subcharts (Helm's `ValidateAgainstSchema`): a
    /// subchart is checked against its section, if it has one; a section
    /// that is not a map is an error line instead. `pointer` is where the
    /// values are in the top chart's (`/redis`).
    pub fn schema_targets<'v>(
        &'v self,
        values: &'v Map,
        pointer: &str,
        out: &mut Vec<SchemaTarget<'v>>,
    ) {
        out.push(SchemaTarget {
            name: &self.name,
            chart: self.chart,
            pointer: pointer.to_owned(),
            values: Ok(values),
        });
        for dep in &self.deps {
            let at = format!(
                "{pointer}/{}",
                dep.name.replace('~', "~0").replace('/', "~1")
            );
            match values.get(&dep.name) {
                None | Some(Value::Null) => {}
                Some(Value::Map(m)) => dep.schema_targets(m, &at, out),
                Some(other) => out.push(SchemaTarget {
                    name: &dep.name,
                    chart: dep.chart,
                    pointer: at,
                    values: Err(format!(
                        "invalid type for values: expected object (map), got {}",
                        other.type_name()
                    )),
                }),
            }
        }
    }
}

/// One chart's part of the schema check.
pub struct SchemaTarget<'v> {
    pub name: &'v str,
    pub chart: &'v Chart,
    /// JSON Pointer of its values in the top chart's.
    pub pointer: String,
    pub values: Result<&'v Map, String>,
}

/// Helm's `Values.PathValue`: the value at a dotted path, if it is there
/// and not a map.
fn path_value<'v>(values: &'v Map, path: &str) -> Option<&'v Value> {
    let steps: Vec<&str> = path.split('.').collect();
    let (last, parents) = steps.split_last()?;
    let mut table = values;
    for step in parents {
        table = table.get(*step)?.as_map()?;
    }
    match table.get(*last) {
        Some(Value::Map(_)) | None => None,
        Some(v) => Some(v),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::values::yaml::parse_values;

    fn map(yaml: &str) -> Map {
        parse_values(yaml, "t.yaml").unwrap()
    }

    #[test]
    fn reads_the_dependency_list() {
        let meta = map(
            "dependencies:\n- name: redis\n  version: 16.13.2\n  condition: redis.enabled\n  \
             tags: [redis]\n- name: redis\n  alias: cache\n  version: 16.x\n",
        );
        let deps = parse_dependencies(&meta, "c").unwrap();
        assert_eq!(deps.len(), 2);
        assert_eq!(deps[0].condition, "redis.enabled");
        assert_eq!(deps[0].tags, ["redis"]);
        assert_eq!(deps[1].alias, "cache");
        for bad in [
            "dependencies: 5\n",
            "dependencies: [5]\n",
            "dependencies: [{version: 1.0.0}]\n",
            "dependencies: [{name: a, tags: x}]\n",
            "dependencies: [{name: a, import-values: [x]}]\n",
        ] {
            let err = parse_dependencies(&map(bad), "c").unwrap_err().to_string();
            assert!(
                err.starts_with("c/Chart.yaml: dependencies"),
                "{bad}: {err}"
            );
        }
    }

    #[test]
    fn path_value_is_helms() {
        let v = map("a: {b: true, m: {x: 1}, nul: null}\ns: str\n");
        assert_eq!(path_value(&v, "a.b"), Some(&Value::Bool(true)));
        assert_eq!(path_value(&v, "a.nul"), Some(&Value::Null));
        assert_eq!(path_value(&v, "a.m"), None, "a map is no value");
        assert_eq!(path_value(&v, "a.zz"), None);
        assert_eq!(path_value(&v, "s.x"), None);
        assert_eq!(path_value(&v, "s"), Some(&Value::from("str")));
    }
}
