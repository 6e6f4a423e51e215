//! Path parameters: one value, one path segment.
//!
//! A value must never change which endpoint a request reaches. Two rules guarantee it, for
//! every URL parser (WHATWG, which reqwest's `url` crate follows, and RFC 3986 alike):
//!
//! - every byte that is not an RFC 3986 *unreserved* character (`A–Z a–z 0–9 - . _ ~`) is
//!   percent-encoded, so no value can contain a separator (`/`, and `\`, which WHATWG reads as
//!   `/` in http(s) URLs), a query (`?`), a fragment (`#`), or a `%` that a parser might
//!   decode into one of those or into a dot (`%2e`);
//! - the only values that are still dot segments after that, `.` and `..`, are refused, and so
//!   are empty and blank values (an empty segment would merge two path segments' meaning).
//!
//! progenitor's own `encode_path` leaves `\`, `|`, `^`, `[`, `]` and `.` unencoded, so build.rs
//! routes every path parameter of every operation through [`encode_segment`] instead.

use std::any::Any;
use std::fmt::{self, Display, Write};

use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};

use crate::Error;

/// Everything except RFC 3986's unreserved characters (`ALPHA / DIGIT / "-" / "." / "_" / "~"`).
const NOT_UNRESERVED: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// Checks `value` as one path segment, or refuses it naming the parameter. The segment is
/// percent-encoded as it is written into the URL (`format!("{}/v1/…/{}", base, segment)`), so
/// neither the value's text nor its encoding is kept in a `String` of its own.
pub(crate) fn encode_segment<'a, T: Display + Any>(
    name: &str,
    value: &'a T,
) -> Result<Segment<'a, T>, Error> {
    let mut shape = Shape::default();
    // Writing to `Shape` cannot fail, nor can the `Display` of a parameter's type (strings,
    // numbers, enums). A `String`, the usual parameter, is looked at directly.
    let _ = match (value as &dyn Any).downcast_ref::<String>() {
        Some(text) => shape.write_str(text),
        None => write!(shape, "{value}"),
    };
    let problem = if shape.len == 0 {
        Some("is empty")
    } else if shape.blank {
        Some("is only whitespace")
    } else if shape.dots && shape.len <= 2 {
        Some("is a relative path segment (`.` or `..`)")
    } else {
        None
    };
    match problem {
        Some(problem) => Err(Error::InvalidRequest(format!(
            "path parameter `{name}` {problem}"
        ))),
        None => Ok(Segment {
            value,
            plain: shape.unreserved,
        }),
    }
}

/// A checked path parameter: displays as its value with every byte that is not unreserved
/// percent-encoded.
pub(crate) struct Segment<'a, T: ?Sized> {
    value: &'a T,
    /// Nothing in it to encode (the usual id or name): written as it is.
    plain: bool,
}

impl<T: Display + ?Sized> Display for Segment<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.plain {
            self.value.fmt(f)
        } else {
            write!(Encoding(f), "{}", self.value)
        }
    }
}

/// Percent-encodes what is written through it (bytewise, so chunk boundaries do not matter).
struct Encoding<'f, 'g>(&'f mut fmt::Formatter<'g>);

impl Write for Encoding<'_, '_> {
    fn write_str(&mut self, text: &str) -> fmt::Result {
        for piece in utf8_percent_encode(text, NOT_UNRESERVED) {
            self.0.write_str(piece)?;
        }
        Ok(())
    }
}

/// RFC 3986's unreserved characters: the bytes [`NOT_UNRESERVED`] leaves as they are.
fn is_unreserved(byte: u8) -> bool {
    byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'.' | b'_' | b'~')
}

/// What the checks need to know of a value, learnt as it is written: its length, whether it
/// is all whitespace (as `str::trim` sees it), all dots, and all unreserved characters.
struct Shape {
    len: usize,
    blank: bool,
    dots: bool,
    unreserved: bool,
}

impl Default for Shape {
    fn default() -> Self {
        Self {
            len: 0,
            blank: true,
            dots: true,
            unreserved: true,
        }
    }
}

impl Write for Shape {
    fn write_str(&mut self, text: &str) -> fmt::Result {
        self.len += text.len();
        self.blank = self.blank && text.chars().all(char::is_whitespace);
        self.dots = self.dots && text.bytes().all(|b| b == b'.');
        self.unreserved = self.unreserved && text.bytes().all(is_unreserved);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    //! For every path parameter of every operation in the generated operation table (so an
    //! operation added to the spec is covered without editing this file): whatever value a
    //! caller passes, the URL that reqwest parses has exactly the template's segments, and the
    //! parameter's segment percent-decodes back to the value byte for byte.

    use std::sync::LazyLock;

    use proptest::prelude::*;

    use super::encode_segment;
    use crate::Error;
    use crate::operations::OPERATIONS;

    /// A base URL with a path prefix, as behind a proxy: the prefix must survive too.
    const BASE_URL: &str = "https://api.example.test/prefix";

    /// The client the request is built with: the URL goes through the same parsing
    /// (`reqwest::IntoUrl`, the `url` crate) as a request the generated code sends.
    static HTTP: LazyLock<reqwest::Client> = LazyLock::new(reqwest::Client::new);

    /// One piece of a template: literal text or a `{parameter}`.
    enum Piece<'a> {
        Literal(&'a str),
        Parameter(&'a str),
    }

    fn pieces(template: &str) -> Vec<Piece<'_>> {
        template
            .split('/')
            .skip(1) // templates start with `/`
            .map(|segment| match segment.strip_prefix('{') {
                Some(rest) => Piece::Parameter(rest.strip_suffix('}').expect("closed `{`")),
                None => Piece::Literal(segment),
            })
            .collect()
    }

    /// What the generated code does: `format!("{}/v1/…/{}/…", baseurl, encode_segment(..)?)`,
    /// then `client.request(method, url).build()`.
    fn build_url(
        method: &str,
        template: &str,
        value_of: impl Fn(&str) -> String,
    ) -> Result<reqwest::Url, Error> {
        let mut url = String::from(BASE_URL);
        for piece in pieces(template) {
            url.push('/');
            match piece {
                Piece::Literal(text) => url.push_str(text),
                Piece::Parameter(name) => {
                    url.push_str(&encode_segment(name, &value_of(name))?.to_string())
                }
            }
        }
        let method = reqwest::Method::from_bytes(method.as_bytes()).expect("an HTTP method");
        let request = HTTP
            .request(method, url)
            .build()
            .expect("a URL reqwest accepts");
        Ok(request.url().clone())
    }

    fn refused(value: &str) -> bool {
        value.trim().is_empty() || value == "." || value == ".."
    }

    /// Short pieces that URL parsers treat specially, mixed with arbitrary characters.
    fn hostile_value() -> impl Strategy<Value = String> {
        let token = prop_oneof![
            Just("\\".to_owned()),
            Just("/".to_owned()),
            Just("%".to_owned()),
            Just(".".to_owned()),
            Just("..".to_owned()),
            Just("?".to_owned()),
            Just("#".to_owned()),
            Just(";".to_owned()),
            Just("%2e".to_owned()),
            Just("%2E".to_owned()),
            Just("%2f".to_owned()),
            Just("%5c".to_owned()),
            Just("%00".to_owned()),
            Just("..\\".to_owned()),
            Just("../".to_owned()),
            Just(" ".to_owned()),
            Just("\t".to_owned()),
            Just("\u{0}".to_owned()),
            Just("\u{7f}".to_owned()),
            Just("\u{a0}".to_owned()),
            Just("\u{ff0f}".to_owned()), // fullwidth solidus
            Just("\u{2215}".to_owned()), // division slash
            "[a-z0-9_~-]{1,3}",
            any::<char>().prop_map(String::from),
        ];
        prop_oneof![
            prop::collection::vec(token, 0..8).prop_map(|parts| parts.concat()),
            any::<String>(),
        ]
    }

    fn check_every_operation(value: &str) -> Result<(), TestCaseError> {
        for (operation_id, method, template) in OPERATIONS {
            for piece in pieces(template) {
                let Piece::Parameter(name) = piece else {
                    continue;
                };
                let others = "x";
                let url = build_url(method, template, |p| {
                    if p == name {
                        value.to_owned()
                    } else {
                        others.to_owned()
                    }
                });
                if refused(value) {
                    let Err(Error::InvalidRequest(message)) = &url else {
                        return Err(TestCaseError::fail(format!(
                            "{operation_id}: {value:?} for `{name}` should be refused: {url:?}"
                        )));
                    };
                    prop_assert!(message.contains(&format!("`{name}`")), "{message}");
                    continue;
                }
                let url = url.map_err(|e| TestCaseError::fail(format!("{operation_id}: {e}")))?;
                prop_assert_eq!(url.host_str(), Some("api.example.test"));
                prop_assert_eq!(
                    url.query(),
                    None,
                    "{}: {:?} -> {}",
                    operation_id,
                    value,
                    url
                );
                prop_assert_eq!(
                    url.fragment(),
                    None,
                    "{}: {:?} -> {}",
                    operation_id,
                    value,
                    url
                );
                let segments: Vec<&str> = url.path_segments().expect("a base").collect();
                let expected = pieces(template);
                prop_assert_eq!(
                    segments.len(),
                    expected.len() + 1,
                    "{}: {:?} -> {}",
                    operation_id,
                    value,
                    url
                );
                prop_assert_eq!(segments[0], "prefix");
                for (segment, piece) in segments[1..].iter().zip(&expected) {
                    let decoded: Vec<u8> = percent_encoding::percent_decode_str(segment).collect();
                    match piece {
                        Piece::Literal(text) => prop_assert_eq!(segment, text),
                        Piece::Parameter(p) if *p == name => prop_assert_eq!(
                            decoded.as_slice(),
                            value.as_bytes(),
                            "{}: {:?} -> {}",
                            operation_id,
                            value,
                            url
                        ),
                        Piece::Parameter(_) => prop_assert_eq!(segment, &others),
                    }
                }
            }
        }
        Ok(())
    }

    #[test]
    fn the_table_has_path_parameters_to_test() {
        let parameters = OPERATIONS
            .iter()
            .flat_map(|(_, _, template)| pieces(template))
            .filter(|piece| matches!(piece, Piece::Parameter(_)))
            .count();
        assert!(parameters >= 7, "only {parameters} path parameters found");
    }

    #[test]
    fn the_issues_examples_stay_in_their_segment() {
        for value in [
            "..\\..\\v1\\chains\\c",
            "a\\b",
            "..\\..\\x",
            ".%2e",
            "%2e.",
            "%2e%2e",
        ] {
            check_every_operation(value).unwrap();
        }
        assert_eq!(
            encode_segment("model_id", &"..\\..\\x")
                .unwrap()
                .to_string(),
            "..%5C..%5Cx"
        );
    }

    /// A value whose `Display` writes it in pieces, as a type's own `Display` may.
    struct Pieces(&'static [&'static str]);

    impl std::fmt::Display for Pieces {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            self.0.iter().try_for_each(|piece| f.write_str(piece))
        }
    }

    #[test]
    fn a_value_written_in_pieces_is_checked_and_encoded_whole() {
        for (pieces, refused) in [
            (&[".", "."][..], true),
            (&[".", ""][..], true),
            (&["", ""][..], true),
            (&[" ", "\t"][..], true),
            (&[".", ".", "."][..], false),
            (&[" ", "x"][..], false),
        ] {
            let value = Pieces(pieces);
            assert_eq!(encode_segment("p", &value).is_err(), refused, "{pieces:?}");
        }
        let value = Pieces(&["a/", "b", "%2e", "é"]);
        let encoded = encode_segment("p", &value).unwrap();
        assert_eq!(encoded.to_string(), "a%2Fb%252e%C3%A9");
        assert_eq!(encode_segment("p", &42u32).unwrap().to_string(), "42");
    }

    #[test]
    fn the_plain_check_agrees_with_the_encode_set() {
        for byte in 0..=u8::MAX {
            let kept = match std::str::from_utf8(&[byte]) {
                Ok(text) => {
                    percent_encoding::utf8_percent_encode(text, super::NOT_UNRESERVED).to_string()
                        == text
                }
                Err(_) => false, // not a whole character: part of an encoded one
            };
            assert_eq!(super::is_unreserved(byte), kept, "byte {byte:#04x}");
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(4096))]

        #[test]
        fn no_value_leaves_its_segment(value in hostile_value()) {
            check_every_operation(&value)?;
        }
    }
}
