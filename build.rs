//! Embeds the shape of the values the embedded chart's
//! `values.schema.json` describes (`src/values/shape.rs`).

use std::path::Path;

fn main() {
    let source = "charts/dify/values.schema.json";
    println!("cargo::rerun-if-changed={source}");
    let text = std::fs::read_to_string(source).unwrap_or_else(|e| panic!("{source}: {e}"));
    let schema: serde_json::Value =
        serde_json::from_str(&text).unwrap_or_else(|e| panic!("{source}: {e}"));
    let shape =
        Path::new(&std::env::var("OUT_DIR").expect("cargo sets OUT_DIR")).join("values.shape.rs");
    let text = emit_shape(&shape_of(&[&schema], &schema));
    std::fs::write(&shape, text).unwrap_or_else(|e| panic!("{}: {e}", shape.display()));
}

type Props<'a> = std::collections::BTreeMap<&'a str, Vec<&'a serde_json::Value>>;

/// The keys of one map, each with the shape of its value; `None` for "any key".
struct ShapeNode(Vec<(String, Option<ShapeNode>)>);

/// The schemas `node` stands for: itself, what its `$ref` points to, and
/// the branches of `allOf`/`anyOf`/`oneOf` and `then`/`else` (an `if` is a
/// test, not a promise of keys).
fn branches<'a>(
    node: &'a serde_json::Value,
    root: &'a serde_json::Value,
    out: &mut Vec<&'a serde_json::Value>,
    depth: usize,
) {
    if depth > 64 {
        return;
    }
    out.push(node);
    if let Some(target) = node
        .get("$ref")
        .and_then(|r| r.as_str())
        .and_then(|r| r.strip_prefix('#'))
        .and_then(|r| root.pointer(r))
    {
        branches(target, root, out, depth + 1);
    }
    for list in ["allOf", "anyOf", "oneOf"] {
        for b in node
            .get(list)
            .and_then(|l| l.as_array())
            .into_iter()
            .flatten()
        {
            branches(b, root, out, depth + 1);
        }
    }
    for one in ["then", "else"] {
        if let Some(b) = node.get(one) {
            branches(b, root, out, depth + 1);
        }
    }
}

/// The keys the schemas `nodes` describe, with the shapes of their values;
/// `None` where any key may be there (no `properties`, or
/// `additionalProperties`/`patternProperties` admitting others).
fn shape_of(nodes: &[&serde_json::Value], root: &serde_json::Value) -> Option<ShapeNode> {
    let mut all = Vec::new();
    for n in nodes {
        branches(n, root, &mut all, 0);
    }
    let mut props = Props::new();
    for n in all {
        let open = n
            .get("additionalProperties")
            .is_some_and(|a| a != &serde_json::Value::Bool(false));
        if open || n.get("patternProperties").is_some() {
            return None;
        }
        for (k, v) in n
            .get("properties")
            .and_then(|p| p.as_object())
            .into_iter()
            .flatten()
        {
            props.entry(k.as_str()).or_default().push(v);
        }
    }
    if props.is_empty() {
        return None;
    }
    Some(ShapeNode(
        props
            .into_iter()
            .map(|(k, vs)| (k.to_owned(), shape_of(&vs, root)))
            .collect(),
    ))
}

/// Rust source for `shape`: an `Option<&'static Shape>` (src/values/shape.rs).
fn emit_shape(shape: &Option<ShapeNode>) -> String {
    let Some(ShapeNode(entries)) = shape else {
        return "None".to_owned();
    };
    let items: Vec<String> = entries
        .iter()
        .map(|(k, child)| format!("({k:?}, {})", emit_shape(child)))
        .collect();
    format!("Some(&Shape(&[{}]))", items.join(", "))
}
