//! Schema normalization shared with Python's `normalize_schema` (python-api §12): `$defs`
//! references are inlined, recursive ones kept, so a schema reaches the wire spec in the
//! same shape from either front end.

use serde_json::{Map, Value};

const DEFS_PREFIX: &str = "#/$defs/";

/// Replaces every `{"$ref": "#/$defs/<name>"}` by its (recursively inlined) definition and
/// drops `$defs`; a reference to a definition already being expanded stays a `$ref`, and
/// then the original `$defs` are kept.
///
/// ```
/// use serde_json::json;
/// let s = json!({"$defs": {"A": {"type": "string"}}, "properties": {"a": {"$ref": "#/$defs/A"}}});
/// assert_eq!(flowai::spec::inline_refs(&s), json!({"properties": {"a": {"type": "string"}}}));
/// ```
pub fn inline_refs(schema: &Value) -> Value {
    let Some(Value::Object(defs)) = schema.get("$defs") else {
        return schema.clone();
    };
    let mut body = schema.as_object().cloned().unwrap_or_default();
    body.remove("$defs");
    let mut recursive = false;
    let mut result = expand(&Value::Object(body), defs, &mut Vec::new(), &mut recursive);
    if recursive {
        if let Value::Object(map) = &mut result {
            map.insert("$defs".into(), Value::Object(defs.clone()));
        }
    }
    result
}

fn expand(
    node: &Value,
    defs: &Map<String, Value>,
    stack: &mut Vec<String>,
    recursive: &mut bool,
) -> Value {
    match node {
        Value::Array(items) => Value::Array(
            items
                .iter()
                .map(|i| expand(i, defs, stack, recursive))
                .collect(),
        ),
        Value::Object(map) => {
            let target = map
                .get("$ref")
                .and_then(Value::as_str)
                .and_then(|r| r.strip_prefix(DEFS_PREFIX))
                .filter(|name| defs.contains_key(*name));
            if let Some(name) = target {
                if stack.iter().any(|s| s == name) {
                    *recursive = true;
                    return node.clone();
                }
                stack.push(name.to_string());
                let mut inlined = expand(&defs[name], defs, stack, recursive);
                stack.pop();
                if let Value::Object(out) = &mut inlined {
                    for (k, v) in map.iter().filter(|(k, _)| *k != "$ref") {
                        out.insert(k.clone(), expand(v, defs, stack, recursive));
                    }
                }
                return inlined;
            }
            Value::Object(
                map.iter()
                    .map(|(k, v)| (k.clone(), expand(v, defs, stack, recursive)))
                    .collect(),
            )
        }
        other => other.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::inline_refs;
    use serde_json::json;

    #[test]
    fn recursive_refs_stay_with_their_defs() {
        let tree = json!({
            "$defs": {"Node": {"properties": {"children": {"items": {"$ref": "#/$defs/Node"}}}}},
            "$ref": "#/$defs/Node"
        });
        let out = inline_refs(&tree);
        assert_eq!(
            out["properties"]["children"]["items"],
            json!({"$ref": "#/$defs/Node"})
        );
        assert!(out.get("$defs").is_some());
    }
}
