//! proptest strategies for valid CloudEvents with every optional attribute exercised.

use chrono::{DateTime, FixedOffset};
use evident_types::{Bytes, Event};
use proptest::prelude::*;

/// A few types, so views that group by type see repeats.
const TYPES: [&str; 5] = [
    "order.placed",
    "order.paid",
    "order.shipped",
    "account.opened",
    "account.deposited",
];

/// Any valid event: optional attributes present or not, JSON, text or binary data, extensions,
/// times with offsets.
pub fn event() -> impl Strategy<Value = Event> {
    (
        "[a-zA-Z0-9-]{1,16}",
        prop_oneof!["/[a-z]{1,8}(/[a-z0-9]{1,8})?", Just("https://example.com/x".to_owned())],
        prop_oneof![3 => proptest::sample::select(&TYPES[..]).prop_map(str::to_owned), 1 => "[a-z]{1,6}\\.[a-z]{1,6}"],
        proptest::option::of("[a-z0-9 ]{1,12}"),
        proptest::option::of(time()),
        data(),
        proptest::collection::btree_map(extension_name(), "[ -~]{0,12}", 0..3),
    )
        .prop_map(|(id, source, event_type, subject, time, (datacontenttype, data), extensions)| {
            let mut event = Event::new(id, source, event_type);
            event.subject = subject;
            event.time = time;
            event.datacontenttype = datacontenttype;
            event.data = data;
            event.extensions = extensions;
            event
        })
}

/// Between 0 and `max` events.
pub fn events(max: usize) -> impl Strategy<Value = Vec<Event>> {
    proptest::collection::vec(event(), 0..=max)
}

fn extension_name() -> impl Strategy<Value = String> {
    // evident-types is the one judge of what an extension may be called.
    "[a-z][a-z0-9]{0,7}".prop_filter("a valid extension name", |name| {
        Event::new("id", "/s", "t")
            .with_extension(name.as_str(), "")
            .validate()
            .is_ok()
    })
}

/// A time between 1970 and 2100 at a whole-minute offset within ±14 h, sometimes with nanos.
fn time() -> impl Strategy<Value = DateTime<FixedOffset>> {
    (
        0i64..4_102_444_800,
        prop_oneof![Just(0u32), 0u32..1_000_000_000],
        -14 * 60..=14 * 60i32,
    )
        .prop_map(|(seconds, nanos, offset_minutes)| {
            let offset = FixedOffset::east_opt(offset_minutes * 60).expect("within ±14 h");
            DateTime::from_timestamp(seconds, nanos)
                .expect("in range")
                .with_timezone(&offset)
        })
}

/// `(datacontenttype, data)`: none, JSON, text, or arbitrary bytes.
fn data() -> impl Strategy<Value = (Option<String>, Option<Bytes>)> {
    prop_oneof![
        Just((None, None)),
        (any::<u32>(), "[a-z]{0,8}").prop_map(|(amount, note)| {
            let json = serde_json::json!({"amount": amount, "note": note});
            (
                Some("application/json".to_owned()),
                Some(Bytes::from(json.to_string())),
            )
        }),
        "[ -~]{0,24}".prop_map(|text| (Some("text/plain".to_owned()), Some(Bytes::from(text)))),
        proptest::collection::vec(any::<u8>(), 0..32).prop_map(|bytes| {
            (
                Some("application/octet-stream".to_owned()),
                Some(Bytes::from(bytes)),
            )
        }),
    ]
}
