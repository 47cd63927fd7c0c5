//! States, commands, parameters and the error a component returns on purpose.

use bytes::Bytes;
use serde::{Deserialize, Serialize};

/// Media types the guest SDK encodes states and commands with.
pub mod content_type {
    /// JSON (RFC 8259).
    pub const JSON: &str = "application/json";
    /// CBOR (RFC 8949).
    pub const CBOR: &str = "application/cbor";
}

/// The materialised state of a view: opaque bytes the component owns, labelled with their
/// media type so the host can show them.
///
/// A state with no content type is "no state yet" (the default): a view starts from its
/// initial state, a state change from its empty one. Such a state must have no bytes either;
/// the guest SDKs refuse one that has.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct State {
    /// The media type of `bytes`, e.g. [`content_type::JSON`].
    pub content_type: String,
    /// Names the schema of `bytes`, for components that version their state.
    pub schema_id: Option<String>,
    /// The encoded state.
    pub bytes: Bytes,
}

impl State {
    /// Labels encoded bytes with their media type.
    pub fn new(content_type: impl Into<String>, bytes: impl Into<Bytes>) -> Self {
        State {
            content_type: content_type.into(),
            schema_id: None,
            bytes: bytes.into(),
        }
    }

    /// Tells whether this is "no state yet": it has no content type.
    pub fn is_absent(&self) -> bool {
        self.content_type.is_empty()
    }
}

/// A request to change state, as opaque bytes labelled with their media type.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Command {
    /// The media type of `bytes`, e.g. [`content_type::JSON`].
    pub content_type: String,
    /// Names the schema of `bytes`.
    pub schema_id: Option<String>,
    /// The encoded command.
    pub bytes: Bytes,
}

impl Command {
    /// Labels encoded bytes with their media type.
    pub fn new(content_type: impl Into<String>, bytes: impl Into<Bytes>) -> Self {
        Command {
            content_type: content_type.into(),
            schema_id: None,
            bytes: bytes.into(),
        }
    }

    /// Encodes `value` as a JSON command, the form most callers write by hand.
    pub fn json<T: Serialize + ?Sized>(value: &T) -> Result<Self, serde_json::Error> {
        Ok(Command::new(content_type::JSON, serde_json::to_vec(value)?))
    }
}

/// Why a component refused a command: a stable machine-readable `code` callers can match on,
/// and a message for people.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, thiserror::Error)]
#[error("{code}: {message}")]
pub struct GuestError {
    /// Stable identifier, e.g. `insufficient-funds`.
    pub code: String,
    /// Explanation for people.
    pub message: String,
    /// Optional machine-readable detail, encoded as the component chooses.
    pub details: Option<Bytes>,
}

impl GuestError {
    /// Builds an error with a code and a message.
    pub fn new(code: impl Into<String>, message: impl Into<String>) -> Self {
        GuestError {
            code: code.into(),
            message: message.into(),
            details: None,
        }
    }

    /// Attaches machine-readable detail.
    pub fn with_details(mut self, details: impl Into<Bytes>) -> Self {
        self.details = Some(details.into());
        self
    }
}

/// The `name=value` parameters a view or change is configured with, in the order given.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Parameters(Vec<(String, String)>);

impl Parameters {
    /// No parameters.
    pub fn new() -> Self {
        Parameters(Vec::new())
    }

    /// The value of `name`; the last one wins if it is given twice.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .rev()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    /// The value of `name` parsed as `T`; `Ok(None)` if absent, an error naming the parameter
    /// if it does not parse.
    pub fn parse<T>(&self, name: &str) -> Result<Option<T>, GuestError>
    where
        T: std::str::FromStr,
        T::Err: std::fmt::Display,
    {
        self.get(name)
            .map(|raw| {
                raw.parse().map_err(|e| {
                    GuestError::new(
                        "invalid-parameter",
                        format!("parameter `{name}` is {raw:?}: {e}"),
                    )
                })
            })
            .transpose()
    }

    /// Adds a parameter.
    pub fn with(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.0.push((name.into(), value.into()));
        self
    }

    /// The pairs in order, as they cross the component boundary.
    pub fn as_slice(&self) -> &[(String, String)] {
        &self.0
    }

    /// Iterates over `(name, value)` pairs.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        self.0.iter().map(|(n, v)| (n.as_str(), v.as_str()))
    }
}

impl From<Vec<(String, String)>> for Parameters {
    fn from(pairs: Vec<(String, String)>) -> Self {
        Parameters(pairs)
    }
}

impl From<Parameters> for Vec<(String, String)> {
    fn from(parameters: Parameters) -> Self {
        parameters.0
    }
}

impl<K: Into<String>, V: Into<String>> FromIterator<(K, V)> for Parameters {
    fn from_iter<I: IntoIterator<Item = (K, V)>>(iter: I) -> Self {
        Parameters(
            iter.into_iter()
                .map(|(k, v)| (k.into(), v.into()))
                .collect(),
        )
    }
}
