//! Stage 5: the merged OpenAPI 3.1 document → the OpenAPI 3.0.3 document that progenitor reads.
//!
//! progenitor parses OpenAPI 3.0 only, and misreads some 3.1 forms without complaint (a
//! `nullable` beside a `$ref` is ignored; `anyOf [T, null]` becomes an untagged enum). Each rule
//! below rewrites one 3.1 form into the 3.0 form with the same meaning ([`schema`]):
//! - `anyOf`/`oneOf` with a `{type: 'null'}` member, and `type` arrays holding `'null'` →
//!   `nullable: true` (a lone `$ref` member becomes `allOf: [$ref]` so the `nullable` counts);
//! - schema `examples` (a list) → `example` (its first item);
//! - `const` → a one-value `enum` (dropping a `default` equal to it);
//! - numeric `exclusiveMinimum`/`exclusiveMaximum` → `minimum`/`maximum` + boolean flag;
//! - keywords 3.0 does not have are dropped (reported).
//!
//! Then the document is adjusted for the code progenitor (typify) generates from it:
//! - `additionalProperties: false` and `pattern` are dropped so that responses from a newer
//!   server still decode ([`tolerant`]);
//! - components that no operation reaches are pruned ([`prune`]);
//! - inline `title`s that would give different types one Rust name are dropped ([`titles`]);
//! - every operation gets an `operationId`: the overlay's, else one derived from method and
//!   path, unique even once progenitor has converted it to a Rust name ([`operation_ids`]).

pub mod operation_ids;
pub mod prune;
pub mod schema;
pub mod titles;
pub mod tolerant;
pub mod walk;

use serde_json::{Value, json};

/// The derived document and what the derivation dropped or named on the way.
#[derive(Debug)]
pub struct Derived {
    pub doc: Value,
    pub notes: Vec<String>,
}

/// Derives the 3.0.3 document from the merged 3.1 document.
pub fn derive(merged: &Value) -> Derived {
    let mut doc = merged.clone();
    let mut notes = Vec::new();
    if let Some(map) = doc.as_object_mut() {
        map.insert("openapi".into(), json!("3.0.3"));
        for key in ["webhooks", "jsonSchemaDialect"] {
            if map.shift_remove(key).is_some() {
                notes.push(format!("/{key}: dropped (OpenAPI 3.1 only)"));
            }
        }
    }
    if let Some(info) = doc.get_mut("info").and_then(Value::as_object_mut) {
        if info.shift_remove("summary").is_some() {
            notes.push("/info/summary: dropped (OpenAPI 3.1 only)".into());
        }
        if let Some(license) = info.get_mut("license").and_then(Value::as_object_mut) {
            license.shift_remove("identifier");
        }
    }
    operation_ids::assign_operation_ids(&mut doc, &mut notes);
    walk::for_each_schema(&mut doc, &mut |schema, pointer| {
        schema::convert_schema(schema, pointer, &mut notes);
        tolerant::make_tolerant(schema, pointer, &mut notes);
    });
    prune::prune_unreachable_components(&mut doc, &mut notes);
    titles::drop_colliding_titles(&mut doc, &mut notes);
    Derived { doc, notes }
}
