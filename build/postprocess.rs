//! Rewrites progenitor's output so that every operation and type the spec will ever have gets
//! the behaviour this crate promises, without hand-written code per operation:
//!
//! Token pass (on progenitor's token stream, where macro arguments are still visible):
//! - `encode_path(&x.to_string())` → `crate::path::encode_segment("x", &x.to_string())?`:
//!   empty, `.`, `..` and blank path parameters are refused before any request (progenitor
//!   leaves dots unencoded, so `..` would climb out of the path);
//! - progenitor's `Error<E>` → this crate's one `crate::Error`, and its variant constructors
//!   (`Error::InvalidRequest`, …) → functions of `crate::error::generated`;
//! - `ResponseValue::from_response` → `crate::decode::from_response` (bounded reading, field
//!   path on a decode failure, API errors read by the request hook).
//!
//! Syntax pass (on the parsed file):
//! - every string enum gains `#[serde(untagged)] Unknown(String)` so a value added to the API
//!   later decodes and round-trips (and loses `Copy`, which a `String` cannot have);
//! - fields that are required but nullable (`deserialize_with = Option::deserialize`) also get
//!   `default`, so a response that omits them decodes them as `None`;
//! - `deny_unknown_fields` is removed: the live API adds response fields.

use proc_macro2::{Delimiter, Group, Ident, Spacing, Span, TokenStream, TokenTree};
use quote::quote;
use std::collections::BTreeSet;
use syn::visit_mut::VisitMut;

/// Applies both passes; returns the rewritten file.
pub fn postprocess(tokens: TokenStream) -> syn::Result<syn::File> {
    let tokens = rewrite_tokens(tokens);
    let mut file: syn::File = syn::parse2(tokens)?;
    let mut enums = OpenEnums::default();
    enums.visit_file_mut(&mut file);
    let mut impls = OpenEnumImpls {
        names: &enums.names,
    };
    impls.visit_file_mut(&mut file);
    LenientFields.visit_file_mut(&mut file);
    Ok(file)
}

/// The token pass over a whole generated file.
pub fn rewrite_tokens(tokens: TokenStream) -> TokenStream {
    redirect_error_import(rewrite_expressions(tokens))
}

/// Rewrites paths and calls, recursing into every group (including macro arguments such as
/// `format!`'s, which syn would leave opaque).
fn rewrite_expressions(tokens: TokenStream) -> TokenStream {
    let trees: Vec<TokenTree> = tokens.into_iter().collect();
    let mut out: Vec<TokenTree> = Vec::with_capacity(trees.len());
    let mut i = 0;
    while i < trees.len() {
        let ident = match &trees[i] {
            TokenTree::Ident(ident) => Some(ident.to_string()),
            _ => None,
        };
        match ident.as_deref() {
            // `encode_path(ARGS)` → `crate::path::encode_segment("name", ARGS)?`
            Some("encode_path") => {
                if let Some(TokenTree::Group(args)) = trees.get(i + 1)
                    && args.delimiter() == Delimiter::Parenthesis
                {
                    let name =
                        first_identifier(args.stream()).unwrap_or_else(|| "parameter".into());
                    let inner = rewrite_expressions(args.stream());
                    out.extend(quote!(crate::path::encode_segment(#name, #inner)?));
                    i += 2;
                    continue;
                }
                out.push(trees[i].clone());
            }
            Some("Error") => {
                // `Error<…>` (a type) → `Error`: the crate's error is not generic.
                if is_punct(trees.get(i + 1), '<') {
                    out.push(trees[i].clone());
                    i = skip_angle_brackets(&trees, i + 1);
                    continue;
                }
                // `Error::Variant` → `crate::error::generated::variant`
                if is_path_sep(&trees, i + 1)
                    && let Some(TokenTree::Ident(variant)) = trees.get(i + 3)
                {
                    let function = Ident::new(&snake_case(&variant.to_string()), Span::call_site());
                    out.extend(quote!(crate::error::generated::#function));
                    i += 4;
                    continue;
                }
                out.push(trees[i].clone());
            }
            // `ResponseValue::from_response` → `crate::decode::from_response`
            Some("ResponseValue")
                if is_path_sep(&trees, i + 1)
                    && matches!(trees.get(i + 3), Some(TokenTree::Ident(f)) if f == "from_response") =>
            {
                out.extend(quote!(crate::decode::from_response));
                i += 4;
                continue;
            }
            _ => match &trees[i] {
                TokenTree::Group(group) => {
                    let mut rewritten =
                        Group::new(group.delimiter(), rewrite_expressions(group.stream()));
                    rewritten.set_span(group.span());
                    out.push(TokenTree::Group(rewritten));
                }
                other => out.push(other.clone()),
            },
        }
        i += 1;
    }
    out.into_iter().collect()
}

/// progenitor re-exports its `Error` at the top of the file
/// (`pub use progenitor_client::{ByteStream, ClientInfo, Error, ResponseValue};`); the
/// generated code must see this crate's error under that name instead.
fn redirect_error_import(tokens: TokenStream) -> TokenStream {
    let trees: Vec<TokenTree> = tokens.into_iter().collect();
    let mut out = Vec::with_capacity(trees.len());
    for (i, tree) in trees.iter().enumerate() {
        let after_progenitor_client = i >= 3
            && matches!(&trees[i - 3], TokenTree::Ident(id) if id == "progenitor_client")
            && is_path_sep(&trees, i - 2);
        match tree {
            TokenTree::Group(group)
                if after_progenitor_client && group.delimiter() == Delimiter::Brace =>
            {
                let kept: Vec<TokenTree> = strip_from_use_list(group.stream(), "Error");
                let mut replaced = Group::new(Delimiter::Brace, kept.into_iter().collect());
                replaced.set_span(group.span());
                out.push(TokenTree::Group(replaced));
                // The item ends with `;`; `crate::Error` is added once, below.
            }
            other => out.push(other.clone()),
        }
    }
    let mut stream: TokenStream = out.into_iter().collect();
    stream.extend(quote!(
        #[allow(unused_imports)]
        pub use crate::Error;
    ));
    stream
}

/// Removes `name` (and its comma) from the items of a `use a::{…}` list.
fn strip_from_use_list(list: TokenStream, name: &str) -> Vec<TokenTree> {
    let trees: Vec<TokenTree> = list.into_iter().collect();
    let mut kept = Vec::new();
    let mut i = 0;
    while i < trees.len() {
        if matches!(&trees[i], TokenTree::Ident(id) if id == name) {
            i += if is_punct(trees.get(i + 1), ',') {
                2
            } else {
                1
            };
            continue;
        }
        kept.push(trees[i].clone());
        i += 1;
    }
    kept
}

fn is_punct(tree: Option<&TokenTree>, c: char) -> bool {
    matches!(tree, Some(TokenTree::Punct(p)) if p.as_char() == c)
}

/// Is `trees[i..i + 2]` the path separator `::`?
fn is_path_sep(trees: &[TokenTree], i: usize) -> bool {
    matches!(trees.get(i), Some(TokenTree::Punct(p)) if p.as_char() == ':' && p.spacing() == Spacing::Joint)
        && is_punct(trees.get(i + 1), ':')
}

/// Given the index of a `<`, returns the index just past its matching `>`.
fn skip_angle_brackets(trees: &[TokenTree], open: usize) -> usize {
    let mut depth = 0usize;
    let mut i = open;
    while i < trees.len() {
        if is_punct(trees.get(i), '<') {
            depth += 1;
        } else if is_punct(trees.get(i), '>') {
            depth -= 1;
            if depth == 0 {
                return i + 1;
            }
        }
        i += 1;
    }
    i
}

/// The first identifier in a token stream that names a value (`&model_id.to_string()` →
/// `model_id`), used to name the parameter in a rejection message.
fn first_identifier(tokens: TokenStream) -> Option<String> {
    tokens.into_iter().find_map(|tree| match tree {
        TokenTree::Ident(ident) => Some(ident.to_string().trim_start_matches("r#").to_string()),
        TokenTree::Group(group) => first_identifier(group.stream()),
        _ => None,
    })
}

fn snake_case(name: &str) -> String {
    let mut out = String::new();
    for (i, c) in name.chars().enumerate() {
        if c.is_ascii_uppercase() {
            if i > 0 {
                out.push('_');
            }
            out.push(c.to_ascii_lowercase());
        } else {
            out.push(c);
        }
    }
    out
}

/// Makes every enum of unit variants that derives `Deserialize` open: adds `Unknown(String)`.
#[derive(Default)]
struct OpenEnums {
    names: BTreeSet<String>,
}

impl VisitMut for OpenEnums {
    fn visit_item_enum_mut(&mut self, item: &mut syn::ItemEnum) {
        let unit_only = item
            .variants
            .iter()
            .all(|v| matches!(v.fields, syn::Fields::Unit));
        // One-value enums are `const`s (discriminators): a different value is not "new", it is
        // another variant of a union, so they stay closed.
        if !unit_only || item.variants.len() < 2 || !derives(&item.attrs, "Deserialize") {
            return;
        }
        remove_derive(&mut item.attrs, "Copy");
        item.variants.push(syn::parse_quote! {
            /// A value this version of the client does not know (the API added it later). It
            /// is kept verbatim, so it is shown and sent back unchanged.
            #[serde(untagged)]
            Unknown(::std::string::String)
        });
        self.names.insert(item.ident.to_string());
    }
}

/// Adds the `Unknown` arm to `Display` and lets `FromStr` keep unknown values.
struct OpenEnumImpls<'a> {
    names: &'a BTreeSet<String>,
}

impl VisitMut for OpenEnumImpls<'_> {
    fn visit_item_impl_mut(&mut self, item: &mut syn::ItemImpl) {
        let syn::Type::Path(self_type) = &*item.self_ty else {
            return;
        };
        let Some(name) = self_type.path.segments.last().map(|s| s.ident.to_string()) else {
            return;
        };
        if !self.names.contains(&name) {
            return;
        }
        let Some(trait_name) = item
            .trait_
            .as_ref()
            .and_then(|(path, _)| path.segments.last())
            .map(|s| s.ident.to_string())
        else {
            return;
        };
        for impl_item in &mut item.items {
            let syn::ImplItem::Fn(function) = impl_item else {
                continue;
            };
            let Some(body_match) = find_match(&mut function.block) else {
                continue;
            };
            match trait_name.as_str() {
                "Display" => body_match.arms.push(syn::parse_quote! {
                    Self::Unknown(ref value) => f.write_str(value),
                }),
                "FromStr" => {
                    body_match
                        .arms
                        .retain(|arm| !matches!(arm.pat, syn::Pat::Wild(_)));
                    body_match.arms.push(syn::parse_quote! {
                        other => Ok(Self::Unknown(other.to_string())),
                    });
                }
                _ => {}
            }
        }
    }
}

/// The `match` a generated `fmt`/`from_str` body consists of.
fn find_match(block: &mut syn::Block) -> Option<&mut syn::ExprMatch> {
    block.stmts.iter_mut().find_map(|stmt| match stmt {
        syn::Stmt::Expr(syn::Expr::Match(m), _) => Some(m),
        _ => None,
    })
}

/// Required-but-nullable fields also accept absence; `deny_unknown_fields` goes.
struct LenientFields;

impl VisitMut for LenientFields {
    fn visit_field_mut(&mut self, field: &mut syn::Field) {
        for attr in &mut field.attrs {
            let Some(mut items) = serde_items(attr) else {
                continue;
            };
            let reads_option = items.iter().any(|item| match item {
                syn::Meta::NameValue(nv) if nv.path.is_ident("deserialize_with") => matches!(
                    &nv.value,
                    syn::Expr::Lit(syn::ExprLit { lit: syn::Lit::Str(s), .. })
                        if s.value().ends_with("Option::deserialize")
                ),
                _ => false,
            });
            if reads_option && !items.iter().any(|item| item.path().is_ident("default")) {
                items.insert(0, syn::parse_quote!(default));
                set_serde_items(attr, &items);
            }
        }
    }

    fn visit_item_struct_mut(&mut self, item: &mut syn::ItemStruct) {
        allow_unknown_fields(&mut item.attrs);
        syn::visit_mut::visit_item_struct_mut(self, item);
    }

    fn visit_item_enum_mut(&mut self, item: &mut syn::ItemEnum) {
        allow_unknown_fields(&mut item.attrs);
        syn::visit_mut::visit_item_enum_mut(self, item);
    }
}

type MetaList = syn::punctuated::Punctuated<syn::Meta, syn::Token![,]>;

/// The items of a `#[serde(…)]` attribute; `None` for any other attribute.
fn serde_items(attr: &syn::Attribute) -> Option<MetaList> {
    if !attr.path().is_ident("serde") {
        return None;
    }
    attr.parse_args_with(MetaList::parse_terminated).ok()
}

fn set_serde_items(attr: &mut syn::Attribute, items: &MetaList) {
    *attr = syn::parse_quote!(#[serde(#items)]);
}

/// Drops `deny_unknown_fields` from `#[serde(…)]` attributes (and an attribute left empty).
fn allow_unknown_fields(attrs: &mut Vec<syn::Attribute>) {
    attrs.retain_mut(|attr| {
        let Some(items) = serde_items(attr) else {
            return true;
        };
        if !items
            .iter()
            .any(|item| item.path().is_ident("deny_unknown_fields"))
        {
            return true;
        }
        let kept: MetaList = items
            .into_iter()
            .filter(|item| !item.path().is_ident("deny_unknown_fields"))
            .collect();
        set_serde_items(attr, &kept);
        !kept.is_empty()
    });
}

type PathList = syn::punctuated::Punctuated<syn::Path, syn::Token![,]>;

/// The paths of a `#[derive(…)]` attribute.
fn derive_paths(attr: &syn::Attribute) -> Option<PathList> {
    if !attr.path().is_ident("derive") {
        return None;
    }
    attr.parse_args_with(PathList::parse_terminated).ok()
}

fn ends_with(path: &syn::Path, name: &str) -> bool {
    path.segments.last().is_some_and(|s| s.ident == name)
}

fn derives(attrs: &[syn::Attribute], name: &str) -> bool {
    attrs
        .iter()
        .filter_map(derive_paths)
        .any(|paths| paths.iter().any(|p| ends_with(p, name)))
}

fn remove_derive(attrs: &mut [syn::Attribute], name: &str) {
    for attr in attrs.iter_mut() {
        let Some(paths) = derive_paths(attr) else {
            continue;
        };
        let kept: PathList = paths.into_iter().filter(|p| !ends_with(p, name)).collect();
        *attr = syn::parse_quote!(#[derive(#kept)]);
    }
}
