//! `evident`: build, inspect, run and test Evident components from the command line.

mod commands;
mod component;
mod database;
mod input;
mod manifest;
mod output;
mod profile;
mod scaffold;
mod scenario;
mod store;
mod stream;

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use clap::{ArgGroup, Args, CommandFactory, Parser, Subcommand};

/// Build, inspect, run and test Evident WebAssembly components.
#[derive(Parser)]
#[command(version, about, propagate_version = true)]
struct Cli {
    /// More log output (-v: info, -vv: debug, -vvv: trace); RUST_LOG overrides.
    #[arg(short, long, action = clap::ArgAction::Count, global = true)]
    verbose: u8,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Create a guest: a state view or a state change, in any SDK language, with a test and a
    /// README.
    #[command(
        after_help = "Examples:\n  evident new view order-totals\n  cd order-totals && cargo test\n\n  evident new change tally --lang go\n  cd tally && evident build && evident test . scenarios.yaml"
    )]
    New {
        /// What to create.
        kind: scaffold::Kind,
        /// The guest's name (and directory).
        name: String,
        /// The language to write it in.
        #[arg(long, value_enum, default_value = "rust")]
        lang: scaffold::Lang,
        /// A checkout of the Evident repository whose crates a Rust guest uses instead of the
        /// published ones (default: the one `evident` was built from, if it is still there).
        #[arg(long, value_name = "DIR", conflicts_with = "registry_sdk")]
        sdk_path: Option<PathBuf>,
        /// Depend on the published SDK crates only, even if a checkout is around.
        #[arg(long)]
        registry_sdk: bool,
    },
    /// Build a guest into a component (release, opt-level 3), with its language's toolchain.
    #[command(after_help = "Example:\n  evident build guests/event-counter")]
    Build {
        /// The guest crate's directory.
        #[arg(default_value = ".")]
        dir: PathBuf,
    },
    /// Show what a component imports and exports and whether this host accepts it.
    #[command(
        after_help = "Example:\n  evident inspect target/guests/wasm32-unknown-unknown/release/event_counter.component.wasm"
    )]
    Inspect {
        /// A component file (.wasm).
        component: PathBuf,
        /// Check it as the deny-all WASI mode would load it (Python, JavaScript and Go
        /// components need it).
        #[arg(long)]
        wasi: bool,
    },
    /// Fold events through a state view and print the final state.
    #[command(
        after_help = "Examples:\n  evident fold guests/event-counter --events examples/events.jsonl\n  cat events.jsonl | evident fold view.wasm --events - --param prefix=order. --limit-fuel 1000000\n  evident fold guests/event-counter --store ./evident-store --tag course:c1 --after 100",
        group(ArgGroup::new("input").required(true).args(["events", "store"])),
        group(
            ArgGroup::new("store_selection")
                .multiple(true)
                .args(["types", "tags", "query", "after"])
                .conflicts_with("events")
        )
    )]
    Fold {
        /// A component (.wasm), a precompiled artifact (.cwasm), or a guest crate directory.
        component: PathBuf,
        /// The events: JSON lines, or a CBOR sequence (.cbor); `-` reads stdin.
        #[arg(long, value_name = "FILE|-")]
        events: Option<PathBuf>,
        /// How the events are encoded, if the file name does not say.
        #[arg(long, value_enum, requires = "events")]
        events_format: Option<input::EventsFormat>,
        /// Read the events from a store instead (a directory, or a PostgreSQL URL), all of
        /// them or those --type, --tag or --query select.
        #[arg(long, value_name = "PATH|postgres://…")]
        store: Option<String>,
        #[command(flatten)]
        selection: store::Selection,
        /// Start from this state instead of the view's initial one.
        #[arg(long, value_name = "FILE")]
        initial_state: Option<PathBuf>,
        /// Write the final state's bytes here as well (the last good state if an event fails).
        #[arg(long, short, value_name = "FILE")]
        output: Option<PathBuf>,
        #[command(flatten)]
        run: RunOptions,
    },
    /// Run a command through a state change and print the events it emits, as JSON lines.
    #[command(
        after_help = "Example:\n  evident process guests/bank-account --state account.json --state-format cbor --command deposit.json"
    )]
    Process {
        /// A component (.wasm), a precompiled artifact (.cwasm), or a guest crate directory.
        component: PathBuf,
        /// The current state (JSON or .cbor); omitted means "no state yet".
        #[arg(long, value_name = "FILE")]
        state: Option<PathBuf>,
        /// Send a JSON state file as CBOR (for changes that store CBOR).
        #[arg(long, value_enum)]
        state_format: Option<input::PayloadFormat>,
        /// The command (JSON or .cbor).
        #[arg(long, value_name = "FILE")]
        command: PathBuf,
        /// Send a JSON command file as CBOR.
        #[arg(long, value_enum)]
        command_format: Option<input::PayloadFormat>,
        /// Only ask whether the command would be accepted.
        #[arg(long)]
        validate: bool,
        #[command(flatten)]
        run: RunOptions,
    },
    /// Decide a command: on a store, appending the events (a database decider, evident:db
    /// 0.4.0), or on a given history (a 0.3.0 decider), printing them as JSON lines.
    #[command(after_help = "Examples:
  evident decide guests/course-subscriptions --store ./evident-store --command examples/courses/subscribe-s1.json
  evident decide guests/bank-account --given examples/bank/history.jsonl --command examples/bank/withdraw.json

A database decider (world database-decider) reads the log and the views as of the store's head
and its events are appended under the condition its reads imply (or the one it returns); on a
conflict it decides again at the new head, up to --attempts times. Its views are those of the
manifest: --views FILE, else evident.toml in the decider's guest directory, else ./evident.toml.
The appended events are printed as `evident store read` prints them (with their `position`),
and the revision, attempts, condition, reads and fuel on stderr.

Exit codes: 2 refused (`refused: [code] message` on stderr; nothing appended), 3 a conflict on
every attempt, 4 an event the log already holds (same source and id), 1 any other error.")]
    Decide {
        /// A decider component (.wasm) or guest directory: a database decider, or a view and a
        /// change in one (a .cwasm of one, too).
        component: PathBuf,
        /// For a 0.3.0 decider: the stream's events so far (after the snapshot, if one is
        /// given), JSON lines or a CBOR sequence (.cbor); `-` reads stdin.
        #[arg(long, value_name = "FILE|-")]
        given: Option<PathBuf>,
        /// How the history is encoded, if the file name does not say.
        #[arg(long, value_enum, requires = "given")]
        given_format: Option<input::EventsFormat>,
        /// The command (JSON or .cbor).
        #[arg(long, value_name = "FILE")]
        command: PathBuf,
        /// Send a JSON command file as CBOR.
        #[arg(long, value_enum)]
        command_format: Option<input::PayloadFormat>,
        /// For a 0.3.0 decider: a state to start from instead of "no state yet", a snapshot of
        /// the stream.
        #[arg(long, value_name = "FILE")]
        snapshot: Option<PathBuf>,
        /// Send a JSON snapshot file as CBOR (for deciders that store CBOR).
        #[arg(long, value_enum)]
        snapshot_format: Option<input::PayloadFormat>,
        /// How many events of the stream the snapshot folds (its position).
        #[arg(long, value_name = "N", default_value_t = 0, requires = "snapshot")]
        snapshot_position: u64,
        /// For a database decider: the store it decides on and appends to, a directory
        /// (SQLite, created if missing; default ./evident-store) or a PostgreSQL URL.
        #[arg(
            long,
            value_name = "PATH|postgres://…",
            env = "EVIDENT_STORE",
            hide_env_values = true
        )]
        store: Option<String>,
        /// For a database decider: the views manifest (default: evident.toml in the guest
        /// directory, else ./evident.toml).
        #[arg(
            long,
            value_name = "FILE",
            env = "EVIDENT_VIEWS",
            hide_env_values = true
        )]
        views: Option<PathBuf>,
        /// For a database decider: how many times to decide when appending conflicts
        /// (default 5).
        #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..))]
        attempts: Option<u32>,
        /// For a database decider: save a snapshot of a view each time this many of its events
        /// were folded (default 10000).
        #[arg(long, value_name = "EVENTS", value_parser = clap::value_parser!(u64).range(1..))]
        snapshot_every: Option<u64>,
        #[command(flatten)]
        run: RunOptions,
    },
    /// Show a materialized view's state at a position of the store, or rebuild it.
    #[command(after_help = "Examples:
  evident view course-capacity --store ./evident-store --param course=c1 --views guests/course-subscriptions/evident.toml
  evident view course-capacity --param course=c1 --at 4
  evident view guests/event-counter --store ./evident-store
  evident view rebuild course-capacity --param course=c1

A view is named in the views manifest (--views FILE, EVIDENT_VIEWS, else ./evident.toml), with
its component and the query selecting its events; a component or guest directory given instead
folds every event unless a manifest lists it. The state goes to stdout (JSON pretty-printed);
where folding started (a snapshot, or the start), the events folded and the position to stderr.
States are saved as snapshots in the store every --snapshot-every events of the view, so a
later run starts from the newest one at or before the position asked for.")]
    View(database::ViewCli),
    /// Fold events under the guest profiler: writes a flamegraph (.svg), a Firefox Profiler
    /// profile (.json) and folded stacks (.folded) naming the guest's functions.
    #[command(
        after_help = "Example:\n  evident profile guests/event-counter --events examples/events.jsonl -o counter-profile\n  (then open counter-profile.svg, or load counter-profile.json at https://profiler.firefox.com)"
    )]
    Profile {
        /// A component (.wasm, .cwasm) or guest directory: a state view.
        component: PathBuf,
        /// The events: JSON lines, or a CBOR sequence (.cbor); `-` reads stdin.
        #[arg(long, value_name = "FILE|-")]
        events: PathBuf,
        /// How the events are encoded, if the file name does not say.
        #[arg(long, value_enum)]
        events_format: Option<input::EventsFormat>,
        /// Where to write, without extension: <OUTPUT>.svg, <OUTPUT>.json, <OUTPUT>.folded.
        #[arg(long, short, value_name = "OUTPUT", default_value = "profile")]
        output: PathBuf,
        /// How often to sample the guest's stack.
        #[arg(long, value_name = "DURATION", default_value = "1ms", value_parser = humantime::parse_duration)]
        interval: Duration,
        #[command(flatten)]
        run: RunOptions,
    },
    /// Precompile a component into an artifact the host loads without compiling.
    #[command(
        after_help = "Example:\n  evident compile event_counter.component.wasm -o event_counter.cwasm"
    )]
    Compile {
        /// The component file.
        component: PathBuf,
        /// The artifact to write (default: beside the component, with .cwasm).
        #[arg(long, short, value_name = "FILE")]
        output: Option<PathBuf>,
    },
    /// Run given/when/then scenario files (JSON or YAML) against a component.
    #[command(
        after_help = "Example:\n  evident test guests/bank-account examples/scenarios/bank-*.yaml\n\nA scenario file holds `scenarios:`, each with `name`, optional `parameters`, `given` (`events`, a `state`, or both),\n`when` (a command, for changes and deciders) and `then` (`state`, `events`, `error`, `max_fuel_per_event`,\n`condition`).\nA view folds the given events; a change decides on the given state; a decider folds the given events\n(after the given state) and decides on the result. A database decider (evident:db 0.4.0) decides on a\nfresh in-memory store holding the given events, with the views of the manifest (--views, else\nevident.toml in its guest directory, else ./evident.toml); `then` gives the events it appends, a refusal's\n`error` code, and/or the append `condition` (DCB JSON: {failIfEventsMatch: {items: [...]}, after: P})."
    )]
    Test {
        /// A component (.wasm), a precompiled artifact (.cwasm), or a guest directory.
        component: PathBuf,
        /// Scenario files.
        #[arg(required = true)]
        scenarios: Vec<PathBuf>,
        /// Run a component that imports WASI with every WASI capability denied.
        #[arg(long)]
        wasi: bool,
        /// For a database decider: the views manifest (default: evident.toml in the guest
        /// directory, else ./evident.toml).
        #[arg(
            long,
            value_name = "FILE",
            env = "EVIDENT_VIEWS",
            hide_env_values = true
        )]
        views: Option<PathBuf>,
    },
    /// Append events to the event log, read them back, ask for its head.
    #[command(
        after_help = "Examples:\n  evident store append examples/courses/events.jsonl\n  evident store read --tag course:c1\n  evident store head\n\nThe store is a directory holding a SQLite file (./evident-store unless --store or\nEVIDENT_STORE names another), or a PostgreSQL database: --store postgres://user@host/db."
    )]
    Store {
        #[command(subcommand)]
        command: store::StoreCommand,
    },
    /// Print a shell completion script.
    #[command(after_help = "Example:\n  evident completions bash > /etc/bash_completion.d/evident")]
    Completions {
        /// The shell.
        shell: clap_complete::Shell,
    },
}

/// Parameters and limits for running a component.
#[derive(Args)]
struct RunOptions {
    /// A parameter for the component, as NAME=VALUE (repeatable).
    #[arg(long = "param", value_name = "NAME=VALUE", value_parser = parse_parameter)]
    parameters: Vec<(String, String)>,
    /// Fuel per call, and per event of a fold (default 100000000): what stops a runaway guest.
    #[arg(long, value_name = "UNITS")]
    limit_fuel: Option<u64>,
    /// Largest guest memory, e.g. 64MiB.
    #[arg(long, value_name = "SIZE")]
    limit_memory: Option<bytesize::ByteSize>,
    /// Wall-clock time per call (and per event of a fold), e.g. 500ms: a safety net on top of
    /// fuel, which alone bounds a call by default.
    #[arg(long, value_name = "DURATION", value_parser = humantime::parse_duration)]
    deadline: Option<Duration>,
    /// Run a component that imports WASI (Python, JavaScript, Go) with every WASI capability
    /// denied: no files, network, environment or real clock; stdout and stderr to the log.
    /// Components built from a guest directory in those languages get it without asking.
    #[arg(long)]
    wasi: bool,
}

fn parse_parameter(text: &str) -> Result<(String, String), String> {
    text.split_once('=')
        .map(|(name, value)| (name.to_owned(), value.to_owned()))
        .ok_or_else(|| format!("{text:?} is not NAME=VALUE"))
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    init_logging(cli.verbose);
    match run(cli) {
        Ok(code) => code,
        Err(error) => {
            eprintln!("error: {error:#}");
            ExitCode::FAILURE
        }
    }
}

/// Guest logs (target `evident::guest`) show at info by default, with level and component.
fn init_logging(verbose: u8) {
    let default = match verbose {
        0 => "warn,evident::guest=info",
        1 => "info",
        2 => "debug",
        _ => "trace",
    };
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| default.into()),
        )
        .with_writer(std::io::stderr)
        .without_time()
        .init();
}

fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    match cli.command {
        Command::New {
            kind,
            name,
            lang,
            sdk_path,
            registry_sdk,
        } => {
            let sdk = scaffold::SdkSource::choose(sdk_path.as_deref(), registry_sdk)?;
            scaffold::new(kind, &name, lang, &sdk)
        }
        Command::Build { dir } => commands::build(&dir),
        Command::Inspect { component, wasi } => commands::inspect(&component, wasi),
        Command::Fold {
            component,
            events,
            events_format,
            store,
            selection,
            initial_state,
            output,
            run,
        } => commands::fold(commands::FoldArgs {
            component: &component,
            events: match (&events, &store) {
                (Some(path), _) => commands::FoldEvents::File {
                    path,
                    format: events_format,
                },
                (None, Some(location)) => commands::FoldEvents::Store {
                    location,
                    selection: &selection,
                },
                (None, None) => unreachable!("clap requires --events or --store"),
            },
            initial_state: initial_state.as_deref(),
            output: output.as_deref(),
            run: &run,
        }),
        Command::Process {
            component,
            state,
            state_format,
            command,
            command_format,
            validate,
            run,
        } => commands::process(commands::ProcessArgs {
            component: &component,
            state: state.as_deref(),
            state_format,
            command: &command,
            command_format,
            validate,
            run: &run,
        }),
        Command::Compile { component, output } => commands::compile(&component, output.as_deref()),
        Command::Test {
            component,
            scenarios,
            wasi,
            views,
        } => scenario::run_files(&component, &scenarios, wasi, views.as_deref()),
        Command::Profile {
            component,
            events,
            events_format,
            output,
            interval,
            run,
        } => profile::profile(profile::ProfileArgs {
            component: &component,
            events: &events,
            events_format,
            output: &output,
            interval,
            run: &run,
        }),
        Command::Decide {
            component,
            given,
            given_format,
            command,
            command_format,
            snapshot,
            snapshot_format,
            snapshot_position,
            store,
            views,
            attempts,
            snapshot_every,
            run,
        } => commands::decide(commands::DecideArgs {
            component: &component,
            given: given.as_deref(),
            given_format,
            command: &command,
            command_format,
            snapshot: snapshot.as_deref(),
            snapshot_format,
            snapshot_position,
            store: store.as_deref(),
            views: views.as_deref(),
            attempts,
            snapshot_every,
            run: &run,
        }),
        Command::View(view) => database::view(view),
        Command::Store { command } => store::run(command),
        Command::Completions { shell } => {
            clap_complete::generate(
                shell,
                &mut Cli::command(),
                "evident",
                &mut std::io::stdout(),
            );
            Ok(ExitCode::SUCCESS)
        }
    }
}
