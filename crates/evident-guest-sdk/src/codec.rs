//! How a guest's state is turned into bytes and back.

use serde::Serialize;
use serde::de::DeserializeOwned;

use evident_types::content_type;

/// A serialisation format for state and commands, labelled with its media type.
pub trait Codec {
    /// The media type states encoded with this codec carry.
    const CONTENT_TYPE: &'static str;
    /// Encodes a value.
    fn encode<T: Serialize>(value: &T) -> Result<Vec<u8>, CodecError>;
    /// Decodes a value.
    fn decode<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, CodecError>;
}

/// JSON: readable, the default choice.
#[derive(Debug, Clone, Copy)]
pub struct Json;

/// CBOR: compact and fast, for large or binary states.
#[derive(Debug, Clone, Copy)]
pub struct Cbor;

/// Bytes that do not decode as expected, or a value that cannot be encoded.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{format}: {message}")]
pub struct CodecError {
    /// The media type involved.
    pub format: &'static str,
    /// What the serialiser said.
    pub message: String,
}

impl Codec for Json {
    const CONTENT_TYPE: &'static str = content_type::JSON;

    fn encode<T: Serialize>(value: &T) -> Result<Vec<u8>, CodecError> {
        serde_json::to_vec(value).map_err(codec_error::<Self>)
    }

    fn decode<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, CodecError> {
        serde_json::from_slice(bytes).map_err(codec_error::<Self>)
    }
}

impl Codec for Cbor {
    const CONTENT_TYPE: &'static str = content_type::CBOR;

    fn encode<T: Serialize>(value: &T) -> Result<Vec<u8>, CodecError> {
        let mut bytes = Vec::new();
        ciborium::into_writer(value, &mut bytes).map_err(codec_error::<Self>)?;
        Ok(bytes)
    }

    fn decode<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, CodecError> {
        ciborium::from_reader(bytes).map_err(codec_error::<Self>)
    }
}

fn codec_error<C: Codec>(error: impl std::fmt::Display) -> CodecError {
    CodecError {
        format: C::CONTENT_TYPE,
        message: error.to_string(),
    }
}

/// Decodes bytes with the codec their media type names, so a command may come in either format.
pub fn decode_by_content_type<T: DeserializeOwned>(
    content_type: &str,
    bytes: &[u8],
) -> Result<T, DecodeError> {
    let essence = content_type.split(';').next().unwrap_or_default().trim();
    if essence.eq_ignore_ascii_case(Json::CONTENT_TYPE) {
        Ok(Json::decode(bytes)?)
    } else if essence.eq_ignore_ascii_case(Cbor::CONTENT_TYPE) {
        Ok(Cbor::decode(bytes)?)
    } else {
        Err(DecodeError::UnsupportedContentType(content_type.to_owned()))
    }
}

/// Why [`decode_by_content_type`] failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DecodeError {
    /// Neither JSON nor CBOR.
    #[error("content type {0:?} is not supported (use {json} or {cbor})", json = content_type::JSON, cbor = content_type::CBOR)]
    UnsupportedContentType(String),
    /// The bytes do not decode.
    #[error(transparent)]
    Codec(#[from] CodecError),
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Floats of every magnitude, from a fixed pseudo-random sequence of bit patterns.
    fn floats() -> impl Iterator<Item = f64> {
        let mut bits: u64 = 0x9e37_79b9_7f4a_7c15;
        std::iter::from_fn(move || {
            bits ^= bits << 13;
            bits ^= bits >> 7;
            bits ^= bits << 17;
            Some(f64::from_bits(bits))
        })
        .filter(|f| f.is_finite())
        .take(20_000)
    }

    #[test]
    fn every_float_comes_back_from_json_bit_for_bit() {
        for value in floats().chain([0.1, 1.0 / 3.0, f64::MIN_POSITIVE, 5e-324, -0.0]) {
            let back: f64 = Json::decode(&Json::encode(&value).unwrap()).unwrap();
            assert_eq!(back.to_bits(), value.to_bits(), "{value:e}");
        }
    }

    #[test]
    fn every_float_comes_back_from_cbor_bit_for_bit() {
        for value in floats() {
            let back: f64 = Cbor::decode(&Cbor::encode(&value).unwrap()).unwrap();
            assert_eq!(back.to_bits(), value.to_bits(), "{value:e}");
        }
    }
}
