//! Merging values as Helm does.
//!
//! Two different operations, as in Helm:
//!
//! * [`merge_maps`] combines the user's own sources (documents of a file,
//!   several `-f` files): maps merge recursively, anything else — lists,
//!   scalars, `null` — replaces what was there (`pkg/cli/values.mergeMaps`).
//! * [`coalesce`] lays the user's values over the chart defaults
//!   (`chartutil.CoalesceValues`): a user `null` deletes a default, default
//!   nulls are dropped, and a map meeting a non-map keeps the user's side
//!   with a warning.

use super::gofmt::format_value;
use super::{Map, Value};

/// Deep-merges `src` over `dst`; `src` wins on every non-map conflict.
pub fn merge_maps(dst: Map, src: Map) -> Map {
    dst.union_with(src, merge_values)
}

/// One key of [`merge_maps`]: two maps merge, otherwise `src` replaces.
pub fn merge_values(dst: Value, src: Value) -> Value {
    match (dst, src) {
        (Value::Map(d), Value::Map(s)) => Value::Map(merge_maps(d, s)),
        (_, src) => src,
    }
}

/// Lays `user` over the chart's `defaults`; returns the final values.
///
/// `chart` is the chart's name, used as the prefix of warning paths, as Helm
/// prints them (`dify.externalSecret.api.remoteRefs.SECRET_KEY`). Warnings
/// are pushed in key order, so the same input always gives the same list.
pub fn coalesce(chart: &str, defaults: &Map, user: Map, warnings: &mut Vec<String>) -> Map {
    let mut out = user;
    for (key, default) in defaults {
        match out.get_mut(key) {
            None => {
                if let Some(v) = without_nulls(default) {
                    out.insert(key.clone(), v);
                }
            }
            // A user null deletes the key, even over a chart null (Helm's
            // `coalesceValues`; one level down, over a chart null, it stays).
            Some(Value::Null) => {
                out.remove(key);
            }
            Some(Value::Map(dst)) => match default {
                Value::Map(src) => coalesce_tables(dst, src, &format!("{chart}.{key}"), warnings),
                Value::Null => {}
                other => warnings.push(format!(
                    "skipped value for {chart}.{key}: Not a table. (the chart's default is {})",
                    format_value(other)
                )),
            },
            // A user scalar or list replaces the default, silently at the top level.
            Some(_) => {}
        }
    }
    out
}

fn coalesce_tables(dst: &mut Map, src: &Map, prefix: &str, warnings: &mut Vec<String>) {
    for (key, default) in src {
        // Only a nested table or a warning needs the path.
        let full = || format!("{prefix}.{key}");
        match dst.get_mut(key) {
            None => {
                if let Some(v) = without_nulls(default) {
                    dst.insert(key.clone(), v);
                }
            }
            Some(Value::Null) => {
                if *default != Value::Null {
                    dst.remove(key);
                }
            }
            Some(Value::Map(d)) => match default {
                Value::Map(s) => coalesce_tables(d, s, &full(), warnings),
                Value::Null => {}
                other => warnings.push(format!(
                    "destination for {} is a table. Ignoring non-table value ({})",
                    full(),
                    format_value(other)
                )),
            },
            Some(_) => {
                if let Value::Map(_) = default {
                    warnings.push(format!(
                        "cannot overwrite table with non table for {} ({})",
                        full(),
                        format_value(default)
                    ));
                }
            }
        }
    }
}

/// A copy of a default value with every null map entry dropped (Helm does
/// not carry chart-default nulls into the final values).
fn without_nulls(v: &Value) -> Option<Value> {
    match v {
        Value::Null => None,
        Value::Map(m) => Some(Value::Map(
            m.iter()
                .filter_map(|(k, v)| without_nulls(v).map(|v| (k.clone(), v)))
                .collect(),
        )),
        other => Some(other.clone()),
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
    fn merge_maps_replaces_lists_and_scalars() {
        let out = merge_maps(
            map("a: {x: 1, l: [1, 2]}\nb: 1\n"),
            map("a: {l: [3]}\nb: null\n"),
        );
        assert_eq!(out, map("a: {x: 1, l: [3]}\nb: null\n"));
    }

    #[test]
    fn coalesce_rules() {
        let defaults = map(
            "refs:\n  A: {key: a, property: p}\n  B: {key: b, property: q}\n  C: {key: c}\n\
             keep: 1\ndropped: null\nnested: {x: null, y: 2}\n",
        );
        let user = map("refs:\n  A: {key: z}\n  B: null\n  C: false\n  NEW: null\nextra: null\n");
        let mut warnings = vec![];
        let out = coalesce("dify", &defaults, user, &mut warnings);
        let want = map(
            "refs:\n  A: {key: z, property: p}\n  C: false\n  NEW: null\n\
             keep: 1\nnested: {y: 2}\nextra: null\n",
        );
        assert_eq!(out, want);
        assert_eq!(
            warnings,
            ["cannot overwrite table with non table for dify.refs.C (map[key:c])"]
        );
    }

    #[test]
    fn empty_user_map_keeps_defaults() {
        let defaults = map("refs: {A: {key: a}}\n");
        let out = coalesce("dify", &defaults, map("refs: {}\n"), &mut vec![]);
        assert_eq!(out, defaults);
    }

    #[test]
    fn user_map_over_default_scalar_wins_with_warning() {
        let defaults = map("a: {b: x}\n");
        let mut warnings = vec![];
        let out = coalesce("dify", &defaults, map("a: {b: {c: 1}}\n"), &mut warnings);
        assert_eq!(out, map("a: {b: {c: 1}}\n"));
        assert_eq!(
            warnings,
            ["destination for dify.a.b is a table. Ignoring non-table value (x)"]
        );
    }
}
