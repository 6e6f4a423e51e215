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
    assert_eq!(postprocess::rules::OPEN_ENUM_MIN_VALUES, 2);
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

#[test]
fn string_enums_open_but_one_value_enums_stay_closed() {
    let out = rewritten(quote! {
        #[derive(::serde::Deserialize, ::serde::Serialize, Clone, Copy, Debug)]
        pub enum Status { #[serde(rename = "A")] A, #[serde(rename = "B")] B }
        #[derive(::serde::Deserialize, ::serde::Serialize, Clone, Copy, Debug)]
        pub enum Kind { #[serde(rename = "model")] Model }
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
    });
    let status = &out[out.find("pub enum Status").unwrap()..out.find("pub enum Kind").unwrap()];
    assert!(
        status.contains("#[serde(untagged)]") && status.contains("Unknown(::std::string::String)"),
        "{out}"
    );
    let status_derive = &out[..out.find("pub enum Status").unwrap()];
    assert!(
        !status_derive.contains("Copy"),
        "an open enum holds a String: {out}"
    );
    let kind = &out[out.find("pub enum Kind").unwrap()..];
    assert!(
        !kind[..kind.find('}').unwrap()].contains("Unknown"),
        "{out}"
    );
    assert!(
        out.contains("Clone, Copy, Debug)]\npub enum Kind"),
        "Kind keeps Copy: {out}"
    );
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
    assert!(
        out.contains("#[derive(::serde::Serialize, Clone, Debug)]\npub enum Status"),
        "{out}"
    );
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
        out.contains("Deserialize, ::serde::Serialize, Clone, Copy, Debug)]\npub enum Kind"),
        "{out}"
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
