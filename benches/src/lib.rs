//! Shared inputs for the Evident benchmarks: the repository's sample events.
//!
//! Each bench runs the same guest logic natively (through the SDK) and as a component (through
//! the host), so the cost of the sandbox is the difference between two lines of one report.
//!
//! ```
//! let events = evident_benches::sample_events();
//! assert_eq!(events.len(), 3000);
//! ```

use evident_types::{Event, read_json_lines};

/// The 3,000 CloudEvents of `examples/events.jsonl`.
pub fn sample_events() -> Vec<Event> {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../examples/events.jsonl");
    let file = std::fs::File::open(path).unwrap_or_else(|e| panic!("{path}: {e}"));
    read_json_lines(std::io::BufReader::new(file))
        .collect::<Result<_, _>>()
        .unwrap_or_else(|e| panic!("{path}: {e}"))
}
