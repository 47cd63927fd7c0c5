//! Hostile guest: `reduce` returns a state of `bytes` bytes (parameter; default 500 MiB).
//!
//! ```
//! use evident_guest_sdk::{view, Event, Parameters, State};
//! let parameters = Parameters::new().with("bytes", "10");
//! let state = view::reduce::<hostile_huge_state::Ballast>(&State::default(), &Event::new("1", "/", "t"), &parameters)?;
//! assert_eq!(state.bytes.len(), 1 + 10); // a one-byte CBOR header, then the bytes
//! # Ok::<(), evident_guest_sdk::ViewError>(())
//! ```

use evident_guest_sdk::prelude::*;

/// Nothing but ballast.
#[derive(Default, Serialize, Deserialize)]
pub struct Ballast(#[serde(with = "serde_bytes_compat")] Vec<u8>);

#[state_view]
impl StateView for Ballast {
    type Codec = Cbor;

    fn initialize(_parameters: &Parameters) -> Result<Self, ViewError> {
        Ok(Ballast::default())
    }

    fn reduce(&mut self, _event: &EventRef<'_>, parameters: &Parameters) -> Result<(), ViewError> {
        let bytes = parameters.parse::<usize>("bytes")?.unwrap_or(500 << 20);
        self.0 = vec![0x5A; bytes];
        Ok(())
    }
}

/// Serialises the ballast as one CBOR byte string rather than an array of integers.
mod serde_bytes_compat {
    use serde::{Deserializer, Serializer};

    pub fn serialize<S: Serializer>(bytes: &[u8], serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_bytes(bytes)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Vec<u8>, D::Error> {
        struct Visitor;
        impl<'de> serde::de::Visitor<'de> for Visitor {
            type Value = Vec<u8>;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("bytes")
            }
            fn visit_bytes<E: serde::de::Error>(self, v: &[u8]) -> Result<Vec<u8>, E> {
                Ok(v.to_vec())
            }
            fn visit_byte_buf<E: serde::de::Error>(self, v: Vec<u8>) -> Result<Vec<u8>, E> {
                Ok(v)
            }
        }
        deserializer.deserialize_bytes(Visitor)
    }
}
