//! The event counter as a guest built against `evident:db@0.4.0`: raw wit-bindgen against the
//! frozen `wit/versions/0.4.0`, no SDK. It exports `state-view-batch` and calls
//! `frame-progress.begin-event` before each event of a frame, as 0.4.0 guests do, so a component
//! built before 0.5.0 keeps loading and running. It must count exactly as `guests/event-counter`
//! does (without its parameters).
//!
//! ```no_run
//! use evident_testkit::guests::load_view;
//!
//! let old = load_view("event-counter-wit-0-4")?;
//! assert_eq!(old.wit_version(), "0.4.0");
//! assert!(old.folds_in_batches() && old.meters_events());
//! # Ok::<(), evident_testkit::guests::GuestLoadError>(())
//! ```

#![allow(unsafe_code, missing_docs)]

#[cfg(target_arch = "wasm32")]
mod component {
    use std::cell::RefCell;
    use std::collections::BTreeMap;

    use evident_types::frame::FrameReader;
    use serde_json::{Value, json};

    wit_bindgen::generate!({
        path: "../../wit/versions/0.4.0",
        world: "evident:db/state-view-component@0.4.0",
    });

    use exports::evident::db::state_view::{Event, Guest, State};
    use exports::evident::db::state_view_batch::{BatchError, Guest as BatchGuest};

    struct Component;

    type Counts = (BTreeMap<String, u64>, u64);

    thread_local! {
        static KEPT: RefCell<Option<Counts>> = const { RefCell::new(None) };
    }

    fn counts(state: &State) -> Result<Counts, String> {
        if state.content_type.is_empty() {
            return Ok((BTreeMap::new(), 0));
        }
        let value: Value = serde_json::from_slice(&state.bytes).map_err(|e| e.to_string())?;
        let by_type =
            serde_json::from_value(value["by_type"].clone()).map_err(|e| e.to_string())?;
        Ok((by_type, value["total"].as_u64().unwrap_or(0)))
    }

    fn state((by_type, total): &Counts) -> State {
        State {
            content_type: "application/json".into(),
            schema_id: None,
            bytes: json!({ "by_type": by_type, "total": total })
                .to_string()
                .into_bytes(),
        }
    }

    fn count((by_type, total): &mut Counts, event_type: &str) {
        *by_type.entry(event_type.to_owned()).or_default() += 1;
        *total += 1;
    }

    impl Guest for Component {
        fn reduce(
            current: State,
            event: Event,
            _parameters: Vec<(String, String)>,
        ) -> Result<State, String> {
            let mut counts = counts(&current)?;
            count(&mut counts, &event.type_);
            Ok(state(&counts))
        }

        fn initialize(_parameters: Vec<(String, String)>) -> Result<State, String> {
            Ok(state(&(BTreeMap::new(), 0)))
        }
    }

    impl BatchGuest for Component {
        fn load_state(current: State, _parameters: Vec<(String, String)>) -> Result<(), String> {
            let counts = counts(&current)?;
            KEPT.with(|kept| *kept.borrow_mut() = Some(counts));
            Ok(())
        }

        fn apply_events(events: Vec<u8>) -> Result<(), BatchError> {
            let fail = |index: usize, message: String| BatchError {
                index: index as u32,
                message,
            };
            KEPT.with(|kept| {
                let mut kept = kept.borrow_mut();
                let counts = kept.as_mut().ok_or_else(|| fail(0, "no state".into()))?;
                let mut reader = FrameReader::new(&events).map_err(|e| fail(0, e.to_string()))?;
                loop {
                    let index = reader.index();
                    match reader.next_event() {
                        Ok(Some(event)) => {
                            evident::db::frame_progress::begin_event();
                            count(counts, event.event_type)
                        }
                        Ok(None) => return Ok(()),
                        Err(e) => return Err(fail(index, e.to_string())),
                    }
                }
            })
        }

        fn save_state() -> Result<State, String> {
            KEPT.with(|kept| kept.borrow().as_ref().map(state).ok_or("no state".into()))
        }
    }

    export!(Component);
}
