//! Documentation for the generated items a user reads, from the spec's own words.
//!
//! progenitor documents operations and schema fields, but leaves builder methods, enum values
//! and defaults undocumented, opens the `Client` page with constructors a user should not call
//! and the API's version number, and gives a type and its builder the same name. This pass,
//! run after the behaviour rewrites, fixes each of those in general terms, so an operation or
//! type added to the spec later reads as well:
//!
//! - `Client`: this crate's own introduction; `new`/`new_with_client` become crate-private
//!   (a client comes from `ClientBuilder`, which sets auth, timeouts and retries), and so do
//!   the operation builders' `new`;
//! - operation builders: every parameter method says what the parameter is (its spec
//!   description, where it goes, whether it is required), and `body`/`body_map` say what they
//!   take;
//! - schema types: a field with a default says it (`Default: true.`), each enum value names its
//!   wire form, and `builder()` says what the builder starts from;
//! - `types::builder::X` is renamed `XBuilder` and documented field by field.

use std::collections::{BTreeMap, BTreeSet};

use proc_macro2::{Ident, Span};
use syn::visit_mut::VisitMut;

/// What the spec says that progenitor's tokens no longer show, gathered by build.rs.
#[derive(Default)]
pub struct SpecFacts {
    /// The operation builder's name (the operation id in PascalCase) → its parameters.
    pub operations: BTreeMap<String, Vec<Parameter>>,
    /// Schema name → property name → its default, as JSON.
    pub defaults: BTreeMap<String, BTreeMap<String, String>>,
    /// The generated types of the union tags, which the behaviour pass keeps closed.
    pub union_tags: BTreeSet<super::TagType>,
}

/// One parameter of an operation.
pub struct Parameter {
    pub name: String,
    /// `path`, `query` or `header`.
    pub location: &'static str,
    pub required: bool,
    pub description: Option<String>,
}

/// `promote_model_to_environment` → `PromoteModelToEnvironment`, as progenitor names builders.
pub fn pascal_case(snake: &str) -> String {
    snake
        .split('_')
        .filter(|part| !part.is_empty())
        .map(|part| {
            let mut chars = part.chars();
            match chars.next() {
                Some(first) => first.to_uppercase().chain(chars).collect::<String>(),
                None => String::new(),
            }
        })
        .collect()
}

/// Applies every documentation rule to the file.
pub fn document(file: &mut syn::File, facts: &SpecFacts) {
    let builder_types = type_builder_names(file);
    RenameTypeBuilders {
        names: &builder_types,
        in_types: false,
        in_types_builder: false,
    }
    .visit_file_mut(file);

    let field_docs = field_docs(file);
    for item in &mut file.items {
        match item {
            syn::Item::Struct(item) if item.ident == "Client" => {
                item.attrs.retain(|attr| !attr.path().is_ident("doc"));
                item.attrs.insert(0, doc(CLIENT_DOC));
            }
            syn::Item::Impl(item) if is_type(&item.self_ty, "Client") && item.trait_.is_none() => {
                for function in functions(item) {
                    if function.sig.ident == "new" || function.sig.ident == "new_with_client" {
                        make_crate_private(function);
                    }
                }
            }
            syn::Item::Mod(module) if module.ident == "builder" => {
                for item in module_items(module) {
                    if let syn::Item::Impl(item) = item {
                        document_operation_builder(item, facts);
                    }
                }
            }
            syn::Item::Mod(module) if module.ident == "types" => {
                document_types(module, facts, &field_docs);
            }
            _ => {}
        }
    }
}

const CLIENT_DOC: &str = " A client for Baseten's management API.\n\n Build one with \
[`Client::builder`] or [`Client::from_env`]: \
they set the API key, base URL, timeouts and retry policy. Each method below starts one \
operation: it returns a request builder; set its parameters and body, then `.send().await`. \
Every operation returns [`Error`] on failure.\n\n It is cheap to clone: clones \
share one connection pool.";

fn doc(text: &str) -> syn::Attribute {
    syn::parse_quote!(#[doc = #text])
}

fn has_doc(attrs: &[syn::Attribute]) -> bool {
    attrs.iter().any(|attr| attr.path().is_ident("doc"))
}

fn is_type(ty: &syn::Type, name: &str) -> bool {
    matches!(ty, syn::Type::Path(p) if p.path.segments.last().is_some_and(|s| s.ident == name))
}

fn type_name(ty: &syn::Type) -> Option<String> {
    match ty {
        syn::Type::Path(p) => p.path.segments.last().map(|s| s.ident.to_string()),
        _ => None,
    }
}

fn module_items(module: &mut syn::ItemMod) -> impl Iterator<Item = &mut syn::Item> {
    module
        .content
        .as_mut()
        .map(|(_, items)| items.iter_mut())
        .into_iter()
        .flatten()
}

fn functions(item: &mut syn::ItemImpl) -> impl Iterator<Item = &mut syn::ImplItemFn> {
    item.items.iter_mut().filter_map(|item| match item {
        syn::ImplItem::Fn(function) => Some(function),
        _ => None,
    })
}

fn make_crate_private(function: &mut syn::ImplItemFn) {
    function.vis = syn::parse_quote!(pub(crate));
    // `Client::new` is progenitor's; the crate builds clients with `new_with_client` only.
    function.attrs.push(syn::parse_quote!(#[allow(dead_code)]));
}

/// Docs for the parameter, body and constructor methods of one operation builder.
fn document_operation_builder(item: &mut syn::ItemImpl, facts: &SpecFacts) {
    let Some(builder) = type_name(&item.self_ty) else {
        return;
    };
    let parameters = facts.operations.get(&builder);
    for function in functions(item) {
        let name = function.sig.ident.to_string();
        if name == "new" {
            make_crate_private(function);
            continue;
        }
        if has_doc(&function.attrs) {
            continue;
        }
        let text = match name.as_str() {
            "body" => " The request body: the type itself, or its builder (fields left unset \
                        get their documented defaults; a missing required field is reported by \
                        `send` as [`Error::InvalidRequest`])."
                .to_owned(),
            "body_map" => " Changes the body through its builder, starting from the body set \
                            so far (or from the documented defaults)."
                .to_owned(),
            _ => parameter_doc(&name, parameters),
        };
        function.attrs.insert(0, doc(&text));
    }
}

fn parameter_doc(name: &str, parameters: Option<&Vec<Parameter>>) -> String {
    let Some(parameter) = parameters.and_then(|ps| ps.iter().find(|p| p.name == name)) else {
        return format!(" Sets `{name}`.");
    };
    let mut text = match &parameter.description {
        Some(description) => format!(" {}", description.trim()),
        None => format!(" Sets `{name}`."),
    };
    let required = if parameter.required {
        "required"
    } else {
        "optional"
    };
    text.push_str(&format!(
        "\n\n A {} parameter, {required}.",
        parameter.location
    ));
    if parameter.location == "path" {
        text.push_str(
            " Sent as exactly one percent-encoded path segment: an empty or blank value, `.` \
             and `..` are refused by `send` before anything is sent.",
        );
    }
    text
}

/// The items of the inline module `name` among `items` (none if there is no such module).
fn module_items_of<'a>(items: &'a [syn::Item], name: &str) -> &'a [syn::Item] {
    items
        .iter()
        .find_map(|item| match item {
            syn::Item::Mod(module) if module.ident == name => {
                module.content.as_ref().map(|(_, items)| items.as_slice())
            }
            _ => None,
        })
        .unwrap_or_default()
}

/// The doc lines of every field of every struct in `types`, by type and field.
fn field_docs(file: &syn::File) -> BTreeMap<(String, String), Vec<syn::Attribute>> {
    let mut docs = BTreeMap::new();
    for item in module_items_of(&file.items, "types") {
        let syn::Item::Struct(item) = item else {
            continue;
        };
        for field in &item.fields {
            let Some(ident) = &field.ident else {
                continue;
            };
            let lines: Vec<syn::Attribute> = field
                .attrs
                .iter()
                .filter(|attr| attr.path().is_ident("doc"))
                .cloned()
                .collect();
            docs.insert((item.ident.to_string(), ident.to_string()), lines);
        }
    }
    docs
}

fn document_types(
    module: &mut syn::ItemMod,
    facts: &SpecFacts,
    field_docs: &BTreeMap<(String, String), Vec<syn::Attribute>>,
) {
    for item in module_items(module) {
        match item {
            syn::Item::Struct(item) => {
                let defaults = facts.defaults.get(&item.ident.to_string());
                for field in &mut item.fields {
                    let Some(ident) = &field.ident else {
                        continue;
                    };
                    if let Some(default) = defaults.and_then(|d| d.get(&ident.to_string())) {
                        // After the description, before `#[serde(…)]`: it reads as one doc.
                        let at = field
                            .attrs
                            .iter()
                            .rposition(|attr| attr.path().is_ident("doc"))
                            .map_or(0, |last| last + 1);
                        let lines = [doc(""), doc(&format!(" Default: `{default}`."))];
                        field.attrs.splice(at..at, lines);
                    }
                }
            }
            syn::Item::Enum(item) => {
                for variant in &mut item.variants {
                    if has_doc(&variant.attrs) {
                        continue;
                    }
                    if let Some(wire) = serde_rename(&variant.attrs) {
                        variant.attrs.insert(0, doc(&format!(" `{wire}`")));
                    }
                }
            }
            syn::Item::Impl(item) if item.trait_.is_none() => {
                let Some(name) = type_name(&item.self_ty) else {
                    continue;
                };
                for function in functions(item) {
                    if function.sig.ident == "builder" && !has_doc(&function.attrs) {
                        let text = format!(
                            " Starts a [`builder::{name}Builder`] from the documented defaults. \
                             `try_into()`, or passing it to an operation's `body`, names any \
                             required field left unset."
                        );
                        function.attrs.insert(0, doc(&text));
                    }
                }
            }
            syn::Item::Mod(builder) if builder.ident == "builder" => {
                document_type_builders(builder, facts, field_docs);
            }
            _ => {}
        }
    }
}

fn document_type_builders(
    module: &mut syn::ItemMod,
    facts: &SpecFacts,
    field_docs: &BTreeMap<(String, String), Vec<syn::Attribute>>,
) {
    for item in module_items(module) {
        match item {
            syn::Item::Struct(item) => {
                let target = builder_target(&item.ident.to_string());
                let text = format!(
                    " Builds a [`{target}`](super::{target}) field by field, starting from the \
                     documented defaults."
                );
                item.attrs.insert(0, doc(&text));
            }
            syn::Item::Impl(item) if item.trait_.is_none() => {
                let Some(builder) = type_name(&item.self_ty) else {
                    continue;
                };
                let target = builder_target(&builder);
                let defaults = facts.defaults.get(&target);
                for function in functions(item) {
                    if has_doc(&function.attrs) {
                        continue;
                    }
                    let field = function.sig.ident.to_string();
                    let mut lines = field_docs
                        .get(&(target.clone(), field.clone()))
                        .cloned()
                        .unwrap_or_default();
                    if lines.is_empty() {
                        lines.push(doc(&format!(" Sets `{field}`.")));
                    }
                    if let Some(default) = defaults.and_then(|d| d.get(&field)) {
                        lines.push(doc(""));
                        lines.push(doc(&format!(" Default: `{default}`.")));
                    }
                    lines.append(&mut function.attrs);
                    function.attrs = lines;
                }
            }
            _ => {}
        }
    }
}

fn builder_target(builder: &str) -> String {
    builder
        .strip_suffix("Builder")
        .unwrap_or(builder)
        .to_owned()
}

/// The `rename` of a `#[serde(rename = "…")]` attribute.
fn serde_rename(attrs: &[syn::Attribute]) -> Option<String> {
    attrs.iter().find_map(|attr| {
        if !attr.path().is_ident("serde") {
            return None;
        }
        let mut rename = None;
        let _ = attr.parse_nested_meta(|meta| {
            if meta.path.is_ident("rename") {
                let value: syn::LitStr = meta.value()?.parse()?;
                rename = Some(value.value());
            } else if meta.input.peek(syn::Token![=]) {
                let _: syn::Expr = meta.value()?.parse()?;
            }
            Ok(())
        });
        rename
    })
}

/// The structs of `types::builder`.
fn type_builder_names(file: &syn::File) -> BTreeSet<String> {
    let types = module_items_of(&file.items, "types");
    module_items_of(types, "builder")
        .iter()
        .filter_map(|item| match item {
            syn::Item::Struct(item) => Some(item.ident.to_string()),
            _ => None,
        })
        .collect()
}

/// `types::builder::X` → `types::builder::XBuilder`, with every reference to it: bare `X` inside
/// `types::builder`, `builder::X` inside `types`, and `types::builder::X` anywhere.
struct RenameTypeBuilders<'a> {
    names: &'a BTreeSet<String>,
    in_types: bool,
    in_types_builder: bool,
}

impl RenameTypeBuilders<'_> {
    fn renamed(ident: &Ident) -> Ident {
        Ident::new(&format!("{ident}Builder"), Span::call_site())
    }
}

impl VisitMut for RenameTypeBuilders<'_> {
    fn visit_item_mod_mut(&mut self, module: &mut syn::ItemMod) {
        let (in_types, in_types_builder) = (self.in_types, self.in_types_builder);
        if module.ident == "types" && !self.in_types {
            self.in_types = true;
        } else if module.ident == "builder" && self.in_types && !self.in_types_builder {
            self.in_types_builder = true;
        } else if self.in_types {
            // `types::error`, `types::defaults`: no builder is named there.
            self.in_types = false;
            self.in_types_builder = false;
        }
        syn::visit_mut::visit_item_mod_mut(self, module);
        (self.in_types, self.in_types_builder) = (in_types, in_types_builder);
    }

    fn visit_item_struct_mut(&mut self, item: &mut syn::ItemStruct) {
        if self.in_types_builder && self.names.contains(&item.ident.to_string()) {
            item.ident = Self::renamed(&item.ident);
        }
        syn::visit_mut::visit_item_struct_mut(self, item);
    }

    fn visit_path_mut(&mut self, path: &mut syn::Path) {
        let segments: Vec<String> = path.segments.iter().map(|s| s.ident.to_string()).collect();
        let last = segments.len() - 1;
        let rename = if segments.len() == 1 {
            self.in_types_builder && path.leading_colon.is_none()
        } else {
            let builder = segments[last - 1] == "builder";
            let qualified = last >= 2 && segments[last - 2] == "types";
            builder && (qualified || (last == 1 && self.in_types && !self.in_types_builder))
        };
        if rename && self.names.contains(&segments[last]) {
            let segment = &mut path.segments[last];
            segment.ident = Self::renamed(&segment.ident);
        }
        syn::visit_mut::visit_path_mut(self, path);
    }
}
