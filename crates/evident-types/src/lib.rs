//! The one definition of what crosses between the Evident database and its components.
//!
//! Events are [CloudEvents 1.0](https://cloudevents.io); states and commands are bytes with a
//! content type; a [`GuestError`] is how a component refuses a command. The host and the guest
//! SDK both build on these types, so an event parsed from JSON on the host is the same value a
//! guest sees, and a state a guest returns is the same value the host stores. This crate knows
//! nothing of WebAssembly runtimes.
//!
//! ```
//! use evident_types::{Event, read_json_lines};
//!
//! let line = r#"{"specversion":"1.0","id":"1","source":"/bank","type":"deposited","data":{"amount":5}}"#;
//! let event: Event = line.parse()?;
//! assert_eq!(event.event_type, "deposited");
//! assert_eq!(event.data.as_deref(), Some(&br#"{"amount":5}"#[..]));
//!
//! // A JSON-lines stream reports the line of the first bad event.
//! let input = format!("{line}\n{{\"id\":\"2\"}}\n");
//! let err = read_json_lines(input.as_bytes()).collect::<Result<Vec<_>, _>>().unwrap_err();
//! assert_eq!(err.line, 2);
//! assert_eq!(err.to_string(), "line 2: missing required attribute `specversion`");
//! # Ok::<(), evident_types::EventError>(())
//! ```

mod cbor_event;
mod cloudevents_json;
mod event;
mod event_ref;
mod fast_json;
pub mod frame;
mod json_lines;
mod json_view;
mod payload;
pub mod query;
mod wire;

pub use cloudevents_json::{EventError, is_json_content_type};
pub use event::{Event, MAX_DEPTH, MAX_EXTENSIONS, SPEC_VERSION};
pub use event_ref::{EventRef, Extensions};
pub use json_lines::{
    DEFAULT_MAX_LINE_BYTES, JsonLines, JsonLinesError, JsonLinesErrorKind, LineRead,
    read_bounded_line, read_json_lines,
};
pub use json_view::cbor_to_json;
pub use payload::{Command, GuestError, Parameters, State, content_type};
pub use wire::WireEvent;

/// Re-exported so guests and hosts name the same `Bytes` the payload fields use.
pub use bytes::Bytes;
