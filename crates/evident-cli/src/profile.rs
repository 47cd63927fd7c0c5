//! `evident profile`: a fold under the guest profiler, written out as a Firefox Profiler
//! profile, folded stacks and a flamegraph SVG naming the guest's functions.

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use evident_host::RuntimeConfig;
use evident_types::Parameters;

use crate::RunOptions;
use crate::component;
use crate::input::EventsFormat;
use crate::stream::EventStream;

pub(crate) struct ProfileArgs<'a> {
    pub(crate) component: &'a Path,
    pub(crate) events: &'a Path,
    pub(crate) events_format: Option<EventsFormat>,
    pub(crate) output: &'a Path,
    pub(crate) interval: Duration,
    pub(crate) run: &'a RunOptions,
}

pub(crate) fn profile(args: ProfileArgs<'_>) -> Result<ExitCode> {
    if args.interval.is_zero() {
        bail!("--interval must be longer than zero (e.g. 1ms)");
    }
    let runtime = component::runtime_with(Some(args.run), |config: &mut RuntimeConfig| {
        // Samples are taken at every epoch tick.
        config.epoch_tick = args.interval;
        config.epoch_deadlines = true;
    })?;
    let view = component::load_view(&runtime, args.component, args.run.wasi)?;
    let profiler = view.profiler()?;
    let profiled = view.with_profiler(&profiler);
    let parameters = Parameters::from(args.run.parameters.clone());
    let initial = profiled.initialize(&parameters)?;
    let mut events = EventStream::open(args.events, args.events_format)?;
    let started = Instant::now();
    let result = profiled.fold(initial, events.by_ref(), &parameters);
    let elapsed = started.elapsed();
    events.finish()?;
    let folded = match result {
        Ok(folded) => folded,
        Err(failed) => bail!(
            "{}, {}: event {:?} failed: {}",
            args.events.display(),
            events.origin(failed.index),
            failed.event_id,
            failed.source
        ),
    };
    let files = Outputs::at(args.output);
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
        args.interval,
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
