//! The frame codec natively, per event: the host writing 1,000-event frames and a guest reading
//! them (checked, and as a guest reads its host's frames), on the repository's sample events (issue 27's targets: write ≤ 15 ns, read ≤ 25 ns).
//!
//! `cargo bench -p evident-types --bench frame`

use std::hint::black_box;
use std::time::Duration;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use evident_types::frame::{self, FrameReader, FrameWriter};
use evident_types::{Event, read_json_lines};

fn sample_events() -> Vec<Event> {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../examples/events.jsonl");
    let file = std::fs::File::open(path).unwrap_or_else(|e| panic!("{path}: {e}"));
    read_json_lines(std::io::BufReader::new(file))
        .collect::<Result<_, _>>()
        .unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn codec(c: &mut Criterion) {
    let events = sample_events();
    let mut group = c.benchmark_group("frame");
    group
        .sample_size(20)
        .measurement_time(Duration::from_secs(3))
        .throughput(Throughput::Elements(events.len() as u64));
    let mut writer = FrameWriter::new();
    group.bench_function("write", |b| {
        b.iter(|| {
            for chunk in events.chunks(1_000) {
                writer.clear();
                for event in chunk {
                    writer.push(event);
                }
                black_box(writer.as_bytes());
            }
        })
    });
    let frames: Vec<Vec<u8>> = events.chunks(1_000).map(frame::encode).collect();
    group.bench_function("read", |b| {
        b.iter(|| {
            for frame in &frames {
                let mut reader = FrameReader::new(frame).expect("a frame");
                while let Some(event) = reader.next_event().expect("an event") {
                    black_box(&event);
                }
            }
        })
    });
    group.bench_function("read, from the host", |b| {
        b.iter(|| {
            for frame in &frames {
                // SAFETY: `frame::encode` wrote the frame from `Event`s, whose strings are
                // `String`s.
                #[allow(unsafe_code)]
                let mut reader = unsafe { FrameReader::new_unchecked(frame) }.expect("a frame");
                while let Some(event) = reader.next_event().expect("an event") {
                    black_box(&event);
                }
            }
        })
    });
    group.finish();
}

criterion_group!(benches, codec);
criterion_main!(benches);
