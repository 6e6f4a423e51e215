//! Rewrites progenitor's output so that every operation and type the spec will ever have gets
//! the behaviour this crate promises, without hand-written code per operation:
//!
//! Token pass (on progenitor's token stream, where macro arguments are still visible):
//! - `encode_path(&x.to_string())` → `crate::runtime::encode_segment("x", &x)?` (encoded from
//!   `x`'s `Display` as the URL is formatted):
//!   every byte but RFC 3986's unreserved characters is percent-encoded, and empty, `.`, `..`
//!   and blank path parameters are refused before any request (progenitor's encode set leaves
//!   `\\` and dots alone, so a value could climb out of its segment);
//! - progenitor's `Error<E>` → this crate's one `crate::Error`, and its variant constructors
//!   (`Error::InvalidRequest`, …) → functions of `crate::runtime` (`invalid_request`, …);
//! - `ResponseValue::from_response` → `crate::runtime::from_response` (bounded reading, field
//!   path on a decode failure, API errors read when the response arrived);
//! - the `pre`/`exec`/`post` hook calls → `crate::runtime::send` (auth, retries, tracing, one
//!   error type); a hook call left over is an error, never a request sent without auth.
//! - progenitor's `header_map.append("api-version", …);` → nothing (Baseten documents no such
//!   header; building it and removing it again cost every request a map, an append and a
//!   removal), and the map itself when no header parameter is left; a leftover is an error.
//!
//! The generated code calls nothing else of the hand-written layer: `src/runtime.rs` is its
//! one door.
//!
//! Syntax pass (on the parsed file):
//! - every string enum, one-value or not, gains `#[serde(untagged)] Unknown(String)` so a value
//!   added to the API later decodes and round-trips (and loses `Copy`, which a `String` cannot
//!   have), unless it is a union tag ([`rules::is_open_enum`]; the spec says which enums are
//!   tags, [`rules::union_tags`], and [`tag_types`] finds their generated types); it is decoded
//!   by a `match` on the string (`crate::runtime::open_enum`) rather than serde's derive, which
//!   would buffer every value to try the known variants first;
//! - fields that are required but nullable (`deserialize_with = Option::deserialize`) also get
//!   `default`, so a response that omits them decodes them as `None`;
//! - in the `builder` modules, the messages a field holds until it is set are
//!   `Cow<'static, str>` instead of `String`, so a builder starts without allocating
//!   ("… was not initialized" is borrowed, a formatted conversion error owned).
//!
//! Unknown fields are accepted because the derive stage (`cargo xtask generate`) drops
//! `additionalProperties: false`, from which typify would make `deny_unknown_fields`; the
//! generated-code test checks that no type denies them.

use proc_macro2::{Delimiter, Group, Ident, Spacing, Span, TokenStream, TokenTree};
use quote::quote;
use std::collections::{BTreeMap, BTreeSet};
use syn::visit_mut::VisitMut;

/// The documentation pass, run last.
#[path = "docs.rs"]
pub mod docs;

/// Rules this pass shares with `cargo xtask diff` (which judges what a spec change does to a
/// client built by this pass).
#[path = "rules.rs"]
pub mod rules;

/// Applies both passes, then documents the result; returns the rewritten file.
pub fn postprocess(tokens: TokenStream, facts: &docs::SpecFacts) -> syn::Result<syn::File> {
    let tokens = rewrite_tokens(tokens);
    let text = tokens.to_string();
    check_no_hook_calls(&text)
        .and_then(|()| check_no_api_version_header(&text))
        .map_err(|message| syn::Error::new(Span::call_site(), message))?;
    let mut file: syn::File = syn::parse2(tokens)?;
    let closed = tag_enum_names(&file, &facts.union_tags)
        .map_err(|message| syn::Error::new(Span::call_site(), message))?;
    let mut enums = OpenEnums {
        closed,
        ..OpenEnums::default()
    };
    enums.visit_file_mut(&mut file);
    if let Some(name) = enums.collisions.first() {
        return Err(syn::Error::new(
            Span::call_site(),
            format!(
                "enum `{name}` has a value whose Rust name is `{unknown}`, the name of the \
                 catch-all variant build.rs adds for values this client does not know; \
                 rename that value's variant (or `rules::UNKNOWN_VARIANT`) so the two stay apart",
                unknown = rules::UNKNOWN_VARIANT,
            ),
        ));
    }
    insert_open_enum_impls(&mut file.items, &mut enums.deserialize_impls);
    let mut impls = OpenEnumImpls {
        names: &enums.names,
    };
    impls.visit_file_mut(&mut file);
    LenientFields.visit_file_mut(&mut file);
    StaticErrors.visit_file_mut(&mut file);
    docs::document(&mut file, facts);
    Ok(file)
}

/// The token pass over a whole generated file.
pub fn rewrite_tokens(tokens: TokenStream) -> TokenStream {
    redirect_error_import(rewrite_expressions(tokens))
}

/// progenitor's request sequence in every operation's `send`, token by token (groups spelled
/// out). build.rs replaces it with [`SEND`].
const HOOK_SEQUENCE: &str = "client . pre ( & mut request , & info ) . await ? ; \
     let result = client . exec ( request , & info ) . await ; \
     client . post ( & result , & info ) . await ? ; \
     let response = result ? ;";

/// What replaces [`HOOK_SEQUENCE`]: sign, send with retries, map transport errors.
fn send_call() -> TokenStream {
    quote!(let response = crate::runtime::send(&client.client, &client.inner, request, &info).await?;)
}

/// The tokens of `trees` separated by single spaces, groups spelled out, so that a sequence
/// can be compared whatever spacing the generator used.
fn spelled(trees: &[TokenTree]) -> String {
    let mut out = Vec::with_capacity(trees.len());
    for tree in trees {
        match tree {
            TokenTree::Group(group) => {
                let inner: Vec<TokenTree> = group.stream().into_iter().collect();
                let (open, close) = match group.delimiter() {
                    Delimiter::Parenthesis => ("(", ")"),
                    Delimiter::Brace => ("{", "}"),
                    Delimiter::Bracket => ("[", "]"),
                    Delimiter::None => ("", ""),
                };
                out.push(format!("{open} {} {close}", spelled(&inner)));
            }
            other => out.push(other.to_string()),
        }
    }
    out.join(" ")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// If `trees[i..]` starts with [`HOOK_SEQUENCE`], how many trees it spans.
fn hook_sequence_at(trees: &[TokenTree], i: usize) -> Option<usize> {
    const LEN: usize = 32; // 8 + 10 + 8 + 6 trees: the four statements
    if !matches!(&trees[i], TokenTree::Ident(id) if id == "client") || i + LEN > trees.len() {
        return None;
    }
    let wanted: String = HOOK_SEQUENCE
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    (spelled(&trees[i..i + LEN]) == wanted).then_some(LEN)
}

/// An error if progenitor's hooks are still called anywhere: the request would go out without
/// this crate's auth, retries and errors (progenitor changed the shape of `send`).
pub fn check_no_hook_calls(file: &str) -> Result<(), String> {
    // `client . client . post (url)` is reqwest's POST, not the hook: match the hooks' arguments.
    for hook in [
        "client . exec (",
        "client . pre (& mut",
        "client . post (& result",
    ] {
        if file.contains(hook) {
            return Err(format!(
                "the generated code still calls `{hook}`: build/postprocess.rs no longer \
                 recognizes progenitor's request sequence (expected `{HOOK_SEQUENCE}`), so \
                 requests would bypass `crate::runtime::send`"
            ));
        }
    }
    Ok(())
}

/// An error if a request would still carry progenitor's `api-version` header (progenitor
/// changed how it adds it, so [`api_version_append_at`] no longer recognizes it).
pub fn check_no_api_version_header(file: &str) -> Result<(), String> {
    if file.contains("\"api-version\"") {
        return Err(
            "the generated code still adds progenitor's `api-version` header: \
             build/postprocess.rs no longer recognizes `header_map.append(\"api-version\", …);`, \
             and Baseten documents no such header"
                .into(),
        );
    }
    Ok(())
}

/// If `trees[i..]` is progenitor's `header_map.append(…"api-version"…);`, how many trees it
/// spans. progenitor adds the header (a Dropshot convention) to every request; Baseten
/// documents none, so it is dropped here rather than built and removed per request.
fn api_version_append_at(trees: &[TokenTree], i: usize) -> Option<usize> {
    let is_ident =
        |j: usize, name: &str| matches!(trees.get(j), Some(TokenTree::Ident(id)) if id == name);
    let appends_api_version = matches!(trees.get(i + 3), Some(TokenTree::Group(args))
        if args.delimiter() == Delimiter::Parenthesis
            && args.stream().to_string().contains("\"api-version\""));
    (is_ident(i, "header_map")
        && is_punct(trees.get(i + 1), '.')
        && is_ident(i + 2, "append")
        && appends_api_version
        && is_punct(trees.get(i + 4), ';'))
    .then_some(5)
}

/// If `trees[i..]` is `let mut header_map = ::reqwest::header::HeaderMap::with_capacity(Nusize);`,
/// how many trees it spans and `N`.
fn header_map_declaration_at(trees: &[TokenTree], i: usize) -> Option<(usize, usize)> {
    // `let mut header_map = : : reqwest : : header : : HeaderMap : : with_capacity (…) ;`
    const LEN: usize = 18;
    if !matches!(&trees[i], TokenTree::Ident(id) if id == "let") || i + LEN > trees.len() {
        return None;
    }
    let (head, args) = (&trees[i..i + LEN - 2], &trees[i + LEN - 2]);
    let wanted = "letmutheader_map=::reqwest::header::HeaderMap::with_capacity";
    if spelled(head).replace(' ', "") != wanted || !is_punct(trees.get(i + LEN - 1), ';') {
        return None;
    }
    let TokenTree::Group(args) = args else {
        return None;
    };
    let capacity = args.stream().to_string();
    let capacity = capacity.trim().strip_suffix("usize")?.parse().ok()?;
    Some((LEN, capacity))
}

/// If `trees[i..]` is `.headers(header_map)`, how many trees it spans.
fn headers_call_at(trees: &[TokenTree], i: usize) -> Option<usize> {
    let end = i + 3;
    (end <= trees.len() && spelled(&trees[i..end]) == ". headers ( header_map )").then_some(3)
}

/// The trees of `#[allow(unused_mut)] let mut request = client.client.`.
const HEAD_LEN: usize = 10;

/// If `trees[i..]` is progenitor's request statement,
/// `#[allow(unused_mut)] let mut request = client.client.METHOD(url) … .build()?;`, how many
/// trees it spans.
fn request_statement_at(trees: &[TokenTree], i: usize) -> Option<usize> {
    const HEAD: &str = "# [ allow ( unused_mut ) ] let mut request = client . client .";
    if !is_punct(trees.get(i), '#') || i + HEAD_LEN > trees.len() {
        return None;
    }
    if spelled(&trees[i..i + HEAD_LEN]) != HEAD {
        return None;
    }
    let end = (i + HEAD_LEN..trees.len()).find(|&j| is_punct(trees.get(j), ';'))?;
    (end >= i + HEAD_LEN + 5 && spelled(&trees[end - 4..=end]) == ". build ( ) ? ;")
        .then_some(end + 1 - i)
}

/// The chain of a request statement (`METHOD(url) … .build()`, without `?`) as a closure that
/// builds the request, which the send loop calls again for a retry instead of copying the
/// request before every attempt: `let request = || client.client.METHOD(&url) … .build();`.
/// `None` when the chain consumes a value or can fail by itself (a raw `.body(body)`,
/// `.headers(header_map)`, `.form_urlencoded(&body)?`): the built request is copied then.
fn request_closure(chain: &[TokenTree]) -> Option<TokenStream> {
    let consumes = chain.windows(2).any(|pair| {
        is_punct(Some(&pair[0]), '.')
            && matches!(&pair[1], TokenTree::Ident(id) if id == "body" || id == "headers")
    });
    let fallible = chain.iter().any(|tree| is_punct(Some(tree), '?'));
    let (Some(TokenTree::Ident(method)), Some(TokenTree::Group(url))) =
        (chain.first(), chain.get(1))
    else {
        return None;
    };
    if consumes || fallible || url.stream().to_string() != "url" {
        return None;
    }
    let rest: TokenStream = chain[2..].iter().cloned().collect();
    let rest = rewrite_expressions(rest);
    Some(quote!(let request = || client.client.#method(&url) #rest;))
}

/// `tree` with the groups in it rewritten by [`rewrite_expressions`].
fn rewrite_groups(tree: &TokenTree) -> TokenTree {
    match tree {
        TokenTree::Group(group) => {
            let mut rewritten = Group::new(group.delimiter(), rewrite_expressions(group.stream()));
            rewritten.set_span(group.span());
            TokenTree::Group(rewritten)
        }
        other => other.clone(),
    }
}

/// Rewrites paths and calls, recursing into every group (including macro arguments such as
/// `format!`'s, which syn would leave opaque).
fn rewrite_expressions(tokens: TokenStream) -> TokenStream {
    let trees: Vec<TokenTree> = tokens.into_iter().collect();
    let mut out: Vec<TokenTree> = Vec::with_capacity(trees.len());
    // The `api-version` header is dropped; with no header parameter left, so is the map.
    let drops_api_version = (0..trees.len()).any(|i| api_version_append_at(&trees, i).is_some());
    let mut drops_header_map = false;
    let mut i = 0;
    while i < trees.len() {
        let ident = match &trees[i] {
            TokenTree::Ident(ident) => Some(ident.to_string()),
            _ => None,
        };
        if let Some(len) = hook_sequence_at(&trees, i) {
            out.extend(send_call());
            i += len;
            continue;
        }
        if let Some(len) = request_statement_at(&trees, i) {
            // `METHOD (url) … . build ( )`, without the `?` and `;`, and without a
            // `.headers(header_map)` whose map is dropped.
            let mut chain: Vec<TokenTree> = trees[i + HEAD_LEN..i + len - 2].to_vec();
            if drops_header_map
                && let Some(at) = (0..chain.len()).find(|&j| headers_call_at(&chain, j).is_some())
            {
                chain.drain(at..at + 3);
            }
            match request_closure(&chain) {
                Some(closure) => out.extend(closure),
                None => {
                    let statement = trees[i..i + HEAD_LEN]
                        .iter()
                        .chain(&chain)
                        .chain(&trees[i + len - 2..i + len]);
                    out.extend(statement.map(rewrite_groups));
                }
            }
            i += len;
            continue;
        }
        if drops_api_version {
            if let Some(len) = api_version_append_at(&trees, i) {
                i += len;
                continue;
            }
            if let Some((len, capacity)) = header_map_declaration_at(&trees, i) {
                if capacity <= 1 {
                    drops_header_map = true;
                } else {
                    let capacity = capacity - 1;
                    out.extend(quote!(
                        let mut header_map = ::reqwest::header::HeaderMap::with_capacity(#capacity);
                    ));
                }
                i += len;
                continue;
            }
            if drops_header_map && let Some(len) = headers_call_at(&trees, i) {
                i += len;
                continue;
            }
        }
        match ident.as_deref() {
            // `encode_path(ARGS)` → `crate::runtime::encode_segment("name", ARGS)?`
            Some("encode_path") => {
                if let Some(TokenTree::Group(args)) = trees.get(i + 1)
                    && args.delimiter() == Delimiter::Parenthesis
                {
                    let name =
                        first_identifier(args.stream()).unwrap_or_else(|| "parameter".into());
                    // `&x.to_string()` → `&x`: the segment is checked and encoded from the
                    // value's `Display` as it is written into the URL, without a copy.
                    let inner = match displayed_value(args.stream()) {
                        Some(value) => quote!(&#value),
                        None => rewrite_expressions(args.stream()),
                    };
                    out.extend(quote!(crate::runtime::encode_segment(#name, #inner)?));
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
                // `Error::Variant` → `crate::runtime::variant`
                if is_path_sep(&trees, i + 1)
                    && let Some(TokenTree::Ident(variant)) = trees.get(i + 3)
                {
                    let function = Ident::new(&snake_case(&variant.to_string()), Span::call_site());
                    out.extend(quote!(crate::runtime::#function));
                    i += 4;
                    continue;
                }
                out.push(trees[i].clone());
            }
            // `ResponseValue::from_response` → `crate::runtime::from_response`
            Some("ResponseValue")
                if is_path_sep(&trees, i + 1)
                    && matches!(trees.get(i + 3), Some(TokenTree::Ident(f)) if f == "from_response") =>
            {
                out.extend(quote!(crate::runtime::from_response));
                i += 4;
                continue;
            }
            _ => out.push(rewrite_groups(&trees[i])),
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

/// `x` if `tokens` is `&x.to_string()`.
fn displayed_value(tokens: TokenStream) -> Option<Ident> {
    let trees: Vec<TokenTree> = tokens.into_iter().collect();
    match trees.as_slice() {
        [
            TokenTree::Punct(and),
            TokenTree::Ident(value),
            TokenTree::Punct(dot),
            TokenTree::Ident(method),
            TokenTree::Group(args),
        ] if and.as_char() == '&'
            && dot.as_char() == '.'
            && method == "to_string"
            && args.delimiter() == Delimiter::Parenthesis
            && args.stream().is_empty() =>
        {
            Some(value.clone())
        }
        _ => None,
    }
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

/// Where build.rs finds the generated type of a union tag (see [`rules::union_tags`]).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum TagType {
    /// The type generated for a component schema, by its Rust name.
    Type(String),
    /// The type of a field of the struct generated for a component schema: the struct's Rust
    /// name, and the property's name in the spec.
    Field { schema: String, property: String },
}

/// The generated types of the union tags at `pointers` ([`rules::union_tags`]). A tag that is a
/// component schema, or a property of one, has a type build.rs can name; any other is an error
/// rather than a guess (typify names inline types after their context), so a spec with such a
/// tag says so at build time instead of building a client that may decode a union wrongly.
pub fn tag_types(pointers: &BTreeSet<String>) -> Result<BTreeSet<TagType>, String> {
    let mut types = BTreeSet::new();
    for pointer in pointers {
        let tokens: Vec<String> = pointer
            .split('/')
            .skip(1)
            .map(|t| t.replace("~1", "/").replace("~0", "~"))
            .collect();
        let tokens: Vec<&str> = tokens.iter().map(String::as_str).collect();
        match tokens.as_slice() {
            ["components", "schemas", name] => {
                types.insert(TagType::Type(docs::pascal_case(name)));
            }
            ["components", "schemas", name, "properties", property] => {
                types.insert(TagType::Field {
                    schema: docs::pascal_case(name),
                    property: property.to_string(),
                });
            }
            _ => {
                return Err(format!(
                    "the union tag at `{pointer}` is not a component schema nor a property of \
                     one, so build.rs cannot tell which generated type it is, and keep it closed \
                     (rules::union_tags); make the union's members component schemas"
                ));
            }
        }
    }
    Ok(types)
}

/// The names of the generated types of the union tags `tags`; an error names a tag whose type
/// is not in `file` (progenitor named it otherwise than [`tag_types`] expects).
fn tag_enum_names(file: &syn::File, tags: &BTreeSet<TagType>) -> Result<BTreeSet<String>, String> {
    let mut items = Vec::new();
    collect_items(&file.items, &mut items);
    let mut names = BTreeSet::new();
    for tag in tags {
        let found = match tag {
            TagType::Type(name) => items
                .iter()
                .any(|item| item_name(item).is_some_and(|n| &n == name))
                .then(|| name.clone()),
            TagType::Field { schema, property } => items.iter().find_map(|item| match item {
                syn::Item::Struct(s) if s.ident == schema => s
                    .fields
                    .iter()
                    .find(|f| field_is(f, property))
                    .and_then(|f| inner_type_name(&f.ty)),
                _ => None,
            }),
        };
        match found {
            Some(name) => {
                names.insert(name);
            }
            None => {
                return Err(format!(
                    "the generated code has no type for the union tag {tag:?}: build.rs must keep \
                     it closed, and cannot find it (has progenitor's naming changed?)"
                ));
            }
        }
    }
    Ok(names)
}

/// Every item of `items`, and of the inline modules among them.
fn collect_items<'a>(items: &'a [syn::Item], out: &mut Vec<&'a syn::Item>) {
    for item in items {
        out.push(item);
        if let syn::Item::Mod(module) = item
            && let Some((_, content)) = &module.content
        {
            collect_items(content, out);
        }
    }
}

fn item_name(item: &syn::Item) -> Option<String> {
    match item {
        syn::Item::Struct(s) => Some(s.ident.to_string()),
        syn::Item::Enum(e) => Some(e.ident.to_string()),
        syn::Item::Type(t) => Some(t.ident.to_string()),
        _ => None,
    }
}

/// Is `field` the one the spec calls `property` (its `serde(rename)`, else its name)?
fn field_is(field: &syn::Field, property: &str) -> bool {
    let renamed = field
        .attrs
        .iter()
        .filter_map(serde_items)
        .flatten()
        .find_map(|meta| match meta {
            syn::Meta::NameValue(nv) if nv.path.is_ident("rename") => match nv.value {
                syn::Expr::Lit(syn::ExprLit {
                    lit: syn::Lit::Str(value),
                    ..
                }) => Some(value.value()),
                _ => None,
            },
            _ => None,
        });
    match renamed {
        Some(name) => name == property,
        None => field
            .ident
            .as_ref()
            .is_some_and(|ident| ident.to_string().trim_start_matches("r#") == property),
    }
}

/// `Kind` for `Kind`, `Option<Kind>`, `Box<Kind>` (any path).
fn inner_type_name(ty: &syn::Type) -> Option<String> {
    let syn::Type::Path(path) = ty else {
        return None;
    };
    let last = path.path.segments.last()?;
    if last.ident == "Option" || last.ident == "Box" {
        let syn::PathArguments::AngleBracketed(args) = &last.arguments else {
            return None;
        };
        return args.args.iter().find_map(|arg| match arg {
            syn::GenericArgument::Type(inner) => inner_type_name(inner),
            _ => None,
        });
    }
    Some(last.ident.to_string())
}

/// Makes every enum of unit variants that derives `Deserialize` open (adds `Unknown(String)`),
/// unless it is a union tag.
#[derive(Default)]
struct OpenEnums {
    /// The union tags' types, which stay closed.
    closed: BTreeSet<String>,
    names: BTreeSet<String>,
    /// The `impl Deserialize` of each open enum that no longer derives it, by name.
    deserialize_impls: BTreeMap<String, syn::Item>,
    /// Enums that already have a variant named like the catch-all.
    collisions: Vec<String>,
}

impl VisitMut for OpenEnums {
    fn visit_item_enum_mut(&mut self, item: &mut syn::ItemEnum) {
        // An enum of unit variants that derives `Deserialize` is a string enum, unless serde
        // reads it as something else (`tag`, `untagged`: a union).
        let string_enum = item
            .variants
            .iter()
            .all(|v| matches!(v.fields, syn::Fields::Unit))
            && derives(&item.attrs, "Deserialize")
            && !serde_container_has(&item.attrs, &["tag", "untagged", "content"]);
        let union_tag = self.closed.contains(&item.ident.to_string());
        if !rules::is_open_enum(string_enum, union_tag) {
            return;
        }
        if item
            .variants
            .iter()
            .any(|v| v.ident == rules::UNKNOWN_VARIANT)
        {
            self.collisions.push(item.ident.to_string());
            return;
        }
        remove_derive(&mut item.attrs, "Copy");
        // Decoded by a `match` on the string instead of serde's derive, which buffers every
        // value (a `String` per value) to try the known variants and then `Unknown`.
        if let Some(decode) = open_enum_deserialize(item) {
            remove_derive(&mut item.attrs, "Deserialize");
            self.deserialize_impls
                .insert(item.ident.to_string(), decode);
        }
        let unknown = unknown_variant();
        item.variants.push(syn::parse_quote! {
            /// A value this version of the client does not know (the API added it later). It
            /// is kept verbatim, so it is shown and sent back unchanged.
            #[serde(untagged)]
            #unknown(::std::string::String)
        });
        self.names.insert(item.ident.to_string());
    }
}

/// `impl Deserialize` for an open enum of unit variants: each known value by its serde name
/// (its `rename`, else the variant's name), anything else kept as `Unknown`. `None` when the
/// enum uses a serde attribute this does not replicate (the derive is kept then).
fn open_enum_deserialize(item: &syn::ItemEnum) -> Option<syn::Item> {
    if item.attrs.iter().any(|attr| attr.path().is_ident("serde"))
        || !item.generics.params.is_empty()
    {
        return None;
    }
    let mut arms = Vec::new();
    for variant in &item.variants {
        let mut name = variant.ident.to_string();
        for attr in &variant.attrs {
            let Some(items) = serde_items(attr) else {
                continue;
            };
            for meta in items {
                match meta {
                    syn::Meta::NameValue(nv) if nv.path.is_ident("rename") => {
                        let syn::Expr::Lit(syn::ExprLit {
                            lit: syn::Lit::Str(value),
                            ..
                        }) = nv.value
                        else {
                            return None;
                        };
                        name = value.value();
                    }
                    _ => return None,
                }
            }
        }
        let ident = &variant.ident;
        arms.push(quote!(#name => Self::#ident,));
    }
    let name = &item.ident;
    let unknown = unknown_variant();
    Some(syn::parse_quote! {
        impl<'de> ::serde::Deserialize<'de> for #name {
            fn deserialize<D: ::serde::Deserializer<'de>>(
                deserializer: D,
            ) -> ::std::result::Result<Self, D::Error> {
                crate::runtime::open_enum(deserializer, |value| match value {
                    #(#arms)*
                    other => Self::#unknown(other.to_owned()),
                })
            }
        }
    })
}

/// Puts each open enum's `impl Deserialize` right after the enum, in whatever module it is.
fn insert_open_enum_impls(items: &mut Vec<syn::Item>, impls: &mut BTreeMap<String, syn::Item>) {
    let mut i = 0;
    while i < items.len() {
        match &mut items[i] {
            syn::Item::Enum(item) => {
                if let Some(decode) = impls.remove(&item.ident.to_string()) {
                    items.insert(i + 1, decode);
                    i += 1;
                }
            }
            syn::Item::Mod(module) => {
                if let Some((_, content)) = &mut module.content {
                    insert_open_enum_impls(content, impls);
                }
            }
            _ => {}
        }
        i += 1;
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
        let unknown = unknown_variant();
        for impl_item in &mut item.items {
            let syn::ImplItem::Fn(function) = impl_item else {
                continue;
            };
            let Some(body_match) = find_match(&mut function.block) else {
                continue;
            };
            match trait_name.as_str() {
                "Display" => body_match.arms.push(syn::parse_quote! {
                    Self::#unknown(ref value) => f.write_str(value),
                }),
                "FromStr" => {
                    body_match
                        .arms
                        .retain(|arm| !matches!(arm.pat, syn::Pat::Wild(_)));
                    body_match.arms.push(syn::parse_quote! {
                        other => Ok(Self::#unknown(other.to_string())),
                    });
                }
                _ => {}
            }
        }
    }
}

fn unknown_variant() -> Ident {
    Ident::new(rules::UNKNOWN_VARIANT, Span::call_site())
}

/// The `match` a generated `fmt`/`from_str` body consists of.
fn find_match(block: &mut syn::Block) -> Option<&mut syn::ExprMatch> {
    block.stmts.iter_mut().find_map(|stmt| match stmt {
        syn::Stmt::Expr(syn::Expr::Match(m), _) => Some(m),
        _ => None,
    })
}

/// Builders keep each field as `Result<value, message>`, and start every required field as
/// `Err("… was not initialized".to_string())`: a `String` allocated, and freed again when the
/// field is set, per field per request. In the `builder` modules the message becomes a
/// `Cow<'static, str>`, so a fixed message is borrowed and only a formatted one is owned; the
/// messages themselves, and what `Debug` shows, are unchanged.
struct StaticErrors;

impl VisitMut for StaticErrors {
    fn visit_item_mod_mut(&mut self, module: &mut syn::ItemMod) {
        if module.ident == "builder" {
            BuilderErrors.visit_item_mod_mut(module);
        } else if module.ident == "error" {
            add_cow_conversion(module);
        } else {
            syn::visit_mut::visit_item_mod_mut(self, module);
        }
    }
}

/// `impl From<Cow<'static, str>> for ConversionError`, which the types' builders' `TryFrom`
/// (`value.field?`) needs once their messages are `Cow`s.
fn add_cow_conversion(module: &mut syn::ItemMod) {
    let Some((_, items)) = &mut module.content else {
        return;
    };
    let has_conversion_error = items
        .iter()
        .any(|item| matches!(item, syn::Item::Struct(s) if s.ident == "ConversionError"));
    if has_conversion_error {
        items.push(syn::parse_quote! {
            impl From<::std::borrow::Cow<'static, str>> for ConversionError {
                fn from(value: ::std::borrow::Cow<'static, str>) -> Self {
                    Self(value)
                }
            }
        });
    }
}

/// The rewriting inside one `builder` module (see [`StaticErrors`]).
struct BuilderErrors;

impl VisitMut for BuilderErrors {
    fn visit_field_mut(&mut self, field: &mut syn::Field) {
        syn::visit_mut::visit_field_mut(self, field);
        let syn::Type::Path(path) = &mut field.ty else {
            return;
        };
        let Some(last) = path.path.segments.last_mut() else {
            return;
        };
        if last.ident != "Result" {
            return;
        }
        let syn::PathArguments::AngleBracketed(args) = &mut last.arguments else {
            return;
        };
        if let Some(syn::GenericArgument::Type(error)) = args.args.iter_mut().nth(1)
            && is_string_type(error)
        {
            *error = syn::parse_quote!(::std::borrow::Cow<'static, str>);
        }
    }

    fn visit_expr_mut(&mut self, expr: &mut syn::Expr) {
        syn::visit_mut::visit_expr_mut(self, expr);
        match expr {
            // `Err("…".to_string())` → `Err(Cow::Borrowed("…"))`
            syn::Expr::Call(call)
                if matches!(&*call.func, syn::Expr::Path(p) if p.path.is_ident("Err"))
                    && call.args.len() == 1 =>
            {
                if let Some(literal) = call.args.first().and_then(literal_to_string) {
                    call.args[0] = syn::parse_quote!(::std::borrow::Cow::Borrowed(#literal));
                }
            }
            // `.map_err(|e| message)` → the message as a `Cow`
            syn::Expr::MethodCall(call) if call.method == "map_err" && call.args.len() == 1 => {
                if let Some(syn::Expr::Closure(closure)) = call.args.first_mut() {
                    let body = &mut *closure.body;
                    let message = match body {
                        syn::Expr::Block(block) if block.block.stmts.len() == 1 => {
                            match &mut block.block.stmts[0] {
                                syn::Stmt::Expr(message, None) => message,
                                _ => return,
                            }
                        }
                        other => other,
                    };
                    *message = match literal_to_string(message) {
                        Some(literal) => syn::parse_quote!(::std::borrow::Cow::Borrowed(#literal)),
                        None => syn::parse_quote!(::std::borrow::Cow::Owned(#message)),
                    };
                }
            }
            _ => {}
        }
    }
}

/// `"…"` if `expr` is `"…".to_string()`.
fn literal_to_string(expr: &syn::Expr) -> Option<syn::LitStr> {
    let syn::Expr::MethodCall(call) = expr else {
        return None;
    };
    match &*call.receiver {
        syn::Expr::Lit(syn::ExprLit {
            lit: syn::Lit::Str(literal),
            ..
        }) if call.method == "to_string" && call.args.is_empty() => Some(literal.clone()),
        _ => None,
    }
}

/// `String` or `::std::string::String`.
fn is_string_type(ty: &syn::Type) -> bool {
    matches!(ty, syn::Type::Path(p) if p.qself.is_none()
        && p.path.segments.last().is_some_and(|s| s.ident == "String" && s.arguments.is_none())
        && (p.path.segments.len() == 1
            || p.path.segments.iter().map(|s| s.ident.to_string()).eq(["std", "string", "String"])))
}

/// Required-but-nullable fields also accept absence.
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

/// Does a container `#[serde(…)]` attribute set any of `keys`?
fn serde_container_has(attrs: &[syn::Attribute], keys: &[&str]) -> bool {
    attrs
        .iter()
        .filter_map(serde_items)
        .flatten()
        .any(|meta| keys.iter().any(|key| meta.path().is_ident(key)))
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
