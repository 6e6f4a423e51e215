//! A call of every generated operation through its builder, for the crate's tests
//! (`tests/operations`): which operations a build has, and each setter's type, are known only
//! here, where the generated code is. The tests supply the values; a new operation in the spec
//! is called without editing a test.
//!
//! The output is written to `$OUT_DIR` next to the client and compiled only by the tests that
//! `include!` it, so a build that uses the crate pays for writing a file and nothing else.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use quote::ToTokens;

/// One operation as its builder takes it.
struct Operation {
    /// The `Client` method, which is the operation id.
    method: String,
    /// `(setter, type its value converts to)`, in the builder's order.
    setters: Vec<(String, String)>,
}

/// The Rust source of the call table for the operations in `file` (the post-processed client).
pub fn source(file: &syn::File) -> Result<String, String> {
    let builders = client_methods(file);
    let module = file
        .items
        .iter()
        .find_map(|item| match item {
            syn::Item::Mod(module) if module.ident == "builder" => module.content.as_ref(),
            _ => None,
        })
        .ok_or("the generated client has no `builder` module")?;
    let mut operations = Vec::new();
    for item in &module.1 {
        let syn::Item::Impl(block) = item else {
            continue;
        };
        if block.trait_.is_some() {
            continue;
        }
        let Some(builder) = type_name(&block.self_ty) else {
            continue;
        };
        let Some(method) = builders.get(&builder) else {
            continue;
        };
        let mut setters = Vec::new();
        for item in &block.items {
            let syn::ImplItem::Fn(function) = item else {
                continue;
            };
            let name = function.sig.ident.to_string();
            if matches!(name.as_str(), "new" | "send" | "body_map") {
                continue;
            }
            let target = setter_target(&function.sig)
                .ok_or_else(|| format!("`{builder}::{name}` is not a `TryInto` setter"))?;
            setters.push((name, target));
        }
        operations.push(Operation {
            method: method.clone(),
            setters,
        });
    }
    if operations.len() != builders.len() {
        return Err(format!(
            "{} client methods return a builder, {} builders were found",
            builders.len(),
            operations.len()
        ));
    }
    operations.sort_by(|a, b| a.method.cmp(&b.method));
    Ok(render(&operations))
}

/// `builder type name → Client method` for every `Client` method that returns a builder.
fn client_methods(file: &syn::File) -> BTreeMap<String, String> {
    let mut methods = BTreeMap::new();
    for item in &file.items {
        let syn::Item::Impl(block) = item else {
            continue;
        };
        if block.trait_.is_some() || type_name(&block.self_ty).as_deref() != Some("Client") {
            continue;
        }
        for item in &block.items {
            let syn::ImplItem::Fn(function) = item else {
                continue;
            };
            let syn::ReturnType::Type(_, output) = &function.sig.output else {
                continue;
            };
            let syn::Type::Path(path) = &**output else {
                continue;
            };
            let segments: Vec<_> = path.path.segments.iter().collect();
            if let [first, last] = segments.as_slice()
                && first.ident == "builder"
            {
                methods.insert(last.ident.to_string(), function.sig.ident.to_string());
            }
        }
    }
    methods
}

/// The last segment's name of a path type (`builder::X<'a>` → `X`).
fn type_name(ty: &syn::Type) -> Option<String> {
    let syn::Type::Path(path) = ty else {
        return None;
    };
    Some(path.path.segments.last()?.ident.to_string())
}

/// `T` of a setter `fn name<V>(self, value: V) -> Self where V: TryInto<T>`.
fn setter_target(signature: &syn::Signature) -> Option<String> {
    let clause = signature.generics.where_clause.as_ref()?;
    clause.predicates.iter().find_map(|predicate| {
        let syn::WherePredicate::Type(predicate) = predicate else {
            return None;
        };
        if predicate.bounded_ty.to_token_stream().to_string() != "V" {
            return None;
        }
        predicate.bounds.iter().find_map(|bound| {
            let syn::TypeParamBound::Trait(bound) = bound else {
                return None;
            };
            let last = bound.path.segments.last()?;
            if last.ident != "TryInto" {
                return None;
            }
            let syn::PathArguments::AngleBracketed(arguments) = &last.arguments else {
                return None;
            };
            match arguments.args.first()? {
                syn::GenericArgument::Type(target) => Some(target.to_token_stream().to_string()),
                _ => None,
            }
        })
    })
}

fn render(operations: &[Operation]) -> String {
    let mut out = String::from(
        "// @generated by build.rs (build/calls.rs) from the generated client. Do not edit.\n\
         #[allow(unused_imports)]\n\
         use baseten_api::types;\n\n\
         /// The values a call takes, by setter name; `None` leaves that setter uncalled.\n\
         pub trait Arguments {\n    \
             fn get<T: serde::de::DeserializeOwned>(&self, operation: &str, setter: &str) -> Option<T>;\n\
         }\n\n\
         /// Every operation this build generated, by id, with its builder's setters in order.\n\
         pub const OPERATIONS: &[(&str, &[&str])] = &[\n",
    );
    for operation in operations {
        let setters: Vec<String> = operation
            .setters
            .iter()
            .map(|(name, _)| format!("{name:?}"))
            .collect();
        let _ = writeln!(
            out,
            "    ({:?}, &[{}]),",
            operation.method,
            setters.join(", ")
        );
    }
    out.push_str(
        "];\n\n\
         /// Calls `operation` through its builder with the values `arguments` has, and returns the\n\
         /// decoded answer as JSON; `None` when this build has no such operation.\n\
         pub async fn call<A: Arguments>(\n    \
             client: &baseten_api::Client,\n    \
             operation: &str,\n    \
             arguments: &A,\n\
         ) -> Option<Result<serde_json::Value, baseten_api::Error>> {\n    \
             match operation {\n",
    );
    for operation in operations {
        let binding = if operation.setters.is_empty() {
            "let"
        } else {
            "let mut"
        };
        let _ = writeln!(
            out,
            "        {:?} => Some(Box::pin(async {{\n            {binding} call = client.{}();",
            operation.method, operation.method
        );
        for (setter, target) in &operation.setters {
            let _ = writeln!(
                out,
                "            if let Some(value) = arguments.get::<{target}>({:?}, {setter:?}) {{\n                \
                 call = call.{setter}(value);\n            }}",
                operation.method
            );
        }
        out.push_str(
            "            let answer = call.send().await?.into_inner();\n            \
             Ok(serde_json::to_value(answer).expect(\"a decoded answer serializes\"))\n        \
             }).await),\n",
        );
    }
    out.push_str("        _ => None,\n    }\n}\n");
    out
}
