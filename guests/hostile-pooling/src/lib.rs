//! Hostile guest: a view that pools a frame's per-event limits on one event, written against
//! the WIT with raw wit-bindgen (the SDK calls `frame-progress.begin-event` once before each
//! event). Its state is `{"applied":n}`. By event type:
//!
//! - `heavy`: `work` rounds of busy work (the parameter; 10 million unless given), then applied;
//! - `spin`: busy work without end;
//! - anything else: applied.
//!
//! One `reduce` does an event's work in one go. `apply-events` spreads it: it calls
//! `begin-event` before every `chunk` rounds (the parameter; 10,000 unless given) for as long as
//! the frame has calls left, so a host that refilled the limits at each call would give one
//! event the fuel and the time of the whole frame, and the events after it would be applied
//! without a call of their own. One `reduce` per event says what the fold's outcome must be.

// The bindings wit-bindgen generates are unsafe code; this crate writes none of its own.
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
        static WORK: Cell<u64> = const { Cell::new(DEFAULT_WORK) };
        static CHUNK: Cell<u64> = const { Cell::new(DEFAULT_CHUNK) };
    }

    const DEFAULT_WORK: u64 = 10_000_000;
    const DEFAULT_CHUNK: u64 = 10_000;

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

    fn parameter(parameters: &[(String, String)], name: &str, default: u64) -> u64 {
        match parameters.iter().rev().find(|(key, _)| key == name) {
            Some((_, value)) => value
                .parse()
                .unwrap_or_else(|_| panic!("{name} is not a number: {value}")),
            None => default,
        }
    }

    /// `rounds` rounds of work the compiler cannot skip.
    fn busy(rounds: u64) {
        let mut sum = 0u64;
        for round in 0..rounds {
            sum = std::hint::black_box(sum.wrapping_add(round));
        }
        std::hint::black_box(sum);
    }

    /// `rounds` of work (`None`: without end) done in chunks of `chunk` rounds, calling
    /// `begin_event` before each chunk while `calls` are left.
    fn work(rounds: Option<u64>, chunk: u64, calls: &mut usize) {
        let mut left = rounds;
        loop {
            let this = match left {
                Some(0) => return,
                Some(rounds) => rounds.min(chunk),
                None => chunk,
            };
            if *calls > 0 {
                *calls -= 1;
                begin_event();
            }
            busy(this);
            left = left.map(|rounds| rounds - this);
        }
    }

    fn rounds(event_type: &str, heavy: u64) -> Option<u64> {
        match event_type {
            "heavy" => Some(heavy),
            "spin" => None,
            _ => Some(0),
        }
    }

    impl Guest for Component {
        fn reduce(
            current: State,
            event: Event,
            parameters: Vec<(String, String)>,
        ) -> Result<State, String> {
            let heavy = parameter(&parameters, "work", DEFAULT_WORK);
            match rounds(&event.type_, heavy) {
                Some(rounds) => busy(rounds),
                None => loop {
                    busy(DEFAULT_CHUNK);
                },
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
            WORK.set(parameter(&parameters, "work", DEFAULT_WORK));
            CHUNK.set(parameter(&parameters, "chunk", DEFAULT_CHUNK).max(1));
            Ok(())
        }

        fn apply_events(events: Vec<u8>) -> Result<(), BatchError> {
            let fail = |message: String| BatchError { index: 0, message };
            let mut applied = APPLIED.take().ok_or_else(|| fail("no state".into()))?;
            let mut reader = FrameReader::new(&events).map_err(|e| fail(e.to_string()))?;
            let mut calls = reader.remaining();
            while let Some(event) = reader.next_event().map_err(|e| fail(e.to_string()))? {
                work(
                    rounds(event.event_type, WORK.get()),
                    CHUNK.get(),
                    &mut calls,
                );
                applied += 1;
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
