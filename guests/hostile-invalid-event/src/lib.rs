//! Hostile guest: a state change that emits an event breaking the CloudEvents rules, written
//! with raw wit-bindgen (the SDK checks the events a change returns; this guest does not). The
//! command's bytes say which rule: `empty-id`, `spec-0.9`, `bad-time` or `twice-named`
//! (an extension named twice).

#![allow(unsafe_code, missing_docs)]

#[cfg(target_arch = "wasm32")]
mod component {
    wit_bindgen::generate!({
        path: "../../wit/versions/0.3.0",
        world: "evident:db/state-change-component@0.3.0",
    });

    use exports::evident::db::state_change::{Command, Error, Event, Guest, State};

    struct Component;

    impl Guest for Component {
        fn process(
            _state: State,
            command: Command,
            _parameters: Vec<(String, String)>,
        ) -> Result<Vec<Event>, Error> {
            let mut event = Event {
                id: "1".into(),
                source: "/hostile".into(),
                spec_version: "1.0".into(),
                type_: "hostile.invalid".into(),
                datacontenttype: None,
                dataschema: None,
                subject: None,
                time: None,
                data: None,
                extensions: Vec::new(),
            };
            match &command.bytes[..] {
                b"empty-id" => event.id.clear(),
                b"spec-0.9" => event.spec_version = "0.9".into(),
                b"bad-time" => event.time = Some("yesterday".into()),
                b"twice-named" => {
                    event.extensions = vec![("x".into(), "1".into()), ("x".into(), "2".into())]
                }
                _ => {}
            }
            Ok(vec![event])
        }

        fn validate(_state: State, _command: Command) -> Result<bool, String> {
            Ok(true)
        }
    }

    export!(Component);
}
