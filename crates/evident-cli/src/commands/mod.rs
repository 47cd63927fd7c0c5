//! One module per `evident` command: each declares its arguments once, with clap's derive, and
//! runs itself with `execute`.

mod build;
mod compile;
mod completions;
mod compose;
mod decide;
mod diff;
mod fold;
mod inspect;
mod new;
mod process;
mod profile;
mod pull;
mod push;
mod search;
mod store;
mod test;
mod transform;
mod validate;
mod view;

pub(crate) use build::BuildCommand;
pub(crate) use compile::CompileCommand;
pub(crate) use completions::CompletionsCommand;
pub(crate) use compose::ComposeCommand;
pub(crate) use decide::DecideCommand;
pub(crate) use diff::DiffCommand;
pub(crate) use fold::FoldCommand;
pub(crate) use inspect::InspectCommand;
pub(crate) use new::NewCommand;
pub(crate) use process::ProcessCommand;
pub(crate) use profile::ProfileCommand;
pub(crate) use pull::PullCommand;
pub(crate) use push::PushCommand;
pub(crate) use search::SearchCommand;
pub(crate) use store::StoreCommand;
pub(crate) use test::TestCommand;
pub(crate) use transform::TransformCommand;
pub(crate) use validate::ValidateCommand;
pub(crate) use view::ViewCommand;

use evident_host::DatabaseConfig;

/// Exit code for a component's refusal (a typed guest error) or an invalid command, so scripts
/// can tell it from a failure.
const REFUSED: u8 = 2;
/// Exit code for an append (or a decision's) whose condition kept failing.
const CONFLICT: u8 = 3;
/// Exit code for an append holding an event the log already has.
const DUPLICATE: u8 = 4;
/// Exit code for `diff` when the two views' states differ.
const DIVERGED: u8 = 5;

/// A database's configuration with `--snapshot-every`, which `decide` and `view` both take.
fn database_config(snapshot_every: Option<u64>) -> DatabaseConfig {
    let mut config = DatabaseConfig::default();
    if let Some(events) = snapshot_every {
        config.snapshot_every_events = events.max(1);
    }
    config
}
