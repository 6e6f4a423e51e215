//! The rules build.rs applies to progenitor's output, on small inputs: the seeds do not contain
//! every construct (e.g. an enum with a value named `Unknown`).

#[path = "../../build/postprocess.rs"]
#[allow(dead_code)]
mod postprocess;

use quote::quote;

fn rewritten(tokens: proc_macro2::TokenStream) -> String {
    let file =
        postprocess::postprocess(tokens, &postprocess::docs::SpecFacts::default()).expect("parses");
    prettyplease::unparse(&file)
}

#[test]
fn an_enum_value_named_like_the_catch_all_is_a_clear_error() {
    let facts = postprocess::docs::SpecFacts::default();
    let Err(err) = postprocess::postprocess(
        quote! {
            #[derive(::serde::Deserialize, Clone, Debug)]
            pub enum Health { #[serde(rename = "UNKNOWN")] Unknown, #[serde(rename = "OK")] Ok }
        },
        &facts,
    ) else {
        panic!("a colliding enum must be refused")
    };
    let err = err.to_string();
    assert!(
        err.starts_with("enum `Health` has a value whose Rust name is `Unknown`"),
        "{err}"
    );
}

#[test]
fn the_open_enum_rule_is_the_one_xtask_diff_applies() {
    // `cargo xtask diff` includes the same file; its tests pin the verdicts on both sides of it.
    use postprocess::rules::is_open_enum;
    assert!(is_open_enum(true, false), "a string enum is open");
    assert!(!is_open_enum(true, true), "a union tag is closed");
    assert!(
        !is_open_enum(false, false),
        "only string enums get a catch-all"
    );
    assert_eq!(postprocess::rules::UNKNOWN_VARIANT, "Unknown");
}

#[test]
fn required_nullable_fields_also_accept_absence() {
    let out = rewritten(quote! {
        pub struct A {
            #[serde(deserialize_with = "::std::option::Option::deserialize")]
            pub x: ::std::option::Option<i64>,
            #[serde(default, deserialize_with = "::std::option::Option::deserialize")]
            pub y: ::std::option::Option<i64>,
            #[serde(rename = "z")]
            pub z: i64,
        }
    });
    assert_eq!(
        out.matches("#[serde(default, deserialize_with").count(),
        2,
        "{out}"
    );
    assert!(out.contains("#[serde(rename = \"z\")]"), "{out}");
}

/// The rewritten file, with `union_tags` as build.rs would find them in the spec.
fn rewritten_with_tags(
    tokens: proc_macro2::TokenStream,
    union_tags: &[postprocess::TagType],
) -> Result<String, String> {
    let facts = postprocess::docs::SpecFacts {
        union_tags: union_tags.iter().cloned().collect(),
        ..Default::default()
    };
    postprocess::postprocess(tokens, &facts)
        .map(|file| prettyplease::unparse(&file))
        .map_err(|e| e.to_string())
}

/// The source of the item that starts with `start` (up to the next blank-line-free `}` line).
fn item<'a>(out: &'a str, start: &str) -> &'a str {
    let at = out
        .find(start)
        .unwrap_or_else(|| panic!("no {start}: {out}"));
    let rest = &out[at..];
    &rest[..rest.find("\n}").map_or(rest.len(), |end| end + 2)]
}

#[test]
fn string_enums_open_whatever_their_number_of_values_but_union_tags_stay_closed() {
    let out = rewritten_with_tags(
        quote! {
            #[derive(::serde::Deserialize, ::serde::Serialize, Clone, Copy, Debug)]
            pub enum Status { #[serde(rename = "A")] A, #[serde(rename = "B")] B }
            #[derive(::serde::Deserialize, ::serde::Serialize, Clone, Copy, Debug)]
            pub enum Strategy { #[serde(rename = "REPLICA")] Replica }
            #[derive(::serde::Deserialize, ::serde::Serialize, Clone, Copy, Debug)]
            pub enum DogKind { #[serde(rename = "dog")] Dog }
            #[derive(::serde::Deserialize, ::serde::Serialize, Clone, Copy, Debug)]
            pub enum CatKind { #[serde(rename = "cat")] Cat }
            pub struct Dog { pub kind: DogKind, pub name: String }
            pub struct Cat { #[serde(rename = "kind")] pub kind_: ::std::option::Option<CatKind> }
            impl ::std::fmt::Display for Status {
                fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                    match *self { Self::A => f.write_str("A"), Self::B => f.write_str("B") }
                }
            }
            impl ::std::str::FromStr for Status {
                type Err = String;
                fn from_str(value: &str) -> Result<Self, String> {
                    match value { "A" => Ok(Self::A), "B" => Ok(Self::B), _ => Err("invalid value".into()) }
                }
            }
        },
        &[
            postprocess::TagType::Type("DogKind".into()),
            postprocess::TagType::Field {
                schema: "Cat".into(),
                property: "kind".into(),
            },
        ],
    )
    .unwrap();
    // Two values or one, a string enum that is not a union tag is open.
    for name in ["Status", "Strategy"] {
        let source = item(
            &out,
            &format!("#[derive(::serde::Serialize, Clone, Debug)]\npub enum {name}"),
        );
        assert!(
            source.contains("#[serde(untagged)]")
                && source.contains("Unknown(::std::string::String)"),
            "{name} is open (and lost Copy, as an open enum holds a String): {out}"
        );
    }
    // The tags of a union, named as a type or as a struct's field, stay closed (and `Copy`).
    for name in ["DogKind", "CatKind"] {
        let source = item(
            &out,
            &format!(
                "#[derive(::serde::Deserialize, ::serde::Serialize, Clone, Copy, Debug)]\npub enum {name}"
            ),
        );
        assert!(!source.contains("Unknown"), "{name} is a union tag: {out}");
    }
    assert!(
        out.contains("Self::Unknown(ref value) => f.write_str(value)"),
        "{out}"
    );
    assert!(
        out.contains("other => Ok(Self::Unknown(other.to_string()))"),
        "{out}"
    );
    assert!(!out.contains("invalid value"), "{out}");
    // Decoded by a match on the string, not the derive (which would buffer every value).
    let compact: String = out.split_whitespace().collect();
    assert!(
        compact.contains(
            "impl<'de>::serde::Deserialize<'de>forStatus{fndeserialize<D:::serde::Deserializer<'de>>"
        ),
        "{out}"
    );
    assert!(
        compact.contains(
            r#"crate::runtime::open_enum(deserializer,|value|matchvalue{"A"=>Self::A,"B"=>Self::B,other=>Self::Unknown(other.to_owned()),},)"#
        ),
        "{out}"
    );
    assert!(
        compact.contains(
            r#"crate::runtime::open_enum(deserializer,|value|matchvalue{"REPLICA"=>Self::Replica,other=>Self::Unknown(other.to_owned()),},)"#
        ),
        "{out}"
    );
}

#[test]
fn an_enum_serde_reads_as_a_union_is_not_a_string_enum() {
    let out = rewritten(quote! {
        #[derive(::serde::Deserialize, ::serde::Serialize, Clone, Debug)]
        #[serde(tag = "kind")]
        pub enum Pet { #[serde(rename = "dog")] Dog, #[serde(rename = "cat")] Cat }
    });
    assert!(!out.contains("Unknown"), "{out}");
}

#[test]
fn a_union_tag_without_its_generated_type_is_a_clear_error() {
    let tokens = quote! {
        pub struct Dog { pub name: String }
        #[derive(::serde::Deserialize, Clone, Debug)]
        pub enum Kind { #[serde(rename = "dog")] Dog }
    };
    for tag in [
        postprocess::TagType::Type("DogKind".into()),
        postprocess::TagType::Field {
            schema: "Dog".into(),
            property: "kind".into(),
        },
    ] {
        let err = rewritten_with_tags(tokens.clone(), std::slice::from_ref(&tag)).unwrap_err();
        assert!(
            err.starts_with("the generated code has no type for the union tag"),
            "{tag:?}: {err}"
        );
    }
}

#[test]
fn the_types_of_union_tags_come_from_their_place_in_the_spec() {
    let pointers = [
        "/components/schemas/PetKind",
        "/components/schemas/Dog/properties/kind",
        "/components/schemas/a~1b/properties/x~0y",
    ];
    let types = postprocess::tag_types(&pointers.iter().map(|p| p.to_string()).collect()).unwrap();
    let field = |schema: &str, property: &str| postprocess::TagType::Field {
        schema: schema.into(),
        property: property.into(),
    };
    assert_eq!(
        types.into_iter().collect::<Vec<_>>(),
        [
            postprocess::TagType::Type("PetKind".into()),
            field("A/b", "x~y"),
            field("Dog", "kind"),
        ]
    );
    // A tag inline in an inline schema gets a name from its context: refused, not guessed.
    let inline = ["/components/schemas/Pet/oneOf/0/properties/kind".to_string()];
    let err = postprocess::tag_types(&inline.into_iter().collect()).unwrap_err();
    assert!(
        err.contains("`/components/schemas/Pet/oneOf/0/properties/kind`"),
        "{err}"
    );
}

/// `rules::union_tags` of a document with these component schemas.
fn union_tags_of(schemas: serde_json::Value) -> Vec<String> {
    let doc =
        serde_json::json!({"openapi": "3.0.3", "paths": {}, "components": {"schemas": schemas}});
    postprocess::rules::union_tags(&doc).into_iter().collect()
}

#[test]
fn a_property_whose_one_value_tells_union_members_apart_is_a_tag() {
    use serde_json::json;
    let tags = union_tags_of(json!({
        "Pet": {"oneOf": [{"$ref": "#/components/schemas/Dog"}, {"$ref": "#/components/schemas/Cat"}]},
        "Dog": {"type": "object", "properties": {
            "kind": {"allOf": [{"$ref": "#/components/schemas/DogKind"}], "description": "d"},
            "mode": {"type": "string", "enum": ["same"]},
            "name": {"type": "string"}}},
        "Cat": {"type": "object", "properties": {
            "kind": {"type": "string", "enum": ["cat"]},
            "mode": {"type": "string", "enum": ["same"]}}},
        "DogKind": {"type": "string", "enum": ["dog"]},
        // Not in a union: a one-value enum that is no tag.
        "Strategy": {"type": "string", "enum": ["REPLICA"]},
        "Config": {"type": "object", "properties": {"strategy": {"$ref": "#/components/schemas/Strategy"}}}
    }));
    assert_eq!(
        tags,
        [
            "/components/schemas/Cat/properties/kind",
            "/components/schemas/Dog/properties/kind",
            "/components/schemas/DogKind",
        ],
        "`mode` has one value in each member, the same one: it tells nothing apart"
    );
}

#[test]
fn a_discriminator_property_is_a_tag_whatever_its_values() {
    use serde_json::json;
    let tags = union_tags_of(json!({
        "Pet": {
            "anyOf": [{"$ref": "#/components/schemas/Dog"}, {"$ref": "#/components/schemas/Cat"}],
            "discriminator": {"propertyName": "species"}},
        "Dog": {"allOf": [{"$ref": "#/components/schemas/Base"}, {"properties": {"bark": {"type": "string"}}}]},
        "Cat": {"type": "object", "properties": {"species": {"type": "string", "enum": ["cat", "lynx"]}}},
        "Base": {"type": "object", "properties": {"species": {"type": "string"}}, "discriminator": {"propertyName": "species"}},
        // 3.1: `const`, inline members.
        "Shape": {"oneOf": [
            {"type": "object", "properties": {"form": {"const": "circle"}}},
            {"type": "object", "properties": {"form": {"const": "square"}}}]}
    }));
    assert_eq!(
        tags,
        [
            "/components/schemas/Base/properties/species",
            "/components/schemas/Cat/properties/species",
            "/components/schemas/Shape/oneOf/0/properties/form",
            "/components/schemas/Shape/oneOf/1/properties/form",
        ]
    );
}

#[test]
fn an_open_enum_with_serde_attributes_of_its_own_keeps_the_derive() {
    let out = rewritten(quote! {
        #[derive(::serde::Deserialize, ::serde::Serialize, Clone, Debug)]
        #[serde(rename_all = "lowercase")]
        pub enum Mode { Fast, Slow }
        #[derive(::serde::Deserialize, ::serde::Serialize, Clone, Debug)]
        pub enum Tier { #[serde(alias = "g")] Gold, Silver }
    });
    assert!(!out.contains("open_enum"), "{out}");
    assert_eq!(out.matches("::serde::Deserialize,").count(), 2, "{out}");
    assert_eq!(
        out.matches("Unknown(::std::string::String)").count(),
        2,
        "{out}"
    );
}

#[test]
fn path_parameters_errors_and_decoding_are_redirected() {
    let out = postprocess::rewrite_tokens(quote! {
        pub use progenitor_client::{ByteStream, ClientInfo, Error, ResponseValue};
        async fn send(self) -> Result<ResponseValue<types::X>, Error<()>> {
            let id = id.map_err(Error::InvalidRequest)?;
            let url = format!("{}/v1/things/{}", client.baseurl, encode_path(&thing_id.to_string()));
            match status {
                200u16 => ResponseValue::from_response(response).await,
                _ => Err(Error::UnexpectedResponse(response)),
            }
        }
    })
    .to_string();
    assert!(
        out.contains("progenitor_client :: { ByteStream , ClientInfo , ResponseValue }"),
        "{out}"
    );
    assert!(out.contains("pub use crate :: Error ;"), "{out}");
    assert!(
        out.contains("Result < ResponseValue < types :: X > , Error >"),
        "{out}"
    );
    assert!(out.contains("crate :: runtime :: invalid_request"), "{out}");
    assert!(
        out.contains("crate :: runtime :: encode_segment (\"thing_id\" , & thing_id) ?"),
        "{out}"
    );
    assert!(
        out.contains("crate :: runtime :: from_response (response)"),
        "{out}"
    );
    assert!(
        out.contains("crate :: runtime :: unexpected_response (response)"),
        "{out}"
    );
}

/// progenitor's header block in an operation's `send`, with `extra` header parameters.
fn send_with_headers(extra: proc_macro2::TokenStream, capacity: usize) -> proc_macro2::TokenStream {
    quote! {
        impl X {
            pub async fn send(self) -> Result<(), Error<()>> {
                let mut header_map = ::reqwest::header::HeaderMap::with_capacity(#capacity);
                header_map.append(
                    ::reqwest::header::HeaderName::from_static("api-version"),
                    ::reqwest::header::HeaderValue::from_static(super::Client::api_version()),
                );
                #extra
                let request = client.client.post(url).headers(header_map).build()?;
                Ok(())
            }
        }
    }
}

#[test]
fn the_api_version_header_is_not_built() {
    let out = rewritten(send_with_headers(quote!(), 1));
    assert!(!out.contains("api-version"), "{out}");
    assert!(!out.contains("header_map"), "{out}");
    assert!(out.contains("client.client.post(url).build()?"), "{out}");
}

#[test]
fn header_parameters_keep_their_map_without_the_api_version() {
    let extra = quote! { header_map.append("x-trace", trace.to_string().try_into()?); };
    let out = rewritten(send_with_headers(extra, 2));
    assert!(!out.contains("api-version"), "{out}");
    assert!(out.contains("HeaderMap::with_capacity(1usize)"), "{out}");
    assert!(out.contains("header_map.append(\"x-trace\""), "{out}");
    assert!(out.contains(".headers(header_map)"), "{out}");
}

#[test]
fn an_api_version_header_in_another_shape_is_a_clear_error() {
    let facts = postprocess::docs::SpecFacts::default();
    let Err(err) = postprocess::postprocess(
        quote! {
            fn send() {
                let mut h = ::reqwest::header::HeaderMap::new();
                h.insert("api-version", ::reqwest::header::HeaderValue::from_static("1"));
            }
        },
        &facts,
    ) else {
        panic!("a leftover api-version header must be refused")
    };
    assert!(err.to_string().contains("`api-version` header"), "{err}");
}

/// progenitor's request statement in an operation's `send`, with the builder calls `chain`.
fn send_with_chain(chain: proc_macro2::TokenStream) -> proc_macro2::TokenStream {
    quote! {
        impl X {
            pub async fn send(self) -> Result<(), Error<()>> {
                #[allow(unused_mut)]
                let mut request = client.client.post(url) #chain .build()?;
                Ok(())
            }
        }
    }
}

#[test]
fn a_request_chain_becomes_a_closure_a_retry_calls_again() {
    let out = rewritten(send_with_chain(quote! {
        .header(::reqwest::header::ACCEPT, ::reqwest::header::HeaderValue::from_static("application/json"))
        .json(&body)
        .query(&progenitor_client::QueryParam::new("limit", &limit))
    }));
    let compact: String = out.split_whitespace().collect();
    assert!(
        compact.contains("letrequest=||{client.client.post(&url).header("),
        "{out}"
    );
    assert!(compact.contains(".json(&body).query("), "{out}");
    assert!(compact.contains(".build()};"), "{out}");
    assert!(!out.contains("let mut request"), "{out}");
}

#[test]
fn a_chain_that_consumes_a_value_stays_a_built_request() {
    for chain in [
        quote!(.body(body)),
        quote!(.headers(header_map)),
        quote!(.form_urlencoded(&body)?),
    ] {
        let out = rewritten(send_with_chain(chain.clone()));
        let compact: String = out.split_whitespace().collect();
        assert!(
            compact.contains("letmutrequest=client.client.post(url)"),
            "{chain}: {out}"
        );
        assert!(compact.contains(".build()?;"), "{chain}: {out}");
    }
}

#[test]
fn builders_borrow_their_fixed_messages() {
    let out = rewritten(quote! {
        pub mod builder {
            #[derive(Debug, Clone)]
            pub struct B {
                x: Result<::std::string::String, String>,
                y: ::std::result::Result<i64, ::std::string::String>,
                z: Result<::std::string::String, Other>,
            }
            impl B {
                pub fn new() -> Self {
                    Self { x: Err("x was not initialized".to_string()), y: Ok(1), z: Ok(String::new()) }
                }
                pub fn x<V: TryInto<String>>(mut self, value: V) -> Self {
                    self.x = value.try_into().map_err(|_| "conversion for x failed".to_string());
                    self
                }
                pub fn y<V: TryInto<i64>>(mut self, value: V) -> Self
                where V::Error: std::fmt::Display {
                    self.y = value.try_into().map_err(|e| format!("bad y: {e}"));
                    self
                }
            }
        }
        pub mod error {
            pub struct ConversionError(::std::borrow::Cow<'static, str>);
        }
        pub struct Outside { x: Result<String, String> }
    });
    let compact: String = out.split_whitespace().collect();
    for wanted in [
        "x:Result<::std::string::String,::std::borrow::Cow<'static,str>>",
        "y:::std::result::Result<i64,::std::borrow::Cow<'static,str>>",
        "z:Result<::std::string::String,Other>",
        r#"x:Err(::std::borrow::Cow::Borrowed("xwasnotinitialized"))"#,
        r#".map_err(|_|::std::borrow::Cow::Borrowed("conversionforxfailed"))"#,
        r#".map_err(|e|::std::borrow::Cow::Owned(format!("bady:{e}")))"#,
        "implFrom<::std::borrow::Cow<'static,str>>forConversionError",
        // Outside a builder module nothing changes.
        "pubstructOutside{x:Result<String,String>,}",
    ] {
        assert!(compact.contains(wanted), "{wanted} not in {out}");
    }
}

/// The document build.rs generates the client from, and what it generated.
const SPEC: &str = include_str!("../../openapi/baseten-3.0.json");
const GENERATED: &str = include_str!(concat!(env!("OUT_DIR"), "/baseten_api_generated.rs"));

/// The pointers of every schema a response of `doc` can hold, `$ref`s followed (each schema
/// once, under the pointer it is defined at).
fn schemas_in_responses(doc: &serde_json::Value) -> std::collections::BTreeSet<String> {
    use serde_json::Value;
    let mut to_visit = Vec::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, operation) in item.as_object().unwrap() {
            // Only what this build generates (the features choose the areas).
            let id = operation["operationId"].as_str().unwrap_or_default();
            if !GENERATED.contains(&format!("operation_id: \"{id}\"")) {
                continue;
            }
            for (status, response) in operation["responses"].as_object().into_iter().flatten() {
                for (media, _) in response["content"].as_object().into_iter().flatten() {
                    let escape = |s: &str| s.replace('~', "~0").replace('/', "~1");
                    to_visit.push(format!(
                        "/paths/{}/{method}/responses/{status}/content/{}/schema",
                        escape(path),
                        escape(media)
                    ));
                }
            }
        }
    }
    let mut seen = std::collections::BTreeSet::new();
    while let Some(mut at) = to_visit.pop() {
        let mut schema = doc.pointer(&at).unwrap_or_else(|| panic!("no {at}"));
        while let Some(target) = schema.get("$ref").and_then(Value::as_str) {
            at = target.strip_prefix('#').unwrap().to_string();
            schema = doc.pointer(&at).unwrap_or_else(|| panic!("no {at}"));
        }
        if !seen.insert(at.clone()) {
            continue;
        }
        for keyword in ["properties", "patternProperties"] {
            for (name, _) in schema[keyword].as_object().into_iter().flatten() {
                to_visit.push(format!(
                    "{at}/{keyword}/{}",
                    name.replace('~', "~0").replace('/', "~1")
                ));
            }
        }
        for keyword in ["items", "additionalProperties", "not"] {
            if schema.get(keyword).is_some_and(Value::is_object) {
                to_visit.push(format!("{at}/{keyword}"));
            }
        }
        for keyword in ["allOf", "anyOf", "oneOf"] {
            for i in 0..schema[keyword].as_array().map_or(0, Vec::len) {
                to_visit.push(format!("{at}/{keyword}/{i}"));
            }
        }
    }
    seen
}

/// The wire values of a generated enum's known variants (their `serde(rename)`).
fn wire_values(item: &syn::ItemEnum) -> std::collections::BTreeSet<String> {
    item.variants
        .iter()
        .filter_map(|variant| {
            variant.attrs.iter().find_map(|attr| {
                let mut value = None;
                if attr.path().is_ident("serde") {
                    let _ = attr.parse_nested_meta(|meta| {
                        if meta.path.is_ident("rename") {
                            value = Some(meta.value()?.parse::<syn::LitStr>()?.value());
                        }
                        Ok(())
                    });
                }
                value
            })
        })
        .collect()
}

fn is_open(item: &syn::ItemEnum) -> bool {
    item.variants.iter().any(|variant| {
        variant.ident == postprocess::rules::UNKNOWN_VARIANT
            && matches!(&variant.fields, syn::Fields::Unnamed(f) if f.unnamed.len() == 1)
    })
}

#[test]
fn every_string_enum_a_response_can_hold_is_open_unless_it_is_a_union_tag() {
    // Derived from the spec, so an enum the spec gains later (one-value or not) is covered.
    let doc: serde_json::Value = serde_json::from_str(SPEC).unwrap();
    let tags = postprocess::rules::union_tags(&doc);
    let file: syn::File = syn::parse_str(GENERATED).unwrap();
    let mut enums = Vec::new();
    let mut modules = vec![&file.items];
    while let Some(items) = modules.pop() {
        for item in items {
            match item {
                syn::Item::Enum(item) => enums.push(item),
                syn::Item::Mod(module) => modules.extend(module.content.as_ref().map(|c| &c.1)),
                _ => {}
            }
        }
    }
    let mut checked = Vec::new();
    for at in schemas_in_responses(&doc) {
        let schema = doc.pointer(&at).unwrap();
        let Some(values) = schema.get("enum").and_then(|v| v.as_array()) else {
            continue;
        };
        let strings: std::collections::BTreeSet<String> = values
            .iter()
            .filter_map(|v| v.as_str().map(str::to_string))
            .collect();
        if strings.len() != values.iter().filter(|v| !v.is_null()).count() {
            continue; // not a string enum
        }
        // A component schema's enum has its name; an inline one is found by its values.
        let generated: Vec<&&syn::ItemEnum> = match at.strip_prefix("/components/schemas/") {
            Some(name) if !name.contains('/') => enums.iter().filter(|e| e.ident == name).collect(),
            _ => enums.iter().filter(|e| wire_values(e) == strings).collect(),
        };
        assert!(
            !generated.is_empty(),
            "no generated enum for the string enum at {at}"
        );
        let tag = tags.contains(&at);
        for item in generated {
            assert_eq!(
                is_open(item),
                !tag,
                "the enum `{}` (at {at}, values {strings:?}) must be {}",
                item.ident,
                if tag {
                    "closed: it is a union tag"
                } else {
                    "open: it is no union tag"
                }
            );
            checked.push(item.ident.to_string());
        }
    }
    checked.sort();
    // Not vacuous: the walk reaches the response enums, the one-value one among them.
    for name in [
        "DeploymentStatusV1",
        "InProgressPromotionStatusV1",
        "RollingDeployStrategyV1",
    ] {
        assert!(
            checked.iter().any(|c| c == name),
            "{name} not reached: {checked:?}"
        );
    }
}
