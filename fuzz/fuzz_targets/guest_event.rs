//! Whatever a guest hands back as an event: the host's decoding either refuses it with a reason
//! or yields an event that is valid and survives JSON.
#![no_main]

use arbitrary::{Arbitrary, Unstructured};
use evident_types::{Event, WireEvent};
use libfuzzer_sys::fuzz_target;

fn wire_event(u: &mut Unstructured<'_>) -> arbitrary::Result<WireEvent> {
    Ok(WireEvent {
        id: String::arbitrary(u)?,
        source: String::arbitrary(u)?,
        spec_version: if bool::arbitrary(u)? {
            "1.0".into()
        } else {
            String::arbitrary(u)?
        },
        event_type: String::arbitrary(u)?,
        datacontenttype: Option::arbitrary(u)?,
        dataschema: Option::arbitrary(u)?,
        subject: Option::arbitrary(u)?,
        time: Option::arbitrary(u)?,
        data: Option::arbitrary(u)?,
        extensions: Vec::arbitrary(u)?,
    })
}

fuzz_target!(|data: &[u8]| {
    let Ok(wire) = wire_event(&mut Unstructured::new(data)) else {
        return;
    };
    if let Ok(event) = Event::try_from(wire) {
        event.validate().expect("an accepted event is valid");
        let printed = event.to_json();
        let reparsed: Event = printed
            .parse()
            .unwrap_or_else(|e| panic!("accepted event does not survive JSON: {e}\n{printed}"));
        assert_eq!(reparsed, event);
    }
});
