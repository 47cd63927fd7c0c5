//! Any text parsed as a CloudEvent: never a panic, and whatever parses prints back to an equal
//! event.
#![no_main]

use evident_types::Event;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(event) = text.parse::<Event>() {
        let printed = event.to_json();
        let reparsed: Event = printed
            .parse()
            .unwrap_or_else(|e| panic!("printed event does not parse: {e}\n{printed}"));
        assert_eq!(reparsed, event, "{printed}");
    }
});
