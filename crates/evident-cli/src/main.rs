//! `evident`: build, inspect, run and test Evident components from the command line.
//!
//! Each command lives in its own module under `commands/`, declaring its arguments with clap's
//! derive; this file parses the command line, sets up logging, runs the command and turns its
//! result into the process's exit code.

mod args;
mod commands;
mod component;
mod input;
mod manifest;
mod output;
mod scaffold;
mod scenario;
mod store;
mod stream;
mod upcasting;

use std::process::ExitCode;

/// Events are parsed on one thread and freed on another (`stream.rs`): mimalloc frees across
/// threads without the arena locks glibc's allocator takes.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

use clap::Parser;

use crate::commands::{
    BuildCommand, CompileCommand, CompletionsCommand, ComposeCommand, DecideCommand, DiffCommand,
    FoldCommand, InspectCommand, NewCommand, ProcessCommand, ProfileCommand, StoreCommand,
    TestCommand, ViewCommand,
};
use crate::commands::{PullCommand, PushCommand, SearchCommand, TransformCommand, ValidateCommand};

/// Build, inspect, run and test Evident WebAssembly components.
#[derive(Parser)]
#[command(version, about, propagate_version = true)]
struct Cli {
    /// More log output (-v: info, -vv: debug, -vvv: trace); RUST_LOG overrides.
    #[arg(short, long, action = clap::ArgAction::Count, global = true)]
    verbose: u8,
    #[command(subcommand)]
    command: Subcommand,
}

/// The commands, in the order `evident --help` lists them; each one's help is its struct's.
#[derive(clap::Subcommand)]
enum Subcommand {
    New(NewCommand),
    Build(BuildCommand),
    Inspect(InspectCommand),
    Fold(FoldCommand),
    Diff(DiffCommand),
    Validate(ValidateCommand),
    Transform(TransformCommand),
    Process(ProcessCommand),
    Decide(DecideCommand),
    View(ViewCommand),
    Profile(ProfileCommand),
    Compile(CompileCommand),
    Compose(ComposeCommand),
    Test(TestCommand),
    Store(StoreCommand),
    Push(PushCommand),
    Pull(PullCommand),
    Search(SearchCommand),
    Completions(CompletionsCommand),
}

impl Subcommand {
    /// Runs the command; its `Ok` exit code says success or which refusal.
    fn execute(self) -> anyhow::Result<ExitCode> {
        match self {
            Subcommand::New(command) => command.execute(),
            Subcommand::Build(command) => command.execute(),
            Subcommand::Inspect(command) => command.execute(),
            Subcommand::Fold(command) => command.execute(),
            Subcommand::Diff(command) => command.execute(),
            Subcommand::Validate(command) => command.execute(),
            Subcommand::Transform(command) => command.execute(),
            Subcommand::Process(command) => command.execute(),
            Subcommand::Decide(command) => command.execute(),
            Subcommand::View(command) => command.execute(),
            Subcommand::Profile(command) => command.execute(),
            Subcommand::Compile(command) => command.execute(),
            Subcommand::Compose(command) => command.execute(),
            Subcommand::Test(command) => command.execute(),
            Subcommand::Store(command) => command.execute(),
            Subcommand::Push(command) => command.execute(),
            Subcommand::Pull(command) => command.execute(),
            Subcommand::Search(command) => command.execute(),
            Subcommand::Completions(command) => command.execute(),
        }
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    init_logging(cli.verbose);
    match cli.command.execute() {
        Ok(code) => code,
        // Any error not mapped to an exit code of its own is exit code 1.
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
