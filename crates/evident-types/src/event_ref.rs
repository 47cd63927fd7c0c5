//! An event lent to a view: every attribute borrowed from wherever the event lives (a frame, a
//! boundary record, an [`Event`]), nothing copied.

use std::collections::BTreeMap;

use chrono::{DateTime, FixedOffset};

use crate::cloudevents_json::EventError;
use crate::event::Event;

/// A CloudEvent borrowed for the length of one call: the same attributes as [`Event`], as
/// `&str` and `&[u8]` into the bytes they arrived in.
///
/// A view's `reduce` gets one per event. Reading a frame makes one without allocating: strings
/// are checked to be UTF-8 and `time` to be a real instant, and nothing else is checked again
/// (the host checked the CloudEvents rules when it read the event).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EventRef<'a> {
    /// See [`Event::id`].
    pub id: &'a str,
    /// See [`Event::source`].
    pub source: &'a str,
    /// See [`Event::spec_version`].
    pub spec_version: &'a str,
    /// See [`Event::event_type`].
    pub event_type: &'a str,
    /// See [`Event::datacontenttype`].
    pub datacontenttype: Option<&'a str>,
    /// See [`Event::dataschema`].
    pub dataschema: Option<&'a str>,
    /// See [`Event::subject`].
    pub subject: Option<&'a str>,
    /// See [`Event::time`].
    pub time: Option<DateTime<FixedOffset>>,
    /// See [`Event::data`].
    pub data: Option<&'a [u8]>,
    /// See [`Event::extensions`].
    pub extensions: Extensions<'a>,
}

impl<'a> EventRef<'a> {
    /// Decodes a JSON `data` payload into `T`, which may borrow from it.
    pub fn data_json<T: serde::Deserialize<'a>>(&self) -> Result<T, EventError> {
        let data = self.data.ok_or(EventError::Missing("data"))?;
        serde_json::from_slice(data).map_err(|e| EventError::Invalid {
            attribute: "data".into(),
            reason: format!("is not the JSON expected: {e}"),
        })
    }

    /// An owned copy, to keep beyond the call.
    pub fn to_event(&self) -> Event {
        Event {
            id: self.id.to_owned(),
            source: self.source.to_owned(),
            spec_version: self.spec_version.to_owned(),
            event_type: self.event_type.to_owned(),
            datacontenttype: self.datacontenttype.map(str::to_owned),
            dataschema: self.dataschema.map(str::to_owned),
            subject: self.subject.map(str::to_owned),
            time: self.time,
            data: self.data.map(|data| data.to_vec().into()),
            extensions: self
                .extensions
                .iter()
                .map(|(name, value)| (name.to_owned(), value.to_owned()))
                .collect(),
        }
    }
}

impl Event {
    /// This event, lent as a view's `reduce` receives events.
    pub fn as_event_ref(&self) -> EventRef<'_> {
        EventRef {
            id: &self.id,
            source: &self.source,
            spec_version: &self.spec_version,
            event_type: &self.event_type,
            datacontenttype: self.datacontenttype.as_deref(),
            dataschema: self.dataschema.as_deref(),
            subject: self.subject.as_deref(),
            time: self.time,
            data: self.data.as_deref(),
            extensions: Extensions(Repr::Map(&self.extensions)),
        }
    }
}

impl<'a> From<&'a Event> for EventRef<'a> {
    fn from(event: &'a Event) -> Self {
        event.as_event_ref()
    }
}

/// An event's extension attributes, borrowed: look one up by name, or go through them all.
#[derive(Clone, Copy)]
pub struct Extensions<'a>(pub(crate) Repr<'a>);

#[derive(Clone, Copy)]
pub(crate) enum Repr<'a> {
    /// Name/value pairs in a frame, already checked: `count` of them at the start of `bytes`.
    Frame { bytes: &'a [u8], count: u32 },
    /// An [`Event`]'s map.
    Map(&'a BTreeMap<String, String>),
    /// Pairs as they cross the component boundary, names unique.
    Pairs(&'a [(String, String)]),
}

impl<'a> Extensions<'a> {
    /// Extensions given as name/value pairs whose names are unique.
    pub fn from_pairs(pairs: &'a [(String, String)]) -> Self {
        Extensions(Repr::Pairs(pairs))
    }

    /// The value of the extension `name`.
    pub fn get(&self, name: &str) -> Option<&'a str> {
        match self.0 {
            Repr::Map(map) => map.get(name).map(String::as_str),
            _ => self.iter().find(|(n, _)| *n == name).map(|(_, v)| v),
        }
    }

    /// How many there are.
    pub fn len(&self) -> usize {
        match self.0 {
            Repr::Frame { count, .. } => count as usize,
            Repr::Map(map) => map.len(),
            Repr::Pairs(pairs) => pairs.len(),
        }
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Every `(name, value)`, in the order they came in.
    pub fn iter(&self) -> impl Iterator<Item = (&'a str, &'a str)> + 'a {
        let (frame, map, pairs) = match self.0 {
            Repr::Frame { bytes, count } => (Some(FramePairs { bytes, count }), None, None),
            Repr::Map(map) => (None, Some(map.iter()), None),
            Repr::Pairs(pairs) => (None, None, Some(pairs.iter())),
        };
        frame
            .into_iter()
            .flatten()
            .chain(
                map.into_iter()
                    .flatten()
                    .map(|(n, v)| (n.as_str(), v.as_str())),
            )
            .chain(
                pairs
                    .into_iter()
                    .flatten()
                    .map(|(n, v)| (n.as_str(), v.as_str())),
            )
    }
}

impl PartialEq for Extensions<'_> {
    fn eq(&self, other: &Self) -> bool {
        let sorted = |extensions: &Self| {
            let mut pairs: Vec<_> = extensions.iter().collect();
            pairs.sort_unstable();
            pairs
        };
        sorted(self) == sorted(other)
    }
}

impl Eq for Extensions<'_> {}

impl std::fmt::Debug for Extensions<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_map().entries(self.iter()).finish()
    }
}

/// Walks name/value pairs a frame reader has already checked (lengths in range, UTF-8).
struct FramePairs<'a> {
    bytes: &'a [u8],
    count: u32,
}

impl<'a> FramePairs<'a> {
    fn string(&mut self) -> &'a str {
        let (len, rest) = self.bytes.split_at(4);
        let len = u32::from_le_bytes(len.try_into().expect("4 bytes")) as usize;
        let (text, rest) = rest.split_at(len);
        self.bytes = rest;
        std::str::from_utf8(text).expect("checked when the frame was read")
    }
}

impl<'a> Iterator for FramePairs<'a> {
    type Item = (&'a str, &'a str);

    fn next(&mut self) -> Option<Self::Item> {
        if self.count == 0 {
            return None;
        }
        self.count -= 1;
        Some((self.string(), self.string()))
    }
}
