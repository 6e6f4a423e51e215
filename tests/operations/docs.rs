//! Every operation of the build is documented from the spec, in the generated code a user
//! reads: its `Client` method carries the operation's summary and description, and the setter
//! of each path parameter the parameter's description (which every path parameter has).

use std::collections::BTreeMap;

use serde_json::Value;

use crate::calls;

const GENERATED: &str = concat!(env!("OUT_DIR"), "/baseten_api_generated.rs");
const SPEC: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/openapi/baseten-3.0.json");

/// An item's doc text, its lines joined, whitespace collapsed.
fn docs(attributes: &[syn::Attribute]) -> String {
    let mut text = String::new();
    for attribute in attributes {
        if let syn::Meta::NameValue(pair) = &attribute.meta
            && pair.path.is_ident("doc")
            && let syn::Expr::Lit(syn::ExprLit {
                lit: syn::Lit::Str(line),
                ..
            }) = &pair.value
        {
            text.push_str(&line.value());
            text.push('\n');
        }
    }
    collapse(&text)
}

fn collapse(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn type_name(ty: &syn::Type) -> Option<String> {
    let syn::Type::Path(path) = ty else {
        return None;
    };
    Some(path.path.segments.last()?.ident.to_string())
}

/// What the generated code documents: `Client` methods by name, and each builder's setters,
/// by the method that returns the builder.
#[derive(Default)]
struct Documented {
    methods: BTreeMap<String, String>,
    builder_of: BTreeMap<String, String>,
    setters: BTreeMap<String, BTreeMap<String, String>>,
}

fn documented(file: &syn::File) -> Documented {
    let mut found = Documented::default();
    let mut builders = Vec::new();
    for item in &file.items {
        match item {
            syn::Item::Impl(block)
                if block.trait_.is_none()
                    && type_name(&block.self_ty).as_deref() == Some("Client") =>
            {
                for item in &block.items {
                    let syn::ImplItem::Fn(method) = item else {
                        continue;
                    };
                    let name = method.sig.ident.to_string();
                    if let syn::ReturnType::Type(_, output) = &method.sig.output
                        && let Some(builder) = type_name(output)
                    {
                        found.builder_of.insert(name.clone(), builder);
                    }
                    found.methods.insert(name, docs(&method.attrs));
                }
            }
            syn::Item::Mod(module) if module.ident == "builder" => {
                if let Some((_, items)) = &module.content {
                    builders.extend(items.iter());
                }
            }
            _ => {}
        }
    }
    for item in builders {
        let syn::Item::Impl(block) = item else {
            continue;
        };
        let Some(builder) = type_name(&block.self_ty) else {
            continue;
        };
        let setters = found.setters.entry(builder).or_default();
        for item in &block.items {
            if let syn::ImplItem::Fn(setter) = item {
                setters.insert(setter.sig.ident.to_string(), docs(&setter.attrs));
            }
        }
    }
    found
}

/// A parameter, its `$ref` resolved.
fn resolve<'a>(spec: &'a Value, parameter: &'a Value) -> &'a Value {
    match parameter["$ref"].as_str() {
        Some(reference) => spec
            .pointer(reference.trim_start_matches('#'))
            .unwrap_or(&Value::Null),
        None => parameter,
    }
}

#[test]
fn every_operation_and_path_parameter_is_documented_from_the_spec() {
    let source = std::fs::read_to_string(GENERATED).expect("the generated client");
    let file = syn::parse_file(&source).expect("the generated client parses");
    let found = documented(&file);
    let spec: Value =
        serde_json::from_str(&std::fs::read_to_string(SPEC).expect("the spec")).unwrap();

    let mut problems = Vec::new();
    let mut path_parameters = 0;
    for (path, item) in spec["paths"].as_object().unwrap() {
        for (method, operation) in item.as_object().unwrap() {
            let Some(id) = operation["operationId"].as_str() else {
                continue;
            };
            if !calls::OPERATIONS.iter().any(|(op, _)| *op == id) {
                continue; // not in this build
            }
            let Some(method_docs) = found.methods.get(id) else {
                problems.push(format!("{id}: no `Client::{id}`"));
                continue;
            };
            for key in ["summary", "description"] {
                // (progenitor drops a summary's closing period)
                if let Some(text) = operation[key].as_str()
                    && !method_docs.contains(&collapse(text.trim_end_matches('.')))
                {
                    problems.push(format!("{id}: its docs lack the spec's {key}: {text:?}"));
                }
            }
            if operation["summary"].is_null() && operation["description"].is_null() {
                problems.push(format!(
                    "{id} ({method} {path}): the spec does not say what it does"
                ));
            }
            let setters = &found.setters[&found.builder_of[id]];
            let parameters = item
                .get("parameters")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .chain(operation["parameters"].as_array().into_iter().flatten());
            for parameter in parameters {
                let parameter = resolve(&spec, parameter);
                if parameter["in"] != "path" {
                    continue;
                }
                path_parameters += 1;
                let name = parameter["name"].as_str().unwrap();
                let Some(description) = parameter["description"].as_str() else {
                    problems.push(format!(
                        "{id}: the path parameter `{name}` has no description"
                    ));
                    continue;
                };
                match setters.get(name) {
                    Some(docs) if docs.contains(&collapse(description)) => {}
                    Some(docs) => problems.push(format!(
                        "{id}: `.{name}(…)` does not show {description:?}: {docs:?}"
                    )),
                    None => problems.push(format!("{id}: no setter `.{name}(…)`")),
                }
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
    assert!(
        path_parameters >= 13,
        "only {path_parameters} path parameters seen"
    );
}
