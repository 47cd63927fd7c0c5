//! Events read while they are folded: a thread parses the input into chunks that the fold
//! takes as they come, so parsing and folding overlap on two cores, and what reading holds is
//! a few chunks however long the input is: each of at most [`CHUNK_EVENTS`] events and, for JSON
//! lines, of lines at most [`DEFAULT_MAX_LINE_BYTES`] long and about [`CHUNK_BYTES`] in all.
//! Only what error messages need is kept: where events stop following one per line (runs of
//! blank lines), so any event's line can be told from its index.
//!
//! A fold takes its events from an [`EventSource`]: this stream, or a store's read
//! (`crate::store::StoreEvents`).

use std::io::{BufRead, IsTerminal};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc::{Receiver, SyncSender, sync_channel};

use anyhow::{Context, Result, anyhow};
use evident_types::{
    DEFAULT_MAX_LINE_BYTES, Event, JsonLinesError, JsonLinesErrorKind, LineRead, read_bounded_line,
};

use crate::input::{EventsFormat, format_of, open};

/// Events parsed per chunk sent to the fold.
const CHUNK_EVENTS: usize = 1024;
/// Bytes of JSON lines read per chunk: a chunk is sent once its lines reach this, so that long
/// lines do not make the chunks ahead hold [`CHUNK_EVENTS`] times the longest line.
const CHUNK_BYTES: usize = 4 << 20;
/// Chunks parsed ahead of the fold: what bounds the memory the reading takes.
const CHUNKS_AHEAD: usize = 8;

/// Events for a fold, and what its messages say about them.
pub(crate) trait EventSource: Iterator<Item = Event> {
    /// What the events are read from, for messages: a file name, `-`, `store ./evident-store`.
    fn name(&self) -> String;

    /// Where the event at `index` (one the source has handed out) came from: `line 12`,
    /// `item 3`, `position 17`.
    fn origin(&self, index: usize) -> String;

    /// After the events ran out: the reason they ran out early, if they did (a bad line, a
    /// read error), naming the source and where in it.
    fn finish(&mut self) -> Result<()>;

    /// How far reading has got, for a progress bar.
    fn progress(&self) -> Progress;
}

/// How far a source has been read, and of how much.
pub(crate) struct Progress {
    /// Units read so far, moved on as events are read.
    pub(crate) done: Arc<AtomicU64>,
    /// Units in all, when known.
    pub(crate) total: Option<u64>,
    /// What the units are.
    pub(crate) unit: Unit,
}

/// What a [`Progress`] counts.
#[derive(Clone, Copy)]
pub(crate) enum Unit {
    /// Bytes of input.
    Bytes,
    /// Positions of a store's log.
    Positions,
}

impl Progress {
    /// A progress bar on stderr for inputs over 10 MB or 100,000 positions; hidden when stderr
    /// is not a terminal or the total is unknown (stdin).
    pub(crate) fn bar(&self) -> indicatif::ProgressBar {
        let (threshold, template) = match self.unit {
            Unit::Bytes => (
                10_000_000,
                "{bar:40} {bytes}/{total_bytes} ({bytes_per_sec}, {eta} left)",
            ),
            Unit::Positions => (
                100_000,
                "{bar:40} {human_pos}/{human_len} positions ({eta} left)",
            ),
        };
        match self.total {
            Some(total) if total >= threshold && std::io::stderr().is_terminal() => {
                let bar = indicatif::ProgressBar::new(total);
                bar.set_style(
                    indicatif::ProgressStyle::with_template(template).expect("a valid template"),
                );
                bar
            }
            _ => indicatif::ProgressBar::hidden(),
        }
    }

    /// Moves `bar` to what has been read.
    pub(crate) fn show(&self, bar: &indicatif::ProgressBar) {
        bar.set_position(self.done.load(Ordering::Relaxed));
    }
}

/// Where events come from, and how far reading has got.
pub(crate) struct EventStream {
    chunks: Receiver<Chunk>,
    current: std::vec::IntoIter<Event>,
    /// Events handed to the fold so far.
    taken: usize,
    /// Bytes of input read so far (for a progress bar).
    bytes_read: Arc<AtomicU64>,
    /// The input's size, if it is a file.
    size: Option<u64>,
    /// What stopped the reading early, once known.
    failed: Option<anyhow::Error>,
    name: PathBuf,
    format: EventsFormat,
    /// Where the events received so far sit in the input.
    layout: Layout,
}

enum Chunk {
    /// Events, and the runs of blank lines read since the previous chunk.
    Events(Vec<Event>, Layout),
    /// The input cannot be read from here on: why, said with its line or item.
    Failed(anyhow::Error),
}

/// Where events sit in the input: for JSON lines, the events after which blank lines come.
#[derive(Default)]
struct Layout {
    /// `(events before, lines skipped so far)`, in order, one entry per run of blank lines.
    skips: Vec<(usize, usize)>,
}

impl Layout {
    /// Counts a blank line read after `events` events, `skipped` blank lines in all.
    fn skip(&mut self, events: usize, skipped: usize) {
        match self.skips.last_mut() {
            Some(last) if last.0 == events => last.1 = skipped,
            _ => self.skips.push((events, skipped)),
        }
    }

    fn extend(&mut self, more: Layout) {
        for (events, skipped) in more.skips {
            self.skip(events, skipped);
        }
    }
}

impl EventStream {
    /// Starts reading `path` (`-` for stdin) on a thread of its own.
    pub(crate) fn open(path: &Path, format: Option<EventsFormat>) -> Result<Self> {
        let format = format_of(path, format);
        let reader = open(path)?;
        let size = (path != Path::new("-"))
            .then(|| std::fs::metadata(path).map(|m| m.len()).ok())
            .flatten();
        let (sender, chunks) = sync_channel(CHUNKS_AHEAD);
        let bytes_read = Arc::new(AtomicU64::new(0));
        let counter = bytes_read.clone();
        // Never joined: the thread ends at the end of the input, or at its next chunk once the
        // stream is finished or dropped (a reader blocked on a stdin that stays open ends with
        // the process).
        std::thread::Builder::new()
            .name("evident-read-events".into())
            .spawn(move || match format {
                EventsFormat::JsonLines => read_json_lines(reader, &sender, &counter),
                EventsFormat::CborSeq => read_cbor(reader, &sender, &counter),
            })
            .context("cannot start the thread that reads events")?;
        Ok(EventStream {
            chunks,
            current: Vec::new().into_iter(),
            taken: 0,
            bytes_read,
            size,
            failed: None,
            name: path.to_owned(),
            format,
            layout: Layout::default(),
        })
    }

    /// Reads the whole input now (for commands that need every event at once).
    pub(crate) fn read_all(
        path: &Path,
        format: Option<EventsFormat>,
    ) -> Result<(Vec<Event>, Self)> {
        let mut stream = EventStream::open(path, format)?;
        let events: Vec<Event> = stream.by_ref().collect();
        stream.finish()?;
        Ok((events, stream))
    }

    /// After the events ran out: the reason they ran out early, if they did (a bad line, a
    /// read error), naming the file and the line or item.
    pub(crate) fn finish(&mut self) -> Result<()> {
        self.stop_reading();
        match self.failed.take() {
            Some(error) => Err(error.context(format!("{}", self.name.display()))),
            None => Ok(()),
        }
    }

    /// Where the event at `index` (one the stream has handed out) came from: `line 12`,
    /// `item 3`.
    pub(crate) fn origin(&self, index: usize) -> String {
        match self.format {
            EventsFormat::CborSeq => format!("item {}", index + 1),
            EventsFormat::JsonLines => {
                let skips = &self.layout.skips;
                let before = skips.partition_point(|(events, _)| *events <= index);
                let skipped = before.checked_sub(1).map_or(0, |i| skips[i].1);
                format!("line {}", index + 1 + skipped)
            }
        }
    }

    /// Closes the channel, so a reader waiting to send a chunk ends instead of waiting.
    fn stop_reading(&mut self) {
        let (_, closed) = sync_channel(0);
        drop(std::mem::replace(&mut self.chunks, closed));
    }
}

impl EventSource for EventStream {
    fn name(&self) -> String {
        self.name.display().to_string()
    }

    fn origin(&self, index: usize) -> String {
        EventStream::origin(self, index)
    }

    fn finish(&mut self) -> Result<()> {
        EventStream::finish(self)
    }

    fn progress(&self) -> Progress {
        Progress {
            done: self.bytes_read.clone(),
            total: self.size,
            unit: Unit::Bytes,
        }
    }
}

impl Iterator for EventStream {
    type Item = Event;

    fn next(&mut self) -> Option<Event> {
        loop {
            if let Some(event) = self.current.next() {
                self.taken += 1;
                return Some(event);
            }
            match self.chunks.recv() {
                Ok(Chunk::Events(chunk, layout)) => {
                    self.layout.extend(layout);
                    self.current = chunk.into_iter();
                }
                Ok(Chunk::Failed(error)) => {
                    self.failed = Some(error);
                    return None;
                }
                Err(_) => return None, // the reader is done
            }
        }
    }
}

impl Drop for EventStream {
    fn drop(&mut self) {
        self.stop_reading();
    }
}

fn read_json_lines(
    mut reader: Box<dyn BufRead + Send>,
    sender: &SyncSender<Chunk>,
    bytes_read: &AtomicU64,
) {
    // The blank lines read since the last chunk went out, sent with the next.
    let mut layout = Layout::default();
    let mut chunk = Vec::with_capacity(CHUNK_EVENTS);
    let send = |chunk: Vec<Event>, layout: &mut Layout| {
        sender
            .send(Chunk::Events(chunk, std::mem::take(layout)))
            .is_ok()
    };
    let fail = |chunk: Vec<Event>, layout: &mut Layout, error: anyhow::Error| {
        if send(chunk, layout) {
            let _ = sender.send(Chunk::Failed(error));
        }
    };
    // Said as `evident_types::read_json_lines` says it.
    let line_error = |line: usize, kind: JsonLinesErrorKind| anyhow!(JsonLinesError { line, kind });
    let mut line = Vec::new();
    let (mut number, mut events, mut skipped) = (0usize, 0usize, 0usize);
    let mut chunk_bytes = 0;
    loop {
        line.clear();
        number += 1;
        let read = match read_bounded_line(&mut reader, &mut line, DEFAULT_MAX_LINE_BYTES) {
            Ok(LineRead::End) => break,
            Ok(LineRead::Line { consumed }) => consumed,
            Ok(LineRead::TooLong) => {
                let limit = DEFAULT_MAX_LINE_BYTES;
                let error = line_error(number, JsonLinesErrorKind::TooLong { limit });
                return fail(std::mem::take(&mut chunk), &mut layout, error);
            }
            Err(e) => {
                let error = anyhow!(e).context(format!("line {number}: cannot read input"));
                return fail(std::mem::take(&mut chunk), &mut layout, error);
            }
        };
        bytes_read.fetch_add(read as u64, Ordering::Relaxed);
        let text = match std::str::from_utf8(&line) {
            Ok(text) => text,
            Err(e) => {
                let error = line_error(number, e.into());
                return fail(std::mem::take(&mut chunk), &mut layout, error);
            }
        };
        if text.trim().is_empty() {
            skipped += 1;
            layout.skip(events, skipped);
            continue;
        }
        match text.parse::<Event>() {
            Ok(event) => chunk.push(event),
            Err(e) => {
                let error = anyhow!("line {number}: {e}");
                return fail(std::mem::take(&mut chunk), &mut layout, error);
            }
        }
        events += 1;
        chunk_bytes += read;
        if chunk.len() == CHUNK_EVENTS || chunk_bytes >= CHUNK_BYTES {
            chunk_bytes = 0;
            let full = std::mem::replace(&mut chunk, Vec::with_capacity(CHUNK_EVENTS));
            if !send(full, &mut layout) {
                return; // the fold stopped
            }
        }
    }
    if !chunk.is_empty() {
        send(chunk, &mut layout);
    }
}

fn read_cbor(
    mut reader: Box<dyn BufRead + Send>,
    sender: &SyncSender<Chunk>,
    bytes_read: &AtomicU64,
) {
    let mut chunk = Vec::with_capacity(CHUNK_EVENTS);
    let send = |chunk: Vec<Event>| sender.send(Chunk::Events(chunk, Layout::default())).is_ok();
    let fail = |chunk: Vec<Event>, error: anyhow::Error| {
        if send(chunk) {
            let _ = sender.send(Chunk::Failed(error));
        }
    };
    let mut item = 0;
    loop {
        let available = match reader.fill_buf() {
            Ok(buffer) => buffer.len(),
            Err(e) => {
                let error = anyhow!(e).context(format!("item {}: cannot read input", item + 1));
                return fail(chunk, error);
            }
        };
        if available == 0 {
            break;
        }
        item += 1;
        let mut counted = CountingReader {
            inner: &mut reader,
            bytes_read,
        };
        let value: ciborium::Value = match ciborium::from_reader(&mut counted) {
            Ok(value) => value,
            Err(e) => return fail(chunk, anyhow!("item {item} is not CBOR: {e}")),
        };
        match Event::from_cbor(value) {
            Ok(event) => chunk.push(event),
            Err(e) => return fail(chunk, anyhow!("item {item}: {e}")),
        }
        if chunk.len() == CHUNK_EVENTS
            && !send(std::mem::replace(
                &mut chunk,
                Vec::with_capacity(CHUNK_EVENTS),
            ))
        {
            return;
        }
    }
    if !chunk.is_empty() {
        send(chunk);
    }
}

/// Counts the bytes a reader hands out.
struct CountingReader<'a, R> {
    inner: &'a mut R,
    bytes_read: &'a AtomicU64,
}

impl<R: std::io::Read> std::io::Read for CountingReader<'_, R> {
    fn read(&mut self, buffer: &mut [u8]) -> std::io::Result<usize> {
        let read = self.inner.read(buffer)?;
        self.bytes_read.fetch_add(read as u64, Ordering::Relaxed);
        Ok(read)
    }
}
