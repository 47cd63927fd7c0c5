//! Shadow runs: before a view's new build or version replaces the serving one, both fold the
//! events the embedder gives ([`crate::Diff`]), and the swap is refused if their states part.
//!
//! A reload keeps the version, so a materialized view goes on from the state the serving build
//! reached: the new build must mean the same by it. A version registered under another major
//! number declares a breaking change instead: activating it runs no shadow, as the materialized
//! views of that version are folded from scratch.

use std::borrow::Borrow;
use std::collections::VecDeque;
use std::sync::Arc;

use evident_types::{Event, Parameters, State};

use crate::diff::{Diff, DiffError, DiffOutcome, Divergence};
use crate::load::{ComponentKind, Loaded};
use crate::registry::reload::Refused;
use crate::registry::{Registry, RegistryError, Reloaded, Version, parse_version};
use crate::view::StateView;

/// The events a shadow run folds through the serving view and its replacement, and how.
#[derive(Debug, Clone)]
pub struct ShadowRun<I> {
    events: I,
    last: Option<usize>,
    parameters: Parameters,
    start: Option<State>,
}

/// What a shadow-checked activation did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Shadowed {
    /// The version asked for was already active: nothing was run or swapped.
    AlreadyActive,
    /// The new version agreed with the serving one on every event given, and now serves.
    Agreed {
        /// How many events both folded.
        events: u64,
    },
    /// The new version has another major number than the serving one: a breaking change, so
    /// no shadow run; it serves now, and materialized views of it fold from scratch.
    Breaking {
        /// The version that served before.
        previous: Version,
    },
}

/// Why a shadow-checked swap was refused. Whatever served before keeps serving.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ShadowError {
    /// The registry refused, as the unchecked operation would have (unknown name or version,
    /// not a view, a file that does not load, a concurrent reload).
    #[error(transparent)]
    Registry(#[from] RegistryError),
    /// The replacement's state parts from the serving one's: where first, and both states.
    #[error(
        "`{name}` {candidate} disagrees with the serving {serving}, so it was not swapped in: {}",
        divergence.after.as_ref().map_or_else(
            || "the initial states differ".to_owned(),
            |event| format!("the states differ after {event}")
        )
    )]
    Diverged {
        /// The view's name.
        name: String,
        /// The version serving (for a reload, the same as `candidate`).
        serving: Version,
        /// The version that was to replace it.
        candidate: Version,
        /// The first divergence ([`Diff`]'s).
        divergence: Box<Divergence>,
    },
    /// The shadow run could not compare the two (a view failed on an event, or could not
    /// initialize), so the replacement was not swapped in.
    #[error("`{name}` {candidate} was not swapped in: its shadow run failed: {source}")]
    Failed {
        /// The view's name.
        name: String,
        /// The version that was to replace the serving one.
        candidate: Version,
        /// Why the run failed (boxed: it may hold a whole state).
        #[source]
        source: Box<DiffError>,
    },
    /// The serving or the new version changed while the shadow run ran (another activation, a
    /// reload, a removal): nothing was swapped.
    #[error("`{name}` changed while {candidate} was being shadow-run; nothing was swapped")]
    Raced {
        /// The view's name.
        name: String,
        /// The version that was to be activated.
        candidate: Version,
    },
}

impl<I> ShadowRun<I>
where
    I: IntoIterator,
    I::Item: Borrow<Event>,
{
    /// A shadow run over all of `events`, from both views' initial states, without parameters.
    pub fn new(events: I) -> Self {
        ShadowRun {
            events,
            last: None,
            parameters: Parameters::new(),
            start: None,
        }
    }

    /// Runs over only the last `count` of the events (the others are read and dropped; the
    /// `count` kept are held in memory).
    pub fn last(mut self, count: usize) -> Self {
        self.last = Some(count);
        self
    }

    /// Both views fold with `parameters`.
    pub fn parameters(mut self, parameters: Parameters) -> Self {
        self.parameters = parameters;
        self
    }

    /// Both views start from `state` (e.g. the serving view's state before the events given)
    /// instead of their initial states.
    pub fn starting_from(mut self, state: State) -> Self {
        self.start = Some(state);
        self
    }

    /// Folds the events through `serving` and `candidate`: how many they agree on, or why not.
    fn run(
        self,
        name: &str,
        versions: (&Version, &Version),
        serving: &StateView,
        candidate: &StateView,
    ) -> Result<u64, ShadowError> {
        let (serving_version, candidate_version) = versions;
        let mut diff = Diff::new(serving, candidate, &self.parameters);
        if let Some(state) = self.start {
            diff = diff.starting_from(state);
        }
        let outcome = match self.last {
            Some(count) => diff.run(last(self.events, count)),
            None => diff.run(self.events),
        };
        match outcome {
            Ok(DiffOutcome::Agree { events }) => Ok(events),
            Ok(DiffOutcome::Diverge(divergence)) => Err(ShadowError::Diverged {
                name: name.to_owned(),
                serving: serving_version.clone(),
                candidate: candidate_version.clone(),
                divergence,
            }),
            Err(source) => Err(ShadowError::Failed {
                name: name.to_owned(),
                candidate: candidate_version.clone(),
                source: Box::new(source),
            }),
        }
    }
}

impl Registry {
    /// [`Registry::reload`] of the state view `name`, the rebuilt file swapped in only if its
    /// shadow run over `shadow`'s events agrees with the serving build; if it does not, the
    /// reload is refused with the first divergence, recorded as the `last_reload_error`, and the
    /// serving build keeps serving. (A reload keeps the version: a breaking change is
    /// registered under a new major version and activated with
    /// [`Registry::activate_shadowed`].)
    pub fn reload_shadowed<I>(
        &self,
        name: &str,
        shadow: ShadowRun<I>,
    ) -> Result<Reloaded, ShadowError>
    where
        I: IntoIterator,
        I::Item: Borrow<Event>,
    {
        let (version, serving) = self.active(name)?;
        let not_a_view = |found: ComponentKind| RegistryError::WrongKind {
            name: name.to_owned(),
            version: version.clone(),
            expected: ComponentKind::View.label(),
            found: found.label(),
        };
        if serving.kind() != ComponentKind::View {
            return Err(not_a_view(serving.kind()).into());
        }
        let check = |serving: &Loaded, rebuilt: &Loaded| match (serving, rebuilt) {
            (Loaded::View(serving), Loaded::View(rebuilt)) => {
                let agreed = shadow.run(name, (&version, &version), serving, rebuilt)?;
                tracing::info!(component = name, %version, "the rebuilt view agrees with the serving one on {agreed} events");
                Ok(())
            }
            (_, other) => Err(ShadowError::from(not_a_view(other.kind()))),
        };
        self.reload_checked(name, check)
            .map_err(|refused| match refused {
                Refused::Registry(e) => ShadowError::Registry(e),
                Refused::Check(e) => e,
            })
    }

    /// [`Registry::activate`] of `version` of the state view `name`, checked: unless its major
    /// number differs from the serving version's (a breaking change, activated without a
    /// shadow run), it is first shadow-run against the serving version over `shadow`'s events,
    /// and activated only if they agree.
    pub fn activate_shadowed<I>(
        &self,
        name: &str,
        version: &str,
        shadow: ShadowRun<I>,
    ) -> Result<Shadowed, ShadowError>
    where
        I: IntoIterator,
        I::Item: Borrow<Event>,
    {
        let candidate_version = parse_version(version)?;
        let (serving_version, serving) = self.active(name)?;
        if candidate_version == serving_version {
            return Ok(Shadowed::AlreadyActive);
        }
        if candidate_version.major != serving_version.major {
            self.activate(name, version)?;
            tracing::info!(component = name, %serving_version, %candidate_version, "activated as a breaking change, without a shadow run");
            return Ok(Shadowed::Breaking {
                previous: serving_version,
            });
        }
        let (_, candidate) = self.version(name, version)?;
        // The deployments read here are the ones compared, and the swap happens only if they
        // are still the ones registered.
        let view_of = |version: &Version, loaded: &Loaded| match loaded {
            Loaded::View(view) => Ok(view.clone()),
            other => Err(RegistryError::WrongKind {
                name: name.to_owned(),
                version: version.clone(),
                expected: ComponentKind::View.label(),
                found: other.kind().label(),
            }),
        };
        let old = view_of(&serving_version, &serving.loaded)?;
        let new = view_of(&candidate_version, &candidate.loaded)?;
        let versions = (&serving_version, &candidate_version);
        let events = shadow.run(name, versions, &old, &new)?;
        let swapped = self.update(|catalog| {
            let named = catalog.named_mut(name)?;
            let unchanged = named.active().is_some_and(|(active, deployment)| {
                *active == serving_version && Arc::ptr_eq(deployment, &serving)
            }) && (named.versions.get(&candidate_version))
                .is_some_and(|deployment| Arc::ptr_eq(deployment, &candidate));
            if unchanged {
                named.active = Some(candidate_version.clone());
            }
            Ok(unchanged)
        })?;
        if !swapped {
            return Err(ShadowError::Raced {
                name: name.to_owned(),
                candidate: candidate_version,
            });
        }
        tracing::info!(component = name, %serving_version, %candidate_version, "activated after agreeing on {events} events");
        Ok(Shadowed::Agreed { events })
    }
}

/// The last `count` of `events`, in order.
fn last<I>(events: I, count: usize) -> VecDeque<Event>
where
    I: IntoIterator,
    I::Item: Borrow<Event>,
{
    let mut kept = VecDeque::with_capacity(count.min(1 << 16));
    if count == 0 {
        return kept;
    }
    for event in events {
        if kept.len() == count {
            kept.pop_front();
        }
        kept.push_back(event.borrow().clone());
    }
    kept
}
