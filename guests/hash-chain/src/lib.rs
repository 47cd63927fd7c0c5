//! A state view whose work per event is computation, not bookkeeping: for each event it extends
//! a SHA-256 hash chain over the event's data, `rounds` times (parameter, default 16), and keeps
//! the chain's head per subject. The benchmarks run the same code natively and as a component
//! to see how close to native a component computes.
//!
//! ```
//! use evident_guest_sdk::{view, Event, Parameters, State};
//! let event = Event::new("1", "/h", "t").with_subject("a").with_data("text/plain", "payload");
//! let state = view::reduce::<hash_chain::Chains>(&State::default(), &event, &Parameters::new())?;
//! assert!(state.bytes.starts_with(br#"{"events":1,"heads":{"a":""#));
//! # Ok::<(), evident_guest_sdk::ViewError>(())
//! ```

use std::collections::BTreeMap;

use evident_guest_sdk::prelude::*;

mod sha256;

pub use sha256::sha256;

/// The head of each subject's chain, as hex.
#[derive(Debug, Default, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Chains {
    /// Events chained.
    pub events: u64,
    /// The last digest of each subject's chain (events without a subject chain under "").
    pub heads: BTreeMap<String, String>,
}

#[state_view]
impl StateView for Chains {
    type Codec = Json;

    fn initialize(_parameters: &Parameters) -> Result<Self, ViewError> {
        Ok(Chains::default())
    }

    fn reduce(&mut self, event: &EventRef<'_>, parameters: &Parameters) -> Result<(), ViewError> {
        let rounds = parameters.parse::<u32>("rounds")?.unwrap_or(16);
        let subject = event.subject.unwrap_or("");
        let mut digest = match self.heads.get(subject) {
            Some(head) => from_hex(head),
            None => [0; 32],
        };
        let data = event.data.unwrap_or(event.id.as_bytes());
        let mut input = Vec::with_capacity(32 + data.len());
        for _ in 0..rounds {
            input.clear();
            input.extend_from_slice(&digest);
            input.extend_from_slice(data);
            digest = sha256(&input);
        }
        let head = to_hex(&digest);
        match self.heads.get_mut(subject) {
            Some(slot) => *slot = head,
            None => {
                self.heads.insert(subject.to_owned(), head);
            }
        }
        self.events += 1;
        Ok(())
    }
}

fn to_hex(bytes: &[u8; 32]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut text = String::with_capacity(64);
    for byte in bytes {
        text.push(char::from(DIGITS[usize::from(byte >> 4)]));
        text.push(char::from(DIGITS[usize::from(byte & 15)]));
    }
    text
}

fn from_hex(text: &str) -> [u8; 32] {
    let mut bytes = [0; 32];
    let digit = |c: u8| match c {
        b'0'..=b'9' => c - b'0',
        b'a'..=b'f' => c - b'a' + 10,
        _ => 0,
    };
    for (byte, pair) in bytes.iter_mut().zip(text.as_bytes().chunks(2)) {
        *byte = (digit(pair[0]) << 4) | digit(*pair.get(1).unwrap_or(&b'0'));
    }
    bytes
}
