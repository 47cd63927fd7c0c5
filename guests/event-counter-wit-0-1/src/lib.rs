//! The event counter as a guest written before `evident:db@0.2.0` existed: raw wit-bindgen
//! against the frozen `wit/versions/0.1.0`, no SDK, no `state-view-batch`. The host must keep
//! loading and running it (one `reduce` per event) next to components built against 0.2.0, and
//! it must count exactly as `guests/event-counter` does.
//!
//! ```no_run
//! use evident_testkit::guests::load_view;
//!
//! let old = load_view("event-counter-wit-0-1")?;
//! assert_eq!(old.wit_version(), "0.1.0");
//! assert!(!old.folds_in_batches());
//! # Ok::<(), evident_testkit::guests::GuestLoadError>(())
//! ```

#![allow(unsafe_code, missing_docs)]

#[cfg(target_arch = "wasm32")]
mod component {
    use std::collections::BTreeMap;

    use serde_json::{Value, json};

    wit_bindgen::generate!({
        path: "../../wit/versions/0.1.0",
        world: "evident:db/state-view-component@0.1.0",
    });

    use exports::evident::db::state_view::{Event, Guest, State};

    struct Component;

    fn counts(state: &State) -> Result<(BTreeMap<String, u64>, u64), String> {
        if state.content_type.is_empty() {
            return Ok((BTreeMap::new(), 0));
        }
        let value: Value = serde_json::from_slice(&state.bytes).map_err(|e| e.to_string())?;
        let by_type =
            serde_json::from_value(value["by_type"].clone()).map_err(|e| e.to_string())?;
        Ok((by_type, value["total"].as_u64().unwrap_or(0)))
    }

    fn state(by_type: BTreeMap<String, u64>, total: u64) -> State {
        State {
            content_type: "application/json".into(),
            schema_id: None,
            bytes: json!({ "by_type": by_type, "total": total })
                .to_string()
                .into_bytes(),
        }
    }

    impl Guest for Component {
        fn reduce(
            current: State,
            event: Event,
            _parameters: Vec<(String, String)>,
        ) -> Result<State, String> {
            let (mut by_type, total) = counts(&current)?;
            *by_type.entry(event.type_).or_default() += 1;
            Ok(state(by_type, total + 1))
        }

        fn initialize(_parameters: Vec<(String, String)>) -> Result<State, String> {
            Ok(state(BTreeMap::new(), 0))
        }
    }

    export!(Component);
}
