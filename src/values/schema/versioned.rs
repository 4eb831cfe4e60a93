//! One schema document for many chart releases: parts annotated with the
//! releases they belong to, pruned for one release at load.
//!
//! Annotations (ignored by JSON Schema validators, removed here):
//!
//! * `"x-since": "0.31.0"` / `"x-until": "0.36.0"` on a subschema under
//!   `properties` (the property is dropped) or an item of `allOf`/`anyOf`
//!   (the item is dropped) outside `since <= release < until`;
//! * `"x-earlier": [{"until": "0.32.0", "schema": {...}}]` on any subschema:
//!   for a release before `until` (the first entry that applies), the
//!   subschema's own keywords are replaced by `schema`'s; its `properties`
//!   stay (pruned as above);
//! * `"x-nodefault": ["0.30.0", ...]` on a property: the releases whose
//!   default values have no non-null value there (see [`default_paths`]).

use semver::Version;
use serde_json::{Map as JsonMap, Value as Json};

use crate::chart::constraint::parse_version;

/// `doc` for `release`, annotations resolved and removed.
pub fn for_release(doc: &Json, release: &str) -> Json {
    let at = parse_version(release).unwrap_or_else(|| Version::new(0, 0, 0));
    prune(doc, &at)
}

/// The property paths of `doc` at `release` where the release's own
/// default values hold a non-null value (every property not marked
/// `x-nodefault` for it). Helm deletes a user null there with the default,
/// so it never reaches the schema check.
pub fn default_paths(doc: &Json, release: &str) -> Vec<Vec<String>> {
    let at = parse_version(release).unwrap_or_else(|| Version::new(0, 0, 0));
    let mut out = Vec::new();
    collect_defaults(doc, &at, release, &mut Vec::new(), &mut out);
    out
}

fn collect_defaults(
    node: &Json,
    at: &Version,
    release: &str,
    path: &mut Vec<String>,
    out: &mut Vec<Vec<String>>,
) {
    let Some(props) = node.get("properties").and_then(Json::as_object) else {
        return;
    };
    for (key, child) in props.iter().filter(|(_, c)| in_range(c, at)) {
        let no_default = child
            .get("x-nodefault")
            .and_then(Json::as_array)
            .is_some_and(|l| l.iter().any(|v| v.as_str() == Some(release)));
        path.push(key.clone());
        if !no_default {
            out.push(path.clone());
            collect_defaults(child, at, release, path, out);
        }
        path.pop();
    }
}

fn in_range(node: &Json, at: &Version) -> bool {
    let bound = |key: &str| node.get(key).and_then(Json::as_str).and_then(parse_version);
    bound("x-since").is_none_or(|s| *at >= s) && bound("x-until").is_none_or(|u| *at < u)
}

fn prune(node: &Json, at: &Version) -> Json {
    match node {
        Json::Object(obj) => {
            let mut out = JsonMap::new();
            // The keywords of the release: an earlier variant's, or the node's own.
            let earlier = obj
                .get("x-earlier")
                .and_then(Json::as_array)
                .and_then(|list| {
                    list.iter().find(|e| {
                        e.get("until")
                            .and_then(Json::as_str)
                            .and_then(parse_version)
                            .is_some_and(|u| *at < u)
                    })
                })
                .and_then(|e| e.get("schema"))
                .and_then(Json::as_object);
            for (key, value) in obj {
                if key.starts_with("x-") {
                    continue;
                }
                let replaced = earlier.is_some() && key != "properties";
                if replaced {
                    continue;
                }
                let pruned = match key.as_str() {
                    "properties" | "definitions" | "$defs" => match value {
                        Json::Object(props) => Json::Object(
                            props
                                .iter()
                                .filter(|(_, v)| in_range(v, at))
                                .map(|(k, v)| (k.clone(), prune(v, at)))
                                .collect(),
                        ),
                        other => other.clone(),
                    },
                    "allOf" | "anyOf" | "oneOf" => match value {
                        Json::Array(items) => Json::Array(
                            items
                                .iter()
                                .filter(|v| in_range(v, at))
                                .map(|v| prune(v, at))
                                .collect(),
                        ),
                        other => other.clone(),
                    },
                    _ => prune(value, at),
                };
                out.insert(key.clone(), pruned);
            }
            if let Some(e) = earlier {
                for (k, v) in e {
                    out.insert(k.clone(), prune(v, at));
                }
            }
            Json::Object(out)
        }
        Json::Array(items) => Json::Array(items.iter().map(|v| prune(v, at)).collect()),
        other => other.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn prunes_by_release() {
        let doc = json!({
            "type": "object",
            "properties": {
                "old": {"type": "string", "x-until": "0.36.0"},
                "new": {"type": "object", "x-since": "0.35.0", "properties": {"k": {"type": "string"}}},
                "ep": {"type": "object", "x-earlier": [{"until": "0.32.0", "schema": {"type": "string"}}],
                       "properties": {"http": {"type": "string", "x-since": "0.32.0"}}}
            },
            "allOf": [{"x-until": "0.28.0", "required": ["a"]}, {"required": ["b"]}]
        });
        assert_eq!(
            for_release(&doc, "0.30.0"),
            json!({"type": "object", "properties": {"old": {"type": "string"}, "ep": {"type": "string", "properties": {}}},
                   "allOf": [{"required": ["b"]}]})
        );
        assert_eq!(
            for_release(&doc, "0.38.0-rc2"),
            json!({"type": "object", "properties": {
                "new": {"type": "object", "properties": {"k": {"type": "string"}}},
                "ep": {"type": "object", "properties": {"http": {"type": "string"}}}},
                "allOf": [{"required": ["b"]}]})
        );
        assert_eq!(
            for_release(&doc, "0.27.0")["allOf"]
                .as_array()
                .unwrap()
                .len(),
            2
        );
    }
}
