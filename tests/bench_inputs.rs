//! The benchmark inputs are what `scripts/bench.sh` says they are.
//!
//! `production-read-keys.yaml` stands for "the production render without the
//! cost of reading the production file": the bench subtracts its time from
//! the production file's. That holds only while it renders exactly as the
//! production file does, and while it holds nothing the render ignores.

use difyx::chart::Chart;
use difyx::engine::{Engine, Release};
use difyx::pipeline::{self, Options, UserValues};
use difyx::values::yaml::parse_values;
use difyx::values::{Map, Value};

const PRODUCTION: &str = include_str!("fixtures/production-values.yaml");
const READ_KEYS: &str = include_str!("fixtures/production-read-keys.yaml");

/// stdout and warnings of `difyx template dify -n dify -f <file>`, or the error.
fn render(
    engine: &Engine<'_>,
    chart: &Chart,
    text: String,
) -> Result<(String, Vec<String>), String> {
    let user = UserValues::file("values.yaml", text);
    let options = Options::new(Release::install("dify", "dify"));
    pipeline::template_with(engine, chart, &user, &options)
        .map(|out| (out.text, out.warnings))
        .map_err(|e| e.to_string())
}

/// Every leaf of `map` (a scalar, a list, an empty map), as a key path.
fn leaves(map: &Map, prefix: &mut Vec<String>, out: &mut Vec<Vec<String>>) {
    for (key, value) in map.iter() {
        prefix.push(key.clone());
        match value {
            Value::Map(inner) if !inner.is_empty() => leaves(inner, prefix, out),
            _ => out.push(prefix.clone()),
        }
        prefix.pop();
    }
}

/// `map` without the leaf at `path`, and without the maps that held only it.
fn without(map: &Map, path: &[String]) -> Map {
    let mut map = map.clone();
    fn remove(map: &mut Map, path: &[String]) {
        match path {
            [key] => {
                map.remove(key);
            }
            [key, rest @ ..] => {
                if let Some(Value::Map(inner)) = map.get_mut(key) {
                    remove(inner, rest);
                    if inner.is_empty() {
                        map.remove(key);
                    }
                }
            }
            [] => {}
        }
    }
    remove(&mut map, path);
    map
}

/// Values as YAML a values file would hold: JSON is YAML, and every scalar
/// here is a string, a boolean or null.
fn to_yaml(map: &Map) -> String {
    serde_json::to_string(&Value::Map(map.clone())).expect("values serialize")
}

#[test]
fn read_keys_render_as_the_production_file() {
    let chart = Chart::embedded();
    let engine = Engine::new(&chart).unwrap();
    let production = render(&engine, &chart, PRODUCTION.into()).unwrap();
    let read_keys = render(&engine, &chart, READ_KEYS.into()).unwrap();
    assert_eq!(read_keys.0, production.0, "stdout differs");
    assert_eq!(read_keys.1, production.1, "warnings differ");
    assert!(READ_KEYS.lines().count() * 20 < PRODUCTION.lines().count());
}

#[test]
fn every_read_key_changes_the_render() {
    let chart = Chart::embedded();
    let engine = Engine::new(&chart).unwrap();
    let values = parse_values(READ_KEYS, "production-read-keys.yaml").unwrap();
    let full = render(&engine, &chart, to_yaml(&values)).unwrap();
    assert_eq!(
        full,
        render(&engine, &chart, READ_KEYS.into()).unwrap(),
        "the values round-trip through JSON"
    );
    let mut paths = Vec::new();
    leaves(&values, &mut Vec::new(), &mut paths);
    assert!(paths.len() > 40, "{} leaves", paths.len());
    let unread: Vec<String> = paths
        .iter()
        .filter(|path| {
            render(&engine, &chart, to_yaml(&without(&values, path))) == Ok(full.clone())
        })
        .map(|path| path.join("."))
        .collect();
    assert!(
        unread.is_empty(),
        "production-read-keys.yaml holds keys the render ignores: {unread:?}"
    );
}
