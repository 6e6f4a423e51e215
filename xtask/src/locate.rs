//! Maps a JSON pointer back to the line of a YAML/JSON file it came from, so that an error found
//! on the parsed value ("component differs at /components/schemas/X/required/1") can also say
//! where to look in the file.

use crate::document::escape_pointer_token;
use std::collections::HashMap;
use yaml_rust2::parser::{Event, MarkedEventReceiver, Parser};
use yaml_rust2::scanner::Marker;

/// The line (1-based) of every node of a document, by JSON pointer. For a mapping entry the
/// line is that of its key, which is what an editor should jump to.
#[derive(Debug, Default, Clone)]
pub struct LineIndex {
    lines: HashMap<String, usize>,
}

impl LineIndex {
    /// Indexes `text`. A document that does not parse yields an empty index (the parse error
    /// is reported elsewhere, with its own location).
    pub fn new(text: &str) -> Self {
        let mut builder = Builder::default();
        let mut parser = Parser::new_from_str(text);
        if parser.load(&mut builder, false).is_err() {
            return Self::default();
        }
        Self {
            lines: builder.lines,
        }
    }

    /// The line of `pointer`, or of its nearest ancestor present in the file (a pointer can name
    /// a key that one side of a comparison lacks).
    pub fn line_of(&self, pointer: &str) -> Option<usize> {
        let mut current = pointer;
        loop {
            if let Some(line) = self.lines.get(current) {
                return Some(*line);
            }
            current = &current[..current.rfind('/')?];
        }
    }
}

enum Frame {
    /// A mapping; `key` is set between a key and its value.
    Mapping {
        key: Option<String>,
    },
    Sequence {
        index: usize,
    },
}

#[derive(Default)]
struct Builder {
    stack: Vec<Frame>,
    /// The pointer of each open container (parallel to `stack`).
    pointers: Vec<String>,
    lines: HashMap<String, usize>,
}

impl Builder {
    /// The pointer of the node that the next value event belongs to.
    fn value_pointer(&self) -> String {
        match (self.stack.last(), self.pointers.last()) {
            (Some(Frame::Mapping { key: Some(key) }), Some(parent)) => {
                format!("{parent}/{}", escape_pointer_token(key))
            }
            (Some(Frame::Sequence { index }), Some(parent)) => format!("{parent}/{index}"),
            _ => String::new(),
        }
    }

    /// Is the next scalar a mapping key?
    fn expects_key(&self) -> bool {
        matches!(self.stack.last(), Some(Frame::Mapping { key: None }))
    }

    /// A value was completed: the parent moves on to its next key or index.
    fn advance(&mut self) {
        match self.stack.last_mut() {
            Some(Frame::Mapping { key }) => *key = None,
            Some(Frame::Sequence { index }) => *index += 1,
            None => {}
        }
    }

    fn record(&mut self, pointer: String, mark: Marker) {
        self.lines.entry(pointer).or_insert(mark.line());
    }
}

impl MarkedEventReceiver for Builder {
    fn on_event(&mut self, event: Event, mark: Marker) {
        match event {
            Event::Scalar(value, ..) if self.expects_key() => {
                let pointer = format!(
                    "{}/{}",
                    self.pointers.last().map_or("", String::as_str),
                    escape_pointer_token(&value)
                );
                self.record(pointer, mark);
                if let Some(Frame::Mapping { key }) = self.stack.last_mut() {
                    *key = Some(value);
                }
            }
            Event::Scalar(..) | Event::Alias(_) => {
                let pointer = self.value_pointer();
                self.record(pointer, mark);
                self.advance();
            }
            Event::MappingStart(..) | Event::SequenceStart(..) => {
                let pointer = self.value_pointer();
                self.record(pointer.clone(), mark);
                self.pointers.push(pointer);
                self.stack.push(match event {
                    Event::MappingStart(..) => Frame::Mapping { key: None },
                    _ => Frame::Sequence { index: 0 },
                });
            }
            Event::MappingEnd | Event::SequenceEnd => {
                self.stack.pop();
                self.pointers.pop();
                self.advance();
            }
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::LineIndex;

    #[test]
    fn pointers_map_to_the_line_of_their_key() {
        let text = "openapi: 3.1.0\ncomponents:\n  schemas:\n    Thing:\n      required:\n        - id\n        - name\n      properties:\n        a/b: {type: string}\n";
        let index = LineIndex::new(text);
        assert_eq!(index.line_of("/openapi"), Some(1));
        assert_eq!(index.line_of("/components/schemas/Thing"), Some(4));
        assert_eq!(
            index.line_of("/components/schemas/Thing/required/1"),
            Some(7)
        );
        assert_eq!(
            index.line_of("/components/schemas/Thing/properties/a~1b/type"),
            Some(9)
        );
        // A key that is not in the file: its nearest ancestor.
        assert_eq!(
            index.line_of("/components/schemas/Thing/properties/missing"),
            Some(8)
        );
    }

    #[test]
    fn json_is_indexed_too() {
        let text = "{\n  \"paths\": {\n    \"/a\": {\n      \"get\": {}\n    }\n  }\n}\n";
        assert_eq!(LineIndex::new(text).line_of("/paths/~1a/get"), Some(4));
    }
}
