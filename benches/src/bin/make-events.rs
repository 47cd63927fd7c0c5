//! Writes a file of varied CloudEvents for measuring ingest and end-to-end folds.
//!
//! `cargo run --release -p evident-benches --bin make-events -- 1000000 target/events-1m.jsonl`

fn main() -> anyhow::Result<()> {
    let mut args = std::env::args().skip(1);
    let count: usize = args.next().unwrap_or_else(|| "1000000".into()).parse()?;
    let path = args
        .next()
        .unwrap_or_else(|| "target/events-1m.jsonl".into());
    let bytes = evident_benches::corpus::write_varied_events(path.as_ref(), count)?;
    eprintln!("wrote {count} events, {} MB, to {path}", bytes / 1_000_000);
    Ok(())
}
