//! Hostile guest: a view whose `batch-error`s lie, written against the WIT with raw wit-bindgen
//! (the SDK reports errors truthfully). Its state is `{"applied":n}`, the events it applied;
//! it refuses events of type `bad`. The parameter `lie` says how it misreports a failed frame:
//!
//! - `first`: a frame holding a `bad` event fails at index 0, the frame's first event, whatever
//!   the `bad` event's place;
//! - `last`: every frame fails at its last event, `bad` or not (a frame of one event too);
//! - `overrun`: tells the host one event more than the frame holds has begun
//!   (`frame-progress.begin-event` once too often);
//! - `beyond`: a frame holding a `bad` event fails at an index past the frame's end.
//!
//! One `reduce` per event tells the truth, so a fold must come out as if no frame had lied.

#![allow(unsafe_code, missing_docs)]

#[cfg(target_arch = "wasm32")]
mod component {
    use std::cell::Cell;

    use evident_types::frame::FrameReader;

    wit_bindgen::generate!({
        path: "../../wit/versions/0.3.0",
        world: "evident:db/state-view-component@0.3.0",
    });

    use evident::db::frame_progress::begin_event;
    use exports::evident::db::state_view::{Event, Guest, State};
    use exports::evident::db::state_view_batch::{BatchError, Guest as BatchGuest};

    struct Component;

    thread_local! {
        static APPLIED: Cell<Option<u64>> = const { Cell::new(None) };
        static LIE: Cell<Lie> = const { Cell::new(Lie::First) };
    }

    #[derive(Clone, Copy)]
    enum Lie {
        First,
        Last,
        Overrun,
        Beyond,
    }

    fn applied(state: &State) -> Result<u64, String> {
        if state.content_type.is_empty() {
            return Ok(0);
        }
        let text = std::str::from_utf8(&state.bytes).map_err(|e| e.to_string())?;
        text.trim_start_matches("{\"applied\":")
            .trim_end_matches('}')
            .parse()
            .map_err(|e| format!("not this view's state: {e}"))
    }

    fn state(applied: u64) -> State {
        State {
            content_type: "application/json".into(),
            schema_id: None,
            bytes: format!("{{\"applied\":{applied}}}").into_bytes(),
        }
    }

    fn lie(parameters: &[(String, String)]) -> Lie {
        match parameters.iter().rev().find(|(name, _)| name == "lie") {
            Some((_, value)) if value == "last" => Lie::Last,
            Some((_, value)) if value == "overrun" => Lie::Overrun,
            Some((_, value)) if value == "beyond" => Lie::Beyond,
            Some((_, value)) if value == "first" => Lie::First,
            Some((_, value)) => panic!("no such lie: {value}"),
            None => Lie::First,
        }
    }

    impl Guest for Component {
        fn reduce(
            current: State,
            event: Event,
            _parameters: Vec<(String, String)>,
        ) -> Result<State, String> {
            if event.type_ == "bad" {
                return Err(format!("event {} is bad", event.id));
            }
            Ok(state(applied(&current)? + 1))
        }

        fn initialize(_parameters: Vec<(String, String)>) -> Result<State, String> {
            Ok(state(0))
        }
    }

    impl BatchGuest for Component {
        fn load_state(current: State, parameters: Vec<(String, String)>) -> Result<(), String> {
            APPLIED.set(Some(applied(&current)?));
            LIE.set(lie(&parameters));
            Ok(())
        }

        fn apply_events(events: Vec<u8>) -> Result<(), BatchError> {
            let fail = |index: usize, message: String| BatchError {
                index: index as u32,
                message,
            };
            let mut applied = APPLIED.take().ok_or_else(|| fail(0, "no state".into()))?;
            let mut reader = FrameReader::new(&events).map_err(|e| fail(0, e.to_string()))?;
            let count = reader.remaining();
            match LIE.get() {
                Lie::Last => {
                    return Err(fail(
                        count.saturating_sub(1),
                        "I refuse the last event".into(),
                    ));
                }
                Lie::Overrun => {
                    for _ in 0..=count {
                        begin_event();
                    }
                }
                Lie::First | Lie::Beyond => {}
            }
            let blamed = match LIE.get() {
                Lie::Beyond => count + 7,
                _ => 0,
            };
            while reader.remaining() > 0 {
                begin_event();
                let event = reader.next_event().map_err(|e| fail(0, e.to_string()))?;
                match event {
                    Some(event) if event.event_type == "bad" => {
                        return Err(fail(blamed, format!("event {} is bad", event.id)));
                    }
                    Some(_) => applied += 1,
                    None => break,
                }
            }
            APPLIED.set(Some(applied));
            Ok(())
        }

        fn save_state() -> Result<State, String> {
            APPLIED
                .get()
                .map(state)
                .ok_or_else(|| "no state".to_owned())
        }
    }

    export!(Component);
}
