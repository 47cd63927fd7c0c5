//! Hostile guest: a view whose frames fail where one `reduce` per event does not, so that every
//! failed frame makes the host replay; written against the WIT with raw wit-bindgen, and never
//! calling `frame-progress.begin-event` (so it does not import it, and the host cannot tell
//! which event of a frame was running). Its state is `{"applied":n,"ballast":"…"}`, with
//! `ballast` bytes of padding (the parameter; none unless given) to make it as big as asked.
//! Events of type `spin` spin without end however they come; the others are applied.
//!
//! The parameter `lie` says how its frames misbehave:
//!
//! - `range`: a frame of more than one event fails with an index past the frame's end; a frame
//!   of one event is applied;
//! - `calls`: every `apply-events` call after an instance's first spins without end, whatever
//!   its events.
//!
//! One `reduce` per event tells the truth, so a fold must come out as if no frame had lied.

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

    use exports::evident::db::state_view::{Event, Guest, State};
    use exports::evident::db::state_view_batch::{BatchError, Guest as BatchGuest};

    struct Component;

    #[derive(Clone, Copy)]
    enum Lie {
        Range,
        Calls,
    }

    thread_local! {
        static APPLIED: Cell<Option<u64>> = const { Cell::new(None) };
        static BALLAST: Cell<usize> = const { Cell::new(0) };
        static LIE: Cell<Lie> = const { Cell::new(Lie::Range) };
        static CALLS: Cell<u64> = const { Cell::new(0) };
    }

    fn lie(parameters: &[(String, String)]) -> Lie {
        match parameters.iter().rev().find(|(name, _)| name == "lie") {
            Some((_, value)) if value == "range" => Lie::Range,
            Some((_, value)) if value == "calls" => Lie::Calls,
            Some((_, value)) => panic!("no such lie: {value}"),
            None => Lie::Range,
        }
    }

    fn ballast(parameters: &[(String, String)]) -> usize {
        match parameters.iter().rev().find(|(name, _)| name == "ballast") {
            Some((_, value)) => value
                .parse()
                .unwrap_or_else(|_| panic!("ballast is not a number: {value}")),
            None => 0,
        }
    }

    fn applied(state: &State) -> Result<u64, String> {
        if state.content_type.is_empty() {
            return Ok(0);
        }
        let text = std::str::from_utf8(&state.bytes).map_err(|e| e.to_string())?;
        let digits = text
            .strip_prefix("{\"applied\":")
            .ok_or("not this view's state")?;
        let end = digits
            .find(|c: char| !c.is_ascii_digit())
            .unwrap_or(digits.len());
        digits[..end]
            .parse()
            .map_err(|e| format!("not this view's state: {e}"))
    }

    fn state(applied: u64, ballast: usize) -> State {
        State {
            content_type: "application/json".into(),
            schema_id: None,
            bytes: format!(
                "{{\"applied\":{applied},\"ballast\":\"{}\"}}",
                "x".repeat(ballast)
            )
            .into_bytes(),
        }
    }

    fn spin() -> ! {
        let mut spins = 0u64;
        loop {
            spins = std::hint::black_box(spins.wrapping_add(1));
        }
    }

    impl Guest for Component {
        fn reduce(
            current: State,
            event: Event,
            parameters: Vec<(String, String)>,
        ) -> Result<State, String> {
            if event.type_ == "spin" {
                spin();
            }
            Ok(state(applied(&current)? + 1, ballast(&parameters)))
        }

        fn initialize(parameters: Vec<(String, String)>) -> Result<State, String> {
            Ok(state(0, ballast(&parameters)))
        }
    }

    impl BatchGuest for Component {
        fn load_state(current: State, parameters: Vec<(String, String)>) -> Result<(), String> {
            APPLIED.set(Some(applied(&current)?));
            BALLAST.set(ballast(&parameters));
            LIE.set(lie(&parameters));
            Ok(())
        }

        fn apply_events(events: Vec<u8>) -> Result<(), BatchError> {
            let fail = |index: usize, message: String| BatchError {
                index: index as u32,
                message,
            };
            let calls = CALLS.get() + 1;
            CALLS.set(calls);
            let mut applied = APPLIED.take().ok_or_else(|| fail(0, "no state".into()))?;
            let mut reader = FrameReader::new(&events).map_err(|e| fail(0, e.to_string()))?;
            let count = reader.remaining();
            match LIE.get() {
                Lie::Range if count > 1 => {
                    return Err(fail(count + 5, "a frame of many events fails".into()));
                }
                Lie::Calls if calls > 1 => spin(),
                Lie::Range | Lie::Calls => {}
            }
            while let Some(event) = reader.next_event().map_err(|e| fail(0, e.to_string()))? {
                if event.event_type == "spin" {
                    spin();
                }
                applied += 1;
            }
            APPLIED.set(Some(applied));
            Ok(())
        }

        fn save_state() -> Result<State, String> {
            let applied = APPLIED.get().ok_or_else(|| "no state".to_owned())?;
            Ok(state(applied, BALLAST.get()))
        }
    }

    export!(Component);
}
