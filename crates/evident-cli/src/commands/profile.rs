//! `evident profile`: a fold under the guest profiler, written out as a Firefox Profiler
//! profile, folded stacks and a flamegraph SVG naming the guest's functions.

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use clap::Args;
use evident_host::RuntimeConfig;
use evident_types::Parameters;

use crate::args::{EventsFile, RunOptions};
use crate::component;
use crate::stream::EventStream;

/// Fold events under the guest profiler: writes a flamegraph (.svg), a Firefox Profiler
/// profile (.json) and folded stacks (.folded) naming the guest's functions.
#[derive(Args)]
#[command(
    after_help = "Example:\n  evident profile guests/event-counter --events examples/events.jsonl -o counter-profile\n  (then open counter-profile.svg, or load counter-profile.json at https://profiler.firefox.com)",
    // A profile needs a fold of events from a file: the shared --events is required here
    // (changed in place, so the arguments keep their order).
    mut_args(|arg| if arg.get_id() == "events" { arg.required(true) } else { arg })
)]
pub(crate) struct ProfileCommand {
    /// A component (.wasm, .cwasm) or guest directory: a state view.
    component: PathBuf,
    #[command(flatten)]
    events: EventsFile,
    /// Where to write, without extension: <OUTPUT>.svg, <OUTPUT>.json, <OUTPUT>.folded.
    #[arg(long, short, value_name = "OUTPUT", default_value = "profile")]
    output: PathBuf,
    /// How often to sample the guest's stack.
    #[arg(long, value_name = "DURATION", default_value = "1ms", value_parser = humantime::parse_duration)]
    interval: Duration,
    #[command(flatten)]
    run: RunOptions,
}

impl ProfileCommand {
    /// Folds the events under the profiler and writes the three files.
    pub(crate) fn execute(self) -> Result<ExitCode> {
        if self.interval.is_zero() {
            bail!("--interval must be longer than zero (e.g. 1ms)");
        }
        let runtime = component::runtime_with(Some(&self.run), |config: &mut RuntimeConfig| {
            // Samples are taken at every epoch tick.
            config.epoch_tick = self.interval;
            config.epoch_deadlines = true;
        })?;
        let view = component::load_view(&runtime, &self.component, self.run.wasi)?;
        let profiler = view.profiler()?;
        let profiled = view.with_profiler(&profiler);
        let parameters = Parameters::from(self.run.parameters.clone());
        let initial = profiled.initialize(&parameters)?;
        // Clap requires --events here (see the struct); no path is not a fold.
        let Some(path) = self.events.events.as_deref() else {
            bail!("give the events to fold under the profiler: --events FILE");
        };
        let mut events = EventStream::open(path, self.events.events_format)?;
        let started = Instant::now();
        let result = profiled.fold(initial, events.by_ref(), &parameters);
        let elapsed = started.elapsed();
        events.finish()?;
        let folded = match result {
            Ok(folded) => folded,
            Err(failed) => bail!(
                "{}, {}: event {:?} failed: {}",
                path.display(),
                events.origin(failed.index),
                failed.event_id,
                failed.source
            ),
        };
        let files = Outputs::at(&self.output);
        let stacks = profiler.folded_stacks();
        if stacks.is_empty() {
            bail!("no samples were taken: fold more events, or sample more often (--interval)");
        }
        std::fs::write(&files.folded, &stacks)
            .with_context(|| format!("cannot write {}", files.folded.display()))?;
        write_flamegraph(&stacks, &files.svg, profiled.name())?;
        let firefox = std::fs::File::create(&files.firefox)
            .with_context(|| format!("cannot write {}", files.firefox.display()))?;
        profiler.write_firefox_profile(std::io::BufWriter::new(firefox))?;
        for file in [&files.svg, &files.firefox, &files.folded] {
            println!("{}", file.display());
        }
        eprintln!(
            "folded {} events in {:.1} ms, {} samples every {:?}, fuel used {}",
            folded.events_applied,
            elapsed.as_secs_f64() * 1e3,
            profiler.samples(),
            self.interval,
            folded.fuel_consumed
        );
        eprintln!("where the time went (share of samples, the function itself):");
        for (share, function) in top_functions(&stacks, 8) {
            eprintln!("  {:5.1}%  {function}", share * 100.0);
        }
        eprintln!(
            "open {} in a browser, or load {} at https://profiler.firefox.com",
            files.svg.display(),
            files.firefox.display()
        );
        Ok(ExitCode::SUCCESS)
    }
}

/// The files a profile is written to: `<output>.svg`, `<output>.json`, `<output>.folded`.
struct Outputs {
    svg: PathBuf,
    firefox: PathBuf,
    folded: PathBuf,
}

impl Outputs {
    fn at(output: &Path) -> Self {
        let with = |extension: &str| {
            let mut path = output.as_os_str().to_owned();
            path.push(extension);
            PathBuf::from(path)
        };
        Outputs {
            svg: with(".svg"),
            firefox: with(".json"),
            folded: with(".folded"),
        }
    }
}

fn write_flamegraph(stacks: &str, path: &Path, name: &str) -> Result<()> {
    let mut options = inferno::flamegraph::Options::default();
    options.title = format!("{name}: where a fold spends its time");
    options.count_name = "samples".into();
    let file =
        std::fs::File::create(path).with_context(|| format!("cannot write {}", path.display()))?;
    inferno::flamegraph::from_lines(&mut options, stacks.lines(), std::io::BufWriter::new(file))
        .with_context(|| format!("cannot draw {}", path.display()))
}

/// The functions most often on top of the stack, with their share of the samples.
fn top_functions(stacks: &str, count: usize) -> Vec<(f64, String)> {
    let mut own: std::collections::BTreeMap<&str, u64> = Default::default();
    let mut total = 0;
    for line in stacks.lines() {
        let Some((stack, samples)) = line.rsplit_once(' ') else {
            continue;
        };
        let samples: u64 = samples.parse().unwrap_or(0);
        let leaf = stack.rsplit(';').next().unwrap_or(stack);
        *own.entry(leaf).or_default() += samples;
        total += samples;
    }
    let mut ranked: Vec<(u64, &str)> = own.into_iter().map(|(f, n)| (n, f)).collect();
    ranked.sort_unstable_by(|a, b| b.cmp(a));
    ranked
        .into_iter()
        .take(count)
        .map(|(n, f)| (n as f64 / total.max(1) as f64, f.to_owned()))
        .collect()
}
