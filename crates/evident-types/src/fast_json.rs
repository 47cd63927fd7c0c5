//! The fast path of reading a CloudEvent from JSON text.
//!
//! [`parse`] reads attributes as strings borrowed from the text and `data` as the raw JSON text,
//! keeps that text as the event's `data` when it is already in the canonical form the general
//! path would re-encode it to (compact, object keys in order, no escapes, integers), and parses
//! the common form of `time` by hand. It gives up (`None`) on anything else (an error, an
//! unusual form, more than [`MAX_EXTENSIONS`] extension members, `data` nesting deeper than
//! [`MAX_DEPTH`] allows), and the general path in `cloudevents_json` then decides, so the two
//! always agree: the same event, or the general path's error with its wording.

use std::borrow::Cow;
use std::collections::BTreeMap;

use base64::Engine as _;
use bytes::Bytes;
use chrono::{DateTime, FixedOffset, NaiveDate, TimeZone};
use serde::de::{Deserializer, Error as _, MapAccess, Visitor};
use serde_json::value::RawValue;

use crate::cloudevents_json::{self, is_json_content_type};
use crate::event::{Event, MAX_DEPTH, MAX_EXTENSIONS, SPEC_VERSION};

/// The event in `text`, if the fast path can tell exactly what the general path would make of
/// it; `None` otherwise (including every invalid event).
pub(crate) fn parse(text: &str) -> Option<Event> {
    let fields: Fields<'_> = serde_json::from_str(text).ok()?;
    let spec_version = fields.specversion?;
    if spec_version != SPEC_VERSION {
        return None;
    }
    let datacontenttype = fields.datacontenttype.map(Cow::into_owned);
    let time = match fields.time {
        None => None,
        Some(text) => Some(parse_time(&text)?),
    };
    let data = match (fields.data, fields.data_base64) {
        (Some(_), Some(_)) => return None,
        (Some(raw), None) => Some(data(raw, datacontenttype.as_deref())?),
        (None, Some(b64)) => Some(Bytes::from(
            base64::engine::general_purpose::STANDARD
                .decode(b64.as_bytes())
                .ok()?,
        )),
        (None, None) => None,
    };
    let mut extensions = BTreeMap::new();
    for (name, raw) in fields.extensions {
        cloudevents_json::validate_extension_name(&name).ok()?;
        if let Some(value) = extension_value(raw)? {
            extensions.insert(name.into_owned(), value);
        }
    }
    let event = Event {
        id: fields.id?.into_owned(),
        source: fields.source?.into_owned(),
        spec_version: spec_version.into_owned(),
        event_type: fields.event_type?.into_owned(),
        datacontenttype,
        dataschema: fields.dataschema.map(Cow::into_owned),
        subject: fields.subject.map(Cow::into_owned),
        time,
        data,
        extensions,
    };
    event.validate().ok()?;
    Some(event)
}

/// The attributes of one event, as borrowed from the text as they can be.
#[derive(Default)]
struct Fields<'a> {
    specversion: Option<Cow<'a, str>>,
    id: Option<Cow<'a, str>>,
    source: Option<Cow<'a, str>>,
    event_type: Option<Cow<'a, str>>,
    datacontenttype: Option<Cow<'a, str>>,
    dataschema: Option<Cow<'a, str>>,
    subject: Option<Cow<'a, str>>,
    time: Option<Cow<'a, str>>,
    data: Option<&'a RawValue>,
    data_base64: Option<Cow<'a, str>>,
    /// Every other member: an extension attribute, its value still JSON; a name given twice
    /// keeps its last value, as in the general path's map.
    extensions: BTreeMap<Cow<'a, str>, &'a RawValue>,
}

impl<'de> serde::Deserialize<'de> for Fields<'de> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_map(FieldsVisitor)
    }
}

struct FieldsVisitor;

impl<'de> Visitor<'de> for FieldsVisitor {
    type Value = Fields<'de>;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("a CloudEvent object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Fields<'de>, A::Error> {
        let mut fields = Fields::default();
        // A member given twice: the last one wins, as in the general path's map.
        while let Some(key) = map.next_key::<Cow<'de, str>>()? {
            let slot = match &*key {
                "specversion" => &mut fields.specversion,
                "id" => &mut fields.id,
                "source" => &mut fields.source,
                "type" => &mut fields.event_type,
                "datacontenttype" => &mut fields.datacontenttype,
                "dataschema" => &mut fields.dataschema,
                "subject" => &mut fields.subject,
                "time" => &mut fields.time,
                "data_base64" => &mut fields.data_base64,
                "data" => {
                    let raw: &'de RawValue = map.next_value()?;
                    fields.data = (raw.get() != "null").then_some(raw);
                    continue;
                }
                _ => {
                    let raw: &'de RawValue = map.next_value()?;
                    fields.extensions.insert(key, raw);
                    if fields.extensions.len() > MAX_EXTENSIONS {
                        // Perhaps too many (a `null` one is no extension): the general path
                        // counts and says.
                        return Err(A::Error::custom("too many extension members"));
                    }
                    continue;
                }
            };
            *slot = map.next_value::<Option<Cow<'de, str>>>()?;
        }
        Ok(fields)
    }
}

/// `data` as the general path stores it: for a JSON content type, the JSON text in canonical
/// form (taken as it is when it already is in it); for another type, a string's text.
fn data(raw: &RawValue, content_type: Option<&str>) -> Option<Bytes> {
    let text = raw.get();
    let is_string = text.starts_with('"');
    if !is_json_content_type(content_type) && is_string {
        let text: Cow<'_, str> = serde_json::from_str(text).ok()?;
        return Some(Bytes::from(text.into_owned()));
    }
    // The event's own object is one level of `MAX_DEPTH`.
    if is_canonical(text.as_bytes(), MAX_DEPTH - 1) {
        Some(Bytes::copy_from_slice(text.as_bytes()))
    } else {
        None
    }
}

/// An extension's canonical string; `Some(None)` for `null` (no extension).
fn extension_value(raw: &RawValue) -> Option<Option<String>> {
    let text = raw.get();
    match text.as_bytes().first()? {
        b'"' => serde_json::from_str::<String>(text).ok().map(Some),
        b't' | b'f' | b'n' => match text {
            "true" | "false" => Some(Some(text.to_owned())),
            "null" => Some(None),
            _ => None,
        },
        // `-0` is a float to serde_json, which the general path refuses.
        _ if text == "-0" => None,
        _ => text.parse::<i32>().ok().map(|n| Some(n.to_string())),
    }
}

/// Whether valid JSON `text` is exactly what `serde_json` would print for it: no whitespace,
/// object keys strictly increasing (byte order, as its map sorts them), strings without
/// escapes, numbers plain integers of at most 18 digits (never `-0`); and nesting arrays and
/// objects at most `max_depth` deep.
fn is_canonical(text: &[u8], max_depth: usize) -> bool {
    /// An open container: whether it is an object, and where its last key was.
    struct Open {
        object: bool,
        last_key: Option<(usize, usize)>,
    }
    let mut open: Vec<Open> = Vec::new();
    let mut expect_key = false;
    let mut i = 0;
    while i < text.len() {
        match text[i] {
            byte @ (b'{' | b'[') => {
                if open.len() == max_depth {
                    return false;
                }
                open.push(Open {
                    object: byte == b'{',
                    last_key: None,
                });
                expect_key = byte == b'{';
                i += 1;
            }
            b',' => {
                expect_key = open.last().is_some_and(|o| o.object);
                i += 1;
            }
            b':' => i += 1,
            b'}' | b']' => {
                open.pop();
                i += 1;
            }
            b'"' => {
                let start = i + 1;
                let Some(len) = text[start..].iter().position(|&b| b == b'"' || b == b'\\') else {
                    return false;
                };
                let end = start + len;
                if text[end] == b'\\' {
                    return false;
                }
                if expect_key {
                    let Some(object) = open.last_mut() else {
                        return false;
                    };
                    if let Some((previous_start, previous_end)) = object.last_key
                        && text[previous_start..previous_end] >= text[start..end]
                    {
                        return false;
                    }
                    object.last_key = Some((start, end));
                    expect_key = false;
                }
                i = end + 1;
            }
            b'-' | b'0'..=b'9' => {
                let start = i;
                i += 1;
                while i < text.len() && text[i].is_ascii_digit() {
                    i += 1;
                }
                let number = &text[start..i];
                let digits = number.strip_prefix(b"-").unwrap_or(number);
                let plain = !digits.is_empty() && digits.len() <= 18 && number != b"-0";
                let integer = i == text.len() || !matches!(text[i], b'.' | b'e' | b'E');
                if !(plain && integer) {
                    return false;
                }
            }
            b't' | b'f' | b'n' => {
                while i < text.len() && text[i].is_ascii_lowercase() {
                    i += 1;
                }
            }
            _ => return false, // whitespace
        }
    }
    true
}

/// `time` in its common RFC 3339 form, `2018-04-05T17:31:00.123Z` or `…+01:00`, parsed by hand;
/// anything else through chrono.
fn parse_time(text: &str) -> Option<DateTime<FixedOffset>> {
    fast_time(text.as_bytes()).or_else(|| cloudevents_json::parse_time(text).ok())
}

fn fast_time(b: &[u8]) -> Option<DateTime<FixedOffset>> {
    let number = |range: std::ops::Range<usize>| -> Option<u32> {
        let digits = b.get(range)?;
        digits.iter().try_fold(0u32, |n, &d| {
            d.is_ascii_digit().then(|| n * 10 + u32::from(d - b'0'))
        })
    };
    if b.len() < 20
        || b[4] != b'-'
        || b[7] != b'-'
        || b[10] != b'T'
        || b[13] != b':'
        || b[16] != b':'
    {
        return None;
    }
    let date = NaiveDate::from_ymd_opt(number(0..4)? as i32, number(5..7)?, number(8..10)?)?;
    let (mut nanos, mut i) = (0, 19);
    if b[i] == b'.' {
        let digits = b[i + 1..].iter().take_while(|d| d.is_ascii_digit()).count();
        if !(1..=9).contains(&digits) {
            return None;
        }
        nanos = number(i + 1..i + 1 + digits)? * 10u32.pow(9 - digits as u32);
        i += 1 + digits;
    }
    let time = date.and_hms_nano_opt(number(11..13)?, number(14..16)?, number(17..19)?, nanos)?;
    let offset = match &b[i..] {
        [b'Z'] => 0,
        [sign @ (b'+' | b'-'), _, _, b':', _, _] => {
            let (hours, minutes) = (number(i + 1..i + 3)?, number(i + 4..i + 6)?);
            if minutes > 59 {
                return None;
            }
            let seconds = (hours * 3600 + minutes * 60) as i32;
            if *sign == b'-' { -seconds } else { seconds }
        }
        _ => return None,
    };
    FixedOffset::east_opt(offset)?
        .from_local_datetime(&time)
        .single()
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;
    use crate::cloudevents_json::EventError;

    #[test]
    fn canonical_json_is_what_serde_json_prints() {
        for text in [
            r#"{"a":1,"b":[1,2,{"c":true}],"d":"x y"}"#,
            r#"[]"#,
            r#"{}"#,
            r#"-12"#,
            r#""ünïcode""#,
            r#"{"a":{"b":null},"c":false}"#,
            r#"[{"b":1},{"a":1,"c":[2,1]}]"#,
        ] {
            assert!(is_canonical(text.as_bytes(), MAX_DEPTH), "{text}");
            let value: serde_json::Value = serde_json::from_str(text).unwrap();
            assert_eq!(serde_json::to_string(&value).unwrap(), text);
        }
        for text in [
            r#"{"b":1,"a":2}"#,
            r#"{"a":1,"a":2}"#,
            r#"{ "a":1}"#,
            r#"[1, 2]"#,
            r#"1.5"#,
            r#"1e3"#,
            r#"-0"#,
            r#""a\nb""#,
            r#"12345678901234567890"#,
            r#"[{"b":1},{"c":1,"a":[2,1]}]"#,
        ] {
            // Not taken as it is: either serde_json prints it otherwise, or (floats) the check
            // does not try to tell.
            assert!(!is_canonical(text.as_bytes(), MAX_DEPTH), "{text}");
        }
    }

    /// Random bits, reproducibly.
    struct Bits(u64);

    impl Bits {
        fn next(&mut self, below: u64) -> u64 {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            self.0 % below
        }

        fn pick<'a>(&mut self, choices: &[&'a str]) -> &'a str {
            choices[self.next(choices.len() as u64) as usize]
        }
    }

    fn space(bits: &mut Bits) -> &'static str {
        bits.pick(&["", "", "", " ", "\t", "  "])
    }

    fn json_value(bits: &mut Bits, depth: u32) -> String {
        let sp = space(bits);
        match bits.next(if depth > 2 { 5 } else { 8 }) {
            0 => bits
                .pick(&[
                    "1",
                    "-7",
                    "0",
                    "123456789",
                    "-0",
                    "1.5",
                    "1e3",
                    "12345678901234567890",
                ])
                .to_owned(),
            1 => bits
                .pick(&[
                    r#""x""#,
                    r#""a b""#,
                    r#""\u00e9""#,
                    r#""é""#,
                    r#""line\nbreak""#,
                    r#""""#,
                ])
                .to_owned(),
            2 => bits.pick(&["true", "false", "null"]).to_owned(),
            3 | 4 => format!("{sp}{}{sp}", bits.next(1000)),
            5 => {
                let items: Vec<String> = (0..bits.next(4))
                    .map(|_| json_value(bits, depth + 1))
                    .collect();
                format!("[{sp}{}{sp}]", items.join(&format!(",{sp}")))
            }
            _ => {
                let keys = ["a", "b", "c", "amount", "z", "é"];
                let members: Vec<String> = (0..bits.next(5))
                    .map(|_| {
                        format!(
                            "\"{}\"{sp}:{sp}{}",
                            bits.pick(&keys),
                            json_value(bits, depth + 1)
                        )
                    })
                    .collect();
                format!("{{{sp}{}{sp}}}", members.join(&format!(",{sp}")))
            }
        }
    }

    fn event_text(bits: &mut Bits) -> String {
        let mut members: Vec<String> = Vec::new();
        for (name, values) in [
            (
                "specversion",
                &[r#""1.0""#, r#""1.0""#, r#""1.0""#, r#""0.3""#, "null"][..],
            ),
            (
                "id",
                &[r#""e1""#, r#""e\u0032""#, r#""""#, "7", r#""ünï""#][..],
            ),
            (
                "source",
                &[r#""/s""#, r#""https://x.io/a""#, r#""a b""#, r#""/s""#][..],
            ),
            (
                "type",
                &[r#""t""#, r#""order.placed""#, r#""""#, r#""t""#][..],
            ),
        ] {
            if bits.next(12) != 0 {
                members.push(format!("\"{name}\":{}", bits.pick(values)));
            }
        }
        let optional: [(&str, &[&str]); 6] = [
            (
                "datacontenttype",
                &[
                    r#""application/json""#,
                    r#""text/plain""#,
                    r#""application/octet-stream""#,
                    r#""application/cloudevents+json""#,
                    "null",
                    r#""json""#,
                ],
            ),
            (
                "dataschema",
                &[r#""https://s.io/v1""#, r#""no-scheme""#, "null"],
            ),
            ("subject", &[r#""s1""#, r#""""#, "null"]),
            (
                "time",
                &[
                    r#""2018-04-05T17:31:00Z""#,
                    r#""2018-04-05T18:31:00.5+01:00""#,
                    r#""2018-04-05 17:31:00Z""#,
                    r#""yesterday""#,
                    r#""2026-11-25T19:03:21.123456789-05:30""#,
                    r#""2018-04-05T17:31:00+01:60""#,
                    r#""2018-04-05T17:31:00-05:99""#,
                    "null",
                ],
            ),
            ("data_base64", &[r#""AJ//""#, r#""not base64!""#, "null"]),
            (
                "ext",
                &[
                    r#""v""#,
                    "true",
                    "10",
                    "null",
                    "1.5",
                    "[1]",
                    "2147483648",
                    "-0",
                    "-7",
                ],
            ),
        ];
        for (name, values) in optional {
            if bits.next(3) == 0 {
                members.push(format!("\"{name}\":{}", bits.pick(values)));
            }
        }
        if bits.next(2) == 0 {
            let data = json_value(bits, 0);
            members.push(format!("\"data\":{data}"));
        }
        if bits.next(10) == 0 {
            members.push(r#""id":"again""#.to_owned());
        }
        // Shuffle.
        for i in (1..members.len()).rev() {
            let j = bits.next(i as u64 + 1) as usize;
            members.swap(i, j);
        }
        let sp = space(bits);
        format!("{{{sp}{}{sp}}}", members.join(&format!(",{sp}")))
    }

    #[test]
    fn the_fast_path_gives_what_the_general_path_gives_or_nothing() {
        let mut bits = Bits(0x2545_f491_4f6c_dd1d);
        let mut fast = 0;
        for _ in 0..20_000 {
            let text = event_text(&mut bits);
            let general = cloudevents_json::from_json_str_general(&text);
            if let Some(event) = parse(&text) {
                fast += 1;
                let general = general
                    .unwrap_or_else(|e| panic!("{text}: fast path accepted, general refused: {e}"));
                assert_eq!(event, general, "{text}");
                assert_eq!(event.to_json(), general.to_json(), "{text}");
                assert_eq!(event.data, general.data, "{text}");
            }
        }
        assert!(fast > 1_000, "the fast path took only {fast} of 20,000");
    }

    #[test]
    fn the_fast_time_agrees_with_chrono() {
        for text in [
            "2018-04-05T17:31:00Z",
            "2018-04-05T17:31:00.000000000Z",
            "2018-04-05T18:31:00+01:00",
            "2018-04-05T16:31:00-01:00",
            "2026-11-25T19:03:21.123456789+05:30",
            "1999-12-31T23:59:59.5Z",
        ] {
            assert_eq!(
                fast_time(text.as_bytes()),
                cloudevents_json::parse_time(text).ok(),
                "{text}"
            );
            let offset = fast_time(text.as_bytes())
                .unwrap()
                .offset()
                .local_minus_utc();
            assert_eq!(
                offset,
                cloudevents_json::parse_time(text)
                    .unwrap()
                    .offset()
                    .local_minus_utc()
            );
        }
        for text in [
            "2018-04-05 17:31:00Z",
            "2018-04-05T17:31:00",
            "2018-02-30T00:00:00Z",
        ] {
            assert_eq!(fast_time(text.as_bytes()), None, "{text}");
        }
    }

    /// Arrays and objects `depth` deep around `leaf`, each level an array or a one-member
    /// object as the bits of `kinds` say, with `sp` between tokens.
    fn nested(depth: usize, kinds: u64, leaf: &str, sp: &str) -> String {
        let mut text = leaf.to_owned();
        for level in 0..depth {
            text = if kinds >> (level % 64) & 1 == 0 {
                format!("[{sp}{text}{sp}]")
            } else {
                format!("{{{sp}\"k\"{sp}:{sp}{text}{sp}}}")
            };
        }
        text
    }

    /// One generated event, written with `sp` between the tokens of its object and `data_sp`
    /// between those of the nested value.
    #[derive(Debug, Clone)]
    struct Case {
        depth: usize,
        kinds: u64,
        leaf: &'static str,
        /// Where the nested value goes: `data`, an extension, or `data` and `id` left out.
        place: usize,
        content_type: Option<&'static str>,
        sp: &'static str,
        data_sp: &'static str,
    }

    impl Case {
        fn text(&self, sp: &str, data_sp: &str) -> String {
            let value = nested(self.depth, self.kinds, self.leaf, data_sp);
            let mut members = vec![
                r#""specversion":"1.0""#.to_owned(),
                r#""source":"/s""#.to_owned(),
                r#""type":"t""#.to_owned(),
            ];
            match self.place {
                0 => members.extend([r#""id":"1""#.to_owned(), format!(r#""data":{value}"#)]),
                1 => members.extend([r#""id":"1""#.to_owned(), format!(r#""ext":{value}"#)]),
                _ => members.push(format!(r#""data":{value}"#)),
            }
            if let Some(content_type) = self.content_type {
                members.push(format!(r#""datacontenttype":"{content_type}""#));
            }
            let members: Vec<String> = members
                .into_iter()
                .map(|member| member.replacen(':', &format!("{sp}:{sp}"), 1))
                .collect();
            format!("{{{sp}{}{sp}}}", members.join(&format!("{sp},{sp}")))
        }
    }

    fn case() -> impl Strategy<Value = Case> {
        let depth = prop_oneof![
            0..=4usize,
            (MAX_DEPTH - 3)..=(MAX_DEPTH + 2),
            124..=130usize,
            Just(300usize),
        ];
        let leaf = prop::sample::select(vec![
            "1",
            "-7",
            "1.5",
            "null",
            "true",
            r#""x""#,
            r#""a\"]}[{""#,
            "[]",
            "{}",
        ]);
        let spacing = prop::sample::select(vec!["", "", " ", "\n", "\t ", "\r\n"]);
        let content_type =
            prop::sample::select(vec![None, Some("application/json"), Some("text/plain")]);
        (
            depth,
            any::<u64>(),
            leaf,
            prop_oneof![4 => Just(0usize), 1 => Just(1usize), 1 => Just(2usize)],
            content_type,
            spacing.clone(),
            spacing,
        )
            .prop_map(
                |(depth, kinds, leaf, place, content_type, sp, data_sp)| Case {
                    depth,
                    kinds,
                    leaf,
                    place,
                    content_type,
                    sp,
                    data_sp,
                },
            )
    }

    proptest! {
        /// Issue 24, item 8: whatever the nesting and the spacing, the fast path gives the
        /// general path's event or nothing, parsing gives the general path's result (event or
        /// error), spacing changes nothing, and `serde_json`'s own reading of an `Event` takes
        /// the same events.
        #[test]
        fn both_paths_take_the_same_events_at_any_depth_and_spacing(case in case()) {
            let spaced = case.text(case.sp, case.data_sp);
            let compact = case.text("", "");
            let general = cloudevents_json::from_json_str_general(&spaced);
            if let Some(event) = parse(&spaced) {
                prop_assert_eq!(Ok(&event), general.as_ref(), "{}", spaced);
            }
            let parsed = cloudevents_json::from_json_str(&spaced);
            prop_assert_eq!(&parsed, &general, "{}", spaced);
            prop_assert_eq!(&parsed, &cloudevents_json::from_json_str(&compact), "{}", spaced);
            let through_serde = serde_json::from_str::<Event>(&spaced).ok();
            prop_assert_eq!(parsed.as_ref().ok(), through_serde.as_ref(), "{}", spaced);
            // The rule itself: `MAX_DEPTH` levels with the event's own object, and no deeper.
            let depth = 1 + case.depth + usize::from(matches!(case.leaf, "[]" | "{}"));
            if depth > MAX_DEPTH {
                prop_assert_eq!(parsed, Err(EventError::TooDeep { limit: MAX_DEPTH }));
            } else if case.place == 0 {
                let event = parsed.map_err(|e| TestCaseError::fail(format!("{spaced}: {e}")))?;
                prop_assert_eq!(event.to_json().parse::<Event>(), Ok(event));
            }
        }
    }

    #[test]
    fn data_is_taken_to_the_depth_limit_and_refused_beyond_it_however_spaced() {
        let event = |data: &str| {
            format!(r#"{{"specversion":"1.0","id":"1","source":"/s","type":"t","data":{data}}}"#)
        };
        for sp in ["", " "] {
            let deepest = event(&nested(MAX_DEPTH - 1, 0, "1", sp));
            let event_ = cloudevents_json::from_json_str(&deepest).unwrap();
            assert_eq!(
                Ok(&event_),
                cloudevents_json::from_json_str_general(&deepest).as_ref()
            );
            for depth in [MAX_DEPTH, 126, 127, 128, 1000] {
                let text = event(&nested(depth, 0, "1", sp));
                assert_eq!(parse(&text), None, "{text}");
                assert_eq!(
                    cloudevents_json::from_json_str(&text),
                    Err(EventError::TooDeep { limit: MAX_DEPTH }),
                    "{text}"
                );
            }
        }
    }

    #[test]
    fn the_depth_scan_skips_brackets_in_strings() {
        use cloudevents_json::text_nests_deeper_than as deeper;
        assert!(!deeper(br#"[["[[[[", "\"[[[["]]"#, 2));
        assert!(deeper(br#"[["]]]]\\", [1]]]"#, 2));
        assert!(!deeper(br#"{"a":{"b":1},"c":[]}"#, 2));
        assert!(deeper(br#"{"a":{"b":[]}}"#, 2));
    }

    #[test]
    fn extension_members_given_twice_keep_the_last_value_on_both_paths() {
        let text = concat!(
            r#"{"specversion":"1.0","id":"1","source":"/s","type":"t","#,
            r#""a":"1","b":"2","a":"3","b":null}"#
        );
        let event = parse(text).expect("the fast path takes it");
        assert_eq!(
            Ok(&event),
            cloudevents_json::from_json_str_general(text).as_ref()
        );
        assert_eq!(event.extensions.len(), 1);
        assert_eq!(event.extensions["a"], "3");
    }
}
