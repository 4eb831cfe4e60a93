//! Coalescing the values of a chart that has subcharts, as Helm does it
//! (`CoalesceValues` / `MergeValues` in `pkg/chart/common/util/coalesce.go`).
//!
//! For a chart and the values given to it:
//!
//! 1. the chart's defaults are laid under the values ([`super::merge::coalesce`]'s
//!    rules); the section of a subchart (`redis:` in the parent) is merged
//!    keeping nulls, so that a user `null` can still delete the subchart's
//!    own default in step 3;
//! 2. for each subchart, the parent's `global` map is copied into the
//!    subchart's section (`.Values.redis.global`): the parent's keys win,
//!    nested maps merge;
//! 3. the subchart's own defaults are laid under its section, recursively
//!    (its subcharts get its `global`).
//!
//! Helm does this on Go maps, which are references: step 2 copies the
//! `global` map one level deep, so a map two levels below `global`
//! (`global.a.b`) is shared by the parent and every subchart, and a
//! subchart's default for a key in it shows up in the parent's `global` and
//! in the subcharts handled after it. To give the same result, this module
//! works on a tree of shared tables ([`Node`]) and copies exactly where
//! Helm copies.

use std::cell::RefCell;
use std::rc::Rc;

use super::gofmt::format_value;
use super::{Map, Value};

/// A chart's name under its parent (the alias if it has one), its default
/// values, and the subcharts that take part.
#[derive(Debug)]
pub struct ChartValues<'a> {
    pub name: String,
    pub values: &'a Map,
    pub deps: Vec<ChartValues<'a>>,
}

type Table = Rc<RefCell<Vec<(String, Node)>>>;

#[derive(Clone, Debug)]
enum Node {
    Nil,
    Leaf(Value),
    Table(Table),
}

fn new_table() -> Table {
    Rc::new(RefCell::new(Vec::new()))
}

fn get(t: &Table, key: &str) -> Option<Node> {
    t.borrow()
        .iter()
        .find(|(k, _)| k == key)
        .map(|(_, v)| v.clone())
}

fn set(t: &Table, key: &str, value: Node) {
    let mut entries = t.borrow_mut();
    match entries.iter_mut().find(|(k, _)| k == key) {
        Some(slot) => slot.1 = value,
        None => entries.push((key.to_owned(), value)),
    }
}

fn remove(t: &Table, key: &str) {
    t.borrow_mut().retain(|(k, _)| k != key);
}

fn entries(t: &Table) -> Vec<(String, Node)> {
    t.borrow().clone()
}

fn from_value(v: &Value) -> Node {
    match v {
        Value::Null => Node::Nil,
        Value::Map(m) => Node::Table(from_map(m)),
        other => Node::Leaf(other.clone()),
    }
}

fn from_map(m: &Map) -> Table {
    Rc::new(RefCell::new(
        m.iter().map(|(k, v)| (k.clone(), from_value(v))).collect(),
    ))
}

fn to_value(n: &Node) -> Value {
    match n {
        Node::Nil => Value::Null,
        Node::Leaf(v) => v.clone(),
        Node::Table(t) => Value::Map(to_map(t)),
    }
}

fn to_map(t: &Table) -> Map {
    Map::from_entries(
        t.borrow()
            .iter()
            .map(|(k, v)| (k.clone(), to_value(v)))
            .collect(),
    )
}

/// `%v` of a node, for warnings.
fn show(n: &Node) -> String {
    format_value(&to_value(n))
}

fn concat(a: &str, b: &str) -> String {
    if a.is_empty() {
        b.to_owned()
    } else {
        format!("{a}.{b}")
    }
}

/// Removes nulls from a table and the tables below it, in place.
fn clean_nils(t: &Table) {
    t.borrow_mut().retain(|(_, v)| !matches!(v, Node::Nil));
    for (_, v) in entries(t) {
        if let Node::Table(sub) = v {
            clean_nils(&sub);
        }
    }
}

/// The final values of `chart` with `user` given to it (Helm's
/// `CoalesceValues`); `merge` keeps nulls instead (`MergeValues`). An error
/// names a subchart whose values are not a map.
pub fn coalesce_tree(
    chart: &ChartValues<'_>,
    user: &Map,
    merge: bool,
    warnings: &mut Vec<String>,
) -> Result<Map, String> {
    let dest = from_map(user);
    coalesce(chart, &dest, "", merge, warnings)?;
    Ok(to_map(&dest))
}

fn coalesce(
    chart: &ChartValues<'_>,
    dest: &Table,
    prefix: &str,
    merge: bool,
    warnings: &mut Vec<String>,
) -> Result<(), String> {
    coalesce_values(chart, dest, prefix, merge, warnings);
    coalesce_deps(chart, dest, prefix, merge, warnings)
}

fn coalesce_deps(
    chart: &ChartValues<'_>,
    dest: &Table,
    prefix: &str,
    merge: bool,
    warnings: &mut Vec<String>,
) -> Result<(), String> {
    for sub in &chart.deps {
        let section = match get(dest, &sub.name) {
            None => {
                let t = new_table();
                set(dest, &sub.name, Node::Table(Rc::clone(&t)));
                t
            }
            Some(Node::Table(t)) => t,
            Some(other) => {
                // The value path: the chain of chart names without the top one.
                let chain = concat(prefix, &chart.name);
                let path = match chain.split_once('.') {
                    Some((_, below)) => format!("{below}.{}", sub.name),
                    None => sub.name.clone(),
                };
                return Err(format!(
                    "{path}: the values of subchart {} must be a map, got {}",
                    sub.name,
                    to_value(&other).type_name()
                ));
            }
        };
        let sub_prefix = concat(prefix, &chart.name);
        coalesce_globals(&section, dest, &sub_prefix, warnings);
        coalesce(sub, &section, &sub_prefix, merge, warnings)?;
    }
    Ok(())
}

/// Copies `src`'s `global` into `dest`'s: `src` wins, maps merge.
fn coalesce_globals(dest: &Table, src: &Table, prefix: &str, warnings: &mut Vec<String>) {
    let dg = match get(dest, "global") {
        None => new_table(),
        Some(Node::Table(t)) => t,
        Some(_) => {
            warnings.push(format!(
                "skipping globals for {prefix}: the subchart's global is not a map"
            ));
            return;
        }
    };
    let sg = match get(src, "global") {
        None => new_table(),
        Some(Node::Table(t)) => t,
        Some(_) => {
            warnings.push(format!(
                "skipping globals for {prefix}: global is not a map"
            ));
            return;
        }
    };
    for (key, val) in entries(&sg) {
        match &val {
            Node::Table(t) => {
                // One level deep: the tables below are shared (Helm's copyMap).
                let vv: Table = Rc::new(RefCell::new(t.borrow().clone()));
                match get(&dg, &key) {
                    None => set(&dg, &key, Node::Table(vv)),
                    Some(Node::Table(destv)) => {
                        coalesce_tables(&vv, &destv, &concat(prefix, &key), true, warnings);
                        set(&dg, &key, Node::Table(vv));
                    }
                    Some(_) => warnings.push(format!(
                        "Conflict: cannot merge map onto non-map for {key:?}. Skipping."
                    )),
                }
            }
            _ => match get(&dg, &key) {
                Some(Node::Table(_)) => warnings.push(format!("key {key} is table. Skipping")),
                _ => set(&dg, &key, val.clone()),
            },
        }
    }
    set(dest, "global", Node::Table(dg));
}

/// Lays `chart`'s default values under `v`.
fn coalesce_values(
    chart: &ChartValues<'_>,
    v: &Table,
    prefix: &str,
    merge: bool,
    warnings: &mut Vec<String>,
) {
    let sub_prefix = concat(prefix, &chart.name);
    for (key, default) in chart.values.iter() {
        let is_sub = merge || chart.deps.iter().any(|d| d.name == *key);
        match get(v, key) {
            // A user null deletes the key, whatever the default.
            Some(Node::Nil) if !merge => remove(v, key),
            Some(Node::Table(dest)) => match default {
                Value::Map(src) => {
                    let src = from_map(src);
                    if !is_sub {
                        clean_nils(&src);
                    }
                    coalesce_tables(&dest, &src, &concat(&sub_prefix, key), is_sub, warnings);
                }
                Value::Null => {}
                other => warnings.push(format!(
                    "skipped value for {sub_prefix}.{key}: Not a table. (the chart's default is {})",
                    format_value(other)
                )),
            },
            Some(_) => {}
            // A default null is no default when coalescing.
            None if !merge && *default == Value::Null => {}
            None => {
                let node = from_value(default);
                if let (Node::Table(t), false) = (&node, merge) {
                    clean_nils(t);
                }
                set(v, key, node);
            }
        }
    }
}

/// Lays `src` under `dst`: `dst` wins. Without `merge`, a null in `dst`
/// deletes `src`'s value.
fn coalesce_tables(
    dst: &Table,
    src: &Table,
    prefix: &str,
    merge: bool,
    warnings: &mut Vec<String>,
) {
    for (key, val) in entries(src) {
        let full = || concat(prefix, &key);
        match (get(dst, &key), &val) {
            (Some(Node::Nil), Node::Nil) => {}
            (Some(Node::Nil), _) if !merge => remove(dst, &key),
            (None, _) => set(dst, &key, val.clone()),
            (Some(Node::Table(d)), Node::Table(s)) => {
                coalesce_tables(&d, s, &full(), merge, warnings)
            }
            (Some(_), Node::Table(_)) => warnings.push(format!(
                "cannot overwrite table with non table for {} ({})",
                full(),
                show(&val)
            )),
            (Some(Node::Table(_)), Node::Leaf(_)) => warnings.push(format!(
                "destination for {} is a table. Ignoring non-table value ({})",
                full(),
                show(&val)
            )),
            (Some(_), _) => {}
        }
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
    fn globals_two_levels_down_are_shared_as_in_helm() {
        let parent = map("global: {deep: {lvl: {a: 1}}, g: p}\n");
        let sub = map("global: {deep: {lvl: {a: 0, b: 2}}, g: s, h: s}\n");
        let tree = ChartValues {
            name: "parent".into(),
            values: &parent,
            deps: vec![ChartValues {
                name: "sub".into(),
                values: &sub,
                deps: vec![],
            }],
        };
        let out = coalesce_tree(&tree, &Map::new(), false, &mut vec![]).unwrap();
        assert_eq!(
            out,
            map("global: {deep: {lvl: {a: 1, b: 2}}, g: p}\n\
                 sub: {global: {deep: {lvl: {a: 1, b: 2}}, g: p, h: s}}\n")
        );
    }

    #[test]
    fn a_user_null_deletes_a_subchart_default() {
        let parent = map("sub: {enabled: true}\n");
        let sub = map("auth: {password: x, user: u}\n");
        let tree = ChartValues {
            name: "parent".into(),
            values: &parent,
            deps: vec![ChartValues {
                name: "sub".into(),
                values: &sub,
                deps: vec![],
            }],
        };
        let out = coalesce_tree(
            &tree,
            &map("sub: {auth: {password: null}}\n"),
            false,
            &mut vec![],
        )
        .unwrap();
        assert_eq!(
            out,
            map("sub: {enabled: true, auth: {user: u}, global: {}}\n")
        );
    }
}
