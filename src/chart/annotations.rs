// Shared by build.rs (which strips the embedded chart's values.schema.json
// at build time) and src/chart (whose tests check the result): keep this
// file free of crate paths.

/// `schema` without its annotation keywords (`description`, `title`,
/// `$comment`, `examples`): the keywords that say nothing about validity.
/// Only keywords are removed: a property *named* `description` stays.
pub fn strip_annotations(schema: &mut serde_json::Value) {
    /// Keywords whose value is a map of name → schema.
    const SCHEMA_MAPS: &[&str] = &[
        "properties",
        "patternProperties",
        "definitions",
        "$defs",
        "dependentSchemas",
    ];
    /// Keywords whose value is a schema or a list of schemas.
    const SUBSCHEMAS: &[&str] = &[
        "items",
        "prefixItems",
        "additionalItems",
        "additionalProperties",
        "unevaluatedItems",
        "unevaluatedProperties",
        "contains",
        "propertyNames",
        "not",
        "if",
        "then",
        "else",
        "allOf",
        "anyOf",
        "oneOf",
    ];
    let serde_json::Value::Object(object) = schema else {
        return;
    };
    for annotation in ["description", "title", "$comment", "examples"] {
        object.remove(annotation);
    }
    for (keyword, value) in object.iter_mut() {
        if SCHEMA_MAPS.contains(&keyword.as_str()) {
            if let serde_json::Value::Object(named) = value {
                named.values_mut().for_each(strip_annotations);
            }
        } else if SUBSCHEMAS.contains(&keyword.as_str()) {
            match value {
                serde_json::Value::Array(list) => list.iter_mut().for_each(strip_annotations),
                other => strip_annotations(other),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::strip_annotations;

    #[test]
    fn only_annotation_keywords_go() {
        let mut schema = serde_json::json!({
            "title": "t", "description": "d", "$comment": "c", "examples": [1],
            "type": "object",
            "properties": {
                "description": {"description": "a property named description", "type": "string"},
                "title": {"enum": ["description"]}
            },
            "allOf": [{"if": {"description": "x", "const": 1}, "then": {"title": "y"}}],
            "definitions": {"d": {"$comment": "z", "default": 3}}
        });
        strip_annotations(&mut schema);
        assert_eq!(
            schema,
            serde_json::json!({
                "type": "object",
                "properties": {"description": {"type": "string"}, "title": {"enum": ["description"]}},
                "allOf": [{"if": {"const": 1}, "then": {}}],
                "definitions": {"d": {"default": 3}}
            })
        );
    }
}
