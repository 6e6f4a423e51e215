//! `--output jsonl`: the client's own tracing events as JSON lines on stdout, as the command
//! goes: every request answered (`request`), every retry the client makes (`retry`), every
//! failed request (`request_failed`), every read a wait tolerated and polled past
//! (`read_failed`). Progress changes and the final document are written by `output.rs`, on the
//! same stream, so one reader sees one ordered stream.

use serde_json::{Map, Value, json};
use tracing::field::{Field, Visit};
use tracing::span::{Attributes, Id};
use tracing::{Event, Subscriber};
use tracing_subscriber::Layer;
use tracing_subscriber::layer::Context;
use tracing_subscriber::registry::LookupSpan;

use crate::output::Output;

/// Turns the client's events into JSON lines on `out`.
pub struct JsonlEvents {
    pub out: Output,
}

/// The operation a request span is for, kept in the span's extensions.
struct Operation(String);

/// An event's or a span's fields, as JSON.
#[derive(Default)]
struct Fields(Map<String, Value>);

impl Visit for Fields {
    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        self.0
            .insert(field.name().to_owned(), json!(format!("{value:?}")));
    }
    fn record_str(&mut self, field: &Field, value: &str) {
        self.0.insert(field.name().to_owned(), json!(value));
    }
    fn record_u64(&mut self, field: &Field, value: u64) {
        self.0.insert(field.name().to_owned(), json!(value));
    }
    fn record_i64(&mut self, field: &Field, value: i64) {
        self.0.insert(field.name().to_owned(), json!(value));
    }
    fn record_error(&mut self, field: &Field, value: &(dyn std::error::Error + 'static)) {
        self.0
            .insert(field.name().to_owned(), json!(value.to_string()));
    }
}

impl<S> Layer<S> for JsonlEvents
where
    S: Subscriber + for<'a> LookupSpan<'a>,
{
    fn on_new_span(&self, attrs: &Attributes<'_>, id: &Id, ctx: Context<'_, S>) {
        let mut fields = Fields::default();
        attrs.record(&mut fields);
        if let (Some(span), Some(Value::String(operation))) =
            (ctx.span(id), fields.0.remove("operation_id"))
        {
            span.extensions_mut().insert(Operation(operation));
        }
    }

    fn on_event(&self, event: &Event<'_>, ctx: Context<'_, S>) {
        let mut fields = Fields::default();
        event.record(&mut fields);
        let mut fields = fields.0;
        let message = fields
            .remove("message")
            .and_then(|m| m.as_str().map(str::to_owned))
            .unwrap_or_default();
        let kind = match (event.metadata().target(), message.as_str()) {
            ("baseten_api::wait", "read failed; polling on") => "read_failed",
            ("baseten_api::client", "answered") => "request",
            ("baseten_api::client", "retrying") => "retry",
            ("baseten_api::client", "failed") => "request_failed",
            _ => return,
        };
        let operation = ctx.event_scope(event).and_then(|scope| {
            scope
                .from_root()
                .find_map(|span| span.extensions().get::<Operation>().map(|o| o.0.clone()))
        });
        let mut line = Map::new();
        line.insert("type".into(), json!(kind));
        if let Some(operation) = operation {
            line.insert("operation".into(), json!(operation));
        }
        fields.remove("subject");
        line.extend(fields);
        self.out.jsonl(&Value::Object(line));
    }
}
