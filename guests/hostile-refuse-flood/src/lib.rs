//! Hostile guest: `reduce` calls `refusal.refuse` over and over with a huge message, written
//! against the WIT with raw wit-bindgen (the SDK calls `refuse` once per refusal). Each call
//! makes the host copy and check the whole message, for a few instructions of the guest's, so
//! the host must charge it fuel per byte as it does a log line.
//!
//! Parameters: `bytes`, the message's size (16 MiB unless given); `calls`, how many times
//! `refuse` is called before `reduce` returns its refusal (without end unless given).

// The bindings wit-bindgen generates are unsafe code; this crate writes none of its own.
#![allow(unsafe_code, missing_docs)]

#[cfg(target_arch = "wasm32")]
mod component {
    wit_bindgen::generate!({
        path: "../../wit/versions/0.3.0",
        world: "evident:db/state-view-basic@0.3.0",
    });

    use evident::db::refusal::refuse;
    use evident::db::types::Error;
    use exports::evident::db::state_view::{Event, Guest, State};

    struct Component;

    fn parameter(parameters: &[(String, String)], name: &str) -> Option<u64> {
        let (_, value) = parameters.iter().rev().find(|(key, _)| key == name)?;
        Some(
            value
                .parse()
                .unwrap_or_else(|_| panic!("{name} is not a number: {value}")),
        )
    }

    impl Guest for Component {
        fn reduce(
            _current: State,
            _event: Event,
            parameters: Vec<(String, String)>,
        ) -> Result<State, String> {
            let bytes = parameter(&parameters, "bytes").unwrap_or(16 << 20);
            let calls = parameter(&parameters, "calls").unwrap_or(u64::MAX);
            let error = Error {
                code: "flood".into(),
                message: "x".repeat(bytes as usize),
                details: None,
            };
            let mut made = 0;
            while made < calls {
                refuse(&error);
                made += 1;
            }
            Err(format!("refused {made} times"))
        }

        fn initialize(_parameters: Vec<(String, String)>) -> Result<State, String> {
            Ok(State {
                content_type: "application/json".into(),
                schema_id: None,
                bytes: b"{}".to_vec(),
            })
        }
    }

    export!(Component);
}
