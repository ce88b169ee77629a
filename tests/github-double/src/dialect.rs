//! OpenAPI 3.0 writes schemas in its own dialect of JSON Schema. This turns one into standard
//! JSON Schema (draft 2020-12) that a validator understands.

use serde_json::{Map, Value};

/// The URI under which the description's components are registered for `$ref` resolution.
pub(crate) const COMPONENTS_URI: &str = "urn:planhost:github-openapi";

/// The JSON Schema that means what the OpenAPI 3.0 `schema` means. Only schema positions are
/// walked, so a property that happens to be called `nullable` or `example` stays a property.
pub(crate) fn to_json_schema(schema: &Value) -> Value {
    let Value::Object(keywords) = schema else {
        return schema.clone();
    };
    let mut converted = Map::new();
    for (keyword, value) in keywords {
        let value = match keyword.as_str() {
            // A local reference becomes one into the registered components document, so a
            // schema taken out of its document still resolves.
            "$ref" => match value.as_str() {
                Some(reference) if reference.starts_with("#/") => Value::String(format!("{COMPONENTS_URI}{reference}")),
                _ => value.clone(),
            },
            "properties" | "patternProperties" => Value::Object(
                value
                    .as_object()
                    .into_iter()
                    .flatten()
                    .map(|(name, property)| (name.clone(), to_json_schema(property)))
                    .collect(),
            ),
            "items" | "additionalProperties" | "not" => to_json_schema(value),
            "allOf" | "anyOf" => Value::Array(value.as_array().into_iter().flatten().map(to_json_schema).collect()),
            // GitHub's description writes `oneOf` for "one of these shapes" without making the
            // shapes exclusive: a 409 of repos/create-or-update-file-contents is basic-error or
            // repository-rule-violation-error, and any basic error is both; validation-error's
            // `value` is a nullable string, integer or array, so null is all three. Read
            // strictly, no answer could meet them; read as meant, they are `anyOf`.
            "oneOf" => {
                converted.insert("anyOf".to_owned(), Value::Array(value.as_array().into_iter().flatten().map(to_json_schema).collect()));
                continue;
            }
            // OpenAPI-only annotations, and extensions (`x-github-breaking-changes` carries
            // patches shaped like schemas that must not be read as one).
            "nullable" | "example" | "discriminator" | "xml" | "externalDocs" | "readOnly" | "writeOnly" => continue,
            extension if extension.starts_with("x-") => continue,
            _ => value.clone(),
        };
        converted.insert(keyword.clone(), value);
    }
    // OpenAPI 3.0's exclusiveMinimum / exclusiveMaximum are flags on minimum / maximum.
    for (flag, bound) in [("exclusiveMinimum", "minimum"), ("exclusiveMaximum", "maximum")] {
        if let Some(&Value::Bool(exclusive)) = converted.get(flag) {
            converted.remove(flag);
            if exclusive && let Some(limit) = converted.remove(bound) {
                converted.insert(flag.to_owned(), limit);
            }
        }
    }
    if keywords.get("nullable") == Some(&Value::Bool(true)) {
        allow_null(converted)
    } else {
        Value::Object(converted)
    }
}

/// `nullable: true`: the schema also accepts `null`.
fn allow_null(mut schema: Map<String, Value>) -> Value {
    match schema.get_mut("type") {
        Some(Value::String(kind)) => {
            let kind = std::mem::take(kind);
            schema.insert("type".to_owned(), Value::Array(vec![Value::String(kind), Value::String("null".to_owned())]));
            if let Some(Value::Array(allowed)) = schema.get_mut("enum")
                && !allowed.contains(&Value::Null)
            {
                allowed.push(Value::Null);
            }
            Value::Object(schema)
        }
        // No single type to widen (a reference, a combination): either null or the schema.
        _ => serde_json::json!({ "anyOf": [{ "type": "null" }, schema] }),
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn nullable_widens_the_type_and_the_enum() {
        let schema = json!({"type": "string", "enum": ["a"], "nullable": true, "example": "a"});
        assert_eq!(to_json_schema(&schema), json!({"type": ["string", "null"], "enum": ["a", null]}));
    }

    #[test]
    fn a_nullable_reference_becomes_a_choice_with_null() {
        let schema = json!({"$ref": "#/components/schemas/user", "nullable": true});
        assert_eq!(
            to_json_schema(&schema),
            json!({"anyOf": [{"type": "null"}, {"$ref": "urn:planhost:github-openapi#/components/schemas/user"}]})
        );
    }

    #[test]
    fn properties_named_like_keywords_are_kept() {
        let schema = json!({"type": "object", "properties": {"example": {"type": "string"}, "nullable": {"type": "boolean"}}});
        assert_eq!(to_json_schema(&schema), schema);
    }

    #[test]
    fn one_of_is_read_as_any_of() {
        let schema = json!({"oneOf": [{"type": "string", "nullable": true}, {"type": "integer", "nullable": true}]});
        assert_eq!(to_json_schema(&schema), json!({"anyOf": [{"type": ["string", "null"]}, {"type": ["integer", "null"]}]}));
    }

    #[test]
    fn boolean_exclusive_minimum_becomes_a_number() {
        let schema = json!({"type": "integer", "minimum": 0, "exclusiveMinimum": true});
        assert_eq!(to_json_schema(&schema), json!({"type": "integer", "exclusiveMinimum": 0}));
    }
}
