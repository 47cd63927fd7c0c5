//! `build`, `inspect`, `fold`, `process`, `decide` and `compile`.

use std::io::Write;
use std::path::Path;
use std::process::ExitCode;
use std::time::Instant;

use anyhow::{Context, Result, bail};
use evident_host::{DecideError, Error, Snapshot};
use evident_types::{Command, Parameters, State};

use crate::RunOptions;
use crate::component::{self, Loaded};
use crate::database;
use crate::input::{self, EventsFormat, PayloadFormat};
use crate::output::{self, print_state};
use crate::store::{self, StoreEvents};
use crate::stream::{EventSource, EventStream};

/// Components above this size get a warning: the spec's deployment advice.
const LARGE_COMPONENT_BYTES: u64 = 10 * 1024 * 1024;

/// Exit code for a component's refusal (a typed guest error) or an invalid command.
const REFUSED: u8 = 2;

pub(crate) fn build(dir: &Path) -> Result<ExitCode> {
    let options = evident_build::BuildOptions {
        verbose: true,
        ..Default::default()
    };
    let built = evident_build::build_guest(dir, &options)?;
    let size = std::fs::metadata(&built.component)
        .with_context(|| format!("{}", built.component.display()))?
        .len();
    println!("{}", built.component.display());
    eprintln!("built {} ({})", built.package, output::size(size));
    // Python and JavaScript components carry their interpreter: their size is not the
    // author's to cut.
    let carries_a_runtime = matches!(
        built.language,
        evident_build::Language::Python | evident_build::Language::JavaScript
    );
    if size > LARGE_COMPONENT_BYTES && !carries_a_runtime {
        eprintln!(
            "warning: {} is over {}; keep components small (strip unused dependencies, use opt-level \"s\")",
            output::size(size),
            output::size(LARGE_COMPONENT_BYTES)
        );
    }
    Ok(ExitCode::SUCCESS)
}

pub(crate) fn inspect(path: &Path, wasi: bool) -> Result<ExitCode> {
    let bytes = std::fs::read(path).with_context(|| format!("cannot read {}", path.display()))?;
    let mut out = std::io::stdout().lock();
    writeln!(out, "file:     {}", path.display())?;
    writeln!(out, "size:     {}", output::size(bytes.len() as u64))?;
    if is_precompiled_artifact(&bytes) {
        writeln!(
            out,
            "kind:     precompiled artifact (from `evident compile`)"
        )?;
        return Ok(ExitCode::SUCCESS);
    }
    if !bytes.starts_with(b"\0asm") {
        writeln!(out, "kind:     not a WebAssembly file")?;
        return Ok(ExitCode::from(REFUSED));
    }
    let sections = match read_sections(&bytes) {
        Ok(sections) => sections,
        Err(reason) => {
            writeln!(out, "kind:     not a component: {reason}")?;
            return Ok(ExitCode::from(REFUSED));
        }
    };
    writeln!(
        out,
        "kind:     {}",
        if sections.is_component {
            "component"
        } else {
            "core module (not a component)"
        }
    )?;
    let exports = |prefix: &str| sections.exports.iter().any(|e| e.starts_with(prefix));
    let world = match (
        exports("evident:db/state-view"),
        exports("evident:db/state-change"),
    ) {
        _ if exports("evident:db/decider@") => {
            "database decider: reads the database (evident:db/database-decider)"
        }
        (true, true) => "decider: state view and state change (evident:db/decider-component)",
        (true, false) => "state view (evident:db/state-view-component)",
        (false, true) => "state change (evident:db/state-change-component)",
        (false, false) => "none of this host's worlds",
    };
    writeln!(out, "world:    {world}")?;
    writeln!(out, "exports:  {}", list(&sections.exports))?;
    writeln!(out, "imports:  {}", list(&sections.imports))?;
    writeln!(
        out,
        "sdk:      {}",
        match sections
            .sdk_version
            .as_deref()
            .map(|label| label.split_once(' '))
        {
            None => "not built with an Evident SDK".to_owned(),
            // The Rust SDK writes its bare version; evident-build labels the others.
            Some(None) => format!(
                "evident-guest-sdk {}",
                sections.sdk_version.as_deref().unwrap_or_default()
            ),
            Some(Some((language, version))) => format!("the {language} SDK {version}"),
        }
    )?;
    let runtime = component::runtime(None)?;
    let folding = |view: &evident_host::StateView| {
        let fold = match (view.folds_in_batches(), view.meters_events()) {
            (true, true) => "folds in frames metered as one call each, reporting each event",
            (true, false) => "folds in frames metered as one call each",
            (false, _) => "folds with one reduce call per event",
        };
        format!("evident:db@{} ({fold})", view.wit_version())
    };
    let mode = if wasi {
        " in the deny-all WASI mode"
    } else {
        ""
    };
    let (verdict, wit) = match component::load_any(&runtime, path, wasi) {
        Ok(Loaded::View(view)) => (
            format!("valid state view for this host{mode}"),
            folding(&view),
        ),
        Ok(Loaded::Change(change)) => (
            format!("valid state change for this host{mode}"),
            format!("evident:db@{}", change.wit_version()),
        ),
        Ok(Loaded::Decider(decider)) => (
            format!("valid decider (state view and state change) for this host{mode}"),
            folding(decider.view()),
        ),
        Ok(Loaded::DatabaseDecider(decider)) => (
            format!(
                "valid database decider for this host{mode} (run it with `evident decide --store`)"
            ),
            format!("evident:db@{}", decider.wit_version()),
        ),
        Err(e) => {
            // Only a refused WASI import gets the hint; a component that imports WASI may be
            // refused for other reasons.
            let refused_wasi = e.chain().any(|cause| {
                matches!(
                    cause.downcast_ref::<evident_host::Error>(),
                    Some(evident_host::Error::ForbiddenImport { import, .. })
                        if import.starts_with("wasi:")
                )
            });
            let hint = if refused_wasi && !wasi {
                " (it needs WASI: check it with --wasi, the deny-all WASI mode its language needs)"
            } else {
                ""
            };
            (format!("REFUSED: {e:#}{hint}"), "unknown".to_owned())
        }
    };
    writeln!(out, "wit:      {wit}")?;
    writeln!(out, "host:     {verdict}")?;
    // An artifact beside the component is never loaded (loading one runs its native code): it
    // is up to date if it is, byte for byte, what this host compiles from the component.
    let artifact = path.with_extension("cwasm");
    let aot = if !artifact.exists() && exports("evident:db/decider@") {
        "none: a database decider is loaded from its .wasm (its compiled code is cached)".to_owned()
    } else if !artifact.exists() {
        format!(
            "no artifact ({} absent; `evident compile` makes one)",
            artifact.display()
        )
    } else {
        let fresh = runtime.precompile(&path.display().to_string(), &bytes);
        match (std::fs::read(&artifact), fresh) {
            (Ok(found), Ok(fresh)) if found == fresh => format!(
                "{} is up to date: it is what this host compiles from this component",
                artifact.display()
            ),
            (Ok(_), Ok(_)) => format!(
                "{} is stale or foreign: it is not what this host compiles from this component (`evident compile` remakes it)",
                artifact.display()
            ),
            (Err(e), _) => format!("{} cannot be read: {e}", artifact.display()),
            (_, Err(e)) => format!("cannot compile the component to compare: {e}"),
        }
    };
    writeln!(out, "aot:      {aot}")?;
    let cache = match runtime.aot_cache_path(&bytes) {
        None => "off (EVIDENT_AOT_CACHE=off)".to_owned(),
        Some(entry) if entry.is_file() => format!("compiled, {}", entry.display()),
        Some(entry) => format!("not compiled yet (would be {})", entry.display()),
    };
    writeln!(out, "cache:    {cache}")?;
    Ok(if verdict.starts_with("REFUSED") {
        ExitCode::from(REFUSED)
    } else {
        ExitCode::SUCCESS
    })
}

fn is_precompiled_artifact(bytes: &[u8]) -> bool {
    // Wasmtime artifacts are ELF files.
    bytes.starts_with(b"\x7fELF")
}

fn list(items: &[String]) -> String {
    if items.is_empty() {
        "(none)".to_owned()
    } else {
        items.join(", ")
    }
}

pub(crate) struct Sections {
    pub(crate) is_component: bool,
    pub(crate) imports: Vec<String>,
    pub(crate) exports: Vec<String>,
    pub(crate) sdk_version: Option<String>,
}

/// The component's own imports and exports (not those of nested modules) and the SDK version
/// the guest macros embed.
pub(crate) fn read_sections(bytes: &[u8]) -> Result<Sections, String> {
    use wasmparser::{Encoding, Parser, Payload};
    let mut sections = Sections {
        is_component: false,
        imports: Vec::new(),
        exports: Vec::new(),
        sdk_version: None,
    };
    let mut depth = 0usize;
    for payload in Parser::new(0).parse_all(bytes) {
        match payload.map_err(|e| e.to_string())? {
            Payload::Version { encoding, .. } => {
                if depth == 0 {
                    sections.is_component = encoding == Encoding::Component;
                }
                depth += 1;
            }
            Payload::End(_) => depth = depth.saturating_sub(1),
            Payload::ComponentImportSection(reader) if depth == 1 => {
                for import in reader {
                    sections
                        .imports
                        .push(import.map_err(|e| e.to_string())?.name.name.to_owned());
                }
            }
            Payload::ComponentExportSection(reader) if depth == 1 => {
                for export in reader {
                    sections
                        .exports
                        .push(export.map_err(|e| e.to_string())?.name.name.to_owned());
                }
            }
            Payload::CustomSection(reader)
                if reader.name() == evident_build::encode::SDK_VERSION_SECTION =>
            {
                sections.sdk_version = Some(String::from_utf8_lossy(reader.data()).into_owned());
            }
            _ => {}
        }
    }
    Ok(sections)
}

pub(crate) struct FoldArgs<'a> {
    pub(crate) component: &'a Path,
    pub(crate) events: FoldEvents<'a>,
    pub(crate) initial_state: Option<&'a Path>,
    pub(crate) output: Option<&'a Path>,
    pub(crate) run: &'a RunOptions,
}

/// Where a fold's events come from.
pub(crate) enum FoldEvents<'a> {
    /// A file of events, or stdin (`-`).
    File {
        path: &'a Path,
        format: Option<EventsFormat>,
    },
    /// The events a store's read selects.
    Store {
        location: &'a str,
        selection: &'a store::Selection,
    },
}

pub(crate) fn fold(args: FoldArgs<'_>) -> Result<ExitCode> {
    let runtime = component::runtime(Some(args.run))?;
    let view = component::load_view(&runtime, args.component, args.run.wasi)?;
    let parameters = Parameters::from(args.run.parameters.clone());
    let started = Instant::now();
    let initial = match args.initial_state {
        Some(path) => input::read_state(path, None)?,
        None => view.initialize(&parameters)?,
    };
    let opened; // the store the events are read from, if they are
    let mut events: Box<dyn EventSource + '_> = match args.events {
        FoldEvents::File { path, format } => Box::new(EventStream::open(path, format)?),
        FoldEvents::Store {
            location,
            selection,
        } => {
            opened = store::open_existing(location)?;
            Box::new(StoreEvents::read(opened.as_ref(), selection)?)
        }
    };
    let progress = events.progress();
    let bar = progress.bar();
    let result = view.fold(
        initial,
        events.by_ref().enumerate().map(|(i, event)| {
            if i % 4096 == 0 {
                progress.show(&bar);
            }
            event
        }),
        &parameters,
    );
    bar.finish_and_clear();
    let read = events.finish();
    let elapsed = started.elapsed();
    let state = match &result {
        Ok(folded) => &folded.state,
        Err(failed) => &failed.state,
    };
    print_state(state)?;
    if let Some(path) = args.output {
        std::fs::write(path, &state.bytes)
            .with_context(|| format!("cannot write {}", path.display()))?;
    }
    let saved = if args.output.is_some() {
        " and saved"
    } else {
        ""
    };
    match (result, read) {
        (Ok(folded), Ok(())) => {
            eprintln!(
                "folded {} events in {:.1} ms ({:.0} events/s, reading included), fuel used {}, peak guest memory {}",
                folded.events_applied,
                elapsed.as_secs_f64() * 1e3,
                folded.events_applied as f64 / elapsed.as_secs_f64().max(1e-9),
                folded.fuel_consumed,
                output::size(folded.peak_memory_bytes as u64)
            );
            Ok(ExitCode::SUCCESS)
        }
        (Ok(folded), Err(unread)) => bail!(
            "{unread:#}\nthe {} events before it were folded; the state printed{saved} is the state after them",
            folded.events_applied
        ),
        (Err(failed), _) => bail!(
            "{}, {}: event {:?} failed after {} good events (the state printed{saved} is the last good one): {}",
            events.name(),
            events.origin(failed.index),
            failed.event_id,
            failed.index,
            failed.source
        ),
    }
}

pub(crate) struct ProcessArgs<'a> {
    pub(crate) component: &'a Path,
    pub(crate) state: Option<&'a Path>,
    pub(crate) state_format: Option<PayloadFormat>,
    pub(crate) command: &'a Path,
    pub(crate) command_format: Option<PayloadFormat>,
    pub(crate) validate: bool,
    pub(crate) run: &'a RunOptions,
}

pub(crate) fn process(args: ProcessArgs<'_>) -> Result<ExitCode> {
    let state = match args.state {
        Some(path) => input::read_state(path, args.state_format)?,
        None => State::default(),
    };
    let (content_type, bytes) = input::read_payload(args.command, args.command_format)?;
    let command = Command::new(content_type, bytes);
    let runtime = component::runtime(Some(args.run))?;
    let change = component::load_change(&runtime, args.component, args.run.wasi)?;
    if args.validate {
        let valid = change.validate(&state, &command).map_err(with_hint)?;
        println!("{valid}");
        return Ok(if valid {
            ExitCode::SUCCESS
        } else {
            ExitCode::from(REFUSED)
        });
    }
    let parameters = Parameters::from(args.run.parameters.clone());
    match change.process(&state, &command, &parameters) {
        Ok(events) => {
            let mut out = std::io::stdout().lock();
            for event in &events {
                writeln!(out, "{}", event.to_json())?;
            }
            eprintln!("{} events", events.len());
            Ok(ExitCode::SUCCESS)
        }
        Err(Error::Guest {
            code,
            message,
            details,
            ..
        }) => {
            eprintln!("refused: [{}] {message}", code.as_deref().unwrap_or("-"));
            if let Some(details) = details {
                eprintln!("details: {}", String::from_utf8_lossy(&details));
            }
            if message.contains("stores \"application/cbor\"") {
                eprintln!(
                    "hint: this change stores CBOR; pass --state-format cbor to convert a JSON state file"
                );
            }
            Ok(ExitCode::from(REFUSED))
        }
        Err(other) => Err(other.into()),
    }
}

fn with_hint(error: Error) -> anyhow::Error {
    let hint = error.to_string().contains("stores \"application/cbor\"");
    let error = anyhow::Error::from(error);
    if hint {
        error.context(
            "this change stores CBOR; pass --state-format cbor to convert a JSON state file",
        )
    } else {
        error
    }
}

pub(crate) fn compile(path: &Path, output: Option<&Path>) -> Result<ExitCode> {
    let bytes = std::fs::read(path).with_context(|| format!("cannot read {}", path.display()))?;
    let runtime = component::runtime(None)?;
    // Refuse now what the host would refuse at load, not after the artifact is deployed.
    if let Loaded::DatabaseDecider(_) = component::load_any(&runtime, path, false)? {
        bail!(
            "{}: a database decider is loaded from its component .wasm only (this host loads no precompiled database decider); its compiled code is kept in the AOT cache",
            path.display()
        );
    }
    let name = path.display().to_string();
    let artifact = runtime.precompile(&name, &bytes)?;
    let output = output.map_or_else(|| path.with_extension("cwasm"), Path::to_owned);
    std::fs::write(&output, &artifact)
        .with_context(|| format!("cannot write {}", output.display()))?;
    println!("{}", output.display());
    eprintln!(
        "compiled {} ({}) into {} ({}); it loads only into this version of evident with the same settings",
        path.display(),
        output::size(bytes.len() as u64),
        output.display(),
        output::size(artifact.len() as u64)
    );
    Ok(ExitCode::SUCCESS)
}

pub(crate) struct DecideArgs<'a> {
    pub(crate) component: &'a Path,
    pub(crate) given: Option<&'a Path>,
    pub(crate) given_format: Option<EventsFormat>,
    pub(crate) command: &'a Path,
    pub(crate) command_format: Option<PayloadFormat>,
    pub(crate) snapshot: Option<&'a Path>,
    pub(crate) snapshot_format: Option<PayloadFormat>,
    pub(crate) snapshot_position: u64,
    /// The store a database decider decides on (default ./evident-store).
    pub(crate) store: Option<&'a str>,
    /// The views manifest a database decider's views come from.
    pub(crate) views: Option<&'a Path>,
    pub(crate) attempts: Option<u32>,
    pub(crate) snapshot_every: Option<u64>,
    pub(crate) run: &'a RunOptions,
}

/// `evident decide`: a database decider (evident:db 0.4.0) decides on the store and appends;
/// a decider of the 0.3.0 `decider-component` world decides on the history given.
pub(crate) fn decide(args: DecideArgs<'_>) -> Result<ExitCode> {
    let (file, needs_wasi) = component::component_file(args.component)?;
    let wasi = args.run.wasi || needs_wasi;
    if component::is_database_decider(&file)? {
        if args.given.is_some() || args.snapshot.is_some() {
            bail!(
                "{} is a database decider (evident:db 0.4.0): it reads the store (--store) and the views of the manifest, not --given or --snapshot",
                args.component.display()
            );
        }
        return database::decide(database::DecideArgs {
            component: args.component,
            file: &file,
            wasi,
            command: args.command,
            command_format: args.command_format,
            store: args.store,
            views: args.views,
            attempts: args.attempts,
            snapshot_every: args.snapshot_every,
            run: args.run,
        });
    }
    if args.attempts.is_some() || args.snapshot_every.is_some() {
        bail!(
            "--attempts and --snapshot-every are for database deciders (evident:db 0.4.0, world database-decider); {} decides on the history given",
            args.component.display()
        );
    }
    let Some(given) = args.given else {
        bail!(
            "{} is not a database decider: give the history it decides on with --given FILE (a decider-component decides on one stream's events)",
            args.component.display()
        );
    };
    let (history, events) = EventStream::read_all(given, args.given_format)?;
    let (content_type, bytes) = input::read_payload(args.command, args.command_format)?;
    let command = Command::new(content_type, bytes);
    let snapshot = Snapshot {
        state: match args.snapshot {
            Some(path) => input::read_state(path, args.snapshot_format)?,
            None => State::default(),
        },
        position: args.snapshot_position,
    };
    let runtime = component::runtime(Some(args.run))?;
    let decider = component::load_decider(&runtime, &file, wasi)?;
    let parameters = Parameters::from(args.run.parameters.clone());
    let started = Instant::now();
    match decider.decide(snapshot, &history, &command, &parameters) {
        Ok(decision) => {
            let mut out = std::io::stdout().lock();
            for event in &decision.events {
                writeln!(out, "{}", event.to_json())?;
            }
            eprintln!(
                "decided on {} events (position {}) in {:.1} ms: {} new events, next position {}, fuel used {}",
                history.len(),
                decision.position,
                started.elapsed().as_secs_f64() * 1e3,
                decision.events.len(),
                decision.position + decision.events.len() as u64,
                decision.fuel_consumed
            );
            Ok(ExitCode::SUCCESS)
        }
        Err(DecideError::Command(Error::Guest {
            code,
            message,
            details,
            ..
        })) => {
            eprintln!("refused: [{}] {message}", code.as_deref().unwrap_or("-"));
            if let Some(details) = details {
                eprintln!("details: {}", String::from_utf8_lossy(&details));
            }
            Ok(ExitCode::from(REFUSED))
        }
        Err(DecideError::History(failed)) => bail!(
            "{}, {}: history event {:?} does not fold: {}",
            given.display(),
            events.origin(failed.index),
            failed.event_id,
            failed.source
        ),
        Err(other) => Err(other.into()),
    }
}
